"""The vocabulary and editors' corrections in the admin."""

from django.contrib import admin

from explorer.models import CommitmentCorrection, Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "unit_family", "higher_is_better", "slug", "updated_at"]
    list_filter = ["unit_family", "higher_is_better"]
    search_fields = ["name", "synonyms", "description"]

    def has_delete_permission(self, request, obj=None):
        return False  # the vocabulary page is citable: rename or describe, never drop


@admin.register(CommitmentCorrection)
class CommitmentCorrectionAdmin(admin.ModelAdmin):
    """Corrections are made on the explorer's correction page (which logs them); here they
    are only read, including those a re-parse left without a matching sentence."""

    list_display = [
        "report",
        "number_text",
        "indicator",
        "value",
        "unit",
        "kind",
        "marked_wrong",
        "user",
        "at",
        "applies",
    ]
    list_filter = ["marked_wrong", "kind"]
    search_fields = ["report__public_id", "number_text", "indicator", "note"]
    readonly_fields = [f.name for f in CommitmentCorrection._meta.fields]

    @admin.display(boolean=True, description="applies to current version")
    def applies(self, obj):
        from explorer.queries import orphaned_corrections

        if not hasattr(self, "_orphans"):
            self._orphans = {c.pk for c in orphaned_corrections()}
        return obj.pk not in self._orphans

    def changelist_view(self, request, extra_context=None):
        from explorer.queries import orphaned_corrections

        self._orphans = {c.pk for c in orphaned_corrections()}
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
