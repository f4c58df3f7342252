"""Small pieces every part of the lifecycle shares: statuses, notices, open invoices, access, a command's moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from subscription_rules._access import unchecked_has_access
from subscription_rules._billing import (
    credit_excess,
    invoiced_total,
    issue_invoice,
    send_notice,
)
from subscription_rules.credits import CreditReason
from subscription_rules.dunning import (
    OverdueLadder,
    OverdueState,
    UnpaidInvoice,
)
from subscription_rules.effects import (
    Effect,
    RestoreAccess,
    SendNotice,
    SuspendAccess,
)
from subscription_rules.errors import InvalidPeriodError
from subscription_rules.invoices import InvoiceReason
from subscription_rules.notifications import FactName, FactPair, NoticeKind
from subscription_rules.periods import (
    zone,
)
from subscription_rules.policy import (
    BillingPolicy,
)
from subscription_rules.subscription import (
    OpenInvoice,
    Status,
    Subscription,
    SuspensionReason,
)

_LIVE = frozenset({Status.TRIALING, Status.ACTIVE, Status.PAST_DUE})


_BILLING = frozenset({Status.ACTIVE, Status.PAST_DUE})


def _local_days_later(at: datetime, days: int, time_zone: str) -> datetime:
    """``days`` calendar days after ``at`` (or before, if negative), same local wall time.

    A wall time that falls in a DST gap moves forward by the gap (normalised
    through UTC), as period boundaries do.
    """
    tz = zone(time_zone)
    try:
        local = at.astimezone(tz).replace(tzinfo=None) + timedelta(days=days)
        return local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    except OverflowError:
        raise InvalidPeriodError(
            f"{days} days after {at.isoformat()} lies beyond the supported calendar",
            argument="at",
            value=at,
        ) from None


def _live_until(sub: Subscription) -> datetime | None:
    """Where the current stretch of time ends: the trial's end or the period's end."""
    if sub.status is Status.TRIALING:
        return sub.trial_end
    if sub.status in _BILLING:
        return sub.current_period.end
    return None


def _check_command_time(sub: Subscription, at: object) -> datetime:
    instant = sub.check_instant(at)
    end = _live_until(sub)
    if end is not None and instant >= end:
        raise InvalidPeriodError(
            f"{instant.isoformat()} is at or after {end.isoformat()}, which is not processed "
            "yet; advance the subscription first",
            argument="at",
            value=at,
        )
    return instant


def _settle_pending(
    sub: Subscription, at: datetime, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """What pending lines owe the customer, paid into the balance as the subscription ends now.

    For an ending without a period end (cancelled while suspended, or for
    non-payment): when the pending lines (credits for unused time waiting on the
    next invoice among them) net below zero, they are settled as a final invoice
    would settle them — the credit lines on a credit note to the balance, the
    rest invoiced and paid from it — so no pending credit is lost. Lines netting
    to zero or more are left unbilled: nothing more is charged on such an ending.
    """
    lines = sub.pending_lines
    if not invoiced_total(sub, lines, at, policy).is_negative():
        return sub, ()
    period = sub.current_period
    sub, billed, effects = credit_excess(sub, CreditReason.PLAN_CHANGE, lines, at, policy=policy)
    sub = sub.evolve(pending_lines=())
    if not billed:
        return sub, effects
    sub, _invoice, final = issue_invoice(
        sub, InvoiceReason.FINAL, billed, at, period.start, at, policy=policy
    )
    return sub, (*effects, final)


def _ended(sub: Subscription, at: datetime) -> Subscription:
    """``sub`` ended at ``at``: nothing billed, pending or scheduled is left on it."""
    return sub.evolve(
        status=Status.ENDED,
        ended_at=at,
        processed_until=at,
        stretches=(),
        pending_change=None,
        pending_lines=(),
        cancel_at_period_end=False,
    )


def _notice(
    sub: Subscription, kind: NoticeKind, at: datetime, facts: tuple[FactPair, ...], occasion: str
) -> SendNotice:
    return send_notice(sub, kind, at, facts, occasion)


def _unpaid(sub: Subscription) -> tuple[UnpaidInvoice, ...]:
    """The overdue invoices the ladder counts: those a payment of has failed."""
    return tuple(
        UnpaidInvoice(item.invoice.issued_at, item.invoice.amount_due)
        for item in sub.open_invoices
        if item.in_dunning
    )


def _ladder_state(sub: Subscription, ladder: OverdueLadder) -> OverdueState | None:
    """The rung of the policy's ``ladder`` the subscription stands on (matched by name).

    By name, so that a ladder the host has since edited still finds its rung.
    """
    current = sub.overdue_state
    if current is None:
        return None
    for state in ladder.states:
        if state.name == current.name:
            return state
    return None


def _with_invoice(sub: Subscription, item: OpenInvoice) -> Subscription:
    return sub.evolve(
        open_invoices=tuple(item if o.id == item.id else o for o in sub.open_invoices)
    )


def _without_invoice(sub: Subscription, invoice_id: str) -> Subscription:
    return sub.evolve(open_invoices=tuple(o for o in sub.open_invoices if o.id != invoice_id))


def _payment_notice(
    sub: Subscription, kind: NoticeKind, at: datetime, item: OpenInvoice, *extra: FactPair
) -> SendNotice:
    facts: tuple[FactPair, ...] = (
        (FactName.INVOICE, item.id),
        (FactName.AMOUNT, item.invoice.amount_due),
        (FactName.ATTEMPT, item.attempts),
        *extra,
    )
    return _notice(sub, kind, at, facts, f"{item.id}:{item.attempts}")


def _access_change(
    had_access: bool,
    sub: Subscription,
    policy: BillingPolicy,
    reason: SuspensionReason = SuspensionReason.PAYMENT_FAILED,
) -> tuple[Effect, ...]:
    """The access effect, if any, that takes a customer from ``had_access`` to ``sub``'s access.

    Access is one function of the subscription and the policy (``has_access``); an
    effect is emitted exactly when it changes (``EndAccess`` is the ending's own).
    """
    now = unchecked_has_access(sub, policy)
    if had_access and not now:
        return (SuspendAccess(reason),)
    if now and not had_access:
        return (RestoreAccess(),)
    return ()
