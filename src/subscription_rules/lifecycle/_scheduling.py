"""What time makes due, and when: reminders, the trial's end, retries, deadlines, the ladder, period ends."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from subscription_rules._access import unchecked_marked_unpaid
from subscription_rules._checks import expect
from subscription_rules.dunning import (
    overdue_state,
)
from subscription_rules.lifecycle._common import _BILLING, _ladder_state, _local_days_later, _unpaid
from subscription_rules.policy import (
    BillingPolicy,
)
from subscription_rules.subscription import (
    Status,
    Subscription,
)


class _Due(enum.IntEnum):
    """Things time makes due, in the order they happen at one instant.

    Granted credit expires first: it is no longer there for an invoice issued
    at its expiry.
    """

    CREDIT_EXPIRY = -1
    TRIAL_REMINDER = 0
    RENEWAL_REMINDER = 1
    TRIAL_END = 2
    PENDING_TIMEOUT = 3
    RETRY = 4
    DUNNING_DEADLINE = 5
    OVERDUE = 6
    PERIOD_END = 7


def _trial_reminder_at(sub: Subscription, policy: BillingPolicy) -> datetime | None:
    if sub.trial_end is None or not policy.trial_reminder_days or sub.cancel_at_period_end:
        return None
    at = _local_days_later(sub.trial_end, -policy.trial_reminder_days, sub.cycle.time_zone)
    return at if at > sub.started_at else None


def _renewal_reminder_at(sub: Subscription, policy: BillingPolicy) -> datetime | None:
    days = policy.renewal_reminder(sub.interval.unit)
    if days is None or sub.cancel_at_period_end:
        return None
    period = sub.current_period
    at = _local_days_later(period.end, -days, sub.cycle.time_zone)
    return at if at > period.start else None


def _next_due(sub: Subscription, policy: BillingPolicy) -> tuple[datetime, _Due] | None:
    """The next thing time makes due strictly after ``processed_until``.

    Or at it: a retry or a deadline overdue already (see ``_dunning_due``).
    """
    after = sub.processed_until
    due: list[tuple[datetime, _Due]] = []
    if sub.status is Status.TRIALING and sub.trial_end is not None:
        reminder = _trial_reminder_at(sub, policy)
        if reminder is not None and reminder > after:
            due.append((reminder, _Due.TRIAL_REMINDER))
        due.append((sub.trial_end, _Due.TRIAL_END))
    elif sub.status in _BILLING:
        reminder = _renewal_reminder_at(sub, policy)
        if reminder is not None and reminder > after:
            due.append((reminder, _Due.RENEWAL_REMINDER))
        due.append((sub.current_period.end, _Due.PERIOD_END))
        due.extend(_dunning_due(sub, policy))
    elif sub.status is Status.SUSPENDED and sub.cancel_at_period_end:
        # Cancelled, then suspended: it still ends when the paid period (or the trial) does.
        if sub.stretches:
            due.append((sub.current_period.end, _Due.PERIOD_END))
        elif sub.suspended_from is Status.TRIALING and sub.trial_end is not None:
            due.append((sub.trial_end, _Due.TRIAL_END))
    if sub.credit_grants:  # in any status: the balance outlives the subscription
        expiry = min(grant.expires_at.astimezone(UTC) for grant in sub.credit_grants)
        due.append((max(expiry, after.astimezone(UTC)), _Due.CREDIT_EXPIRY))
    return min(due) if due else None


def _dunning_due(sub: Subscription, policy: BillingPolicy) -> list[tuple[datetime, _Due]]:
    """Pending charges' timeouts, retries, deadlines of hard declines, the ladder's next step.

    A retry or a deadline whose time came while it could not be acted on (the
    account was suspended, or a command processed time past it) is due at
    ``processed_until``, never dropped: the next ``advance`` performs it.
    Recording an outcome or reinstating performs a due retry at once.
    """
    due: list[tuple[datetime, _Due]] = []
    held = unchecked_marked_unpaid(sub, policy)  # nothing is charged by itself while unpaid
    for item in sub.open_invoices:
        if item.pending_since is not None:
            due.append((item.pending_since + policy.pending_timeout, _Due.PENDING_TIMEOUT))
        if item.next_retry_at is not None:
            if not held:
                due.append((item.next_retry_at, _Due.RETRY))
        elif item.awaiting_payment_method and item.first_failed_at is not None:
            due.append(
                (policy.retry_schedule.deadline(item.first_failed_at), _Due.DUNNING_DEADLINE)
            )
    ladder = policy.overdue_ladder
    if ladder is not None:
        status = overdue_state(
            _unpaid(sub), sub.processed_until, ladder, _ladder_state(sub, ladder)
        )
        if status.next_change is not None:
            due.append((status.next_change, _Due.OVERDUE))
    # Computed at processed_until, the ladder's next change is always later than it.
    return [(max(at, sub.processed_until), what) for at, what in due]


def next_wakeup(subscription: Subscription, *, policy: BillingPolicy) -> datetime | None:
    """When time alone would next change something for ``subscription`` (``None``: never).

    The same instant a decision reports as ``next_wakeup``; handy after
    recording a payment outside ``advance``.

    >>> from subscription_rules import MONTHLY, default_catalog, next_wakeup, start_subscription
    >>> sub = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
    >>> next_wakeup(sub, policy=SEED_POLICY).date().isoformat()
    '2026-12-01'
    """
    expect(subscription, Subscription, "subscription")
    expect(policy, BillingPolicy, "policy")
    return _next_wakeup(subscription, policy)


def _next_wakeup(sub: Subscription, policy: BillingPolicy) -> datetime | None:
    due = _next_due(sub, policy)
    return due[0] if due is not None else None
