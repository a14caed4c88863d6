"""Write the baseline index for an archive: every published report's current sections, the
same documents the archive indexes, through `bench.bench_search.default_haystack_build`.

    ARCHIVE_VAR_DIR=FOLDER .venv/bin/python bench/haystack_baseline/build.py OUT_FOLDER

Run with the archive's own settings (it reads the archive's database); prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from archive.models import Report
    from bench.bench_search import default_haystack_build

    ids = list(Report.objects.published().order_by("pk").values_list("pk", flat=True))
    info = default_haystack_build(ids, out)
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
