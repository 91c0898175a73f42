"""Which weights the built-in engine loads (models/fast_weights.py); no model is loaded here."""

from __future__ import annotations

import pytest

from models.fast_weights import fast_copy_path, fast_or_packaged, wants_fast_copy


@pytest.mark.parametrize(
    "choice, flags, wanted",
    [
        ("auto", {"sse2", "avx", "avx2", "fma"}, True),  # an AVX2 laptop
        ("auto", {"avx2", "avx512f", "avx512_bf16"}, True),
        ("auto", {"sse2", "avx"}, False),  # no repacked kernels without AVX2
        ("auto", set(), False),
        ("iq4_nl", set(), True),
        ("packaged", {"avx2"}, False),
    ],
)
def test_the_copy_is_wanted_where_the_cpu_has_avx2_or_when_forced(choice, flags, wanted):
    assert wants_fast_copy(choice, flags) is wanted


def test_an_unknown_choice_is_refused_by_name():
    with pytest.raises(ValueError, match="builtin_weights"):
        wants_fast_copy("q8", {"avx2"})


def test_the_packaged_file_is_kept_when_the_choice_is_unknown_or_the_copy_cannot_be_written(tmp_path):
    source = tmp_path / "model.gguf"
    source.write_bytes(b"not a GGUF file")  # llama.cpp refuses to requantise it
    assert fast_or_packaged(source, "q8") == source
    assert fast_or_packaged(source, "iq4_nl") == source
    assert fast_or_packaged(source, "packaged") == source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.gguf"]  # no half-written copy left


def test_an_existing_copy_is_used_as_it_is(tmp_path):
    source = tmp_path / "model.gguf"
    source.write_bytes(b"packaged")
    fast_copy_path(source).write_bytes(b"written earlier")
    assert fast_or_packaged(source, "iq4_nl") == fast_copy_path(source)
