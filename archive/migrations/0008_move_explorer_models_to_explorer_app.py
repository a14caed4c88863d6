"""The commitments explorer's models leave the archive app for the explorer app.

State only for the vocabulary, the corrections and the explorer's table: their tables and rows
stay where they are and the explorer app takes them over (explorer 0001, which depends on this
migration, so the archive's migrations never depend on the explorer). ExplorerSync goes for
good: the explorer's table is now kept current by the writers, so no reader needs to know
when it was last brought up to date.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0007_merge_commitment_fields_uploads_places"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ExplorerRow"),
                migrations.DeleteModel(name="CommitmentCorrection"),
                migrations.DeleteModel(name="Indicator"),
            ],
            database_operations=[],
        ),
        migrations.DeleteModel(name="ExplorerSync"),
    ]
