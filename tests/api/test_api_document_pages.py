"""One document through a real server: got with its pages (or sections) and their text, a window
at a time; re-indexed from its kept original; 404, 403, 409 and 422 in the error shape. Knowledge
bases other than "My documents" are real ones, with FakeEmbedder vectors."""

from __future__ import annotations

from tests.api.test_api_auth import bearer
from tests.api.test_api_resources import error_of
from tests.pdf_maker import text_pdf

HANDBOOK = (
    "# Travel\n\nThe bicycle scheme is worth 300 euros a year.\n\n# Leave\n\nEveryone has 25 days of leave.\n"
    "\n# Pay\n\nSalaries are paid on the 25th of each month.\n"
)
MEMO = ["Quarterly memo", "Revenue rose to 12 million dollars in the quarter."]


def upload(client, *files: tuple[str, bytes]) -> tuple[str, dict[str, dict]]:
    """A new knowledge base "Notes" holding ``files``: its id and its documents by name."""
    kb = client.post("/v1/knowledge-bases", json={"name": "Notes"}).json()["id"]
    r = client.post(
        f"/v1/knowledge-bases/{kb}/documents?wait=true", files=[("files", file) for file in files]
    )
    assert r.status_code == 200 and all(f["ok"] for f in r.json()["files"]), r.text
    return kb, {d["name"]: d for d in client.get(f"/v1/knowledge-bases/{kb}/documents").json()}


def test_a_document_comes_with_its_pages_a_window_at_a_time(live):
    _, _, client = live()
    kb, docs = upload(client, ("handbook.md", HANDBOOK.encode()), ("memo.pdf", text_pdf(MEMO)))
    url = f"/v1/knowledge-bases/{kb}/documents/{docs['handbook.md']['id']}"
    got = client.get(url).json()
    assert (got["unit"], got["pages"], got["name"]) == ("section", 3, "handbook.md") and got["chunks"] >= 1
    assert [(p["number"], p["label"]) for p in got["parts"]] == [
        (1, "section 1"),
        (2, "section 2"),
        (3, "section 3"),
    ]
    assert "bicycle scheme" in got["parts"][0]["text"] and got["next_first"] is None
    assert not any(p["truncated"] for p in got["parts"])

    window = client.get(url, params={"first": 2, "limit": 1, "max_chars": 10}).json()
    (part,) = window["parts"]
    assert part["number"] == 2 and len(part["text"]) == 10 and part["truncated"] and part["chars"] > 10
    assert window["next_first"] == 3
    counts = client.get(url, params={"limit": 0}).json()
    assert counts["parts"] == [] and counts["next_first"] == 1 and counts["chunks"] == got["chunks"]
    assert client.get(url, params={"first": 9}).json()["parts"] == []

    memo = client.get(f"/v1/knowledge-bases/Notes/documents/{docs['memo.pdf']['id']}").json()
    assert (
        memo["unit"] == "page"
        and memo["parts"][0]["label"] == "p. 1"
        and "12 million" in memo["parts"][0]["text"]
    )
    assert error_of(client.get(url, params={"limit": 1000}), 422)
    assert error_of(client.get(url, params={"first": 0}), 422)
    assert error_of(client.get(f"/v1/knowledge-bases/{kb}/documents/nope"), 404)


def test_one_document_is_reindexed_from_its_original(live):
    _, assistant, client = live()
    kb, docs = upload(client, ("handbook.md", HANDBOOK.encode()), ("memo.pdf", text_pdf(MEMO)))
    handbook, memo = docs["handbook.md"], docs["memo.pdf"]
    store = assistant.library.knowledge_base_for(kb)
    store.chunk_tokens, store.overlap_tokens = 8, 2  # today's settings differ
    r = client.post(f"/v1/knowledge-bases/{kb}/documents/{handbook['id']}/reindex")
    assert r.status_code == 200, r.text
    again = r.json()
    assert (again["id"], again["name"], again["pages"], again["unit"]) == (
        handbook["id"],
        "handbook.md",
        3,
        "section",
    )
    assert again["chunks"] > handbook["chunks"]
    after = {d["name"]: d for d in client.get(f"/v1/knowledge-bases/{kb}/documents").json()}
    assert after["memo.pdf"] == memo and after["handbook.md"]["chunks"] == again["chunks"]
    r = client.post(f"/v1/knowledge-bases/{kb}/documents/{memo['id']}/reindex", json={"password": ""})
    assert r.status_code == 200 and r.json()["pages"] == 1
    hits = client.post(f"/v1/knowledge-bases/{kb}/search", json={"query": "bicycle scheme", "k": 3}).json()
    assert hits["hits"] and hits["hits"][0]["file"] == "handbook.md"

    assert "nope" in error_of(client.post(f"/v1/knowledge-bases/{kb}/documents/nope/reindex"), 404)
    assert error_of(client.post(f"/v1/knowledge-bases/nope/documents/{memo['id']}/reindex"), 404)
    assert error_of(
        client.post(f"/v1/knowledge-bases/{kb}/documents/{memo['id']}/reindex", content=b"{"), 422
    )


def test_a_document_whose_original_is_gone_is_409_and_unchanged(live):
    _, assistant, client = live()
    kb, docs = upload(client, ("handbook.md", HANDBOOK.encode()))
    handbook = docs["handbook.md"]
    originals = assistant.library.knowledge_base_for(kb).directory / "originals"
    (originals / f"{handbook['id']}.md").unlink()
    message = error_of(client.post(f"/v1/knowledge-bases/{kb}/documents/{handbook['id']}/reindex"), 409)
    assert "not kept" in message and "handbook.md" in message
    assert client.get(f"/v1/knowledge-bases/{kb}/documents").json() == [handbook]


def test_a_key_not_allowed_the_knowledge_base_gets_403(live):
    _, assistant, client = live()
    kb, docs = upload(client, ("handbook.md", HANDBOOK.encode()))
    assistant.library.create("Contracts")
    key, _ = assistant.api_keys.create("lawyer", ["Contracts"])
    url = f"/v1/knowledge-bases/{kb}/documents/{docs['handbook.md']['id']}"
    assert "may not use" in error_of(client.get(url, headers=bearer(key)), 403)
    assert error_of(client.post(f"{url}/reindex", headers=bearer(key)), 403)
