"""The explorer app takes over the vocabulary, the corrections and the explorer's table from
the archive app (archive 0008 dropped them from its state). State only: the tables keep their
archive_* names and their rows here; 0002 renames them.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('archive', '0008_move_explorer_models_to_explorer_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
        migrations.CreateModel(
            name='Indicator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('slug', models.SlugField(help_text="ASCII (pinyin) name used in the vocabulary page's anchors", max_length=120, unique=True)),
                ('synonyms', models.JSONField(blank=True, default=list, help_text='other ways reports write it, e.g. ["GDP", "经济增长"]')),
                ('unit_family', models.CharField(choices=[('percent', '百分比 percent'), ('money', '金额 money'), ('people', '人数 people'), ('count', '个数 count'), ('area', '面积 area'), ('mass', '重量 mass'), ('length', '长度 length'), ('power', '功率 power'), ('energy', '能量 energy'), ('volume', '体积 volume'), ('containers', '集装箱 containers'), ('cloth', '布匹 cloth'), ('concentration', '浓度 concentration'), ('age', '年龄 age'), ('days', '天数 days'), ('hours', '小时 hours')], max_length=16)),
                ('higher_is_better', models.BooleanField(blank=True, help_text='empty: no direction (neither more nor less is better)', null=True)),
                ('description', models.TextField(blank=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'db_table': 'archive_indicator',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='CommitmentCorrection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sentence_key', models.CharField(help_text='sha256 of the normalised sentence', max_length=64)),
                ('number_text', models.CharField(help_text='the number as written, e.g. 21%', max_length=60)),
                ('original', models.JSONField(default=dict, help_text='what the pipeline read, for the record')),
                ('indicator', models.CharField(blank=True, max_length=100)),
                ('value', models.FloatField(blank=True, null=True)),
                ('value_max', models.FloatField(blank=True, null=True)),
                ('unit', models.CharField(blank=True, max_length=30)),
                ('qualifier', models.CharField(blank=True, max_length=30)),
                ('kind', models.CharField(blank=True, choices=[('target', '目标 target'), ('achievement', '完成 achievement')], max_length=12)),
                ('direction', models.CharField(blank=True, choices=[('up', '增 up'), ('down', '降 down'), ('level', '水平 level')], max_length=8)),
                ('period', models.CharField(blank=True, choices=[('year', '当年 year'), ('multi_year_average', '年均 multi-year average'), ('cumulative', '累计 cumulative'), ('by_year', '到某年 by year')], max_length=20)),
                ('horizon', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('scope', models.CharField(blank=True, max_length=100)),
                ('baseline', models.FloatField(blank=True, null=True)),
                ('marked_wrong', models.BooleanField(default=False, help_text='not a commitment at all: hide it from tables')),
                ('note', models.TextField(blank=True)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('report', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='commitment_corrections', to='archive.report')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'archive_commitmentcorrection',
                'ordering': ['report', 'sentence_key', 'number_text', '-at', '-pk'],
                'indexes': [models.Index(fields=['report', 'sentence_key', 'number_text'], name='correction_key')],
                'constraints': [models.CheckConstraint(condition=models.Q(('value_max__isnull', True), ('value__isnull', False), _connector='OR'), name='correction_range_has_value')],
            },
        ),
        migrations.CreateModel(
            name='ExplorerRow',
            fields=[
                ('commitment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='archive.commitment')),
                ('place_name', models.CharField(max_length=200)),
                ('year', models.PositiveSmallIntegerField(null=True)),
                ('indicator', models.CharField(max_length=100)),
                ('kind', models.CharField(choices=[('target', '目标 target'), ('achievement', '完成 achievement')], max_length=12)),
                ('qualifier', models.CharField(max_length=30)),
                ('unit', models.CharField(max_length=30)),
                ('value', models.FloatField()),
                ('place', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='archive.place')),
                ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='archive.report')),
            ],
            options={
                'db_table': 'archive_explorerrow',
                'ordering': ['year', 'place_name', 'commitment'],
                'indexes': [models.Index(fields=['year', 'place_name', 'commitment'], name='exrow_year_place'), models.Index(fields=['place_name', 'year', 'commitment'], name='exrow_place_year'), models.Index(fields=['indicator', 'kind', 'place', 'unit', 'qualifier', 'year'], name='exrow_indicator'), models.Index(fields=['indicator', 'value'], name='exrow_indicator_value'), models.Index(fields=['place', 'year'], name='exrow_place_id_year')],
            },
        ),
    ]),
    ]
