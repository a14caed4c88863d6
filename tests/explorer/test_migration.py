"""The explorer's models moved from the archive app to the explorer app without losing a row:
a database migrated up to the last migration before the move, with a vocabulary, editors'
corrections and explorer rows in it, keeps all of them after migrating forward (on SQLite and,
under scripts/with-postgres, on PostgreSQL), and stale rows are rebuilt."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.explorer.conftest import HAILAER_FILES

BEFORE_MOVE = [("archive", "0007_merge_commitment_fields_uploads_places"), ("explorer", None)]


def _migrate(target: list[tuple[str, str | None]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall()) if cursor.description else []


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.mark.django_db(transaction=True)
def test_moving_the_models_keeps_every_row(django_user_model):
    call_command("load_indicators", verbosity=0)
    call_command("import_reports", str(HAILAER_FILES[0]), str(HAILAER_FILES[1]), verbosity=0)
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()

    _migrate(BEFORE_MOVE)
    try:
        _check_the_move(django_user_model, leaf)
    finally:
        _migrate(leaf)  # whatever happened, the next test finds today's schema


def _check_the_move(django_user_model, leaf) -> None:
    tables = _tables()
    assert {
        "archive_indicator",
        "archive_commitmentcorrection",
        "archive_explorerrow",
        "archive_explorersync",
    } <= tables and "explorer_indicator" not in tables
    # Data as the archive app held it: a correction filed by an editor, the vocabulary, the
    # explorer rows of the last page read and their sync mark, and rows gone stale (a page
    # had not been read since the last write).
    editor = django_user_model.objects.create_user("editor-m", password="pw")
    report_id, commitment_id = _rows(
        "SELECT r.id, c.id FROM archive_report r JOIN archive_commitment c "
        "ON c.version_id = r.current_version_id ORDER BY c.id LIMIT 1"
    )[0]
    _rows(
        "INSERT INTO archive_commitmentcorrection (report_id, sentence_key, number_text, "
        "original, indicator, value, unit, qualifier, kind, direction, period, scope, "
        "marked_wrong, note, user_id, at) VALUES (%s, %s, %s, %s, %s, %s, %s, '', 'target', "
        "'up', 'year', '', %s, %s, %s, CURRENT_TIMESTAMP)",
        [report_id, "k" * 64, "9%", "{}", "地区生产总值", 9.0, "%", False, "编辑更正", editor.pk],
    )
    _rows(
        "UPDATE archive_indicator SET description = %s WHERE name = %s",
        ["编辑写的说明", "地区生产总值"],
    )
    indicators = _rows("SELECT id, name, slug, description FROM archive_indicator ORDER BY id")
    corrections = _rows(
        "SELECT id, report_id, number_text, note, user_id "
        "FROM archive_commitmentcorrection ORDER BY id"
    )
    rows_before = _rows("SELECT commitment_id FROM archive_explorerrow ORDER BY commitment_id")
    assert indicators and corrections and rows_before
    _rows("DELETE FROM archive_explorerrow WHERE commitment_id = %s", [commitment_id])
    # A database made before the move has the admin's content types (and so the permissions
    # given to editors) under the archive app.
    _rows("UPDATE django_content_type SET app_label = 'archive' WHERE app_label = 'explorer'")
    content_types = _rows(
        "SELECT id, model FROM django_content_type WHERE app_label = 'archive' "
        "AND model IN ('indicator', 'commitmentcorrection') ORDER BY id"
    )
    assert len(content_types) == 2
    _rows(
        "INSERT INTO archive_explorersync (fingerprint, synced_through, at) "
        "VALUES ('2:x', NULL, CURRENT_TIMESTAMP)"
    )

    _migrate(leaf)
    tables = _tables()
    assert {"explorer_indicator", "explorer_commitmentcorrection", "explorer_explorerrow"} <= tables
    assert (
        not {
            "archive_indicator",
            "archive_commitmentcorrection",
            "archive_explorerrow",
            "archive_explorersync",
        }
        & tables
    )
    assert (
        _rows("SELECT id, name, slug, description FROM explorer_indicator ORDER BY id")
        == indicators
    )
    assert (
        _rows(
            "SELECT id, report_id, number_text, note, user_id "
            "FROM explorer_commitmentcorrection ORDER BY id"
        )
        == corrections
    )
    assert (
        _rows("SELECT commitment_id FROM explorer_explorerrow ORDER BY commitment_id")
        == rows_before
    )

    # The models work on the moved tables, and the admin's content types moved with them.
    from django.contrib.contenttypes.models import ContentType

    from explorer.models import CommitmentCorrection, ExplorerRow, Indicator

    assert Indicator.objects.get(name="地区生产总值").description == "编辑写的说明"
    assert CommitmentCorrection.objects.get().user_id == editor.pk
    assert ExplorerRow.objects.filter(commitment_id=commitment_id).exists()
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Indicator).app_label == "explorer"
    assert (
        _rows(
            "SELECT id, model FROM django_content_type WHERE app_label = 'explorer' "
            "AND model IN ('indicator', 'commitmentcorrection') ORDER BY id"
        )
        == content_types
    )
    assert not ContentType.objects.filter(app_label="archive", model="indicator").exists()
    new = CommitmentCorrection.objects.create(
        report_id=report_id, sentence_key="j" * 64, number_text="8%"
    )
    assert new.pk > corrections[-1][0]  # the id sequence moved with the table
