from django.apps import AppConfig


class FeedsConfig(AppConfig):
    """Following and finding the archive: Atom feeds of any search and any place, the sitemap
    of every permalink, robots.txt and the favicon."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "feeds"
    verbose_name = "订阅与索引 Feeds and sitemap"
