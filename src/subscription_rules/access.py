"""Who may use the service: one function of the subscription and its policy.

Access is never stored: :func:`has_access` works it out from the status, the
open invoices and the policy, and every access effect a decision carries
(``SuspendAccess``, ``RestoreAccess``, ``EndAccess``) agrees with it — a
``SuspendAccess`` or ``RestoreAccess`` exactly when it changes, an
``EndAccess`` exactly when the subscription ends.

========================  =========================================================
status                    access
========================  =========================================================
trialing, active          yes
past due                  yes, unless ``PastDueAccess.RESTRICT`` and a payment has
                          failed, or the subscription is marked unpaid
                          (:func:`marked_unpaid`)
suspended, ended          no
========================  =========================================================

>>> sub = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
...     catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
>>> has_access(sub, SEED_POLICY)
True
"""

from __future__ import annotations

from subscription_rules._access import unchecked_has_access, unchecked_marked_unpaid
from subscription_rules._checks import expect
from subscription_rules.policy import BillingPolicy
from subscription_rules.subscription import Subscription

__all__ = ["has_access", "marked_unpaid"]


def marked_unpaid(subscription: Subscription, policy: BillingPolicy) -> bool:
    """Whether ``subscription`` is marked unpaid (Stripe's ``unpaid`` status).

    That is: past due, under ``RetriesExhausted.MARK_UNPAID``, with an invoice
    whose retries have run out.

    While marked unpaid, access is withdrawn and nothing is charged by itself: new
    invoices are issued but not attempted, and retries are held. Paying the
    invoice whose retries ran out (``update_payment_method`` charges it again)
    ends it: access comes back and what was held is charged at once.

    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
    >>> marked_unpaid(sub, SEED_POLICY)
    False
    """
    expect(subscription, Subscription, "subscription")
    expect(policy, BillingPolicy, "policy")
    return unchecked_marked_unpaid(subscription, policy)


def has_access(subscription: Subscription, policy: BillingPolicy) -> bool:
    """Whether the customer may use the service, as ``policy`` says for ``subscription``.

    A past-due subscription keeps access by default (``PastDueAccess.KEEP``);
    ``RESTRICT`` withdraws it from the first failed payment until no invoice
    is overdue, and ``RetriesExhausted.MARK_UNPAID`` withdraws it while the
    subscription is marked unpaid. A past-due subscription without a failed
    payment (a trial invoiced without a payment method) keeps access.

    >>> import attrs
    >>> from subscription_rules import (MONTHLY, SEED_POLICY, PastDueAccess, advance,
    ...     default_catalog, record_payment, start_subscription)
    >>> from subscription_rules.dunning import Declined, DeclineKind
    >>> catalog = default_catalog()
    >>> restrict = attrs.evolve(SEED_POLICY, name="restricted", past_due_access=PastDueAccess.RESTRICT)
    >>> start = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY)
    >>> declined = record_payment(start.subscription, start.effects[0].idempotency_key,
    ...     Declined(DeclineKind.SOFT), datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog,
    ...     policy=restrict)
    >>> sub = declined.subscription
    >>> sub.status.value, has_access(sub, SEED_POLICY), has_access(sub, restrict)
    ('past_due', True, False)
    >>> [type(e).__name__ for e in declined.effects]
    ['SuspendAccess', 'SendNotice']
    """
    expect(subscription, Subscription, "subscription")
    expect(policy, BillingPolicy, "policy")
    return unchecked_has_access(subscription, policy)
