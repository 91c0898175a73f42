"""E-mails (.eml, the standard ``email`` package with its modern policy) as one document: the
first unit is the message (From, To, Cc, Date, Subject, then the text body, or the HTML body read
by the app's web-page reader when there is no plain text), cited "section 1"; then each attachment
of a kind the app reads (a PDF, a Word file, a table, another e-mail, a zip archive ...) as units
of its own, headed by its name ("budget.xlsx, sheet 2:"). An attachment that is not read (a
picture) or cannot be read (damaged, locked) is named in a closing unit with the reason; the rest
of the message is still read. ``mail_sections`` is shared with Outlook messages
(documents/outlook_formats.py).
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from documents.embedded_units import READER_FAILURES, labelled_units
from documents.text_formats import Sections, read_html
from errors import DocumentError

MAX_ATTACHMENTS = 200
_PICTURES = (".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".heic", ".svg")
_HEADERS = ("From", "To", "Cc", "Date", "Subject")


@dataclass
class Attachment:
    name: str
    data: bytes | None  # None: it could not be decoded
    content_type: str = ""


@dataclass
class Mail:
    headers: list[tuple[str, str]]
    text: str = ""
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what is left out, said in the closing unit


def read_eml(data: bytes, name: str, read_member: Callable[[bytes, str], Sections]) -> Sections:
    """An e-mail's headers, body and readable attachments."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not any(message.get(h) for h in (*_HEADERS, "Message-ID")):
        raise DocumentError(f"{name} is not an e-mail (it has no From, To, Date or Subject line).")
    headers = [(h, _header(message, h)) for h in _HEADERS]
    mail = Mail([(h, v) for h, v in headers if v])
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    mail.text = _content(plain) if plain is not None else ""
    mail.html = _content(html) if html is not None else ""
    pictures = 0
    for part in _leaves(message):
        if part is plain or part is html:
            continue
        named = part.get_filename() or part.get_content_type() == "message/rfc822"
        if not named and part.get_content_maintype() in ("text", "multipart"):  # more of the message itself
            more = _content(part) if part.get_content_type() != "text/html" else _html_text(_content(part))
            mail.text = f"{mail.text}\n\n{more}".strip()
        elif not named and part.get_content_maintype() == "image":  # a picture inside an HTML body
            pictures += 1
        else:
            mail.attachments.append(_attachment(part, len(mail.attachments) + 1))
    if pictures:
        mail.notes.append(
            f"{pictures} picture{'s' if pictures > 1 else ''} in the message (pictures are not read)"
        )
    return mail_sections(mail, name, read_member)


def _leaves(part) -> Iterator[EmailMessage]:
    """The parts that hold content, in order; an attached message is one part, not its insides
    (``iter_attachments`` leaves out an attachment marked "inline", which mail programs often do)."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    for inner in part.iter_parts():
        yield from _leaves(inner)


def _header(message: EmailMessage, key: str) -> str:
    try:
        value = message.get(key)
    except (ValueError, IndexError, TypeError):  # a malformed header the policy cannot parse
        value = message.get_all(key, failobj=[""])[0] if hasattr(message, "get_all") else ""
    return " ".join(str(value or "").split())


def _content(part) -> str:
    """A text part's decoded text; a wrong or unknown charset (or a broken multipart read as one
    part) is read as well as it can be."""
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, ValueError, AssertionError, KeyError):
        pass
    payload = part.get_payload(decode=True) or b""
    return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)


def _html_text(html: str) -> str:
    return "\n".join(read_html(html.encode("utf-8"), "message").units) if html.strip() else ""


def _attachment(part, number: int) -> Attachment:
    content_type = part.get_content_type()
    filename = part.get_filename() or ""
    if content_type == "message/rfc822":  # a forwarded message: read as an e-mail
        inner = part.get_payload()
        message = inner[0] if isinstance(inner, list) and inner else inner
        data = message.as_bytes() if hasattr(message, "as_bytes") else None
        return Attachment(filename or f"attached message {number}.eml", data, content_type)
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        data = None
    if not filename:
        filename = f"attachment {number}" + _suffix(content_type)
    return Attachment(filename, data, content_type)


def _suffix(content_type: str) -> str:
    return {"text/plain": ".txt", "text/html": ".html", "text/csv": ".csv", "application/pdf": ".pdf"}.get(
        content_type, ""
    )


def mail_sections(mail: Mail, name: str, read_member: Callable[[bytes, str], Sections]) -> Sections:
    """The units of a message: itself, then each attachment read, then what was not read."""
    body = mail.text.strip()
    if not body:
        body = _html_text(mail.html)
    heading = "\n".join(f"{h}: {v}" for h, v in mail.headers)
    message = f"{heading}\n\n{body}".strip()
    if not message:
        raise DocumentError(f"{name} is an empty e-mail.")
    units = [message]
    notes = list(mail.notes)
    for attachment in mail.attachments[:MAX_ATTACHMENTS]:
        notes.extend(_read_attachment(attachment, units, read_member))
    if len(mail.attachments) > MAX_ATTACHMENTS:
        notes.append(
            f"{len(mail.attachments) - MAX_ATTACHMENTS} more attachments (the limit is {MAX_ATTACHMENTS})"
        )
    if notes:
        units.append("Attachments not read:\n" + "\n".join(f"- {n}" for n in notes))
    subject = dict(mail.headers).get("Subject", "")
    return Sections(units, "section", subject)


def _read_attachment(attachment: Attachment, units: list[str], read_member) -> list[str]:
    """Appends an attachment's units to ``units``; the notes on what was not read."""
    label = f"Attachment {attachment.name}"
    if attachment.data is None:
        return [f"{attachment.name}: it is damaged and could not be decoded"]
    suffix = Path(attachment.name).suffix.lower()
    if attachment.content_type.startswith("image/") or suffix in _PICTURES:
        return [f"{attachment.name}: a picture (pictures are not read)"]
    if not suffix:
        kind = attachment.content_type or "unknown kind"
        return [f"{attachment.name} ({kind}): not a kind of file the app reads"]
    try:
        sections = read_member(attachment.data, attachment.name)
    except DocumentError as e:
        reason = str(e).removeprefix(f"{attachment.name}: ").removeprefix(f"{attachment.name} ")
        return [f"{attachment.name}: {reason}"]
    except READER_FAILURES as e:  # a reader's own failure
        return [f"{attachment.name}: it is damaged ({type(e).__name__})"]
    found = labelled_units(label, sections)
    if not found:
        return [f"{attachment.name}: it has no text"]
    units.extend(found)
    return []
