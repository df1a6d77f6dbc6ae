"""Pinyin keys for searching Chinese names by full pinyin or by initials (``zw`` finds 张伟)."""

from pypinyin import Style, lazy_pinyin


def pinyin_keys(name: str) -> tuple[str, str]:
    name = (name or "").strip()
    full = "".join(lazy_pinyin(name, errors="ignore")).lower()
    initials = "".join(
        p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if p
    ).lower()
    return full, initials
