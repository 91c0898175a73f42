"""How the packaged all-MiniLM-L6-v2 turns a batch of texts into vectors, one class per engine.

- ``torch``: sentence-transformers in fp32, the reference.
- ``torch-bf16``: the same under bfloat16 autocast; fast only where the CPU has AVX512_BF16
  (elsewhere bf16 is emulated and slower than fp32).
- ``onnx``: the same network exported once to ONNX (mean pooling and L2 normalisation included)
  and run by ONNX Runtime with full graph optimisation, fp32; fast on any x86 CPU.
- ``onnx-int8``: that export with its weights quantised to int8 (ONNX Runtime dynamic
  quantisation); uses VNNI where the CPU has it.

sentence-transformers' own ONNX backend needs ``optimum-onnx``, which pip cannot install beside
the transformers 5 that sentence-transformers 6.2 needs (ResolutionImpossible), so the export is
done here with ``torch.onnx.export`` and run with the onnxruntime faster-whisper already brings.
``choose_backend("auto")`` picks ``onnx-int8`` on every CPU (the fastest everywhere measured);
EMBEDDING_BACKEND forces another.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

BACKENDS = ("torch", "torch-bf16", "onnx", "onnx-int8")
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
EXPORT_FORMAT = "onnx-eager"  # part of the cached export's folder name: a new format, a new export


class EmbeddingBackend(Protocol):
    """Vectors for one batch of already tokenised texts."""

    name: str

    def encode(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text; ``batch`` as the tokenizer returns it
        (``input_ids``, ``attention_mask``, ``token_type_ids``; int64, padded)."""
        ...


def choose_backend(requested: str = "auto") -> str:
    """The backend to use: ``requested`` unless it is "auto"; then ONNX Runtime with int8 weights
    on every CPU. It was the fastest engine on each CPU kind measured, BF16 ones included (on Zen 5
    1.3x bf16 autocast's chunks/s, 250 MiB less memory), with rag-bench retrieval identical and
    answers within one of bf16's (BENCHMARKS.md: "Exported without the sdpa mask")."""
    if requested == "auto":
        return "onnx-int8"
    if requested not in BACKENDS:
        raise ValueError(f"EMBEDDING_BACKEND must be auto or one of {', '.join(BACKENDS)}, not {requested!r}")
    return requested


class TorchBackend:
    """The network in PyTorch (the sentence-transformers model's transformer and pooling)."""

    def __init__(self, model_path: str, bf16: bool = False):
        import torch
        from transformers import AutoModel

        self.name = "torch-bf16" if bf16 else "torch"
        self._torch = torch
        self._bf16 = bf16
        self._model = AutoModel.from_pretrained(model_path).eval()

    def encode(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        torch = self._torch
        inputs = {k: torch.from_numpy(batch[k]) for k in ONNX_INPUTS if k in batch}
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._bf16):
            hidden = self._model(**inputs).last_hidden_state
        return _mean_pool(hidden.float().numpy(), batch["attention_mask"])


class OnnxBackend:
    """The exported network in ONNX Runtime; the export is made on first use and cached."""

    def __init__(self, model_path: str, cache_dir: Path, int8: bool = False, threads: int = 0):
        import onnxruntime as ort

        self.name = "onnx-int8" if int8 else "onnx"
        path = onnx_model(model_path, Path(cache_dir), int8)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = [i.name for i in self._session.get_inputs()]
        # The memory arena makes batches fast but keeps the largest batch's peak for good; shrinking
        # it after each run gives that memory back (bench/memory.py, bench/embeddings.py).
        self._run_options = ort.RunOptions()
        self._run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def encode(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        feed = {name: batch[name].astype(np.int64) for name in self._inputs}
        return self._session.run(None, feed, self._run_options)[0].astype(np.float32)


def create_backend(name: str, model_path: str, cache_dir: Path) -> EmbeddingBackend:
    if name in ("torch", "torch-bf16"):
        return TorchBackend(model_path, bf16=name == "torch-bf16")
    if name in ("onnx", "onnx-int8"):
        return OnnxBackend(model_path, cache_dir, int8=name == "onnx-int8")
    raise ValueError(f"unknown embedding backend {name!r}")


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    vectors = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return (vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)).astype(np.float32)


_EXPORT_LOCK = threading.Lock()


def onnx_model(model_path: str, cache_dir: Path, int8: bool = False) -> Path:
    """The ONNX file for the model at ``model_path`` (exported, then quantised, on first use;
    about 3 s + 2 s). Written to a temporary name first, so an interrupted export is never used."""
    stem = f"{Path(model_path).parent.name}-{_weights_id(model_path)}"
    folder = cache_dir / "embeddings" / f"{stem}-{EXPORT_FORMAT}"
    fp32, quantised = folder / "model.onnx", folder / "model-int8.onnx"
    with _EXPORT_LOCK:
        if not fp32.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            _export(model_path, fp32)
            shutil.rmtree(cache_dir / "embeddings" / f"{stem}-onnx", ignore_errors=True)  # the older export
        if int8 and not quantised.is_file():
            from onnxruntime.quantization import QuantType, quantize_dynamic

            partial = quantised.with_suffix(".partial")
            # Per output channel, matrix products only: cosine to fp32 0.988 at worst on the rag-dev
            # chunks, where one scale per tensor (the default) gave 0.90.
            quantize_dynamic(
                str(fp32),
                str(partial),
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul"],
            )
            partial.replace(quantised)
    return quantised if int8 else fp32


def _weights_id(model_path: str) -> str:
    """A short id of the model's weights file (size and first MiB), so new weights get a new export."""
    weights = Path(model_path) / "model.safetensors"
    digest = hashlib.sha256(str(weights.stat().st_size).encode())
    with open(weights, "rb") as f:
        digest.update(f.read(1 << 20))
    return digest.hexdigest()[:12]


def _export(model_path: str, target: Path) -> None:
    import torch
    from transformers import AutoModel

    class Pooled(torch.nn.Module):
        """The transformer plus mean pooling and L2 normalisation (what sentence-transformers adds)."""

        def __init__(self, model: Any):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            vectors = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(vectors, dim=-1)

    # Eager attention: its padding mask is one addition. The default (scaled_dot_product_attention)
    # is exported as Where and IsNaN over every attention score: 31% of the int8 network's time in
    # ONNX Runtime's profile, for the same vectors (BENCHMARKS.md "Exported without the sdpa mask").
    model = Pooled(AutoModel.from_pretrained(model_path, attn_implementation="eager").eval())
    example = torch.ones(2, 8, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in ONNX_INPUTS}
    partial = target.with_suffix(".partial")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python control flow in transformers
        torch.onnx.export(
            model,
            (example, example, torch.zeros_like(example)),
            str(partial),
            input_names=list(ONNX_INPUTS),
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    partial.replace(target)
