"""The keyword terms a store keeps (storage/keyword_terms.py) score passages exactly as bm25s
does in memory (retrieval/hybrid_index.py), on real text: the answers and questions of the dev set."""

from __future__ import annotations

import json

import numpy as np

from retrieval.hybrid_index import HybridIndex
from storage.keyword_terms import bm25_scores, indexed_text, query_tokens, term_counts
from tests.conftest import SHARED

QA = [json.loads(line) for line in (SHARED / "data/rag-dev/qa.jsonl").read_text().splitlines()]
PASSAGES = [indexed_text(row["source_file"], "", row["answer"]) for row in QA] + [
    "The The and of",  # only stopwords: bm25s gives it the token ""
    "net revenue revenue revenue",
]
QUESTIONS = [row["question"] for row in QA] + [
    "revenue revenue net",  # a repeated word counts twice
    "the of and",  # nothing indexed: bm25s asks for ""
    "zeppelin",
]


def test_scores_are_bm25s_scores_on_real_text():
    index = HybridIndex(np.zeros((len(PASSAGES), 384), np.float32), PASSAGES)
    counted = [term_counts(p) for p in PASSAGES]
    for question in QUESTIONS:
        expected = index.keyword_scores(question)
        found = bm25_scores(query_tokens(question), counted)
        assert found.dtype == np.float32
        np.testing.assert_allclose(found, expected, rtol=1e-6, atol=0, err_msg=question)
        assert (found > 0).tolist() == (expected > 0).tolist()
    assert bm25_scores(query_tokens("the of and"), counted)[len(QA)] > 0  # "" scores the empty one


def test_terms_and_lengths_are_bm25s_tokens():
    from bm25s.tokenization import Tokenizer

    for passage in PASSAGES:
        tokenizer = Tokenizer(stopwords="english")  # its vocabulary grows only on a first call
        tokens = tokenizer.tokenize([passage], show_progress=False, return_as="string")[0]
        terms, length = term_counts(passage)
        assert length == len(tokens) and sum(terms.values()) == length
        assert terms == {t: tokens.count(t) for t in set(tokens)}
    assert term_counts("Net REVENUE, revenue.")[0] == {"net": 1, "revenue": 2}


def test_a_word_is_held_by_the_passages_bm25s_finds_it_in():
    index = HybridIndex(np.zeros((len(PASSAGES), 384), np.float32), PASSAGES)
    counted = [term_counts(p)[0] for p in PASSAGES]
    for word in ["revenue", "microsoft", "nvidia", "cash", "the", "zeppelin"]:
        holding = [i for i, terms in enumerate(counted) if word in terms]
        assert sorted(index.rows_with_word(word).tolist()) == holding
