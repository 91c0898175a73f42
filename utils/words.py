"""Counting things in words: "1 page", "2 pages", "1,204 passages"."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, the noun plural unless the count is one."""
    return f"{count:,} {noun if count == 1 else noun + 's'}"
