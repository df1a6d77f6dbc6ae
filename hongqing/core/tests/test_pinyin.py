"""Pinyin keys: full pinyin and initials, with surname readings of polyphonic characters."""

import pytest

from hongqing.core.pinyin import pinyin_keys


@pytest.mark.parametrize(
    "name, full, initials",
    [
        ("张伟", "zhangwei", "zw"),
        ("李娜", "lina", "ln"),
        ("欧阳娜娜", "ouyangnana", "oynn"),
        (" 张 伟 ", "zhangwei", "zw"),
        ("", "", ""),
        (None, "", ""),
    ],
)
def test_keys(name, full, initials):
    assert pinyin_keys(name) == (full, initials)


@pytest.mark.parametrize(
    "name, full",
    [
        ("曾伟", "zengwei"),  # not céng
        ("单丽", "shanli"),  # not dān
        ("解放", "xiefang"),  # a person named 解放, surname xiè
        ("仇英", "qiuying"),
        ("朴树", "piaoshu"),
        ("区明", "ouming"),
        ("查文", "zhawen"),
        ("覃芳", "qinfang"),
        ("翟刚", "zhaigang"),
        ("长江", "changjiang"),
        ("乐乐", "yuele"),  # the surname only: the given name keeps the common reading
        ("单于丽", "chanyuli"),  # compound surnames first
        ("长孙无忌", "zhangsunwuji"),
        ("尉迟恭", "yuchigong"),
    ],
)
def test_surname_readings(name, full):
    assert pinyin_keys(name)[0] == full


def test_polyphonic_given_name_uses_the_common_reading():
    # 重 in a given name: pypinyin's phrase reading (重阳 chóngyáng) is kept.
    assert pinyin_keys("王重阳") == ("wangchongyang", "wcy")


def test_non_chinese_characters_are_ignored():
    assert pinyin_keys("李ZH") == ("li", "l")
    assert pinyin_keys("John Smith") == ("", "")


def test_keys_are_lower_case_ascii():
    full, initials = pinyin_keys("吕绿绿")
    assert full.isascii() and full == full.lower()
    assert initials == "lll"
