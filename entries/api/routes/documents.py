"""Documents of a knowledge base: upload (a job to poll, or wait for each file's result), list,
get with their pages, re-index one, delete; and the upload jobs."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from core.ingest import Upload
from entries.api.auth import Assistant, Authorized
from entries.api.errors import ERRORS, ApiError, ErrorBody
from entries.api.jobs import Jobs, job_out
from entries.api.lookup import NamedDocument, NamedKnowledgeBase
from entries.api.schemas import DocumentOut, DocumentWithPages, JobOut, PageOut, ReindexDocumentIn
from errors import UserInputError

router = APIRouter(tags=["documents"], responses=ERRORS)
MAX_PARTS = 100
"""At most this many pages (sections, paragraphs) in one answer of GET .../documents/{doc_id}."""
MAX_PART_CHARS = 20_000
"""And each page's text cut at this many characters at the most."""


def _out(doc) -> DocumentOut:
    return DocumentOut(
        id=doc.id,
        name=doc.name,
        sha256=doc.sha256,
        size_bytes=doc.size_bytes,
        pages=doc.pages,
        unit=doc.unit,
        chunks=doc.chunks,
        empty_pages=list(doc.empty_pages),
        added_at=doc.added_at,
    )


def jobs_of(request: Request) -> Jobs:
    return request.app.state.jobs


@router.post(
    "/v1/knowledge-bases/{kb}/documents",
    response_model=JobOut,
    status_code=202,
    summary="Upload documents",
    responses={415: {"model": ErrorBody, "description": "a file of a kind the app does not read"}},
)
async def upload(
    found: NamedKnowledgeBase,
    request: Request,
    assistant: Assistant,
    caller: Authorized,
    files: Annotated[list[UploadFile], File(description="One or more files (PDF, docx, html, md, txt).")],
    password: Annotated[str, Form(description="Password of encrypted PDFs.")] = "",
    wait: Annotated[
        bool, Query(description="Answer when every file is in (200), not at once (202).")
    ] = False,
) -> JSONResponse:
    """Add files to the knowledge base. The answer is a job: poll ``GET /v1/jobs/{id}`` for each
    file's progress and result (pages, chunks, or why it could not be read), or pass ``wait=true``.
    The whole upload is refused, with nothing added, for a file of an unsupported kind (415), more
    files than ``MAX_FILES_PER_UPLOAD`` (413) or more than ``MAX_UPLOAD_MB`` in all (413)."""
    names = [Path(f.filename or "").name for f in files]
    try:
        assistant.library.validate_upload(len(files))
    except UserInputError as e:
        raise ApiError(413, str(e)) from e
    kinds = assistant.library.document_types()
    for name in names:
        if not name:
            raise ApiError(422, "Every file needs a file name (its kind is read from it).")
        if Path(name).suffix.lower().lstrip(".") not in kinds:
            raise ApiError(
                415,
                f"{name} is not a kind of file the knowledge base reads ({', '.join(kinds)}); "
                "nothing was added.",
            )
    if len(set(names)) != len(names):
        raise ApiError(422, "Two files have the same name; upload them separately.")
    folder = Path(tempfile.mkdtemp(prefix="api-upload-"))
    try:
        uploads = await run_in_threadpool(_save, files, names, folder, password)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    job = jobs_of(request).start(caller.owner, found.id, uploads, folder)
    if wait:
        await run_in_threadpool(job.finished.wait)
    return JSONResponse(job_out(job).model_dump(), status_code=200 if wait else 202)


def _save(files: list[UploadFile], names: list[str], folder: Path, password: str) -> list[Upload]:
    """Each upload into a file of its own (the ingest reads from a path, not from memory)."""
    uploads = []
    for index, (file, name) in enumerate(zip(files, names, strict=True)):
        path = folder / f"{index}{Path(name).suffix.lower()}"
        with path.open("wb") as out:
            file.file.seek(0)
            shutil.copyfileobj(file.file, out, 2**20)
        uploads.append(Upload(name, path=path, password=password))
    return uploads


@router.get("/v1/jobs/{job_id}", response_model=JobOut, summary="Progress of an upload or a re-index")
def get_job(job_id: str, request: Request, caller: Authorized) -> JobOut:
    job = jobs_of(request).get(job_id, caller.owner)
    if job is None:
        raise ApiError(404, f'There is no upload job "{job_id}".')
    return job_out(job)


@router.get("/v1/knowledge-bases/{kb}/documents", response_model=list[DocumentOut], summary="List documents")
def list_documents(found: NamedKnowledgeBase, assistant: Assistant) -> list[DocumentOut]:
    return [_out(d) for d in assistant.library.documents(found.id)]


@router.get(
    "/v1/knowledge-bases/{kb}/documents/{doc_id}",
    response_model=DocumentWithPages,
    summary="Get a document with its pages",
)
def get_document(
    found: NamedKnowledgeBase,
    doc: NamedDocument,
    assistant: Assistant,
    first: Annotated[int, Query(ge=1, description="The number of the first part to return.")] = 1,
    limit: Annotated[
        int, Query(ge=0, le=MAX_PARTS, description="How many parts at most (0: none, the counts only).")
    ] = 20,
    max_chars: Annotated[
        int, Query(ge=0, le=MAX_PART_CHARS, description="Each part's text is cut at this many characters.")
    ] = 4000,
) -> DocumentWithPages:
    """Its pages (or sections, or paragraphs: see ``unit``) with their text, a window of them at a
    time (``first``, ``limit``; ``next_first`` for the rest), chunks, size and when it was added."""
    parts = [
        PageOut(
            number=p.number,
            label=p.label,
            text=p.text[:max_chars],
            chars=len(p.text),
            truncated=len(p.text) > max_chars,
        )
        for p in (assistant.library.document_pages(doc.id, found.id, first, limit) if limit else [])
    ]
    last = parts[-1].number if parts else first - 1
    following = last + 1 if last < doc.pages else None
    return DocumentWithPages(**_out(doc).model_dump(), parts=parts, next_first=following)


@router.post(
    "/v1/knowledge-bases/{kb}/documents/{doc_id}/reindex",
    response_model=DocumentOut,
    summary="Re-index one document",
    responses={409: {"model": ErrorBody, "description": "its original file is not kept, or changed"}},
)
def reindex_document(
    found: NamedKnowledgeBase, doc: NamedDocument, assistant: Assistant, body: ReindexDocumentIn | None = None
) -> DocumentOut:
    """Read the document again from the original file kept when it was added (with today's
    readers, OCR and chunk settings), then re-chunk and re-embed it; its id stays. 409 when its
    original is not kept (it was added before originals were kept: upload it again, or re-index
    the whole knowledge base, which re-chunks the text already stored); 422 when it cannot be read
    now (an encrypted PDF: send its ``password``). The document is unchanged on any error."""
    password = body.password if body is not None else ""
    again = assistant.library.reindex_document(doc.id, found.id, password)
    if again is None:  # deleted meanwhile
        raise ApiError(404, f'There is no document "{doc.id}" in "{found.name}".')
    return _out(again)


@router.delete("/v1/knowledge-bases/{kb}/documents/{doc_id}", status_code=204, summary="Delete a document")
def delete_document(found: NamedKnowledgeBase, doc: NamedDocument, assistant: Assistant) -> Response:
    assistant.library.delete_document(doc.id, found.id)
    return Response(status_code=204)
