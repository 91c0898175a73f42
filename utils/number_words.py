"""Numbers written as words: cardinals and ordinals up to twelve ("three", "third" -> 3)."""

from __future__ import annotations

_WORDS = (
    ("one", "first"),
    ("two", "second"),
    ("three", "third"),
    ("four", "fourth"),
    ("five", "fifth"),
    ("six", "sixth"),
    ("seven", "seventh"),
    ("eight", "eighth"),
    ("nine", "ninth"),
    ("ten", "tenth"),
    ("eleven", "eleventh"),
    ("twelve", "twelfth"),
)
#: Lower-case word -> its number.
NUMBER_WORDS: dict[str, int] = {word: n for n, words in enumerate(_WORDS, start=1) for word in words}
