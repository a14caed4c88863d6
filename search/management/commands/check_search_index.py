"""Compare the search index with the database; --repair fixes what differs.

Texts: every published report's current version must be searchable; one without sections
is indexed as a single whole-text document (search.search_indexes.whole_text_section).
Missing: a section of a published report's current version that is not in the index.
Stale: indexed from another version, before the report last changed, or with a year, place,
kind or title that is not the database's (compared value by value: "metadata differs").
Orphaned: in the index but not expected (unpublished, withdrawn, an old version, deleted).
Exits 1 when drift is found and not repaired, so that it can run from cron or a health check.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from search.indexing import drift


class Command(BaseCommand):
    help = "Report index-vs-database drift (missing, stale, orphaned sections); --repair fixes it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair",
            action="store_true",
            help="reindex the reports concerned and drop orphaned entries",
        )
        parser.add_argument(
            "--verbose-ids", action="store_true", help="list the section ids concerned"
        )

    def handle(self, *args, repair: bool, verbose_ids: bool, **options):
        found = drift()
        summary = (
            f"{found['texts_searchable']} of {found['texts']} published texts searchable; "
            f"sections missing {len(found['missing'])}, stale {len(found['stale'])}, "
            f"orphaned {len(found['orphaned'])}; metadata differs {len(found['metadata'])}"
        )
        if verbose_ids:
            for key in ("missing", "stale", "metadata", "orphaned"):
                if found[key]:
                    self.stdout.write(f"{key}: {' '.join(found[key])}")
        if not (found["missing"] or found["stale"] or found["orphaned"]):
            self.stdout.write(
                self.style.SUCCESS("index agrees with the database (" + summary + ")")
            )
            return
        if not repair:
            self.stdout.write(self.style.WARNING("drift: " + summary + " (run with --repair)"))
            raise SystemExit(1)
        from search.indexing import repair as do_repair

        n = do_repair(found)
        after = drift()
        left = len(after["missing"]) + len(after["stale"]) + len(after["orphaned"])
        self.stdout.write(
            self.style.SUCCESS(f"repaired: {summary}; {n} report(s) reindexed; {left} left")
        )
        if left:
            raise SystemExit(1)
