"""Passages of the same page of one document are shown as one source (core.answers.shown_sources),
and a page neighbour read for an operand keeps its own number (core.answers.passages)."""

from __future__ import annotations

from dataclasses import replace

from config.settings import Settings
from core.answers.passages import Passages, as_sources
from core.answers.shown_sources import joined_passages, shown_sources
from retrieval.knowledge_base import Hit
from tests.fakes import FakeKnowledgeBase

PAGE = (
    "CONSOLIDATED BALANCE SHEETS\nCash and cash equivalents 1,203 987\n"
    "Inventories, net 3,119 2,870\nTotal current assets 9,812 9,104\n"
    "Accounts payable 2,410 2,201\nTotal current liabilities 6,020 5,730"
)


def hit(text: str, page: int = 12, score: float = 0.5, doc: str = "d1", file: str = "a.pdf") -> Hit:
    return Hit(file, page, page, score, score, text, doc_id=doc)


def shown(*hits: Hit) -> list[dict]:
    return shown_sources([s.as_dict() for s in as_sources(hits)])


def test_overlapping_passages_of_one_page_are_one_entry_citing_both_read_in_page_order():
    first, second = PAGE[:130], PAGE[100:]  # chunks overlap by 30 characters
    entries = shown(hit(second, score=0.9), hit("Item 7. Management's discussion", page=30), hit(first))
    assert [(e["numbers"], e["page_start"]) for e in entries] == [([1, 3], 12), ([2], 30)]
    assert entries[0]["text"] == PAGE and entries[0]["score"] == 0.9


def test_pages_of_other_documents_and_other_pages_stay_apart():
    entries = shown(hit("Revenue 5", doc="d1"), hit("Revenue 7", doc="d2"), hit("Revenue 9", page=13))
    assert [(e["doc_id"], e["page_start"], e["text"]) for e in entries] == [
        ("d1", 12, "Revenue 5"),
        ("d2", 12, "Revenue 7"),
        ("d1", 13, "Revenue 9"),
    ]


def test_passages_that_do_not_touch_are_kept_whole_after_a_blank_line():
    assert joined_passages(["Cash 1,203 987", "Accounts payable 2,410 2,201"]) == (
        "Cash 1,203 987\n\nAccounts payable 2,410 2,201"
    )
    assert joined_passages([PAGE, PAGE[40:90]]) == PAGE  # one held in another adds nothing


def test_a_page_neighbour_trimmed_for_an_operand_keeps_the_number_it_is_cited_by():
    bottom = hit("Accounts payable 2,410 2,201\nTotal current liabilities 6,020 5,730")
    neighbours = Passages(Settings(), lambda text: len(text.split())).on_pages(FakeKnowledgeBase([bottom]))
    trimmed = neighbours.trimmed(replace(as_sources([bottom])[0], number=3), "Total current liabilities")
    assert trimmed.number == 3 and "Total current liabilities 6,020" in trimmed.excerpt
