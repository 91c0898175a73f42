"""Grounded answers from the real embedded model over the real dev filings."""

from __future__ import annotations

import pytest

from config.settings import Settings
from core import prompts
from core.assistant import AskOptions, LocalAIAssistant
from core.events import Sources, Token
from services.knowledge_base import open_knowledge_base


@pytest.fixture(scope="module")
def assistant(dev_kb, tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), max_answer_tokens=60, temperature=0.0)
    return LocalAIAssistant(settings, knowledge_base=open_knowledge_base(settings, dev_kb))


def ask(assistant, question, **options):
    cid = assistant.new_conversation().id
    events = list(assistant.ask(cid, question, AskOptions(backend="embedded", **options)))
    sources = next((e.items for e in events if isinstance(e, Sources)), [])
    return "".join(e.text for e in events if isinstance(e, Token)), sources, cid


def test_intel_revenue_is_answered_from_the_right_file_and_page(assistant):
    answer, sources, cid = ask(assistant, "What was Intel's revenue in the quarter?")
    assert sources and sources[0].file == "2023 Q3 INTC.pdf"
    assert any("14,158" in (s.excerpt or s.text) for s in sources)
    assert "14,158" in answer or "14.2" in answer or "14.16" in answer
    stored = assistant.messages(cid)[-1].meta["sources"]
    assert stored[0]["file"] == "2023 Q3 INTC.pdf" and stored[0]["page_start"] >= 1


def test_documents_only_says_it_does_not_know(assistant):
    answer, sources, _ = ask(assistant, "What is a good recipe for pancakes?", documents_only=True)
    assert sources == []
    assert answer == prompts.NOT_IN_DOCUMENTS


def test_prompt_holds_trimmed_excerpts_within_budget(assistant):
    _, sources, _ = ask(assistant, "What was Microsoft's net cash from operating activities?")
    llm = assistant.llm("embedded")
    used = sum(llm.count_tokens(s.excerpt) for s in sources)
    assert 0 < used <= assistant.settings.context_budget_tokens + len(sources)
    assert all(s.excerpt and s.excerpt != s.text for s in sources)
