"""Pinyin keys for searching Chinese names by full pinyin or by initials (``zw`` finds 张伟)."""

from pypinyin import lazy_pinyin

# Surnames read differently from the character's everyday reading: people type 曾伟 as "zengwei",
# not "cengwei". Only readings pypinyin gets wrong for a name are listed.
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "覃": "qin",
    "乐": "yue",
    "缪": "miao",
    "盖": "ge",
    "种": "chong",
    "重": "chong",
    "员": "yun",
    "召": "shao",
    "繁": "po",
    "秘": "bi",
    "折": "she",
    "翟": "zhai",
    "句": "gou",
    "长": "chang",
    "郇": "xun",
    "阚": "kan",
    "隗": "wei",
    "祭": "zhai",
    "薄": "bo",
    "卜": "bu",
    "藏": "zang",
}
# Two-character surnames, taken as a whole before the one-character table (单于 is chanyu).
COMPOUND_SURNAMES = {
    "单于": ["chan", "yu"],
    "长孙": ["zhang", "sun"],
    "尉迟": ["yu", "chi"],
    "万俟": ["mo", "qi"],
    "乐正": ["yue", "zheng"],
    "澹台": ["tan", "tai"],
}


def syllables(name: str) -> list[str]:
    name = (name or "").strip()
    if name[:2] in COMPOUND_SURNAMES:
        head, rest = COMPOUND_SURNAMES[name[:2]], name[2:]
    elif name[:1] in SURNAME_READINGS:
        head, rest = [SURNAME_READINGS[name[0]]], name[1:]
    else:
        head, rest = [], name
    return [s.lower() for s in head + lazy_pinyin(rest, errors="ignore") if s]


def pinyin_keys(name: str) -> tuple[str, str]:
    parts = syllables(name)
    return "".join(parts), "".join(p[0] for p in parts)
