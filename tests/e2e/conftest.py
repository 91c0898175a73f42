"""Browser tests like Streamlit's own: a real `streamlit run` server and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

ARTIFACTS = ROOT / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """`streamlit run app.py` in a subprocess, on its own port and data dir; ``root``: the checkout
    to serve (benchmarks compare another one)."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, root: Path = ROOT):
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATA_DIR": str(data_dir),
            "HF_HUB_OFFLINE": "1",
            "OLLAMA_BASE_URL": f"http://127.0.0.1:{free_port()}",
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None
        self.log = data_dir / f"server-{self.port}.log"

    def start(self) -> AppServer:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(self.port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=self.root,
            env=self.env,
            stdout=open(self.log, "w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"app did not start: {self.log.read_text()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:  # busy in a native call (llama.cpp, ONNX Runtime)
                self.proc.kill()
                self.proc.wait(timeout=20)


@pytest.fixture
def app_server(tmp_path):
    servers: list[AppServer] = []

    def start(**env: str) -> AppServer:
        server = AppServer(tmp_path, env).start()
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()


@pytest.fixture(scope="session")
def playwright():
    """One Playwright driver for the whole session (a second sync instance in one thread fails)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run ./run.sh test (it installs Debian's chromium).")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    yield page
    context.close()


IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def wait_until_idle(page) -> None:
    """Wait until the script run is over (the attribute Streamlit's own e2e tests read) and no
    other starts within 0.4 s: a run that ends with st.rerun() is idle for a moment in between,
    longer on two busy cores (the model reads the next prompt ahead right after an answer)."""
    page.wait_for_timeout(300)
    for _ in range(20):
        page.wait_for_selector(IDLE, state="attached", timeout=120_000)
        page.wait_for_timeout(400)
        if page.locator(IDLE).count():
            return
    raise AssertionError("the page kept running scripts for 20 rounds")


def open_app(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid='stChatInput'] textarea")
    wait_until_idle(page)


def ask(page, text: str) -> None:
    page.fill("[data-testid='stChatInput'] textarea", text)
    page.keyboard.press("Enter")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
