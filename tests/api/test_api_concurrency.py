"""Twenty requests at once against a real server, chats (JSON, streamed, OpenAI format) from two
keys and uploads mixed: every answer is its own question's, no message is lost or doubled,
each key sees only its own chats, every file is added, and the server logs no error."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.api.live import EchoLLM
from tests.api.sse import events


def test_twenty_concurrent_requests_mixed(live):
    server, assistant, admin = live(embedded=EchoLLM("embedded", delay=0.01), hits=())
    keys = {name: assistant.api_keys.create(name)[0] for name in ("a", "b")}
    kb = admin.post("/v1/knowledge-bases", json={"name": "Shared notes"}).json()["id"]
    start = threading.Barrier(20)

    def work(i: int):
        key = keys["a" if i % 2 else "b"]
        question = f"question number {i} from {'a' if i % 2 else 'b'}"
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as c:
            start.wait()
            if i % 5 == 0:
                files = [("files", (f"note{i}.txt", f"Note {i}: the code word is w{i}.\n".encode()))]
                r = c.post(f"/v1/knowledge-bases/{kb}/documents?wait=true", files=files)
                assert r.status_code == 200, r.text
                return ("upload", i, r.json())
            if i % 5 == 1:
                with c.stream(
                    "POST", "/v1/chat/stream", json={"message": question, "knowledge_base": ""}
                ) as r:
                    got = dict(events(r))
                return ("chat", i, question, got["conversation"]["conversation_id"], got["done"]["answer"])
            if i % 5 == 2:
                body = {"model": "local", "messages": [{"role": "user", "content": question}]}
                r = c.post("/v1/chat/completions", json=body)
                assert r.status_code == 200, r.text
                return ("openai", i, question, r.json()["choices"][0]["message"]["content"])
            r = c.post("/v1/chat", json={"message": question, "knowledge_base": ""})
            assert r.status_code == 200, r.text
            return ("chat", i, question, r.json()["conversation_id"], r.json()["answer"])

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(work, range(20)))

    chats = [r for r in results if r[0] == "chat"]
    assert len(chats) == 12
    for _, _i, question, cid, answer in chats:
        assert answer == "You said: " + question  # its own answer, no one else's
        stored = assistant.chats.messages(cid)
        assert [(m.role, m.content) for m in stored] == [("user", question), ("assistant", answer)]
    for _, _i, question, answer in (r for r in results if r[0] == "openai"):
        assert answer == "You said: " + question
    for name, key in keys.items():
        mine = {cid for _, i, _, cid, _ in chats if (i % 2 == 1) == (name == "a")}
        listed = admin.get("/v1/conversations", headers={"Authorization": f"Bearer {key}"}).json()
        assert {c["id"] for c in listed} == mine  # (the OpenAI-format chats are not kept)
    assert {c.id for c in assistant.chats.list()} == {cid for _, _, _, cid, _ in chats}
    uploads = [r[2] for r in results if r[0] == "upload"]
    assert len(uploads) == 4 and all(job["files"][0]["ok"] for job in uploads)
    names = sorted(d["name"] for d in admin.get(f"/v1/knowledge-bases/{kb}/documents").json())
    assert names == sorted(f"note{i}.txt" for i in range(0, 20, 5))
    assert server.errors.records == []
