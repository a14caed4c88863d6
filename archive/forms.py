"""Forms for the editors' pages: every value from a request is validated here."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

from django import forms

from archive.ingest.years import FIRST_YEAR, LAST_YEAR
from archive.models import DocType, Place, Report
from archive.uploads import ALLOWED_SUFFIXES  # noqa: F401  (one list, kept by the uploads)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe for multiple uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        # An empty file is refused per file by archive.uploads, not for the whole batch.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if not data:
            raise forms.ValidationError(
                "请选择要上传的文件。Choose a file to upload.", code="required"
            )
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


def safe_filename(name: str) -> str:
    """The last part of whatever path a browser sent, without control characters."""
    base = PureWindowsPath(PurePosixPath(name).name).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '\\/:*?"<>|').strip(". ")
    if len(base) > 200:  # shorten the stem, keep the extension that says what the file is
        stem, dot, ext = base.rpartition(".")
        base = f"{stem[:190]}.{ext[:9]}" if dot and len(ext) <= 9 else base[:200]
    return base or "upload"


class UploadForm(forms.Form):
    files = MultipleFileField(label="报告文件 Report files (.txt .html .docx .pdf)")
    publish = forms.BooleanField(
        label="不经审核立即发布 Publish at once, without review", required=False, initial=False
    )

    def clean_files(self):
        # Only the names are settled here. Whether each file is acceptable (type, size, empty)
        # is decided per file by archive.uploads, so that one bad file never rejects the batch.
        files = self.cleaned_data["files"]
        for f in files:
            f.name = safe_filename(f.name)
        return files


class MetadataForm(forms.Form):
    title = forms.CharField(label="标题 Title", max_length=300)
    place = forms.CharField(
        label="地区 Place (全称或区划代码, full name or GB/T 2260 code; 留空=未知)",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "list": "place-options",
                "autocomplete": "off",
                "data-place-autocomplete": "/places.json",
            }
        ),
    )
    year = forms.IntegerField(
        label="年份 Year (留空=未知)", required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    doc_type = forms.ChoiceField(label="类型 Kind", choices=DocType.choices)
    # The rest of what the pipeline reads from the text: all correctable.
    delivered = forms.DateField(
        label="作报告日期 Delivered (YYYY-MM-DD, 留空=未知)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    meeting = forms.CharField(label="会议 Meeting", required=False, max_length=200)
    speaker = forms.CharField(label="报告人 Speaker", required=False, max_length=100)
    publisher = forms.CharField(
        label="发布者 Publisher (留空=按原件 as the copy says)", required=False, max_length=200
    )

    FIELDS = ("title", "place", "year", "doc_type", "delivered", "meeting", "speaker", "publisher")

    def __init__(self, *args, report: Report, **kwargs):
        self.report = report
        initial = {
            "title": report.title,
            "place": report.place.full_name if report.place else "",
            "year": report.year,
            "doc_type": report.doc_type,
            "delivered": report.delivered,
            "meeting": report.meeting,
            "speaker": report.speaker,
            "publisher": report.publisher,
        }
        super().__init__(*args, initial=initial, **kwargs)

    def clean_place(self) -> Place | None:
        from archive.services import UnknownPlace, place_from_name

        value = self.cleaned_data["place"].strip()
        if not value:
            return None
        try:
            return place_from_name(value)
        except UnknownPlace as e:
            raise forms.ValidationError(str(e)) from None

    def changes(self) -> dict:
        # The fields added later (dates, meeting, speaker, publisher) change only when the
        # request sends them: a client that posts the first four never blanks the rest.
        optional = ("delivered", "meeting", "speaker", "publisher")
        return {k: self.cleaned_data[k] for k in self.FIELDS if k not in optional or k in self.data}
