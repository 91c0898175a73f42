"""Writing a document's keyword terms in PostgreSQL: each chunk's {term: tf} and token count,
read from its stored label, page heading and text (storage/keyword_terms.py), in the caller's
transaction, so the terms never disagree with the chunks."""

from __future__ import annotations

import psycopg

from storage.keyword_terms import indexed_text, term_counts
from utils.document_label import document_label


def index_document(db: psycopg.Connection, doc_id: str) -> None:
    """(Re)write the terms and lengths of every chunk of ``doc_id`` (after its chunks, profile or
    headings changed)."""
    found = db.execute("SELECT name, profile FROM documents WHERE id = %s", (doc_id,)).fetchone()
    if found is None:
        return
    label = document_label(found[1], found[0])
    rows = db.execute(
        "SELECT seq, context, text FROM chunks WHERE doc_id = %s ORDER BY seq", (doc_id,)
    ).fetchall()
    db.execute("DELETE FROM chunk_terms WHERE seq IN (SELECT seq FROM chunks WHERE doc_id = %s)", (doc_id,))
    counted = [(seq, *term_counts(indexed_text(label, context, text))) for seq, context, text in rows]
    with db.cursor() as cur:
        with cur.copy("COPY chunk_terms (term, seq, tf, length) FROM STDIN") as copy:
            for seq, terms, length in counted:
                for term, tf in terms.items():
                    copy.write_row((term, seq, tf, length))
        cur.execute(
            "UPDATE chunks c SET length = v.length "
            "FROM unnest(%s::bigint[], %s::integer[]) AS v(seq, length) "
            "WHERE c.seq = v.seq AND c.length <> v.length",
            ([seq for seq, _, _ in counted], [length for _, _, length in counted]),
        )
