"""Zip archives (.zip, the standard ``zipfile`` module) as one document: each member of a kind the
app reads becomes units of its own, headed by its path in the archive and its place in it
("minutes/june.docx, section 2:"), cited "section N"; the first unit lists what the archive holds
and which members were not read, and why. (One document, not one per member: separate documents
would need the knowledge base, outside documents/, to add several from one upload.)

Members are read in memory, one at a time, never unpacked next to the upload: a member whose path
is absolute or climbs out with ``..`` is refused, and so is a member with a password. A zip bomb
stops early: at most ``MAX_MEMBERS`` members, ``MAX_TOTAL_BYTES`` uncompressed in all, and a
member that inflates over ``MAX_RATIO`` times its compressed size (past the first megabyte) is
cut off while it is read, whatever its header claims.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable
from pathlib import Path

from documents.embedded_units import READER_FAILURES, labelled_units
from documents.text_formats import Sections
from errors import DocumentError

MAX_MEMBERS = 2_000  # files in one archive
MAX_TOTAL_BYTES = 200 * 2**20  # uncompressed, all members read
MAX_MEMBER_BYTES = 50 * 2**20  # uncompressed, one member
MAX_RATIO = 200  # uncompressed / compressed size of one member, checked past RATIO_FREE_BYTES
RATIO_FREE_BYTES = 2**20  # small members may compress very well (a text of spaces), and cost little
_CHUNK = 2**16


class MemberTooBig(Exception):
    """A member inflates past a limit while it is read."""


def read_zip(path: Path, name: str, read_member: Callable[[bytes, str], Sections]) -> Sections:
    """Each readable member's units, after a unit that lists the archive's members."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError) as e:
        raise DocumentError(f"{name} is not a zip archive, or it is damaged.") from e
    with archive:
        files = [i for i in archive.infolist() if not i.is_dir() and not _is_metadata(i.filename)]
        if len(files) > MAX_MEMBERS:
            raise DocumentError(f"{name} holds {len(files):,} files; the limit is {MAX_MEMBERS:,}.")
        units: list[str] = []
        read: list[str] = []
        skipped: list[str] = []
        budget = [MAX_TOTAL_BYTES]
        for info in files:
            member = info.filename
            why = _unsafe(member) or ("it is protected by a password" if info.flag_bits & 0x1 else "")
            if why:
                skipped.append(f"{member} ({why})")
                continue
            try:
                data = read_limited(archive, info, budget)
                sections = read_member(data, posixpath.basename(member))
            except MemberTooBig as e:
                raise DocumentError(f"{name} looks like a zip bomb: {member} {e}; it is not read.") from e
            except DocumentError as e:
                skipped.append(f"{member} ({_reason(e, posixpath.basename(member))})")
                continue
            except READER_FAILURES as e:
                skipped.append(f"{member} (it is damaged: {type(e).__name__})")
                continue
            found = labelled_units(member, sections)
            if found:
                units.extend(found)
                read.append(member)
            else:
                skipped.append(f"{member} (it has no text)")
    if not read:
        listed = "; ".join(skipped[:5]) or "it is empty"
        raise DocumentError(f"{name} holds no file the app can read: {listed}.")
    contents = [f"Archive {name}: {len(read)} of {len(files)} files read", *[f"- {m}" for m in read]]
    contents += [f"- not read: {s}" for s in skipped]
    return Sections(["\n".join(contents), *units], "section", "")


def _unsafe(member: str) -> str:
    """Why a member's path is refused ("" when it is a plain relative path)."""
    path = member.replace("\\", "/")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return "its path is absolute"
    if ".." in path.split("/"):
        return "its path climbs out of the archive with .."
    return ""


def _is_metadata(member: str) -> bool:
    """macOS and Windows leave these in archives: resource forks and thumbnails, never documents."""
    parts = member.split("/")
    return parts[0] == "__MACOSX" or parts[-1].startswith("._") or parts[-1] in (".DS_Store", "Thumbs.db")


def _reason(error: DocumentError, member: str) -> str:
    """The reader's message without the member's name at its head: "it is damaged"."""
    text = str(error)
    for head in (f"{member}: ", f"{member} "):
        if text.startswith(head):
            return text[len(head) :].rstrip(".")
    return text.rstrip(".")


def read_limited(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> bytes:
    """A member's bytes, read in pieces and stopped at the first limit it passes (its header's
    sizes may lie); ``budget`` is what is left of the archive's total."""
    parts: list[bytes] = []
    size = 0
    compressed = max(info.compress_size, 1)
    with archive.open(info) as stream:
        while piece := stream.read(_CHUNK):
            size += len(piece)
            if size > MAX_MEMBER_BYTES:
                raise MemberTooBig(f"inflates past {MAX_MEMBER_BYTES / 2**20:.0f} MB")
            if size > budget[0]:
                raise MemberTooBig(f"takes the archive past {MAX_TOTAL_BYTES / 2**20:.0f} MB uncompressed")
            if size > RATIO_FREE_BYTES and size / compressed > MAX_RATIO:
                raise MemberTooBig(f"inflates more than {MAX_RATIO} times its compressed size")
            parts.append(piece)
    budget[0] -= size
    return b"".join(parts)
