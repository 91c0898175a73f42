"""What a newcomer does on a fresh install, in Chromium: add a filing and a slide deck and keep
chatting while the filing goes in, reload in the middle, read why the deck was refused, re-index
in the background, see which
Whisper models are not installed, get a too-long message back in the box, delete a knowledge
base and read which chats it leaves without documents."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED
from tests.e2e.conftest import ask, open_app, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e
FILING = SHARED / "data" / "rag-dev" / "pdfs" / "2023 Q3 INTC.pdf"
MESSAGES = "[data-testid='stChatMessage']"
SIDEBAR = "[data-testid='stSidebar']"
DROPZONE = "[data-testid='stFileUploaderDropzoneInput']"


def test_chat_goes_on_while_documents_are_added_and_every_refusal_is_in_words(app_server, page):
    server = app_server(MAX_ANSWER_TOKENS="16", TEMPERATURE="0", MAX_MESSAGE_CHARS="300")
    page.set_viewport_size({"width": 1300, "height": 2000})  # the whole sidebar in the screenshots
    open_app(page, server.url)
    sidebar = page.locator(SIDEBAR)
    assert "Reads PDFs (.pdf), Word documents (.docx)" in sidebar.inner_text()  # said before any upload
    deck = {
        "name": "Quarterly deck.ppt",
        "mimeType": "application/octet-stream",
        "buffer": b"PK\x03\x04slides",
    }
    sidebar.locator(DROPZONE).set_input_files([str(FILING)])
    sidebar.locator(DROPZONE).set_input_files(files=[deck])  # a second pick adds to the first
    for name in (FILING.name, deck["name"]):
        sidebar.locator("[data-testid='stFileChip']", has_text=name).locator(
            "[data-testid='stFileChipDeleteBtn']"
        ).wait_for()
    sidebar.get_by_role("button", name="Add to knowledge base").click()
    sidebar.get_by_text("Adding 2 files").wait_for(timeout=30_000)

    page.reload()  # the upload goes on, and its row is still there
    page.wait_for_selector("[data-testid='stChatInput'] textarea")
    sidebar.get_by_text("Adding 2 files").wait_for(timeout=30_000)
    assert (
        "Quarterly deck.ppt was not added: old PowerPoint slides (.ppt: save it as .pptx) are not read."
        in sidebar.inner_text()
    )

    ask(page, "Say hello in one word.")  # the chat is not blocked by the upload
    page.wait_for_function(f'() => document.querySelectorAll("{MESSAGES}").length >= 2', timeout=120_000)
    assert sidebar.get_by_text("Adding 2 files").count(), "the filing went in before the answer came"
    screenshot(page, "newcomer-chat-during-upload")

    page.get_by_text("My documents: 1 added, 1 not added").wait_for(timeout=300_000)  # the notice
    wait_until_idle(page)
    text = sidebar.inner_text()
    assert (
        "Quarterly deck.ppt was not added: old PowerPoint slides (.ppt: save it as .pptx) are not read."
        in text
    )
    assert "2023 Q3 INTC.pdf: 54 pages" in text and "1 document," in text
    assert len(page.locator(MESSAGES).all()) == 2  # the chat is intact
    screenshot(page, "newcomer-upload-done")
    sidebar.get_by_role("button", name="Dismiss").click()
    page.wait_for_function(f"() => !document.querySelector(\"{SIDEBAR}\").innerText.includes('1 not added')")

    # "Re-index all" is a background job too: a row, a notice, and the chat box stays usable
    sidebar.get_by_role("button", name="Re-index all").click()
    sidebar.get_by_text("Re-indexing 1 document").wait_for(timeout=30_000)
    assert page.locator("[data-testid='stChatInput'] textarea").is_enabled()
    assert sidebar.get_by_role("button", name="Re-index all").is_disabled()  # not twice at once
    page.get_by_text("My documents: 1 re-indexed").first.wait_for(timeout=300_000)
    wait_until_idle(page)
    assert "2023 Q3 INTC.pdf: re-indexed, " in sidebar.inner_text()
    screenshot(page, "newcomer-reindexed")
    sidebar.get_by_role("button", name="Dismiss").click()
    page.wait_for_function(f"() => !document.querySelector(\"{SIDEBAR}\").innerText.includes('re-indexed, ')")

    # a message over the limit is refused and stays in the box
    long = "Summarise this: " + "word " * 80
    ask(page, long)
    page.get_by_text("the limit is 300").wait_for()
    assert page.locator("[data-testid='stChatInput'] textarea").input_value() == long  # as typed

    # Whisper sizes that are not on this computer say so before anyone records
    wait_until_idle(page)
    sidebar.get_by_text("Voice settings").click()
    page.wait_for_timeout(500)
    whisper = sidebar.locator("[data-testid='stSelectbox']").filter(has_text="Whisper model").locator("input")
    whisper.evaluate("e => e.scrollIntoView({block: 'center'})")  # its list opens below it, in view
    whisper.click()
    page.locator("[role='option']").first.wait_for()
    listed = page.locator("[role='option']").all_inner_texts()
    assert "small.en (not installed)" in listed and "tiny.en (fast, built in)" in listed, listed
    page.keyboard.press("Escape")
    assert "openai-whisper (not installed)" in sidebar.inner_text()  # an engine with no checkpoints
    screenshot(page, "newcomer-whisper-picker")

    # deleting a knowledge base says which chats it leaves without documents
    sidebar.get_by_text("Manage knowledge bases").click()
    sidebar.get_by_label("New knowledge base").fill("Contracts")
    sidebar.get_by_role("button", name="Create").click()
    page.get_by_text("Created Contracts: this chat now answers from it.").wait_for()
    wait_until_idle(page)
    sidebar.get_by_text("Yes, delete Contracts and all its documents").wait_for()
    assert "Used by 1 chat (“Say hello in one word.”)" in sidebar.inner_text()
    sidebar.get_by_text("Yes, delete Contracts and all its documents").click()
    wait_until_idle(page)
    sidebar.get_by_role("button", name="Delete this knowledge base").click()
    page.get_by_text("Deleted Contracts. 1 chat now answers without documents.").wait_for()
    screenshot(page, "newcomer-knowledge-base-deleted")
