"""Which passages a question gets, with the real embedder, on documents that are not filings: a
handbook whose one passage covers several topics, a recipe page and a real handbook page."""

from __future__ import annotations

import pytest

from config.settings import Settings
from core.events import IngestResult
from core.ingest import Upload, ingest
from retrieval.knowledge_base import open_knowledge_base
from tests.conftest import ROOT

RECIPE = """<!doctype html><html><head><title>Lentil soup</title></head><body><article>
<h1>Grandma's Lentil Soup</h1><p>Serves 6. Prep time 15 minutes, cooking time 40 minutes.</p>
<ul><li>300 g red lentils</li><li>2 carrots</li><li>1.5 litres vegetable stock</li></ul>
</article></body></html>"""


def write_handbook(path) -> None:
    """A short handbook written for this test: one passage on vacation, remote work and benefits."""
    import docx

    doc = docx.Document()
    doc.add_heading("Northwind Traders - Employee Handbook 2026", 0)
    doc.add_heading("Vacation", 1)
    doc.add_paragraph("Full-time employees receive 27 days of paid vacation per calendar year.")
    doc.add_heading("Remote work", 1)
    doc.add_paragraph("Staff may work remotely up to 3 days per week. The office in Leeds opens at 7:30.")
    table = doc.add_table(rows=3, cols=2)
    rows = [("Benefit", "Amount"), ("Home office allowance", "£450 per year"), ("Bicycle scheme", "£1,200")]
    for r, (benefit, amount) in enumerate(rows):
        table.cell(r, 0).text, table.cell(r, 1).text = benefit, amount
    doc.save(path)


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    folder = tmp_path_factory.mktemp("documents")
    write_handbook(folder / "handbook.docx")
    (folder / "recipe.html").write_text(RECIPE, encoding="utf-8")
    travel = ROOT / "bench" / "data" / "handbook" / "travel.md"  # Sourcegraph's, Apache-2.0
    settings = Settings()
    base = open_knowledge_base(settings, folder / "kb")
    uploads = [Upload(p.name, path=p) for p in (folder / "handbook.docx", folder / "recipe.html", travel)]
    results = [e for e in ingest(base, uploads, settings) if isinstance(e, IngestResult)]
    assert all(r.ok for r in results), [r.message for r in results]
    return base


def files(kb, question: str) -> list[str]:
    return [h.file for h in kb.search(question, 3)]


def test_a_detail_of_a_passage_on_several_topics_is_found(kb):
    # the passage resembles the question little (most of it is about vacation and remote work)
    assert files(kb, "What is the bicycle scheme worth?") == ["handbook.docx"]


def test_passages_unlike_the_question_do_not_fill_the_places_left(kb):
    assert files(kb, "How many vacation days do employees get?") == ["handbook.docx"]
    assert files(kb, "How long do I cook the lentil soup?") == ["recipe.html"]


@pytest.mark.parametrize(
    "question", ["How do I fix a flat bicycle tyre?", "What should I name my new puppy?", "Tell me a joke."]
)
def test_questions_the_documents_do_not_answer_get_no_passage(kb, question):
    assert files(kb, question) == []


def test_a_question_about_a_whole_document_gets_its_opening_and_typical_passages(kb):
    # resembling no passage in particular, it found none before; the document added last is meant
    hits = kb.search("Summarize this document", 3)
    assert [h.file for h in hits] == ["travel.md"] * 3 and hits[0].page_start == 1
    assert [h.page_start for h in hits] == sorted(h.page_start for h in hits)
    assert {h.file for h in kb.search("What is the recipe page about?", 3)} == {"recipe.html"}  # named
