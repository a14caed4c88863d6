"""A reader searches, clicks a hit, and lands on the paragraph with the words marked."""

from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from archive.services import store_file
from search.indexing import apply_pending

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(seed_bytes):
    for name, data in seed_bytes.items():
        store_file(data, name, publish=True)
    apply_pending()


def test_search_click_lands_on_highlighted_paragraph(browser, live_server, seeded, tmp_path):
    browser.get(f"{live_server.url}/?q={quote('营商环境')}")
    wait = WebDriverWait(browser, 15)
    hit = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "a[href*='#p']")))
    assert browser.find_elements(By.CSS_SELECTOR, "mark"), "the result snippets mark the query"
    hit.click()
    wait.until(lambda d: "#p" in d.current_url)
    anchor = browser.current_url.rsplit("#", 1)[1]
    paragraph = browser.find_element(By.ID, anchor)
    marks = paragraph.find_elements(By.TAG_NAME, "mark")
    assert marks and all(m.text == "营商环境" for m in marks)
    in_view = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.bottom > 0 && r.top < window.innerHeight;",
        paragraph,
    )
    assert in_view
    browser.save_screenshot(str(tmp_path / "paragraph.png"))
