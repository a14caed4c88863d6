"""Every page on a 390 px phone and a 1,366 px laptop, in headless Chromium: the page itself
never scrolls sideways (wide tables scroll inside their own box), the contents list folds away
on a phone, and a screenshot of each page at each width lands in var/screenshots/."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.pages.conftest import LAPTOP, PHONE, SCREENSHOTS
from tests.pages.pagelist import editor_pages, reader_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "return [document.scrollingElement.scrollWidth, window.innerWidth]"
# Elements wider than the viewport that are not inside a box that scrolls on its own: these
# are what make a page scroll sideways, named so that a failure says where to look.
CULPRITS = """
const w = window.innerWidth, out = [];
for (const el of document.body.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.right <= w + 1) continue;
  let p = el.parentElement, boxed = false;
  while (p && p !== document.body) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden') { boxed = true; break; }
    p = p.parentElement;
  }
  if (!boxed) out.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' ' + Math.round(r.right));
}
return out.slice(0, 8);
"""


def _login(browser, base: str) -> None:
    browser.get(f"{base}/admin/login/?next=/upload/")
    browser.find_element(By.NAME, "username").send_keys("editor")
    browser.find_element(By.NAME, "password").send_keys("pw-editor-1")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 20).until(EC.url_contains("/upload/"))


def _check_widths(browser, base: str, pages: dict[str, str], prefix: str) -> list[str]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width, height in (PHONE, LAPTOP):
        browser.set_window_size(width, height)
        for name, path in pages.items():
            browser.get(base + path)
            scroll_width, inner = browser.execute_script(OVERFLOW)
            browser.save_screenshot(str(SCREENSHOTS / f"{prefix}{name}-{width}.png"))
            if scroll_width > inner:
                culprits = browser.execute_script(CULPRITS)
                problems.append(f"{name} at {width}px: {scroll_width} > {inner} ({culprits})")
    return problems


def test_no_page_scrolls_sideways_on_phone_or_laptop(browser, live_server, seeded):
    # One test for readers and editors: the live server empties the database after each test,
    # and the import is the slow part.
    problems = _check_widths(browser, live_server.url, reader_pages(), "")
    _login(browser, live_server.url)
    try:
        problems += _check_widths(browser, live_server.url, editor_pages(), "editor-")
    finally:
        browser.delete_all_cookies()
        browser.set_window_size(1280, 1000)
    assert not problems, "\n".join(problems)


def test_contents_list_folds_on_a_phone_and_stays_open_on_a_laptop(browser, live_server, seeded):
    from archive.models import Report

    report = Report.objects.published().filter(place__name="海拉尔区").order_by("year").first()
    try:
        for (width, height), folded in ((PHONE, True), (LAPTOP, False)):
            browser.set_window_size(width, height)
            browser.get(live_server.url + report.get_absolute_url())
            toc = browser.find_element(By.CSS_SELECTOR, "[data-toc]")
            assert (toc.get_attribute("open") is None) == folded
            if folded:
                # Folded, it is one line above the text, not a layer over it.
                text = browser.find_element(By.CSS_SELECTOR, ".report-text")
                assert toc.rect["y"] + toc.rect["height"] <= text.rect["y"]
                assert toc.rect["height"] < 80
                toc.find_element(By.TAG_NAME, "summary").click()
                link = toc.find_element(By.CSS_SELECTOR, "ol a")
                assert link.is_displayed()
                link.click()
                WebDriverWait(browser, 5).until(lambda d, t=toc: t.get_attribute("open") is None)
            else:
                # Beside the text on a laptop, and still in view after scrolling down.
                browser.execute_script("window.scrollTo(0, 3000)")
                top = browser.execute_script("return arguments[0].getBoundingClientRect().top", toc)
                assert 0 <= top < 100
    finally:
        browser.set_window_size(1280, 1000)


def test_reader_steps_through_the_marked_hits(browser, live_server, seeded):
    from urllib.parse import quote

    from archive.models import Report

    report = Report.objects.published().filter(place__name="海拉尔区").order_by("year").first()
    browser.set_window_size(*PHONE)
    try:
        browser.get(f"{live_server.url}{report.get_absolute_url()}?hl={quote('发展')}")
        marks = browser.find_elements(By.CSS_SELECTOR, ".report-text mark")
        assert len(marks) > 3
        stepper = browser.find_element(By.CSS_SELECTOR, "[data-hit-stepper]")
        assert stepper.is_displayed()
        next_button = stepper.find_element(By.CSS_SELECTOR, "[data-hit-next]")
        position = stepper.find_element(By.CSS_SELECTOR, "[data-hit-position]")
        for expected in (1, 2, 3):
            next_button.click()
            assert position.text == f"{expected} / {len(marks)}"
            current = browser.find_element(By.CSS_SELECTOR, "mark.current-hit")
            in_view = browser.execute_script(
                "const r = arguments[0].getBoundingClientRect();"
                "return r.top >= 0 && r.bottom <= window.innerHeight;",
                current,
            )
            assert in_view
        stepper.find_element(By.CSS_SELECTOR, "[data-hit-prev]").click()
        assert position.text == f"2 / {len(marks)}"
        browser.save_screenshot(str(SCREENSHOTS / "report-hit-stepper-390.png"))
    finally:
        browser.set_window_size(1280, 1000)


def test_grid_folds_the_places_below_a_province_and_keeps_its_labels_in_view(
    browser, live_server, seeded
):
    from urllib.parse import quote

    browser.set_window_size(*PHONE)
    try:
        browser.get(f"{live_server.url}/search/?q={quote('营商环境')}&view=grid")
        fold = browser.find_element(By.CSS_SELECTOR, "tr.level-province [data-fold]")
        below = browser.find_elements(By.CSS_SELECTOR, "tr[data-within]")
        assert below and all(tr.is_displayed() for tr in below)
        # In the middle of the screen, clear of the sticky year row above it.
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", fold)
        fold.click()
        assert fold.get_attribute("aria-expanded") == "false"
        assert not any(tr.is_displayed() for tr in below)
        fold.click()
        assert all(tr.is_displayed() for tr in below)
        # Scrolled sideways and down inside its box, the year row and the place column stay.
        box = browser.find_element(By.CSS_SELECTOR, ".grid-wrap")
        browser.execute_script("arguments[0].scrollTo(600, 200)", box)
        corner = browser.execute_script(
            "const b = arguments[0].getBoundingClientRect();"
            "const h = arguments[0].querySelector('thead th:nth-child(2)').getBoundingClientRect();"
            "const p = arguments[0].querySelector('tbody th').getBoundingClientRect();"
            "return [h.top - b.top, p.left - b.left];",
            box,
        )
        assert abs(corner[0]) <= 2 and abs(corner[1]) <= 2
        browser.save_screenshot(str(SCREENSHOTS / "search_grid-scrolled-390.png"))
    finally:
        browser.set_window_size(1280, 1000)


def test_trend_chart_labels_stay_readable_on_a_phone(browser, live_server, seeded):
    from urllib.parse import quote

    try:
        for (width, height), shown in ((PHONE, "narrow"), (LAPTOP, "wide")):
            browser.set_window_size(width, height)
            browser.get(f"{live_server.url}/search/trend/?q={quote('营商环境 发展')}")
            visible = browser.find_elements(By.CSS_SELECTOR, f".trend-chart svg.chart-{shown}")
            assert visible and all(svg.is_displayed() for svg in visible)
            hidden = "wide" if shown == "narrow" else "narrow"
            assert not any(
                s.is_displayed()
                for s in browser.find_elements(By.CSS_SELECTOR, f".trend-chart svg.chart-{hidden}")
            )
            # The year labels, as drawn on screen: at least 10 px tall and not overlapping.
            boxes = browser.execute_script(
                "return [...arguments[0].querySelectorAll('text.x-label')].map(t => {"
                "const r = t.getBoundingClientRect(); return [r.left, r.right, r.height]; })",
                visible[0],
            )
            assert boxes and min(h for _, _, h in boxes) >= 10
            assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:], strict=False))
            browser.execute_script("arguments[0].scrollIntoView()", visible[0])
            browser.save_screenshot(str(SCREENSHOTS / f"trend-chart-{width}.png"))
    finally:
        browser.set_window_size(1280, 1000)


def test_keyboard_reader_cites_a_paragraph_by_its_link_without_tabbing_through_buttons(
    browser, live_server, seeded
):
    from selenium.webdriver.common.keys import Keys

    from archive.models import Report

    report = Report.objects.published().filter(place__name="海拉尔区").order_by("year").first()
    browser.set_window_size(*LAPTOP)
    try:
        browser.get(live_server.url + report.get_absolute_url())
        WebDriverWait(browser, 10).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, ".report-text .cite-this")
        )
        tabbable = browser.execute_script(
            "return [...document.querySelectorAll('.report-text a, .report-text button')]"
            ".filter(e => e.tabIndex >= 0).map(e => e.className)"
        )
        assert tabbable and set(tabbable) == {"pnum"}  # one stop a paragraph: its ¶ link
        link = browser.find_element(By.CSS_SELECTOR, "#p5 .pnum")
        browser.execute_script("arguments[0].focus()", link)
        link.send_keys(Keys.ENTER)
        scope = browser.find_element(By.CSS_SELECTOR, "[data-cite-scope]")
        WebDriverWait(browser, 10).until(lambda d: "第 5 段" in scope.text)
    finally:
        browser.set_window_size(1280, 1000)
