"""A researcher opens a paragraph permalink: the paragraph is in view and marked; the cite
button copies the citation to the clipboard (read back through navigator.clipboard)."""

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from archive.services import store_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEXI = "001_46ac5d44bafe418d.txt"
GBT = re.compile(
    r"^天津市河西区人民政府\. .+: 第(\d+)段\[EB/OL\]\. \(2016-01-11\)\[\d{4}-\d{2}-\d{2}\]\. "
    r"http://\S+/r/[0-9a-z]+/v1/p(\d+)/\.$"
)


@pytest.fixture
def hexi(seed_bytes):
    return store_file(seed_bytes[HEXI], HEXI, publish=True).report


def grant_clipboard(browser, origin: str) -> None:
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )


def read_clipboard(browser) -> str:
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, e => done('ERROR ' + e));"
    )


def test_paragraph_permalink_is_in_view_marked_and_citable(browser, live_server, hexi, tmp_path):
    grant_clipboard(browser, live_server.url)
    paragraph_number = 30
    browser.get(f"{live_server.url}/r/{hexi.public_id}/v1/p{paragraph_number}/")
    wait = WebDriverWait(browser, 15)
    wait.until(lambda d: d.current_url.endswith(f"/v1/#p{paragraph_number}"))
    paragraph = browser.find_element(By.ID, f"p{paragraph_number}")
    # (a sub-pixel shift once fonts and the cite buttons settle is still "in view")
    in_view = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.top > -4 && r.top < window.innerHeight / 2 && window.scrollY > 0;",
        paragraph,
    )
    assert in_view, "the cited paragraph is scrolled into view"
    assert browser.execute_script(
        "return document.querySelector(':target') === arguments[0];", paragraph
    )
    background = paragraph.value_of_css_property("background-color")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), "the :target paragraph is marked"

    # Landing on a paragraph: the citation box cites that paragraph.
    box = browser.find_element(By.ID, "cite")
    wait.until(lambda d: box.get_attribute("data-cite-scope-path") == f"p{paragraph_number}/")

    # The paragraph's own cite button copies its GB/T 7714 citation.
    button = paragraph.find_element(By.CSS_SELECTOR, "button[data-cite-paragraph]")
    button.click()
    wait.until(lambda d: box.get_attribute("data-copy-state") == "copied")
    copied = read_clipboard(browser)
    m = GBT.match(copied)
    assert m, copied
    assert m.group(1) == m.group(2) == str(paragraph_number)
    browser.save_screenshot(str(tmp_path / "cited-paragraph.png"))


def test_citation_box_copies_the_chosen_format(browser, live_server, hexi):
    grant_clipboard(browser, live_server.url)
    browser.get(f"{live_server.url}{hexi.get_absolute_url()}")
    box = browser.find_element(By.ID, "cite")
    Select(box.find_element(By.CSS_SELECTOR, "select[data-cite-format]")).select_by_value("bibtex")
    browser.execute_script("arguments[0].scrollIntoView()", box)
    box.find_element(By.CSS_SELECTOR, "button[data-cite-copy]").click()
    WebDriverWait(browser, 15).until(lambda d: box.get_attribute("data-copy-state") == "copied")
    copied = read_clipboard(browser)
    assert copied.startswith(f"@misc{{{hexi.public_id}-v1,")
    assert f"/r/{hexi.public_id}/?v=1" in copied
    assert box.find_element(By.CSS_SELECTOR, "[data-cite-status]").text.startswith("已复制")
