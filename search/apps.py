from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "检索 Search"

    def ready(self) -> None:
        from django.conf import settings

        from search import analysis

        # Editors' own word lists (config/settings.py, SEARCH_USER_DICTS).
        analysis.configure(settings.SEARCH_USER_DICTS)
