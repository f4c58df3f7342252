"""Money: exact minor units, refused floats, currency guards, rounding and allocation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscription_rules.errors import (
    CurrencyMismatchError,
    FloatAmountError,
    InvalidAmountError,
    InvalidArgumentError,
    SubscriptionRulesError,
    UnknownCurrencyError,
)
from subscription_rules.money import (
    MAX_MINOR,
    Currency,
    Money,
    RoundingMode,
    allocate,
    divide,
    iso_currencies,
)

USD = Currency.of("USD")


# --- currencies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "exponent"),
    [
        ("USD", 2),
        ("EUR", 2),
        ("JPY", 0),  # zero-decimal (ISO 4217; Stripe's zero-decimal list)
        ("KRW", 0),
        ("KWD", 3),  # three-decimal (ISO 4217; Stripe's three-decimal list)
        ("BHD", 3),
        ("JOD", 3),
        ("OMR", 3),
        ("TND", 3),
        ("CLF", 4),
    ],
)
def test_currency_exponent_follows_iso_4217(code: str, exponent: int) -> None:
    assert Currency.of(code).exponent == exponent


def test_every_stripe_presentment_currency_is_known() -> None:
    # Stripe's list of supported presentment currencies (docs.stripe.com/currencies).
    stripe = (
        "USD AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL "
        "BSD BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ETB EUR FJD "
        "FKP GBP GEL GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR ISK JMD JOD JPY KES KGS "
        "KHR KMF KRW KWD KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MUR MVR MWK "
        "MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB "
        "RWF SAR SBD SCR SEK SGD SHP SLE SOS SRD STD SZL THB TJS TND TOP TRY TTD TWD TZS UAH "
        "UGX UYU UZS VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW"
    ).split()
    # STD was replaced by STN in 2018; Stripe still lists the old code.
    known = {currency.code for currency in iso_currencies()}
    missing = [code for code in stripe if code != "STD" and code not in known]
    assert missing == []


def test_unknown_currency_code_is_refused_naming_it() -> None:
    with pytest.raises(
        UnknownCurrencyError, match=r"currency: unknown ISO 4217 currency code 'XYZ'"
    ):
        Currency.of("XYZ")


def test_currency_lookup_is_case_insensitive() -> None:
    assert Currency.of(" usd ") == USD


@pytest.mark.parametrize(("code", "exponent"), [("US", 2), ("usd", 2), ("XTS", 5), ("XTS", -1)])
def test_custom_currency_is_validated(code: str, exponent: int) -> None:
    with pytest.raises(SubscriptionRulesError):
        Currency(code, exponent)


# --- construction -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "code", "minor"),
    [
        ("150.00", "USD", 15000),
        ("150", "USD", 15000),
        (Decimal("150.5"), "USD", 15050),
        (150, "USD", 15000),
        ("1500", "JPY", 1500),  # JPY: the yen is the minor unit
        (1500, "JPY", 1500),
        ("1.250", "KWD", 1250),  # KWD: 1 dinar = 1000 fils
        ("0.001", "KWD", 1),
        ("-0.05", "USD", -5),
        ("1_000.00", "USD", 100000),
    ],
)
def test_money_of_parses_major_units_exactly(
    amount: str | Decimal | int, code: str, minor: int
) -> None:
    assert Money.of(amount, code).minor == minor


@pytest.mark.parametrize(("amount", "code"), [("1.005", "USD"), ("1.5", "JPY"), ("0.0001", "KWD")])
def test_more_precision_than_the_currency_has_is_refused(amount: str, code: str) -> None:
    with pytest.raises(InvalidAmountError, match=rf"amount: '{amount}' has more precision than"):
        Money.of(amount, code)


def test_float_is_refused_with_a_hint() -> None:
    with pytest.raises(FloatAmountError, match=r"amount: floats are refused for money, got 0.1"):
        Money.of(0.1, "USD")  # type: ignore[arg-type]


def test_float_minor_units_are_refused() -> None:
    with pytest.raises(FloatAmountError, match="minor: floats are refused"):
        Money(1.0, USD)


def test_float_refusal_is_also_a_type_error() -> None:
    with pytest.raises(TypeError):
        Money.of(1.5, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-inf", Decimal("NaN"), "abc", "", True])
def test_non_numbers_are_refused(amount: object) -> None:
    with pytest.raises(InvalidAmountError, match="amount: "):
        Money.of(amount, "USD")  # type: ignore[arg-type]


def test_amount_beyond_the_range_is_refused() -> None:
    with pytest.raises(InvalidAmountError, match="minor: must lie within"):
        Money(MAX_MINOR + 1, USD)
    with pytest.raises(InvalidAmountError, match="beyond the supported range"):
        Money.of("1e30", "USD")


def test_bool_minor_units_are_refused() -> None:
    with pytest.raises(InvalidAmountError):
        Money(True, USD)  # noqa: FBT003


# --- arithmetic -------------------------------------------------------------------------------


def test_same_currency_arithmetic_is_exact() -> None:
    a, b = Money.of("0.10", "USD"), Money.of("0.20", "USD")
    assert a + b == Money.of("0.30", "USD")  # the float 0.1 + 0.2 != 0.3 trap
    assert b - a == Money.of("0.10", "USD")
    assert -a == Money.of("-0.10", "USD")
    assert a * 3 == 3 * a == Money.of("0.30", "USD")
    assert abs(-a) == a
    assert a < b
    assert a <= a + Money.zero("USD")
    assert b > a
    assert b >= b - Money.zero("USD")
    assert a.min(b) == a
    assert a.max(b) == b


def test_currency_mismatch_is_refused_for_arithmetic_and_order() -> None:
    usd, eur = Money.of("1", "USD"), Money.of("1", "EUR")
    with pytest.raises(CurrencyMismatchError, match="other: expected currency 'USD', got 'EUR'"):
        _ = usd + eur
    with pytest.raises(CurrencyMismatchError):
        _ = usd - eur
    with pytest.raises(CurrencyMismatchError):
        _ = usd < eur


def test_amounts_in_different_currencies_are_unequal_without_error() -> None:
    assert Money.of("1", "USD") != Money.of("1", "EUR")


def test_multiplying_by_a_float_or_fraction_is_refused() -> None:
    with pytest.raises(FloatAmountError):
        _ = Money.of("1", "USD") * 1.5  # type: ignore[operator]
    with pytest.raises(InvalidArgumentError, match="use ratio"):
        _ = Money.of("1", "USD") * Fraction(1, 2)  # type: ignore[operator]


def test_adding_a_non_money_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="other: expected Money, got int 1"):
        _ = Money.of("1", "USD") + 1  # type: ignore[operator]


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money.of("150", "USD"), "USD 150.00"),
        (Money.of("-0.05", "USD"), "USD -0.05"),
        (Money.of("1500", "JPY"), "JPY 1500"),
        (Money.of("1.25", "KWD"), "KWD 1.250"),
    ],
)
def test_str_shows_code_and_every_minor_digit(money: Money, text: str) -> None:
    assert str(money) == text
    assert eval(repr(money), {"Money": Money}) == money  # noqa: S307 - repr round-trips


def test_to_decimal_is_exact() -> None:
    assert Money.of("1.250", "KWD").to_decimal() == Decimal("1.25")
    assert Money.of("1500", "JPY").to_decimal() == Decimal(1500)


# --- rounding ---------------------------------------------------------------------------------

# A half-cent tie (USD 0.05 × 1/2 = 0.025) under each mode, worked by hand:
#   HALF_UP → 0.03 (tie away from zero), HALF_EVEN → 0.02 (2 is even), HALF_DOWN → 0.02,
#   DOWN → 0.02, UP → 0.03, FLOOR → 0.02, CEILING → 0.03; and for -0.025 the mirror images.
HALF_CENT_TIES = [
    (RoundingMode.HALF_UP, 3, -3),
    (RoundingMode.HALF_EVEN, 2, -2),
    (RoundingMode.HALF_DOWN, 2, -2),
    (RoundingMode.DOWN, 2, -2),
    (RoundingMode.UP, 3, -3),
    (RoundingMode.FLOOR, 2, -3),
    (RoundingMode.CEILING, 3, -2),
]


@pytest.mark.parametrize(("mode", "positive", "negative"), HALF_CENT_TIES)
def test_half_cent_tie_under_each_rounding_mode(
    mode: RoundingMode, positive: int, negative: int
) -> None:
    assert Money.of("0.05", "USD").ratio(1, 2, mode).minor == positive
    assert Money.of("-0.05", "USD").ratio(1, 2, mode).minor == negative


def test_half_even_rounds_ties_to_the_even_neighbour() -> None:
    # 0.15 / 2 = 0.075 → 0.08 (8 even); 0.25 / 2 = 0.125 → 0.12 (12 even)
    assert Money.of("0.15", "USD").ratio(1, 2, RoundingMode.HALF_EVEN).minor == 8
    assert Money.of("0.25", "USD").ratio(1, 2, RoundingMode.HALF_EVEN).minor == 12


def test_ratio_applies_the_fraction_before_rounding() -> None:
    # USD 150.00 × 1,296,000 s / 2,678,400 s (15 of 31 days): 15000 × 15/31 = 7258.0645… → 7258.
    # Rounding the fraction first (0.48 → 7200) would lose USD 0.58.
    assert Money.of("150", "USD").ratio(1_296_000, 2_678_400, RoundingMode.HALF_UP).minor == 7258


def test_ratio_in_zero_and_three_decimal_currencies() -> None:
    # JPY 1000 × 1/3 = 333.33… → 333; KWD 10.000 × 2/3 = 6666.66… fils → 6667 fils
    assert Money.of(1000, "JPY").ratio(1, 3, RoundingMode.HALF_UP) == Money.of(333, "JPY")
    assert Money.of(10, "KWD").ratio(2, 3, RoundingMode.HALF_UP) == Money.of("6.667", "KWD")


def test_divide_refuses_a_zero_or_negative_denominator() -> None:
    with pytest.raises(InvalidAmountError, match="denominator: must be a positive int, got 0"):
        divide(1, 0, RoundingMode.UP)
    with pytest.raises(InvalidAmountError):
        divide(1, -2, RoundingMode.UP)


@given(
    numerator=st.integers(-(10**20), 10**20),
    denominator=st.integers(1, 10**12),
    mode=st.sampled_from(RoundingMode),
)
def test_every_rounding_mode_lands_on_a_neighbour_of_the_exact_value(
    numerator: int, denominator: int, mode: RoundingMode
) -> None:
    """The rounded integer is floor(x) or ceil(x) of the exact quotient x, and x itself if whole."""
    exact = Fraction(numerator, denominator)
    rounded = divide(numerator, denominator, mode)
    floor = numerator // denominator
    assert rounded in {floor, floor + (exact != floor)}
    assert abs(rounded - exact) < 1


@given(numerator=st.integers(-(10**12), 10**12), denominator=st.integers(1, 10**6))
def test_rounding_modes_agree_with_decimal(numerator: int, denominator: int) -> None:
    """Each mode matches the decimal module's mode of the same name on the exact quotient."""
    import decimal  # noqa: PLC0415 - only this oracle needs it

    names = {
        RoundingMode.HALF_UP: decimal.ROUND_HALF_UP,
        RoundingMode.HALF_EVEN: decimal.ROUND_HALF_EVEN,
        RoundingMode.HALF_DOWN: decimal.ROUND_HALF_DOWN,
        RoundingMode.DOWN: decimal.ROUND_DOWN,
        RoundingMode.UP: decimal.ROUND_UP,
        RoundingMode.FLOOR: decimal.ROUND_FLOOR,
        RoundingMode.CEILING: decimal.ROUND_CEILING,
    }
    context = decimal.Context(prec=60)
    exact = context.divide(Decimal(numerator), Decimal(denominator))
    for mode, name in names.items():
        expected = int(exact.quantize(Decimal(1), rounding=name, context=context))
        assert divide(numerator, denominator, mode) == expected, mode


# --- allocation -------------------------------------------------------------------------------


def test_allocate_gives_the_leftover_cent_to_the_largest_remainder() -> None:
    # USD 100.00 by 1:1:1: exact 33.333… each; 1 cent left over goes to the first (ties → earlier)
    parts = allocate(Money.of("100", "USD"), (1, 1, 1))
    assert [p.minor for p in parts] == [3334, 3333, 3333]
    # USD 1.00 by 1:2:7 → exact 10, 20, 70 cents: no leftover
    assert [p.minor for p in allocate(Money.of("1", "USD"), (1, 2, 7))] == [10, 20, 70]
    # 10 cents by 2:3 with exact shares 4 and 6
    assert [p.minor for p in allocate(Money.from_minor(10, "USD"), (2, 3))] == [4, 6]
    # 7 cents by 1:1:1:1 → 1.75 each: three parts get the extra (ties → earlier)
    assert [p.minor for p in allocate(Money.from_minor(7, "USD"), (1, 1, 1, 1))] == [2, 2, 2, 1]


def test_allocate_keeps_zero_weight_parts_at_zero() -> None:
    assert [p.minor for p in allocate(Money.from_minor(5, "USD"), (0, 1, 0))] == [0, 5, 0]


@pytest.mark.parametrize("weights", [(), (0,), (-1, 2), (1.5,)])
def test_allocate_refuses_bad_weights(weights: tuple[int, ...]) -> None:
    with pytest.raises(InvalidAmountError, match="weights: "):
        allocate(Money.of("1", "USD"), weights)


@given(
    total=st.integers(-(10**15), 10**15),
    weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=20).filter(lambda w: sum(w) > 0),
)
def test_allocate_sums_to_total_and_each_part_is_within_a_unit_of_its_share(
    total: int, weights: list[int]
) -> None:
    """Parts sum to the total exactly; |part − exact share| < 1 minor unit for every part."""
    money = Money.from_minor(total, "USD")
    parts = allocate(money, weights)
    assert sum(p.minor for p in parts) == total
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part.minor - Fraction(total * weight, whole)) < 1


@given(
    a=st.integers(-(10**15), 10**15),
    b=st.integers(-(10**15), 10**15),
    code=st.sampled_from(["USD", "JPY", "KWD"]),
)
def test_addition_and_subtraction_never_create_or_lose_a_minor_unit(
    a: int, b: int, code: str
) -> None:
    """(a + b) − b == a exactly, in every exponent."""
    x, y = Money.from_minor(a, code), Money.from_minor(b, code)
    assert (x + y) - y == x
    assert (x + y).minor == a + b


@given(
    minor=st.integers(-(10**15), 10**15), code=st.sampled_from(["USD", "JPY", "KWD", "BHD", "CLF"])
)
def test_str_and_of_round_trip(minor: int, code: str) -> None:
    """Money.of(format_amount()) returns the same amount."""
    money = Money.from_minor(minor, code)
    assert Money.of(money.format_amount(), code) == money


def test_custom_currency_errors_name_the_field_and_value() -> None:
    with pytest.raises(
        UnknownCurrencyError, match=r"^code: must be three upper-case letters, got 'US'$"
    ) as bad_code:
        Currency("US", 2)
    assert (bad_code.value.argument, bad_code.value.value) == ("code", "US")
    with pytest.raises(
        InvalidAmountError, match=r"^exponent: must be an int from 0 to 4, got 5$"
    ) as bad_exponent:
        Currency("XTS", 5)
    assert (bad_exponent.value.argument, bad_exponent.value.value) == ("exponent", 5)
    assert Currency("XTS", 4).unit == 10_000  # four decimals, the most allowed
    assert Currency("XTS", 0).unit == 1


def test_minor_units_at_and_beyond_the_limit_exactly() -> None:
    # MAX_MINOR = 10**18: ±MAX_MINOR is accepted, one more is refused with its exact message.
    assert Money(MAX_MINOR, USD).minor == MAX_MINOR
    assert Money(-MAX_MINOR, USD).minor == -MAX_MINOR
    for bad in (MAX_MINOR + 1, -MAX_MINOR - 1):
        with pytest.raises(InvalidAmountError) as refused:
            Money(bad, USD)
        assert str(refused.value) == f"minor: must lie within ±{MAX_MINOR} minor units, got {bad}"
        assert (refused.value.argument, refused.value.value) == ("minor", bad)
    with pytest.raises(FloatAmountError) as floated:
        Money(1.5, USD)
    assert str(floated.value) == "minor: floats are refused for money, got 1.5"
    assert (floated.value.argument, floated.value.value) == ("minor", 1.5)
    with pytest.raises(InvalidAmountError) as texted:
        Money("5", USD)
    assert str(texted.value) == "minor: must be an int count of minor units, got str '5'"
    assert (texted.value.argument, texted.value.value) == ("minor", "5")


def test_arithmetic_reaching_the_limit_is_exact_and_beyond_it_refused() -> None:
    # Sums and differences are built without re-validation, but their range is still checked:
    # MAX_MINOR - 1 + 1 reaches the limit exactly; one more unit is refused, naming the amount.
    one = Money(1, USD)
    top = Money(MAX_MINOR - 1, USD) + one
    assert (top.minor, top.currency) == (MAX_MINOR, USD)
    bottom = Money(-MAX_MINOR + 1, USD) - one
    assert (bottom.minor, bottom.currency) == (-MAX_MINOR, USD)
    with pytest.raises(InvalidAmountError, match=rf"^minor: must lie within ±{MAX_MINOR}"):
        top + one
    with pytest.raises(InvalidAmountError, match=rf"^minor: must lie within ±{MAX_MINOR}"):
        bottom - one
    with pytest.raises(InvalidAmountError) as beyond:
        top + one
    assert beyond.value.value == MAX_MINOR + 1  # the refusal names the amount it would have been


def test_equal_currencies_built_apart_combine_and_a_non_money_operand_is_named() -> None:
    # Two Currency values built separately are equal but not the same object: amounts in
    # them still add (the identity test is only a fast path). A non-Money operand is refused
    # with the operand itself as the error's value.
    first, second = Currency("XTS", 2), Currency("XTS", 2)
    assert first is not second
    total = Money(1, first) + Money(2, second)
    assert (total.minor, total.currency) == (3, first)
    with pytest.raises(InvalidArgumentError) as refused:
        Money(1, first) + 5  # type: ignore[operator]
    assert str(refused.value) == "other: expected Money, got int 5"
    assert (refused.value.argument, refused.value.value) == ("other", 5)
