"""Does the installed llama.cpp build run on this CPU? One token from the packaged model.

    python -m models.llama_smoke      exit 0 when it runs; a build using an instruction this CPU
                                      lacks dies here with SIGILL instead of in the app

Setup runs it once per installed build and falls back to the generic build when it fails.
"""

from __future__ import annotations

import sys

from config.settings import Settings
from models.packaged_gguf import DEFAULT, ensure_packaged_model


def main() -> int:
    from llama_cpp import Llama

    path = ensure_packaged_model(Settings.from_env().model_cache_dir, key=DEFAULT)
    llm = Llama(model_path=str(path), n_ctx=64, n_threads=1, verbose=False)
    out = llm("Say hi:", max_tokens=1)
    if not out.get("choices"):
        print("llama.cpp ran but produced no output", file=sys.stderr)
        return 1
    print("  llama.cpp runs on this CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
