"""Setup step (``python -m retrieval.embeddings.prepare``): choose the embedding engine for this CPU
and, for an ONNX one, write its export now, so that the app's first upload need not."""

from __future__ import annotations

from config.settings import Settings
from retrieval.embeddings.backends import choose_backend, onnx_model
from retrieval.embeddings.embedder import Embedder
from utils.cpu import simd_flags


def main() -> None:
    settings = Settings.from_env()
    name = choose_backend(settings.embedding_backend)
    if name.startswith("onnx"):
        onnx_model(Embedder.model_path(), settings.model_cache_dir, int8=name == "onnx-int8")
    print(f"  embeddings: {name} (CPU flags: {simd_flags()})")


if __name__ == "__main__":
    main()
