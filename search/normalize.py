"""The search side's name for the archive's one normalisation (archive.ingest.textnorm, which
the ingest pipeline uses too): the index, queries, `?hl=` marks, snippets, the grid, the
trend and the brute-force check all normalise through these functions."""

from archive.ingest.textnorm import (  # noqa: F401 - this module's public names
    find_all,
    normalize,
    normalize_with_offset_map,
    normalize_with_offsets,
    original_span,
)
