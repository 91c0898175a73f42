"""Every embedding engine, forced one at a time whatever CPU runs the tests: the packaged MiniLM
gives the same answers through each (retrieval/embeddings/backends.py)."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.embeddings.backends import BACKENDS
from retrieval.embeddings.embedder import Embedder

TEXTS = [
    "Total net sales were $81,797 million for the quarter ended July 1, 2023.",
    "Purchases of property, plant and equipment (1,577) (1,327)",
    "The Board of Directors declared a quarterly dividend of $0.24 per share.",
    "Risk factors: our operations depend on suppliers in several countries.",
    "short",
    "A long passage. " * 200,  # past the model's 256 word pieces: truncated, as sentence-transformers does
]
QUERY = "What dividend per share did the board declare?"
# Cosine to the fp32 PyTorch vectors: bf16 rounds activations, int8 rounds weights (per channel).
AGREEMENT = {"torch": 0.99999, "torch-bf16": 0.999, "onnx": 0.99999, "onnx-int8": 0.97}


@pytest.fixture(scope="module")
def reference():
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(Embedder.model_path(), device="cpu")
    model.max_seq_length = 256
    return model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("model-cache")  # a fresh export, made by the code under test


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_engine_agrees_with_sentence_transformers(backend, reference, cache):
    embedder = Embedder(backend=backend, cache_dir=cache)
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    cosine = np.sum(vectors * reference, axis=1)
    assert cosine.min() >= AGREEMENT[backend], (backend, cosine)
    # and it still ranks: the dividend question finds the dividend line first
    scores = vectors @ embedder.embed_query(QUERY)
    assert int(np.argmax(scores)) == 2


def test_the_onnx_export_is_cached_and_complete(cache):
    Embedder(backend="onnx-int8", cache_dir=cache).embed(["warm"])
    files = sorted(p.name for p in cache.rglob("*.onnx*"))
    assert files == ["model-int8.onnx", "model.onnx"]  # no half-written .partial left behind


def test_the_onnx_export_masks_padding_once_not_in_every_layer(cache):
    """The export uses eager attention: scaled_dot_product_attention's export masks the attention
    scores of each of the 6 layers with Where and IsNaN, which took 31% of the int8 network's time
    (BENCHMARKS.md); eager builds one additive mask (two Where) and adds it."""
    import collections

    import onnx

    Embedder(backend="onnx", cache_dir=cache).embed(["warm"])
    (path,) = cache.rglob("model.onnx")
    ops = collections.Counter(node.op_type for node in onnx.load(str(path)).graph.node)
    assert ops["MatMul"] == 48 and ops["Softmax"] == 6  # the six layers are there
    assert ops["IsNaN"] == 0 and ops["Where"] <= 2
