"""Resident ID numbers, phone numbers, credit codes and display masks."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cunju.core.idnumbers import (
    InvalidCreditCode,
    InvalidPhone,
    InvalidResidentId,
    ResidentId,
    credit_code_validator,
    mask_id_number,
    mask_name,
    mask_phone,
    phone_validator,
    resident_id_validator,
    validate_credit_code,
    validate_mobile,
    validate_resident_id,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check(body: str) -> str:
    """An 18-character number from its first 17 digits (computed independently of the module)."""
    assert len(body) == 17
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def id_error(value: str, **kwargs) -> InvalidResidentId:
    with translation.override("en"), pytest.raises(InvalidResidentId) as info:
        validate_resident_id(value, **kwargs)
    return info.value


# --- Resident ID numbers: valid ------------------------------------------------------------


def test_standard_example_with_check_x():
    # The worked example of GB 11643-1999.
    assert with_check("11010519491231002") == "11010519491231002X"
    result = validate_resident_id("11010519491231002X")
    assert result == ResidentId(
        number="11010519491231002X",
        birth_date=date(1949, 12, 31),
        sex="female",
        legacy=False,
        area_code="110105",
    )


def test_lower_case_x_and_surrounding_whitespace_are_normalised():
    result = validate_resident_id("  11010519491231002x\t")
    assert result.number == "11010519491231002X"


def test_full_width_digits_are_normalised():
    assert (
        validate_resident_id("１１０１０５１９４９１２３１００２ｘ").number == "11010519491231002X"
    )


def test_odd_sex_digit_is_male_even_is_female():
    male = validate_resident_id(with_check("11010519900307001"))
    female = validate_resident_id(with_check("11010519900307002"))
    assert (male.sex, female.sex) == ("male", "female")
    assert validate_resident_id(with_check("11010519900307009")).sex == "male"
    assert validate_resident_id(with_check("11010519900307000")).sex == "female"


def test_unknown_area_code_is_accepted():
    # 999999 is allocated to no area; abolished codes on old cards must still pass.
    result = validate_resident_id(with_check("99999919900307001"))
    assert result.area_code == "999999"


def test_feb_29_in_a_leap_year():
    result = validate_resident_id(with_check("11010520000229001"))
    assert result.birth_date == date(2000, 2, 29)
    assert validate_resident_id(with_check("11010519880229001")).birth_date == date(1988, 2, 29)


@pytest.mark.parametrize("birth", ["20010229", "19000229", "21000229"])
def test_feb_29_in_a_non_leap_year(birth):
    # 1900 and 2100 are not leap years (divisible by 100, not by 400).
    error = id_error(with_check(f"110105{birth}001"), today=date(2200, 1, 1))
    assert error.code == "birth_date"
    assert str(error) == f"The birth date part (digits 7–14) '{birth}' is not a valid date."


def test_born_today_is_accepted_and_tomorrow_is_in_the_future():
    number = with_check("11010520240501001")
    assert validate_resident_id(number, today=date(2024, 5, 1)).birth_date == date(2024, 5, 1)
    error = id_error(number, today=date(2024, 4, 30))
    assert error.code == "birth_date"
    assert str(error) == "The birth date part (digits 7–14) '20240501' is in the future."


def test_future_birth_date_against_the_real_clock():
    assert id_error(with_check("11010520990101001")).code == "birth_date"


def test_year_1900_is_the_earliest():
    assert validate_resident_id(with_check("11010519000101001")).birth_date == date(1900, 1, 1)
    error = id_error(with_check("11010518991231001"))
    assert error.code == "birth_date"
    assert str(error) == "The birth date part (digits 7–14) '18991231' is before 1900."


# --- Resident ID numbers: legacy 15-digit numbers -----------------------------------------


def test_legacy_number():
    result = validate_resident_id(" 110105900101123 ")
    assert result.legacy is True
    assert result.number == "110105900101123"
    assert result.birth_date == date(1990, 1, 1)
    assert result.sex == "male"
    assert result.area_code == "110105"
    assert validate_resident_id("110105900101124").sex == "female"


def test_legacy_to_18_inserts_century_and_check_char():
    upgraded = validate_resident_id("110105900101123").to_18()
    assert upgraded == with_check("11010519900101123") == "110105199001011232"
    assert validate_resident_id(upgraded).legacy is False
    assert validate_resident_id("110105491231002").to_18() == "11010519491231002X"


def test_to_18_of_an_18_digit_number_is_itself():
    assert validate_resident_id("11010519491231002X").to_18() == "11010519491231002X"


def test_legacy_invalid_date_names_digits_7_to_12():
    error = id_error("110105900230123")
    assert error.code == "birth_date"
    assert str(error) == "The birth date part (digits 7–12) '900230' is not a valid date."


def test_legacy_feb_29():
    assert validate_resident_id("110105960229123").birth_date == date(1996, 2, 29)
    assert id_error("110105970229123").code == "birth_date"


def test_legacy_number_has_only_digits():
    error = id_error("11010590010112X")
    assert error.code == "characters"
    assert "position 15" in str(error)


# --- Resident ID numbers: each error names its part ---------------------------------------


@pytest.mark.parametrize(
    "value", ["", "   ", "1101051990", "1101051949123100", "11010519491231002X1"]
)
def test_length(value):
    error = id_error(value)
    assert error.code == "length"
    assert "18 characters" in str(error) or "Enter a resident ID number" in str(error)


def test_length_message_counts_characters():
    assert "this one has 16." in str(id_error("1101051949123100"))


def test_non_digit_in_the_first_17_characters():
    error = id_error("1101051949A231002X")
    assert error.code == "characters"
    assert str(error) == (
        "The first 17 characters of a resident ID number are digits; 'A' at position 11 "
        "is not a digit."
    )


def test_bad_last_character():
    error = id_error("11010519491231002Y")
    assert error.code == "characters"
    assert str(error) == "The check character (the last one) must be a digit or X, not 'Y'."


def test_inner_space_is_a_character_error():
    error = id_error("110105 19491231002")
    assert error.code == "characters"
    assert "' ' at position 7" in str(error)


def test_area_code_starting_with_zero():
    error = id_error(with_check("01010519900307001"))
    assert error.code == "area"
    assert "The area code part (digits 1–6) '010105'" in str(error)


def test_impossible_month_and_day():
    error = id_error("110105199013321234")
    assert error.code == "birth_date"
    assert str(error) == "The birth date part (digits 7–14) '19901332' is not a valid date."
    assert id_error(with_check("11010519900431001")).code == "birth_date"
    assert id_error(with_check("11010519900001001")).code == "birth_date"
    assert id_error(with_check("11010519900100001")).code == "birth_date"


def test_checksum_names_expected_and_actual():
    error = id_error("110105194912310025")
    assert error.code == "checksum"
    assert str(error) == "The check character should be 'X', not '5'."
    assert error.message == str(error)


def test_checksum_with_digit_instead_of_x():
    error = id_error("110105199001011234")
    assert str(error) == "The check character should be '2', not '4'."


def test_errors_are_value_errors():
    with pytest.raises(ValueError):
        validate_resident_id("bad")


def test_message_is_translated_when_raised():
    # Whatever the active language, a message is produced (no lazy object escapes).
    with translation.override("zh-hans"), pytest.raises(InvalidResidentId) as info:
        validate_resident_id("123")
    assert isinstance(info.value.message, str) and info.value.message


def test_resident_id_validator():
    resident_id_validator("11010519491231002X")
    with translation.override("en"), pytest.raises(ValidationError) as info:
        resident_id_validator("110105194912310025")
    assert info.value.code == "checksum"
    assert info.value.messages == ["The check character should be 'X', not '5'."]


def test_repr_masks_the_number():
    assert "1949" not in repr(validate_resident_id("11010519491231002X"))


# --- Phone numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812341234", "13812341234"),
        ("138 1234 1234", "13812341234"),
        ("138-1234-1234", "13812341234"),
        ("+86 138 1234 1234", "13812341234"),
        ("+8613812341234", "13812341234"),
        ("8613812341234", "13812341234"),
        ("0086 13812341234", "13812341234"),
        ("  19912341234 ", "19912341234"),
        ("１３８１２３４１２３４", "13812341234"),
        ("0512-66881234", "0512-66881234"),
        ("0512 66881234", "0512-66881234"),
        ("(0512) 6688 1234", "0512-66881234"),
        ("051266881234", "0512-66881234"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("02112345678", "021-12345678"),
        ("0931-8123456", "0931-8123456"),
        ("+86 512 66881234", "0512-66881234"),
        ("+86 10 12345678", "010-12345678"),
    ],
)
def test_valid_phones(value, expected):
    assert validate_mobile(value) == expected


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("", "empty", "Enter a phone number"),
        ("+86", "empty", "Enter a phone number"),
        ("138123412345", "mobile_length", "has 12"),
        ("1381234123", "mobile_length", "has 10"),
        ("12812341234", "mobile_prefix", "not 12"),
        ("10012341234", "mobile_prefix", "not 10"),
        ("138a1234123", "characters", "'a'"),
        ("138.1234.1234", "characters", "'.'"),
        ("138+12341234", "characters", "'+'"),
        ("+1 415 555 0100", "country_code", "+86"),
        ("66881234", "area_code", "area code"),
        ("0138-12341234", "area_code", "'0138'"),
        ("05-66881234", "area_code", "'05'"),
        ("0512-668812", "local_number", "'668812'"),
        ("0512-668812345", "local_number", "'668812345'"),
        ("0512-06688123", "local_number", "'06688123'"),
    ],
)
def test_invalid_phones(value, code, fragment):
    with translation.override("en"), pytest.raises(InvalidPhone) as info:
        validate_mobile(value)
    assert info.value.code == code
    assert fragment in str(info.value)


def test_mobile_only():
    assert validate_mobile("13812341234", allow_fixed_line=False) == "13812341234"
    with pytest.raises(InvalidPhone) as info:
        validate_mobile("0512-66881234", allow_fixed_line=False)
    assert info.value.code == "fixed_line"


def test_phone_validator():
    phone_validator("0512-66881234")
    with translation.override("en"), pytest.raises(ValidationError) as info:
        phone_validator("1381234123")
    assert info.value.code == "mobile_length"
    assert info.value.messages == ["A mobile number has 11 digits; this one has 10."]


# --- Unified social credit codes -----------------------------------------------------------


def test_valid_credit_code():
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    assert validate_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_credit_code_whose_check_wraps_to_zero():
    # Weighted sum divisible by 31: 31 - 0 = 31 maps to '0'.
    assert validate_credit_code("913205051234567850") == "913205051234567850"


def test_corrupted_credit_code():
    with translation.override("en"), pytest.raises(InvalidCreditCode) as info:
        validate_credit_code("91350100M000100Y44")
    assert info.value.code == "checksum"
    assert str(info.value) == "The check character should be '3', not '4'."
    with pytest.raises(InvalidCreditCode) as info:
        validate_credit_code("91350100M000200Y43")
    assert info.value.code == "checksum"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_credit_code_excluded_letters(letter):
    with translation.override("en"), pytest.raises(InvalidCreditCode) as info:
        validate_credit_code(f"91350100M000100{letter}43")
    assert info.value.code == "characters"
    assert f"'{letter}' at position 16" in str(info.value)


@pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y433"])
def test_credit_code_length(value):
    with pytest.raises(InvalidCreditCode) as info:
        validate_credit_code(value)
    assert info.value.code == "length"


def test_credit_code_validator():
    credit_code_validator("91350100M000100Y43")
    with pytest.raises(ValidationError) as info:
        credit_code_validator("91350100M000100Y44")
    assert info.value.code == "checksum"


# --- Masks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("110105199001011234", "110105********1234"),
        ("11010519491231002x", "110105********002X"),
        ("110105900101123", "110105*****1123"),
        (" 110105199001011234 ", "110105********1234"),
        ("12345678901", "123456*8901"),
        ("1234567890", "**********"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
        (110105900101123, "110105*****1123"),
    ],
)
def test_mask_id_number(value, expected):
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812341234", "138****1234"),
        ("+86 138-1234-1234", "138****1234"),
        ("0512-66881234", "0512-****1234"),
        ("010 1234567", "010-***4567"),
        ("051266881234", "0512-****1234"),
        # Not valid numbers: only the last 4 show, or nothing when short.
        ("66881234", "****1234"),
        ("+1 415 555 0100", "***********0100"),
        ("1234567", "*******"),
        ("12", "**"),
        ("", ""),
        (None, ""),
        (13812341234, "138****1234"),
    ],
)
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("王小明", "王**"),
        ("李", "李"),
        (" 张三 ", "张*"),
        ("阿依古丽·买买提", "阿*******"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(value, expected):
    assert mask_name(value) == expected


@pytest.mark.parametrize("value", [object(), b"\xff\xfe", 3.5, ["x"], "\x00\u200b"])
def test_masks_never_raise(value):
    for mask in (mask_id_number, mask_phone, mask_name):
        assert isinstance(mask(value), str)
