"""Exact money: integer minor units, named rounding, and allocation that never loses a cent.

A :class:`Money` is an ``int`` count of its currency's minor unit (cents for
USD, yen for JPY, fils for KWD) and a :class:`Currency`. Floats are refused
everywhere; ``str`` and ``Decimal`` are accepted at the edges and refused when
they hold more precision than the currency has. Arithmetic between two
currencies is an error.

Every rounding in the library goes through :func:`divide` with a named
:class:`RoundingMode`: an exact ratio is computed by integer arithmetic and
rounded once, never via a float or a pre-rounded fraction.

>>> price = Money.of("150.00", "USD")
>>> price.ratio(15, 30, RoundingMode.HALF_UP)
Money.of('75.00', 'USD')
>>> [str(part) for part in allocate(Money.of("100.00", "USD"), (1, 1, 1))]
['USD 33.34', 'USD 33.33', 'USD 33.33']
"""

from __future__ import annotations

import enum
import re
from decimal import MAX_EMAX, MIN_EMIN, Decimal, InvalidOperation, localcontext
from typing import Final

import attrs

from subscription_rules._checks import described, expect, instance_of, shown, wrong_type
from subscription_rules.errors import (
    CurrencyMismatchError,
    FloatAmountError,
    InvalidAmountError,
    InvalidArgumentError,
    UnknownCurrencyError,
)

__all__ = ["Currency", "Money", "RoundingMode", "allocate", "divide", "iso_currencies"]

#: Largest absolute amount in minor units: 10**18 (ten quadrillion dollars) keeps
#: every product of an amount and a period length far from any practical limit,
#: and stops a mistyped amount from passing silently.
MAX_MINOR: Final = 10**18
_MAX_MINOR_DIGITS: Final = 18  # a number of 10**19 or more minor units is beyond MAX_MINOR

# ISO 4217 active codes by minor-unit exponent (the exponent table of the
# standard's list one; funds codes included). Everything Stripe charges in is
# here; note that Stripe departs from ISO for a few (it treats MGA as
# zero-decimal, and ISK and UGX as two-decimal; HUF and TWD with whole-unit
# payouts), which is the Stripe adapter's concern, not this table's.
_UNITS: Final = (1, 10, 100, 1000, 10000)
_MAX_PARTS: Final = 1_000_000

_EXPONENT_0 = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_EXPONENT_3 = "BHD IQD JOD KWD LYD OMR TND"
_EXPONENT_4 = "CLF UYW"
_EXPONENT_2 = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP "
    "BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR "
    "FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW "
    "KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN "
    "NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD "
    "SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU "
    "UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)


#: The ISO 4217 minor-unit exponent of every code of the table.
_ISO_EXPONENTS: Final[dict[str, int]] = {
    code: exponent
    for exponent, codes in ((0, _EXPONENT_0), (2, _EXPONENT_2), (3, _EXPONENT_3), (4, _EXPONENT_4))
    for code in codes.split()
}

# An amount's text: ASCII only, and an underscore only between two digits ("1_000.00").
_MISPLACED_UNDERSCORE: Final = re.compile(r"(?<![0-9])_|_(?![0-9])")

# A format spec for Money: an optional fill and alignment, an optional width, nothing else.
_FORMAT_SPEC: Final = re.compile(r"(?:.?[<>^])?(?:[1-9][0-9]{0,2})?s?", re.DOTALL)


class RoundingMode(enum.Enum):
    """How an exact value between two minor units becomes one of them.

    ``HALF_UP`` and ``HALF_DOWN`` resolve a tie away from / toward zero (as
    ``decimal.ROUND_HALF_UP`` does); ``DOWN`` and ``UP`` go toward / away from
    zero; ``FLOOR`` and ``CEILING`` toward minus / plus infinity.

    >>> [divide(5, 2, mode) for mode in (RoundingMode.HALF_UP, RoundingMode.HALF_EVEN)]
    [3, 2]
    >>> [divide(-5, 2, mode) for mode in (RoundingMode.HALF_UP, RoundingMode.FLOOR)]
    [-3, -3]
    """

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    HALF_DOWN = "half_down"
    DOWN = "down"
    UP = "up"
    FLOOR = "floor"
    CEILING = "ceiling"


def divide(numerator: int, denominator: int, mode: RoundingMode) -> int:  # noqa: C901, PLR0911 - one branch per mode
    """Return ``numerator / denominator`` rounded once to an integer by ``mode``.

    Pure integer arithmetic: no float, no ``Decimal`` context.

    >>> divide(1, 3, RoundingMode.UP), divide(2, 3, RoundingMode.DOWN)
    (1, 0)
    >>> divide(7, 2, RoundingMode.HALF_EVEN), divide(-7, 2, RoundingMode.HALF_EVEN)
    (4, -4)
    >>> divide(1, 0, RoundingMode.UP)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidAmountError: denominator: must be a positive int, got 0
    """
    if type(numerator) is not int:
        raise InvalidArgumentError(
            f"must be an int, got {described(numerator)}",
            argument="numerator",
            value=numerator,
        )
    if type(denominator) is not int or denominator <= 0:
        raise InvalidAmountError(
            f"must be a positive int, got {shown(denominator)}",
            argument="denominator",
            value=denominator,
        )
    expect(mode, RoundingMode, "mode", what="a RoundingMode")
    quotient, remainder = divmod(numerator, denominator)  # floor division
    if remainder == 0:
        return quotient
    # The exact value lies strictly between quotient (floor) and quotient + 1.
    if mode is RoundingMode.FLOOR:
        return quotient
    if mode is RoundingMode.CEILING:
        return quotient + 1
    negative = numerator < 0
    if mode is RoundingMode.DOWN:
        return quotient + 1 if negative else quotient
    if mode is RoundingMode.UP:
        return quotient if negative else quotient + 1
    twice = 2 * remainder
    if twice < denominator:
        return quotient
    if twice > denominator:
        return quotient + 1
    # An exact tie between quotient and quotient + 1.
    if mode is RoundingMode.HALF_UP:
        return quotient if negative else quotient + 1
    if mode is RoundingMode.HALF_DOWN:
        return quotient + 1 if negative else quotient
    return quotient if quotient % 2 == 0 else quotient + 1  # HALF_EVEN


@attrs.frozen(repr=False)
class Currency:
    """An ISO 4217 currency: its code and the exponent of its minor unit.

    Look codes up with :meth:`of`; construct one directly only for a code the
    table lacks (a test currency such as ``XTS``).

    >>> Currency.of("USD").exponent, Currency.of("JPY").exponent, Currency.of("KWD").exponent
    (2, 0, 3)
    >>> Currency.of("usd")
    Currency('USD', 2)
    """

    code: str
    exponent: int

    def __attrs_post_init__(self) -> None:
        code: object = self.code  # checked at run time: hosts call this from untyped code
        if not (isinstance(code, str) and len(code) == 3 and code.isupper() and code.isalpha()):
            raise UnknownCurrencyError(
                f"must be three upper-case letters, got {shown(self.code)}",
                argument="code",
                value=self.code,
            )
        if not code.isascii():  # "ÀBC": codes are ASCII by rule
            raise UnknownCurrencyError(
                f"must be three upper-case letters, got {shown(self.code)}; codes are ASCII (A to Z)",
                argument="code",
                value=self.code,
            )
        if type(self.exponent) is not int or not 0 <= self.exponent <= 4:
            raise InvalidAmountError(
                f"must be an int from 0 to 4, got {shown(self.exponent)}",
                argument="exponent",
                value=self.exponent,
            )
        iso = _ISO_EXPONENTS.get(code, self.exponent)
        if iso != self.exponent:  # Currency("USD", 0) would be a second, different USD
            raise InvalidAmountError(
                f"{code} has {iso} decimal places in ISO 4217, got {self.exponent}; "
                f"use Currency.of({shown(code)})",
                argument="exponent",
                value=self.exponent,
            )

    @classmethod
    def of(cls, currency: str | Currency) -> Currency:
        """Return the ISO 4217 currency with this code (case-insensitive).

        >>> Currency.of("BHD")
        Currency('BHD', 3)
        """
        if isinstance(currency, Currency):
            return currency
        if isinstance(currency, str):
            if not currency.isascii():  # "ſek".upper() is "SEK": fold ASCII letters only
                raise UnknownCurrencyError(
                    f"unknown ISO 4217 currency code {shown(currency)}; codes are ASCII letters",
                    argument="currency",
                    value=currency,
                )
            found = _CURRENCIES.get(currency.strip().upper())
            if found is not None:
                return found
        raise UnknownCurrencyError(
            f"unknown ISO 4217 currency code {shown(currency)}",
            argument="currency",
            value=currency,
        )

    @property
    def unit(self) -> int:
        """Minor units in one major unit (100 for USD, 1 for JPY, 1000 for KWD).

        >>> Currency.of("KWD").unit
        1000
        """
        return _UNITS[self.exponent]

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"Currency({shown(self.code)}, {self.exponent})"


_CURRENCIES: Final[dict[str, Currency]] = {
    code: Currency(code, exponent) for code, exponent in _ISO_EXPONENTS.items()
}


def iso_currencies() -> tuple[Currency, ...]:
    """Return every currency of the built-in ISO 4217 table, sorted by code.

    >>> codes = [c.code for c in iso_currencies()]
    >>> len(codes) > 150, "JPY" in codes, "KWD" in codes
    (True, True, True)
    """
    return tuple(sorted(_CURRENCIES.values(), key=lambda c: c.code))


def _check_minor(minor: object) -> int:
    if type(minor) is int:
        if -MAX_MINOR <= minor <= MAX_MINOR:
            return minor
        raise InvalidAmountError(
            f"must lie within ±{MAX_MINOR} minor units, got {shown(minor)}",
            argument="minor",
            value=minor,
        )
    if isinstance(minor, float):
        raise FloatAmountError(
            f"floats are refused for money, got {shown(minor)}", argument="minor", value=minor
        )
    raise InvalidAmountError(
        f"must be an int count of minor units, got {described(minor)}",
        argument="minor",
        value=minor,
    )


def _parsed(amount: str) -> Decimal:
    """The number ``amount`` writes: ASCII digits, an underscore only between two of them."""
    if not amount.isascii():  # Decimal reads "١٠" (Arabic-Indic digits) as 10
        raise InvalidAmountError(
            f"{shown(amount)} is not a decimal number; write ASCII digits such as '10.00'",
            argument="amount",
            value=amount,
        )
    if _MISPLACED_UNDERSCORE.search(amount):  # Decimal reads "1__0" as 10, "_5" as 5
        raise InvalidAmountError(
            f"{shown(amount)} is not a decimal number; an underscore may only separate "
            "two digits, as in '1_000.00'",
            argument="amount",
            value=amount,
        )
    try:
        return Decimal(amount.strip())
    except InvalidOperation:
        raise InvalidAmountError(
            f"{shown(amount)} is not a decimal number", argument="amount", value=amount
        ) from None


@attrs.frozen(repr=False, order=False)
class Money:
    """An exact amount: an ``int`` of minor units in a :class:`Currency`.

    Construct from major units with :meth:`of` (``str``, ``Decimal`` or ``int``)
    or from minor units with :meth:`from_minor`. Amounts in one currency add,
    subtract, negate, compare and multiply by an ``int``; mixing currencies
    raises :class:`~subscription_rules.errors.CurrencyMismatchError`.

    >>> Money.of("150.00", "USD") + Money.from_minor(1, "USD")
    Money.of('150.01', 'USD')
    >>> str(Money.of(1500, "JPY")), str(Money.of("1.250", "KWD")), str(-Money.of("5", "USD"))
    ('JPY 1500', 'KWD 1.250', 'USD -5.00')
    >>> Money.of("150.00", "USD") * 3 > Money.of("400", "USD")
    True
    """

    minor: int = attrs.field(converter=_check_minor)
    currency: Currency = attrs.field(validator=instance_of(Currency, what="a Currency"))

    @classmethod
    def of(cls, amount: str | Decimal | int, currency: str | Currency) -> Money:
        """Parse an amount in major units: ``"150.00"``, ``Decimal("150")`` or ``150``.

        Refuses floats, NaN, infinities, and more decimal places than the
        currency has (``"1.5"`` JPY, ``"1.005"`` USD).

        >>> Money.of("0.1", "USD").minor, Money.of(3, "KWD").minor
        (10, 3000)
        >>> Money.of("1.5", "JPY")
        Traceback (most recent call last):
        subscription_rules.errors.InvalidAmountError: amount: '1.5' has more precision than JPY allows (0 decimal places)
        """
        cur = Currency.of(currency)
        if isinstance(amount, (bool, float)):
            if isinstance(amount, float):
                raise FloatAmountError(
                    f"floats are refused for money, got {shown(amount)}; "
                    f"pass a str or Decimal such as '{shown(amount)}'",
                    argument="amount",
                    value=amount,
                )
            raise InvalidAmountError(
                f"expected a str, Decimal or int, got bool {shown(amount)}",
                argument="amount",
                value=amount,
            )
        minor = amount * cur.unit if isinstance(amount, int) else cls._scaled(amount, cur)
        if abs(minor) > MAX_MINOR:
            raise InvalidAmountError(
                f"{shown(amount)} lies beyond the supported range", argument="amount", value=amount
            )
        return cls(minor, cur)

    @staticmethod
    def _scaled(amount: str | Decimal, cur: Currency) -> int:
        """``amount`` in minor units of ``cur``, refusing text, NaN and excess precision."""
        match amount:
            case str():
                exact = _parsed(amount)
            case Decimal():
                exact = amount
            case _:  # a caller's mistake the types cannot rule out
                raise InvalidAmountError(
                    f"expected a str, Decimal or int, got {described(amount)}",
                    argument="amount",
                    value=amount,
                )
        if not exact.is_finite():
            raise InvalidAmountError(
                f"{shown(amount)} is not a finite number", argument="amount", value=amount
            )
        if exact.is_zero():
            return 0
        if exact.adjusted() + cur.exponent > _MAX_MINOR_DIGITS:  # checked before any arithmetic
            raise InvalidAmountError(
                f"{shown(amount)} lies beyond the supported range", argument="amount", value=amount
            )
        # Exact: as many digits as the amount has, and no exponent limit, so that
        # nothing is rounded away ("1.0000000000000000000000000001") or overflows.
        with localcontext() as context:
            context.prec = len(exact.as_tuple().digits) + cur.exponent
            context.Emax, context.Emin = MAX_EMAX, MIN_EMIN
            scaled = exact.scaleb(cur.exponent)
            integral = scaled.to_integral_value()
        if scaled != integral:
            raise InvalidAmountError(
                f"{shown(amount)} has more precision than {cur.code} allows "
                f"({cur.exponent} decimal places)",
                argument="amount",
                value=amount,
            )
        if abs(scaled) > MAX_MINOR:
            raise InvalidAmountError(
                f"{shown(amount)} lies beyond the supported range", argument="amount", value=amount
            )
        return int(scaled)

    @classmethod
    def from_minor(cls, minor: int, currency: str | Currency) -> Money:
        """Make an amount from an ``int`` of minor units.

        >>> Money.from_minor(15000, "USD")
        Money.of('150.00', 'USD')
        """
        return cls(minor, Currency.of(currency))

    @classmethod
    def zero(cls, currency: str | Currency) -> Money:
        """Return zero in ``currency``.

        >>> str(Money.zero("EUR"))
        'EUR 0.00'
        """
        return cls(0, Currency.of(currency))

    def _same(self, other: object, argument: str = "other") -> Money:
        if not isinstance(other, Money):
            wrong_type(other, argument, "Money")
        if other.currency is not self.currency and other.currency != self.currency:
            raise CurrencyMismatchError(argument, other.currency.code, expected=self.currency.code)
        return other

    def __add__(self, other: Money) -> Money:
        if type(other) is not Money or other.currency is not self.currency:
            self._same(other)  # raises unless an amount in an equal currency
        return _made(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        if type(other) is not Money or other.currency is not self.currency:
            self._same(other)  # raises unless an amount in an equal currency
        return _made(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return _made(-self.minor, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.minor), self.currency)

    def __mul__(self, factor: int) -> Money:
        if type(factor) is not int:
            if isinstance(factor, float):
                raise FloatAmountError(
                    f"floats are refused for money, got {shown(factor)}",
                    argument="factor",
                    value=factor,
                )
            raise InvalidArgumentError(
                f"money multiplies by an int only, got {described(factor)}; "
                "use ratio() for a fraction",
                argument="factor",
                value=factor,
            )
        return Money(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        if type(other) is not Money or other.currency is not self.currency:
            self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        if type(other) is not Money or other.currency is not self.currency:
            self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        if type(other) is not Money or other.currency is not self.currency:
            self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        if type(other) is not Money or other.currency is not self.currency:
            self._same(other)
        return self.minor >= other.minor

    def __bool__(self) -> bool:
        return self.minor != 0

    def is_zero(self) -> bool:
        """Whether this is zero.

        >>> Money.zero("USD").is_zero()
        True
        """
        return self.minor == 0

    def is_positive(self) -> bool:
        """Whether this is more than zero.

        >>> Money.of("-1", "USD").is_positive()
        False
        """
        return self.minor > 0

    def is_negative(self) -> bool:
        """Whether this is less than zero.

        >>> Money.of("-1", "USD").is_negative()
        True
        """
        return self.minor < 0

    def min(self, other: Money) -> Money:
        """Return the smaller of two amounts in one currency.

        >>> str(Money.of("5", "USD").min(Money.of("3", "USD")))
        'USD 3.00'
        """
        if type(other) is not Money or other.currency is not self.currency:
            self._same(other)
        return self if self.minor <= other.minor else other

    def max(self, other: Money) -> Money:
        """Return the larger of two amounts in one currency.

        >>> str(Money.of("5", "USD").max(Money.of("3", "USD")))
        'USD 5.00'
        """
        if type(other) is not Money or other.currency is not self.currency:
            self._same(other)
        return self if self.minor >= other.minor else other

    def ratio(self, numerator: int, denominator: int, mode: RoundingMode) -> Money:
        """Return ``self × numerator ÷ denominator``, rounded once by ``mode``.

        The product is formed exactly before the single division, so no
        fraction is rounded before it is applied.

        >>> Money.of("100.00", "USD").ratio(1, 3, RoundingMode.HALF_UP)
        Money.of('33.33', 'USD')
        >>> Money.of("0.05", "USD").ratio(1, 2, RoundingMode.HALF_EVEN)
        Money.of('0.02', 'USD')
        """
        if type(numerator) is not int:
            raise InvalidArgumentError(
                f"must be an int, got {described(numerator)}",
                argument="numerator",
                value=numerator,
            )
        return _made(divide(self.minor * numerator, denominator, mode), self.currency)

    def to_decimal(self) -> Decimal:
        """Return the amount in major units as an exact ``Decimal``.

        >>> Money.of("1.250", "KWD").to_decimal()
        Decimal('1.250')
        """
        return Decimal(self.minor).scaleb(-self.currency.exponent)

    def format_amount(self) -> str:
        """Return the amount in major units without the code, e.g. ``"150.00"``.

        >>> Money.from_minor(-5, "USD").format_amount()
        '-0.05'
        """
        exponent = self.currency.exponent
        sign = "-" if self.minor < 0 else ""
        whole, part = divmod(abs(self.minor), 10**exponent)
        return f"{sign}{whole}.{part:0{exponent}d}" if exponent else f"{sign}{whole}"

    def __str__(self) -> str:
        return f"{self.currency.code} {self.format_amount()}"

    def __repr__(self) -> str:
        return f"Money.of({shown(self.format_amount())}, {shown(self.currency.code)})"

    def __format__(self, format_spec: str) -> str:
        """Format as text: ``str(money)`` aligned in a width (``f"{price:>12}"``).

        A number's format (``.2f``, ``,``, ``+``) is refused: it would round or
        re-spell the amount; use :meth:`format_amount` or :meth:`to_decimal`.

        >>> price = Money.of("9.5", "USD")
        >>> f"[{price:>12}] [{price:*<11}] [{price}]"
        '[    USD 9.50] [USD 9.50***] [USD 9.50]'
        >>> f"{price:.2f}"
        Traceback (most recent call last):
        subscription_rules.errors.InvalidArgumentError: format_spec: Money formats as text with an optional fill, alignment and width of at most 999 (such as '>12'), got '.2f'; for the number use money.format_amount() or money.to_decimal()
        """
        spec: object = format_spec  # checked at run time: format() passes any str
        if not (isinstance(spec, str) and _FORMAT_SPEC.fullmatch(spec)):
            raise InvalidArgumentError(
                "Money formats as text with an optional fill, alignment and width of at most "
                f"999 (such as '>12'), got {shown(format_spec)}; for the number use "
                "money.format_amount() or money.to_decimal()",
                argument="format_spec",
                value=format_spec,
            )
        return format(str(self), format_spec)

    def with_minor(self, minor: int) -> Money:
        """Return an amount of ``minor`` units in this currency.

        >>> Money.of("1", "USD").with_minor(5)
        Money.of('0.05', 'USD')
        """
        return _made(minor, self.currency) if type(minor) is int else Money(minor, self.currency)


_new_money = object.__new__
# The slots' own setters: what trusted(Money) does, inlined on the hottest path of the rules.
_set_minor = Money.__dict__["minor"].__set__
_set_currency = Money.__dict__["currency"].__set__


def _made(minor: int, currency: Currency) -> Money:
    """A result of arithmetic on valid amounts: only the range needs checking."""
    if -MAX_MINOR <= minor <= MAX_MINOR:
        new = _new_money(Money)
        _set_minor(new, minor)
        _set_currency(new, currency)
        return new
    return Money(minor, currency)  # raises, naming the amount


def allocate(total: Money, weights: tuple[int, ...] | list[int]) -> tuple[Money, ...]:
    """Split ``total`` in proportion to ``weights`` by largest remainder.

    The parts always sum to ``total`` exactly, and no part differs from its
    exact share by a whole minor unit or more. Ties in the remainders go to the
    earlier weight, so the result is deterministic.

    >>> [str(part) for part in allocate(Money.of("0.05", "USD"), (1, 1))]
    ['USD 0.03', 'USD 0.02']
    >>> [str(part) for part in allocate(Money.of("-10", "JPY"), (1, 2))]
    ['JPY -3', 'JPY -7']
    >>> allocate(Money.of("1", "USD"), (0, 0))
    Traceback (most recent call last):
    subscription_rules.errors.InvalidAmountError: weights: must be non-negative ints with a positive sum, got (0, 0)
    """
    expect(total, Money, "total")
    if not isinstance(weights, (tuple, list)):
        raise InvalidAmountError(
            f"must be a tuple or list of ints, got {described(weights)}",
            argument="weights",
            value=weights,
        )
    parts = tuple(weights)
    if len(parts) > _MAX_PARTS:
        raise InvalidAmountError(
            f"at most {_MAX_PARTS:,} parts, got {len(parts):,}", argument="weights"
        )
    if not parts or any(type(w) is not int or w < 0 for w in parts) or sum(parts) == 0:
        raise InvalidAmountError(
            f"must be non-negative ints with a positive sum, got {shown(parts)}",
            argument="weights",
            value=weights,
        )
    whole = sum(parts)
    # Allocate the magnitude and restore the sign, so negative totals mirror positive ones.
    sign = -1 if total.minor < 0 else 1
    amount = abs(total.minor)
    shares = [divmod(amount * w, whole) for w in parts]
    leftover = amount - sum(q for q, _ in shares)
    order = sorted(range(len(parts)), key=lambda i: (-shares[i][1], i))
    bonus = set(order[:leftover])
    return tuple(
        Money(sign * (q + (1 if i in bonus else 0)), total.currency)
        for i, (q, _) in enumerate(shares)
    )
