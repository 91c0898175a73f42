"""The units of a file found inside another (an archive's member, an e-mail's attachment), each
headed by the file's name and its own place in it ("report.pdf, p. 2:"), so a passage from a zip
or an e-mail says which file it comes from."""

from __future__ import annotations

import zipfile
import zlib

from documents.text_formats import Sections
from utils.citations import location

READER_FAILURES = (ValueError, KeyError, IndexError, TypeError, OSError, EOFError, NotImplementedError,
                   RecursionError, AssertionError, zipfile.BadZipFile, zlib.error)  # fmt: skip
"""What a reader's library may raise on a damaged file inside another: that file is named as
damaged, and the rest of the archive or e-mail is still read."""


def labelled_units(member: str, sections: Sections) -> list[str]:
    """``sections``' non-empty units, each headed by ``member`` and, when it has several, its place."""
    several = len(sections.units) > 1
    units = []
    for number, text in enumerate(sections.units, start=1):
        if text.strip():
            place = f", {location(sections.unit, number, number)}" if several else ""
            units.append(f"{member}{place}:\n{text.strip()}")
    return units
