"""Carrying out a plan change as its quote says (``change_plan``, ``change_quantity``), and cancelling a pending one."""

from __future__ import annotations

from datetime import datetime

import attrs

from subscription_rules._billing import (
    billed_for_all,
    issue_credit_note,
    issue_invoice,
    send_notice,
)
from subscription_rules._checks import expect, names_what_was_passed
from subscription_rules._discounting import discounted
from subscription_rules._pricing import Priced, billed_on, quantity_facts
from subscription_rules._taxing import tax_credited_after, taxed
from subscription_rules._units import (
    new_interval_period,
    period_units,
)
from subscription_rules.catalog import Catalog, MoveKind, check_quantity
from subscription_rules.credits import CreditReason
from subscription_rules.effects import Decision, Effect, RefusalReason, Refused, SendNotice
from subscription_rules.invoices import (
    InvoiceReason,
    Line,
    sum_lines,
)
from subscription_rules.lifecycle._scheduling import next_wakeup
from subscription_rules.lifecycle._trials import _move_trial_end, _trial_after_change
from subscription_rules.notifications import FactName, FactPair, NoticeKind
from subscription_rules.periods import (
    BillingCycle,
    Interval,
)
from subscription_rules.policy import (
    BillingPolicy,
    CreditDestination,
    ProrationBilling,
)
from subscription_rules.proration._quote import (
    ChangeQuote,
    Timing,
    _carried,
    _migration,
    _trusted_stretch,
    change_target,
    quote_change,
)
from subscription_rules.subscription import PendingChange, Status, Stretch, Subscription
from subscription_rules.usage import (
    Infeasible,
    Usage,
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
    policy: BillingPolicy,
    quantity: int | None = None,
) -> Decision | Refused:
    """Move ``subscription`` to ``plan_id`` at ``interval`` at ``at``, as :func:`quote_change` says.

    ``quantity``: the units (seats) after the move (``None`` keeps them); the
    same plan and interval at another quantity is a quantity change. The
    subscription records the price it moves to (a scheduled change records it
    when scheduled).

    Returns the next subscription and its effects: a credit note for the
    unused time, an invoice for the charge (credit applied first), a notice.
    A downgrade at the period end is stored as the pending change and costs
    nothing now. Refused (nothing changes) when the move does not fit the
    usage, changes nothing, or the status allows no change.

    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> at = datetime(2026, 11, 16, tzinfo=UTC)
    >>> change_plan(sub, "personal", MONTHLY, at, catalog=catalog,
    ...     usage=Usage.of(properties=10), policy=SEED_POLICY).message
    'Personal allows 3 properties: delete 7 properties first'
    >>> decision = change_plan(sub, "personal", MONTHLY, at, catalog=catalog,
    ...     usage=Usage.of(properties=3), policy=SEED_POLICY)
    >>> decision.subscription.pending_change.plan_id, decision.effects[0].notice.kind.value
    ('personal', 'downgrade_scheduled')
    """
    quote = quote_change(
        subscription,
        plan_id,
        interval,
        at,
        catalog=catalog,
        usage=usage,
        policy=policy,
        quantity=quantity,
    )
    if isinstance(quote, Refused):
        return quote
    at = quote.at  # in UTC
    if quote.kind is MoveKind.NO_CHANGE:
        if subscription.pending_change is not None and not _price_only(subscription):
            return cancel_pending_change(subscription, at, policy=policy)
        return Refused(RefusalReason.NO_CHANGE, f"already on {plan_id}, {interval}")
    if isinstance(quote.feasibility, Infeasible):
        return Refused(RefusalReason.INFEASIBLE, quote.feasibility.reason, quote.feasibility)
    target = change_target(subscription, plan_id, interval, catalog, quantity)
    current = billed_on(subscription, catalog)
    # A seat change keeps the new price a pending migration moves the subscription to.
    migration = (
        _migration(subscription)
        if (plan_id, interval) == (subscription.plan_id, subscription.interval)
        else None
    )
    sub = subscription.evolve(processed_until=at)
    facts: tuple[FactPair, ...] = (
        (FactName.FROM_PLAN, current.name),
        (FactName.TO_PLAN, target.name),
        (FactName.TO_INTERVAL, str(interval)),
        (FactName.EFFECTIVE_AT, quote.effective_at),
        *quantity_facts(current, target),
    )
    if quote.timing is Timing.PERIOD_END:
        return _schedule(sub, quote, target, facts, migration, policy)
    decision = _apply_immediately(sub, quote, target, facts, policy, migration)
    return _trial_moved(decision, at, catalog, policy)


def _schedule(
    sub: Subscription,
    quote: ChangeQuote,
    target: Priced,
    facts: tuple[FactPair, ...],
    migration: PendingChange | None,
    policy: BillingPolicy,
) -> Decision | Refused:
    """A change at the period end: the pending change, recording the price it moves to.

    A seat change with a new price pending (``migration``) for the same period
    end takes that price (``quote_change`` refuses one pending for a later
    period end: a subscription holds one pending change).
    """
    price = target.record()
    if migration is not None and migration.price is not None:
        # Both at that period end (quote_change refuses a seat change before a later one):
        # the seats at the new price.
        price = migration.price
    at = quote.at
    pending = PendingChange(
        quote.to_plan_id,
        quote.to_interval,
        quote.effective_at,
        at,
        quantity=target.quantity,
        price=price,
    )
    sub = sub.evolve(pending_change=pending)
    kind = (
        NoticeKind.DOWNGRADE_SCHEDULED
        if quote.kind is MoveKind.DOWNGRADE
        else NoticeKind.UPGRADE_SCHEDULED
    )
    number, sub = sub.next_document()
    notice = _notice(sub, kind, at, facts, f"change-{number}")
    return Decision(sub, (notice,), next_wakeup(sub, policy=policy))


def _price_only(sub: Subscription) -> bool:
    """Whether the pending change keeps plan, interval and quantity: a price migration.

    Choosing the current plan again undoes a scheduled change of plan or
    quantity, never a new price (``migrate_price``): the host cancels that.
    """
    pending = sub.pending_change
    return (
        pending is not None
        and (pending.plan_id, pending.interval) == (sub.plan_id, sub.interval)
        and pending.quantity in {None, sub.quantity}
    )


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
        tax_credited = last.tax_credited
        if carried.tax is not None:
            tax_credited = (tax_credited or sub.zero) + carried.tax.amount
    else:
        credit_lines = quote.credit_lines
        credited = -sum_lines(credit_lines, sub.zero)
        credited_units = sum(
            line.explanation.units for line in credit_lines if line.explanation is not None
        )
        tax_credited = tax_credited_after(last, credit_lines)
    stretches[-1] = attrs.evolve(
        last,
        end=quote.at,
        credited=last.credited + credited,
        credited_units=last.credited_units + credited_units,
        tax_credited=tax_credited,
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
    if sub.status is Status.TRIALING:
        return ()
    # Taxed again by the invoice, after any discount: the quote's tax is a preview.
    return tuple(attrs.evolve(line, tax=None) for line in quote.charge_lines)


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
    target: Priced,
    facts: tuple[FactPair, ...],
    policy: BillingPolicy,
    migration: PendingChange | None,
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
    tax = None
    invoice_id = None
    if _interval_changes(sub, quote):
        cycle, period = new_interval_period(sub.cycle, quote.to_interval, at, policy)
        sub, invoice, charge = issue_invoice(
            sub, InvoiceReason.PLAN_CHANGE, charge_lines, at, at, period.end, policy=policy
        )
        effects.append(charge)
        charge_total, tax, billed = billed_for_all(invoice, charge_lines, sub.zero)
        paid, invoice_id = invoice.amount_due.min(billed), invoice.id
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
                sub, InvoiceReason.PLAN_CHANGE, charge_lines, at, at, stretch_end, policy=policy
            )
            effects.append(charge)
            charge_total, tax, billed = billed_for_all(invoice, charge_lines, sub.zero)
            paid, invoice_id = invoice.amount_due.min(billed), invoice.id
        elif charge_lines:
            # Discounted and taxed now, so the stretch records what the next invoice will bill
            # for it, tax included (that invoice keeps the lines' tax): a credit before it
            # returns that tax. Per invoice, the rate's tax of all the charges waiting is
            # rounded once: the new ones carry what the others do not.
            waiting, discount = discounted(sub, charge_lines, at, policy)
            waiting = taxed(sub, waiting, policy, beside=sub.pending_lines)[0]
            charge_total, tax, _paid = billed_for_all(waiting, charge_lines, sub.zero)
            sub = sub.evolve(pending_lines=sub.pending_lines + waiting, discount=discount)
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
                paid,
                invoice_id,
                unit=policy.proration_unit,
                quantity=target.quantity,
                tax=tax,
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
        pending_change=migration,
        price=target.record(),
        quantity=target.quantity,
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
def change_quantity(
    subscription: Subscription,
    quantity: int,
    at: datetime,
    *,
    catalog: Catalog,
    usage: Usage,
    policy: BillingPolicy,
) -> Decision | Refused:
    """Change how many units (seats) ``subscription`` pays for, from ``at``.

    :func:`change_plan` to the plan and interval the subscription is on, at
    ``quantity``: more seats are an upgrade (by ``upgrade_timing``: now, a
    credit for the unused time on the whole old quantity and a charge for the
    remaining time on the whole new one, each line rounded on its own), fewer
    a downgrade (by ``downgrade_timing``: at the period end, where ``usage``
    is checked again, or now with a credit), refused while ``usage`` holds more
    of the unit than ``quantity`` ("remove 3 seats"). During a trial it changes
    the quantity the conversion bills, and charges nothing now. The notices are
    the plan change's (``UPGRADED``, ``DOWNGRADE_SCHEDULED``, …) with the
    facts ``from_quantity`` and ``to_quantity``.

    Returns Refused (``NO_CHANGE``) for the current quantity when nothing is
    scheduled; with a change scheduled, the current quantity cancels it (as
    ``change_plan`` to the current plan does).

    Raises:
        InvalidQuantityError: For a quantity that is not an ``int`` from 1, or
            not 1 on a plan priced flat.

    Team at USD 12.00 a seat, from 3 seats to 5 halfway through November:

    >>> from subscription_rules.catalog import DEFAULT_METRICS, Metric, MetricKind, Plan, Price
    >>> seats = Metric("seats", MetricKind.STOCK, "seat", "seats", "remove")
    >>> team = Plan("team", "Team", (Price.of("12.00", "USD", "monthly", unit="seats"),))
    >>> catalog = Catalog((team,), (*DEFAULT_METRICS, seats))
    >>> sub = start_subscription("s", "c", "team", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     catalog=catalog, trial=False, policy=SEED_POLICY, quantity=3).subscription
    >>> decision = change_quantity(sub, 5, datetime(2026, 11, 16, tzinfo=UTC),
    ...     catalog=catalog, usage=Usage.of(seats=3), policy=SEED_POLICY)
    >>> for line in (*decision.credit_notes[0].lines, *decision.invoices[0].lines):
    ...     print(line)
    Unused time on Team (3 seats × USD 12.00) from 16 Nov 2026 to 1 Dec 2026: USD -18.00
    Remaining time on Team (5 seats × USD 12.00) from 16 Nov 2026 to 1 Dec 2026: USD 30.00
    >>> change_quantity(sub, 2, datetime(2026, 11, 16, tzinfo=UTC),
    ...     catalog=catalog, usage=Usage.of(seats=3), policy=SEED_POLICY).message
    'Team allows 2 seats: remove 1 seat first'
    """
    expect(subscription, Subscription, "subscription")
    check_quantity(quantity)
    return change_plan(
        subscription,
        subscription.plan_id,
        subscription.interval,
        at,
        catalog=catalog,
        usage=usage,
        policy=policy,
        quantity=quantity,
    )


@names_what_was_passed("at")
def cancel_pending_change(
    subscription: Subscription, at: datetime, *, policy: BillingPolicy
) -> Decision | Refused:
    """Cancel a scheduled plan change before it takes effect.

    >>> sub = start_subscription("s", "c", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
    >>> cancel_pending_change(sub, datetime(2026, 11, 2, tzinfo=UTC), policy=SEED_POLICY).message
    'no plan change is scheduled'
    """
    expect(subscription, Subscription, "subscription")
    expect(policy, BillingPolicy, "policy")
    sub = subscription
    at = sub.check_instant(at)
    if sub.pending_change is None:
        return Refused(RefusalReason.NOTHING_PENDING, "no plan change is scheduled")
    pending = sub.pending_change
    # A seat change scheduled with a new price: the new price stays pending.
    kept = _migration(sub) if pending.quantity not in {None, sub.quantity} else None
    sub = sub.evolve(pending_change=kept, processed_until=at)
    number, sub = sub.next_document()
    facts: tuple[FactPair, ...] = (
        (FactName.PLAN, pending.plan_id),
        (FactName.WAS_EFFECTIVE_AT, pending.effective_at),
    )
    if sub.price is not None and sub.price.price.unit is not None:
        facts += ((FactName.QUANTITY, sub.quantity),)  # the units kept
    notice = _notice(sub, NoticeKind.DOWNGRADE_CANCELLED, at, facts, f"change-{number}")
    return Decision(sub, (notice,), next_wakeup(sub, policy=policy))
