"""The moved tables take the explorer app's names (a rename: every row stays)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("explorer", "0001_explorer_models_from_archive"),
    ]

    operations = [
        migrations.AlterModelTable(name="indicator", table=None),
        migrations.AlterModelTable(name="commitmentcorrection", table=None),
        migrations.AlterModelTable(name="explorerrow", table=None),
    ]
