"""Search inside PostgreSQL, as SQL on one transaction's connection: k-NN through the HNSW cosine
index and BM25 over ``chunk_terms`` scored exactly as bm25s scores it in memory
(storage/keyword_terms.py), so retrieval ranks the same candidates on either store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import psycopg
from psycopg import sql

from storage.base import SearchChunk
from storage.keyword_terms import EMPTY, K1, B, idf, query_tokens

#: How many graph neighbours HNSW keeps in view per k asked (pgvector's default is 40 in all).
EF_PER_K = 2


def vector_text(vector: np.ndarray) -> str:
    """pgvector's text form of a float32 vector (exact: each value as the float64 it equals)."""
    return "[" + ",".join(map(repr, np.asarray(vector, dtype=np.float32).tolist())) + "]"


@dataclass(frozen=True)
class KeywordQuery:
    """A query's indexed terms, each weighted by its idf times its count in the query."""

    terms: list[str]
    weights: list[float]
    avgdl: float


def generation(db: psycopg.Connection) -> int:
    """The knowledge base's write counter."""
    row = db.execute("SELECT value FROM generation").fetchone()
    return int(row[0]) if row else 0


def stats(db: psycopg.Connection) -> tuple[int, int]:
    """(chunks, total token length) of the knowledge base, kept by triggers (schema.py)."""
    row = db.execute("SELECT chunks, total_length FROM keyword_stats").fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def keyword_query(db: psycopg.Connection, text: str) -> KeywordQuery | None:
    """bm25s's reading of ``text``: its tokens found in the knowledge base (else [""]), or None
    when none is."""
    n, total = stats(db)
    counts = Counter(query_tokens(text))
    df = _document_frequencies(db, list(counts))
    if not df:
        counts, df = Counter([EMPTY]), _document_frequencies(db, [EMPTY])
    if not df or not n:
        return None
    terms = [t for t in counts if t in df]
    weights = [counts[t] * float(np.float32(idf(df[t], n))) for t in terms]  # bm25s: float32 idf
    return KeywordQuery(terms, weights, total / n)


def _document_frequencies(db: psycopg.Connection, terms: list[str]) -> dict[str, int]:
    rows = db.execute(
        "SELECT term, count(*) FROM chunk_terms WHERE term = ANY(%s) GROUP BY term", (terms,)
    ).fetchall()
    return {t: int(c) for t, c in rows}


_SCORES = f"""
WITH scores AS MATERIALIZED (
    SELECT t.seq,
        sum(q.weight * t.tf / (t.tf + {K1} * ({1 - B} + {B} * t.length / %(avgdl)s::float8))) AS score
    FROM unnest(%(terms)s::text[], %(weights)s::float8[]) AS q(term, weight)
    JOIN chunk_terms t ON t.term = q.term
    GROUP BY t.seq
)
"""


def keyword_top(
    db: psycopg.Connection,
    query: KeywordQuery,
    k: int,
    also: Collection[int] = (),
    documents: Collection[str] = (),
) -> tuple[list[tuple[int, float]], dict[int, float]]:
    """The ``k`` chunks of best BM25 (seq, score), best first (ties: stored order), and the BM25
    of the chunks ``also`` and of every chunk of ``documents`` that holds a query term; one pass."""
    params = {
        "terms": query.terms,
        "weights": query.weights,
        "avgdl": query.avgdl,
        "k": k,
        "also": list(also),
        "docs": list(documents),
    }
    rows = db.execute(
        f"{_SCORES} (SELECT seq, score, true FROM scores ORDER BY score DESC, seq LIMIT %(k)s) UNION ALL "
        "(SELECT seq, score, false FROM scores WHERE seq = ANY(%(also)s) "
        "OR seq IN (SELECT seq FROM chunks WHERE doc_id = ANY(%(docs)s)))",
        params,
    ).fetchall()
    top = [(int(s), float(v)) for s, v, best in rows if best]
    return top, {int(s): float(v) for s, v, _ in rows}


def keyword_of(db: psycopg.Connection, query: KeywordQuery, seqs: Collection[int]) -> dict[int, float]:
    """BM25 of the chunks ``seqs`` (those holding none of the terms are left out: 0)."""
    return keyword_top(db, query, 0, seqs)[1]


def dense_top(db: psycopg.Connection, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` chunks nearest ``vector`` by cosine through HNSW (seq, similarity), best first."""
    ef = sql.Literal(max(40, EF_PER_K * k))
    # the planner would rather scan a table of some thousands of rows and sort it (60 ms at 10,000
    # chunks on 2 cores; the index: 5 ms): the index, always
    db.execute(sql.SQL("SET LOCAL hnsw.ef_search = {}; SET LOCAL enable_seqscan = off").format(ef))
    rows = db.execute(
        "SELECT seq, 1 - (embedding <=> %(v)s::vector) FROM chunks ORDER BY embedding <=> %(v)s::vector "
        "LIMIT %(k)s",
        {"v": vector_text(vector), "k": k},
    ).fetchall()
    db.execute("SET LOCAL enable_seqscan = on")  # the transaction's other queries planned freely
    return [(int(s), float(v)) for s, v in rows]


_CHUNK = (
    "SELECT c.seq, c.id, c.doc_id, d.name, c.page_start, c.page_end, c.text, c.context, c.embedding "
    "FROM chunks c JOIN documents d ON d.id = c.doc_id"
)


def chunks(db: psycopg.Connection, where: str, params: dict) -> list[SearchChunk]:
    """The chunks ``where`` picks, in stored order, with their exact float32 vectors."""
    rows = db.execute(f"{_CHUNK} WHERE {where} ORDER BY c.seq", params, binary=True).fetchall()
    return [SearchChunk(*r[:8], _vector(r[8])) for r in rows]


def _vector(binary: bytes) -> np.ndarray:
    """pgvector's binary form (dimensions, unused, then big-endian float32s) as float32, exactly."""
    return np.frombuffer(binary, dtype=">f4", offset=4).astype(np.float32)
