import hashlib

from django.db import migrations, models


def hash_existing_spans(apps, schema_editor):
    """Versions written before the hashes were stored get them now, one version at a time
    (its text read once), so the registry never has to hash on a request."""
    ReportVersion = apps.get_model("archive", "ReportVersion")
    Section = apps.get_model("archive", "Section")
    Paragraph = apps.get_model("archive", "Paragraph")
    for version in ReportVersion.objects.only("pk", "text").iterator(chunk_size=50):
        text = version.text
        for model in (Section, Paragraph):
            rows = list(model.objects.filter(version_id=version.pk).only("pk", "start", "end"))
            for row in rows:
                row.text_sha256 = hashlib.sha256(
                    text[row.start : row.end].encode("utf-8")
                ).hexdigest()
            model.objects.bulk_update(rows, ["text_sha256"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0007_merge_commitment_fields_uploads_places"),
    ]

    operations = [
        migrations.AddField(
            model_name="paragraph",
            name="text_sha256",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="section",
            name="text_sha256",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(hash_existing_spans, migrations.RunPython.noop),
    ]
