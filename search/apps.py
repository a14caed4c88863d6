from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "检索 Search"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_save

        from archive.models import Place
        from archive.signals import report_changed
        from search import analysis
        from search.indexing import enqueue_changed_report, enqueue_renamed_place

        # Editors' own word lists (config/settings.py, SEARCH_USER_DICTS).
        analysis.configure(settings.SEARCH_USER_DICTS)
        # Every edit of a report queues its index change in the edit's transaction (the
        # outbox, archive/signals.py). A dispatch uid: ready() may run more than once in tests.
        report_changed.connect(enqueue_changed_report, dispatch_uid="search.index_outbox")
        # A place's names are in its reports' index entries: saving one re-queues them.
        post_save.connect(enqueue_renamed_place, sender=Place, dispatch_uid="search.place_renamed")
