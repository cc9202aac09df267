"""The cell readers of the import framework (apps/core/imports.py): what a clerk types is read,
what is wrong says in Chinese what is expected."""

from datetime import date, datetime

import pytest

from apps.core.imports import (
    CellError,
    EthnicityWidget,
    clean_person_name,
    clean_phone,
    parse_date,
)
from apps.representatives.choices import ETHNICITY_CHOICES


@pytest.mark.parametrize(
    "value",
    ["2022-3-5", "2022-03-05", "2022/03/05", "2022/3/5", "2022.3.5", "2022年3月5日", "2022 年 3 月 5 日", "20220305",
     datetime(2022, 3, 5, 0, 0), date(2022, 3, 5), 44625, 44625.0, "44625"],
)  # fmt: skip
def test_dates_as_clerks_type_them(value):
    assert parse_date(value) == date(2022, 3, 5)


@pytest.mark.parametrize("value", ["明天", "2022-2-30", "3/5/2022", "2022年13月1日"])
def test_what_is_not_a_date_says_what_is_expected(value):
    with pytest.raises(CellError) as error:
        parse_date(value)
    assert "日期" in str(error.value)


def test_a_blank_date_is_none():
    assert parse_date("  ") is None and parse_date(None) is None


@pytest.mark.parametrize(
    ("value", "stored"),
    [("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("+86 138-1234-5678", "13812345678"),
     (13812345678, "13812345678"), (13812345678.0, "13812345678"), ("１３８１２３４５６７８", "13812345678"),
     ("0739-7322001", "0739-7322001"), ("(0739)7322001", "0739-7322001"), ("07397322001", "0739-7322001"),
     ("010-12345678", "010-12345678"), ("", "")],
)  # fmt: skip
def test_phones_are_read_in_one_form(value, stored):
    assert clean_phone(value) == stored


@pytest.mark.parametrize("value", ["12345", "23812345678", "138123456789", "7322001", "电话"])
def test_a_wrong_phone_is_refused(value):
    with pytest.raises(CellError) as error:
        clean_phone(value)
    assert "手机号码" in str(error.value)


def test_a_landline_is_refused_where_a_mobile_is_required():
    with pytest.raises(CellError):
        clean_phone("0739-7322001", mobile_only=True)


@pytest.mark.parametrize(
    ("value", "stored"),
    [("杨秀英", "杨秀英"), ("阿依古丽·买买提", "阿依古丽·买买提"), ("阿依古丽•买买提", "阿依古丽·买买提"),
     ("阿依古丽.买买提", "阿依古丽·买买提"), ("阿依古丽・买买提", "阿依古丽·买买提"), ("杨 秀英", "杨秀英")],
)  # fmt: skip
def test_names_with_the_middle_dot(value, stored):
    assert clean_person_name(value) == stored


@pytest.mark.parametrize("value", ["Bob", "杨秀英1", "·杨秀英", "杨··秀英"])
def test_a_name_that_is_not_chinese_is_refused(value):
    with pytest.raises(CellError):
        clean_person_name(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [("汉族", "01"), ("汉", "01"), ("苗", "06"), ("苗族", "06"), ("土家", "15"), ("蒙", "02"), ("蒙古", "02"),
     ("维吾尔", "05"), ("06", "06")],
)  # fmt: skip
def test_the_56_nationalities_and_their_short_forms(value, code):
    assert EthnicityWidget(ETHNICITY_CHOICES).clean(value) == code


def test_an_unknown_nationality_gets_a_suggestion():
    with pytest.raises(CellError) as error:
        EthnicityWidget(ETHNICITY_CHOICES).clean("土家组")
    assert "56 个民族" in str(error.value) and "土家族" in str(error.value)
