"""Access as the rules work it out, without checking their own values again.

``access`` publishes these with their arguments checked; the rules call them
here on values they built.
"""

from __future__ import annotations

from subscription_rules.policy import BillingPolicy, PastDueAccess, RetriesExhausted
from subscription_rules.subscription import Status, Subscription


def unchecked_marked_unpaid(sub: Subscription, policy: BillingPolicy) -> bool:
    """:func:`~subscription_rules.access.marked_unpaid` of values already checked."""
    return (
        policy.retries_exhausted is RetriesExhausted.MARK_UNPAID
        and sub.status is Status.PAST_DUE
        and any(item.exhausted for item in sub.open_invoices)
    )


def unchecked_has_access(sub: Subscription, policy: BillingPolicy) -> bool:
    """:func:`~subscription_rules.access.has_access` of values already checked."""
    status = sub.status
    if status is Status.TRIALING or status is Status.ACTIVE:
        return True
    if status is not Status.PAST_DUE:
        return False
    if unchecked_marked_unpaid(sub, policy):
        return False
    return not (
        policy.past_due_access is PastDueAccess.RESTRICT
        and any(item.in_dunning for item in sub.open_invoices)
    )
