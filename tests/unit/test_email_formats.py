"""E-mails (.eml, real mails from mail-parser's tests) and Outlook messages (.msg, extract-msg's
example) read as the message, then each readable attachment; a broken attachment is named and
the rest still read."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from documents.document_reader import refusal
from documents.file_readers import MAX_NESTING, read_file
from errors import DocumentError
from tests.conftest import ROOT

EML = ROOT / "tests" / "data" / "eml"
MSG = ROOT / "tests" / "data" / "msg"


def test_real_mail_headers_body_and_an_inline_text_attachment():
    mail = read_file(EML / "mail_test_3.eml", "mail_test_3.eml")
    assert mail.unit == "section" and mail.title == "Hi there"
    assert (
        mail.units[0]
        == (
            "From: Ava Oneil <Oneil.844@randtelekom.com.tr>\nTo: kalinokyra@thismail.it\n"
            "Date: Mon, 22 Aug 2016 16:56:09 +0300\nSubject: Hi there\n\n"
            "I am sending you the bills of the goods we delivered to you in the attachment\n"
        ).strip()
    )  # the text body once, not again from its HTML twin
    assert mail.units[1].startswith("Attachment message.txt, ¶ 1:\nThe WatchGuard Firebox")
    assert "File name    : export_pdf_ 65acf801~.js" in mail.units[2]


def test_real_mail_with_a_pdf_attachment_and_pictures():
    mail = read_file(EML / "mail_test_10.eml", "mail_test_10.eml")
    assert mail.units[0].startswith("From: Nicoletta Bernasconi <nicoletta_bernasconi@it.ibm.com>")
    assert "Gentili Business Partner" in mail.units[0]
    pages = [u for u in mail.units if u.startswith("Attachment Move To Eight ZWEP6227F.pdf, p. ")]
    assert len(pages) == 10 and "Table of Contents" in pages[0]
    assert mail.units[-1] == "Attachments not read:\n- 3 pictures in the message (pictures are not read)"
    inline = read_file(EML / "mail_test_14.eml", "mail_test_14.eml")
    assert inline.units[0].endswith("Subject: Test\n\nPlaintext here.")


def test_real_outlook_message():
    message = read_file(MSG / "strangeDate.msg", "strangeDate.msg")
    assert message.title == "MSG Test File"
    assert message.units[0].startswith("To: time2talk@online-convert.com")
    assert (
        "Subject: MSG Test File\n\nMSG test file\nPurpose: Provide example of this file type"
        in message.units[0]
    )
    assert refusal("mail.msg") is None and refusal("mail.eml") is None


def make_mail(subject: str = "Quarterly figures") -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "Ada <ada@example.org>", "bob@example.org", subject
    mail["Date"] = "Tue, 02 Dec 2025 09:30:00 +0000"
    return mail


def test_a_broken_attachment_is_named_and_the_rest_still_read(tmp_path):
    mail = make_mail()
    mail.set_content("<p>The harbour fee rose to <b>310 euros</b>.</p>", subtype="html")
    mail.add_attachment(b"PK\x03\x04 not really a Word file", maintype="application",
                        subtype="octet-stream", filename="report.docx")  # fmt: skip
    mail.add_attachment("Region,Sales\nNorth,1200\n", subtype="csv", filename="sales.csv")
    forwarded = make_mail("Old thread")
    forwarded.set_content("The pier closes on Sundays.")
    mail.add_attachment(forwarded)
    (tmp_path / "figures.eml").write_bytes(bytes(mail))
    units = read_file(tmp_path / "figures.eml", "figures.eml").units
    assert "Subject: Quarterly figures\n\nThe harbour fee rose to 310 euros" in units[0]  # the HTML body
    assert units[1] == "Attachment sales.csv:\nRow 2: Region: North; Sales: 1200"
    assert units[2].startswith("Attachment attached message 3.eml:\nFrom: Ada")
    assert units[2].endswith("The pier closes on Sundays.")
    assert (
        units[3] == "Attachments not read:\n- report.docx: is not a Word (.docx) document, or it is damaged."
    )


def test_mails_inside_mails_stop_and_non_mail_is_refused(tmp_path):
    inner = make_mail("Level 0")
    inner.set_content("deepest text")
    for level in range(1, MAX_NESTING + 2):
        outer = make_mail(f"Level {level}")
        outer.set_content(f"text of level {level}")
        outer.add_attachment(inner)
        inner = outer
    (tmp_path / "nested.eml").write_bytes(bytes(inner))
    text = "\n".join(read_file(tmp_path / "nested.eml", "nested.eml").units)
    assert "text of level 1" in text and "deepest text" not in text
    assert "it is inside 2 other e-mails or archives" in text
    (tmp_path / "notes.eml").write_text("just some words\nwith no headers\n")
    with pytest.raises(DocumentError, match="notes.eml is not an e-mail"):
        read_file(tmp_path / "notes.eml", "notes.eml")
    (tmp_path / "fake.msg").write_bytes(b"not an outlook file")
    with pytest.raises(DocumentError, match="fake.msg is not an Outlook message"):
        read_file(tmp_path / "fake.msg", "fake.msg")
