"""Sidebar section for the knowledge base: upload documents, see progress, list and delete them."""

from __future__ import annotations

import time

import streamlit as st

from core.assistant import LocalAIAssistant
from core.events import IngestProgress, IngestResult
from core.ingest import Upload
from core.session_manager import NO_KNOWLEDGE_BASE, SessionManager
from errors import UserInputError
from ui.safe_text import escape_markdown, inert_markdown


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
    with st.form("upload_pdfs", clear_on_submit=True, border=False):
        files = st.file_uploader(
            "Add documents",
            type=assistant.library.document_types(),
            accept_multiple_files=True,
            help="PDFs (scanned pages are read by OCR), Word, web pages, Markdown and text files.",
        )
        submitted = st.form_submit_button("Add to knowledge base", icon=":material/upload_file:")
    if submitted and files:
        try:
            assistant.library.validate_upload(len(files))
        except UserInputError as e:
            st.error(str(e))
        else:
            _ingest(assistant, session, [Upload(f.name, data=f.getvalue()) for f in files], collection)
    else:
        if submitted:  # pressed before any file finished uploading: say so rather than do nothing
            st.warning("Choose one or more files first, and wait until they are listed under Upload.")
        _render_last_results(session)  # what the last upload did, until the next one
    _render_password_requests(assistant, session, collection)
    _render_document_list(assistant, collection)


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
    sure = st.checkbox(f"Yes, delete {escape_markdown(name)} and all its documents", key=f"sure_{chosen}")
    if st.button("Delete this knowledge base", icon=":material/delete:", disabled=not sure, key="delete_kb"):
        assistant.library.delete(chosen)
        session.set("pending_collection", assistant.library.knowledge_bases()[0].id)
        st.rerun()


def _remember_for_chat(assistant: LocalAIAssistant, session: SessionManager) -> None:
    if session.conversation_id:
        assistant.chats.set_knowledge_base(session.conversation_id, session.collection)


def _ingest(
    assistant: LocalAIAssistant, session: SessionManager, uploads: list[Upload], collection: str
) -> None:
    results: list[IngestResult] = []
    with st.status(f"Adding {len(uploads)} file(s)…", expanded=True) as status:
        bar = st.progress(0.0)
        for event in assistant.library.ingest(uploads, collection):
            if isinstance(event, IngestProgress):
                verb = {"reading": "Reading page", "ocr": "OCR page"}.get(event.stage, "Embedding chunk")
                bar.progress(
                    event.done / max(event.total, 1),
                    text=f"{escape_markdown(event.file)}: {verb} {event.done} of {event.total}",
                )
            else:
                results.append(event)
                (st.success if event.ok else st.error)(inert_markdown(event.message))
        bar.empty()
        failed = sum(not r.ok for r in results)
        label = f"Added {len(results) - failed} of {len(results)} file(s)"
        status.update(label=label, state="error" if failed else "complete", expanded=bool(failed))
    session.set("ingest_results", [(r.ok, r.message) for r in results])
    session.set("ingest_summary", label)
    waiting = {u.name: u for u in uploads}
    session.set(
        "password_needed",
        {r.file: waiting[r.file].data for r in results if r.needs_password and waiting[r.file].data},
    )


def _render_password_requests(assistant: LocalAIAssistant, session: SessionManager, collection: str) -> None:
    needed: dict[str, bytes] = session.get("password_needed")
    for name, data in list(needed.items()):
        with st.form(f"password_{name}", border=True):
            st.caption(f":material/lock: {escape_markdown(name)} is password-protected.")
            password = st.text_input("Password", type="password", key=f"pw_{name}")
            if st.form_submit_button("Unlock and add"):
                remaining = dict(needed)
                remaining.pop(name)
                session.set("password_needed", remaining)
                _ingest(assistant, session, [Upload(name, data=data, password=password)], collection)
                st.rerun()


def _render_last_results(session: SessionManager) -> None:
    results = session.get("ingest_results")
    if not results:
        return
    with st.expander(session.get("ingest_summary"), expanded=not all(ok for ok, _ in results)):
        for ok, message in results:
            st.caption(f":material/{'check_circle' if ok else 'error'}: {inert_markdown(message)}")


def _render_document_list(assistant: LocalAIAssistant, collection: str) -> None:
    docs = assistant.library.documents(collection)
    if not docs:
        st.caption("No documents yet. Add some to ask questions about them.")
        return
    st.caption(f"{len(docs)} document(s), {sum(d.chunks for d in docs):,} passages")
    for doc in docs:
        with st.expander(escape_markdown(doc.name)):
            added = time.strftime("%Y-%m-%d %H:%M", time.localtime(doc.added_at))
            st.caption(
                f"{doc.pages} {doc.unit}s · {doc.chunks} chunks · {doc.size_bytes / 2**20:.1f} MB · "
                f"added {added}"
            )
            if doc.empty_pages:
                st.caption(f"Pages without text: {', '.join(map(str, doc.empty_pages[:20]))}")
            if st.button("Remove", key=f"del_doc_{doc.id}", icon=":material/delete:"):
                assistant.library.delete_document(doc.id, collection)
                st.rerun()
    if st.button("Re-index all", key="reindex", help="Re-chunk and re-embed after changing chunk settings."):
        with st.spinner("Re-indexing…"):
            count = assistant.library.reindex(collection)
        st.success(f"Re-indexed: {count:,} passages.")
