"""An editor, in a real browser: log in, upload, review what was read, publish, find it."""

from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from archive.models import Report, ReportStatus
from tests.conftest import SEEDS_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_review_publish_search(browser, live_server, django_user_model, tmp_path):
    django_user_model.objects.create_user("editor", password="pw-editor-1", is_staff=True)
    wait = WebDriverWait(browser, 20)
    browser.get(f"{live_server.url}/admin/login/?next=/upload/")
    browser.find_element(By.NAME, "username").send_keys("editor")
    browser.find_element(By.NAME, "password").send_keys("pw-editor-1")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-drop-zone]")))

    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(
        str(SEEDS_DIR / "004_9a7de8e018f5043e.txt")
    )
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(lambda d: d.current_url.endswith("/review/"))
    review = browser.find_element(By.TAG_NAME, "main").text
    assert "天津市南开区" in review and "2018" in review
    assert "招商引资" in review  # the cleaned text is shown beside what was read
    report = Report.objects.get()
    assert report.status == ReportStatus.DRAFT

    # Not public yet: a reader's search does not find it.
    browser.get(f"{live_server.url}/api/search?q={quote('妈祖文化旅游节')}")
    assert '"count": 0' in browser.page_source or '"count":0' in browser.page_source

    browser.get(f"{live_server.url}/r/{report.public_id}/review/")
    browser.find_element(By.XPATH, "//button[contains(., '发布')]").click()
    wait.until(lambda d: f"/r/{report.public_id}/review/" not in d.current_url)
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED

    browser.get(f"{live_server.url}/?q={quote('妈祖文化旅游节')}")
    hit = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "a[href*='#p']")))
    assert report.public_id in hit.get_attribute("href")
    browser.save_screenshot(str(tmp_path / "search.png"))
