from django.apps import AppConfig


class ExplorerConfig(AppConfig):
    name = "explorer"
    verbose_name = "数字目标 Commitments explorer"

    def ready(self) -> None:
        # The explorer's table follows every write to reports and places (explorer.rows).
        from explorer import rows  # noqa: F401
