"""Bytes -> str for plain-text uploads.

Fast paths first (a BOM, strict UTF-8, UTF-16 without BOM, strict GB18030), then
charset-normalizer for whatever else comes in (Big5, UTF-16 oddities, mixed files).
Line ends are normalised to "\\n"; nothing else in the text is changed.
"""

from __future__ import annotations

import codecs
import re

from .result import IngestError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0 controls other than tab/newline/carriage return/form feed: many of them = binary.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without BOM shows NULs in every other byte for ASCII (and often CJK lines)."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_nul = data[0::2].count(0)
    odd_nul = data[1::2].count(0)
    half = len(data) // 2
    for nuls, enc in ((odd_nul, "utf-16-le"), (even_nul, "utf-16-be")):
        other = even_nul if enc == "utf-16-le" else odd_nul
        if nuls > half * 0.2 and other < half * 0.05:
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                return None
    return None


_PUA = re.compile(r"[\ue000-\uf8ff]")


def _private_use_ratio(text: str) -> float:
    sample = text[:50000]
    return len(_PUA.findall(sample)) / max(1, len(sample))


def normalise_newlines(text: str) -> str:
    return (
        text.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\u2028", "\n")
        .replace("\u2029", "\n")
    )


def looks_binary(text: str) -> bool:
    if not text:
        return False
    sample = text[:20000]
    bad = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    return bad > max(8, len(sample) * 0.02)


# A text with at most this share of undecodable bytes is read with replacement characters
# (and a warning) rather than refused: two stray bytes in a 30,000-character GB18030 report are
# a damaged copy of a report, not a binary file.
MAX_BAD_BYTE_SHARE = 0.001


def _lenient(data: bytes, warnings: list[str] | None) -> tuple[str, str] | None:
    """UTF-8, then GB18030, read with U+FFFD for the few byte sequences that do not decode.
    UTF-8 first: GB18030 decodes most UTF-8 bytes too, into the wrong characters."""
    if warnings is None:
        return None
    allowed = max(1, int(len(data) * MAX_BAD_BYTE_SHARE))
    for enc in ("utf-8", "gb18030"):
        text = data.decode(enc, errors="replace")
        bad = text.count("\ufffd") - data.count("\ufffd".encode(enc))
        # A stray byte shifts GB18030's two-byte pairs until the next ASCII byte, so the run
        # after it may read as private-use characters: a looser bound than the fast path's,
        # still far below what another encoding gives (Big5 read as GB18030: ~60%).
        if (
            0 < bad <= allowed
            and not looks_binary(text)
            and (enc == "utf-8" or _private_use_ratio(text) < 0.02)
        ):
            first = text.index("\ufffd")
            warnings.append(
                f"有 {bad} 处字节无法按 {enc.upper()} 解码，已显示为 “\ufffd”（第一处在第 {first} 个字符附近）；"
                f"原件按字节保存未改动。 ({bad} undecodable byte sequence(s) shown as U+FFFD, the first "
                f"near character {first}; the original file is kept byte for byte.)"
            )
            return normalise_newlines(text), enc
    return None


def decode_bytes(data: bytes, warnings: list[str] | None = None) -> tuple[str, str]:
    """Return (text, encoding name). Raises IngestError for text that is not text. Given a
    `warnings` list, a text with a few undecodable bytes is read with replacement characters
    and a warning is appended (without it, such a text goes to the detector as before)."""
    decoded = _by_bom(data)
    if decoded is None:
        if b"\x00" not in data[:4096]:
            decoded = _utf8_or_gb18030(data, warnings)
        else:
            decoded = _utf16_by_content(data)
    return decoded if decoded is not None else _by_detector(data)


def _by_bom(data: bytes) -> tuple[str, str] | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return normalise_newlines(data[len(bom) :].decode(enc.replace("-sig", ""))), enc
            except UnicodeDecodeError:
                return None  # a BOM followed by garbage: let the detector judge
    return None


def _utf8_or_gb18030(data: bytes, warnings: list[str] | None) -> tuple[str, str] | None:
    """The two encodings Chinese reports come in, clean; else with a few damaged bytes."""
    try:
        return normalise_newlines(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        # GB18030 decodes almost any byte string; Big5 and other encodings come out as
        # private-use and rare characters. Only a clean decode takes the fast path.
        if not looks_binary(text) and _private_use_ratio(text) < 0.002:
            return normalise_newlines(text), "gb18030"
    except UnicodeDecodeError:
        pass
    return _lenient(data, warnings)


def _utf16_by_content(data: bytes) -> tuple[str, str] | None:
    """NUL bytes near the start: UTF-16 without a BOM, when it reads as text."""
    text = _utf16_without_bom(data)
    if text is not None and not looks_binary(text):
        return normalise_newlines(text), "utf-16"
    return None


def _by_detector(data: bytes) -> tuple[str, str]:
    """charset-normalizer's best guess, for the encodings the fast paths do not try (Big5...)."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # the detector must never take the pipeline down
        best = None
    if best is None:
        raise IngestError(
            "文件不是可识别的文本，可能是二进制文件 (binary or undecodable file: no text encoding fits)"
        )
    text = str(best)
    if looks_binary(text):
        raise IngestError("文件内容像是二进制数据，不是文本 (binary data, not text)")
    return normalise_newlines(text), best.encoding
