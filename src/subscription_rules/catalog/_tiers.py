"""Tier and package pricing arithmetic: what ``quantity`` units cost, line by line.

A tier table prices a quantity of seats (``Price.tiered``) or of usage over a
limit (``Overage.tiered``); a package price prices usage over a limit
(``Overage.in_packages``). Amounts are exact (an ``int`` of units times an
amount in minor units): no rounding happens anywhere, and the amount is the sum
of the breakdown's lines.

>>> table = TierTable(
...     TierMode.GRADUATED,
...     (
...         Tier(10, Money.of("5.00", "USD")),
...         Tier(None, Money.of("4.00", "USD"), Money.of("2.00", "USD")),
...     ),
... )
>>> for text, _ in table.breakdown(20):
...     print(text)
1–10: 10 × USD 5.00 = USD 50.00
11–20: 10 × USD 4.00 = USD 40.00
11+: flat fee = USD 2.00
>>> str(table.amount(20))
'USD 92.00'
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import cast

import attrs

from subscription_rules._checks import count, described, shown
from subscription_rules.catalog._checks import MAX_COUNT, _as_tuple, _require
from subscription_rules.errors import CatalogError, InvalidArgumentError
from subscription_rules.money import Currency, Money

#: One line of a breakdown: what it says and what it costs.
BreakdownLine = tuple[str, Money]


class TierMode(enum.Enum):
    """How a :class:`TierTable` prices a quantity.

    ``GRADUATED``: each unit at the unit amount of the tier it falls in, plus
    the flat fee of every tier reached. ``VOLUME``: every unit at the unit
    amount of the tier the whole quantity reaches, plus that tier's flat fee
    (so the total may fall when a quantity crosses into a cheaper tier).

    >>> TierMode("volume")
    <TierMode.VOLUME: 'volume'>
    """

    GRADUATED = "graduated"
    VOLUME = "volume"


def _check_units(value: object, *, key: str, low: int) -> None:
    if type(value) is not int or not low <= value <= MAX_COUNT:
        raise CatalogError(
            f"must be an int from {low} to {MAX_COUNT:,}, got {described(value)}",
            key=key,
            value=value,
        )


def _check_amount(value: object, *, key: str) -> Money:
    _require(value, Money, "a Money", key=key)
    amount = cast("Money", value)
    if amount.minor < 0:
        raise CatalogError(f"must not be negative, got {amount}", key=key, value=amount)
    return amount


def _check_quantity(quantity: object) -> int:
    count(quantity, "quantity")
    checked = cast("int", quantity)
    if checked > MAX_COUNT:
        raise InvalidArgumentError(
            f"must be at most {MAX_COUNT:,}, got {shown(checked)}",
            argument="quantity",
            value=checked,
        )
    return checked


@attrs.frozen
class Tier:
    """One tier of a :class:`TierTable`: the units up to ``up_to`` (inclusive).

    A tier starts one unit above the previous tier's bound (the first at 1).

    Args:
        up_to: The last unit of the tier, an ``int`` from 1 to 10**15, or
            ``None`` for the last tier, which has no bound.
        unit_amount: The price of one unit in the tier, not negative.
        flat_amount: A fee charged once when the tier is reached, not
            negative, in the unit amount's currency; ``None`` for none.

    Raises:
        CatalogError: For a bound, amount or fee out of range or of the wrong
            type, or a fee in another currency (``key`` names the field).

    >>> str(Tier(5, Money.of("7.00", "USD")))
    'up to 5: USD 7.00 per unit'
    >>> Tier(0, Money.of("7.00", "USD"))
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: up_to: must be an int from 1 to 1,000,000,000,000,000 or None (the last tier), got int 0
    """

    up_to: int | None
    unit_amount: Money
    flat_amount: Money | None = None

    def __attrs_post_init__(self) -> None:
        up_to: object = self.up_to
        if up_to is not None and (type(up_to) is not int or not 1 <= up_to <= MAX_COUNT):
            raise CatalogError(
                f"must be an int from 1 to {MAX_COUNT:,} or None (the last tier),"
                f" got {described(up_to)}",
                key="up_to",
                value=up_to,
            )
        unit = _check_amount(self.unit_amount, key="unit_amount")
        if self.flat_amount is not None:
            flat = _check_amount(self.flat_amount, key="flat_amount")
            if flat.currency != unit.currency:
                raise CatalogError(
                    f"priced in {flat.currency.code}, but the unit amount is in"
                    f" {unit.currency.code}; use one currency",
                    key="flat_amount",
                    value=flat,
                )

    def __str__(self) -> str:
        bound = "unbounded" if self.up_to is None else f"up to {self.up_to:,}"
        flat = "" if self.flat_amount is None else f" + {self.flat_amount} flat"
        return f"{bound}: {self.unit_amount} per unit{flat}"


def _tiers(value: Iterable[Tier]) -> tuple[Tier, ...]:
    return cast("tuple[Tier, ...]", _as_tuple(value, "a tuple of Tier values", key="tiers"))


def _span(low: int, up_to: int | None) -> str:
    """A tier's units as text: ``"11–20"``, or ``"11+"`` without a bound."""
    return f"{low:,}+" if up_to is None else f"{low:,}–{up_to:,}"


@attrs.frozen
class TierTable:
    """Tiered pricing of a quantity (Stripe's ``tiers`` with ``tiers_mode``).

    Args:
        mode: :attr:`TierMode.GRADUATED` or :attr:`TierMode.VOLUME`.
        tiers: At least one :class:`Tier`, with bounds strictly increasing
            (so no two tiers overlap), all in one currency; the last, and
            only the last, has no bound (``up_to=None``, Stripe's
            ``up_to: inf``), so every quantity has a price.

    Raises:
        CatalogError: Naming the tier at fault (``tiers[<index>].<field>``).

    Zero units reach no tier and cost zero in both modes (no flat fee).

    >>> usd = lambda text: Money.of(text, "USD")
    >>> table = TierTable(TierMode.VOLUME, (Tier(5, usd("7")), Tier(None, usd("6.50"))))
    >>> str(table.amount(5)), str(table.amount(6))
    ('USD 35.00', 'USD 39.00')
    >>> TierTable(TierMode.VOLUME, (Tier(5, usd("7")), Tier(10, usd("6.50"))))
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: tiers[1].up_to: the last tier must have no bound (None), got 10; every quantity needs a price
    """

    mode: TierMode
    tiers: tuple[Tier, ...] = attrs.field(converter=_tiers)

    def __attrs_post_init__(self) -> None:
        _require(self.mode, TierMode, "a TierMode", key="mode")
        if not self.tiers:
            raise CatalogError("must hold at least one tier", key="tiers", value=self.tiers)
        for tier in self.tiers:
            _require(tier, Tier, "a tuple of Tier values", key="tiers")
        currency = self.tiers[0].unit_amount.currency
        last = len(self.tiers) - 1
        previous = 0
        for index, tier in enumerate(self.tiers):
            where = f"tiers[{index}]"
            if tier.unit_amount.currency != currency:
                raise CatalogError(
                    f"priced in {tier.unit_amount.currency.code}, but tiers[0] is in"
                    f" {currency.code}; use one currency",
                    key=f"{where}.unit_amount",
                    value=tier.unit_amount,
                )
            if tier.up_to is None and index != last:
                raise CatalogError(
                    f"only the last tier may have no bound (None), but {last - index} more follow",
                    key=f"{where}.up_to",
                    value=None,
                )
            if tier.up_to is not None and index == last:
                raise CatalogError(
                    f"the last tier must have no bound (None), got {tier.up_to:,};"
                    " every quantity needs a price",
                    key=f"{where}.up_to",
                    value=tier.up_to,
                )
            if tier.up_to is not None:
                if tier.up_to <= previous:
                    raise CatalogError(
                        f"must be above the previous tier's bound {previous:,}, got"
                        f" {tier.up_to:,}; give tiers in increasing order, without overlap",
                        key=f"{where}.up_to",
                        value=tier.up_to,
                    )
                previous = tier.up_to

    @property
    def currency(self) -> Currency:
        """The currency of every amount in the table."""
        return self.tiers[0].unit_amount.currency

    def breakdown(self, quantity: int) -> tuple[BreakdownLine, ...]:
        """Return the lines pricing ``quantity`` units: ``(text, amount)`` pairs.

        Raises:
            InvalidArgumentError: If ``quantity`` is not an ``int`` from 0 to 10**15.

        >>> usd = lambda text: Money.of(text, "USD")
        >>> table = TierTable(TierMode.VOLUME, (Tier(5, usd("7")), Tier(None, usd("6.50"))))
        >>> table.breakdown(6)
        (('6 units at the 6+ tier: 6 × USD 6.50 = USD 39.00', Money.of('39.00', 'USD')),)
        """
        units = _check_quantity(quantity)
        match self.mode:
            case TierMode.GRADUATED:
                return self._graduated(units)
            case TierMode.VOLUME:
                return self._volume(units)

    def amount(self, quantity: int) -> Money:
        """Return what ``quantity`` units cost: the sum of :meth:`breakdown`'s lines.

        Raises:
            InvalidArgumentError: If ``quantity`` is not an ``int`` from 0 to 10**15.

        >>> usd = lambda text: Money.of(text, "USD")
        >>> table = TierTable(TierMode.GRADUATED, (Tier(5, usd("7")), Tier(None, usd("6.50"))))
        >>> str(table.amount(6)), str(table.amount(0))
        ('USD 41.50', 'USD 0.00')
        """
        total = Money.zero(self.currency)
        for _, line in self.breakdown(quantity):
            total += line
        return total

    def _graduated(self, units: int) -> tuple[BreakdownLine, ...]:
        lines: list[BreakdownLine] = []
        below = 0  # the units priced by the tiers before this one
        for tier in self.tiers:
            if units <= below:
                break
            top = units if tier.up_to is None else min(units, tier.up_to)
            charged = top - below
            cost = tier.unit_amount * charged
            lines.append(
                (f"{below + 1:,}–{top:,}: {charged:,} × {tier.unit_amount} = {cost}", cost)
            )
            if tier.flat_amount is not None:
                span = _span(below + 1, tier.up_to)
                lines.append((f"{span}: flat fee = {tier.flat_amount}", tier.flat_amount))
            below = top
        return tuple(lines)

    def _volume(self, units: int) -> tuple[BreakdownLine, ...]:
        if units == 0:
            return ()
        below = 0
        for tier in self.tiers:
            if tier.up_to is None or units <= tier.up_to:
                span = _span(below + 1, tier.up_to)
                cost = tier.unit_amount * units
                noun = "unit" if units == 1 else "units"
                text = f"{units:,} {noun} at the {span} tier: {units:,} × {tier.unit_amount}"
                lines: list[BreakdownLine] = [(f"{text} = {cost}", cost)]
                if tier.flat_amount is not None:
                    lines.append((f"{span}: flat fee = {tier.flat_amount}", tier.flat_amount))
                return tuple(lines)
            below = tier.up_to
        raise AssertionError(self)  # pragma: no cover - the last tier has no bound


@attrs.frozen
class PackagePrice:
    """A price per package of ``size`` units, a started package counting as a whole one.

    Stripe's ``transform_quantity`` (``divide_by=size``, ``round=up``) and
    Lago's package charge model (with its free units).

    Args:
        package_amount: The price of one package, not negative.
        size: Units per package, an ``int`` from 1 to 10**15.
        free_units: Units given free before packages are counted, an
            ``int`` from 0 to 10**15 (default 0).

    Raises:
        CatalogError: For an amount, size or number of free units out of range
            or of the wrong type (``key`` names the field).

    >>> price = PackagePrice(Money.of("10.00", "USD"), 5)
    >>> [str(price.amount(n)) for n in (0, 5, 6)]
    ['USD 0.00', 'USD 10.00', 'USD 20.00']
    >>> PackagePrice(Money.of("10.00", "USD"), 0)
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: size: must be an int from 1 to 1,000,000,000,000,000, got int 0
    """

    package_amount: Money
    size: int
    free_units: int = 0

    def __attrs_post_init__(self) -> None:
        _check_amount(self.package_amount, key="package_amount")
        _check_units(self.size, key="size", low=1)
        _check_units(self.free_units, key="free_units", low=0)

    @property
    def currency(self) -> Currency:
        """The currency of the package amount."""
        return self.package_amount.currency

    def packages(self, quantity: int) -> int:
        """Return how many packages ``quantity`` units fill: ``ceil((quantity - free) / size)``.

        >>> PackagePrice(Money.of("5.00", "USD"), 100, free_units=100).packages(201)
        2
        """
        units = _check_quantity(quantity)
        billable = max(0, units - self.free_units)
        return -(-billable // self.size)

    def breakdown(self, quantity: int) -> tuple[BreakdownLine, ...]:
        """Return the lines pricing ``quantity`` units: ``(text, amount)`` pairs.

        Raises:
            InvalidArgumentError: If ``quantity`` is not an ``int`` from 0 to 10**15.

        >>> price = PackagePrice(Money.of("5.00", "USD"), 100, free_units=100)
        >>> for text, _ in price.breakdown(201):
        ...     print(text)
        first 100 units: free = USD 0.00
        101 units in packages of 100, rounded up: 2 × USD 5.00 = USD 10.00
        """
        packages = self.packages(quantity)
        free = min(quantity, self.free_units)
        zero = Money.zero(self.currency)
        lines: list[BreakdownLine] = []
        if free:
            lines.append(
                (f"first {free:,} {'unit' if free == 1 else 'units'}: free = {zero}", zero)
            )
        billable = quantity - free
        if billable:
            cost = self.package_amount * packages
            noun = "unit" if billable == 1 else "units"
            text = f"{billable:,} {noun} in packages of {self.size:,}, rounded up"
            lines.append((f"{text}: {packages:,} × {self.package_amount} = {cost}", cost))
        return tuple(lines)

    def amount(self, quantity: int) -> Money:
        """Return what ``quantity`` units cost: packages × the package amount.

        Raises:
            InvalidArgumentError: If ``quantity`` is not an ``int`` from 0 to 10**15.

        >>> str(PackagePrice(Money.of("10.00", "USD"), 5).amount(7))
        'USD 20.00'
        """
        return self.package_amount * self.packages(quantity)

    def __str__(self) -> str:
        free = f" after {self.free_units:,} free" if self.free_units else ""
        return f"{self.package_amount} per {self.size:,} units{free}"
