"""Usage against a plan's limits, overage, and whether a move to a smaller plan fits.

The help page's metrics are of two kinds (:class:`~subscription_rules.catalog.MetricKind`):
what *exists* (properties, integrations) and what *happened this period*
(billable sessions). A move to a plan whose limit is below what exists is
:class:`Infeasible` until the customer acts ("delete 7 properties"); a
per-period metric never blocks a move, but the result warns of the overage it
would cost. Overage is billed in arrears: :func:`overage_lines` turns a
period's usage into invoice lines at the plan's
:class:`~subscription_rules.catalog.Overage` prices.

>>> from subscription_rules.money import RoundingMode
>>> personal = default_catalog().plan("personal")
>>> result = check_downgrade(Usage.of(properties=10, integrations=2), personal)
>>> result.actions_text
('delete 7 properties',)
>>> check_downgrade(Usage.of(properties=3), personal)
Feasible(warnings=())
>>> check_downgrade(Usage.of(properties=3, billable_sessions=150_000), personal).warnings
('billable sessions this period: 150,000, over the limit of Personal by 50,000; projected overage USD 250.00',)
>>> (line,) = overage_lines(
...     personal, Usage.of(billable_sessions=120_000),
...     start=datetime(2026, 11, 1, tzinfo=UTC), end=datetime(2026, 12, 1, tzinfo=UTC),
...     rounding=RoundingMode.HALF_UP,
... )
>>> print(line)
Billable sessions over Personal's 100,000 from 1 Nov 2026 to 1 Dec 2026: 20,000 × USD 5.00 per 1,000: USD 100.00
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime

import attrs

from subscription_rules._checks import described, expect, shown, wrong_type
from subscription_rules._text import format_date
from subscription_rules.catalog import (
    DEFAULT_METRICS,
    MAX_COUNT,
    Metric,
    MetricKind,
    Overage,
    Plan,
    check_quantity,
)
from subscription_rules.catalog._values import _plan_quantity
from subscription_rules.errors import InvalidArgumentError, InvalidPeriodError, InvalidUsageError
from subscription_rules.invoices import Line, LineKind, prorated_line
from subscription_rules.money import RoundingMode, divide
from subscription_rules.periods import require_aware

__all__ = [
    "Feasibility",
    "Feasible",
    "Infeasible",
    "MetricUsage",
    "RequiredAction",
    "Usage",
    "UsageReport",
    "check_downgrade",
    "overage_lines",
    "usage_report",
]

_PROJECTION_ROUNDING = RoundingMode.HALF_UP
"""How :func:`check_downgrade` rounds the projected overage in its warnings."""


def _check_counts(value: object) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, tuple):
        raise InvalidUsageError(
            f"expected a tuple of (metric, count) pairs, got {shown(value)}",
            argument="counts",
            value=value,
        )
    seen: set[str] = set()
    for pair in value:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise InvalidUsageError(
                f"expected (metric, count) pairs, got {shown(pair)}",
                argument="counts",
                value=value,
            )
        name, count = pair
        if type(count) is not int or not 0 <= count <= MAX_COUNT:
            raise InvalidUsageError(
                f"must be a non-negative int of at most {MAX_COUNT:,}, got {shown(count)}"
                if type(count) is int and count > 0
                else f"must be a non-negative int, got {shown(count)}",
                argument=name,
                value=count,
            )
        if name in seen:
            raise InvalidUsageError(f"metric {shown(name)} given twice", argument=name, value=count)
        seen.add(name)
    return tuple(sorted(value))


@attrs.frozen
class Usage:
    """Counts per metric: what exists now and what happened in the current period.

    A metric not mentioned counts zero. A count is an ``int`` from 0 to
    :data:`~subscription_rules.catalog.MAX_COUNT` (10**15).

    >>> usage = Usage.of(properties=10, billable_sessions=120_000)
    >>> usage.get("properties"), usage.get("integrations")
    (10, 0)
    >>> Usage.of(properties=-1)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidUsageError: properties: must be a non-negative int, got -1
    """

    counts: tuple[tuple[str, int], ...] = attrs.field(default=(), converter=_check_counts)

    @classmethod
    def of(cls, counts: Mapping[str, int] | None = None, /, **named: int) -> Usage:
        """Build usage from a mapping and/or keyword counts.

        >>> Usage.of({"properties": 3}, integrations=1).counts
        (('integrations', 1), ('properties', 3))
        """
        if counts is not None and not isinstance(counts, Mapping):
            raise InvalidUsageError(
                f"expected a mapping of metric names to counts, got {type(counts).__name__}"
                f" {shown(counts)}",
                argument="counts",
                value=counts,
            )
        merged = dict(counts or {})
        for name, count in named.items():
            if name in merged:
                raise InvalidUsageError(
                    f"metric {shown(name)} given twice", argument=name, value=count
                )
            merged[name] = count
        return cls(tuple(merged.items()))

    def get(self, metric: str) -> int:
        """Return the count for ``metric`` (zero when absent).

        >>> Usage.of(properties=4).get("properties")
        4
        """
        for name, count in self.counts:
            if name == metric:
                return count
        return 0

    def with_count(self, metric: str, count: int) -> Usage:
        """Return a copy with ``metric`` set to ``count``.

        >>> Usage.of(properties=10).with_count("properties", 3).get("properties")
        3
        """
        rest = {name: value for name, value in self.counts if name != metric}
        rest[metric] = count
        return Usage(tuple(rest.items()))


@attrs.frozen
class MetricUsage:
    """One metric's line of a usage report.

    ``remaining`` and ``percent`` are ``None`` for an unlimited metric;
    ``percent`` is whole percent, rounded half-up (no float); ``excess`` is how
    far usage is over the limit (zero when within it).

    >>> from subscription_rules.usage import usage_report
    >>> catalog = default_catalog()
    >>> line = usage_report(catalog.plan("personal"), Usage.of(properties=5)).line("properties")
    >>> line.used, line.limit, line.remaining, line.percent, line.excess
    (5, 3, 0, 167, 2)
    >>> unlimited = usage_report(catalog.plan("pro"), Usage()).line("integrations")
    >>> unlimited.limit, unlimited.remaining, unlimited.percent
    (None, None, None)
    """

    metric: Metric
    used: int
    limit: int | None
    remaining: int | None
    percent: int | None
    excess: int

    @property
    def over_limit(self) -> bool:
        """Whether usage exceeds the limit.

        >>> report = usage_report(default_catalog().plan("personal"), Usage.of(properties=5))
        >>> report.line("properties").over_limit, report.line("properties").excess
        (True, 2)
        """
        return self.excess > 0

    def describe(self) -> str:
        """Return the line in words.

        >>> report = usage_report(default_catalog().plan("personal"), Usage.of(properties=2))
        >>> report.line("properties").describe()
        'properties: 2 of 3 (67%), 1 remaining'
        >>> report.line("integrations").describe()
        'integrations: 0 of 3 (0%), 3 remaining'
        """
        if self.limit is None:
            return f"{self.metric.name}: {self.used:,} (unlimited)"
        text = f"{self.metric.name}: {self.used:,} of {self.limit:,} ({self.percent}%)"
        if self.excess:
            return f"{text}, over the limit by {self.excess:,}"
        return f"{text}, {self.remaining:,} remaining"


@attrs.frozen
class UsageReport:
    """A plan's usage per metric: the help page's "current period usage".

    >>> report = usage_report(default_catalog().plan("personal"), Usage.of(properties=3))
    >>> [line.metric.name for line in report]
    ['properties', 'integrations', 'billable_sessions']
    """

    plan_id: str
    lines: tuple[MetricUsage, ...]

    def __iter__(self) -> Iterator[MetricUsage]:
        return iter(self.lines)

    def line(self, metric: str) -> MetricUsage:
        """Return the line for ``metric``.

        >>> usage_report(default_catalog().plan("pro"), Usage()).line("integrations").limit is None
        True
        """
        for line in self.lines:
            if line.metric.name == metric:
                return line
        raise InvalidUsageError(f"no such metric in the report: {shown(metric)}", argument="metric")

    @property
    def over_limit(self) -> tuple[MetricUsage, ...]:
        """The lines whose usage exceeds the limit.

        >>> usage_report(default_catalog().plan("pro"), Usage()).over_limit
        ()
        """
        return tuple(line for line in self.lines if line.over_limit)


def _line(metric: Metric, used: int, limit: int | None) -> MetricUsage:
    if limit is None:
        return MetricUsage(metric, used, None, None, None, 0)
    percent = divide(100 * used, limit, RoundingMode.HALF_UP) if limit else (100 if used else 0)
    return MetricUsage(
        metric, used, limit, max(limit - used, 0), percent, excess=max(used - limit, 0)
    )


def usage_report(
    plan: Plan,
    usage: Usage,
    metrics: tuple[Metric, ...] = DEFAULT_METRICS,
    *,
    quantity: int | None = None,
) -> UsageReport:
    """Report ``usage`` against ``plan``'s limits, one line per metric in ``metrics`` order.

    For a plan sold per unit (``plan.unit``, such as seats), ``quantity`` is the
    subscription's quantity: the limit of that unit (the seats bought), as
    :func:`check_downgrade` counts it. Without it the unit's line shows the
    plan's own limit (usually none).

    Raises:
        InvalidQuantityError: For a quantity that is not an ``int`` from 1 to
            10**15, or not 1 on a plan priced flat.

    >>> report = usage_report(default_catalog().plan("advanced"), Usage.of(properties=9))
    >>> report.line("properties").describe()
    'properties: 9 of 10 (90%), 1 remaining'

    A plan sold by the seat, 5 seats bought, 4 in use:

    >>> from subscription_rules.catalog import Catalog, Limits, Metric, MetricKind, Plan, Price
    >>> seats = Metric("seats", MetricKind.STOCK, "seat", "seats", "remove")
    >>> team = Plan("team", "Team", (Price.of("12.00", "USD", unit="seats"),))
    >>> usage_report(team, Usage.of(seats=4), (seats,), quantity=5).line("seats").describe()
    'seats: 4 of 5 (80%), 1 remaining'
    """
    _check_arguments(plan, usage, metrics)
    unit = None
    if quantity is not None:
        _plan_quantity(plan, quantity)
        unit = plan.unit
    return UsageReport(
        plan.id,
        tuple(
            _line(m, usage.get(m.name), quantity if m.name == unit else plan.limits.get(m.name))
            for m in metrics
        ),
    )


def _check_arguments(plan: object, usage: Usage, metrics: tuple[Metric, ...]) -> None:
    """Refuse arguments of the wrong type, then usage of a metric not in ``metrics``."""
    _check_types(plan, usage, metrics)
    _check_known(usage, metrics)


def _check_types(plan: object, usage: object, metrics: object) -> None:
    if not isinstance(plan, Plan):
        wrong_type(plan, "plan", "a Plan")
    if not isinstance(usage, Usage):
        wrong_type(usage, "usage", "a Usage")
    if not isinstance(metrics, tuple) or not all(isinstance(m, Metric) for m in metrics):
        raise InvalidArgumentError(
            f"expected a tuple of Metric values, got {described(metrics)}",
            argument="metrics",
            value=metrics,
        )


def checked_usage(usage: object, metrics: tuple[Metric, ...]) -> Usage:
    """Refuse ``usage`` unless it is a :class:`Usage` of metrics in ``metrics``.

    The rules' check of usage at their boundary (``change_plan``, ``advance``);
    not exported.
    """
    if not isinstance(usage, Usage):
        wrong_type(usage, "usage", "a Usage")
    _check_known(usage, metrics)
    return usage


def _check_known(usage: Usage, metrics: tuple[Metric, ...]) -> None:
    if not usage.counts:
        return
    known = {m.name for m in metrics}
    for name, count in usage.counts:
        if name not in known:
            raise InvalidUsageError(
                f"unknown metric {shown(name)}; known metrics: {', '.join(sorted(known))}",
                argument=name,
                value=count,
            )


@attrs.frozen
class RequiredAction:
    """Something the customer must do before a move fits: reduce ``metric`` by ``amount``.

    ``limit`` is the target plan's limit that the reduction reaches.

    >>> from subscription_rules.catalog import PROPERTIES
    >>> str(RequiredAction(PROPERTIES, 7, limit=3))
    'delete 7 properties'
    """

    metric: Metric
    amount: int
    limit: int

    def __str__(self) -> str:
        return f"{self.metric.verb} {self.metric.describe(self.amount)}"


@attrs.frozen
class Feasible:
    """The move fits the account's usage; ``warnings`` name any projected overage.

    >>> from subscription_rules.usage import check_downgrade
    >>> personal = default_catalog().plan("personal")
    >>> check_downgrade(Usage.of(properties=3), personal)
    Feasible(warnings=())
    >>> check_downgrade(Usage.of(billable_sessions=101_000), personal).warnings
    ('billable sessions this period: 101,000, over the limit of Personal by 1,000; projected overage USD 5.00',)
    """

    warnings: tuple[str, ...] = ()


@attrs.frozen
class Infeasible:
    """The move does not fit until the customer takes ``actions``.

    >>> result = check_downgrade(
    ...     Usage.of(properties=10, integrations=4), default_catalog().plan("personal")
    ... )
    >>> result.reason
    'Personal allows 3 properties and 3 integrations: delete 7 properties and remove 1 integration first'
    """

    plan_id: str
    plan_name: str
    actions: tuple[RequiredAction, ...]
    warnings: tuple[str, ...] = ()

    @property
    def actions_text(self) -> tuple[str, ...]:
        """The actions in words, e.g. ``('delete 7 properties',)``."""
        return tuple(str(action) for action in self.actions)

    @property
    def reason(self) -> str:
        """One sentence saying what the plan allows and what to do."""
        allows = " and ".join(action.metric.describe(action.limit) for action in self.actions)
        return f"{self.plan_name} allows {allows}: {' and '.join(self.actions_text)} first"


#: What :func:`check_downgrade` returns: :class:`Feasible` or :class:`Infeasible`.
Feasibility = Feasible | Infeasible


def check_downgrade(
    usage: Usage,
    plan: Plan,
    metrics: tuple[Metric, ...] = DEFAULT_METRICS,
    *,
    quantity: int | None = None,
) -> Feasibility:
    """Decide whether the account's ``usage`` fits ``plan``, and if not, what to do.

    Metrics that count what exists block the move when over the plan's limit;
    per-period metrics only warn (the overage is billed in arrears). When
    ``plan`` has an overage price for the metric, the warning ends with the
    projected overage cost of this period's usage, rounded half-up.

    >>> personal = default_catalog().plan("personal")
    >>> check_downgrade(Usage.of(properties=10), personal).actions_text
    ('delete 7 properties',)
    >>> check_downgrade(Usage.of(billable_sessions=150_000), personal).warnings
    ('billable sessions this period: 150,000, over the limit of Personal by 50,000; projected overage USD 250.00',)

    A plan without an overage price only warns of the excess:

    >>> no_overage = attrs.evolve(personal, overage=())
    >>> check_downgrade(Usage.of(billable_sessions=150_000), no_overage).warnings
    ('billable sessions this period: 150,000, over the limit of Personal by 50,000',)

    For a plan sold per unit (seats), ``quantity`` is the limit of its unit:
    the seats in use cannot exceed the seats kept.
    """
    _check_arguments(plan, usage, metrics)
    if quantity is not None:
        check_quantity(quantity)
    seats = plan.unit if quantity is not None else None
    if not plan.limits.pairs and seats is None:
        return Feasible()  # no limit to exceed
    actions: list[RequiredAction] = []
    warnings: list[str] = []
    for metric in metrics:
        limit = quantity if metric.name == seats else plan.limits.get(metric.name)
        used = usage.get(metric.name)
        if limit is None or used <= limit:
            continue
        if metric.kind is MetricKind.STOCK:
            actions.append(RequiredAction(metric, used - limit, limit))
        else:
            warning = (
                f"{metric.plural} this period: {used:,}, over the limit of {plan.name} "
                f"by {used - limit:,}"
            )
            overage = plan.overage_for(metric.name)
            if overage is not None:
                projected = overage.charge(used - limit, _PROJECTION_ROUNDING)
                warning += f"; projected overage {projected}"
            warnings.append(warning)
    if actions:
        return Infeasible(plan.id, plan.name, tuple(actions), tuple(warnings))
    return Feasible(tuple(warnings))


def _rate(overage: Overage, metric: Metric) -> str:
    """An overage price in words: ``USD 5.00 per 1,000`` or ``USD 0.01 per billable session``."""
    per = metric.singular if overage.per == 1 else f"{overage.per:,}"
    return f"{overage.unit_price} per {per}"


def _check_prices(prices: object) -> None:
    if prices is None:
        return
    if not isinstance(prices, tuple):
        wrong_type(prices, "prices", "a tuple of Overage values or None")
    for price in prices:
        expect(price, Overage, "prices", what="a tuple of Overage values")


def _overage_line(
    plan: Plan,
    metric: Metric,
    overage: Overage,
    excess: int,
    head: str,
    span: tuple[datetime, datetime],
    rounding: RoundingMode,
) -> Line:
    """The line charging ``excess`` units at ``overage``: pro rata, or by its tiers or packages."""
    start, end = span
    if overage.tiers is not None or overage.package is not None:
        steps = "; ".join(text for text, _ in overage.breakdown(excess, rounding))
        charge = overage.charge(excess, rounding)
        return Line(
            LineKind.OVERAGE, f"{head} {excess:,} over, {steps}", charge, start, end, plan.id
        )
    return prorated_line(
        LineKind.OVERAGE,
        f"{head} {excess:,} × {_rate(overage, metric)}",
        overage.unit_price,
        units=excess,
        denominator=overage.per,
        unit=metric.plural,
        rounding=rounding,
        start=start,
        end=end,
        plan_id=plan.id,
    )


def _price_for(prices: tuple[Overage, ...], metric: Metric) -> Overage | None:
    for overage in prices:
        if overage.metric == metric.name:
            return overage
    return None


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def overage_lines(
    plan: Plan,
    usage: Usage,
    *,
    start: datetime,
    end: datetime,
    rounding: RoundingMode,
    metrics: tuple[Metric, ...] = DEFAULT_METRICS,
    prices: tuple[Overage, ...] | None = None,
) -> tuple[Line, ...]:
    """Bill a period's usage over ``plan``'s limits, in arrears: one line per metric over.

    For every per-period metric in ``metrics`` that ``usage`` takes over the
    plan's finite limit, and that the plan has an
    :class:`~subscription_rules.catalog.Overage` price for, the line charges
    ``unit_price × excess / per``: exact, pro rata per unit (never whole
    blocks), rounded once with ``rounding``. Its
    :class:`~subscription_rules.invoices.Explanation` carries the arithmetic.
    A line that rounds to zero is left out; stock metrics never have overage.

    Args:
        plan: The plan the period was billed on.
        usage: The period's counts.
        start: The start of the period, an aware datetime.
        end: The end of the period (exclusive), after ``start``.
        rounding: How each line's exact amount becomes a whole minor unit.
        metrics: The metrics usage may name, as in the catalog.
        prices: The overage prices to charge (a subscription's recorded ones,
            in its currency); ``None`` for the plan's, in its first currency.
            A tiered or package price charges its tiers or started packages
            exactly, its lines listed in the description.

    Returns:
        The overage lines, positive amounts of kind ``LineKind.OVERAGE``, in
        ``metrics`` order; empty when nothing is over.

    Raises:
        InvalidUsageError: If ``usage`` names a metric not in ``metrics``.
        InvalidArgumentError: If ``plan``, ``usage`` or ``rounding`` has the wrong type.
        InvalidInstantError: If ``start`` or ``end`` is not an aware datetime.
        InvalidPeriodError: If ``end`` is not after ``start``.

    >>> nov, dec = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    >>> personal = default_catalog().plan("personal")
    >>> (line,) = overage_lines(personal, Usage.of(billable_sessions=100_001),
    ...                         start=nov, end=dec, rounding=RoundingMode.HALF_UP)
    >>> line.description
    "Billable sessions over Personal's 100,000 from 1 Nov 2026 to 1 Dec 2026: 1 × USD 5.00 per 1,000"
    >>> print(line.explanation)
    USD 5.00 × 1/1,000 billable sessions = 0.5000 cents, rounded half-up to USD 0.01
    >>> overage_lines(personal, Usage.of(billable_sessions=100_001),
    ...               start=nov, end=dec, rounding=RoundingMode.HALF_EVEN)
    ()
    """
    _check_types(plan, usage, metrics)
    if not isinstance(rounding, RoundingMode):
        wrong_type(rounding, "rounding", "a RoundingMode")
    require_aware(start, "start")
    require_aware(end, "end")
    if end <= start:
        raise InvalidPeriodError(
            f"must be after start {start.isoformat()}, got {end.isoformat()}",
            argument="end",
            value=end,
        )
    _check_known(usage, metrics)
    _check_prices(prices)
    lines: list[Line] = []
    for metric in metrics:
        limit = plan.limits.get(metric.name)
        overage = plan.overage_for(metric.name) if prices is None else _price_for(prices, metric)
        if metric.kind is not MetricKind.PER_PERIOD or limit is None or overage is None:
            continue
        excess = usage.get(metric.name) - limit
        if excess <= 0:
            continue
        head = (
            f"{_capitalised(metric.plural)} over {plan.name}'s {limit:,}"
            f" from {format_date(start)} to {format_date(end)}:"
        )
        line = _overage_line(plan, metric, overage, excess, head, (start, end), rounding)
        if line.amount:
            lines.append(line)
    return tuple(lines)
