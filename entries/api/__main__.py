"""``python -m entries.api [--host H] [--port P]``: serve the HTTP API (entries/api/server.py)."""

import sys

from entries.api.server import main

if __name__ == "__main__":
    sys.exit(main())
