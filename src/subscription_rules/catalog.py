r"""The catalog: metrics, limits, prices and plans, and how to load one from TOML.

A :class:`Catalog` is an immutable list of :class:`Plan` values sharing one
currency, plus the :class:`Metric` values their :class:`Limits` refer to. It
also answers the question every plan change starts with: is this move an
upgrade, a downgrade or an interval change (:func:`classify_move`)?

The built-in :func:`default_catalog` is shaped like the help page the library
implements (Personal, Advanced, Pro); its prices are illustrative.

Every malformed value raises :class:`~subscription_rules.errors.CatalogError`,
whose message starts with the plan and key at fault (``plan`` and ``key`` are
also attributes).

>>> catalog = default_catalog()
>>> catalog.ids
('personal', 'advanced', 'pro')
>>> catalog.plan("advanced").limit("properties") - catalog.plan("personal").limit("properties")
7
>>> catalog.classify("advanced", MONTHLY, "personal", MONTHLY)
<MoveKind.DOWNGRADE: 'downgrade'>

TOML format
-----------

:func:`parse_catalog` reads a TOML document and :func:`load_catalog` a TOML
file (UTF-8)::

    currency = "USD"            # required: an ISO 4217 code

    [[metrics]]                 # optional; when present it replaces the default
    name = "seats"              # metrics (properties, integrations,
    kind = "stock"              # billable_sessions). kind: "stock" or "per_period"
    singular = "seat"           # all five keys are required
    plural = "seats"
    verb = "remove"

    [[plans]]                   # required: one table per plan, at least one
    id = "personal"             # required: a lower-case slug (a-z, 0-9, ".", "_", "-")
    name = "Personal"           # required: the display name
    trial_days = 14             # optional, default 0: an integer from 0 to 730
    rank = 1                    # optional: on every plan or on none, unique;
                                # a higher rank is a bigger plan

    [plans.prices]              # required, at least one: interval = amount
    monthly = "50.00"           # amounts in major units, as a string ("50.00")
    yearly = "500.00"           # or an integer (50); floats are refused

    [plans.limits]              # optional: metric = integer >= 0 or "unlimited";
    properties = 3              # an omitted metric is unlimited
    integrations = "unlimited"
    billable_sessions = 100_000

    [plans.overage.billable_sessions]   # optional, one table per metric: what usage
    price = "5.00"              # over the limit costs, billed in arrears. price:
    per = 1000                  # required, an amount like the prices above; per:
                                # optional, default 1, an integer from 1 to 10**9.
                                # Only for a per-period metric with a finite limit.
                                # Charged pro rata per unit (price × excess / per,
                                # rounded once), never in whole blocks.

Price keys are anything :meth:`Interval.parse <subscription_rules.periods.Interval.parse>`
accepts: ``monthly``/``month``, ``quarterly``, ``yearly``/``annual``/``year``,
``weekly``, ``daily``, ``"6 months"`` (quoted, since it holds a space), ...;
one price per interval.

Every mistake raises :class:`~subscription_rules.errors.CatalogError` naming
where it is, as ``plans[<index>] ('<id>').<key>`` (``plans[<index>]`` while the
id is unknown), ``metrics[<index>].<key>`` or the top-level key: a TOML syntax
error (with tomllib's line and column), a missing key, a value of the wrong
type, a float, negative or too precise amount, an unknown currency, interval or
metric, a duplicate plan id or interval, ranks on some plans only, an overage
for a stock metric or for a metric without a finite limit (as
``plans[<index>] ('<id>').overage.<metric>``), and any key not listed above (so
that a typo never passes silently).

Limits: a document larger than :data:`MAX_CATALOG_BYTES` (1 MiB) or with more
than :data:`MAX_PLANS` (1,000) plans is refused, and so is a limit above
:data:`MAX_COUNT` (10**15), an integer of more than 4,300 digits and arrays or
inline tables nested hundreds deep (as invalid TOML). Loading a file is the only
I/O this library does, and only when asked.

>>> parse_catalog('currency = "USD"\n[[plans]]\nid = "a"\nname = "A"\nprices = {monthly = 9.99}')
Traceback (most recent call last):
subscription_rules.errors.CatalogError: plans[0] ('a').prices.monthly: floats are refused for money, got 9.99; write the amount as a string such as '9.99'
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterable, Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, cast

import attrs

from subscription_rules._toml import read_bounded, shape_problem
from subscription_rules.errors import (
    CatalogError,
    CurrencyMismatchError,
    InvalidAmountError,
    InvalidArgumentError,
    InvalidUsageError,
    SubscriptionRulesError,
    UnknownPlanError,
    UnknownPriceError,
    _shown,
)
from subscription_rules.money import Currency, Money, RoundingMode
from subscription_rules.periods import MONTHLY, YEARLY, Interval

if TYPE_CHECKING:
    from collections.abc import Iterator
    from decimal import Decimal

__all__ = [
    "BILLABLE_SESSIONS",
    "DEFAULT_METRICS",
    "INTEGRATIONS",
    "MAX_CATALOG_BYTES",
    "MAX_COUNT",
    "MAX_PLANS",
    "PROPERTIES",
    "Catalog",
    "Comparison",
    "Limits",
    "Metric",
    "MetricKind",
    "MoveKind",
    "Overage",
    "Plan",
    "Price",
    "annualised",
    "classify_move",
    "default_catalog",
    "load_catalog",
    "parse_catalog",
]

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

_METRIC_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_PLAN_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def _describe(value: object) -> str:
    """Name a value's type and show it, for error messages."""
    return f"{type(value).__name__} {_shown(value)}"


def _as_tuple(value: object, what: str, *, key: str) -> tuple[object, ...]:
    """``tuple(value)`` for a collection field, refusing a non-iterable or a string."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise CatalogError(f"must be {what}, got {_describe(value)}", key=key, value=value)
    return tuple(value)


def _require(
    value: object, cls: type[object], what: str, *, plan: str | None = None, key: str
) -> None:
    """Raise a :class:`CatalogError` unless ``value`` is an instance of ``cls``."""
    if not isinstance(value, cls):
        raise CatalogError(
            f"must be {what}, got {_describe(value)}", plan=plan, key=key, value=value
        )


def _bare_message(err: SubscriptionRulesError) -> str:
    """Return an error's message without its ``argument: `` prefix."""
    text = str(err)
    return text.removeprefix(f"{err.argument}: ") if err.argument else text


def _relabel(
    err: SubscriptionRulesError, *, plan: str | None, key: str | None = None
) -> CatalogError:
    """Restate an error from a value constructor with the plan and key it came from."""
    own_key = err.key if isinstance(err, CatalogError) else err.argument
    return CatalogError(_bare_message(err), plan=plan, key=key or own_key, value=err.value)


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


def _check_text(value: object, *, plan: str | None = None, key: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(
            f"must be a non-empty string, got {_describe(value)}", plan=plan, key=key, value=value
        )


def _check_pattern(value: object, pattern: re.Pattern[str], what: str, *, key: str) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise CatalogError(f"must be {what}, got {_shown(value)}", key=key, value=value)


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
            raise InvalidArgumentError(f"must be an int, got {_describe(n)}", argument="n", value=n)
        if n < 0:
            raise InvalidUsageError(f"must be >= 0, got {_shown(n)}", argument="n", value=n)
        if n > MAX_COUNT:
            raise InvalidUsageError(
                f"must be at most {MAX_COUNT:,}, got {_shown(n)}", argument="n", value=n
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
                f"must be (metric name, limit) pairs, got {_describe(pair)}",
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
                f"must be an int >= 0 or None (unlimited), got {_describe(limit)}",
                key=f"limits.{name}",
                value=limit,
            )
        if limit is not None and limit > MAX_COUNT:
            raise CatalogError(
                f"must be at most {MAX_COUNT:,} (use None for unlimited), got {_shown(limit)}",
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
                f"must be a mapping of metric names to limits, got {_describe(limits)}",
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
                f"must be an int from 1 to {MAX_OVERAGE_PER}, got {_shown(per)}",
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
                f"must be a non-negative int, got {_describe(excess)}",
                argument="excess",
                value=excess,
            )
        if not isinstance(rounding, RoundingMode):
            raise InvalidArgumentError(
                f"expected a RoundingMode, got {_describe(rounding)}",
                argument="rounding",
                value=rounding,
            )
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
                f"must be an int from 0 to {MAX_TRIAL_DAYS}, got {_shown(trial_days)}",
                plan=self.id,
                key="trial_days",
                value=trial_days,
            )
        rank: object = self.rank
        if rank is not None and type(rank) is not int:
            raise CatalogError(
                f"must be an int or None, got {_describe(rank)}",
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
                    f"the plan has no limit for {_shown(overage.metric)} (unlimited);"
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
            f"plan {_shown(self.id)} has no {interval} price; it has: {has}",
            argument="interval",
            value=interval,
        )

    @property
    def intervals(self) -> tuple[Interval, ...]:
        """The intervals the plan is sold at, in the order of its prices.

        >>> [str(i) for i in default_catalog().plan("pro").intervals]
        ['monthly', 'yearly']
        """
        return tuple(price.interval for price in self.prices)

    @property
    def currency(self) -> Currency:
        """The currency of the plan's prices.

        >>> default_catalog().plan("pro").currency
        Currency('USD', 2)
        """
        return self.prices[0].amount.currency

    def limit(self, metric_name: str) -> int | None:
        """Return the plan's limit for ``metric_name``; ``None`` means unlimited.

        >>> pro = default_catalog().plan("pro")
        >>> pro.limit("properties"), pro.limit("integrations")
        (25, None)
        """
        return self.limits.get(metric_name)

    def overage_for(self, metric_name: str) -> Overage | None:
        """Return the plan's overage price for ``metric_name``, or ``None`` if it has none.

        >>> personal = default_catalog().plan("personal")
        >>> str(personal.overage_for("billable_sessions")), personal.overage_for("properties")
        ('USD 5.00 per 1,000 billable_sessions', None)
        """
        for overage in self.overage:
            if overage.metric == metric_name:
                return overage
        return None


# --------------------------------------------------------------------------- moves


class MoveKind(enum.Enum):
    """What a change from one plan and interval to another is.

    >>> personal = default_catalog().plan("personal")
    >>> classify_move(personal, MONTHLY, personal, YEARLY)
    <MoveKind.INTERVAL_CHANGE: 'interval_change'>
    """

    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"
    INTERVAL_CHANGE = "interval_change"
    NO_CHANGE = "no_change"


class Comparison(enum.Enum):
    """How :func:`classify_move` decides between upgrade and downgrade.

    ``ANNUALISED_PRICE`` compares what the two prices cost over a year (a tie
    counts as an upgrade, as in Lago); ``RANK`` compares the plans' ranks.

    >>> Comparison.RANK.value
    'rank'
    """

    ANNUALISED_PRICE = "annualised_price"
    RANK = "rank"


def _per_year(interval: Interval) -> Fraction:
    """How many times an interval fits in a year of 12 months or 365 days (a week is 7 days)."""
    if interval.days is not None:
        return Fraction(365, interval.days)
    return Fraction(12, interval.months or 12)


def annualised(price: Price) -> Fraction:
    """Return what a price costs over a year, in major units, exactly.

    A year counts 12 months or 365 days, and a week 7 days (prices compared
    by their daily rate, as Lago does), so monthly 50.00 is 600, weekly 7.00
    is 365 and every 6 months 100.00 is 200.

    >>> annualised(Price.of("50.00", "USD", "monthly")), annualised(Price.of("500", "USD", "yearly"))
    (Fraction(600, 1), Fraction(500, 1))
    >>> annualised(Price.of("0.99", "USD", "weekly"))
    Fraction(7227, 140)
    """
    if not isinstance(price, Price):
        raise InvalidArgumentError(
            f"expected a Price, got {_describe(price)}", argument="price", value=price
        )
    amount = price.amount
    return Fraction(amount.minor, amount.currency.unit) * _per_year(price.interval)


def _check_plan(value: object, argument: str) -> Plan:
    if not isinstance(value, Plan):
        raise InvalidArgumentError(
            f"expected a Plan, got {_describe(value)}", argument=argument, value=value
        )
    return value


def _check_comparison(by: object) -> None:
    if not isinstance(by, Comparison):
        raise InvalidArgumentError(
            f"expected a Comparison, got {_describe(by)}", argument="by", value=by
        )


def _rank(plan: Plan) -> int:
    if plan.rank is None:
        raise CatalogError(
            "comparison by rank needs a rank on both plans; this plan has none",
            plan=plan.id,
            key="rank",
        )
    return plan.rank


def classify_move(
    current_plan: Plan,
    current_interval: Interval,
    target_plan: Plan,
    target_interval: Interval,
    *,
    by: Comparison = Comparison.ANNUALISED_PRICE,
) -> MoveKind:
    """Classify a move from one plan and interval to another.

    The same plan at the same interval is ``NO_CHANGE``, at another interval
    an ``INTERVAL_CHANGE``. Between plans, ``by`` decides: by annualised price
    a dearer target is an ``UPGRADE``, a cheaper one a ``DOWNGRADE`` and a tie
    counts as an ``UPGRADE`` (Lago's rule); by rank a higher-ranked target is
    an ``UPGRADE`` (equal ranks, possible only across catalogs, count as one).

    Args:
        current_plan: The plan subscribed to now.
        current_interval: The interval billed now; the plan must have a price for it.
        target_plan: The plan to move to.
        target_interval: The interval to move to; the target must have a price for it.
        by: How to compare two different plans.

    Returns:
        The kind of move.

    Raises:
        InvalidArgumentError: If a plan is not a :class:`Plan`.
        UnknownPriceError: If a plan has no price for its interval.
        CurrencyMismatchError: If the plans' currencies differ.
        CatalogError: With ``by=Comparison.RANK``, if a plan has no rank.

    >>> catalog = default_catalog()
    >>> personal, advanced = catalog.plan("personal"), catalog.plan("advanced")
    >>> classify_move(advanced, MONTHLY, personal, YEARLY)
    <MoveKind.DOWNGRADE: 'downgrade'>

    A tie counts as an upgrade, whichever way the move goes: Personal monthly
    costs 600.00 a year, and so does this plan billed yearly.

    >>> twin = Plan("twin", "Twin", (Price.of("600", "USD", "yearly"),))
    >>> classify_move(personal, MONTHLY, twin, YEARLY)
    <MoveKind.UPGRADE: 'upgrade'>
    >>> classify_move(twin, YEARLY, personal, MONTHLY)
    <MoveKind.UPGRADE: 'upgrade'>
    >>> classify_move(personal, MONTHLY, twin, YEARLY, by=Comparison.RANK)
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: personal.rank: comparison by rank needs a rank on both plans; this plan has none
    """
    current_plan = _check_plan(current_plan, "current_plan")
    target_plan = _check_plan(target_plan, "target_plan")
    _check_comparison(by)
    for argument, interval in (
        ("current_interval", current_interval),
        ("target_interval", target_interval),
    ):
        if not isinstance(interval, Interval):
            raise InvalidArgumentError(
                f"expected an Interval, got {_describe(interval)}",
                argument=argument,
                value=interval,
            )
    if target_plan.currency != current_plan.currency:
        raise CurrencyMismatchError(
            "target_plan", target_plan.currency.code, expected=current_plan.currency.code
        )
    current = current_plan.price(current_interval)
    target = target_plan.price(target_interval)
    if current_plan.id == target_plan.id:
        if current.interval == target.interval:
            return MoveKind.NO_CHANGE
        return MoveKind.INTERVAL_CHANGE
    if by is Comparison.RANK:
        current_rank = _rank(current_plan)
        bigger = _rank(target_plan) >= current_rank
    else:
        bigger = _yearly_at_least(target, current)
    return MoveKind.UPGRADE if bigger else MoveKind.DOWNGRADE


def _yearly_share(interval: Interval) -> tuple[int, int]:
    """Periods a year as ``(numerator, denominator)``: 12/months or 365/days."""
    if interval.days is not None:
        return 365, interval.days
    return 12, interval.months or 12


def _yearly_at_least(a: Price, b: Price) -> bool:
    """Whether ``a`` costs at least as much a year as ``b``, by exact integer arithmetic."""
    a_num, a_den = _yearly_share(a.interval)
    b_num, b_den = _yearly_share(b.interval)
    return a.amount.minor * a_num * b_den >= b.amount.minor * b_num * a_den


# --------------------------------------------------------------------------- catalog


def _label(index: int, plan: Plan) -> str:
    return f"plans[{index}] ({_shown(plan.id)})"


def _plans(value: Iterable[Plan]) -> tuple[Plan, ...]:
    return cast("tuple[Plan, ...]", _as_tuple(value, "a tuple of Plan values", key="plans"))


def _metrics(value: Iterable[Metric]) -> tuple[Metric, ...]:
    return cast("tuple[Metric, ...]", _as_tuple(value, "a tuple of Metric values", key="metrics"))


@attrs.frozen
class Catalog:
    """The plans on sale, in one currency, and the metrics their limits count.

    Args:
        plans: At least one plan, with unique ids, all in one currency; ranks
            on every plan or on none, unique. The order is the display order.
        metrics: The metrics limits may name (default: properties,
            integrations, billable sessions).

    Raises:
        CatalogError: Naming the plan as ``plans[<index>] ('<id>')`` and the key.

    >>> catalog = default_catalog()
    >>> len(catalog), "pro" in catalog, "gold" in catalog, str(catalog.currency)
    (3, True, False, 'USD')
    >>> catalog.plan("gold")
    Traceback (most recent call last):
    subscription_rules.errors.UnknownPlanError: plan_id: unknown plan 'gold'; known plans: 'personal', 'advanced', 'pro'
    >>> Catalog((catalog.plan("pro"), catalog.plan("pro")))
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: plans[1] ('pro').id: duplicate plan id, already used by plans[0]
    """

    plans: tuple[Plan, ...] = attrs.field(converter=_plans)
    metrics: tuple[Metric, ...] = attrs.field(default=DEFAULT_METRICS, converter=_metrics)
    # The plans by id, built once: every rule looks plans up.
    _by_id: Mapping[str, Plan] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.plans:
            raise CatalogError("must hold at least one plan", key="plans")
        for index, plan in enumerate(self.plans):
            _require(plan, Plan, "a Plan", key=f"plans[{index}]")
        self._check_metrics()
        known = {metric.name for metric in self.metrics}
        seen: dict[str, int] = {}
        currency = self.plans[0].currency
        for index, plan in enumerate(self.plans):
            if plan.id in seen:
                raise CatalogError(
                    f"duplicate plan id, already used by plans[{seen[plan.id]}]",
                    plan=_label(index, plan),
                    key="id",
                    value=plan.id,
                )
            seen[plan.id] = index
            if plan.currency != currency:
                raise CatalogError(
                    f"priced in {plan.currency.code}, but the catalog is in {currency.code}"
                    f" (plans[0] ({_shown(self.plans[0].id)})); use one currency",
                    plan=_label(index, plan),
                    key="prices",
                    value=plan.currency.code,
                )
            for name in plan.limits.names:
                if name not in known:
                    raise CatalogError(
                        f"unknown metric {_shown(name)}; known metrics: "
                        + (", ".join(repr(m.name) for m in self.metrics) or "none"),
                        plan=_label(index, plan),
                        key=f"limits.{name}",
                        value=name,
                    )
            self._check_overage(index, plan)
        self._check_ranks()
        object.__setattr__(self, "_by_id", MappingProxyType({p.id: p for p in self.plans}))

    def _check_overage(self, index: int, plan: Plan) -> None:
        kinds = {metric.name: metric.kind for metric in self.metrics}
        for overage in plan.overage:
            kind = kinds.get(overage.metric)
            if kind is None:
                raise CatalogError(
                    f"unknown metric {_shown(overage.metric)}; known metrics: "
                    + (", ".join(repr(m.name) for m in self.metrics) or "none"),
                    plan=_label(index, plan),
                    key=f"overage.{overage.metric}",
                    value=overage.metric,
                )
            if kind is not MetricKind.PER_PERIOD:
                raise CatalogError(
                    f"{_shown(overage.metric)} is a {kind.value} metric; only per-period metrics"
                    " have overage (a stock over the limit blocks the move instead)",
                    plan=_label(index, plan),
                    key=f"overage.{overage.metric}",
                    value=overage.metric,
                )

    def _check_metrics(self) -> None:
        names: set[str] = set()
        for index, metric in enumerate(self.metrics):
            _require(metric, Metric, "a Metric", key=f"metrics[{index}]")
            if metric.name in names:
                raise CatalogError(
                    f"duplicate metric name {_shown(metric.name)}",
                    key=f"metrics[{index}].name",
                    value=metric.name,
                )
            names.add(metric.name)

    def _check_ranks(self) -> None:
        ranked = [index for index, plan in enumerate(self.plans) if plan.rank is not None]
        if not ranked:
            return
        by_rank: dict[int, int] = {}
        for index, plan in enumerate(self.plans):
            if plan.rank is None:
                raise CatalogError(
                    "missing; give a rank on every plan or on none"
                    f" ({_label(ranked[0], self.plans[ranked[0]])} has one)",
                    plan=_label(index, plan),
                    key="rank",
                )
            if plan.rank in by_rank:
                first = by_rank[plan.rank]
                raise CatalogError(
                    f"duplicate rank {plan.rank}, already used by {_label(first, self.plans[first])}",
                    plan=_label(index, plan),
                    key="rank",
                    value=plan.rank,
                )
            by_rank[plan.rank] = index

    def plan(self, plan_id: str) -> Plan:
        """Return the plan with this id.

        Raises:
            UnknownPlanError: If there is none; the message lists the known ids.

        >>> default_catalog().plan("advanced").name
        'Advanced'
        """
        key: object = plan_id  # checked at run time: ids come from user input
        found = self._by_id.get(key) if isinstance(key, str) else None
        if found is not None:
            return found
        known = ", ".join(repr(plan.id) for plan in self.plans)
        raise UnknownPlanError(
            f"unknown plan {_shown(plan_id)}; known plans: {known}",
            argument="plan_id",
            value=plan_id,
        )

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Plan):
            return item in self.plans
        return any(plan.id == item for plan in self.plans)

    def __iter__(self) -> Iterator[Plan]:
        return iter(self.plans)

    def __len__(self) -> int:
        return len(self.plans)

    def metric(self, name: str) -> Metric:
        """Return the metric with this name.

        Raises:
            CatalogError: If the catalog has no such metric (``key="metrics"``).

        >>> default_catalog().metric("properties").verb
        'delete'
        >>> default_catalog().metric("seats")
        Traceback (most recent call last):
        subscription_rules.errors.CatalogError: metrics: unknown metric 'seats'; known metrics: 'properties', 'integrations', 'billable_sessions'
        """
        for metric in self.metrics:
            if metric.name == name:
                return metric
        known = ", ".join(repr(m.name) for m in self.metrics) or "none"
        raise CatalogError(
            f"unknown metric {_shown(name)}; known metrics: {known}", key="metrics", value=name
        )

    @property
    def currency(self) -> Currency:
        """The one currency every price of the catalog is in.

        >>> default_catalog().currency.code
        'USD'
        """
        return self.plans[0].currency

    @property
    def ids(self) -> tuple[str, ...]:
        """The plan ids, in catalog order.

        >>> default_catalog().ids
        ('personal', 'advanced', 'pro')
        """
        return tuple(plan.id for plan in self.plans)

    @property
    def ranked(self) -> bool:
        """Whether the plans carry ranks (then :meth:`classify` compares ranks).

        >>> default_catalog().ranked
        False
        """
        return self.plans[0].rank is not None

    def classify(
        self,
        current_plan_id: str,
        current_interval: Interval,
        target_plan_id: str,
        target_interval: Interval,
        *,
        by: Comparison | None = None,
    ) -> MoveKind:
        """Classify a move between two plans of this catalog, by id.

        Compares ranks when the catalog has them, annualised prices otherwise,
        unless ``by`` says which; see :func:`classify_move`.

        Raises:
            UnknownPlanError: For an id the catalog does not hold.
            UnknownPriceError: For an interval a plan is not sold at.

        >>> catalog = default_catalog()
        >>> catalog.classify("personal", YEARLY, "advanced", MONTHLY)
        <MoveKind.UPGRADE: 'upgrade'>
        >>> catalog.classify("pro", MONTHLY, "pro", YEARLY)
        <MoveKind.INTERVAL_CHANGE: 'interval_change'>
        """
        if by is None:
            by = Comparison.RANK if self.ranked else Comparison.ANNUALISED_PRICE
        return classify_move(
            self.plan(current_plan_id),
            current_interval,
            self.plan(target_plan_id),
            target_interval,
            by=by,
        )


# --------------------------------------------------------------------------- the example


# id, name, monthly, yearly, properties, integrations, billable sessions,
# overage price per 1,000 billable sessions
_EXAMPLE_PLANS: Final = (
    ("personal", "Personal", "50.00", "500.00", 3, 3, 100_000, "5.00"),
    ("advanced", "Advanced", "150.00", "1500.00", 10, 10, 500_000, "4.00"),
    ("pro", "Pro", "300.00", "3000.00", 25, None, 2_000_000, "3.00"),
)

_DEFAULT_CATALOG: Final = Catalog(
    tuple(
        Plan(
            plan_id,
            name,
            (Price(Money.of(monthly, "USD"), MONTHLY), Price(Money.of(yearly, "USD"), YEARLY)),
            Limits.of(properties=properties, integrations=integrations, billable_sessions=sessions),
            trial_days=14,
            overage=(Overage.of(BILLABLE_SESSIONS.name, overage, "USD", per=1000),),
        )
        for plan_id, name, monthly, yearly, properties, integrations, sessions, overage in (
            _EXAMPLE_PLANS
        )
    )
)


def _check_catalog(catalog: object, currency: Currency) -> Catalog:
    """Refuse anything but a :class:`Catalog` priced in ``currency`` (a subscription's).

    >>> _check_catalog(default_catalog(), Currency.of("EUR"))
    Traceback (most recent call last):
    subscription_rules.errors.CurrencyMismatchError: catalog: expected currency 'EUR', got 'USD'
    """
    if not isinstance(catalog, Catalog):
        raise InvalidArgumentError(
            f"expected Catalog, got {type(catalog).__name__} {_shown(catalog)}",
            argument="catalog",
            value=catalog,
        )
    if catalog.currency != currency:  # else an invoice would mix two currencies
        raise CurrencyMismatchError("catalog", catalog.currency.code, expected=currency.code)
    return catalog


def default_catalog() -> Catalog:
    """Return the built-in example catalog, shaped like the help page.

    The prices, overage prices included, are ILLUSTRATIVE (the help page
    publishes none); the plan names and the 10-to-3 properties step from
    Advanced to Personal are the page's. Billable sessions over the limit cost
    the overage price per 1,000, pro rata per session (see :class:`Overage`).

    ========  =========  ==========  ==========  ============  =================  ==========  =====
    plan      monthly    yearly      properties  integrations  billable sessions  overage     trial
    ========  =========  ==========  ==========  ============  =================  ==========  =====
    Personal  USD 50     USD 500     3           3             100,000            USD 5/1000  14 d
    Advanced  USD 150    USD 1,500   10          10            500,000            USD 4/1000  14 d
    Pro       USD 300    USD 3,000   25          unlimited     2,000,000          USD 3/1000  14 d
    ========  =========  ==========  ==========  ============  =================  ==========  =====

    The value is immutable, so every call returns the same one.

    >>> catalog = default_catalog()
    >>> [plan.name for plan in catalog], catalog.plan("pro").limit("integrations") is None
    (['Personal', 'Advanced', 'Pro'], True)
    """
    return _DEFAULT_CATALOG


# --------------------------------------------------------------------------- TOML

_TOP_KEYS: Final = ("currency", "metrics", "plans")
_METRIC_KEYS: Final = ("name", "kind", "singular", "plural", "verb")
_PLAN_KEYS: Final = ("id", "name", "prices", "limits", "trial_days", "rank", "overage")
_OVERAGE_KEYS: Final = ("price", "per")
_UNLIMITED: Final = "unlimited"


_TOML_TYPES: Final[dict[type, str]] = {
    bool: "boolean",
    int: "integer",
    float: "float",
    str: "string",
    dict: "table",
    list: "array",
}


def _toml_type(value: object) -> str:
    """Describe a TOML value by its TOML type (and the value, when short)."""
    name = _TOML_TYPES.get(type(value), type(value).__name__)
    return name if isinstance(value, dict | list) else f"{name} {_shown(value)}"


def _required(table: Mapping[str, object], key: str, *, plan: str | None, prefix: str) -> object:
    if key not in table:
        raise CatalogError("missing required key", plan=plan, key=prefix + key)
    return table[key]


def _string(value: object, *, plan: str | None, key: str) -> str:
    if not isinstance(value, str):
        raise CatalogError(
            f"must be a string, got {_toml_type(value)}", value=value, plan=plan, key=key
        )
    return value


def _integer(value: object, *, plan: str | None, key: str) -> int:
    if type(value) is not int:
        raise CatalogError(
            f"must be an integer, got {_toml_type(value)}", value=value, plan=plan, key=key
        )
    return value


def _table(value: object, *, plan: str | None, key: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise CatalogError(
            f"must be a table, got {_toml_type(value)}", value=value, plan=plan, key=key
        )
    return value


def _tables(value: object, *, key: str) -> list[object]:
    if not isinstance(value, list):
        raise CatalogError(
            f"must be an array of tables ([[{key}]]), got {_toml_type(value)}", key=key
        )
    return value


def _refuse_unknown(
    table: Mapping[str, object], allowed: tuple[str, ...], *, plan: str | None, prefix: str
) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        also = f" (also unknown: {', '.join(map(repr, unknown[1:]))})" if unknown[1:] else ""
        raise CatalogError(
            f"unknown key{also}; allowed keys: {', '.join(allowed)}",
            plan=plan,
            key=prefix + unknown[0],
            value=unknown[0],
        )


def _parse_metric(index: int, raw: object) -> Metric:
    prefix = f"metrics[{index}]"
    table = _table(raw, plan=None, key=prefix)
    _refuse_unknown(table, _METRIC_KEYS, plan=None, prefix=prefix + ".")
    words = {
        key: _string(
            _required(table, key, plan=None, prefix=prefix + "."), plan=None, key=f"{prefix}.{key}"
        )
        for key in _METRIC_KEYS
    }
    kinds = {kind.value: kind for kind in MetricKind}
    kind = kinds.get(words["kind"])
    if kind is None:
        raise CatalogError(
            f"must be one of {', '.join(map(repr, kinds))}, got {_shown(words['kind'])}",
            key=f"{prefix}.kind",
            value=words["kind"],
        )
    try:
        return Metric(words["name"], kind, words["singular"], words["plural"], words["verb"])
    except CatalogError as err:
        raise _relabel(err, plan=None, key=f"{prefix}.{err.key}") from err


def _parse_amount(value: object, currency: Currency, *, plan: str, key: str) -> Money:
    if isinstance(value, float):
        raise CatalogError(
            f"floats are refused for money, got {_shown(value)};"
            f" write the amount as a string such as '{_shown(value)}'",
            plan=plan,
            key=key,
            value=value,
        )
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise CatalogError(
            f"must be an amount as a string such as '50.00' or an integer, got {_toml_type(value)}",
            plan=plan,
            key=key,
            value=value,
        )
    try:
        return Money.of(value, currency)
    except SubscriptionRulesError as err:
        raise _relabel(err, plan=plan, key=key) from err


def _parse_prices(raw: object, currency: Currency, *, plan: str) -> tuple[Price, ...]:
    table = _table(raw, plan=plan, key="prices")
    prices = []
    for interval_key, value in table.items():
        key = f"prices.{interval_key}"
        try:
            interval = Interval.parse(interval_key)
        except SubscriptionRulesError as err:
            raise CatalogError(
                f"not a billing interval: {_shown(interval_key)} (use e.g. monthly, quarterly,"
                ' yearly, weekly, daily or "6 months")',
                plan=plan,
                key=key,
                value=interval_key,
            ) from err
        amount = _parse_amount(value, currency, plan=plan, key=key)
        try:
            prices.append(Price(amount, interval))
        except CatalogError as err:
            raise _relabel(err, plan=plan, key=key) from err
    return tuple(prices)


def _parse_limits(raw: object, *, plan: str) -> Limits:
    table = _table(raw, plan=plan, key="limits")
    pairs: list[tuple[str, int | None]] = []
    for name, value in table.items():
        if value == _UNLIMITED:
            pairs.append((name, None))
        elif type(value) is int:
            pairs.append((name, value))
        else:
            raise CatalogError(
                f'must be an integer >= 0 or "{_UNLIMITED}", got {_toml_type(value)}',
                plan=plan,
                key=f"limits.{name}",
                value=value,
            )
    try:
        return Limits(tuple(pairs))
    except CatalogError as err:
        raise _relabel(err, plan=plan) from err


def _parse_overage(raw: object, currency: Currency, *, plan: str) -> tuple[Overage, ...]:
    table = _table(raw, plan=plan, key="overage")
    overages = []
    for metric, raw_entry in table.items():
        prefix = f"overage.{metric}"
        entry = _table(raw_entry, plan=plan, key=prefix)
        _refuse_unknown(entry, _OVERAGE_KEYS, plan=plan, prefix=prefix + ".")
        price = _parse_amount(
            _required(entry, "price", plan=plan, prefix=prefix + "."),
            currency,
            plan=plan,
            key=f"{prefix}.price",
        )
        per = _integer(entry.get("per", 1), plan=plan, key=f"{prefix}.per")
        try:
            overages.append(Overage(metric, price, per))
        except CatalogError as err:
            keys = {"metric": prefix, "unit_price": f"{prefix}.price", "per": f"{prefix}.per"}
            raise _relabel(err, plan=plan, key=keys.get(err.key or "", prefix)) from err
    return tuple(overages)


def _parse_plan(index: int, raw: object, currency: Currency) -> Plan:
    label = f"plans[{index}]"
    table = _table(raw, plan=None, key=label)
    plan_id = _string(_required(table, "id", plan=label, prefix=""), plan=label, key="id")
    label = f"plans[{index}] ({_shown(plan_id)})"
    _refuse_unknown(table, _PLAN_KEYS, plan=label, prefix="")
    name = _string(_required(table, "name", plan=label, prefix=""), plan=label, key="name")
    prices = _parse_prices(_required(table, "prices", plan=label, prefix=""), currency, plan=label)
    limits = _parse_limits(table["limits"], plan=label) if "limits" in table else Limits()
    trial_days = _integer(table.get("trial_days", 0), plan=label, key="trial_days")
    rank = _integer(table["rank"], plan=label, key="rank") if "rank" in table else None
    overage = _parse_overage(table["overage"], currency, plan=label) if "overage" in table else ()
    try:
        return Plan(plan_id, name, prices, limits, trial_days, rank, overage)
    except CatalogError as err:
        raise _relabel(err, plan=label) from err


def _parse_currency(document: Mapping[str, object]) -> Currency:
    code = _string(_required(document, "currency", plan=None, prefix=""), plan=None, key="currency")
    try:
        return Currency.of(code)
    except SubscriptionRulesError as err:
        raise _relabel(err, plan=None, key="currency") from err


def parse_catalog(text: str) -> Catalog:
    r"""Parse a catalog from TOML text; the format is in this module's docstring.

    Args:
        text: The TOML document, at most :data:`MAX_CATALOG_BYTES` of UTF-8.

    Returns:
        The catalog.

    Raises:
        CatalogError: For any mistake, naming the plan and key (see the module
            docstring for the list).
        InvalidArgumentError: If ``text`` is not a ``str``.

    >>> catalog = parse_catalog('''
    ... currency = "EUR"
    ... [[plans]]
    ... id = "solo"
    ... name = "Solo"
    ... prices = {monthly = "9.00", yearly = 90}
    ... limits = {properties = 1, integrations = "unlimited"}
    ... ''')
    >>> [str(p) for p in catalog.plan("solo").prices], catalog.plan("solo").limit("properties")
    (['EUR 9.00 monthly', 'EUR 90.00 yearly'], 1)
    >>> parse_catalog('currency = "USD"\n[[plans]]\nid = "a"\nnmae = "A"')
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: plans[0] ('a').nmae: unknown key; allowed keys: id, name, prices, limits, trial_days, rank, overage
    """
    if not isinstance(text, str):
        raise InvalidArgumentError(
            f"expected the TOML text as a str, got {type(text).__name__}",
            argument="text",
            value=text,
        )
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_CATALOG_BYTES:
        raise CatalogError(
            f"catalog of {size:,} bytes refused; the limit is {MAX_CATALOG_BYTES:,} bytes (1 MiB)",
            value=size,
        )
    problem = shape_problem(text)
    if problem is not None:  # a key tomllib would take minutes over
        raise CatalogError(problem, value=size)
    import tomllib  # noqa: PLC0415 - only loading a catalog needs it: a faster import

    try:
        document = tomllib.loads(text)
    except ValueError as err:  # TOMLDecodeError, or an integer of over 4,300 digits
        raise CatalogError(f"invalid TOML: {err}") from err
    except RecursionError:  # arrays or inline tables nested hundreds deep
        raise CatalogError(
            "invalid TOML: arrays or inline tables nested too deeply", value=size
        ) from None
    _refuse_unknown(document, _TOP_KEYS, plan=None, prefix="")
    currency = _parse_currency(document)
    metrics: tuple[Metric, ...] = DEFAULT_METRICS
    if "metrics" in document:
        metrics = tuple(
            _parse_metric(index, raw)
            for index, raw in enumerate(_tables(document["metrics"], key="metrics"))
        )
    raw_plans = _tables(_required(document, "plans", plan=None, prefix=""), key="plans")
    if len(raw_plans) > MAX_PLANS:
        raise CatalogError(
            f"{len(raw_plans):,} plans refused; the limit is {MAX_PLANS:,}",
            key="plans",
            value=len(raw_plans),
        )
    plans = tuple(_parse_plan(index, raw, currency) for index, raw in enumerate(raw_plans))
    return Catalog(plans, metrics)


def load_catalog(path: str | os.PathLike[str]) -> Catalog:
    """Read and parse a TOML catalog file (UTF-8); see :func:`parse_catalog`.

    Args:
        path: The file to read. Files over :data:`MAX_CATALOG_BYTES` are refused
            without being read in full.

    Returns:
        The catalog.

    Raises:
        CatalogError: If the file is missing, unreadable, too large, not UTF-8,
            or holds a malformed catalog (``key="path"`` for the first four).
        InvalidArgumentError: If ``path`` is not a ``str`` or a path-like
            object naming a ``str`` path.

    >>> load_catalog("no/such/catalog.toml")
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: path: cannot read catalog file 'no/such/catalog.toml': No such file or directory
    """
    given: object = path  # checked at run time: hosts call this from untyped code
    name = os.fspath(given) if isinstance(given, str | os.PathLike) else None
    if not isinstance(name, str):
        raise InvalidArgumentError(
            f"expected a file name as a str or os.PathLike, got {_describe(path)}",
            argument="path",
            value=path,
        )
    try:
        data = read_bounded(name, MAX_CATALOG_BYTES)
    except (OSError, ValueError) as err:  # ValueError: a NUL character in the name
        reason = (err.strerror if isinstance(err, OSError) else str(err)) or type(err).__name__
        raise CatalogError(
            f"cannot read catalog file {_shown(name)}: {reason}", key="path", value=name
        ) from err
    if len(data) > MAX_CATALOG_BYTES:
        raise CatalogError(
            f"catalog file {_shown(name)} is larger than {MAX_CATALOG_BYTES:,} bytes (1 MiB); refused",
            key="path",
            value=name,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CatalogError(
            f"catalog file {_shown(name)} is not UTF-8: {err.reason} at byte {err.start}",
            key="path",
            value=name,
        ) from err
    return parse_catalog(text)
