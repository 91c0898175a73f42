"""API keys against a real server: required off loopback (the server will not start there
without one), optional on loopback by a setting, a missing, wrong or revoked key is 401, a key
limited to knowledge bases gets 403 elsewhere, and each key sees only its own chats."""

from __future__ import annotations

import os
import subprocess
import sys

from config.settings import Settings
from entries.api.server import is_loopback, keys_required
from tests.api.test_api_resources import error_of
from tests.conftest import ROOT


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_with_keys_required_a_missing_wrong_or_revoked_key_is_401(live):
    _, assistant, client = live(require_keys=True)
    key, _ = assistant.api_keys.create("editor")
    assert client.get("/v1/health").status_code == 200  # says only that it is up
    for path in ("/v1/knowledge-bases", "/v1/conversations", "/v1/models", "/v1/engines"):
        r = client.get(path)
        assert "needs a key" in error_of(r, 401) and r.headers["www-authenticate"] == "Bearer"
    assert "not valid" in error_of(client.get("/v1/models", headers=bearer("la-" + "x" * 43)), 401)
    assert error_of(client.get("/v1/models", headers={"Authorization": "Basic dXNlcjpwdw=="}), 401)
    assert error_of(client.post("/v1/chat", json={"message": "hi"}), 401)
    assert client.get("/v1/models", headers=bearer(key)).status_code == 200
    assistant.api_keys.revoke("editor")
    assert "not valid" in error_of(client.get("/v1/models", headers=bearer(key)), 401)


def test_on_loopback_keys_are_optional_but_a_wrong_one_is_still_refused(live):
    _, assistant, client = live()
    assert client.get("/v1/knowledge-bases").status_code == 200
    assert error_of(client.get("/v1/knowledge-bases", headers=bearer("la-wrong")), 401)


def test_a_key_limited_to_a_knowledge_base(live):
    _, assistant, client = live()
    contracts = assistant.library.create("Contracts")
    assistant.library.create("Private")
    key, _ = assistant.api_keys.create("lawyer", ["Contracts"])
    auth = bearer(key)
    assert [kb["name"] for kb in client.get("/v1/knowledge-bases", headers=auth).json()] == ["Contracts"]
    models = [m["id"] for m in client.get("/v1/models", headers=auth).json()["data"]]
    assert models == ["local", "kb/Contracts"]
    assert "may not use" in error_of(client.get("/v1/knowledge-bases/Private/documents", headers=auth), 403)
    assert error_of(client.post("/v1/knowledge-bases/default/search", json={"query": "x"}, headers=auth), 403)
    assert error_of(
        client.post("/v1/chat", json={"message": "hi", "knowledge_base": "Private"}, headers=auth), 403
    )
    r = client.post(
        "/v1/chat/completions",
        json={"model": "kb/Private", "messages": [{"role": "user", "content": "hi"}]},
        headers=auth,
    )
    assert error_of(r, 403)
    assert error_of(client.post("/v1/knowledge-bases", json={"name": "Mine"}, headers=auth), 403)
    assert error_of(client.delete("/v1/knowledge-bases/Private", headers=auth), 403)
    # its own knowledge base it may use; a chat without one defaults to it
    assert client.get("/v1/knowledge-bases/Contracts/documents", headers=auth).status_code == 200
    chat = client.post("/v1/chat", json={"message": "hi"}, headers=auth).json()
    assert assistant.chats.get(chat["conversation_id"]).collection == contracts.id


def test_each_key_sees_only_its_own_conversations(live):
    _, assistant, client = live()
    a, _ = assistant.api_keys.create("a")
    b, _ = assistant.api_keys.create("b")
    mine = client.post("/v1/chat", json={"message": "from a"}, headers=bearer(a)).json()["conversation_id"]
    theirs = client.post("/v1/chat", json={"message": "from b"}, headers=bearer(b)).json()["conversation_id"]
    assert [c["id"] for c in client.get("/v1/conversations", headers=bearer(a)).json()] == [mine]
    assert [c["id"] for c in client.get("/v1/conversations", headers=bearer(b)).json()] == [theirs]
    assert error_of(client.get(f"/v1/conversations/{theirs}", headers=bearer(a)), 404)
    assert error_of(client.delete(f"/v1/conversations/{theirs}", headers=bearer(a)), 404)
    r = client.post("/v1/chat", json={"message": "hi", "conversation_id": theirs}, headers=bearer(a))
    assert error_of(r, 404)
    assert client.get("/v1/conversations").json() == []  # without a key: neither
    assert len(assistant.chats.messages(theirs)) == 2


def test_keys_are_required_off_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
    settings = Settings()
    assert not keys_required(settings, "127.0.0.1") and keys_required(settings, "0.0.0.0")
    assert keys_required(Settings(api_require_keys=True), "127.0.0.1")


def test_the_server_refuses_to_start_open_to_the_network_without_a_key(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1"}
    run = [sys.executable, "-m", "entries.api", "--host", "0.0.0.0", "--port", "1"]
    out = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "api-key create" in out.stderr and "Traceback" not in out.stderr
    required = subprocess.run(
        run[:3] + ["--port", "1"],
        cwd=ROOT,
        env={**env, "API_REQUIRE_KEYS": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert required.returncode == 2 and "API_REQUIRE_KEYS" in required.stderr
