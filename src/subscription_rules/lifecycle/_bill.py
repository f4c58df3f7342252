"""Billing a whole period, crediting suspended time, and resuming billing after a suspension."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict, Unpack

import attrs

from subscription_rules._billing import (
    billed_for,
    draft_invoice,
    issue_credit_note,
    issue_invoice,
)
from subscription_rules._checks import trusted
from subscription_rules._pricing import Priced, after_change, billed_on
from subscription_rules._taxing import tax_credited_after, with_credit_tax
from subscription_rules._units import (
    check_same_unit,
    credit_rate,
    local_date,
    new_interval_period,
    period_line,
    period_units,
    span_text,
    unit_name,
    units,
)
from subscription_rules.catalog import (
    Catalog,
)
from subscription_rules.credits import CreditReason
from subscription_rules.effects import (
    Effect,
)
from subscription_rules.invoices import InvoiceReason, Line, LineKind, prorated_line
from subscription_rules.periods import (
    BillingCycle,
    BillingPeriod,
    Interval,
)
from subscription_rules.policy import (
    BillingPolicy,
    ChangeDay,
    IntervalChange,
    ProrationUnit,
    SuspendedTime,
)
from subscription_rules.subscription import PendingChange, Stretch, Subscription

# What a rule billed, made of the values it billed from: nothing to check again.
_trusted_stretch = trusted(Stretch)


class _Renewed(TypedDict, total=False):
    """Further fields a renewal records in the same copy as its invoice."""

    plan_id: str
    period_index: int
    pending_change: PendingChange | None
    pending_lines: tuple[Line, ...]
    processed_until: datetime


def _bill_period(
    sub: Subscription,
    plan: Priced,
    period: BillingPeriod,
    at: datetime,
    reason: InvoiceReason,
    extra: tuple[Line, ...] = (),
    *,
    policy: BillingPolicy,
    renewal: bool = False,
    interval: Interval | None = None,
    cycle: BillingCycle | None = None,
    start: datetime | None = None,
    line: Line | None = None,
    **changes: Unpack[_Renewed],
) -> tuple[Subscription, Effect]:
    """Invoice a period of ``plan`` (plus ``extra`` lines) and record its stretch.

    The whole period, or its rest from ``start`` prorated (a period-end
    interval change that keeps the anniversary opens its first period part
    way). ``interval`` and ``cycle`` default to the subscription's; when given
    they (and ``changes``) are recorded in the same copy of the subscription,
    with the plan's price and quantity.
    A ``renewal``'s charge is keyed by subscription, period start and amount.
    ``line``: that period line, when the caller has already worked it out.
    """
    if interval is None:
        interval = sub.interval
    if cycle is None:
        cycle = sub.cycle
    if start is None:
        start = period.start
    if line is None:
        line = period_line(plan, start, period, cycle, policy, change=False)
    invoice, charge, recorded = draft_invoice(
        sub, reason, (line, *extra), at, start, period.end, policy=policy, renewal=renewal
    )
    net, tax, paid = billed_for(invoice, line)
    whole = period_units(period, cycle, policy)
    billed, denominator = (
        (line.explanation.units, line.explanation.denominator)
        if line.explanation is not None
        else (whole, whole)
    )
    stretch = _trusted_stretch(
        plan.id,
        interval,
        start,
        period.end,
        net,
        billed,
        denominator,
        sub.zero,
        invoice.amount_due.min(paid),
        invoice.id,
        unit=policy.proration_unit,
        quantity=plan.quantity,
        tax=tax,
    )
    sub = sub.evolve(
        **recorded,
        **changes,
        interval=interval,
        cycle=cycle,
        stretches=(stretch,),
        price=plan.record(),
        quantity=plan.quantity,
    )
    return sub, charge


def _stretch_credit(
    sub: Subscription,
    stretch: Stretch,
    used: int,
    start: datetime,
    end: datetime,
    policy: BillingPolicy,
    *,
    kind: LineKind = LineKind.SUSPENSION_CREDIT,
    what: str = "Suspended time",
) -> Line | None:
    """A credit for ``used`` units of ``stretch``, at the rate it was billed, capped at what is left.

    By ``credit_cap``: what is left of the stretch's billing over the units it
    still pays for, or what was billed over the units it paid for (Kill Bill),
    as recorded when it was billed; ``kind`` and ``what`` name the time credited.
    """
    remaining = stretch.creditable_units
    if not stretch.creditable.is_positive() or remaining <= 0:
        return None
    check_same_unit(stretch.unit, policy)
    used = min(used, remaining)
    if used <= 0:
        return None
    plan_id = stretch.plan_id
    base, denominator = credit_rate(stretch, policy)
    line = prorated_line(
        kind,
        f"{what} on {plan_id} {span_text(start, end, sub.cycle)}",
        base,
        units=used,
        denominator=denominator,
        unit=unit_name(policy),
        rounding=policy.rounding,
        start=start,
        end=end,
        plan_id=plan_id,
        cap=stretch.creditable,
        sign=-1,
    )
    if not line.amount.is_negative():
        return None  # a credit that rounds to nothing
    return with_credit_tax(line, stretch, policy.rounding)


def _span_credits(
    sub: Subscription,
    start: datetime,
    end: datetime,
    period: BillingPeriod,
    policy: BillingPolicy,
    *,
    kind: LineKind = LineKind.SUSPENSION_CREDIT,
    what: str = "Suspended time",
) -> tuple[Subscription, tuple[Line, ...]]:
    """Credit ``[start, end)`` of the period's stretches, each at the rate it was billed.

    Suspended time (reinstatement) or unused time (termination). The span begins
    after the last change, so it lies on the last stretch
    — except the day of that change when ``ChangeDay.OLD_PLAN`` gave it to the
    plan in effect when that day began: a span that began that day credits it
    there, at that plan's rate, and the last stretch's share starts the day after (also
    when the stretch before belongs to the cycle an interval change closed,
    which the last stretch's billed units tell: that day is not credited here).
    Each stretch records the credit given and the units it covers.
    """
    if not sub.stretches or end <= start:
        return sub, ()
    stretches = list(sub.stretches)
    cycle = sub.cycle
    last = stretches[-1]
    gave_its_first_day = len(stretches) > 1 or last.units < units(
        last.start, last.end, period, cycle, policy, change=False
    )
    change_day = (
        gave_its_first_day
        and policy.proration_unit is ProrationUnit.DAY
        and policy.change_day is ChangeDay.OLD_PLAN
        and local_date(start, cycle) == local_date(stretches[-1].start, cycle)
        and local_date(end, cycle) > local_date(start, cycle)
    )
    plan: list[tuple[int, int]] = [
        (len(stretches) - 1, units(start, end, period, cycle, policy, change=change_day))
    ]
    if change_day and len(stretches) > 1:
        # The plan in effect when that day began: the last stretch started before it (or
        # the first); a plan changed to and from on that day billed none of it.
        day = local_date(start, cycle)
        before = [i for i, s in enumerate(stretches[:-1]) if local_date(s.start, cycle) < day]
        plan.insert(0, (before[-1] if before else 0, 1))
    lines: list[Line] = []
    for index, used in plan:
        stretch = stretches[index]
        line = _stretch_credit(sub, stretch, used, start, end, policy, kind=kind, what=what)
        if line is None or line.explanation is None:
            continue
        lines.append(line)
        stretches[index] = attrs.evolve(
            stretch,
            credited=stretch.credited - line.amount,
            credited_units=stretch.credited_units + line.explanation.units,
            tax_credited=tax_credited_after(stretch, (line,)),
        )
    return sub.evolve(stretches=tuple(stretches)), tuple(lines)


def _resume_billing(
    sub: Subscription,
    suspended_at: datetime,
    at: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Credit suspended time (by policy) and bill the rest of the current period if unbilled."""
    effects: list[Effect] = []
    paid_period = sub.current_period
    now = sub.cycle.index_containing(at)
    if policy.suspended_time is SuspendedTime.CREDITED:
        sub, lines = _span_credits(sub, suspended_at, min(at, paid_period.end), paid_period, policy)
        if lines:
            sub, _note, done = issue_credit_note(sub, CreditReason.SUSPENSION, lines, at)
            effects.extend(done)
    if now == sub.period_index:
        return sub, tuple(effects)
    # Period ends passed while suspended: they were not billed. A pending change whose
    # time came meanwhile applies now (one due at a later period end, a price migration
    # scheduled ahead, stays pending); the rest of the current period is billed pro rata.
    plan_id, interval = sub.plan_id, sub.interval
    plan = billed_on(sub, catalog)
    pending = sub.pending_change
    if pending is not None and pending.effective_at <= sub.cycle.boundary(now):
        plan_id, interval = pending.plan_id, pending.interval
        plan = after_change(sub, catalog)
        pending = None
    cycle = (
        sub.cycle if interval == sub.interval else BillingCycle(at, interval, sub.cycle.time_zone)
    )
    index = now if interval == sub.interval else 0
    if interval != sub.interval and policy.interval_change is IntervalChange.KEEP_ANNIVERSARY:
        cycle, opened = new_interval_period(sub.cycle, interval, at, policy)
        index = opened.index  # the anchor kept: billed from ``at`` to the next anniversary
    sub = sub.evolve(
        plan_id=plan_id,
        interval=interval,
        cycle=cycle,
        period_index=index,
        pending_change=pending,
        stretches=(),
    )
    sub, charge = _bill_from(sub, plan, at, InvoiceReason.RENEWAL, policy)
    effects.append(charge)
    return sub, tuple(effects)


def _opening_line(sub: Subscription, plan: Priced, at: datetime, policy: BillingPolicy) -> Line:
    """The line billing the current period from ``at``: whole, or prorated from ``at`` on.

    A period entered after its start (billing resumed, or a stub up to a billing
    anchor) bills its rest, prorated by the policy's unit; ``at``'s day is billed.
    """
    return period_line(plan, at, sub.current_period, sub.cycle, policy, change=False)


def _bill_from(
    sub: Subscription, plan: Priced, at: datetime, reason: InvoiceReason, policy: BillingPolicy
) -> tuple[Subscription, Effect]:
    """Invoice the current period from ``at`` (whole, or its rest) and record its stretch."""
    period = sub.current_period
    if period.start == at:
        return _bill_period(sub, plan, period, at, reason, policy=policy)
    line = _opening_line(sub, plan, at, policy)
    sub, invoice, charge = issue_invoice(sub, reason, (line,), at, at, period.end, policy=policy)
    assert line.explanation is not None  # noqa: S101 - a prorated line explains itself
    net, tax, paid = billed_for(invoice, line)
    stretch = _trusted_stretch(
        plan.id,
        sub.interval,
        at,
        period.end,
        net,
        line.explanation.units,
        line.explanation.denominator,
        sub.zero,
        invoice.amount_due.min(paid),
        invoice.id,
        unit=policy.proration_unit,
        quantity=plan.quantity,
        tax=tax,
    )
    return sub.evolve(stretches=(stretch,), price=plan.record(), quantity=plan.quantity), charge
