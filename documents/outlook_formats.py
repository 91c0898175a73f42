"""Outlook messages (.msg, extract-msg) read like e-mails (documents/email_formats.py): From, To,
Cc, Date and Subject, the text body (else the HTML body through the web-page reader), then each
attachment of a kind the app reads; an Outlook message attached to another is read as its text.

extract-msg (GPL-3.0, as piper-tts already is here; released every few months by TeamMsgExtractor)
is the maintained pure-Python reader of the Outlook compound-file format; it installs without a
compiler. A file that is not an Outlook message, or is damaged, is refused in words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from documents.email_formats import Attachment, Mail, mail_sections
from documents.text_formats import Sections
from errors import DocumentError


def read_msg(path: Path, name: str, read_member: Callable[[bytes, str], Sections]) -> Sections:
    """An Outlook message's headers, body and readable attachments."""
    try:
        import extract_msg
    except ImportError as e:  # pragma: no cover - a broken install
        raise DocumentError(f"{name}: Outlook messages need extract-msg ({e}).") from e
    try:
        message = extract_msg.openMsg(str(path), strict=False)
    except Exception as e:  # extract-msg and olefile raise many kinds (OleFileError, bare Exception)
        raise DocumentError(f"{name} is not an Outlook message (.msg), or it is damaged.") from e
    try:
        mail = _mail(message)
    except Exception as e:  # extract-msg raises bare Exception on a damaged body ("CRC is invalid!")
        raise DocumentError(f"{name} is damaged: its text cannot be read ({e}).") from e
    finally:
        message.close()
    return mail_sections(mail, name, read_member)


def _mail(message) -> Mail:
    values = {
        "From": getattr(message, "sender", None),
        "To": getattr(message, "to", None),
        "Cc": getattr(message, "cc", None),
        "Date": getattr(message, "date", None),
        "Subject": getattr(message, "subject", None),
    }
    headers = [(k, " ".join(str(v).split())) for k, v in values.items() if v]
    text = (getattr(message, "body", None) or "").replace("\r\n", "\n")
    html = getattr(message, "htmlBody", None) or b""
    mail = Mail(
        headers, text, html.decode("utf-8", errors="replace") if isinstance(html, bytes) else str(html)
    )
    for number, attachment in enumerate(getattr(message, "attachments", []) or [], start=1):
        mail.attachments.append(_attachment(attachment, number))
    return mail


def _attachment(attachment, number: int) -> Attachment:
    filename = getattr(attachment, "longFilename", None) or getattr(attachment, "shortFilename", None) or ""
    data = getattr(attachment, "data", None)
    if isinstance(data, bytes):
        return Attachment(filename or f"attachment {number}", data)
    if data is not None and hasattr(data, "body"):  # an Outlook message attached to this one
        inner = _mail(data)
        text = "\n".join(f"{h}: {v}" for h, v in inner.headers) + "\n\n" + inner.text
        return Attachment(f"{filename or f'attached message {number}'}.txt", text.encode("utf-8"))
    return Attachment(filename or f"attachment {number}", None)
