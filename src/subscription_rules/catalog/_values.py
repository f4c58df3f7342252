"""The catalog's values: metrics, limits, prices, overage prices and plans."""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from subscription_rules._checks import described, shown
from subscription_rules.catalog._checks import (
    _METRIC_NAME,
    _PLAN_ID,
    MAX_COUNT,
    _as_tuple,
    _check_pattern,
    _check_text,
    _require,
)
from subscription_rules.catalog._prices import Overage, Price, _overages, _prices, check_quantity
from subscription_rules.errors import (
    CatalogError,
    InvalidArgumentError,
    InvalidQuantityError,
    InvalidUsageError,
    UnknownPriceError,
)
from subscription_rules.money import Currency
from subscription_rules.periods import Interval

MAX_CATALOG_BYTES: Final = 1024 * 1024
"""The largest catalog document accepted, in bytes of UTF-8 (1 MiB)."""

MAX_PLANS: Final = 1000
"""The most plans a catalog document may hold."""

MAX_TRIAL_DAYS: Final = 730
"""The longest trial a plan may offer, in days (two years)."""


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
class Plan:
    """A plan customers subscribe to: prices per interval, limits and a trial.

    Args:
        id: A stable lower-case slug (``a-z``, ``0-9``, ``.``, ``_``, ``-``;
            at most 64 characters), unique in its catalog.
        name: The display name.
        prices: At least one price, one per interval and currency; every
            currency sold at the same intervals; all flat, or all per unit of
            the same metric (so a quantity survives an interval change).
        limits: The plan's limits; a metric left out is unlimited.
        trial_days: Days of free trial, an ``int`` from 0 to 730.
        rank: Optional order among plans: a higher rank is a bigger plan.
        overage: Overage prices, at most one per metric and currency, each for
            a metric the plan has a finite limit for and in one of the plan's
            currencies (the catalog also checks that each metric is a
            per-period one).
        retired: The plan is no longer sold (Stripe's archived price): no new
            subscription or plan change may choose it, while subscriptions on
            it keep renewing at the price they recorded.

    Raises:
        CatalogError: Naming the plan id and the key at fault (``overage.<metric>``
            for an overage).

    >>> from subscription_rules.catalog import default_catalog
    >>> plan = default_catalog().plan("personal")
    >>> [str(p) for p in plan.prices], plan.limit("properties"), plan.trial_days
    (['USD 50.00 monthly', 'USD 500.00 yearly', 'EUR 45.00 monthly', 'EUR 450.00 yearly'], 3, 14)
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
    retired: bool = attrs.field(default=False, kw_only=True)

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
        retired: object = self.retired
        if type(retired) is not bool:
            raise CatalogError(
                f"must be a bool, got {described(retired)}",
                plan=self.id,
                key="retired",
                value=retired,
            )
        self._check_overage()

    def _check_overage(self) -> None:
        seen: set[tuple[str, Currency]] = set()
        currencies = self.currencies
        for overage in self.overage:
            _require(overage, Overage, "a tuple of Overage values", plan=self.id, key="overage")
            key = f"overage.{overage.metric}"
            if (overage.metric, overage.currency) in seen:
                raise CatalogError(
                    "given twice; give at most one overage price per metric and currency",
                    plan=self.id,
                    key=key,
                    value=overage,
                )
            seen.add((overage.metric, overage.currency))
            if self.limits.get(overage.metric) is None:
                raise CatalogError(
                    f"the plan has no limit for {shown(overage.metric)} (unlimited);"
                    " overage needs a finite limit",
                    plan=self.id,
                    key=key,
                    value=overage,
                )
            if overage.currency not in currencies:
                raise CatalogError(
                    f"priced in {overage.currency.code}, but the plan is sold in"
                    f" {', '.join(c.code for c in currencies)}; use one of its currencies",
                    plan=self.id,
                    key=key,
                    value=overage.currency.code,
                )

    def _check_prices(self) -> None:
        if not self.prices:
            raise CatalogError("must hold at least one price", plan=self.id, key="prices")
        for price in self.prices:
            _require(price, Price, "a tuple of Price values", plan=self.id, key="prices")
        seen: dict[tuple[str, int, Currency], Interval] = {}
        spans: dict[Currency, set[tuple[str, int]]] = {}
        first = self.prices[0]
        for price in self.prices:
            span = _span(price.interval)
            if (*span, price.currency) in seen:
                known = seen[(*span, price.currency)]
                same = "" if known == price.interval else f" (same as {known})"
                several = f" {price.currency.code}" if len(self.currencies) > 1 else ""
                raise CatalogError(
                    f"has two {price.interval}{several} prices{same}; give one price per interval",
                    plan=self.id,
                    key="prices",
                    value=price,
                )
            seen[(*span, price.currency)] = price.interval
            spans.setdefault(price.currency, set()).add(span)
            if price.unit != first.unit:
                raise CatalogError(
                    f"mixes {_scheme(first)} and {_scheme(price)} prices; price every"
                    " interval and currency of a plan the same way",
                    plan=self.id,
                    key="prices",
                    value=price,
                )
        base = spans[first.currency]
        for currency, sold in spans.items():
            for has, lacks, where in (
                (first.currency, currency, base - sold),
                (currency, first.currency, sold - base),
            ):
                for price in self.prices:
                    if price.currency == has and _span(price.interval) in where:
                        raise CatalogError(
                            f"has a {price.interval} {has.code} price but no {price.interval}"
                            f" {lacks.code} price; sell every currency at the same intervals",
                            plan=self.id,
                            key="prices",
                            value=lacks.code,
                        )

    def price(self, interval: Interval, currency: Currency | None = None) -> Price:
        """Return the price billed every ``interval`` in ``currency``.

        Args:
            interval: The billing interval.
            currency: The currency (a subscription's); ``None`` for the plan's
                first currency (:attr:`currency`).

        Raises:
            UnknownPriceError: If the plan has no price for ``interval`` (the
                message lists the intervals it has) or none in ``currency``
                (``argument="currency"``; the message lists the currencies).

        >>> from subscription_rules.catalog import default_catalog
        >>> from subscription_rules.periods import YEARLY
        >>> str(default_catalog().plan("pro").price(YEARLY))
        'USD 3000.00 yearly'
        >>> default_catalog().plan("pro").price(Interval.parse("quarterly"))
        Traceback (most recent call last):
        subscription_rules.errors.UnknownPriceError: interval: plan 'pro' has no quarterly price; it has: monthly, yearly
        >>> str(default_catalog().plan("pro").price(YEARLY, Currency.of("EUR")))
        'EUR 2700.00 yearly'
        >>> default_catalog().plan("pro").price(YEARLY, Currency.of("JPY"))
        Traceback (most recent call last):
        subscription_rules.errors.UnknownPriceError: currency: plan 'pro' has no price in JPY; it is sold in: USD, EUR
        """
        wanted = self.prices[0].currency if currency is None else currency
        for price in self.prices:
            if price.interval == interval and price.currency == wanted:
                return price
        if wanted not in self.currencies:
            sold = ", ".join(c.code for c in self.currencies)
            raise UnknownPriceError(
                f"plan {shown(self.id)} has no price in {wanted.code}; it is sold in: {sold}",
                argument="currency",
                value=wanted,
            )
        has = ", ".join(str(i) for i in self.intervals)
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
        first = self.prices[0].currency
        return tuple(price.interval for price in self.prices if price.currency == first)

    @property
    def currency(self) -> Currency:
        """The plan's first currency: a subscription's unless another is chosen at its start.

        >>> from subscription_rules.catalog import default_catalog
        >>> default_catalog().plan("pro").currency
        Currency('USD', 2)
        """
        return self.prices[0].amount.currency

    @functools.cached_property
    def currencies(self) -> tuple[Currency, ...]:
        """Every currency the plan is sold in, in the order of its prices (worked out once).

        >>> from subscription_rules.catalog import default_catalog
        >>> default_catalog().plan("pro").currencies
        (Currency('USD', 2), Currency('EUR', 2))
        """
        return tuple(dict.fromkeys(price.currency for price in self.prices))

    @property
    def unit(self) -> str | None:
        """The metric name of the units the plan is sold by (seats), or ``None`` if flat."""
        return self.prices[0].unit

    def limit(self, metric_name: str) -> int | None:
        """Return the plan's limit for ``metric_name``; ``None`` means unlimited.

        >>> from subscription_rules.catalog import default_catalog
        >>> pro = default_catalog().plan("pro")
        >>> pro.limit("properties"), pro.limit("integrations")
        (25, None)
        """
        return self.limits.get(metric_name)

    def overage_for(self, metric_name: str, currency: Currency | None = None) -> Overage | None:
        """Return the plan's overage price for ``metric_name`` in ``currency``, or ``None``.

        ``currency`` ``None`` means the plan's first currency.

        >>> from subscription_rules.catalog import default_catalog
        >>> personal = default_catalog().plan("personal")
        >>> str(personal.overage_for("billable_sessions")), personal.overage_for("properties")
        ('USD 5.00 per 1,000 billable_sessions', None)
        """
        wanted = self.prices[0].currency if currency is None else currency
        for overage in self.overage:
            if overage.metric == metric_name and overage.currency == wanted:
                return overage
        return None


def _scheme(price: Price) -> str:
    """How a price is charged, for messages: ``flat`` or ``per-unit (seats)``."""
    return "flat" if price.unit is None else f"per-unit ({price.unit})"


def _plan_quantity(plan: Plan, quantity: object) -> int:
    """``quantity`` if ``plan`` sells it: an ``int`` from 1 to 10**15, and 1 on a flat plan.

    Raises:
        InvalidQuantityError: Naming ``quantity`` (and the plan, when it is flat).
    """
    checked = check_quantity(quantity)
    if plan.unit is None and checked != 1:
        raise InvalidQuantityError(
            f"plan {shown(plan.id)} is priced flat, not per unit; must be 1, got {checked}",
            argument="quantity",
            value=checked,
        )
    return checked
