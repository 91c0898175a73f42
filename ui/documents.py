"""Sidebar section for the knowledge base: upload documents, see progress, list and delete them."""

from __future__ import annotations

import time

import streamlit as st

from core.assistant import LocalAIAssistant
from core.ingest import Upload
from core.session_manager import NO_KNOWLEDGE_BASE, SessionManager
from errors import AssistantError, UserInputError
from ui.folder_panel import render_folder
from ui.safe_text import escape_markdown, inert_markdown
from utils.words import counted


def render_documents(assistant: LocalAIAssistant, session: SessionManager) -> None:
    st.subheader("Documents")
    collection = _render_knowledge_base_choice(assistant, session)
    st.toggle(
        "Use my documents", key="use_documents", help="Ground answers in the documents below, with citations."
    )
    st.toggle(
        "Answer only from documents",
        key="documents_only",
        help='Reply "I don\'t know" when nothing relevant is found in your documents.',
    )
    if collection == NO_KNOWLEDGE_BASE:
        st.caption("This chat answers without documents. Choose a knowledge base to add some.")
        return
    try:
        docs = assistant.library.documents(collection)  # its store can be read (a database may be down)
    except AssistantError as e:
        st.error(inert_markdown(str(e)), icon=":material/database:")
        return
    _render_upload(assistant, session, collection)
    render_folder(assistant, session, collection)
    _render_jobs(assistant, session, collection)
    _render_document_list(assistant, session, collection, docs)


def _render_upload(assistant: LocalAIAssistant, session: SessionManager, collection: str) -> None:
    """The upload form. Pressing Add starts a background job and returns: the chat stays usable."""
    with st.form("upload_pdfs", clear_on_submit=True, border=False):
        files = st.file_uploader(
            "Add documents",
            accept_multiple_files=True,
            help="Scanned PDF pages are read by OCR. Other kinds of file are refused, with the reason.",
        )
        st.caption(f"Reads {assistant.library.supported_kinds()}.")
        submitted = st.form_submit_button("Add to knowledge base", icon=":material/upload_file:")
    if not submitted:
        return
    if not files:  # pressed before any file was chosen, or before the chosen ones finished uploading
        st.warning("Choose one or more files first; each is listed under the box once it is uploaded.")
        return
    try:
        assistant.library.validate_upload(len(files))
    except UserInputError as e:
        st.error(str(e))
        return
    uploads = [Upload(f.name, data=f.getvalue()) for f in files]
    assistant.ingest_jobs.start(collection, uploads, session.owner)


def _render_jobs(assistant: LocalAIAssistant, session: SessionManager, collection: str) -> None:
    """A row per upload of this knowledge base until it is dismissed (also after a reload), redrawn
    each second while one of them runs; a notice when one finishes."""
    names = {kb.id: kb.name for kb in assistant.library.knowledge_bases()}
    for job in assistant.ingest_jobs.unnoticed(session.owner):
        where = escape_markdown(names.get(job.knowledge_base, "a deleted knowledge base"))
        icon = ":material/error:" if job.failed else ":material/check_circle:"
        st.toast(f"{where}: {escape_markdown(job.summary)}", icon=icon)
    running = assistant.ingest_jobs.running(session.owner)
    st.fragment(_render_job_rows, run_every=1.0 if running else None)(assistant, session, collection, running)


def _render_job_rows(
    assistant: LocalAIAssistant, session: SessionManager, collection: str, was_running: bool
) -> None:
    if was_running and not assistant.ingest_jobs.running(session.owner):
        st.rerun()  # one finished: redraw the whole page (document list, notice, no more timer)
    for job in assistant.ingest_jobs.of(collection, session.owner):
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(job.summary)}**")
            for file in job.files:
                if file.state in ("reading", "ocr", "embedding"):
                    text = f"{escape_markdown(file.name)}: {escape_markdown(file.status)}"
                    st.progress(file.done / max(file.total, 1), text=text)
                elif file.state == "queued":
                    st.caption(f":material/hourglass_top: {escape_markdown(file.name)}: waiting")
                else:
                    icon = {"done": "check_circle", "skipped": "info", "failed": "error"}[file.state]
                    st.caption(f":material/{icon}: {inert_markdown(file.status)}")
            for name in list(job.locked):
                _render_password_request(assistant, session, job.id, name)
            if job.finished.is_set():
                st.button(
                    "Dismiss",
                    key=f"dismiss_{job.id}",
                    on_click=assistant.ingest_jobs.dismiss,
                    args=(job.id, session.owner),
                )


def _render_password_request(
    assistant: LocalAIAssistant, session: SessionManager, job_id: str, name: str
) -> None:
    with st.form(f"password_{job_id}_{name}", border=False):
        st.caption(f":material/lock: {escape_markdown(name)} is password-protected.")
        password = st.text_input("Password", type="password", key=f"pw_{job_id}_{name}")
        if st.form_submit_button("Unlock and add"):
            assistant.ingest_jobs.unlock(job_id, name, password, session.owner)
            st.rerun()  # the whole page: its timer starts again for the new job


def _render_knowledge_base_choice(assistant: LocalAIAssistant, session: SessionManager) -> str:
    """Which knowledge base this chat answers from (remembered with the chat), and managing them."""
    bases = assistant.library.knowledge_bases()
    names = {kb.id: kb.name for kb in bases} | {NO_KNOWLEDGE_BASE: "None: answer without documents"}
    if session.get("pending_collection"):  # just created or deleted: select it before the widget exists
        session.set("collection", session.get("pending_collection"))
        session.set("pending_collection", "")
        _remember_for_chat(assistant, session)
    if session.get("collection") not in names:
        session.set("collection", bases[0].id)
    st.selectbox(
        "Knowledge base",
        list(names),
        format_func=names.get,
        key="collection",
        on_change=_remember_for_chat,
        args=(assistant, session),
        help="Each chat answers from one knowledge base; documents belong to one of them.",
    )
    chosen = session.get("collection")
    if session.get("kb_notice"):  # what the last create or delete did, said once
        st.toast(escape_markdown(session.get("kb_notice")), icon=":material/info:")
        session.set("kb_notice", "")
    with st.expander("Manage knowledge bases"):
        with st.form("new_knowledge_base", clear_on_submit=True, border=False):
            name = st.text_input("New knowledge base", placeholder="e.g. Contracts")
            if st.form_submit_button("Create", icon=":material/add:") and name.strip():
                try:
                    created = assistant.library.create(name)
                except UserInputError as e:
                    st.error(inert_markdown(str(e)))
                else:
                    session.set("pending_collection", created.id)
                    session.set("kb_notice", f"Created {created.name}: this chat now answers from it.")
                    st.rerun()
        if chosen != NO_KNOWLEDGE_BASE:
            _render_rename_delete(assistant, session, chosen, names[chosen])
    return chosen


def _render_rename_delete(
    assistant: LocalAIAssistant, session: SessionManager, chosen: str, name: str
) -> None:
    new_name = st.text_input("Rename", value=name, key=f"rename_kb_{chosen}")
    if new_name.strip() and new_name != name:
        try:
            assistant.library.rename(chosen, new_name)
        except UserInputError as e:
            st.error(inert_markdown(str(e)))
        else:
            st.rerun()
    if chosen == assistant.library.knowledge_bases()[0].id:
        return  # the first one stays (it is where earlier releases kept their documents)
    chats = assistant.chats.using(chosen, session.owner)
    if chats:
        titles = ", ".join(f"“{escape_markdown(c.title)}”" for c in chats[:5])
        more = f" and {len(chats) - 5} more" if len(chats) > 5 else ""
        st.caption(
            f"Used by {counted(len(chats), 'chat')} ({titles}{more}): once it is deleted, "
            "they answer without documents."
        )
    sure = st.checkbox(f"Yes, delete {escape_markdown(name)} and all its documents", key=f"sure_{chosen}")
    if st.button("Delete this knowledge base", icon=":material/delete:", disabled=not sure, key="delete_kb"):
        assistant.library.delete(chosen)
        verb = "answers" if len(chats) == 1 else "answer"
        moved = f" {counted(len(chats), 'chat')} now {verb} without documents." if chats else ""
        session.set("kb_notice", f"Deleted {name}.{moved}")
        session.set("pending_collection", NO_KNOWLEDGE_BASE)
        st.rerun()


def _remember_for_chat(assistant: LocalAIAssistant, session: SessionManager) -> None:
    if session.conversation_id:
        assistant.chats.set_knowledge_base(session.conversation_id, session.collection)


def _render_document_list(
    assistant: LocalAIAssistant, session: SessionManager, collection: str, docs: list
) -> None:
    if not docs:
        st.caption("No documents yet. Add some to ask questions about them.")
        st.caption(escape_markdown(assistant.library.stored_where()))
        return
    st.caption(f"{counted(len(docs), 'document')}, {counted(sum(d.chunks for d in docs), 'passage')}")
    st.caption(escape_markdown(assistant.library.stored_where()))
    for doc in docs:
        with st.expander(escape_markdown(doc.name)):
            added = time.strftime("%Y-%m-%d %H:%M", time.localtime(doc.added_at))
            st.caption(
                f"{counted(doc.pages, doc.unit)} · {counted(doc.chunks, 'passage')} · "
                f"{doc.size_bytes / 2**20:.1f} MB · added {added}"
            )
            if doc.empty_pages:
                st.caption(f"Pages without text: {', '.join(map(str, doc.empty_pages[:20]))}")
            if st.button("Remove", key=f"del_doc_{doc.id}", icon=":material/delete:"):
                assistant.library.delete_document(doc.id, collection)
                st.rerun()
    busy = assistant.ingest_jobs.reindexing(collection)
    if st.button(
        "Re-index all",
        key="reindex",
        disabled=busy,
        help="Re-chunk and re-embed every document after changing chunk settings. It runs in the "
        "background; the documents are searched as before until each one is done.",
    ):
        assistant.ingest_jobs.reindex(collection, session.owner)
        st.rerun()  # the whole page: its row appears and its timer starts
