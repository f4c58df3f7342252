"""Plan, interval and timing of a change: what it costs, line by line, and the decision.

:func:`quote_change` previews a change without changing anything;
:func:`change_plan` applies the same arithmetic and returns a ``Decision``.
A mid-period change has two separately rounded lines: a credit for the unused
time on the current plan and a charge for the remaining time on the new one.
The credit is worked out from what was billed for that stretch of the period,
net of earlier credits, and never exceeds it, so no sequence of changes can
mint money. An interval change (monthly ↔ yearly) credits the unused time and
charges the new interval in full from the change, restarting the cycle there,
or (``IntervalChange.KEEP_ANNIVERSARY``) prorated to the next anniversary.

The help page's example: a customer on Advanced (USD 150.00 a month) moves to
Pro (USD 300.00) halfway through a 30-day November.

>>> catalog = default_catalog()
>>> started = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False)
>>> quote = quote_change(started.subscription, "pro", MONTHLY,
...     datetime(2026, 11, 16, tzinfo=UTC), catalog=catalog, usage=Usage.of(properties=4))
>>> for line in quote.lines:
...     print(line)
Unused time on Advanced from 16 Nov 2026 to 1 Dec 2026: USD -75.00
Remaining time on Pro from 16 Nov 2026 to 1 Dec 2026: USD 150.00
>>> str(quote.amount_due_now)
'USD 75.00'
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from subscription_rules._billing import issue_credit_note, issue_invoice, send_notice
from subscription_rules._checks import expect, names_what_was_passed, trusted
from subscription_rules._units import (
    check_same_unit,
    credit_rate,
    new_interval_line,
    new_interval_period,
    period_units,
    remaining_line,
    span_text,
    unit_name,
    units,
)
from subscription_rules.access import marked_unpaid
from subscription_rules.catalog import Catalog, MoveKind, Plan, classify_move
from subscription_rules.catalog._catalog import _check_catalog
from subscription_rules.credits import CreditReason, apply_credit
from subscription_rules.effects import Decision, Effect, RefusalReason, Refused, SendNotice
from subscription_rules.errors import InvalidPeriodError
from subscription_rules.invoices import (
    InvoiceReason,
    Line,
    LineKind,
    prorated_line,
    sum_lines,
)
from subscription_rules.lifecycle._collection import changes_blocked
from subscription_rules.lifecycle._renewal import next_bill
from subscription_rules.lifecycle._scheduling import next_wakeup
from subscription_rules.lifecycle._trials import _move_trial_end, _retimed, _trial_after_change
from subscription_rules.money import Money
from subscription_rules.notifications import FactName, FactPair, NoticeKind
from subscription_rules.periods import (
    BillingCycle,
    BillingPeriod,
    Interval,
)
from subscription_rules.policy import (
    SEED_POLICY,
    BillingPolicy,
    CreditBasis,
    CreditDestination,
    DowngradeTiming,
    IntervalChange,
    ProrationBilling,
    UpgradeTiming,
)
from subscription_rules.subscription import PendingChange, Status, Stretch, Subscription
from subscription_rules.usage import (
    Feasibility,
    Feasible,
    Infeasible,
    Usage,
    check_downgrade,
    checked_usage,
)

__all__ = [
    "ChangeQuote",
    "Timing",
    "cancel_pending_change",
    "change_plan",
    "quote_change",
]


# What a rule billed, made of the values it billed from: nothing to check again.
_trusted_stretch = trusted(Stretch)


class Timing(enum.Enum):
    """When a change takes effect."""

    IMMEDIATELY = "immediately"
    PERIOD_END = "period_end"


@attrs.frozen
class ChangeQuote:
    """A preview of a change; nothing is changed by producing one.

    ``lines`` are signed and separately rounded (credits negative); ``total``
    is their exact sum; ``credit_applied`` is what the credit balance (after
    any credit for unused time) pays of the charge; ``amount_due_now`` is what
    the payment method is charged at once; ``refund`` is the part of the credit
    paid back to the payment method (``CreditDestination.REFUND``, or what is
    left once the credit has paid the charge with ``NET_THEN_REFUND``);
    ``credit_after`` is the credit balance the change leaves;
    ``due_next_invoice`` is the net of its lines that wait for the next invoice
    (``NEXT_INVOICE``: the charge; ``PENDING_ITEMS``: charge less credit, which
    may be negative: the balance then gets what that invoice cannot absorb).
    ``restarts_cycle``: an immediate interval change under
    ``IntervalChange.RESTART`` starts a new cycle at the change (under
    ``KEEP_ANNIVERSARY`` the new interval's cycle keeps the current anchor, and
    the change is billed at once either way).

    Advanced (USD 150.00 a month) to Pro (USD 300.00) halfway through November:
    the credit for the unused half pays half of the charge for the remaining one.

    >>> from subscription_rules import MONTHLY, Usage, default_catalog, quote_change
    >>> catalog = default_catalog()
    >>> sub = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False).subscription
    >>> quote = quote_change(sub, "pro", MONTHLY, datetime(2026, 11, 16, tzinfo=UTC),
    ...     catalog=catalog, usage=Usage.of(properties=4))
    >>> quote.kind.value, quote.timing.value, quote.feasible, quote.restarts_cycle
    ('upgrade', 'immediately', True, False)
    >>> [str(line.amount) for line in quote.credit_lines + quote.charge_lines]
    ['USD -75.00', 'USD 150.00']
    >>> str(quote.total), str(quote.credit_applied), str(quote.amount_due_now)
    ('USD 75.00', 'USD 75.00', 'USD 75.00')
    >>> str(quote.credit_after), sub.plan_id  # a quote changes nothing
    ('USD 0.00', 'advanced')
    """

    kind: MoveKind
    from_plan_id: str
    from_interval: Interval
    to_plan_id: str
    to_interval: Interval
    at: datetime
    timing: Timing
    effective_at: datetime
    restarts_cycle: bool
    feasibility: Feasibility
    lines: tuple[Line, ...]
    total: Money
    credit_applied: Money
    amount_due_now: Money
    credit_after: Money
    refund: Money
    due_next_invoice: Money

    @property
    def feasible(self) -> bool:
        """Whether the move fits the account's usage."""
        return isinstance(self.feasibility, Feasible)

    @property
    def credit_lines(self) -> tuple[Line, ...]:
        """The credit lines (unused time)."""
        return tuple(line for line in self.lines if line.amount.is_negative())

    @property
    def charge_lines(self) -> tuple[Line, ...]:
        """The charge lines (remaining time, or the new interval in full)."""
        return tuple(line for line in self.lines if not line.amount.is_negative())


# --- the arithmetic of one change ------------------------------------------------------------


@attrs.frozen
class _Plan:
    """What a change needs to know about its target, resolved once."""

    kind: MoveKind
    current: Plan
    target: Plan
    interval: Interval
    timing: Timing
    restarts_cycle: bool
    feasibility: Feasibility
    at: datetime
    billed: Plan  # the plan the current stretch was billed on


def _resolve(
    sub: Subscription,
    plan_id: str,
    interval: Interval,
    at: datetime,
    catalog: Catalog,
    usage: Usage,
    policy: BillingPolicy,
) -> _Plan | Refused:
    if sub.status in {Status.SUSPENDED, Status.ENDED}:
        return Refused(
            RefusalReason.NOT_ALLOWED_IN_STATUS,
            f"{sub.status.phrase} subscription cannot change plan",
        )
    if changes_blocked(sub, policy):
        return Refused(
            RefusalReason.BLOCKED_WHILE_OVERDUE,
            f"plan changes are blocked while overdue ({sub.overdue_state})",
        )
    if marked_unpaid(sub, policy):
        # Nothing is charged while unpaid, so a change's invoice could not be collected.
        return Refused(
            RefusalReason.BLOCKED_WHILE_OVERDUE,
            "plan changes are blocked while the subscription is marked unpaid: "
            "pay the invoice whose retries ran out first",
        )
    current = catalog.plan(sub.plan_id)
    target = catalog.plan(plan_id)
    target.price(interval)  # an unknown interval is an error, before anything else
    at = _check_in_current_period(sub, at)
    kind = classify_move(
        current,
        sub.interval,
        target,
        interval,
        by=policy.classify_by,
        weeks_per_year=policy.weeks_per_year,
    )
    feasibility: Feasibility = (
        check_downgrade(usage, target, catalog.metrics) if target.id != current.id else Feasible()
    )
    restarts = interval != sub.interval and sub.status is not Status.TRIALING
    if sub.status is Status.TRIALING or kind in {MoveKind.NO_CHANGE, MoveKind.INTERVAL_CHANGE}:
        timing = Timing.IMMEDIATELY
    elif kind is MoveKind.UPGRADE:
        timing = (
            Timing.IMMEDIATELY
            if policy.upgrade_timing is UpgradeTiming.IMMEDIATELY
            else Timing.PERIOD_END
        )
    else:
        timing = (
            Timing.IMMEDIATELY
            if policy.downgrade_timing is DowngradeTiming.IMMEDIATELY
            else Timing.PERIOD_END
        )
    billed = catalog.plan(sub.stretches[-1].plan_id) if sub.stretches else current
    return _Plan(kind, current, target, interval, timing, restarts, feasibility, at, billed)


def _check_in_current_period(sub: Subscription, at: datetime) -> datetime:
    """``at`` in UTC, if it lies in the current period (or trial) and is not yet processed."""
    given, at = at, sub.check_instant(at)
    if sub.status is Status.TRIALING:
        if sub.trial_end is not None and at >= sub.trial_end:
            raise InvalidPeriodError(
                f"{at.isoformat()} is at or after the trial's end {sub.trial_end.isoformat()}; "
                "advance the subscription first",
                argument="at",
                value=given,
            )
        return at
    period = sub.current_period
    if at >= period.end:
        raise InvalidPeriodError(
            f"{at.isoformat()} is at or after the current period's end "
            f"{period.end.isoformat()}; advance the subscription first",
            argument="at",
            value=given,
        )
    return at


def _credit_line(
    sub: Subscription,
    stretch: Stretch,
    current: Plan,
    billed: Plan,
    at: datetime,
    period: BillingPeriod,
    policy: BillingPolicy,
) -> Line | None:
    """The credit for the unused part ``[at, stretch end)`` of the current stretch.

    ``BILLED``: by ``credit_cap``, what is left of the stretch's billing
    (billed net of earlier credits) over the units it still pays for, or what
    was billed over the units it paid for (Kill Bill), as recorded when it was
    billed.
    ``LIST_PRICE``: today's list price of the plan the stretch was billed on
    (``billed``; the current plan unless a change without proration carried the
    paid time over) over the period's units. Either way capped at what is left,
    so a credit never exceeds what was billed.
    """
    creditable, remaining = stretch.creditable, stretch.creditable_units
    if not creditable.is_positive() or remaining <= 0:
        return None
    check_same_unit(stretch.unit, policy)
    cycle = sub.cycle
    unused = min(units(at, stretch.end, period, cycle, policy, change=True), remaining)
    if unused <= 0:
        return None
    if policy.credit_basis is CreditBasis.BILLED:
        base, denominator = credit_rate(stretch, policy)
    else:
        base = billed.price(stretch.interval).amount
        denominator = period_units(period, cycle, policy)
        unused = min(unused, denominator)
    line = prorated_line(
        LineKind.UNUSED_TIME,
        f"Unused time on {current.name} {span_text(at, stretch.end, cycle)}",
        base,
        units=unused,
        denominator=denominator,
        unit=unit_name(policy),
        rounding=policy.rounding,
        start=at,
        end=stretch.end,
        plan_id=current.id,
        cap=creditable,
        sign=-1,
    )
    return line if line.amount.is_negative() else None


def _carried(sub: Subscription, stretch: Stretch, at: datetime, policy: BillingPolicy) -> Stretch:
    """The paid part of ``stretch`` from ``at`` on, for a change billed without proration.

    Nothing is credited or charged, so what was paid for ``[at, end)`` carries
    over to a stretch of its own from ``at``, still on the plan it was billed on
    (the price a later list-price credit uses): its share of what is left,
    rounded once; the rest stays with the closed stretch — together exactly
    what was left.
    """
    check_same_unit(stretch.unit, policy)
    remaining = stretch.creditable_units
    period = sub.current_period
    moved = min(units(at, stretch.end, period, sub.cycle, policy, change=True), max(remaining, 0))
    zero = sub.zero
    if moved == remaining:
        share = stretch.creditable.max(zero)
    else:
        share = stretch.creditable.max(zero).ratio(moved, remaining, policy.rounding)
    paid = share.min((stretch.paid - stretch.credited).max(zero))
    return _trusted_stretch(
        stretch.plan_id,
        stretch.interval,
        at,
        stretch.end,
        share,
        moved,
        stretch.denominator,
        zero,
        paid,
        stretch.invoice_id,
        unit=stretch.unit,
    )


def _charge_line(
    sub: Subscription,
    target: Plan,
    interval: Interval,
    at: datetime,
    period: BillingPeriod,
    policy: BillingPolicy,
) -> Line:
    """The charge for the remaining part ``[at, period end)`` on the new plan."""
    return remaining_line(target, interval, at, period, sub.cycle, policy)


def _lines(
    sub: Subscription, resolved: _Plan, at: datetime, policy: BillingPolicy
) -> tuple[Line | None, Line | None]:
    """The credit line and the charge line of an immediate change (either may be absent).

    A change that restarts the cycle charges the new interval in full, so it
    always credits the unused paid time, whatever ``proration_billing`` says.
    """
    if sub.status is Status.TRIALING or resolved.kind is MoveKind.NO_CHANGE:
        return None, None
    period = sub.current_period
    stretch = sub.stretches[-1] if sub.stretches else None
    credit = None
    if stretch is not None and (
        resolved.restarts_cycle or policy.proration_billing is not ProrationBilling.NONE
    ):
        credit = _credit_line(sub, stretch, resolved.current, resolved.billed, at, period, policy)
    if resolved.restarts_cycle:
        return credit, new_interval_line(resolved.target, resolved.interval, at, sub.cycle, policy)
    if policy.proration_billing is ProrationBilling.NONE:
        return None, None
    return credit, _charge_line(sub, resolved.target, resolved.interval, at, period, policy)


def _conversion_lines(
    sub: Subscription, resolved: _Plan, at: datetime, catalog: Catalog, policy: BillingPolicy
) -> tuple[Line, ...]:
    """What a change during a trial invoices at once: the conversion, when the trial ends at it.

    Under ``TrialPlanChange.FROM_START`` a new plan whose trial counted from the
    first start is already over ends the trial at the change; the trial's end
    then bills what it always bills (``next_bill``), on the new plan.
    """
    if sub.status is not Status.TRIALING:
        return ()
    cycle = sub.cycle
    if resolved.interval != sub.interval:
        cycle = BillingCycle(cycle.anchor, resolved.interval, cycle.time_zone)
    moved = sub.evolve(plan_id=resolved.target.id, interval=resolved.interval, cycle=cycle)
    if _trial_after_change(moved, at, catalog, policy) != at:
        return ()
    retimed = _retimed(moved, at, at)
    bill = None if isinstance(retimed, Refused) else next_bill(retimed, catalog, None, policy)
    return bill.lines if bill is not None else ()


# --- public functions ------------------------------------------------------------------------


#: The proration billings whose lines wait for the next invoice (the charge, or both).
_WAITING = frozenset({ProrationBilling.NEXT_INVOICE, ProrationBilling.PENDING_ITEMS})


def _refundable(sub: Subscription, policy: BillingPolicy) -> Money:
    """What a credit may refund: the current stretch's card payment net of earlier credits."""
    if policy.credit_destination is CreditDestination.BALANCE or not sub.stretches:
        return sub.zero
    last = sub.stretches[-1]
    if last.invoice_id is not None and sub.open_invoice(last.invoice_id) is not None:
        return sub.zero  # not paid (yet): nothing to refund
    return (last.paid - last.credited).max(sub.zero)


def _refund(sub: Subscription, policy: BillingPolicy, credit: Money, charge: Money) -> Money:
    """What a change's ``credit`` pays back to the payment method, given its ``charge``.

    ``REFUND``: the credit, up to what was paid. ``NET_THEN_REFUND``: only
    what is left of the credit once it has paid the charge, up to what was
    paid; the rest stays in the balance for the charge's invoice.
    """
    refundable = _refundable(sub, policy).min(credit)
    if policy.credit_destination is CreditDestination.NET_THEN_REFUND:
        return refundable.min((credit - charge).max(sub.zero))
    return refundable


@names_what_was_passed("at")
def quote_change(
    subscription: Subscription,
    plan_id: str,
    interval: Interval,
    at: datetime,
    *,
    catalog: Catalog,
    usage: Usage,
    policy: BillingPolicy = SEED_POLICY,
) -> ChangeQuote | Refused:
    """Preview moving ``subscription`` to ``plan_id`` at ``interval`` at ``at``.

    Returns the kind of move, when it takes effect, whether it fits ``usage``,
    the lines with their arithmetic, the amount due now and the credit left;
    or :class:`~subscription_rules.effects.Refused` when the subscription's
    status allows no change. Changes nothing.

    A downgrade at the end of the period costs nothing now:

    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False).subscription
    >>> q = quote_change(sub, "personal", MONTHLY, datetime(2026, 11, 16, tzinfo=UTC),
    ...     catalog=catalog, usage=Usage.of(properties=10))
    >>> q.kind.value, q.timing.value, q.effective_at.date().isoformat(), q.lines
    ('downgrade', 'period_end', '2026-12-01', ())
    >>> q.feasibility.actions_text
    ('delete 7 properties',)
    """
    expect(subscription, Subscription, "subscription")
    expect(plan_id, str, "plan_id")
    expect(interval, Interval, "interval")
    _check_catalog(catalog, subscription.currency)
    expect(policy, BillingPolicy, "policy")
    checked_usage(usage, catalog.metrics)  # on every move, not only a downgrade
    resolved = _resolve(subscription, plan_id, interval, at, catalog, usage, policy)
    if isinstance(resolved, Refused):
        return resolved
    at = resolved.at
    zero = subscription.zero
    if resolved.timing is Timing.PERIOD_END:
        effective_at = subscription.current_period.end
        lines: tuple[Line, ...] = ()
    else:
        effective_at = at
        credit, charge = _lines(subscription, resolved, at, policy)
        lines = tuple(line for line in (credit, charge) if line is not None)
        lines += _conversion_lines(subscription, resolved, at, catalog, policy)
    converts = subscription.status is Status.TRIALING and bool(lines)
    total = sum_lines(lines, zero)
    credit_total = -sum_lines(tuple(line for line in lines if line.amount.is_negative()), zero)
    charge_total = total + credit_total  # the non-negative lines: exact integer arithmetic
    waits = policy.proration_billing in _WAITING and not resolved.restarts_cycle and not converts
    pending = waits and policy.proration_billing is ProrationBilling.PENDING_ITEMS
    credited_now = zero if pending else credit_total
    refund = _refund(subscription, policy, credited_now, charge_total) if credited_now else zero
    balance = subscription.credit_balance + credited_now - refund
    applied = zero
    if policy.proration_billing is ProrationBilling.NOW or resolved.restarts_cycle or converts:
        applied, balance = apply_credit(balance, charge_total)
    due = zero if waits else charge_total - applied
    due_next = (total if pending else charge_total) if waits else zero
    return ChangeQuote(
        kind=resolved.kind,
        from_plan_id=subscription.plan_id,
        from_interval=subscription.interval,
        to_plan_id=resolved.target.id,
        to_interval=interval,
        at=at,
        timing=resolved.timing,
        effective_at=effective_at,
        restarts_cycle=resolved.restarts_cycle
        and resolved.timing is Timing.IMMEDIATELY
        and policy.interval_change is IntervalChange.RESTART,
        feasibility=resolved.feasibility,
        lines=lines,
        total=total,
        credit_applied=applied,
        amount_due_now=due,
        credit_after=balance,
        refund=refund,
        due_next_invoice=due_next,
    )


def _notice(
    sub: Subscription, kind: NoticeKind, at: datetime, facts: tuple[FactPair, ...], occasion: str
) -> SendNotice:
    return send_notice(sub, kind, at, facts, occasion)


@names_what_was_passed("at")
def change_plan(
    subscription: Subscription,
    plan_id: str,
    interval: Interval,
    at: datetime,
    *,
    catalog: Catalog,
    usage: Usage,
    policy: BillingPolicy = SEED_POLICY,
) -> Decision | Refused:
    """Move ``subscription`` to ``plan_id`` at ``interval`` at ``at``, as :func:`quote_change` says.

    Returns the next subscription and its effects: a credit note for the
    unused time, an invoice for the charge (credit applied first), a notice.
    A downgrade at the period end is stored as the pending change and costs
    nothing now. Refused (nothing changes) when the move does not fit the
    usage, changes nothing, or the status allows no change.

    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False).subscription
    >>> at = datetime(2026, 11, 16, tzinfo=UTC)
    >>> change_plan(sub, "personal", MONTHLY, at, catalog=catalog,
    ...     usage=Usage.of(properties=10)).message
    'Personal allows 3 properties: delete 7 properties first'
    >>> decision = change_plan(sub, "personal", MONTHLY, at, catalog=catalog,
    ...     usage=Usage.of(properties=3))
    >>> decision.subscription.pending_change.plan_id, decision.effects[0].notice.kind.value
    ('personal', 'downgrade_scheduled')
    """
    quote = quote_change(
        subscription, plan_id, interval, at, catalog=catalog, usage=usage, policy=policy
    )
    if isinstance(quote, Refused):
        return quote
    at = quote.at  # in UTC
    if quote.kind is MoveKind.NO_CHANGE:
        if subscription.pending_change is not None:
            return cancel_pending_change(subscription, at, policy=policy)
        return Refused(RefusalReason.NO_CHANGE, f"already on {plan_id}, {interval}")
    if isinstance(quote.feasibility, Infeasible):
        return Refused(RefusalReason.INFEASIBLE, quote.feasibility.reason, quote.feasibility)
    target = catalog.plan(plan_id)
    current = catalog.plan(subscription.plan_id)
    sub = subscription.evolve(processed_until=at)
    facts: tuple[FactPair, ...] = (
        (FactName.FROM_PLAN, current.name),
        (FactName.TO_PLAN, target.name),
        (FactName.TO_INTERVAL, str(interval)),
        (FactName.EFFECTIVE_AT, quote.effective_at),
    )
    if quote.timing is Timing.PERIOD_END:
        sub = sub.evolve(pending_change=PendingChange(plan_id, interval, quote.effective_at, at))
        kind = (
            NoticeKind.DOWNGRADE_SCHEDULED
            if quote.kind is MoveKind.DOWNGRADE
            else NoticeKind.UPGRADE_SCHEDULED
        )
        number, sub = sub.next_document()
        notice = _notice(sub, kind, at, facts, f"change-{number}")
        return Decision(sub, (notice,), next_wakeup(sub, policy=policy))
    decision = _apply_immediately(sub, quote, target, facts, policy)
    return _trial_moved(decision, at, catalog, policy)


def _trial_moved(
    decision: Decision, at: datetime, catalog: Catalog, policy: BillingPolicy
) -> Decision | Refused:
    """A change during a trial, with the trial's end moved as ``trial_plan_change`` says."""
    end = _trial_after_change(decision.subscription, at, catalog, policy)
    if end is None:
        return decision
    moved = _move_trial_end(decision.subscription, end, end, at, catalog, policy)
    if isinstance(moved, Refused):
        return moved
    sub, effects = moved
    return Decision(sub, decision.effects + effects, next_wakeup(sub, policy=policy))


def _close_last_stretch(
    sub: Subscription, quote: ChangeQuote, policy: BillingPolicy
) -> tuple[list[Stretch], Stretch | None]:
    """The stretches with the last one ended at the change, and any paid time it carries over.

    The closed stretch records the credit just given and the units it covers;
    without proration, the paid time from the change on moves to the new plan's
    stretch instead (returned for the caller to record).
    """
    stretches = list(sub.stretches)
    if not stretches:
        return stretches, None
    last = stretches[-1]
    carried = None
    if policy.proration_billing is ProrationBilling.NONE and not _interval_changes(sub, quote):
        carried = _carried(sub, last, quote.at, policy)
        credited, credited_units = carried.billed, carried.units
    else:
        credit_lines = quote.credit_lines
        credited = -sum_lines(credit_lines, sub.zero)
        credited_units = sum(
            line.explanation.units for line in credit_lines if line.explanation is not None
        )
    stretches[-1] = attrs.evolve(
        last,
        end=quote.at,
        credited=last.credited + credited,
        credited_units=last.credited_units + credited_units,
    )
    return stretches, carried


def _interval_changes(sub: Subscription, quote: ChangeQuote) -> bool:
    """Whether an immediate change moves an active subscription to another interval's cycle."""
    return sub.status is not Status.TRIALING and quote.to_interval != sub.interval


def _units_billed(charge_lines: tuple[Line, ...], whole: int) -> tuple[int, int]:
    """The units and denominator the last prorated charge line bills; ``whole`` for both if none."""
    billed = (whole, whole)
    for line in charge_lines:
        if line.explanation is not None:
            billed = (line.explanation.units, line.explanation.denominator)
    return billed


def _change_charges(sub: Subscription, quote: ChangeQuote) -> tuple[Line, ...]:
    """The quote's charge lines the change bills itself (a trial ended by it converts instead)."""
    return () if sub.status is Status.TRIALING else quote.charge_lines


def _credit(
    sub: Subscription, quote: ChangeQuote, credit_lines: tuple[Line, ...], policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """The change's credit: a credit note now, or pending items for the next invoice.

    ``PENDING_ITEMS`` (unless the cycle restarts): the lines join the pending
    ones; the closed stretch records the credit all the same, so no later
    change credits that time again.
    """
    if policy.proration_billing is ProrationBilling.PENDING_ITEMS and not quote.restarts_cycle:
        return sub.evolve(pending_lines=sub.pending_lines + credit_lines), ()
    refundable = (
        quote.refund if policy.credit_destination is not CreditDestination.BALANCE else None
    )
    sub, _note, effects = issue_credit_note(
        sub, CreditReason.PLAN_CHANGE, credit_lines, quote.at, refundable=refundable
    )
    return sub, effects


def _apply_immediately(
    sub: Subscription,
    quote: ChangeQuote,
    target: Plan,
    facts: tuple[FactPair, ...],
    policy: BillingPolicy,
) -> Decision:
    at = quote.at
    effects: list[Effect] = []
    credit_lines, charge_lines = quote.credit_lines, _change_charges(sub, quote)
    stretches, carried = _close_last_stretch(sub, quote, policy)
    if credit_lines:
        sub, credit_effects = _credit(sub, quote, credit_lines, policy)
        effects.extend(credit_effects)
    charge_total = sum_lines(charge_lines, sub.zero)
    paid = sub.zero
    invoice_id = None
    if _interval_changes(sub, quote):
        cycle, period = new_interval_period(sub.cycle, quote.to_interval, at, policy)
        sub, invoice, charge = issue_invoice(
            sub, InvoiceReason.PLAN_CHANGE, charge_lines, at, at, period.end
        )
        effects.append(charge)
        paid, invoice_id = invoice.amount_due, invoice.id
        sub = sub.evolve(cycle=cycle, period_index=period.index)
        stretches = []
        stretch_end = period.end
        # In full, or (a kept anniversary) the prorated part of the period.
        billed_units, denominator = _units_billed(charge_lines, period_units(period, cycle, policy))
    else:
        stretch_end = sub.current_period.end
        billed_units, denominator = _units_billed(charge_lines, 0)
        if charge_lines and policy.proration_billing is ProrationBilling.NOW:
            sub, invoice, charge = issue_invoice(
                sub, InvoiceReason.PLAN_CHANGE, charge_lines, at, at, stretch_end
            )
            effects.append(charge)
            paid, invoice_id = invoice.amount_due, invoice.id
        elif charge_lines:
            sub = sub.evolve(pending_lines=sub.pending_lines + charge_lines)
    if carried is not None:
        stretches.append(carried)  # still what was billed for that time, and at which price
    elif sub.status is not Status.TRIALING:
        stretches.append(
            _trusted_stretch(
                target.id,
                quote.to_interval,
                at,
                stretch_end,
                charge_total,
                billed_units,
                denominator,
                sub.zero,
                paid.min(charge_total),
                invoice_id,
                unit=policy.proration_unit,
            )
        )
    if sub.status is Status.TRIALING and quote.to_interval != sub.interval:
        # The first period starts at the trial's end, in the new interval.
        sub = sub.evolve(
            cycle=BillingCycle(sub.cycle.anchor, quote.to_interval, sub.cycle.time_zone)
        )
    sub = sub.evolve(
        plan_id=target.id,
        interval=quote.to_interval,
        stretches=tuple(stretches),
        pending_change=None,
    )
    number, sub = sub.next_document()
    kind = {
        MoveKind.UPGRADE: NoticeKind.UPGRADED,
        MoveKind.DOWNGRADE: NoticeKind.DOWNGRADED,
        MoveKind.INTERVAL_CHANGE: NoticeKind.INTERVAL_CHANGED,
    }[quote.kind]
    money_facts: tuple[FactPair, ...] = (
        (FactName.AMOUNT_DUE, quote.amount_due_now),
        (FactName.CREDIT_AFTER, quote.credit_after),
    )
    effects.append(_notice(sub, kind, at, facts + money_facts, f"change-{number}"))
    return Decision(sub, tuple(effects), next_wakeup(sub, policy=policy))


@names_what_was_passed("at")
def cancel_pending_change(
    subscription: Subscription, at: datetime, *, policy: BillingPolicy = SEED_POLICY
) -> Decision | Refused:
    """Cancel a scheduled plan change before it takes effect.

    >>> sub = start_subscription("s", "c", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), trial=False).subscription
    >>> cancel_pending_change(sub, datetime(2026, 11, 2, tzinfo=UTC)).message
    'no plan change is scheduled'
    """
    expect(subscription, Subscription, "subscription")
    expect(policy, BillingPolicy, "policy")
    sub = subscription
    at = sub.check_instant(at)
    if sub.pending_change is None:
        return Refused(RefusalReason.NOTHING_PENDING, "no plan change is scheduled")
    pending = sub.pending_change
    sub = sub.evolve(pending_change=None, processed_until=at)
    number, sub = sub.next_document()
    facts: tuple[FactPair, ...] = (
        (FactName.PLAN, pending.plan_id),
        (FactName.WAS_EFFECTIVE_AT, pending.effective_at),
    )
    notice = _notice(sub, NoticeKind.DOWNGRADE_CANCELLED, at, facts, f"change-{number}")
    return Decision(sub, (notice,), next_wakeup(sub, policy=policy))
