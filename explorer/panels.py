"""The commitments downloads as panel files researchers load directly: Apache Parquet (written
by pyarrow) and Stata .dta (written by pandas, format 118, Unicode), one row per number with
the same columns as the CSV (see the codebook page).

Why these writers: pandas' `to_stata` is the maintained Stata writer in Python (variable labels,
strL for long sentences, Unicode); pyarrow is the reference Parquet implementation and pandas
writes Parquet through it anyway, so the two formats cost one dependency pair, not two.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import pandas as pd

# columns that hold text of any length: Stata's str# stops at 2045 bytes, strL does not
LONG_TEXT = ("sentence", "correction_note", "permalink")
# Stata has no boolean or nullable integer type: 0/1 and missing values instead
BOOLEAN = ("normalised", "corrected")
NUMERIC = ("year", "value", "value_max", "horizon", "baseline")


def frame(rows: Iterable[dict], columns: list[str]) -> pd.DataFrame:
    """The rows as a DataFrame with the given columns in order; text None becomes ""."""
    df = pd.DataFrame.from_records(list(rows), columns=columns)
    for c in columns:
        if c in BOOLEAN:
            df[c] = df[c].fillna(False).astype("int8")
        elif c in NUMERIC:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
        else:
            df[c] = df[c].fillna("").astype(str)
    return df


def to_parquet(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, engine="pyarrow", index=False)
    return buf.getvalue()


def to_stata(df: pd.DataFrame, labels: dict[str, str]) -> bytes:
    """A Stata 14+ file (format 118: Unicode strings) with each variable labelled."""
    buf = io.BytesIO()
    # a variable label holds 80 characters at most
    variable_labels = {c: labels[c][:80] for c in df.columns if c in labels}
    df.to_stata(
        buf,
        write_index=False,
        version=118,
        variable_labels=variable_labels,
        convert_strl=[c for c in LONG_TEXT if c in df.columns],
    )
    return buf.getvalue()
