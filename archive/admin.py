"""Staff admin: browse everything, change only what editors may change.

Versions, sections, paragraphs and source files are read-only here: they are the record of
what was uploaded and read, and corrections go through the report's metadata.
"""

from django.contrib import admin

from archive.models import Place, PlaceAlias, Report, ReportAlias, ReportVersion, SourceFile


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["full_name", "level", "code", "slug"]
    list_filter = ["level"]
    search_fields = ["full_name", "code", "slug"]
    raw_id_fields = ["parent"]


class VersionInline(admin.TabularInline):
    model = ReportVersion
    fields = ["number", "pipeline_version", "source", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "place", "year", "doc_type", "status", "public_id"]
    list_filter = ["status", "doc_type", "year"]
    search_fields = ["title", "public_id", "place__full_name"]
    readonly_fields = [
        "public_id",
        "readable_path",
        "current_version",
        "created_at",
        "updated_at",
        "published_at",
        "withdrawn_at",
    ]
    raw_id_fields = ["place"]
    inlines = [VersionInline]

    def has_delete_permission(self, request, obj=None):
        return False  # permalinks are a promise: withdraw, never delete

    def save_model(self, request, obj, form, change):
        from archive.services import correct_metadata

        if change:
            # The form has already set the new values on obj: correct a fresh copy so that the
            # log records old -> new and the readable path moves with an alias left behind.
            original = Report.objects.get(pk=obj.pk)
            correct_metadata(
                original,
                user=request.user,
                **{
                    f: form.cleaned_data[f]
                    for f in form.changed_data
                    if f in ("title", "place", "year", "doc_type")
                },
            )
        else:
            super().save_model(request, obj, form, change)


@admin.register(ReportVersion)
class ReportVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "number", "pipeline_version", "created_at"]
    readonly_fields = [f.name for f in ReportVersion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SourceFile)
class SourceFileAdmin(admin.ModelAdmin):
    list_display = ["original_name", "media_type", "size", "sha256", "uploaded_at"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = [f.name for f in SourceFile._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(ReportAlias)
admin.site.register(PlaceAlias)
admin.site.site_header = "政府工作报告档案 · 管理"
