"""Jupyter notebooks read one unit per cell (nbformat's own test notebooks, v4 and v3)."""

from __future__ import annotations

import json

import pytest

from documents.document_reader import refusal
from documents.file_readers import read_file
from errors import DocumentError
from tests.conftest import ROOT
from utils.citations import location

IPYNB = ROOT / "tests" / "data" / "ipynb"


def test_real_notebook_cells_sources_and_outputs():
    notebook = read_file(IPYNB / "test4.ipynb", "test4.ipynb")
    assert notebook.unit == "cell" and notebook.title == "nbconvert latex test"
    assert len(notebook.units) == 9
    assert notebook.units[0] == "Cell 1 (markdown):\n# nbconvert latex test"
    assert notebook.units[3].endswith('print("hello")\nOutput:\nhello')
    assert notebook.units[5].endswith("Output:\nHTML")  # the HTML result, not "<IPython...HTML at 0x...>"
    assert "0x1112b4b50" not in notebook.units[6]  # a bare object repr says nothing: left out
    assert notebook.units[8].endswith("Output:\n(a picture)")
    older = read_file(IPYNB / "test3.ipynb", "test3.ipynb")  # nbformat 3: worksheets, "input"
    assert [u.split(":", 1)[0] for u in older.units] == [u.split(":", 1)[0] for u in notebook.units]
    assert older.units[3] == 'Cell 4 (code):\nprint("hello")\nOutput:\nhello'
    assert location("cell", 4, 4) == "cell 4" and location("cell", 2, 3) == "cells 2-3"


def test_tracebacks_lose_their_terminal_colours():
    cell = read_file(IPYNB / "many_tracebacks.ipynb", "many_tracebacks.ipynb").units[0]
    assert cell.startswith("Cell 1 (code, python):\n# Imagine this cell")
    assert "NameError: name 'iAmNotDefined' is not defined" in cell and "\x1b[" not in cell


def test_notebooks_are_read_and_bad_ones_refused_in_words(tmp_path):
    assert refusal("analysis.ipynb") is None
    empty_cells = {
        "cells": [
            {"cell_type": "code", "source": [], "outputs": []},
            {"cell_type": "markdown", "source": ["Only ", "this"]},
        ],
        "metadata": {},
    }
    (tmp_path / "short.ipynb").write_text(json.dumps(empty_cells))
    assert read_file(tmp_path / "short.ipynb", "short.ipynb").units == ["Cell 1 (markdown):\nOnly this"]
    long_output = {"cells": [{"cell_type": "code", "source": "run()", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": "step\n" * 10_000}]}]}  # fmt: skip
    (tmp_path / "log.ipynb").write_text(json.dumps(long_output))
    assert (
        "(output cut: the first 20,000 characters are kept)"
        in read_file(tmp_path / "log.ipynb", "log.ipynb").units[0]
    )
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    with pytest.raises(DocumentError, match="broken.ipynb is not a Jupyter notebook"):
        read_file(tmp_path / "broken.ipynb", "broken.ipynb")
    (tmp_path / "list.ipynb").write_text("[1, 2]")
    with pytest.raises(DocumentError, match="no cells in it"):
        read_file(tmp_path / "list.ipynb", "list.ipynb")
