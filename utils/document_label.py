"""A document's label: company, form and period from its cover-page profile, then its file stem.

Here, below both documents/ (which reads the profile) and storage/ (which indexes each passage's
keywords under its document's label), so both label a document alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_ACRONYM = re.compile(r"[0-9&]")
_VOWEL = re.compile(r"[AEIOUY]")


def document_label(profile: Mapping[str, Any], file: str) -> str:
    """A short label for prompts and indexed text: "Nvidia Corp, 10-Q, quarterly period ended
    April 30, 2023 (2023 Q1 NVDA)"; just the file stem when the profile names nothing."""
    stem = file.rsplit(".", 1)[0]
    fields = (
        title_case(profile.get("company") or ""),
        profile.get("form") or "",
        profile.get("period") or "",
    )
    parts = [p for p in fields if p]
    return f"{', '.join(parts)} ({stem})" if parts else stem


def title_case(company: str) -> str:
    """A name printed in capitals, as written in a sentence: "MGM RESORTS INTERNATIONAL" ->
    "MGM Resorts International" (a word with no vowel, or with a digit or "&", is an acronym)."""
    if not company.isupper():
        return company
    return " ".join(w if _ACRONYM.search(w) or not _VOWEL.search(w) else w.title() for w in company.split())
