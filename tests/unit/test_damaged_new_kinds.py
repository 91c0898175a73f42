"""Damaged notebooks, JSON, XML, e-books, e-mails, Outlook messages and archives (the real test
files cut short or with bytes overwritten) are read or refused in words: never another error."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from documents.file_readers import read_file
from errors import DocumentError
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
FILES = {
    "nb.ipynb": DATA / "ipynb" / "test4.ipynb",
    "schema.json": DATA / "json" / "nbformat.v4.5.schema.json",
    "package.xml": DATA / "xml" / "alice-package.xml",
    "alice.epub": DATA / "epub" / "alice.epub",
    "offer.eml": DATA / "eml" / "mail_test_10.eml",
    "sample.msg": DATA / "msg" / "strangeDate.msg",
}


def originals() -> dict[str, bytes]:
    found = {name: path.read_bytes() for name, path in FILES.items()}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in found.items():
            z.writestr(name, data)
    return {**found, "bundle.zip": archive.getvalue()}


@pytest.mark.parametrize("name", [*FILES, "bundle.zip"])
def test_damaged_copies_are_read_or_refused_in_words(tmp_path, name):
    data = originals()[name]
    rng = random.Random(name)
    path = tmp_path / f"damaged{name[name.rindex('.') :]}"
    for trial in range(30):
        damaged = bytearray(data)
        if trial % 2:
            damaged = damaged[: rng.randrange(1, len(damaged))]
        else:
            for _ in range(20):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path.write_bytes(bytes(damaged))
        try:
            read_file(path, name)
        except DocumentError as e:
            assert name in str(e) or "damaged" in str(e), str(e)
