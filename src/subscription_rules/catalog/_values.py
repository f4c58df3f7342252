"""The catalog's values: metrics, limits, prices, overage prices and plans."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final, cast

import attrs

from subscription_rules._checks import described, shown, wrong_type
from subscription_rules.catalog._checks import (
    _METRIC_NAME,
    _PLAN_ID,
    _as_tuple,
    _bare_message,
    _check_pattern,
    _check_text,
    _require,
)
from subscription_rules.errors import (
    CatalogError,
    InvalidAmountError,
    InvalidArgumentError,
    InvalidUsageError,
    UnknownPriceError,
)
from subscription_rules.money import Currency, Money, RoundingMode
from subscription_rules.periods import MONTHLY, Interval

if TYPE_CHECKING:
    from decimal import Decimal

MAX_CATALOG_BYTES: Final = 1024 * 1024
"""The largest catalog document accepted, in bytes of UTF-8 (1 MiB)."""

MAX_PLANS: Final = 1000
"""The most plans a catalog document may hold."""

MAX_TRIAL_DAYS: Final = 730
"""The longest trial a plan may offer, in days (two years)."""

MAX_OVERAGE_PER: Final = 10**9
"""The largest block of units an overage price may be quoted per."""

MAX_COUNT: Final = 10**15
"""The largest limit, usage count or described quantity of a metric (a quadrillion)."""


# --------------------------------------------------------------------------- metrics


class MetricKind(enum.Enum):
    """What a metric counts, which decides how its limit is enforced.

    ``STOCK`` counts what exists (properties, integrations): being over the
    target plan's limit blocks a downgrade until the customer reduces it.
    ``PER_PERIOD`` counts what happened this billing period (billable
    sessions): it never blocks a move and may cost overage.

    >>> MetricKind("per_period")
    <MetricKind.PER_PERIOD: 'per_period'>
    """

    STOCK = "stock"
    PER_PERIOD = "per_period"


@attrs.frozen
class Metric:
    """A countable thing a plan limits, with the words to talk about it.

    Args:
        name: The key used in limits and usage: a lower-case identifier
            (``a-z``, ``0-9``, ``_``; starts with a letter; at most 64 characters).
        kind: Whether the metric is a stock or a per-period count.
        singular: The noun for one (``"property"``).
        plural: The noun for several (``"properties"``).
        verb: The action that reduces it (``"delete"`` properties).

    Raises:
        CatalogError: For a malformed name, kind or word (``key`` names the field).

    >>> PROPERTIES.describe(7), INTEGRATIONS.describe(1), BILLABLE_SESSIONS.describe(100_000)
    ('7 properties', '1 integration', '100,000 billable sessions')
    >>> Metric("Seats", MetricKind.STOCK, "seat", "seats", "remove")
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: name: must be a lower-case identifier (a-z, 0-9, _), got 'Seats'
    """

    name: str
    kind: MetricKind
    singular: str
    plural: str
    verb: str

    def __attrs_post_init__(self) -> None:
        _check_pattern(self.name, _METRIC_NAME, "a lower-case identifier (a-z, 0-9, _)", key="name")
        _require(self.kind, MetricKind, "a MetricKind", key="kind")
        for key in ("singular", "plural", "verb"):
            _check_text(getattr(self, key), key=key)

    def describe(self, n: int) -> str:
        """Return ``n`` with the right noun: ``"3 properties"``, ``"1 integration"``.

        Args:
            n: A count, an ``int`` >= 0.

        Returns:
            The count, thousands separated with commas, and the noun.

        Raises:
            InvalidArgumentError: If ``n`` is not an ``int``.
            InvalidUsageError: If ``n`` is negative or above :data:`MAX_COUNT`.

        >>> PROPERTIES.describe(1), PROPERTIES.describe(0)
        ('1 property', '0 properties')
        """
        if type(n) is not int:
            raise InvalidArgumentError(f"must be an int, got {described(n)}", argument="n", value=n)
        if n < 0:
            raise InvalidUsageError(f"must be >= 0, got {shown(n)}", argument="n", value=n)
        if n > MAX_COUNT:
            raise InvalidUsageError(
                f"must be at most {MAX_COUNT:,}, got {shown(n)}", argument="n", value=n
            )
        return f"{n:,} {self.singular if n == 1 else self.plural}"


PROPERTIES: Final = Metric("properties", MetricKind.STOCK, "property", "properties", "delete")
"""Tracked websites or apps: a stock, reduced by deleting some."""

#: Connected ad and analytics platforms: a stock, reduced by removing some.
INTEGRATIONS: Final = Metric(
    "integrations", MetricKind.STOCK, "integration", "integrations", "remove"
)

#: Sessions tracked this billing period: a per-period count.
BILLABLE_SESSIONS: Final = Metric(
    "billable_sessions",
    MetricKind.PER_PERIOD,
    "billable session",
    "billable sessions",
    "reduce",
)

DEFAULT_METRICS: Final = (PROPERTIES, INTEGRATIONS, BILLABLE_SESSIONS)
"""The metrics of the help page, used when a catalog names none."""


# --------------------------------------------------------------------------- limits


def _limit_pairs(
    pairs: Iterable[tuple[str, int | None]],
) -> tuple[tuple[str, int | None], ...]:
    """Check and sort (metric name, limit) pairs; the converter of :class:`Limits`."""
    checked: dict[str, int | None] = {}
    for pair in _as_tuple(pairs, "(metric name, limit) pairs", key="limits"):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise CatalogError(
                f"must be (metric name, limit) pairs, got {described(pair)}",
                key="limits",
                value=pair,
            )
        name, limit = pair
        _check_pattern(
            name, _METRIC_NAME, "metric names as lower-case identifiers (a-z, 0-9, _)", key="limits"
        )
        if name in checked:
            raise CatalogError("given twice", key=f"limits.{name}", value=limit)
        if limit is not None and (type(limit) is not int or limit < 0):
            raise CatalogError(
                f"must be an int >= 0 or None (unlimited), got {described(limit)}",
                key=f"limits.{name}",
                value=limit,
            )
        if limit is not None and limit > MAX_COUNT:
            raise CatalogError(
                f"must be at most {MAX_COUNT:,} (use None for unlimited), got {shown(limit)}",
                key=f"limits.{name}",
                value=limit,
            )
        checked[name] = limit
    return tuple(sorted(checked.items()))


@attrs.frozen
class Limits:
    """A plan's limit per metric name: an ``int`` >= 0, or ``None`` for unlimited.

    Stored as ``(name, limit)`` pairs sorted by name, so equal limits compare
    and hash equal however they were given. A metric absent from the limits is
    unlimited; an explicit ``None`` says the same thing out loud.

    Raises:
        CatalogError: For a negative, ``bool``, ``float`` or other non-``int``
            limit, one above :data:`MAX_COUNT`, or a malformed metric name;
            ``key`` is ``limits.<name>``.

    >>> limits = Limits.of(properties=3, integrations=None)
    >>> limits.get("properties"), limits.get("integrations"), limits.get("seats")
    (3, None, None)
    >>> Limits.of({"properties": -1})
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: limits.properties: must be an int >= 0 or None (unlimited), got int -1
    """

    pairs: tuple[tuple[str, int | None], ...] = attrs.field(default=(), converter=_limit_pairs)

    @classmethod
    def of(cls, limits: Mapping[str, int | None] | None = None, /, **more: int | None) -> Limits:
        """Build limits from a mapping, keyword arguments, or both.

        Args:
            limits: Metric name to limit.
            **more: More metric names and limits (these win over ``limits``).

        Returns:
            The limits.

        >>> Limits.of({"properties": 10}, integrations=10).items()
        (('integrations', 10), ('properties', 10))
        """
        if limits is not None and not isinstance(limits, Mapping):
            raise CatalogError(
                f"must be a mapping of metric names to limits, got {described(limits)}",
                key="limits",
                value=limits,
            )
        merged = dict(limits or {})
        merged.update(more)
        return cls(tuple(merged.items()))

    def get(self, name: str) -> int | None:
        """Return the limit for metric ``name``; ``None`` means unlimited.

        >>> Limits.of(properties=3).get("integrations") is None
        True
        """
        for metric, limit in self.pairs:
            if metric == name:
                return limit
        return None

    def items(self) -> tuple[tuple[str, int | None], ...]:
        """Return the ``(name, limit)`` pairs, sorted by name.

        >>> Limits.of(b=1, a=None).items()
        (('a', None), ('b', 1))
        """
        return self.pairs

    @property
    def names(self) -> tuple[str, ...]:
        """The metric names given explicitly, sorted.

        >>> Limits.of(properties=3, integrations=3).names
        ('integrations', 'properties')
        """
        return tuple(name for name, _ in self.pairs)


# --------------------------------------------------------------------------- prices and plans


def _span(interval: Interval) -> tuple[str, int]:
    """An interval's length as months or days, so that 12 months and a year match."""
    if interval.months is not None:
        return ("months", interval.months)
    return ("days", interval.days or 0)


@attrs.frozen
class Price:
    """What a plan costs per billing interval.

    Args:
        amount: A non-negative amount (a free plan costs zero).
        interval: How often it is billed.

    Raises:
        CatalogError: For a negative amount (``key="amount"``) or values of the
            wrong type.

    >>> str(Price(Money.of("50.00", "USD"), MONTHLY))
    'USD 50.00 monthly'
    >>> Price(Money.of("-1.00", "USD"), MONTHLY)
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: amount: must not be negative, got USD -1.00
    """

    amount: Money
    interval: Interval

    def __attrs_post_init__(self) -> None:
        _require(self.amount, Money, "a Money", key="amount")
        if self.amount.minor < 0:
            raise CatalogError(
                f"must not be negative, got {self.amount}", key="amount", value=self.amount
            )
        _require(self.interval, Interval, "an Interval", key="interval")

    @classmethod
    def of(
        cls,
        amount: str | Decimal | int,
        currency: str | Currency,
        interval: str | Interval = MONTHLY,
    ) -> Price:
        """Build a price from major units, a currency code and an interval.

        Args:
            amount: Major units, as ``Money.of`` takes them (``"50.00"`` or ``50``).
            currency: An ISO 4217 code or a :class:`Currency`.
            interval: An :class:`Interval` or text ``Interval.parse`` accepts.

        Returns:
            The price.

        >>> str(Price.of("1500", "USD", "yearly"))
        'USD 1500.00 yearly'
        """
        parsed = interval if isinstance(interval, Interval) else Interval.parse(interval)
        return cls(Money.of(amount, currency), parsed)

    def __str__(self) -> str:
        return f"{self.amount} {self.interval}"


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
        return self.unit_price.ratio(excess, self.per, rounding)

    def __str__(self) -> str:
        return f"{self.unit_price} per {self.per:,} {self.metric}"


def _overages(value: Iterable[Overage]) -> tuple[Overage, ...]:
    return cast("tuple[Overage, ...]", _as_tuple(value, "a tuple of Overage values", key="overage"))


@attrs.frozen
class Plan:
    """A plan customers subscribe to: prices per interval, limits and a trial.

    Args:
        id: A stable lower-case slug (``a-z``, ``0-9``, ``.``, ``_``, ``-``;
            at most 64 characters), unique in its catalog.
        name: The display name.
        prices: At least one price, one per interval, all in one currency.
        limits: The plan's limits; a metric left out is unlimited.
        trial_days: Days of free trial, an ``int`` from 0 to 730.
        rank: Optional order among plans: a higher rank is a bigger plan.
        overage: Overage prices, at most one per metric, each for a metric
            the plan has a finite limit for and in the plan's currency (the
            catalog also checks that each metric is a per-period one).

    Raises:
        CatalogError: Naming the plan id and the key at fault (``overage.<metric>``
            for an overage).

    >>> from subscription_rules.catalog import default_catalog
    >>> plan = default_catalog().plan("personal")
    >>> [str(p) for p in plan.prices], plan.limit("properties"), plan.trial_days
    (['USD 50.00 monthly', 'USD 500.00 yearly'], 3, 14)
    >>> Plan("solo", "Solo", (Price.of("5", "USD"), Price.of("6", "USD")))
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: solo.prices: has two monthly prices; give one price per interval
    """

    id: str
    name: str
    prices: tuple[Price, ...] = attrs.field(converter=_prices)
    limits: Limits = Limits()
    trial_days: int = 0
    rank: int | None = None
    overage: tuple[Overage, ...] = attrs.field(default=(), converter=_overages)

    def __attrs_post_init__(self) -> None:
        _check_pattern(
            self.id,
            _PLAN_ID,
            "a lower-case slug (a-z, 0-9, '.', '_', '-'; at most 64 characters)",
            key="id",
        )
        _check_text(self.name, plan=self.id, key="name")
        self._check_prices()
        _require(self.limits, Limits, "a Limits", plan=self.id, key="limits")
        trial_days: object = self.trial_days
        if type(trial_days) is not int or not 0 <= trial_days <= MAX_TRIAL_DAYS:
            raise CatalogError(
                f"must be an int from 0 to {MAX_TRIAL_DAYS}, got {shown(trial_days)}",
                plan=self.id,
                key="trial_days",
                value=trial_days,
            )
        rank: object = self.rank
        if rank is not None and type(rank) is not int:
            raise CatalogError(
                f"must be an int or None, got {described(rank)}",
                plan=self.id,
                key="rank",
                value=rank,
            )
        self._check_overage()

    def _check_overage(self) -> None:
        seen: set[str] = set()
        for overage in self.overage:
            _require(overage, Overage, "a tuple of Overage values", plan=self.id, key="overage")
            key = f"overage.{overage.metric}"
            if overage.metric in seen:
                raise CatalogError(
                    "given twice; give at most one overage price per metric",
                    plan=self.id,
                    key=key,
                    value=overage,
                )
            seen.add(overage.metric)
            if self.limits.get(overage.metric) is None:
                raise CatalogError(
                    f"the plan has no limit for {shown(overage.metric)} (unlimited);"
                    " overage needs a finite limit",
                    plan=self.id,
                    key=key,
                    value=overage,
                )
            if overage.currency != self.currency:
                raise CatalogError(
                    f"priced in {overage.currency.code}, but the plan is in"
                    f" {self.currency.code}; use one currency",
                    plan=self.id,
                    key=key,
                    value=overage.currency.code,
                )

    def _check_prices(self) -> None:
        if not self.prices:
            raise CatalogError("must hold at least one price", plan=self.id, key="prices")
        for price in self.prices:
            _require(price, Price, "a tuple of Price values", plan=self.id, key="prices")
        seen: dict[tuple[str, int], Interval] = {}
        first = self.prices[0].amount.currency
        for price in self.prices:
            span = _span(price.interval)
            if span in seen:
                same = "" if seen[span] == price.interval else f" (same as {seen[span]})"
                raise CatalogError(
                    f"has two {price.interval} prices{same}; give one price per interval",
                    plan=self.id,
                    key="prices",
                    value=price,
                )
            seen[span] = price.interval
            if price.amount.currency != first:
                raise CatalogError(
                    f"mixes currencies {first.code} and {price.amount.currency.code};"
                    " give every price in one currency",
                    plan=self.id,
                    key="prices",
                    value=price,
                )

    def price(self, interval: Interval) -> Price:
        """Return the price billed every ``interval``.

        Raises:
            UnknownPriceError: If the plan has no price for ``interval``; the
                message lists the intervals it has.

        >>> from subscription_rules.catalog import default_catalog
        >>> from subscription_rules.periods import YEARLY
        >>> str(default_catalog().plan("pro").price(YEARLY))
        'USD 3000.00 yearly'
        >>> default_catalog().plan("pro").price(Interval.parse("quarterly"))
        Traceback (most recent call last):
        subscription_rules.errors.UnknownPriceError: interval: plan 'pro' has no quarterly price; it has: monthly, yearly
        """
        for price in self.prices:
            if price.interval == interval:
                return price
        has = ", ".join(str(p.interval) for p in self.prices)
        raise UnknownPriceError(
            f"plan {shown(self.id)} has no {interval} price; it has: {has}",
            argument="interval",
            value=interval,
        )

    @property
    def intervals(self) -> tuple[Interval, ...]:
        """The intervals the plan is sold at, in the order of its prices.

        >>> from subscription_rules.catalog import default_catalog
        >>> [str(i) for i in default_catalog().plan("pro").intervals]
        ['monthly', 'yearly']
        """
        return tuple(price.interval for price in self.prices)

    @property
    def currency(self) -> Currency:
        """The currency of the plan's prices.

        >>> from subscription_rules.catalog import default_catalog
        >>> default_catalog().plan("pro").currency
        Currency('USD', 2)
        """
        return self.prices[0].amount.currency

    def limit(self, metric_name: str) -> int | None:
        """Return the plan's limit for ``metric_name``; ``None`` means unlimited.

        >>> from subscription_rules.catalog import default_catalog
        >>> pro = default_catalog().plan("pro")
        >>> pro.limit("properties"), pro.limit("integrations")
        (25, None)
        """
        return self.limits.get(metric_name)

    def overage_for(self, metric_name: str) -> Overage | None:
        """Return the plan's overage price for ``metric_name``, or ``None`` if it has none.

        >>> from subscription_rules.catalog import default_catalog
        >>> personal = default_catalog().plan("personal")
        >>> str(personal.overage_for("billable_sessions")), personal.overage_for("properties")
        ('USD 5.00 per 1,000 billable_sessions', None)
        """
        for overage in self.overage:
            if overage.metric == metric_name:
                return overage
        return None
