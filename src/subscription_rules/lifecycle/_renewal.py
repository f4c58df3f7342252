"""The trial's end and the period's end: end, apply a pending change, renew."""

from __future__ import annotations

import functools
from datetime import datetime

import attrs

from subscription_rules._billing import (
    credit_excess,
    invoiced_total,
    issue_invoice,
    netted,
)
from subscription_rules._pricing import Priced, after_change, billed_on, quantity_facts
from subscription_rules._units import new_interval_period, period_line
from subscription_rules.catalog import (
    Catalog,
    MoveKind,
    Plan,
    classify_move,
)
from subscription_rules.credits import CreditReason
from subscription_rules.effects import (
    Effect,
    EndAccess,
    SendNotice,
    SuspendAccess,
)
from subscription_rules.invoices import InvoiceReason, Line
from subscription_rules.lifecycle._bill import _bill_from, _bill_period, _opening_line
from subscription_rules.lifecycle._collection import _collect
from subscription_rules.lifecycle._common import _BILLING, _ended, _notice
from subscription_rules.lifecycle._coupons import end_of_discount
from subscription_rules.notifications import FactName, FactPair, NoticeKind
from subscription_rules.periods import BillingCycle, BillingPeriod, Interval
from subscription_rules.policy import (
    BillingPolicy,
    MissingPaymentMethod,
)
from subscription_rules.subscription import (
    PendingChange,
    Status,
    Subscription,
    SuspensionReason,
)
from subscription_rules.usage import (
    Feasible,
    Infeasible,
    Usage,
    check_downgrade,
    overage_lines,
)


def _trial_reminder(sub: Subscription, plan: Plan, at: datetime) -> SendNotice:
    assert sub.trial_end is not None  # noqa: S101 - only called for trials
    return _notice(
        sub,
        NoticeKind.TRIAL_ENDING,
        at,
        (
            (FactName.PLAN, plan.name),
            (FactName.TRIAL_END, sub.trial_end),
            (FactName.HAS_PAYMENT_METHOD, "yes" if sub.has_payment_method else "no"),
        ),
        "trial",
    )


def _trial_end(
    sub: Subscription, catalog: Catalog, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """The trial's end: convert, end, suspend or invoice, as the policy and the facts say."""
    assert sub.trial_end is not None  # noqa: S101 - only called for trials
    at = sub.trial_end
    plan = billed_on(sub, catalog)
    sub = sub.evolve(processed_until=at)
    if sub.cancel_at_period_end or (
        not sub.has_payment_method and policy.missing_payment_method is MissingPaymentMethod.CANCEL
    ):
        sub = sub.evolve(
            status=Status.ENDED, ended_at=at, cancel_at_period_end=False, pending_change=None
        )
        facts: tuple[FactPair, ...] = ((FactName.PLAN, plan.name), (FactName.ENDED_AT, at))
        return sub, (EndAccess(), _notice(sub, NoticeKind.SUBSCRIPTION_ENDED, at, facts, "end"))
    if not sub.has_payment_method and policy.missing_payment_method is MissingPaymentMethod.SUSPEND:
        reason = SuspensionReason.TRIAL_ENDED_WITHOUT_PAYMENT_METHOD
        sub = sub.evolve(status=Status.SUSPENDED, suspension_reason=reason, suspended_at=at)
        facts = ((FactName.PLAN, plan.name), (FactName.REASON, reason.value))
        return sub, (
            SuspendAccess(reason),
            _notice(sub, NoticeKind.ACCOUNT_SUSPENDED, at, facts, f"suspended-{at.isoformat()}"),
        )
    sub = sub.evolve(status=Status.ACTIVE)
    sub, charge = _bill_from(sub, plan, at, InvoiceReason.TRIAL_CONVERSION, policy)
    effects: list[Effect] = [
        charge,
        _notice(sub, NoticeKind.TRIAL_CONVERTED, at, ((FactName.PLAN, plan.name),), "trial"),
    ]
    owed = (
        sub.open_invoices and sub.open_invoices[-1].invoice.reason is InvoiceReason.TRIAL_CONVERSION
    )
    if not sub.has_payment_method and owed:  # MissingPaymentMethod.INVOICE: billed, unpayable
        sub = sub.evolve(status=Status.PAST_DUE)
        effects.append(
            _notice(
                sub, NoticeKind.PAYMENT_METHOD_NEEDED, at, ((FactName.PLAN, plan.name),), "trial"
            )
        )
    return sub, tuple(effects)


@attrs.frozen
class _Terms:
    """What the period that a period end opens is billed on: plan, interval, cycle, index.

    ``start``: where billing starts (``None``: at the period's start); after a
    kept anniversary, part way into the new interval's period.
    """

    plan: Priced
    interval: Interval
    cycle: BillingCycle
    index: int
    start: datetime | None = None

    @functools.cached_property
    def period(self) -> BillingPeriod:
        return self.cycle.period(self.index)

    def line(self, policy: BillingPolicy) -> Line:
        """The line billing the opened period: whole, or from ``start`` prorated."""
        period = self.period
        start = period.start if self.start is None else self.start
        return period_line(self.plan, start, period, self.cycle, policy, change=False)


#: A notice the period end will send: its kind and facts.
_Move = tuple[NoticeKind, tuple[FactPair, ...]]


def _overage(
    sub: Subscription, plan: Priced, usage: Usage | None, catalog: Catalog, policy: BillingPolicy
) -> tuple[Line, ...]:
    """The current period's usage over the plan's limits, billed in arrears at its end.

    On the invoice that opens the next period, or, when the subscription ends,
    on a final invoice.
    """
    if usage is None:
        return ()
    period = sub.current_period
    return overage_lines(
        plan.plan,
        usage,
        start=period.start,
        end=period.end,
        rounding=policy.rounding,
        metrics=catalog.metrics,
        prices=plan.overage,
    )


def _pending_due(sub: Subscription) -> PendingChange | None:
    """The pending change the current period's end applies, if any.

    A change takes effect at the first period end on or after its
    ``effective_at`` (a price migration may be scheduled several periods
    ahead, to give the notice its lead time); until then it waits.
    """
    pending = sub.pending_change
    if pending is None or pending.effective_at > sub.current_period.end:
        return None
    return pending


def _price_only(sub: Subscription, plan: Priced, target: Priced) -> bool:
    """Whether the pending change keeps the plan, interval and quantity: a new price alone."""
    pending = sub.pending_change
    assert pending is not None  # noqa: S101 - called only with a pending change
    return (
        target.id == plan.id
        and pending.interval == sub.interval
        and target.quantity == plan.quantity
    )


def _renewal_terms(
    sub: Subscription, plan: Priced, catalog: Catalog, usage: Usage | None, policy: BillingPolicy
) -> tuple[_Terms, _Move | None]:
    """The terms of the next period, with a pending change due then applied when it still fits.

    A pending change checked against ``usage`` (when given) that no longer fits
    is not applied: the current plan is kept, and the move says why. An
    interval change starts a cycle anchored at the period end, or (a kept
    anniversary) the new interval's cycle from the current anchor, its period
    holding the period end billed from there. A change of the price alone (a
    migration, ``migrate_price``) is not checked against usage, and its notice
    is ``PRICE_CHANGED``; none when it brings back the price billed now.
    """
    at = sub.current_period.end
    terms = _Terms(plan, sub.interval, sub.cycle, sub.period_index + 1)
    pending = _pending_due(sub)
    if pending is None:
        return terms, None
    target = after_change(sub, catalog)
    if _price_only(sub, plan, target):
        terms = _Terms(target, sub.interval, sub.cycle, sub.period_index + 1)
        if (target.price, target.overage) == (plan.price, plan.overage):
            # Migrated back to the price billed now (a later version undid an increase): the
            # newer version is recorded, and no price changed to announce.
            return terms, None
        return terms, (
            NoticeKind.PRICE_CHANGED,
            (
                (FactName.PLAN, plan.name),
                (FactName.OLD_AMOUNT, plan.amount),
                (FactName.NEW_AMOUNT, target.amount),
                (FactName.EFFECTIVE_AT, at),
            ),
        )
    seats = target.quantity if target.price.unit is not None else None
    fits = (
        check_downgrade(usage, target.plan, catalog.metrics, quantity=seats)
        if usage is not None
        else Feasible()
    )
    facts: tuple[FactPair, ...] = (
        (FactName.FROM_PLAN, plan.name),
        (FactName.TO_PLAN, target.name),
        *quantity_facts(plan, target),
    )
    if isinstance(fits, Infeasible):
        return terms, (
            NoticeKind.DOWNGRADE_BLOCKED,
            (*facts, (FactName.ACTIONS, "; ".join(fits.actions_text))),
        )
    if target.id == plan.id and pending.interval == sub.interval:
        # A quantity change (at a migrated price, maybe): fewer seats is a downgrade, as
        # classify_move says of the same change, whatever a volume price does.
        smaller = target.quantity < plan.quantity
        kind = NoticeKind.DOWNGRADED if smaller else NoticeKind.UPGRADED
    else:
        move = classify_move(
            plan.plan,
            sub.interval,
            target.plan,
            pending.interval,
            by=policy.classify_by,
            weeks_per_year=policy.weeks_per_year,
        )
        kind = NoticeKind.DOWNGRADED if move is MoveKind.DOWNGRADE else NoticeKind.UPGRADED
    if pending.interval == sub.interval:
        terms = _Terms(target, sub.interval, sub.cycle, sub.period_index + 1)
    else:
        cycle, opened = new_interval_period(sub.cycle, pending.interval, at, policy)
        terms = _Terms(target, pending.interval, cycle, opened.index, at)
    return terms, (
        kind,
        (*facts, (FactName.TO_INTERVAL, str(terms.interval)), (FactName.EFFECTIVE_AT, at)),
    )


def _converts(sub: Subscription, policy: BillingPolicy) -> bool:
    """Whether the trial's end invoices (rather than ending or suspending the subscription)."""
    return not sub.cancel_at_period_end and (
        sub.has_payment_method or policy.missing_payment_method is MissingPaymentMethod.INVOICE
    )


def _ends_with_final(sub: Subscription) -> bool:
    """Whether the period end ends a billed subscription (cancelled, maybe suspended since)."""
    return sub.cancel_at_period_end and (sub.status in _BILLING or bool(sub.stretches))


@attrs.frozen
class NextBill:
    """What the next trial end or period end invoices, as the subscription stands.

    The lines are built by the same steps the trial's end and the period's end
    take, so a preview (``upcoming_invoice``) is what ``advance`` then bills.
    """

    reason: InvoiceReason
    lines: tuple[Line, ...]
    issued_at: datetime
    start: datetime
    end: datetime


def next_bill(
    sub: Subscription, catalog: Catalog, usage: Usage | None, policy: BillingPolicy
) -> NextBill | None:
    """The invoice the next trial end or period end issues; ``None`` when it issues none."""
    if sub.status is Status.ENDED:
        return None
    plan = billed_on(sub, catalog)
    if sub.status is Status.TRIALING:
        if sub.trial_end is None or not _converts(sub, policy):
            return None
        at = sub.trial_end
        line = _opening_line(sub, plan, at, policy)  # a stub when billed up to an anchor
        return NextBill(InvoiceReason.TRIAL_CONVERSION, (line,), at, at, sub.current_period.end)
    period = sub.current_period
    if _ends_with_final(sub):
        waiting = (*sub.pending_lines, *_overage(sub, plan, usage, catalog, policy))
        return (
            # As _end: lines netting below zero leave nothing to invoice but a credit note.
            NextBill(InvoiceReason.FINAL, waiting, period.end, *_span(period))
            if netted(waiting, sub.zero, invoiced_total(sub, waiting, period.end, policy))[0]
            else None
        )
    if sub.status not in _BILLING:
        return None
    terms, _move = _renewal_terms(sub, plan, catalog, usage, policy)
    lines = (
        terms.line(policy),
        *sub.pending_lines,
        *_overage(sub, plan, usage, catalog, policy),
    )
    return NextBill(InvoiceReason.RENEWAL, lines, period.end, period.end, terms.period.end)


def _span(period: BillingPeriod) -> tuple[datetime, datetime]:
    return period.start, period.end


def _period_end(
    sub: Subscription, catalog: Catalog, usage: Usage | None, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Everything due at the end of the current period: end, or apply a pending change and renew."""
    plan = billed_on(sub, catalog)
    overage = _overage(sub, plan, usage, catalog, policy)
    if sub.cancel_at_period_end:
        return _end(sub, plan, overage, policy)
    terms, move = _renewal_terms(sub, plan, catalog, usage, policy)
    return _renew(sub, terms, move, overage, policy)


def _end(
    sub: Subscription, plan: Priced, overage: tuple[Line, ...], policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """End at the period end, with a final invoice for what is billed in arrears, if anything."""
    period = sub.current_period
    at = period.end
    effects: list[Effect] = []
    sub, waiting, credited = credit_excess(
        sub, CreditReason.PLAN_CHANGE, (*sub.pending_lines, *overage), at, policy=policy
    )
    effects.extend(credited)
    sub = _ended(sub, at)
    if waiting:
        sub, _invoice, final = issue_invoice(
            sub, InvoiceReason.FINAL, waiting, at, period.start, period.end, policy=policy
        )
        effects.append(final)
    facts: tuple[FactPair, ...] = ((FactName.PLAN, plan.name), (FactName.ENDED_AT, at))
    effects.append(EndAccess())
    effects.append(_notice(sub, NoticeKind.SUBSCRIPTION_ENDED, at, facts, at.isoformat()))
    return sub, tuple(effects)


def _renew(
    sub: Subscription,
    terms: _Terms,
    move: _Move | None,
    overage: tuple[Line, ...],
    policy: BillingPolicy,
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Open the next period on ``terms``: its invoice (charged, or held while unpaid)."""
    at = sub.current_period.end
    occasion = at.isoformat()
    effects: list[Effect] = []
    if move is not None:
        kind, facts = move
        effects.append(_notice(sub, kind, at, facts, occasion))
    opened = terms.period
    whole = terms.line(policy)
    sub, billed, credited = credit_excess(
        sub, CreditReason.PLAN_CHANGE, (whole, *sub.pending_lines, *overage), at, policy=policy
    )
    effects.extend(credited)
    sub, charge = _bill_period(
        sub,
        terms.plan,
        opened,
        at,
        InvoiceReason.RENEWAL,
        billed[1:],  # the period line is billed by _bill_period itself
        policy=policy,
        renewal=True,
        interval=terms.interval,
        cycle=terms.cycle,
        start=at,
        line=whole,
        plan_id=terms.plan.id,
        period_index=terms.index,
        pending_change=sub.pending_change if _pending_due(sub) is None else None,
        pending_lines=(),
        processed_until=at,
    )
    sub, collected = _collect(sub, charge, policy)
    effects.extend(collected)
    facts = ((FactName.PLAN, terms.plan.name), (FactName.PERIOD_END, opened.end))
    effects.append(_notice(sub, NoticeKind.RENEWED, at, facts, occasion))
    sub, ended = end_of_discount(sub, at)
    effects.extend(ended)
    return sub, tuple(effects)
