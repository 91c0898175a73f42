"""The word-piece tokenizer read with the ``tokenizers`` library gives what transformers'
AutoTokenizer gives (tokens, padded batches, and so the same chunks of a real filing), and the
ONNX embedding path never imports torch (retrieval/embeddings/word_pieces.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from documents.chunking import chunk_pages, clean_text, make_splitter
from retrieval.embeddings.embedder import MAX_TOKENS, Embedder
from retrieval.embeddings.word_pieces import WordPieces
from tests.conftest import ROOT

NVDA = ROOT.parent / "shared" / "data" / "rag-dev" / "pdfs" / "2023 Q1 NVDA.pdf"
ODD = [
    "",
    "   ",
    "Café déjà vu — naïve coöperation",
    "北京 revenue ¥1,234",
    "emoji 🚀 and tabs\tand\r\nnew lines",
    "Zero\u200bwidth and control\x07 characters",
    "$(1,577) (1,327) 12.5% Q3'23 10-Q",
    "word " * 400,  # past MAX_TOKENS
]


@pytest.fixture(scope="module")
def pages() -> list[str]:
    from documents.pdf_processor import extract_pdf

    return [clean_text(p) for p in extract_pdf(NVDA).pages]


@pytest.fixture(scope="module")
def reference():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(Embedder.model_path())


def test_same_tokens_as_autotokenizer(pages, reference):
    ours = WordPieces(Embedder.model_path(), MAX_TOKENS)
    for text in [*ODD, *pages]:
        assert ours.tokenize(text) == reference.tokenize(text), text[:80]


def test_same_padded_batches_as_autotokenizer(pages, reference):
    ours = WordPieces(Embedder.model_path(), MAX_TOKENS)
    texts = [*ODD, *pages[:20]]
    for start in range(0, len(texts), 8):
        batch = texts[start : start + 8]
        expected = reference(batch, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="np")
        got = ours.batch(batch)
        assert set(got) == set(expected)
        for key in got:
            assert got[key].dtype == np.int64 and np.array_equal(got[key], expected[key]), key


def test_a_real_filing_splits_into_the_same_chunks_as_before(pages, reference):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    ours = WordPieces(Embedder.model_path(), MAX_TOKENS)
    before = RecursiveCharacterTextSplitter.from_huggingface_tokenizer(
        reference, chunk_size=200, chunk_overlap=30, separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""]
    )
    old = chunk_pages("nvda", NVDA.name, pages, before)
    new = chunk_pages("nvda", NVDA.name, pages, make_splitter(ours, 200, 30))
    assert len(new) > 100 and new == old  # ids, pages and texts: a knowledge base stays valid


def test_the_onnx_path_never_imports_torch(tmp_path: Path):
    code = (
        "import sys\n"
        "from retrieval.embeddings.embedder import Embedder\n"
        f"e = Embedder(backend='onnx-int8', cache_dir=__import__('pathlib').Path({str(tmp_path)!r}))\n"
        "assert e.embed(['a sentence', 'another one']).shape == (2, 384)\n"
        "e.tokenizer.count('a sentence')\n"
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    # Export first (that step uses torch, once per machine, at setup), then a fresh process.
    Embedder(backend="onnx-int8", cache_dir=tmp_path).embed(["warm"])
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
