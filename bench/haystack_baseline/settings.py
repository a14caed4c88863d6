"""The archive's settings, except: haystack's stock Whoosh backend (jieba's ChineseAnalyzer
instead of its stemming one, as Chinese sites configure it) over the baseline index named by
ARCHIVE_BASELINE_INDEX, and a URLconf with haystack's stock SearchView as its only page."""

import os
from pathlib import Path

from config.settings import *  # noqa: F403
from config.settings import TEMPLATES

ROOT_URLCONF = "bench.haystack_baseline.urls"
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "bench.haystack_baseline.backend.ChineseWhooshEngine",
        "PATH": os.environ["ARCHIVE_BASELINE_INDEX"],
    }
}
TEMPLATES = [
    {
        **TEMPLATES[0],
        "DIRS": [Path(__file__).resolve().parent / "templates", *TEMPLATES[0]["DIRS"]],
    },
    *TEMPLATES[1:],
]
