"""In a browser, a #p<k> link into a long report opens the page holding paragraph k."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from archive.rendering import PARAGRAPHS_PER_PAGE
from archive.services import store_file
from tests.conftest import SEEDS_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_fragment_link_to_a_later_page_opens_that_page(browser, live_server):
    text = (
        (SEEDS_DIR / "001_46ac5d44bafe418d.txt").read_text(encoding="utf-8")
        + "\n"
        + "\n".join(f"第{i}条，推动经济社会高质量发展。" for i in range(2 * PARAGRAPHS_PER_PAGE))
    )
    version = store_file(text.encode(), "long.txt", publish=True).version
    last = version.paragraphs.count()
    browser.get(f"{live_server.url}{version.get_absolute_url()}#p{last}")
    WebDriverWait(browser, 15).until(lambda d: f"at=p{last}" in d.current_url)
    paragraph = WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.ID, f"p{last}"))[0]
    assert paragraph.is_displayed() and browser.current_url.endswith(f"#p{last}")
    assert not browser.find_elements(By.ID, "p1")  # the first page is not this one
