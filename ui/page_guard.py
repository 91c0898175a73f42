"""What keeps the page private: a Content-Security-Policy, the browser's chat-owner cookie, and a
warning when the app can be reached from other computers without HTTPS.

Streamlit has no setting for response headers, so the policy is a ``<meta http-equiv>`` tag that a
trusted script (no user, document or model text in it) puts into the page's head as the first
element of every run. It stops the page from loading images, media, fonts or frames, or opening
connections, anywhere but the app itself, even if some text slipped past ``ui/safe_text.py``.
"""

from __future__ import annotations

import ipaddress
import json

import streamlit as st

from config.settings import Settings
from core.session_manager import OWNER_COOKIE, SessionManager
from ui.safe_text import inert_markdown

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "img-src 'self' data: blob:",
        "media-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' blob: data:",
        "frame-src 'self' blob: data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

_GUARD = """
<script>
(() => {
  if (!document.head.querySelector("meta[data-local-assistant-csp]")) {
    const meta = document.createElement("meta");
    meta.httpEquiv = "Content-Security-Policy";
    meta.content = __POLICY__;
    meta.setAttribute("data-local-assistant-csp", "");
    document.head.prepend(meta);
  }
  const owner = __OWNER__;
  if (owner) {
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `${__COOKIE__}=${owner}; Path=/; Max-Age=315360000; SameSite=Strict${secure}`;
  }
})();
</script>
<style>
  .st-key-page_guard, div:has(> .st-key-page_guard) { display: none; }
</style>
"""

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def guard_page(session: SessionManager) -> None:
    """Install the policy and, for a browser seen for the first time, its owner cookie."""
    script = (
        _GUARD.replace("__POLICY__", json.dumps(CONTENT_SECURITY_POLICY))
        .replace("__OWNER__", json.dumps(session.owner_cookie_to_set))
        .replace("__COOKIE__", json.dumps(OWNER_COOKIE))
    )
    with st.container(key="page_guard"):
        st.html(script, unsafe_allow_javascript=True)  # trusted template: constants and a hex id


def is_loopback(address: str) -> bool:
    address = address.strip().strip("[]")
    if address in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def render_exposure_warning(settings: Settings) -> None:
    """A banner when the app listens beyond this computer without HTTPS."""
    address = settings.exposed_address or str(st.get_option("server.address") or "")
    https = bool(st.get_option("server.sslCertFile"))
    if https or is_loopback(address):
        return
    shown = address or "all network interfaces"
    st.warning(
        f"This app is reachable from other computers ({shown}) without HTTPS: anyone on the "
        "network can read your chats and documents, and browsers there will not allow the "
        "microphone. Serve it over HTTPS behind a login (see the README, 'Using it from another "
        "device'), or bind it to 127.0.0.1.",
        icon=":material/warning:",
    )


def render_storage_problem(problem: str) -> None:
    """The banner for a database that could not be reached at start (the app works without it)."""
    if problem:
        st.warning(inert_markdown(problem), icon=":material/database:")
