"""Usage against a plan's limits, overage, and whether a move to a smaller plan fits.

The help page's metrics are of two kinds (:class:`~subscription_rules.catalog.MetricKind`):
what *exists* (properties, integrations) and what *happened this period*
(billable sessions). A move to a plan whose limit is below what exists is
:class:`Infeasible` until the customer acts ("delete 7 properties"); a
per-period metric never blocks a move, but the result warns of the overage it
would cost.

>>> from subscription_rules import default_catalog
>>> personal = default_catalog().plan("personal")
>>> result = check_downgrade(Usage.of(properties=10, integrations=2), personal)
>>> result.actions_text
('delete 7 properties',)
>>> check_downgrade(Usage.of(properties=3), personal)
Feasible(warnings=())
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import attrs

from subscription_rules.catalog import DEFAULT_METRICS, Metric, MetricKind, Plan
from subscription_rules.errors import InvalidUsageError
from subscription_rules.money import RoundingMode, divide

__all__ = [
    "Feasibility",
    "Feasible",
    "Infeasible",
    "MetricUsage",
    "RequiredAction",
    "Usage",
    "UsageReport",
    "check_downgrade",
    "usage_report",
]


def _check_counts(value: object) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, tuple):
        raise InvalidUsageError(
            f"expected a tuple of (metric, count) pairs, got {value!r}",
            argument="counts",
            value=value,
        )
    seen: set[str] = set()
    for pair in value:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise InvalidUsageError(
                f"expected (metric, count) pairs, got {pair!r}", argument="counts", value=value
            )
        name, count = pair
        if type(count) is not int or count < 0:
            raise InvalidUsageError(
                f"must be a non-negative int, got {count!r}", argument=name, value=count
            )
        if name in seen:
            raise InvalidUsageError(f"metric {name!r} given twice", argument=name, value=count)
        seen.add(name)
    return tuple(sorted(value))


@attrs.frozen
class Usage:
    """Counts per metric: what exists now and what happened in the current period.

    A metric not mentioned counts zero.

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
        merged = dict(counts or {})
        for name, count in named.items():
            if name in merged:
                raise InvalidUsageError(f"metric {name!r} given twice", argument=name, value=count)
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

        >>> from subscription_rules import default_catalog
        >>> report = usage_report(default_catalog().plan("personal"), Usage.of(properties=5))
        >>> report.line("properties").over_limit, report.line("properties").excess
        (True, 2)
        """
        return self.excess > 0

    def describe(self) -> str:
        """Return the line in words.

        >>> from subscription_rules import default_catalog
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

    >>> from subscription_rules import default_catalog
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

        >>> from subscription_rules import default_catalog
        >>> usage_report(default_catalog().plan("pro"), Usage()).line("integrations").limit is None
        True
        """
        for line in self.lines:
            if line.metric.name == metric:
                return line
        raise InvalidUsageError(f"no such metric in the report: {metric!r}", argument="metric")

    @property
    def over_limit(self) -> tuple[MetricUsage, ...]:
        """The lines whose usage exceeds the limit.

        >>> from subscription_rules import default_catalog
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
    plan: Plan, usage: Usage, metrics: tuple[Metric, ...] = DEFAULT_METRICS
) -> UsageReport:
    """Report ``usage`` against ``plan``'s limits, one line per metric in ``metrics`` order.

    >>> from subscription_rules import default_catalog
    >>> report = usage_report(default_catalog().plan("advanced"), Usage.of(properties=9))
    >>> report.line("properties").describe()
    'properties: 9 of 10 (90%), 1 remaining'
    """
    _check_known(usage, metrics)
    return UsageReport(
        plan.id, tuple(_line(m, usage.get(m.name), plan.limits.get(m.name)) for m in metrics)
    )


def _check_known(usage: Usage, metrics: tuple[Metric, ...]) -> None:
    known = {m.name for m in metrics}
    for name, count in usage.counts:
        if name not in known:
            raise InvalidUsageError(
                f"unknown metric {name!r}; known metrics: {', '.join(sorted(known))}",
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
    """The move fits the account's usage; ``warnings`` name any projected overage."""

    warnings: tuple[str, ...] = ()


@attrs.frozen
class Infeasible:
    """The move does not fit until the customer takes ``actions``.

    >>> from subscription_rules import default_catalog
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


Feasibility = Feasible | Infeasible


def check_downgrade(
    usage: Usage, plan: Plan, metrics: tuple[Metric, ...] = DEFAULT_METRICS
) -> Feasibility:
    """Decide whether the account's ``usage`` fits ``plan``, and if not, what to do.

    Metrics that count what exists block the move when over the plan's limit;
    per-period metrics only warn (the overage is billed in arrears).

    >>> from subscription_rules import default_catalog
    >>> personal = default_catalog().plan("personal")
    >>> check_downgrade(Usage.of(properties=10), personal).actions_text
    ('delete 7 properties',)
    >>> check_downgrade(Usage.of(billable_sessions=150_000), personal).warnings
    ('billable sessions this period: 150,000, over the limit of Personal by 50,000',)
    """
    _check_known(usage, metrics)
    actions: list[RequiredAction] = []
    warnings: list[str] = []
    for metric in metrics:
        limit = plan.limits.get(metric.name)
        used = usage.get(metric.name)
        if limit is None or used <= limit:
            continue
        if metric.kind is MetricKind.STOCK:
            actions.append(RequiredAction(metric, used - limit, limit))
        else:
            warnings.append(
                f"{metric.plural} this period: {used:,}, over the limit of {plan.name} "
                f"by {used - limit:,}"
            )
    if actions:
        return Infeasible(plan.id, plan.name, tuple(actions), tuple(warnings))
    return Feasible(tuple(warnings))
