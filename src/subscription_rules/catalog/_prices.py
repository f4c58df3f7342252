"""The catalog's prices: what a plan costs per interval, and what usage over a limit costs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, cast

import attrs

from subscription_rules._checks import described, shown, wrong_type
from subscription_rules.catalog._checks import (
    _METRIC_NAME,
    MAX_COUNT,
    _as_tuple,
    _bare_message,
    _check_pattern,
    _require,
)
from subscription_rules.catalog._tiers import PackagePrice, TierTable
from subscription_rules.errors import (
    CatalogError,
    InvalidAmountError,
    InvalidQuantityError,
    InvalidUsageError,
)
from subscription_rules.money import Currency, Money, RoundingMode
from subscription_rules.periods import MONTHLY, Interval

if TYPE_CHECKING:
    from decimal import Decimal

    from subscription_rules.catalog._values import Metric

MAX_OVERAGE_PER: Final = 10**9
"""The largest block of units an overage price may be quoted per."""


def check_quantity(quantity: object, argument: str = "quantity") -> int:
    """Return ``quantity`` if it is an ``int`` from 1 to :data:`MAX_COUNT`; else raise.

    Raises:
        InvalidQuantityError: Naming ``argument`` and the value.

    >>> check_quantity(True)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidQuantityError: quantity: must be an int from 1 to 1,000,000,000,000,000, got bool True
    """
    if type(quantity) is not int or not 1 <= quantity <= MAX_COUNT:
        raise InvalidQuantityError(
            f"must be an int from 1 to {MAX_COUNT:,}, got {described(quantity)}",
            argument=argument,
            value=quantity,
        )
    return quantity


@attrs.frozen
class Price:
    """What a plan costs per billing interval: flat, per unit, or by tiers of units.

    A **flat** price (no ``unit``) is ``amount`` for the whole subscription,
    whose quantity is then always 1. A **per-unit** price (``unit`` names the
    stock metric counting what is sold, such as ``"seats"``) costs ``amount ×
    quantity`` (Stripe's ``unit_amount × quantity``); with ``tiers`` the
    quantity is priced by the :class:`TierTable` instead (graduated or volume,
    with flat fees per tier), and ``amount`` is zero. Totals are exact: no
    rounding happens until a line is prorated.

    Args:
        amount: A non-negative amount: the flat price or the price of one
            unit (zero for a tiered price).
        interval: How often it is billed.
        unit: The metric name of the units sold (keyword), or ``None`` for a
            flat price; in a catalog it must be a stock metric.
        tiers: The tier table pricing the quantity (keyword); needs ``unit``.

    Raises:
        CatalogError: For a negative amount (``key="amount"``), a malformed
            unit, tiers without a unit or with a non-zero amount, tiers in
            another currency, or values of the wrong type.

    >>> str(Price(Money.of("50.00", "USD"), MONTHLY))
    'USD 50.00 monthly'
    >>> seat = Price.of("12.00", "USD", "monthly", unit="seats")
    >>> str(seat), str(seat.total(3)), seat.describe(3)
    ('USD 12.00 per unit of seats, monthly', 'USD 36.00', '3 seats × USD 12.00')
    >>> Price(Money.of("-1.00", "USD"), MONTHLY)
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: amount: must not be negative, got USD -1.00
    """

    amount: Money
    interval: Interval
    unit: str | None = attrs.field(default=None, kw_only=True)
    tiers: TierTable | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        _require(self.amount, Money, "a Money", key="amount")
        if self.amount.minor < 0:
            raise CatalogError(
                f"must not be negative, got {self.amount}", key="amount", value=self.amount
            )
        _require(self.interval, Interval, "an Interval", key="interval")
        if self.unit is not None:
            _check_pattern(
                self.unit, _METRIC_NAME, "a metric name (a lower-case identifier)", key="unit"
            )
        if self.tiers is None:
            return
        _require(self.tiers, TierTable, "a TierTable or None", key="tiers")
        if self.unit is None:
            raise CatalogError(
                "a tiered price prices a quantity: give the unit it counts (such as 'seats')",
                key="unit",
                value=None,
            )
        if self.tiers.currency != self.amount.currency:
            raise CatalogError(
                f"priced in {self.tiers.currency.code}, but the amount is in"
                f" {self.amount.currency.code}; use one currency",
                key="tiers",
                value=self.tiers.currency.code,
            )
        if self.amount.minor:
            raise CatalogError(
                f"a tiered price takes its amounts from its tiers; must be zero, got {self.amount}",
                key="amount",
                value=self.amount,
            )

    @classmethod
    def of(
        cls,
        amount: str | Decimal | int,
        currency: str | Currency,
        interval: str | Interval = MONTHLY,
        *,
        unit: str | None = None,
    ) -> Price:
        """Build a price from major units, a currency code and an interval.

        Args:
            amount: Major units, as ``Money.of`` takes them (``"50.00"`` or ``50``).
            currency: An ISO 4217 code or a :class:`Currency`.
            interval: An :class:`Interval` or text ``Interval.parse`` accepts.
            unit: For a per-unit price, the metric name of the units sold.

        Returns:
            The price.

        >>> str(Price.of("1500", "USD", "yearly"))
        'USD 1500.00 yearly'
        """
        parsed = interval if isinstance(interval, Interval) else Interval.parse(interval)
        return cls(Money.of(amount, currency), parsed, unit=unit)

    @classmethod
    def tiered(cls, tiers: TierTable, interval: str | Interval, *, unit: str) -> Price:
        """Build a price whose quantity of ``unit`` is priced by ``tiers``.

        >>> from subscription_rules.catalog import Tier, TierMode
        >>> table = TierTable(TierMode.GRADUATED, (Tier(5, Money.of("10", "USD")),
        ...     Tier(None, Money.of("8", "USD"))))
        >>> price = Price.tiered(table, "monthly", unit="seats")
        >>> str(price), str(price.total(7))
        ('graduated tiers of seats, monthly', 'USD 66.00')
        """
        _require(tiers, TierTable, "a TierTable", key="tiers")
        parsed = interval if isinstance(interval, Interval) else Interval.parse(interval)
        return cls(Money.zero(tiers.currency), parsed, unit=unit, tiers=tiers)

    @property
    def currency(self) -> Currency:
        """The currency of the price."""
        return self.amount.currency

    @property
    def per_unit(self) -> bool:
        """Whether the price is per unit (a quantity of ``unit``), tiered or not."""
        return self.unit is not None

    def total(self, quantity: int = 1) -> Money:
        """Return what ``quantity`` units cost for a whole interval, exactly.

        Raises:
            InvalidQuantityError: If ``quantity`` is not an ``int`` from 1 to
                10**15, or not 1 for a flat price.

        >>> str(Price.of("50", "USD").total())
        'USD 50.00'
        >>> Price.of("50", "USD").total(2)
        Traceback (most recent call last):
        subscription_rules.errors.InvalidQuantityError: quantity: a flat price is for one subscription, not per unit; must be 1, got 2
        """
        check_quantity(quantity)
        if self.unit is None:
            if quantity != 1:
                raise InvalidQuantityError(
                    f"a flat price is for one subscription, not per unit; must be 1, got {quantity}",
                    argument="quantity",
                    value=quantity,
                )
            return self.amount
        if self.tiers is not None:
            return self.tiers.amount(quantity)
        return self.amount * quantity

    def describe(self, quantity: int = 1, metric: Metric | None = None) -> str:
        """Return how ``quantity`` is priced, in words: ``"3 seats × USD 12.00"``.

        ``metric`` gives the nouns (``"1 seat"``); without it the unit's name
        is used. A flat price is its amount; a tiered one lists its tiers'
        lines (:meth:`TierTable.breakdown`).

        >>> from subscription_rules.catalog import Tier, TierMode
        >>> table = TierTable(TierMode.VOLUME, (Tier(5, Money.of("10", "USD")),
        ...     Tier(None, Money.of("8", "USD"))))
        >>> Price.tiered(table, "monthly", unit="seats").describe(7)
        '7 seats, volume: 7 units at the 6+ tier: 7 × USD 8.00 = USD 56.00'
        """
        total = self.total(quantity)
        if self.unit is None:
            return str(total)
        if metric is not None and metric.name == self.unit:
            counted = metric.describe(quantity)
        else:
            counted = f"{quantity:,} {self.unit}"
        if self.tiers is None:
            return f"{counted} × {self.amount}"
        lines = "; ".join(text for text, _ in self.tiers.breakdown(quantity))
        return f"{counted}, {self.tiers.mode.value}: {lines}"

    def __str__(self) -> str:
        if self.unit is None:
            return f"{self.amount} {self.interval}"
        if self.tiers is None:
            return f"{self.amount} per unit of {self.unit}, {self.interval}"
        return f"{self.tiers.mode.value} tiers of {self.unit}, {self.interval}"


def _prices(value: Iterable[Price]) -> tuple[Price, ...]:
    return cast("tuple[Price, ...]", _as_tuple(value, "a tuple of Price values", key="prices"))


@attrs.frozen
class Overage:
    """What usage beyond a plan's limit of a per-period metric costs, billed in arrears.

    The price is ``unit_price`` for every ``per`` units over the limit, charged
    **pro rata per unit, not in whole blocks**: the charge for an excess of
    ``n`` units is ``unit_price × n / per``, computed exactly and rounded once,
    to the minor unit, with the :class:`~subscription_rules.money.RoundingMode`
    the caller passes (see :meth:`charge`). So at USD 5.00 per 1,000, 500 units
    over cost USD 2.50 and 1 unit over costs USD 0.005, which is USD 0.01
    half-up and USD 0.00 half-even; a partial block is never rounded up to a
    whole one.

    Args:
        metric: The name of the metric the price applies to; in a catalog it
            must be a per-period metric the plan has a finite limit for.
        unit_price: The price of ``per`` units, not negative.
        per: How many units ``unit_price`` buys, an ``int`` from 1 to 10**9.

    Raises:
        CatalogError: For a malformed metric name (``key="metric"``), a
            negative or non-``Money`` price (``key="unit_price"``) or a ``per``
            out of range (``key="per"``).

    >>> overage = Overage.of("billable_sessions", "5.00", "USD", per=1000)
    >>> str(overage)
    'USD 5.00 per 1,000 billable_sessions'
    >>> [str(overage.charge(n, RoundingMode.HALF_UP)) for n in (20_000, 500, 1)]
    ['USD 100.00', 'USD 2.50', 'USD 0.01']
    >>> str(overage.charge(1, RoundingMode.HALF_EVEN))
    'USD 0.00'
    >>> Overage("billable_sessions", Money.of("5.00", "USD"), per=0)
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: per: must be an int from 1 to 1000000000, got 0
    """

    metric: str
    unit_price: Money
    per: int = 1
    tiers: TierTable | None = attrs.field(default=None, kw_only=True)
    package: PackagePrice | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        _check_pattern(
            self.metric, _METRIC_NAME, "a metric name (a lower-case identifier)", key="metric"
        )
        _require(self.unit_price, Money, "a Money", key="unit_price")
        if self.unit_price.minor < 0:
            raise CatalogError(
                f"must not be negative, got {self.unit_price}",
                key="unit_price",
                value=self.unit_price,
            )
        per: object = self.per
        if type(per) is not int or not 1 <= per <= MAX_OVERAGE_PER:
            raise CatalogError(
                f"must be an int from 1 to {MAX_OVERAGE_PER}, got {shown(per)}",
                key="per",
                value=per,
            )
        self._check_scheme()

    @classmethod
    def of(
        cls, metric: str, price: str | Decimal | int, currency: str | Currency, per: int = 1
    ) -> Overage:
        """Build an overage price from major units and a currency code.

        >>> Overage.of("billable_sessions", "0.01", "USD").per
        1
        """
        try:
            unit_price = Money.of(price, currency)
        except InvalidAmountError as err:  # Money.of calls it "amount": here it is "price"
            raise type(err)(_bare_message(err), argument="price", value=price) from err
        return cls(metric, unit_price, per)

    @property
    def currency(self) -> Currency:
        """The currency of the price."""
        return self.unit_price.currency

    def charge(self, excess: int, rounding: RoundingMode) -> Money:
        """Return what ``excess`` units over the limit cost: ``unit_price × excess / per``.

        Exact integer arithmetic (:meth:`Money.ratio <subscription_rules.money.Money.ratio>`),
        rounded once by ``rounding``.

        Raises:
            InvalidUsageError: If ``excess`` is not an ``int`` >= 0.

        >>> Overage.of("billable_sessions", "4.00", "USD", per=1000).charge(
        ...     12_345, RoundingMode.DOWN
        ... )
        Money.of('49.38', 'USD')
        """
        if type(excess) is not int or excess < 0:
            raise InvalidUsageError(
                f"must be a non-negative int, got {described(excess)}",
                argument="excess",
                value=excess,
            )
        if not isinstance(rounding, RoundingMode):
            wrong_type(rounding, "rounding", "a RoundingMode")
        if excess and self.tiers is not None:
            return self.tiers.amount(excess)
        if excess and self.package is not None:
            return self.package.amount(excess)
        return self.unit_price.ratio(excess, self.per, rounding)

    def breakdown(self, excess: int, rounding: RoundingMode) -> tuple[tuple[str, Money], ...]:
        """Return how :meth:`charge` prices ``excess`` units, line by line.

        A pro-rata price is one line; tiers and packages give their own lines
        (:meth:`TierTable.breakdown`, :meth:`PackagePrice.breakdown`), whose
        amounts add up to the charge.

        >>> from subscription_rules.catalog import PackagePrice
        >>> overage = Overage.in_packages("billable_sessions",
        ...     PackagePrice(Money.of("5.00", "USD"), 1000))
        >>> overage.breakdown(1500, RoundingMode.HALF_UP)
        (('1,500 units in packages of 1,000, rounded up: 2 × USD 5.00 = USD 10.00', Money.of('10.00', 'USD')),)
        """
        charge = self.charge(excess, rounding)
        if excess and self.tiers is not None:
            return self.tiers.breakdown(excess)
        if excess and self.package is not None:
            return self.package.breakdown(excess)
        return ((f"{excess:,} × {self.unit_price} / {self.per:,} = {charge}", charge),)

    def __str__(self) -> str:
        if self.tiers is not None:
            return f"{self.tiers.mode.value} tiers per {self.metric} over the limit"
        if self.package is not None:
            return f"{self.package} of {self.metric} over the limit"
        return f"{self.unit_price} per {self.per:,} {self.metric}"

    @classmethod
    def tiered(cls, metric: str, tiers: TierTable) -> Overage:
        """Build an overage price charging the units over the limit by ``tiers``.

        >>> from subscription_rules.catalog import Tier, TierMode, TierTable
        >>> table = TierTable(TierMode.GRADUATED, (Tier(1000, Money.of("0.02", "USD")),
        ...     Tier(None, Money.of("0.01", "USD"))))
        >>> str(Overage.tiered("billable_sessions", table).charge(3000, RoundingMode.HALF_UP))
        'USD 40.00'
        """
        _require(tiers, TierTable, "a TierTable", key="tiers")
        return cls(metric, Money.zero(tiers.currency), tiers=tiers)

    @classmethod
    def in_packages(cls, metric: str, package: PackagePrice) -> Overage:
        """Build an overage price charging the units over the limit per started package."""
        _require(package, PackagePrice, "a PackagePrice", key="package")
        return cls(metric, Money.zero(package.currency), package=package)

    def _check_scheme(self) -> None:
        if self.tiers is None and self.package is None:
            return
        if self.tiers is not None and self.package is not None:
            raise CatalogError(
                "give tiers or a package price, not both", key="package", value=self.package
            )
        if self.tiers is not None:
            _require(self.tiers, TierTable, "a TierTable or None", key="tiers")
            key, currency = "tiers", self.tiers.currency
        else:
            _require(self.package, PackagePrice, "a PackagePrice or None", key="package")
            assert self.package is not None  # noqa: S101 - narrowed for mypy
            key, currency = "package", self.package.currency
        if currency != self.unit_price.currency:
            raise CatalogError(
                f"priced in {currency.code}, but unit_price is in"
                f" {self.unit_price.currency.code}; use one currency",
                key=key,
                value=currency.code,
            )
        if self.unit_price.minor or self.per != 1:
            raise CatalogError(
                f"{key} replace the pro-rata price: unit_price must be zero and per 1,"
                f" got {self.unit_price} per {self.per:,}",
                key="unit_price",
                value=self.unit_price,
            )


def _overages(value: Iterable[Overage]) -> tuple[Overage, ...]:
    return cast("tuple[Overage, ...]", _as_tuple(value, "a tuple of Overage values", key="overage"))
