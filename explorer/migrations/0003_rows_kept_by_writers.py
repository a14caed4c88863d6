"""From here on the writers keep the explorer's table current (explorer.rows), and nothing
brings it up to date on a read. Rows a database still holds were brought up to date by the
last page read, which may be older than the last write, so they are rebuilt once here.

The admin's permissions and log entries follow the models: their content types move from the
archive app to this one, so an editor allowed to change the vocabulary still is.
"""

from django.db import migrations

MOVED = ("indicator", "commitmentcorrection", "explorerrow")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if ContentType.objects.using(db).filter(app_label="explorer", model=model).exists():
            continue  # made by a post_migrate of an earlier run: the archive one is stale
        ContentType.objects.using(db).filter(app_label="archive", model=model).update(
            app_label="explorer")


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if not ContentType.objects.using(db).filter(app_label="archive", model=model).exists():
            ContentType.objects.using(db).filter(app_label="explorer", model=model).update(
                app_label="archive")


def rebuild_rows(apps, schema_editor):
    # The same INSERT ... SELECT the writers run, on the historical tables.
    ExplorerRow = apps.get_model("explorer", "ExplorerRow")
    Report = apps.get_model("archive", "Report")
    Commitment = apps.get_model("archive", "Commitment")
    Place = apps.get_model("archive", "Place")
    db = schema_editor.connection.alias
    ExplorerRow.objects.using(db).all().delete()
    row, c, r, p = (m._meta.db_table for m in (ExplorerRow, Commitment, Report, Place))
    schema_editor.execute(
        f"INSERT INTO {row} (commitment_id, report_id, place_id, place_name, year, indicator, "
        f"kind, qualifier, unit, value) "
        f"SELECT c.id, r.id, r.place_id, COALESCE(p.full_name, ''), r.year, c.indicator, c.kind, "
        f"c.qualifier, c.unit, c.value FROM {c} c JOIN {r} r ON r.current_version_id = c.version_id "
        f"LEFT JOIN {p} p ON p.id = r.place_id WHERE r.status = %s", ["published"])


class Migration(migrations.Migration):

    dependencies = [
        ("explorer", "0002_rename_tables_to_explorer"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(move_content_types, content_types_back),
        migrations.RunPython(rebuild_rows, migrations.RunPython.noop),
    ]
