"""Where a knowledge base's searches get their corpus: the whole knowledge base in memory
(``MemoryCorpora``: FAISS + bm25s over every stored row, rebuilt when another writer changed the
store), or one query's candidates found inside a store that searches itself
(retrieval/server_corpus.py: PostgreSQL). The stages run the same on either."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

import numpy as np

from retrieval.corpus_rows import build_corpus
from retrieval.query_analysis import QueryIntent
from retrieval.server_corpus import ServerCorpora
from retrieval.types import Corpus
from storage.base import KnowledgeStore, SearchingStore


class Corpora(Protocol):
    def for_query(
        self, intent: QueryIntent, embed: Callable[[str], np.ndarray]
    ) -> tuple[Corpus, np.ndarray] | None:
        """The corpus to search for ``intent`` and the vector of its search text (``embed``);
        None when the knowledge base holds no passage."""
        ...

    def for_page(self, doc_id: str, page: int) -> Corpus | None:
        """A corpus holding every passage of that page of that document."""
        ...

    def reset(self) -> None:
        """Forget what is held (the store was dropped)."""
        ...


class MemoryCorpora:
    """One in-memory corpus of every stored row, built again when the store's generation moves."""

    def __init__(self, store: KnowledgeStore):
        self.store = store
        self._lock = threading.RLock()
        self._corpus: Corpus | None = None
        self._generation = -1

    def current(self) -> Corpus | None:
        with self._lock:
            if self.store.generation() != self._generation:
                stored = self.store.corpus_rows()
                self._corpus = build_corpus(stored)
                self._generation = stored.generation
            return self._corpus

    def for_query(
        self, intent: QueryIntent, embed: Callable[[str], np.ndarray]
    ) -> tuple[Corpus, np.ndarray] | None:
        corpus = self.current()
        return None if corpus is None else (corpus, embed(intent.search_text))

    def for_page(self, doc_id: str, page: int) -> Corpus | None:
        return self.current()

    def reset(self) -> None:
        with self._lock:
            self._corpus, self._generation = None, -1


def corpora_for(store: KnowledgeStore, in_store: bool = True) -> Corpora:
    """Search inside ``store`` when it can and ``in_store`` (the default), else in memory."""
    if in_store and isinstance(store, SearchingStore):
        return ServerCorpora(store)
    return MemoryCorpora(store)
