"""Quoting a plan change: what it costs, credits and refunds, as a preview (``quote_change``)."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from subscription_rules._checks import expect, names_what_was_passed, trusted
from subscription_rules._discounting import discounted
from subscription_rules._pricing import Priced, billed_on, list_priced, offered, target_quantity
from subscription_rules._taxing import credit_tax, paid_left, taxed, with_credit_tax
from subscription_rules._units import (
    check_same_unit,
    credit_rate,
    new_interval_line,
    period_units,
    remaining_line,
    span_text,
    unit_name,
    units,
)
from subscription_rules.access import marked_unpaid
from subscription_rules.catalog import Catalog, MoveKind, classify_move
from subscription_rules.catalog._catalog import _check_catalog
from subscription_rules.catalog._values import _plan_quantity
from subscription_rules.credits import apply_credit
from subscription_rules.effects import RefusalReason, Refused
from subscription_rules.errors import InvalidPeriodError
from subscription_rules.invoices import (
    Line,
    LineKind,
    line_totals,
    prorated_line,
)
from subscription_rules.lifecycle._collection import changes_blocked
from subscription_rules.lifecycle._renewal import next_bill
from subscription_rules.lifecycle._trials import _retimed, _trial_after_change
from subscription_rules.money import Money
from subscription_rules.periods import (
    BillingCycle,
    BillingPeriod,
    Interval,
)
from subscription_rules.policy import (
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
    Usage,
    check_downgrade,
    checked_usage,
)

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

    Under a tax (``Subscription.tax``) the lines carry their tax: a credit the
    tax billed with the time it credits, in proportion; a charge the tax the
    invoice will add (worked out again on the invoice, after any discount).
    ``tax`` is their tax (``None`` when untaxed), and every amount above
    counts the tax added on top of the lines (``total`` too): the amounts due
    are tax included.

    Advanced (USD 150.00 a month) to Pro (USD 300.00) halfway through November:
    the credit for the unused half pays half of the charge for the remaining one.

    >>> from subscription_rules import MONTHLY, Usage, default_catalog, quote_change
    >>> catalog = default_catalog()
    >>> sub = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> quote = quote_change(sub, "pro", MONTHLY, datetime(2026, 11, 16, tzinfo=UTC),
    ...     catalog=catalog, usage=Usage.of(properties=4), policy=SEED_POLICY)
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
    from_quantity: int = attrs.field(default=1, kw_only=True)
    to_quantity: int = attrs.field(default=1, kw_only=True)
    tax: Money | None = attrs.field(default=None, kw_only=True)

    @property
    def feasible(self) -> bool:
        """Whether the move fits the account's usage."""
        return isinstance(self.feasibility, Feasible)

    @property
    def credit_lines(self) -> tuple[Line, ...]:
        """The credit lines (unused time)."""
        return tuple(
            line
            for line in self.lines
            if line.amount.is_negative() and line.kind is not LineKind.DISCOUNT
        )

    @property
    def charge_lines(self) -> tuple[Line, ...]:
        """The charge lines (remaining time, or the new interval in full), before discounts."""
        return tuple(line for line in self.lines if not line.amount.is_negative())

    @property
    def discount_lines(self) -> tuple[Line, ...]:
        """The subscription's discount on the charge lines (each follows the line it discounts)."""
        return tuple(line for line in self.lines if line.kind is LineKind.DISCOUNT)


@attrs.frozen
class _Plan:
    """What a change needs to know about its target, resolved once."""

    kind: MoveKind
    current: Priced
    target: Priced
    interval: Interval
    timing: Timing
    restarts_cycle: bool
    feasibility: Feasibility
    at: datetime
    billed: Priced | None  # the plan the current stretch was billed on (None: not on record)


def _resolve(
    sub: Subscription,
    plan_id: str,
    interval: Interval,
    at: datetime,
    catalog: Catalog,
    usage: Usage,
    policy: BillingPolicy,
    quantity: int | None,
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
    current = billed_on(sub, catalog)
    target = change_target(sub, plan_id, interval, catalog, quantity, current=current)
    at = _check_in_current_period(sub, at)
    kind = classify_move(
        current.plan,
        sub.interval,
        target.plan,
        interval,
        by=policy.classify_by,
        weeks_per_year=policy.weeks_per_year,
        current_quantity=current.quantity,
        target_quantity=target.quantity,
        currency=sub.currency,
    )
    seats = target.quantity if target.price.unit is not None else None
    smaller = target.id != current.id or (seats is not None and seats < current.quantity)
    feasibility: Feasibility = (
        check_downgrade(usage, target.plan, catalog.metrics, quantity=seats)
        if smaller
        else Feasible()
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
    billed: Priced | None = current
    if sub.stretches:
        last = sub.stretches[-1]
        same = (last.plan_id, last.interval, last.quantity)
        if same != (sub.plan_id, sub.interval, current.quantity):  # else billed on `current`
            billed = list_priced(sub, catalog, last.plan_id, last.interval, last.quantity)
    return _Plan(kind, current, target, interval, timing, restarts, feasibility, at, billed)


def change_target(
    sub: Subscription,
    plan_id: str,
    interval: Interval,
    catalog: Catalog,
    quantity: int | None,
    *,
    current: Priced | None = None,
) -> Priced:
    """What a change to ``plan_id`` at ``interval`` (and ``quantity``) moves the subscription to.

    The same plan and interval is a quantity change, at the price the
    subscription is on; another plan or interval is priced as sold today, in
    the subscription's currency. An unknown or retired plan, an interval or
    currency the plan is not sold at, or a quantity the price refuses is an
    error, before anything else. ``current``: ``billed_on(sub, catalog)``, if already worked out.
    """
    if current is None:
        current = billed_on(sub, catalog)
    wanted = target_quantity(sub, catalog.plan(plan_id), quantity)
    if plan_id == sub.plan_id and interval == sub.interval:
        return attrs.evolve(current, quantity=_plan_quantity(current.plan, wanted))
    return offered(catalog, plan_id, interval, sub.currency, wanted)


def _migration(sub: Subscription) -> PendingChange | None:
    """The pending move to a new price of the subscription's plan, alone or with a seat change.

    As a pending change of its own (quantity ``None``), to keep when the seats
    change; ``None`` when nothing pending changes the price of the plan it is on.
    """
    pending = sub.pending_change
    if pending is None or (pending.plan_id, pending.interval) != (sub.plan_id, sub.interval):
        return None
    if pending.price is None or sub.price is None or pending.price == sub.price:
        return None
    return attrs.evolve(pending, quantity=None)


def _waits_for_migration(sub: Subscription, resolved: _Plan) -> Refused | None:
    """Refuse a seat change at the period end while a new price is pending for a later one.

    A subscription holds one pending change; the seat change waits until the
    migration has applied (or the host cancels it).
    """
    if resolved.timing is not Timing.PERIOD_END or resolved.target.id != sub.plan_id:
        return None
    if resolved.interval != sub.interval:
        return None
    migration = _migration(sub)
    if migration is None or migration.price is None:
        return None
    if migration.effective_at <= sub.current_period.end:
        return None
    return Refused(
        RefusalReason.CHANGE_PENDING,
        f"a move to a new price ({migration.price.price}) is scheduled for"
        f" {migration.effective_at.isoformat()}: a change of seats at the period"
        " end waits until it applies, or cancel it first",
    )


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


def _discounted(sub: Subscription, stretch: Stretch, billed: Priced) -> bool:
    """Whether ``sub`` has a discount and ``stretch`` was billed below ``billed`` for its units.

    Rounding a line once leaves it less than one minor unit from the price's share; the
    discount took it a whole unit or more below. (A stretch of the current period is
    billed at the price the subscription is on, so nothing else does: a new price takes
    effect at a period's end.)
    """
    if sub.discount is None:
        return False
    exact = billed.amount.minor * stretch.units
    return (stretch.billed.minor + 1) * stretch.denominator <= exact


def _credit_line(
    sub: Subscription,
    stretch: Stretch,
    current: Priced,
    billed: Priced | None,
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
    (``billed``: the price the subscription is on) over the period's units;
    paid time a change without proration carried over from a plan since left
    (``billed`` ``None``) as ``BILLED``: its price then is not on record, and a
    new catalog version may have repriced the plan; a stretch billed below
    that price (a discount) as ``BILLED`` too, so the credit never exceeds what
    was paid for the unused time. Either way capped at what is left, so a
    credit never exceeds what was billed.
    """
    creditable, remaining = stretch.creditable, stretch.creditable_units
    if not creditable.is_positive() or remaining <= 0:
        return None
    check_same_unit(stretch.unit, policy)
    cycle = sub.cycle
    unused = min(units(at, stretch.end, period, cycle, policy, change=True), remaining)
    if unused <= 0:
        return None
    if (
        policy.credit_basis is CreditBasis.BILLED
        or billed is None
        or _discounted(sub, stretch, billed)
    ):
        base, denominator = credit_rate(stretch, policy)
    else:
        base = billed.amount
        denominator = period_units(period, cycle, policy)
        unused = min(unused, denominator)
    line = prorated_line(
        LineKind.UNUSED_TIME,
        f"Unused time on {current.label} {span_text(at, stretch.end, cycle)}",
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
    return with_credit_tax(line, stretch, policy.rounding) if line.amount.is_negative() else None


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
    moved_tax = credit_tax(stretch, share, policy.rounding)
    tax = None
    if moved_tax is not None:
        tax = attrs.evolve(moved_tax, taxable=-moved_tax.taxable, amount=-moved_tax.amount)
    added = tax.amount if tax is not None and not tax.rate.inclusive else zero
    paid = (share + added).min(paid_left(stretch).max(zero))
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
        quantity=stretch.quantity,
        tax=tax,
        tax_credited=None,
    )


def _charge_line(
    sub: Subscription,
    target: Priced,
    at: datetime,
    period: BillingPeriod,
    policy: BillingPolicy,
) -> Line:
    """The charge for the remaining part ``[at, period end)`` on the new plan."""
    return remaining_line(target, at, period, sub.cycle, policy)


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
        return credit, new_interval_line(resolved.target, at, sub.cycle, policy)
    if policy.proration_billing is ProrationBilling.NONE:
        return None, None
    return credit, _charge_line(sub, resolved.target, at, period, policy)


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
    moved = sub.evolve(
        plan_id=resolved.target.id,
        interval=resolved.interval,
        cycle=cycle,
        price=resolved.target.record(),
        quantity=resolved.target.quantity,
    )
    if _trial_after_change(moved, at, catalog, policy) != at:
        return ()
    retimed = _retimed(moved, at, at)
    bill = None if isinstance(retimed, Refused) else next_bill(retimed, catalog, None, policy)
    return bill.lines if bill is not None else ()


#: The proration billings whose lines wait for the next invoice (the charge, or both).
_WAITING = frozenset({ProrationBilling.NEXT_INVOICE, ProrationBilling.PENDING_ITEMS})


def _refundable(sub: Subscription, policy: BillingPolicy) -> Money:
    """What a credit may refund: the current stretch's card payment net of earlier credits."""
    if policy.credit_destination is CreditDestination.BALANCE or not sub.stretches:
        return sub.zero
    last = sub.stretches[-1]
    if last.invoice_id is not None and sub.open_invoice(last.invoice_id) is not None:
        return sub.zero  # not paid (yet): nothing to refund
    return paid_left(last).max(sub.zero)


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
    policy: BillingPolicy,
    quantity: int | None = None,
) -> ChangeQuote | Refused:
    """Preview moving ``subscription`` to ``plan_id`` at ``interval`` at ``at``.

    ``quantity`` is the units (seats) after the move, for a plan sold per
    unit: ``None`` keeps the subscription's (1 on a flat plan). The same plan
    and interval at another quantity is a quantity change: more seats are an
    upgrade (charged now for the remaining time, by ``upgrade_timing``), fewer
    a downgrade (at the period end, or now with a credit, by
    ``downgrade_timing``), checked against the seats in use.

    Returns the kind of move, when it takes effect, whether it fits ``usage``,
    the lines with their arithmetic, the amount due now and the credit left;
    or :class:`~subscription_rules.effects.Refused` when the subscription's
    status allows no change. Changes nothing.

    A downgrade at the end of the period costs nothing now:

    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> q = quote_change(sub, "personal", MONTHLY, datetime(2026, 11, 16, tzinfo=UTC),
    ...     catalog=catalog, usage=Usage.of(properties=10), policy=SEED_POLICY)
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
    resolved = _resolve(subscription, plan_id, interval, at, catalog, usage, policy, quantity)
    if isinstance(resolved, Refused):
        return resolved
    held = _waits_for_migration(subscription, resolved)
    if held is not None:
        return held
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
        lines, _discount = discounted(subscription, lines, at, policy)
    converts = subscription.status is Status.TRIALING and bool(lines)
    waits = policy.proration_billing in _WAITING and not resolved.restarts_cycle and not converts
    # A charge that will wait is taxed as the change makes it pending: with the charges already
    # waiting for the same invoice (the rate's tax rounded once, per invoice).
    lines = taxed(subscription, lines, policy, beside=subscription.pending_lines if waits else ())[
        0
    ]
    _lines_total, tax, total = line_totals(lines, zero)
    credit_part = tuple(
        line for line in lines if line.amount.minor < 0 and line.kind is not LineKind.DISCOUNT
    )
    credit_total = -line_totals(credit_part, zero)[2]
    charge_total = total + credit_total  # the charges net of discounts: exact integer arithmetic
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
        from_quantity=subscription.quantity,
        to_quantity=resolved.target.quantity,
        tax=None if subscription.tax is None else tax,
    )
