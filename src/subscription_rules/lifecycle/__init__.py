"""The subscription over time: trials, cancellation, renewals and suspension, as decisions.

Commands (:func:`start_subscription`, :func:`cancel`, :func:`undo_cancel`,
:func:`suspend`, :func:`reinstate`, :func:`update_payment_method`,
:func:`set_trial_end`) answer a
customer's or support's action at the moment ``at``; :func:`advance` performs
everything time alone makes due in ``(processed_until, until]``, in time order:
the trial-ending reminder, the trial's end, renewal reminders and each period
end. Every decision says when to call again (``next_wakeup``). A command that
does not apply to the current status returns a
:class:`~subscription_rules.effects.Refused` value saying why.
:func:`record_payment` records a charge attempt's outcome and decides what
follows (retries, the overdue ladder, suspension).

The package's private modules hold one concept each, lowest first:
``_common`` (statuses, notices, open invoices, access), ``_scheduling`` (what
time makes due, and when), ``_bill`` (billing a whole period, resuming after a
suspension), ``_collection`` (payments, retries, the overdue ladder),
``_coupons`` (:func:`redeem_coupon`, and a discount's end at a renewal),
``_renewal`` (the trial's end and the period's end), ``_trials`` (moving a
running trial's end), ``_migration`` (:func:`migrate_price` and
:func:`price_migrations`: moving subscriptions to a new catalog version's
price), ``_advance`` (performing what is due), ``_commands``
``_termination`` (:func:`terminate`: end now, crediting the unused paid
time), ``_adjustments`` (:func:`adjust`: a credit against what an invoice
billed for the current period) and ``_prepaid`` (:func:`top_up`,
:func:`grant_credit`: prepaid credit, and granted credit expiring; below
``_collection`` and ``_advance``, which record a top-up's payment and the
expiry); each imports only the ones before it.

The help page's trial: 14 days, a reminder 3 days before it ends, and a
cancellation during it suspends the account at once, with nothing charged.

>>> from datetime import UTC, datetime
>>> from subscription_rules import MONTHLY, default_catalog
>>> catalog = default_catalog()
>>> decision = start_subscription("sub_1", "cus_1", "personal", MONTHLY,
...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
>>> sub = decision.subscription
>>> sub.status.value, sub.trial_end.date().isoformat(), decision.next_wakeup.date().isoformat()
('trialing', '2026-11-15', '2026-11-12')
>>> cancelled = cancel(sub, datetime(2026, 11, 6, tzinfo=UTC), policy=SEED_POLICY)
>>> cancelled.subscription.status.value, [type(e).__name__ for e in cancelled.effects]
('suspended', ['SuspendAccess', 'SendNotice'])
"""

from typing import TYPE_CHECKING

from subscription_rules._lazy import lazy_names
from subscription_rules.lifecycle._advance import MAX_PERIODS_PER_ADVANCE, advance
from subscription_rules.lifecycle._collection import changes_blocked, record_payment
from subscription_rules.lifecycle._commands import (
    cancel,
    reinstate,
    start_subscription,
    suspend,
    undo_cancel,
    update_payment_method,
    update_tax,
)
from subscription_rules.lifecycle._coupons import redeem_coupon
from subscription_rules.lifecycle._prepaid import grant_credit, top_up
from subscription_rules.lifecycle._scheduling import next_wakeup
from subscription_rules.lifecycle._trials import set_trial_end

if TYPE_CHECKING:
    from subscription_rules.lifecycle._adjustments import adjust
    from subscription_rules.lifecycle._migration import (
        PriceMigration,
        migrate_price,
        price_migrations,
    )
    from subscription_rules.lifecycle._termination import terminate
else:  # rare paths, loaded on first use (``_lazy``)
    __getattr__ = lazy_names(
        __name__,
        {
            "subscription_rules.lifecycle._adjustments": ("adjust",),
            "subscription_rules.lifecycle._migration": (
                "PriceMigration",
                "migrate_price",
                "price_migrations",
            ),
            "subscription_rules.lifecycle._termination": ("terminate",),
        },
    )

__all__ = [
    "MAX_PERIODS_PER_ADVANCE",
    "PriceMigration",
    "adjust",
    "advance",
    "cancel",
    "changes_blocked",
    "grant_credit",
    "migrate_price",
    "next_wakeup",
    "price_migrations",
    "record_payment",
    "redeem_coupon",
    "reinstate",
    "set_trial_end",
    "start_subscription",
    "suspend",
    "terminate",
    "top_up",
    "undo_cancel",
    "update_payment_method",
    "update_tax",
]
