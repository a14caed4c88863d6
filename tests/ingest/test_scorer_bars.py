"""The shared scorer, run as CI runs it (subprocess, through `manage.py parse_report --json`),
against the seeds' gold (every figure 1.000) and the corpus gold (recall, precision, kind and
every stated field >= 0.97)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "tools" / "score_parse.py"
GOLD_DIR = Path(__file__).resolve().parent / "gold"


def run_scorer(gold: Path, root: Path) -> tuple[dict[str, float], dict[str, tuple[int, int]], str]:
    out = subprocess.run([sys.executable, str(SCORER), "--gold", str(gold), "--root", str(root),
                          "--python", sys.executable], cwd=ROOT, capture_output=True, text=True,
                         timeout=1800, check=True).stdout
    summary = out.strip().splitlines()[-1]
    figures = {k: float(v) for k, v in re.findall(r"(recall|precision|kind) ([0-9.]+)", summary)}
    fields = {f: (int(a), int(b)) for f, a, b in re.findall(r"(\w+) (\d+)/(\d+)", out.split("fields (on matched commitments): ")[-1].splitlines()[0])} \
        if "fields (on matched commitments): " in out else {}
    assert re.search(r"docs (\d+)/\1 parsed", summary), out
    return figures, fields, out


@pytest.mark.skipif(not SCORER.exists(), reason="the shared scorer belongs beside the project")
def test_seeds_score_one():
    figures, fields, out = run_scorer(SHARED / "gold" / "seeds.json", SHARED / "seeds")
    assert figures == {"recall": 1.0, "precision": 1.0, "kind": 1.0}, out
    assert all(ok == n for ok, n in fields.values()), out


@pytest.mark.skipif(not SCORER.exists(), reason="the shared scorer belongs beside the project")
def test_corpus_gold_meets_the_bars():
    build = subprocess.run([sys.executable, str(GOLD_DIR / "build_gold.py")], cwd=ROOT, capture_output=True,
                           text=True, check=True)
    assert "wrote" in build.stdout
    figures, fields, out = run_scorer(GOLD_DIR / "corpus.json", SHARED / "corpus")
    assert figures["recall"] >= 0.97 and figures["precision"] >= 0.97 and figures["kind"] >= 0.97, out
    assert fields, "the corpus gold states direction for some commitments"
    for f, (ok, n) in fields.items():
        assert ok / n >= 0.97, (f, ok, n, out)
