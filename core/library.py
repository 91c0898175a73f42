"""Knowledge bases and their documents: create, rename, delete, add files, remove, re-index,
search. Each knowledge base is opened on first use and kept open for the process."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from config.settings import Settings
from core.events import IngestProgress, IngestResult
from core.ingest import DocumentStore, Upload, ingest, read_again, reindex
from core.options import AskOptions
from errors import OriginalMissing, StorageError, UserInputError
from storage.collections import DEFAULT, Collection, CollectionStore, KnowledgeBaseList
from storage.conversations import Conversations
from storage.originals import Originals
from utils.citations import location
from utils.files import file_sha256


class Retriever(DocumentStore, Protocol):
    """What the orchestrator needs from a knowledge base (ingesting included)."""

    def is_empty(self) -> bool: ...

    def search(self, query: str, k: int) -> list[Any]: ...

    def embed(self, texts: list[str]) -> Any: ...

    def documents(self) -> list[Any]: ...

    def delete_document(self, doc_id: str) -> None: ...

    def reindex(self) -> int: ...

    def rechunk(self, doc_id: str, progress: Callable[[int, int], None] | None = None) -> int | None: ...

    def replace_document(self, doc_id: str, document: Any) -> Any | None: ...

    def pages(self, doc_id: str, first: int = 1, count: int | None = None) -> list[tuple[int, str]]: ...

    def destroy(self) -> None: ...


def open_at(settings: Settings, directory: str | Path) -> Retriever:
    """The knowledge base kept in ``directory`` (not one of the app's own: ``cli.py --kb DIR``)."""
    from retrieval.knowledge_base import open_knowledge_base

    return open_knowledge_base(settings, directory)


def collection_store(settings: Settings) -> KnowledgeBaseList:
    """The app's list of knowledge bases: in PostgreSQL when ``settings.database_url`` is set,
    else in SQLite under ``settings.data_dir`` (their folders under ``settings.data_dir`` either way)."""
    if settings.database_url:
        from storage.postgres.collections import PostgresCollectionStore

        return PostgresCollectionStore(settings.database_url, Path(settings.data_dir), settings.kb_dir)
    return CollectionStore(Path(settings.data_dir), settings.kb_dir)


@dataclass(frozen=True)
class Page:
    """One stored page (or section, paragraph) of a document: its number, where ("p. 5",
    "section 3"), and its text as it was read."""

    number: int
    label: str
    text: str


class Library:
    """The knowledge bases ("My documents" first) and what is in them."""

    def __init__(
        self, settings: Settings, conversations: Conversations, knowledge_base: Retriever | None = None
    ):
        self.settings = settings
        self._conversations = conversations
        self._open: dict[str, Retriever] = {DEFAULT: knowledge_base} if knowledge_base else {}
        self._lock = threading.Lock()  # the warm-up and the first page open one at once
        self._collections: KnowledgeBaseList | None = None

    @property
    def collections(self) -> KnowledgeBaseList:
        """The knowledge bases' names and folders (created on first use)."""
        if self._collections is None:
            try:
                self._collections = collection_store(self.settings)
            except StorageError:  # the database is down: the list on this computer, its
                local = replace(self.settings, database_url="")  # documents unreadable (documents_for)
                self._collections = collection_store(local)
        return self._collections

    @property
    def knowledge_base(self) -> Retriever:
        """The first knowledge base ("My documents", DATA_DIR/kb), opened on first use."""
        return self.knowledge_base_for(DEFAULT)

    def knowledge_base_for(self, collection: str) -> Retriever:
        """The knowledge base ``collection``, opened on first use (the embedder loads later still)."""
        with self._lock:
            if collection not in self._open:
                if collection != DEFAULT and self.collections.get(collection) is None:
                    raise UserInputError("That knowledge base no longer exists; choose another one.")
                from retrieval.knowledge_base import open_knowledge_base

                directory = self.collections.directory(collection)
                self._open[collection] = open_knowledge_base(self.settings, directory)
            return self._open[collection]

    def asked(self, options: AskOptions) -> Retriever | None:
        """The knowledge base a question is answered from, or None (documents off, none chosen,
        or the chosen one was deleted)."""
        if not options.use_documents or not options.collection:
            return None
        try:
            return self.knowledge_base_for(options.collection)
        except (UserInputError, StorageError):  # StorageError: see ``documents_for``
            return None

    def with_documents(self, options: AskOptions) -> Retriever | None:
        """The knowledge base a question is answered from when it holds documents, else None."""
        return self.documents_for(options)[0]

    def documents_for(self, options: AskOptions) -> tuple[Retriever | None, str]:
        """``with_documents``, and why the chosen knowledge base cannot be read now (its database
        is unreachable, say), or "" when it can, or none is chosen."""
        if not options.use_documents or not options.collection:
            return None, ""
        try:
            kb = self.knowledge_base_for(options.collection)
            return (None if kb.is_empty() else kb), ""
        except UserInputError:  # deleted meanwhile
            return None, ""
        except StorageError as e:
            return None, str(e)
        try:
            self.knowledge_base_for(options.collection).is_empty()
        except StorageError as e:
            return str(e)
        except UserInputError:
            return ""
        return ""

    def stored_where(self) -> str:
        """Which store keeps the documents and chats, for the sidebar (never the password)."""
        url = self.settings.database_url
        if url:
            from storage.postgres.connection import where

            return f"Stored in PostgreSQL: {where(url)}"
        return f"Stored on this computer in SQLite, under {self.settings.data_dir}"

    # --- knowledge bases --------------------------------------------------------------
    def knowledge_bases(self) -> list[Collection]:
        return self.collections.list()

    def find(self, name_or_id: str) -> Collection | None:
        """The knowledge base with this id, else the one with this name (case does not matter)."""
        return self.collections.get(name_or_id) or self.collections.find(name_or_id)

    def create(self, name: str) -> Collection:
        return self.collections.create(name)

    def exists(self, collection: str) -> bool:
        return self.collections.get(collection) is not None

    def rename(self, collection: str, name: str) -> None:
        self.collections.rename(collection, name)

    def delete(self, collection: str) -> None:
        """Delete it with all its documents (its store destroyed: the SQLite file, or the
        PostgreSQL schema, then its folder); chats that used it now use none."""
        if collection != DEFAULT and self.collections.get(collection) is not None:
            self.knowledge_base_for(collection).destroy()
        self.collections.delete(collection)
        self._open.pop(collection, None)
        self._conversations.forget_collection(collection)

    # --- documents --------------------------------------------------------------------
    def documents(self, collection: str = DEFAULT) -> list[Any]:
        return self.knowledge_base_for(collection).documents()

    def document(self, doc_id: str, collection: str = DEFAULT) -> Any | None:
        """The document ``doc_id`` of a knowledge base (pages, unit, chunks ...), or None."""
        return next((d for d in self.documents(collection) if d.id == doc_id), None)

    def document_pages(
        self, doc_id: str, collection: str = DEFAULT, first: int = 1, count: int | None = None
    ) -> list[Page]:
        """The document's pages (or sections, paragraphs) from number ``first`` on, ``count`` at
        most; [] for a document that is not there."""
        doc = self.document(doc_id, collection)
        if doc is None:
            return []
        rows = self.knowledge_base_for(collection).pages(doc_id, first, count)
        return [Page(number, location(doc.unit, number, number), text) for number, text in rows]

    @staticmethod
    def document_types() -> list[str]:
        """File extensions the knowledge base reads (pdf, docx, html, md, txt ...)."""
        from documents.document_reader import SUPPORTED

        return [suffix.lstrip(".") for suffix in SUPPORTED]

    @staticmethod
    def supported_kinds() -> str:
        """The kinds of file read, in words with their extensions."""
        from documents.document_reader import supported_kinds

        return supported_kinds()

    @staticmethod
    def refusal(name: str) -> str | None:
        """Why a file called ``name`` would not be added (its kind is not read), or None."""
        from documents.document_reader import refusal

        return refusal(name)

    def validate_upload(self, count: int) -> None:
        """UserInputError when one upload holds more files than the app adds at once."""
        limit = self.settings.max_files_per_upload
        if count > limit:
            raise UserInputError(
                f"You chose {count} files; at most {limit} are added at once. "
                "Add them in smaller groups (nothing was added)."
            )

    def ingest(
        self, uploads: list[Upload], collection: str = DEFAULT
    ) -> Iterator[IngestProgress | IngestResult]:
        """Add documents, yielding progress per page and chunk batch, then one result per file."""
        kb = self.knowledge_base_for(collection)
        return ingest(kb, uploads, self.settings, self._originals(collection))

    def delete_document(self, doc_id: str, collection: str = DEFAULT) -> None:
        self.knowledge_base_for(collection).delete_document(doc_id)
        originals = self._originals(collection)
        if originals is not None:
            originals.delete(doc_id)

    def page_picture(self, source: dict[str, Any], collection: str = DEFAULT) -> bytes | None:
        """A PNG of the PDF page a source ([n]) cites, its likely answer lines and the rows a
        computed figure took highlighted; None for a source that is not a PDF page, or a PDF
        added before its original was kept."""
        from documents.page_images import page_picture

        originals = self._originals(collection)
        if originals is None or source.get("unit", "page") != "page" or not source.get("doc_id"):
            return None
        pdf = originals.path(source["doc_id"])
        if pdf is None:
            return None
        lines = list(source.get("answer_lines") or ()) + list(source.get("operand_lines") or ())
        return page_picture(pdf, int(source["page_start"]), lines, originals.pictures)

    def _originals(self, collection: str) -> Originals | None:
        directory = getattr(self.knowledge_base_for(collection), "directory", None)
        return Originals(directory) if directory is not None else None

    def reindex(self, collection: str = DEFAULT) -> int:
        """Re-chunk and re-embed every document from its stored text; the chunk count."""
        return self.knowledge_base_for(collection).reindex()

    def reindexing(
        self, documents: list[tuple[str, str]], collection: str = DEFAULT
    ) -> Iterator[IngestProgress | IngestResult]:
        """Re-chunk and re-embed the ``(doc_id, name)`` documents from their stored text, one at a
        time, with progress and a result for each (as ``ingest`` does)."""
        return reindex(self.knowledge_base_for(collection), documents)

    def reindex_document(self, doc_id: str, collection: str = DEFAULT, password: str = "") -> Any | None:
        """Read one document again from its kept original (with today's readers, OCR and
        settings), then re-chunk and re-embed it; None when there is no such document.
        OriginalMissing when its original is not kept or no longer matches it; DocumentError
        (PasswordRequired ...) when it cannot be read; the document is unchanged then."""
        doc = self.document(doc_id, collection)
        if doc is None:
            return None
        originals = self._originals(collection)
        original = originals.original(doc_id) if originals is not None else None
        if original is None:
            raise OriginalMissing(
                f"The original file of {doc.name} is not kept (it was added before originals were "
                "kept, or the file was removed), so it cannot be read again: upload it again, or "
                "re-index the whole knowledge base (which re-chunks the text already stored)."
            )
        if file_sha256(original) != doc.sha256:
            raise OriginalMissing(
                f"The kept original of {doc.name} is no longer the file that was added (it changed "
                "on disk); upload the file again."
            )
        extracted = read_again(original, doc.name, self.settings, password)
        return self.knowledge_base_for(collection).replace_document(doc_id, extracted)

    def search(self, query: str, k: int | None = None, collection: str = DEFAULT) -> list[Any]:
        return self.knowledge_base_for(collection).search(query, k or self.settings.top_k)

    def evaluate(self, qa_file: str | Path, k: int, collection: str = DEFAULT) -> Any:
        """hit@k and MRR of this knowledge base's search on a QA file (retrieval.evaluation)."""
        from retrieval.evaluation import evaluate, load_qa

        return evaluate(load_qa(qa_file), lambda q: self.search(q, k, collection), k)
