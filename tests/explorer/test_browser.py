"""In a real browser: filter the pivot, open a cell, land on the marked sentence."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.explorer.conftest import HAILAER

pytestmark = pytest.mark.django_db(transaction=True)


def test_filter_open_pivot_cell_land_on_marked_sentence(browser, live_server, hailaer_committed):
    browser.get(f"{live_server.url}/commitments/pivot/")
    wait = WebDriverWait(browser, 10)
    indicator = browser.find_element(By.NAME, "indicator")
    indicator.clear()
    indicator.send_keys("GDP")
    browser.find_element(By.NAME, "place").send_keys(HAILAER)
    browser.find_element(By.NAME, "year_from").send_keys("2012")
    browser.find_element(By.NAME, "year_to").send_keys("2018")
    browser.find_element(By.CSS_SELECTOR, "form.explorer-filters button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.pivot")))
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.pivot thead th")]
    assert headers[1:] == [str(y) for y in range(2012, 2019)]
    cells = browser.find_elements(By.CSS_SELECTOR, "table.pivot tbody td")
    assert [c.text for c in cells] == ["21%", "20%", "11%", "·", "7.5%", "·", "6%左右"]
    cells[1].find_element(By.TAG_NAME, "a").click()  # 2013: 20%
    wait.until(EC.url_contains("#p"))
    anchor = browser.current_url.rsplit("#", 1)[1]
    paragraph = browser.find_element(By.ID, anchor)
    marks = [m.text for m in paragraph.find_elements(By.TAG_NAME, "mark")]
    assert "20%" in marks
    assert "地区生产总值增长20%" in paragraph.text
    # The paragraph is scrolled into view: the reader lands on it.
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", paragraph)
    assert 0 <= top < browser.execute_script("return window.innerHeight")
    browser.get("about:blank")  # no request left in flight when the live server stops
