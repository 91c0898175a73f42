"""The API's resources against a real server (tests/api/live.py): docs and schema, the error
shape, knowledge bases, conversations, health and engines."""

from __future__ import annotations


def error_of(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert "Traceback" not in response.text
    return body["error"]["message"]


def test_docs_and_a_complete_openapi_schema(live):
    _, _, client = live()
    assert client.get("/docs").status_code == 200 and "swagger" in client.get("/docs").text.lower()
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in [
        "/v1/knowledge-bases",
        "/v1/knowledge-bases/{kb}",
        "/v1/knowledge-bases/{kb}/documents",
        "/v1/knowledge-bases/{kb}/documents/{doc_id}",
        "/v1/knowledge-bases/{kb}/reindex",
        "/v1/knowledge-bases/{kb}/search",
        "/v1/jobs/{job_id}",
        "/v1/chat",
        "/v1/chat/stream",
        "/v1/conversations",
        "/v1/conversations/{conversation_id}",
        "/v1/conversations/{conversation_id}/export",
        "/v1/transcribe",
        "/v1/speak",
        "/v1/health",
        "/v1/engines",
        "/v1/models",
        "/v1/chat/completions",
    ]:
        assert path in paths, path
    models = schema["components"]["schemas"]
    assert {"ErrorBody", "ChatIn", "ChatOut", "SourceOut", "JobOut", "DocumentOut", "Completion"} <= set(
        models
    )
    chat = paths["/v1/chat"]["post"]
    assert chat["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ChatOut")
    for status in ("401", "403", "404", "413", "422", "503"):
        assert chat["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ErrorBody"
        )
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()


def test_malformed_json_unknown_routes_and_bad_fields_get_the_error_shape(live):
    _, _, client = live()
    sent = client.post("/v1/chat", content=b'{"message": "hi"', headers={"Content-Type": "application/json"})
    assert "not valid JSON" in error_of(sent, 422)
    assert "message" in error_of(client.post("/v1/chat", json={"text": "hi"}), 422)
    assert "nothing at" in error_of(client.get("/v1/nothing-here"), 404)
    assert error_of(client.post("/v1/knowledge-bases/default/search", json={"query": "x", "k": 0}), 422)


def test_knowledge_bases_list_create_rename_delete(live):
    _, _, client = live()
    names = [kb["name"] for kb in client.get("/v1/knowledge-bases").json()]
    assert names == ["My documents"]
    made = client.post("/v1/knowledge-bases", json={"name": "Contracts"})
    assert made.status_code == 201
    kb = made.json()
    assert client.get("/v1/knowledge-bases/Contracts").json()["id"] == kb["id"]  # by name or id
    assert "already" in error_of(client.post("/v1/knowledge-bases", json={"name": "contracts"}), 422)
    renamed = client.patch(f"/v1/knowledge-bases/{kb['id']}", json={"name": "Agreements"})
    assert renamed.json()["name"] == "Agreements"
    assert [k["name"] for k in client.get("/v1/knowledge-bases").json()] == ["My documents", "Agreements"]
    assert client.delete("/v1/knowledge-bases/Agreements").status_code == 204
    assert "no knowledge base" in error_of(client.get(f"/v1/knowledge-bases/{kb['id']}"), 404)
    assert "cannot be deleted" in error_of(client.delete("/v1/knowledge-bases/default"), 422)
    assert error_of(client.delete("/v1/knowledge-bases/nope"), 404)


def test_conversations_list_get_rename_export_delete(live):
    _, _, client = live()
    asked = client.post("/v1/chat", json={"message": "What was NVIDIA's revenue?"}).json()
    cid = asked["conversation_id"]
    listed = client.get("/v1/conversations").json()
    assert [c["id"] for c in listed] == [cid] and listed[0]["title"] == "What was NVIDIA's revenue?"
    got = client.get(f"/v1/conversations/{cid}").json()
    assert [(m["role"], m["content"]) for m in got["messages"]] == [
        ("user", "What was NVIDIA's revenue?"),
        ("assistant", "Revenue was $7,192 million [1]. It grew 53%."),
    ]
    assert got["messages"][1]["sources"][0]["file"] == "2023 Q1 NVDA.pdf"
    assert client.patch(f"/v1/conversations/{cid}", json={"title": "NVIDIA"}).json()["title"] == "NVIDIA"
    exported = client.get(f"/v1/conversations/{cid}/export")
    assert exported.headers["content-type"].startswith("text/markdown")
    assert exported.text.startswith("# NVIDIA") and "> [1] 2023 Q1 NVDA.pdf, p. 5" in exported.text
    assert client.delete(f"/v1/conversations/{cid}").status_code == 204
    for response in (
        client.get(f"/v1/conversations/{cid}"),
        client.get(f"/v1/conversations/{cid}/export"),
        client.patch(f"/v1/conversations/{cid}", json={"title": "x"}),
        client.delete(f"/v1/conversations/{cid}"),
    ):
        assert "no conversation" in error_of(response, 404)


def test_a_conversation_started_without_documents(live):
    _, _, client = live()
    made = client.post("/v1/conversations", json={"knowledge_base": ""})
    assert made.status_code == 201 and made.json()["knowledge_base"] == ""
    answer = client.post("/v1/chat", json={"message": "Hi", "conversation_id": made.json()["id"]}).json()
    assert answer["sources"] == [] and answer["conversation_id"] == made.json()["id"]
    assert error_of(client.post("/v1/conversations", json={"knowledge_base": "nope"}), 404)


def test_health_and_engines(live):
    _, assistant, client = live()
    assert client.get("/v1/health").json() == {"status": "ok"}
    engines = client.get("/v1/engines").json()
    assert engines["backend"] == "embedded"
    assert {m["key"] for m in engines["builtin"]} >= {"fast", "better"}
    assert engines["ollama"] == {"ok": False, "detail": "fake, not reachable", "models": []}


def test_a_bug_is_a_500_with_the_error_shape_and_no_stack_trace(live):
    from tests.api.sse import events
    from tests.fakes import FakeLLM

    server, assistant, client = live(embedded=FakeLLM("embedded", error=RuntimeError("a bug in an engine")))
    message = error_of(client.post("/v1/chat", json={"message": "Hi"}), 500)
    assert "a bug" not in message and "log says why" in message
    with client.stream("POST", "/v1/chat/stream", json={"message": "Hi"}) as r:
        received = list(events(r))
    assert received[-1][0] == "error" and "a bug" not in str(received)
    assert len(server.errors.records) >= 2  # each said in the server's log instead
