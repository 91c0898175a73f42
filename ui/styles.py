"""Page styles. Static CSS only: no user, document or model text ever goes through here."""

from __future__ import annotations

import streamlit as st

_CSS = """
<style>
  [data-testid="stSidebar"] [data-testid="stButton"] button { justify-content: flex-start; text-align: left; }
  .block-container { padding-top: 2rem; max-width: 900px; }
</style>
"""


def apply_styles() -> None:
    st.html(_CSS)
