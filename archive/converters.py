"""URL converters for the archive's readable and short links.

Django's <slug:> matches ASCII words only and cannot span the place path, so readable paths
("tianjin-shi/heping-qu/2016/work-report") get a converter of their own.
"""

from archive.models import PUBLIC_ID_PATTERN


class ReadablePathConverter:
    regex = r"[a-z0-9-]+(?:/[a-z0-9-]+)*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class PublicIdConverter:
    regex = PUBLIC_ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
