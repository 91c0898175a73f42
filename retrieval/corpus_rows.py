"""The in-memory corpus (FAISS + BM25, retrieval/hybrid_index.py) built from the rows a knowledge
store returns, so retrieval runs the same on either store."""

from __future__ import annotations

import numpy as np

from documents.doc_profile import DocProfile
from retrieval.embeddings.embedder import DIMENSIONS
from retrieval.hybrid_index import HybridIndex
from retrieval.query_analysis import distinctive_names
from retrieval.types import Corpus, Row
from storage.base import CorpusRows


def build_corpus(stored: CorpusRows) -> Corpus | None:
    """The corpus of every stored chunk, or None when there is none."""
    if not stored.chunks:
        return None
    profiles = {d.id: DocProfile.from_dict(d.profile) for d in stored.documents}
    vectors = np.ascontiguousarray(stored.vectors, dtype=np.float32).reshape(len(stored.chunks), DIMENSIONS)
    passages = [Row(c.doc_id, c.file, c.page_start, c.page_end, c.text, c.context) for c in stored.chunks]
    files = {p.doc_id: p.file for p in passages}
    labels = {doc: (profiles.get(doc) or DocProfile()).label(file) for doc, file in files.items()}
    index = HybridIndex(vectors, [f"{labels[p.doc_id]}\n{p.context}\n{p.text}" for p in passages])
    doc_of_row = np.array([p.doc_id for p in passages])
    doc_rows = {doc: np.flatnonzero(doc_of_row == doc) for doc in profiles}
    names = distinctive_names(profiles, lambda word: set(doc_of_row[index.rows_with_word(word)]))
    ocr_pages = {d.id: frozenset(d.ocr_pages) for d in stored.documents if d.ocr_pages}
    units = {d.id: d.unit for d in stored.documents if d.unit != "page"}
    return Corpus(index, passages, profiles, names, doc_rows, labels, ocr_pages, units)
