"""Immediate termination: the subscription ends now, and the unused paid time is credited."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from subscription_rules._billing import credit_excess, issue_credit_note, issue_invoice
from subscription_rules._checks import expect, names_what_was_passed
from subscription_rules._taxing import exclusive_tax_credited, paid_left
from subscription_rules._units import local_date
from subscription_rules.catalog import Catalog
from subscription_rules.catalog._catalog import _check_catalog
from subscription_rules.credits import CreditReason
from subscription_rules.effects import Decision, Effect, EndAccess, RefusalReason, Refused
from subscription_rules.invoices import InvoiceReason, Line, LineKind
from subscription_rules.lifecycle._bill import _span_credits
from subscription_rules.lifecycle._common import _BILLING, _check_command_time, _ended, _notice
from subscription_rules.lifecycle._scheduling import _next_wakeup
from subscription_rules.money import Money
from subscription_rules.notifications import FactName, FactPair, NoticeKind
from subscription_rules.policy import (
    BillingPolicy,
    CreditDestination,
    DayCount,
    ProrationUnit,
)
from subscription_rules.subscription import Status, Stretch, Subscription
from subscription_rules.usage import Usage, checked_usage, overage_lines


def _unused_from(sub: Subscription, at: datetime, policy: BillingPolicy) -> datetime:
    """Where the unused time starts: ``at``, or the next local midnight when its day is used.

    Counting days with ``DayCount.BOTH_ENDS`` (Lago), the day of the termination
    is used (its first and last day both count): the credit starts the day after.
    """
    if policy.proration_unit is ProrationUnit.DAY and policy.day_count is DayCount.BOTH_ENDS:
        cycle = sub.cycle
        following = datetime.combine(local_date(at, cycle) + timedelta(days=1), time(0))
        return following.replace(tzinfo=cycle.zone).astimezone(UTC)
    return at


def _refundable(
    sub: Subscription, before: tuple[Stretch, ...], after: tuple[Stretch, ...]
) -> Money:
    """What the credit may refund: per stretch credited, its credit up to what was paid, net.

    Tax included: the tax a credit returns was paid with the stretch (``paid_left``).

    A stretch whose invoice is still open was not paid: nothing of it is refunded.
    """
    total = sub.zero
    for old, new in zip(before, after, strict=True):
        credit = (
            new.credited + exclusive_tax_credited(new) - old.credited - exclusive_tax_credited(old)
        )
        if not credit.is_positive():
            continue
        if old.invoice_id is not None and sub.open_invoice(old.invoice_id) is not None:
            continue
        total += credit.min(paid_left(old).max(sub.zero))
    return total


def _final_lines(
    sub: Subscription, at: datetime, catalog: Catalog, usage: Usage | None, policy: BillingPolicy
) -> tuple[Line, ...]:
    """What waits to be billed: pending proration lines, and usage over the limits so far."""
    if sub.status is Status.TRIALING or (sub.status not in _BILLING and not sub.stretches):
        return sub.pending_lines
    overage: tuple[Line, ...] = ()
    period = sub.current_period
    if usage is not None and period.start < at:
        overage = overage_lines(
            catalog.plan(sub.plan_id),
            usage,
            start=period.start,
            end=at,
            rounding=policy.rounding,
            metrics=catalog.metrics,
        )
    return (*sub.pending_lines, *overage)


@names_what_was_passed("at")
def terminate(
    subscription: Subscription,
    at: datetime,
    *,
    catalog: Catalog,
    usage: Usage | None = None,
    policy: BillingPolicy,
) -> Decision | Refused:
    """End the subscription at ``at``, crediting the unused paid time (Kill Bill's and Lago's terminate).

    Unlike :func:`cancel`, which ends at the period's end, access ends now
    (``EndAccess``). The unused time ``[at, period end)`` of what was billed for
    the current period is credited stretch by stretch, each at the rate it was
    billed and never more than is left of it (the credit machinery of plan
    changes and suspensions); with days counted ``BOTH_ENDS`` (Lago) the day of
    the termination is used and the credit starts the day after. The credit note
    goes to the balance or is refunded by ``credit_destination`` (a refund never
    exceeds what was paid for the stretch, net of earlier credits; an unpaid
    stretch's credit goes to the balance). Proration lines waiting for the next
    invoice and ``usage`` over the limits so far are billed on a final invoice,
    the balance spent on it first. Open invoices are left as they are: still
    due, a payment can be recorded against them, and no retry is scheduled for
    an ended subscription. A trial ends with nothing billed or credited; an
    ended subscription is refused.

    Advanced (USD 150.00 a month) terminated halfway through a 30-day November:

    >>> from subscription_rules import MONTHLY, default_catalog, start_subscription, terminate
    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> d = terminate(sub, datetime(2026, 11, 16, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
    >>> d.subscription.status.value, [type(e).__name__ for e in d.effects]
    ('ended', ['IssueCreditNote', 'SendNotice', 'EndAccess', 'SendNotice'])
    >>> str(d.credit_notes[0].lines[0].amount), str(d.subscription.credit_balance)
    ('USD -75.00', 'USD 75.00')
    """
    expect(subscription, Subscription, "subscription")
    _check_catalog(catalog, subscription.currency)
    expect(policy, BillingPolicy, "policy")
    if usage is not None:
        checked_usage(usage, catalog.metrics)
    sub = subscription
    at = _check_command_time(sub, at)
    if sub.status is Status.ENDED:
        return Refused(RefusalReason.NOT_ALLOWED_IN_STATUS, "the subscription has already ended")
    effects: list[Effect] = []
    if sub.stretches and sub.status is not Status.TRIALING:
        period = sub.current_period
        before = sub.stretches
        start = min(_unused_from(sub, at, policy), period.end)
        sub, lines = _span_credits(
            sub, start, period.end, period, policy, kind=LineKind.UNUSED_TIME, what="Unused time"
        )
        if lines:
            refundable = (
                _refundable(sub, before, sub.stretches)
                if policy.credit_destination is CreditDestination.REFUND
                else None
            )
            sub, _note, done = issue_credit_note(
                sub, CreditReason.TERMINATION, lines, at, refundable=refundable
            )
            effects.extend(done)
    sub, waiting, credited = credit_excess(
        sub,
        CreditReason.PLAN_CHANGE,
        _final_lines(sub, at, catalog, usage, policy),
        at,
        policy=policy,
    )
    effects.extend(credited)
    plan = catalog.plan(sub.plan_id)
    period_start = sub.current_period.start if sub.status is not Status.TRIALING else at
    sub = _ended(sub, at)
    if waiting:
        sub, _invoice, final = issue_invoice(
            sub, InvoiceReason.FINAL, waiting, at, min(period_start, at), at, policy=policy
        )
        effects.append(final)
    facts: tuple[FactPair, ...] = ((FactName.PLAN, plan.name), (FactName.ENDED_AT, at))
    effects.append(EndAccess())
    effects.append(_notice(sub, NoticeKind.SUBSCRIPTION_ENDED, at, facts, at.isoformat()))
    return Decision(sub, tuple(effects), _next_wakeup(sub, policy))
