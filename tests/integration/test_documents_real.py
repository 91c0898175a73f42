"""Every format through real ingestion (worker process, real embedder) and the real CLI: a folder
of mixed files, bad files among them, each fact found again by search."""

from __future__ import annotations

import json
import subprocess
import sys

from config.settings import Settings
from core.assistant import LocalAIAssistant
from core.events import IngestResult
from core.ingest import Upload
from tests.conftest import ROOT
from tests.unit.test_text_formats import make_docx

HTML = """<html><head><meta charset="utf-8"><title>Harbour notes</title>
<script>document.write("tracking pixel")</script></head><body><nav>Home | About</nav>
<article><h1>Harbour dredging</h1><p>The dredger Wilhelmina removed 41,700 cubic metres of silt.</p>
<p>![x](http://127.0.0.1:9/leak.png) <img src="http://127.0.0.1:9/leak2.png"></p></article></body></html>"""
MARKDOWN = "# Orchard log\n\n## Pruning\nThe quince trees were pruned on the ninth of March.\n"
LATIN1 = (
    "The cheesemonger of Saint-Nectaire sells a wheel for thirty-two euros; "
    "cr\u00e8me fra\u00eeche costs extra.\n\nEnd.\n"
)


def make_folder(tmp_path):
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    make_docx(folder / "review.docx")
    (folder / "harbour.html").write_text(HTML, encoding="utf-8")
    (folder / "sub" / "orchard.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "sub" / "cheese.txt").write_bytes(LATIN1.encode("latin-1"))
    (folder / "utf16.txt").write_bytes("The lighthouse lamp uses a 1,000 watt bulb.".encode("utf-16"))
    (folder / "song.txt").write_bytes(bytes(range(256)) * 40)  # binary renamed .txt
    (folder / "empty.md").write_bytes(b"")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff not a document")
    return folder


def cli(*args):
    return subprocess.run(
        [sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_a_folder_of_mixed_documents_through_the_cli(tmp_path):
    folder, kb = make_folder(tmp_path), tmp_path / "kb"
    first = cli("ingest", "--kb", str(kb), str(folder))
    assert first.returncode == 1  # two files failed; the others are in
    out = first.stdout
    assert "song.txt is not a text file" in out and "empty.md is empty (0 bytes)" in out
    assert "5 added, 0 already there, 2 failed, 1 of other kinds ignored" in out
    again = cli("ingest", "--kb", str(kb), str(folder))
    assert "0 added, 5 already there, 2 failed, 1 of other kinds ignored" in again.stdout

    questions = {
        "How much did the telescope mirrors cost?": ("review.docx", "section", "$48,250"),
        "How much silt did the dredger remove?": ("harbour.html", "section", "41,700 cubic metres"),
        "When were the quince trees pruned?": ("orchard.md", "section", "ninth of March"),
        "What does the cheese maker charge for a wheel?": (
            "cheese.txt",
            "paragraph",
            "cr\u00e8me fra\u00eeche",
        ),
        "What wattage is the lighthouse bulb?": ("utf16.txt", "paragraph", "1,000 watt"),
    }
    found = cli("search", "--kb", str(kb), "--json", "-k", "1", *questions)
    assert found.returncode == 0, found.stderr
    for line, (file, unit, fact) in zip(found.stdout.strip().splitlines(), questions.values(), strict=True):
        hit = json.loads(line)[0]
        assert (hit["file"], hit["unit"]) == (file, unit) and fact in hit["text"], hit
    html = next(json.loads(line)[0] for line in found.stdout.splitlines() if "harbour" in line)
    assert "tracking" not in html["text"] and "Home | About" not in html["text"]


def test_huge_web_page_and_fake_docx_get_clear_messages_and_the_rest_is_added(tmp_path):
    import zipfile

    big = tmp_path / "saved-page.html"
    with open(big, "wb") as f:
        f.write(b"<html><body>" + b"<p>filler paragraph</p>" * (50 * 2**20 // 23) + b"</body></html>")
    fake = tmp_path / "report.docx"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("data.csv", "a,b\n1,2\n")
    good = tmp_path / "orchard.md"
    good.write_text(MARKDOWN, encoding="utf-8")
    assistant = LocalAIAssistant(Settings(data_dir=tmp_path / "data"))
    uploads = [Upload(p.name, path=p) for p in (big, fake, good)]
    results = [e for e in assistant.library.ingest(uploads) if isinstance(e, IngestResult)]
    assert [r.ok for r in results] == [False, False, True]
    assert "saved-page.html is 50 MB; the limit for a web page is 20 MB" in results[0].message
    assert "report.docx is not a Word (.docx) document" in results[1].message
    assert [d.name for d in assistant.library.documents()] == ["orchard.md"]

    doc = assistant.library.documents()[0]
    assert assistant.library.reindex() >= 1  # re-index keeps sections as sections
    hit = assistant.library.search("When were the quince trees pruned?", 1)[0]
    assert hit.unit == "section" and hit.page_start <= 2 <= hit.page_end
    assistant.library.delete_document(doc.id)
    assert assistant.library.documents() == []
