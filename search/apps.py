from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "检索 Search"

    def ready(self) -> None:
        from django.conf import settings

        from archive.signals import report_changed
        from search import analysis
        from search.indexing import enqueue_changed_report

        # Editors' own word lists (config/settings.py, SEARCH_USER_DICTS).
        analysis.configure(settings.SEARCH_USER_DICTS)
        # Every edit of a report queues its index change in the edit's transaction (the
        # outbox, archive/signals.py). A dispatch uid: ready() may run more than once in tests.
        report_changed.connect(enqueue_changed_report, dispatch_uid="search.index_outbox")
