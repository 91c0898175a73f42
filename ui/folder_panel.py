"""Sidebar panel: the knowledge base follows a folder on this computer (kept in sync)."""

from __future__ import annotations

import time

import streamlit as st

from core.assistant import LocalAIAssistant
from core.session_manager import SessionManager
from errors import UserInputError
from ui.safe_text import escape_markdown, inert_markdown
from utils.words import counted


def render_folder(assistant: LocalAIAssistant, session: SessionManager, collection: str) -> None:
    folders = assistant.folders
    link = folders.link(collection)
    with st.expander("Follow a folder", expanded=link is not None):
        if link is None:
            _render_follow_form(assistant, session, collection)
            return
        st.caption(f":material/folder: Follows {escape_markdown(str(link.folder))}")
        if folders.syncing(collection):
            st.caption(":material/sync: Syncing now…")
        elif link.last_sync:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(link.last_sync))
            st.caption(f"Last sync {when}: {inert_markdown(link.last_report)}")
        if problem := folders.watch_problem(collection):
            st.warning(inert_markdown(problem), icon=":material/warning:")
        if st.button(
            "Sync now", key="sync_folder", icon=":material/sync:", disabled=folders.syncing(collection)
        ):
            folders.sync(collection, session.owner)
            st.rerun()  # the whole page: the sync's row appears and its timer starts
        remove = st.checkbox("Also remove the documents it added", key=f"unfollow_remove_{collection}")
        if st.button("Stop following", key="unfollow_folder", icon=":material/link_off:"):
            try:
                removed = folders.unfollow(collection, remove)
            except UserInputError as e:
                st.error(inert_markdown(str(e)))
            else:
                session.set(
                    "kb_notice", f"Stopped following the folder; {counted(removed, 'document')} removed."
                )
                st.rerun()


def _render_follow_form(assistant: LocalAIAssistant, session: SessionManager, collection: str) -> None:
    with st.form(f"follow_folder_{collection}", clear_on_submit=True, border=False):
        folder = st.text_input(
            "Folder on this computer",
            placeholder="/home/you/Documents/Reports",
            help="Its documents are added, and kept in step while the app runs: new files are added, "
            "changed ones read again, deleted ones removed.",
        )
        if not st.form_submit_button("Follow this folder", icon=":material/create_new_folder:"):
            return
    try:
        assistant.folders.follow(collection, folder)
    except UserInputError as e:
        st.error(inert_markdown(str(e)))
        return
    assistant.folders.sync(collection, session.owner)
    st.rerun()
