#!/usr/bin/env python3
"""Merge the corpus gold: metadata/chrome/sections (corpus_meta.json) + commitment passages
(corpus_commitments.json, kept by the commitments side) -> corpus.json, the file the scorer reads;
and the whole-paragraph gold (corpus_paragraphs.json: every commitment of each passage) ->
paragraphs.json, with the metadata of corpus_meta.json or, for a document not there, the place,
level and year of ../shared/corpus/MANIFEST.tsv.

    python tests/ingest/gold/build_gold.py
    python ../shared/tools/score_parse.py --gold tests/ingest/gold/corpus.json --root ../shared/corpus
    python ../shared/tools/score_parse.py --gold tests/ingest/gold/paragraphs.json --root ../shared/corpus

corpus_commitments.json may be {"docs": [{"id": ..., "passages": [...]}, ...]} or {id: [passages]};
a document missing there keeps "passages": [].
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE.parents[3] / "shared" / "corpus" / "MANIFEST.tsv"


def load_passages(path: Path) -> dict[str, list]:
    """Passages by document id and, where given, by file (relative to the corpus root)."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "docs" in data:
        out = {}
        for d in data["docs"]:
            out[d["id"]] = d.get("passages", [])
            if d.get("file"):
                out["file:" + d["file"]] = d.get("passages", [])
        return out
    if isinstance(data, dict):
        return {k: (v.get("passages", []) if isinstance(v, dict) else v) for k, v in data.items()}
    return {d["id"]: d.get("passages", []) for d in data}


def build(
    meta_path: Path = HERE / "corpus_meta.json",
    commitments_path: Path = HERE / "corpus_commitments.json",
) -> dict:
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    passages = load_passages(commitments_path)
    docs = []
    for doc in meta["docs"]:
        merged = dict(doc)
        merged["passages"] = passages.get(
            "file:" + doc["file"], passages.get(doc["id"], doc.get("passages", []))
        )
        docs.append(merged)
    known = {d["id"] for d in meta["docs"]} | {"file:" + d["file"] for d in meta["docs"]}
    unknown = sorted(k for k in set(passages) - known if not k.startswith("file:"))
    return {"docs": docs, "unmatched_commitment_ids": unknown} if unknown else {"docs": docs}


def build_paragraphs(
    meta_path: Path = HERE / "corpus_meta.json",
    paragraphs_path: Path = HERE / "corpus_paragraphs.json",
) -> dict:
    meta = {d["id"]: d for d in json.loads(meta_path.read_text(encoding="utf-8"))["docs"]}
    with open(MANIFEST, encoding="utf-8") as f:
        manifest = {r["file"]: r for r in csv.DictReader(f, delimiter="\t")}
    docs = []
    for d in json.loads(paragraphs_path.read_text(encoding="utf-8"))["docs"]:
        if d["id"] in meta:
            expect = meta[d["id"]]["expect"]
        else:
            row = manifest[d["file"]]
            expect = {
                "place_endswith": row["place"],
                "place_contains": row["place"],
                "level": row["level"],
                "year": int(row["year"]),
                "doc_type": "work_report",
            }
        docs.append(
            {
                "id": d["id"],
                "file": d["file"],
                "expect": expect,
                "absent": [],
                "present": [],
                "sections_include": [],
                "passages": d["passages"],
            }
        )
    return {"docs": docs}


def main() -> int:
    paragraphs = build_paragraphs()
    (HERE / "paragraphs.json").write_text(
        json.dumps(paragraphs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {HERE / 'paragraphs.json'} with {len(paragraphs['docs'])} docs")
    out = HERE / "corpus.json"
    result = build()
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n = sum(len(d["passages"]) for d in result["docs"])
    print(f"wrote {out} with {len(result['docs'])} docs, {n} passages")
    if result.get("unmatched_commitment_ids"):
        print(
            "warning: commitment gold for unknown ids:",
            ", ".join(result["unmatched_commitment_ids"]),
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
