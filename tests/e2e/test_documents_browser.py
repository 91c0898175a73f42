"""Upload the real dev filings in the browser, ask about one, open the cited passage, restart."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED
from tests.e2e.conftest import ask, open_app, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e
PDFS = sorted((SHARED / "data" / "rag-dev" / "pdfs").glob("*.pdf"))
BROKEN = SHARED / "data" / "badpdfs" / "378014596.pdf"
MESSAGES = "[data-testid='stChatMessage']"


def test_upload_ask_cite_and_restart(app_server, page):
    server = app_server(MAX_ANSWER_TOKENS="60", TEMPERATURE="0")
    open_app(page, server.url)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([*PDFS, BROKEN])
    for pdf in [*PDFS, BROKEN]:  # as a person would: press Add once every file is listed (uploaded)
        chip = sidebar.locator("[data-testid='stFileChip']", has_text=pdf.name)
        chip.locator("[data-testid='stFileChipDeleteBtn']").wait_for()
    sidebar.get_by_role("button", name="Add to knowledge base").click()
    page.get_by_text("3 added, 1 not added").first.wait_for(timeout=240_000)  # the row (and the notice)
    wait_until_idle(page)
    text = sidebar.inner_text()
    assert "378014596.pdf: the file is damaged" in text
    assert "3 documents" in text
    assert "upload.pdf" not in text
    screenshot(page, "documents-uploaded")

    ask(page, "What was Intel's revenue in the quarter?")
    page.wait_for_function(f'() => document.querySelectorAll("{MESSAGES}").length >= 2')
    wait_until_idle(page)
    answer = page.locator(MESSAGES).nth(1)
    source = answer.get_by_text("2023 Q3 INTC.pdf").first
    source.wait_for()
    source.click()  # open the cited passage
    passage = answer.locator("[data-testid='stExpanderDetails']").first
    passage.wait_for()
    assert "14,158" in passage.inner_text()  # Intel's net revenue, in the passage itself
    screenshot(page, "documents-cited-answer")
    # the page itself, drawn by the app and served from its own address (never fetched elsewhere)
    passage.get_by_text("Show page").first.click()
    picture = passage.locator("[data-testid='stImage'] img").first
    picture.wait_for(timeout=30_000)
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    src = picture.get_attribute("src") or ""
    assert src.startswith("/media/") or src.startswith(server.url), src
    wait_until_idle(page)
    screenshot(page, "documents-cited-page")

    server.stop()
    again = app_server(MAX_ANSWER_TOKENS="60")
    open_app(page, again.url)
    assert "3 documents" in page.locator("[data-testid='stSidebar']").inner_text()
