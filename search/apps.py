from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "检索 Search"

    def ready(self) -> None:
        from django.conf import settings

        from search import analysis

        # Editors' own word lists, beside the curated search/data/userdict.txt (one word a
        # line, optionally "word freq tag" as in jieba); a rebuild applies them to ranking.
        analysis.configure(getattr(settings, "SEARCH_USER_DICTS", []))
