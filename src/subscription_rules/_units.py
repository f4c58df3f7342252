"""Counting the time a proration is worked out from: seconds, or calendar days by policy.

Shared by plan changes and reinstatement, so a credit and a charge for the same
span always count it the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from subscription_rules._pricing import Priced
from subscription_rules._text import MONTHS
from subscription_rules.errors import InvalidPolicyError
from subscription_rules.invoices import Line, LineKind, prorated_line
from subscription_rules.money import Money
from subscription_rules.periods import MONTHLY, BillingCycle, BillingPeriod, Interval
from subscription_rules.policy import (
    BillingPolicy,
    ChangeDay,
    CreditCap,
    IntervalChange,
    ProrationUnit,
)
from subscription_rules.subscription import Stretch

_DAY_SECONDS = 86_400


def local_date(at: datetime, cycle: BillingCycle) -> date:
    """The date of ``at`` on the cycle's local calendar."""
    return at.astimezone(cycle.zone).date()


def _raw(start: datetime, end: datetime, cycle: BillingCycle, policy: BillingPolicy) -> int:
    """Elapsed seconds (in UTC), or the local dates from ``start``'s to ``end``'s."""
    if policy.proration_unit is ProrationUnit.SECOND:
        # Both instants come from validated values: whole seconds elapsed, counted in UTC
        # (as seconds_between does, without checking them again).
        delta = end.astimezone(UTC) - start.astimezone(UTC)
        return delta.days * _DAY_SECONDS + delta.seconds
    return (local_date(end, cycle) - local_date(start, cycle)).days


def _month_turn(period: BillingPeriod, cycle: BillingCycle) -> datetime:
    """Where a fixed-days period takes up its difference from the actual month length.

    The first local midnight of a 1st of the month after the period starts, or the
    period's end if that comes first (Kill Bill adjusts the part of a span that
    crosses into the next month).
    """
    first = local_date(period.start, cycle)
    turn = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    local = datetime.combine(turn, time(0), cycle.zone).astimezone(UTC)
    return local if local < period.end.astimezone(UTC) else period.end


def _position(
    at: datetime, period: BillingPeriod, cycle: BillingCycle, policy: BillingPolicy, fixed: int
) -> int:
    """Units from the period's start to ``at``, ``fixed`` days making up the whole period.

    Kill Bill's fixed-days proration counts actual days, and adjusts a span that
    crosses into the next month by the difference between the month's length and
    the fixed days (a 31-day month loses a day, February gains two). Here that
    difference is placed at the month's turn: a longer period's extra units count
    nothing just before it, a shorter period's missing units are added at it. So
    the count never decreases, a whole period is ``fixed`` days exactly and any
    split of it adds up to the whole (Kill Bill's own figures for 30 days:
    23 May → 15 Jun is 22 days, 23 Feb → 15 Mar 2023 is 22 days).
    """
    unit = _DAY_SECONDS if policy.proration_unit is ProrationUnit.SECOND else 1
    raw = _raw(period.start, at, cycle, policy)
    whole = _raw(period.start, period.end, cycle, policy)
    target = fixed * unit
    turn = _raw(period.start, _month_turn(period, cycle), cycle, policy)
    if whole <= target:  # a short month: the missing units come at the turn
        return raw + (target - whole if raw >= turn else 0)
    excess = whole - target  # a long month: the last units before the turn count nothing
    free_from = max(turn - excess, 0)
    return raw - min(max(raw - free_from, 0), excess)


def _check_fixed(cycle: BillingCycle, fixed: int) -> None:
    if cycle.interval != MONTHLY:
        raise InvalidPolicyError(
            f"a fixed denominator of {fixed} days applies to monthly cycles only, "
            f"not to a {cycle.interval} one",
            argument="fixed_denominator_days",
            value=fixed,
        )


def units(
    start: datetime,
    end: datetime,
    period: BillingPeriod,
    cycle: BillingCycle,
    policy: BillingPolicy,
    *,
    change: bool,
) -> int:
    """Units of ``[start, end)`` of ``period`` in the policy's unit; ``change`` marks a change.

    Days are the cycle's local calendar days from ``start``'s date to ``end``'s:
    a span ending at the period's end (a boundary) stops at that day's local
    midnight whatever the anchor's time of day — both ``DayCount``s agree here,
    as Lago's periods run from local midnight of their first day to 23:59:59 of
    their last, so the days a period holds are its calendar days, and the parts
    of a split period add up to it (the day a span ends on inside the period
    belongs to the next span). With ``ChangeDay.OLD_PLAN`` the day of a change
    stays with the old plan. With a fixed denominator the units are Kill Bill's
    fixed-days count (see :func:`_position`).
    """
    if end.astimezone(UTC) <= start.astimezone(UTC):
        return 0
    fixed = policy.fixed_denominator_days
    if fixed is not None:
        _check_fixed(cycle, fixed)
        count = _position(end, period, cycle, policy, fixed) - _position(
            start, period, cycle, policy, fixed
        )
    else:
        count = _raw(start, end, cycle, policy)
    if (
        policy.proration_unit is ProrationUnit.DAY
        and change
        and policy.change_day is ChangeDay.OLD_PLAN
        and count > 0
    ):
        count -= 1
    return max(count, 0)


def check_same_unit(billed_in: ProrationUnit, policy: BillingPolicy) -> None:
    """Refuse to prorate time billed in one unit by a policy counting in another."""
    if billed_in is not policy.proration_unit:
        raise InvalidPolicyError(
            f"the current period was billed counting {billed_in.value}s, and this policy "
            f"counts {policy.proration_unit.value}s: change the proration unit at a period end",
            argument="policy",
            value=policy.name,
        )


def period_units(period: BillingPeriod, cycle: BillingCycle, policy: BillingPolicy) -> int:
    """The denominator: the period's units, or the policy's fixed number of days."""
    fixed = policy.fixed_denominator_days
    if fixed is not None:
        _check_fixed(cycle, fixed)
        return fixed * (_DAY_SECONDS if policy.proration_unit is ProrationUnit.SECOND else 1)
    if policy.proration_unit is ProrationUnit.SECOND:
        return period.seconds  # the same whole seconds in UTC, worked out once per period
    return units(period.start, period.end, period, cycle, policy, change=False)


def unit_name(policy: BillingPolicy) -> str:
    """What is counted, in the plural, for explanations: ``seconds`` or ``days``."""
    return f"{policy.proration_unit.value}s"


def span_text(start: datetime, end: datetime, cycle: BillingCycle) -> str:
    """``from 16 Nov 2026 to 1 Dec 2026`` in the cycle's time zone."""
    tz = cycle.zone
    first, last = start.astimezone(tz), end.astimezone(tz)  # instants of checked values
    return (
        f"from {first.day} {MONTHS[first.month - 1]} {first.year}"
        f" to {last.day} {MONTHS[last.month - 1]} {last.year}"
    )


def remaining_line(
    plan: Priced,
    at: datetime,
    period: BillingPeriod,
    cycle: BillingCycle,
    policy: BillingPolicy,
    *,
    change: bool = True,
) -> Line:
    """The charge for the rest of ``period`` from ``at`` on ``plan``, prorated by policy.

    ``change``: ``at`` is a plan change (``ChangeDay`` decides who pays its day);
    billing that resumes at ``at`` bills its day (Kill Bill bills from the unblock date).
    """
    denominator = period_units(period, cycle, policy)
    remaining = min(units(at, period.end, period, cycle, policy, change=change), denominator)
    return prorated_line(
        LineKind.PRORATION_CHARGE,
        f"Remaining time on {plan.label} {span_text(at, period.end, cycle)}",
        plan.amount,
        units=remaining,
        denominator=denominator,
        unit=unit_name(policy),
        rounding=policy.rounding,
        start=at,
        end=period.end,
        plan_id=plan.id,
    )


def credit_rate(stretch: Stretch, policy: BillingPolicy) -> tuple[Money, int]:
    """What a credit for unused time of ``stretch`` prorates, and over how many units.

    ``CreditCap.REMAINING``: what is left creditable over the units not yet
    credited. ``BILLED_MINUS_ADJUSTMENTS`` (Kill Bill): what was billed over
    the units it paid for. The caller caps the result at ``stretch.creditable``
    either way.
    """
    if policy.credit_cap is CreditCap.BILLED_MINUS_ADJUSTMENTS:
        return stretch.billed, stretch.units
    return stretch.creditable, stretch.creditable_units


def new_interval_period(
    cycle: BillingCycle, interval: Interval, at: datetime, policy: BillingPolicy
) -> tuple[BillingCycle, BillingPeriod]:
    """The cycle an interval change at ``at`` moves to, and its period holding ``at``.

    ``IntervalChange.RESTART``: a cycle anchored at the change, its first
    period. ``KEEP_ANNIVERSARY``: ``cycle``'s anchor (day and time) in the new
    interval, and its period holding ``at`` (which may start before ``at``).
    """
    if policy.interval_change is IntervalChange.KEEP_ANNIVERSARY:
        kept = BillingCycle(cycle.anchor, interval, cycle.time_zone)
        return kept, kept.period_containing(at)
    restarted = BillingCycle(at, interval, cycle.time_zone)
    restarted.boundary(1)  # the first renewal, named as such if it lies beyond year 9999
    return restarted, restarted.period(0)


def period_line(
    plan: Priced,
    start: datetime,
    period: BillingPeriod,
    cycle: BillingCycle,
    policy: BillingPolicy,
    *,
    change: bool,
) -> Line:
    """The line billing ``period`` of ``plan`` from ``start``: whole, or its rest prorated."""
    if period.start != start:
        return remaining_line(plan, start, period, cycle, policy, change=change)
    return Line(
        LineKind.SUBSCRIPTION,
        f"{plan.label}, {plan.interval}, {span_text(period.start, period.end, cycle)}",
        plan.amount,
        period.start,
        period.end,
        plan.id,
    )


def new_interval_line(
    plan: Priced, at: datetime, cycle: BillingCycle, policy: BillingPolicy
) -> Line:
    """The charge for ``interval`` on ``plan`` from an immediate change at ``at`` on ``cycle``.

    A restarted cycle bills its first period in full; a kept anniversary bills
    the rest of the new interval's period holding ``at``, prorated like any
    remaining time (the change's day paid as ``change_day`` says).
    """
    new_cycle, period = new_interval_period(cycle, plan.interval, at, policy)
    # A restarted cycle's first period starts at the change as its wall clock reads it, which
    # in a DST fold can be the other of the two instants: it is billed whole all the same.
    if policy.interval_change is IntervalChange.RESTART:
        return period_line(plan, period.start, period, new_cycle, policy, change=True)
    if _old_plan_pays_the_day(policy):
        # On a kept boundary too: the old plan paid the change's day, so the new one bills
        # from the next (a whole-period line would bill that day twice).
        return remaining_line(plan, at, period, new_cycle, policy, change=True)
    return period_line(plan, at, period, new_cycle, policy, change=True)


def _old_plan_pays_the_day(policy: BillingPolicy) -> bool:
    return policy.proration_unit is ProrationUnit.DAY and policy.change_day is ChangeDay.OLD_PLAN
