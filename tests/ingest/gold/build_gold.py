#!/usr/bin/env python3
"""Merge the corpus gold: metadata/chrome/sections (corpus_meta.json) + commitment passages
(corpus_commitments.json, kept by the commitments side) -> corpus.json, the file the scorer reads.

    python tests/ingest/gold/build_gold.py
    python ../shared/tools/score_parse.py --gold tests/ingest/gold/corpus.json --root ../shared/corpus

corpus_commitments.json may be {"docs": [{"id": ..., "passages": [...]}, ...]} or {id: [passages]};
a document missing there keeps "passages": [].
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


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


def build(meta_path: Path = HERE / "corpus_meta.json", commitments_path: Path = HERE / "corpus_commitments.json") -> dict:
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    passages = load_passages(commitments_path)
    docs = []
    for doc in meta["docs"]:
        merged = dict(doc)
        merged["passages"] = passages.get("file:" + doc["file"], passages.get(doc["id"], doc.get("passages", [])))
        docs.append(merged)
    known = {d["id"] for d in meta["docs"]} | {"file:" + d["file"] for d in meta["docs"]}
    unknown = sorted(k for k in set(passages) - known if not k.startswith("file:"))
    return {"docs": docs, "unmatched_commitment_ids": unknown} if unknown else {"docs": docs}


def main() -> int:
    out = HERE / "corpus.json"
    result = build()
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n = sum(len(d["passages"]) for d in result["docs"])
    print(f"wrote {out} with {len(result['docs'])} docs, {n} passages")
    if result.get("unmatched_commitment_ids"):
        print("warning: commitment gold for unknown ids:", ", ".join(result["unmatched_commitment_ids"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
