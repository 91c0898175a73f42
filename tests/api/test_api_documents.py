"""Documents through a real server: upload (a job, or waiting for each file's result), list,
get, delete, re-index, search; unsupported kinds, too many or too large files, a broken PDF.
Knowledge bases other than "My documents" are real ones, with FakeEmbedder vectors."""

from __future__ import annotations

import time

from core.ingest import Upload
from tests.api import raw_http
from tests.api.test_api_resources import error_of
from tests.conftest import SHARED
from tests.pdf_maker import text_pdf

BROKEN = SHARED / "data" / "badpdfs" / "378014596.pdf"
HANDBOOK = (
    "# Travel\n\nThe bicycle scheme is worth 300 euros a year.\n\n# Leave\n\nEveryone has 25 days of leave.\n"
)


def notes(client) -> str:
    return client.post("/v1/knowledge-bases", json={"name": "Notes"}).json()["id"]


def test_upload_waits_for_each_file_then_list_get_search_delete(live):
    _, _, client = live()
    kb = notes(client)
    files = [
        ("files", ("handbook.md", HANDBOOK.encode(), "text/markdown")),
        (
            "files",
            (
                "memo.pdf",
                text_pdf(["Quarterly memo", "Revenue rose to 12 million dollars."]),
                "application/pdf",
            ),
        ),
    ]
    r = client.post(f"/v1/knowledge-bases/{kb}/documents", params={"wait": "true"}, files=files)
    assert r.status_code == 200, r.text
    job = r.json()
    assert job["status"] == "done"
    by_name = {f["name"]: f for f in job["files"]}
    assert by_name["handbook.md"]["ok"] and by_name["handbook.md"]["pages"] == 2  # two sections
    assert by_name["memo.pdf"]["ok"] and by_name["memo.pdf"]["pages"] == 1
    assert by_name["memo.pdf"]["chunks"] >= 1 and "1 page" in by_name["memo.pdf"]["message"]

    docs = client.get("/v1/knowledge-bases/Notes/documents").json()
    assert sorted(d["name"] for d in docs) == ["handbook.md", "memo.pdf"]
    handbook = next(d for d in docs if d["name"] == "handbook.md")
    got = client.get(f"/v1/knowledge-bases/{kb}/documents/{handbook['id']}").json()
    assert got["unit"] == "section" and got["pages"] == 2 and got["chunks"] >= 1

    hits = client.post(
        f"/v1/knowledge-bases/{kb}/search", json={"query": "bicycle scheme worth", "k": 3}
    ).json()
    assert hits["hits"], hits
    best = hits["hits"][0]
    assert best["file"] == "handbook.md" and best["page_start"] == 1 and best["unit"] == "section"
    assert 0 <= best["score"] <= 1 and "bicycle" in best["text"]

    again = client.post(f"/v1/knowledge-bases/{kb}/reindex", params={"wait": "true"})
    assert again.status_code == 200 and again.json()["status"] == "done", again.json()
    rows = {f["name"]: f for f in again.json()["files"]}
    assert set(rows) == {"handbook.md", "memo.pdf"}
    assert all(f["ok"] and f["chunks"] >= 1 for f in rows.values()), rows
    queued = client.post(f"/v1/knowledge-bases/{kb}/reindex")
    assert queued.status_code == 202
    assert poll(client, queued.json()["id"])["status"] == "done"
    assert client.delete(f"/v1/knowledge-bases/{kb}/documents/{handbook['id']}").status_code == 204
    assert error_of(client.get(f"/v1/knowledge-bases/{kb}/documents/{handbook['id']}"), 404)
    assert error_of(client.delete(f"/v1/knowledge-bases/{kb}/documents/{handbook['id']}"), 404)
    assert [d["name"] for d in client.get(f"/v1/knowledge-bases/{kb}/documents").json()] == ["memo.pdf"]


def poll(client, job_id: str, seconds: float = 30) -> dict:
    """The job once it is done, asked for every 50 ms."""
    deadline = time.monotonic() + seconds
    while (job := client.get(f"/v1/jobs/{job_id}").json())["status"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return job


def test_an_upload_is_a_job_to_poll(live):
    _, _, client = live()
    kb = notes(client)
    r = client.post(
        f"/v1/knowledge-bases/{kb}/documents", files=[("files", ("a.txt", b"Alpha beta gamma.\n"))]
    )
    assert r.status_code == 202
    job = poll(client, r.json()["id"])
    assert job["files"][0]["ok"] and job["files"][0]["state"] == "done"
    assert error_of(client.get("/v1/jobs/nope"), 404)
    again = client.post(
        f"/v1/knowledge-bases/{kb}/documents?wait=1", files=[("files", ("a.txt", b"Alpha beta gamma.\n"))]
    )
    assert "already in the knowledge base" in again.json()["files"][0]["message"]


def test_a_broken_pdf_gets_the_message_the_page_gives(live):
    _, assistant, client = live()
    kb = notes(client)
    data = BROKEN.read_bytes()
    r = client.post(f"/v1/knowledge-bases/{kb}/documents?wait=true", files=[("files", (BROKEN.name, data))])
    result = r.json()["files"][0]
    assert result["ok"] is False and result["state"] == "failed"
    # the page adds Upload(name, data=...) through the library and shows the result's message
    other = assistant.library.create("Page")
    page = [
        e for e in assistant.library.ingest([Upload(BROKEN.name, data=data)], other.id) if hasattr(e, "ok")
    ]
    assert result["message"] == page[0].message and BROKEN.name in result["message"]
    assert client.get(f"/v1/knowledge-bases/{kb}/documents").json() == []


def test_an_unsupported_kind_is_refused_with_nothing_added(live):
    _, _, client = live()
    kb = notes(client)
    files = [("files", ("ok.txt", b"Fine text.")), ("files", ("tool.exe", b"MZ\x90\x00"))]
    message = error_of(client.post(f"/v1/knowledge-bases/{kb}/documents?wait=true", files=files), 415)
    assert "tool.exe" in message and "pdf" in message
    assert client.get(f"/v1/knowledge-bases/{kb}/documents").json() == []


def test_too_many_files_are_refused_as_a_whole(live):
    _, _, client = live(max_files_per_upload=2)
    kb = notes(client)
    files = [("files", (f"{i}.txt", b"Some text %d." % i)) for i in range(3)]
    assert "at most 2" in error_of(client.post(f"/v1/knowledge-bases/{kb}/documents", files=files), 413)


def test_unknown_knowledge_base_is_404(live):
    _, _, client = live()
    r = client.post("/v1/knowledge-bases/nope/documents", files=[("files", ("a.txt", b"x"))])
    assert "nope" in error_of(r, 404)
    assert error_of(client.get("/v1/knowledge-bases/nope/documents"), 404)
    assert error_of(client.post("/v1/knowledge-bases/nope/search", json={"query": "x"}), 404)


def _multipart_head(path: str, boundary: str, length: int | None) -> str:
    size = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n{size}"
    )


def test_an_upload_over_the_limit_is_refused_before_its_body_is_read(live):
    server, _, client = live(max_upload_mb=1)
    kb = notes(client)
    path = f"/v1/knowledge-bases/{kb}/documents"
    # says it is 50 MB and sends 64 KB of it: answered at once, the rest never read
    status, body = raw_http.request(server.port, _multipart_head(path, "b", 50 * 2**20), [b"x" * 65536])
    assert status == 413 and "limit of 1 MB" in body["error"]["message"]
    # chunked, no length: refused once 2 MB (1 MB + multipart room) have come, the body never ended
    start = b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n\r\n'
    parts = [raw_http.chunk(start)] + [raw_http.chunk(b"word " * 13107)] * 60  # 60 x 64 KB
    status, body = raw_http.request(server.port, _multipart_head(path, "b", None), parts)
    assert status == 413 and "limit of 1 MB" in body["error"]["message"]
    assert client.get(f"/v1/knowledge-bases/{kb}/documents").json() == []
    # one under the limit goes in
    small = client.post(f"{path}?wait=1", files=[("files", ("small.txt", b"word " * 100_000))])
    assert small.status_code == 200 and small.json()["files"][0]["ok"]


def test_a_json_body_over_the_limit_is_refused_before_it_is_read(live):
    server, _, _ = live()
    head = "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000"
    status, body = raw_http.request(server.port, head, [b'{"message": "' + b"a" * 1000])
    assert status == 413 and "over the limit" in body["error"]["message"]
    head = "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
    status, body = raw_http.request(
        server.port, head, [raw_http.chunk(b'{"message": "')] + [raw_http.chunk(b"a" * 65536)] * 40
    )
    assert status == 413
