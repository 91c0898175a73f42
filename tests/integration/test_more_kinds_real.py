"""Notebooks, JSON, e-books, e-mails and zip archives through real ingestion (the worker process,
the real embedder and store): each question's passage is found again with the right citation."""

from __future__ import annotations

import json
import shutil
import zipfile

from config.settings import Settings
from core.assistant import LocalAIAssistant
from core.events import IngestResult
from core.ingest import Upload
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"


def make_files(folder):
    notebook = {"cells": [
        {"cell_type": "markdown", "source": "# Tide model"},
        {"cell_type": "code", "source": "tide_height(port='Brest')", "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "The spring tide at Brest is 7.9 metres\n"}]},
    ], "metadata": {}}  # fmt: skip
    (folder / "tides.ipynb").write_text(json.dumps(notebook))
    (folder / "bakery.json").write_text(json.dumps({"bakery": {"sourdough loaf": {"price": "4.60 euros"}}}))
    shutil.copy(DATA / "epub" / "alice.epub", folder / "alice.epub")
    shutil.copy(DATA / "eml" / "mail_test_10.eml", folder / "ibm-offer.eml")
    with zipfile.ZipFile(folder / "orchard.zip", "w") as z:
        z.writestr(
            "logs/orchard.md",
            "# Orchard log\n\n## Pruning\nThe quince trees were pruned on the ninth of March.\n",
        )
        z.writestr("../escape.txt", "never read")
    return [folder / n for n in ("tides.ipynb", "bakery.json", "alice.epub", "ibm-offer.eml", "orchard.zip")]


def test_each_new_kind_is_found_with_its_citation(tmp_path):
    files = make_files(tmp_path)
    assistant = LocalAIAssistant(Settings(data_dir=tmp_path / "data"))
    results = [
        e
        for e in assistant.library.ingest([Upload(p.name, path=p) for p in files])
        if isinstance(e, IngestResult)
    ]
    assert [r.ok for r in results] == [True] * 5, [r.message for r in results]
    questions = {
        "How high is the spring tide at Brest?": ("tides.ipynb", "cell 2", "7.9 metres"),
        "What does a sourdough loaf cost?": ("bakery.json", "section 1", "4.60 euros"),
        "Who took the hookah out of its mouth and spoke to Alice?": (
            "alice.epub",
            "chapter 6",
            "Caterpillar",
        ),
        "Which IBM Power models can be replaced in the Move to Eight promotion?": (
            "ibm-offer.eml",
            None,
            "POWER",
        ),
        "When were the quince trees pruned?": ("orchard.zip", "section 2", "ninth of March"),
    }
    for question, (file, place, fact) in questions.items():
        hit = assistant.library.search(question, 1)[0]
        assert hit.file == file and fact in hit.text, (question, hit)
        if place:  # the passage may run over into the next unit; it covers the one with the fact
            unit, number = place.rsplit(" ", 1)
            assert hit.unit == unit and hit.page_start <= int(number) <= hit.page_end, (question, hit)
    archive = next(d.id for d in assistant.library.documents() if d.name == "orchard.zip")
    contents = assistant.library.document_pages(archive, count=1)
    assert "not read: ../escape.txt (its path climbs out of the archive with ..)" in contents[0].text
