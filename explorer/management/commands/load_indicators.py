"""Load the curated indicator vocabulary into the database.

    python manage.py load_indicators [--file PATH] [--replace]

The vocabulary ships as archive/ingest/data/indicators.json (the ingest pipeline reads the
file); the explorer's pages and filters read the database, where editors extend it in the
admin. By default entries editors have changed are left alone and only new names are added,
so running the command again (make setup does) never undoes an editor's work.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.ingest.commitments import DATA, vocabulary_problems
from archive.place_names import pinyin_slug
from explorer.models import Indicator, UnitFamily


def indicator_slug(name: str, taken: set[str]) -> str:
    # pinyin_slug gives pinyin ("地区生产总值" -> "diqushengchanzongzhi"); ASCII names stay readable.
    base = pinyin_slug(name) if not name.isascii() else name.lower().replace(".", "")
    base = "".join(ch for ch in base if ch.isalnum() or ch == "-") or "indicator"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


class Command(BaseCommand):
    help = "Load indicators.json into the Indicator table (adds new names; --replace overwrites)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=str(DATA), help="vocabulary JSON (default: the one the pipeline uses)"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite synonyms, unit family, direction and description of "
            "existing entries with the file's (undoes editors' changes)",
        )

    def handle(self, *args, file: str, replace: bool = False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(
                f"指标文件不是有效的 UTF-8 JSON (not valid UTF-8 JSON): {exc}"
            ) from exc
        problems = vocabulary_problems(data)
        unknown = {
            e["unit_family"] for e in data.get("indicators", []) if isinstance(e, dict)
        } - set(UnitFamily.values)
        problems += [
            f"单位类别 {f!r} 尚无数据库选项 (no UnitFamily choice)"
            for f in sorted(unknown, key=str)
        ]
        if problems:
            # nothing is loaded from a file with a problem: a half-loaded vocabulary would
            # file numbers under names the editor never meant
            raise CommandError("指标文件有误，未载入 (not loaded):\n" + "\n".join(problems[:50]))
        entries = data["indicators"]
        taken = set(Indicator.objects.values_list("slug", flat=True))
        added = updated = 0
        with transaction.atomic():
            for e in entries:
                fields = {
                    "synonyms": list(e.get("synonyms", [])),
                    "unit_family": e["unit_family"],
                    "family": e.get("family", ""),
                    "higher_is_better": e.get("higher_is_better"),
                    "description": e.get("description", ""),
                }
                existing = Indicator.objects.filter(name=e["name"]).first()
                if existing is None:
                    slug = indicator_slug(e["name"], taken)
                    taken.add(slug)
                    Indicator.objects.create(name=e["name"], slug=slug, **fields)
                    added += 1
                elif replace:
                    for k, v in fields.items():
                        setattr(existing, k, v)
                    existing.save()
                    updated += 1
                elif not existing.family and fields["family"]:
                    # the topic came after the entry: filling it in undoes no editor's work
                    existing.family = fields["family"]
                    existing.save(update_fields=["family", "updated_at"])
        if options["verbosity"]:
            self.stdout.write(
                f"indicators: {added} added, {updated} replaced, "
                f"{Indicator.objects.count()} in the vocabulary"
            )
