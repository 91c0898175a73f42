"""Headless entry on the same core as the page: ``python cli.py --help`` (entries/cli.py)."""

import sys

from entries.cli import main

if __name__ == "__main__":
    sys.exit(main())
