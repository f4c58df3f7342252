"""Counting the time a proration is worked out from: seconds, or calendar days by policy.

Shared by plan changes and reinstatement, so a credit and a charge for the same
span always count it the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from subscription_rules.catalog import Plan
from subscription_rules.invoices import Line, LineKind, format_date, prorated_line
from subscription_rules.periods import BillingCycle, BillingPeriod, Interval
from subscription_rules.policy import BillingPolicy, ChangeDay, DayCount, ProrationUnit

_DAY_SECONDS = 86_400
_ONE_MICROSECOND = timedelta(microseconds=1)


def _local_date(at: datetime, cycle: BillingCycle) -> date:
    return at.astimezone(cycle.zone).date()


def units(
    start: datetime, end: datetime, cycle: BillingCycle, policy: BillingPolicy, *, change: bool
) -> int:
    """Units of ``[start, end)`` in the policy's unit; ``change`` marks a change at ``start``.

    Days are the cycle's local calendar days: half-open, or both the first and
    the last day touched; with ``ChangeDay.OLD_PLAN`` the day of a change stays
    with the old plan.
    """
    if policy.proration_unit is ProrationUnit.SECOND:
        # Both instants come from validated values: whole seconds elapsed, counted in UTC
        # (as seconds_between does, without checking them again).
        delta = end.astimezone(UTC) - start.astimezone(UTC)
        return max(delta.days * 86_400 + delta.seconds, 0)
    if end <= start:
        return 0
    first = _local_date(start, cycle)
    if policy.day_count is DayCount.BOTH_ENDS:
        days = (_local_date(end - _ONE_MICROSECOND, cycle) - first).days + 1
    else:
        days = (_local_date(end, cycle) - first).days
    if change and policy.change_day is ChangeDay.OLD_PLAN and days > 0:
        days -= 1
    return days


def period_units(period: BillingPeriod, cycle: BillingCycle, policy: BillingPolicy) -> int:
    """The denominator: the period's units, or the policy's fixed number of days."""
    fixed = policy.fixed_denominator_days
    if fixed is not None:
        return fixed * (_DAY_SECONDS if policy.proration_unit is ProrationUnit.SECOND else 1)
    return units(period.start, period.end, cycle, policy, change=False)


def unit_name(policy: BillingPolicy) -> str:
    """What is counted, in the plural, for explanations: ``seconds`` or ``days``."""
    return f"{policy.proration_unit.value}s"


def span_text(start: datetime, end: datetime, cycle: BillingCycle) -> str:
    """``from 16 Nov 2026 to 1 Dec 2026`` in the cycle's time zone."""
    tz = cycle.zone
    return f"from {format_date(start.astimezone(tz))} to {format_date(end.astimezone(tz))}"


def remaining_line(
    plan: Plan,
    interval: Interval,
    at: datetime,
    period: BillingPeriod,
    cycle: BillingCycle,
    policy: BillingPolicy,
) -> Line:
    """The charge for the rest of ``period`` from ``at`` on ``plan``, prorated by policy."""
    denominator = period_units(period, cycle, policy)
    remaining = min(units(at, period.end, cycle, policy, change=True), denominator)
    return prorated_line(
        LineKind.PRORATION_CHARGE,
        f"Remaining time on {plan.name} {span_text(at, period.end, cycle)}",
        plan.price(interval).amount,
        units=remaining,
        denominator=denominator,
        unit=unit_name(policy),
        rounding=policy.rounding,
        start=at,
        end=period.end,
        plan_id=plan.id,
    )
