"""A withdrawn version is not cached as the old page for ever: a version page lives a bounded
time in a cache and is then revalidated, and a withdrawal changes its ETag, so the
revalidation gets the 410 tombstone (itself cached only briefly, so a restore comes back)."""

import pytest

from archive.services import store_file
from archive.withdrawals import restore_report, withdraw_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(seed_bytes):
    name = "001_46ac5d44bafe418d.txt"
    return store_file(seed_bytes[name], name, publish=True).report


def max_age(response) -> int:
    for part in response["Cache-Control"].split(","):
        if part.strip().startswith("max-age="):
            return int(part.strip()[8:])
    raise AssertionError(response["Cache-Control"])


def test_a_withdrawal_ends_a_cached_version_at_its_next_revalidation(client, report, settings):
    url = f"/r/{report.public_id}/v1/"
    page = client.get(url)
    assert page.status_code == 200
    # Bounded: a withdrawal reaches every cache within this time.
    assert max_age(page) == settings.ARCHIVE_HTTP_VERSION_MAX_AGE <= 3600

    withdraw_report(report, reason="test: withdrawn")
    revalidated = client.get(url, HTTP_IF_NONE_MATCH=page["ETag"])
    assert revalidated.status_code == 410
    assert revalidated["ETag"] != page["ETag"]
    assert "immutable" not in revalidated["Cache-Control"]
    assert max_age(revalidated) <= 60

    restore_report(report)
    back = client.get(url, HTTP_IF_NONE_MATCH=revalidated["ETag"])
    assert back.status_code == 200
    assert back["ETag"] != revalidated["ETag"]


def test_the_current_page_changes_its_etag_when_the_report_is_corrected(client, report):
    from archive.services import correct_metadata

    url = f"/r/{report.public_id}/"
    before = client.get(url)["ETag"]
    correct_metadata(report, year=report.year + 1)
    after = client.get(url, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after["ETag"] != before
