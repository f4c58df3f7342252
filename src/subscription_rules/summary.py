"""The billing section as values: the upcoming invoice and the billing summary.

The help page: "The billing section shows your current billing cycle, usage,
and upcoming charges." :func:`upcoming_invoice` previews the next renewal (a
pending downgrade included, pending proration lines, overage, credit applied);
:func:`billing_summary` gathers everything the billing section shows.

>>> catalog = default_catalog()
>>> sub = start_subscription("s", "c", "advanced", MONTHLY,
...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
>>> summary = billing_summary(sub, Usage.of(properties=4), datetime(2026, 11, 20, tzinfo=UTC),
...     catalog=catalog, policy=SEED_POLICY)
>>> summary.days_left, str(summary.upcoming.amount_due), summary.upcoming.issued_at.date()
(11, 'USD 150.00', datetime.date(2026, 12, 1))
"""

from __future__ import annotations

from datetime import datetime

import attrs

from subscription_rules._billing import preview_invoice
from subscription_rules._checks import expect, names_what_was_passed
from subscription_rules.catalog import Catalog
from subscription_rules.catalog._catalog import _check_catalog
from subscription_rules.invoices import (
    Invoice,
)
from subscription_rules.lifecycle._renewal import next_bill
from subscription_rules.money import Currency, Money
from subscription_rules.periods import (
    BillingPeriod,
    Interval,
    days_between,
    require_aware,
    utc_instant,
)
from subscription_rules.policy import BillingPolicy
from subscription_rules.subscription import PendingChange, Status, Subscription
from subscription_rules.taxes import CustomerTax
from subscription_rules.usage import (
    Usage,
    UsageReport,
    usage_report,
)

__all__ = ["BillingSummary", "billing_summary", "upcoming_invoice"]


@names_what_was_passed("at", amounts="usage")
def upcoming_invoice(
    subscription: Subscription,
    at: datetime,
    *,
    catalog: Catalog,
    usage: Usage | None = None,
    policy: BillingPolicy,
) -> Invoice | None:
    """Preview the next renewal invoice as it stands at ``at``; ``None`` if none will come.

    The next period at the plan that will then apply (a pending change
    included, unless ``usage`` shows it would be blocked), pending proration
    lines, the current period's overage so far (from ``usage``, rounded by the
    policy), the credit balance applied, and the amount due on its date
    (``issued_at``). A subscription that ends at the period end has only a
    final invoice for what is billed in arrears, if anything; one that has
    ended or is suspended has none, and so has a trial that will not convert
    (cancelled, or without a payment method under a policy that then ends or
    suspends it). The lines are built by the same steps as the renewal itself
    (``lifecycle``'s period end), so ``advance`` bills what this shows.

    >>> from subscription_rules import MONTHLY, Usage, change_plan, default_catalog
    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> at = datetime(2026, 11, 16, tzinfo=UTC)
    >>> sub = change_plan(sub, "personal", MONTHLY, at, catalog=catalog,
    ...     usage=Usage.of(properties=3), policy=SEED_POLICY).subscription
    >>> [str(line) for line in upcoming_invoice(sub, at, catalog=catalog, policy=SEED_POLICY).lines]
    ['Personal, monthly, from 1 Dec 2026 to 1 Jan 2027: USD 50.00']
    """
    expect(subscription, Subscription, "subscription")
    _check_catalog(catalog, subscription.currency)
    expect(policy, BillingPolicy, "policy")
    utc_instant(at, "at")  # refuses an instant UTC cannot express (year 1 at +14:00)
    bill = next_bill(subscription, catalog, usage, policy)
    if bill is None:
        return None
    return preview_invoice(
        subscription, bill.reason, bill.lines, bill.issued_at, bill.start, bill.end, policy=policy
    )


@attrs.frozen
class BillingSummary:
    """Everything the billing section shows, as one value.

    ``days_left`` counts calendar days from ``at`` to the end of the current
    period (or trial) in the cycle's time zone. ``quantity`` is the units
    (seats) the subscription holds (1 on a flat plan), ``currency`` the one it
    is billed in, fixed when it started (both default so that summaries stored
    before them still load: 1, and the credit balance's currency). ``tax`` is
    how the customer is taxed (``None``: untaxed); the ``upcoming`` invoice
    carries its tax (``subtotal``, ``taxes`` per rate, ``total``), and its
    amount due is tax included.

    After a cancellation the summary shows when access ends, and no upcoming charge:

    >>> from subscription_rules import MONTHLY, Usage, cancel, default_catalog
    >>> from subscription_rules.summary import billing_summary
    >>> catalog = default_catalog()
    >>> sub = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> sub = cancel(sub, datetime(2026, 11, 10, tzinfo=UTC), policy=SEED_POLICY).subscription
    >>> s = billing_summary(sub, Usage.of(properties=4), datetime(2026, 11, 20, tzinfo=UTC),
    ...     catalog=catalog, policy=SEED_POLICY)
    >>> s.plan_name, s.status.value, str(s.current_period), s.days_left
    ('Advanced', 'active', '2026-11-01 → 2026-12-01', 11)
    >>> s.cancel_at_period_end, s.ends_at.date().isoformat(), s.upcoming
    (True, '2026-12-01', None)
    >>> s.usage.line("properties").describe()
    'properties: 4 of 10 (40%), 6 remaining'
    """

    subscription_id: str
    status: Status
    plan_id: str
    plan_name: str
    interval: Interval
    current_period: BillingPeriod | None
    days_left: int
    usage: UsageReport
    upcoming: Invoice | None
    credit_balance: Money
    pending_change: PendingChange | None
    cancel_at_period_end: bool
    ends_at: datetime | None
    trial_end: datetime | None
    quantity: int = 1
    currency: Currency = attrs.field(
        default=attrs.Factory(lambda self: self.credit_balance.currency, takes_self=True)
    )
    tax: CustomerTax | None = None


@names_what_was_passed("at", amounts="usage")
def billing_summary(
    subscription: Subscription,
    usage: Usage,
    at: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy,
) -> BillingSummary:
    """Gather the billing section at ``at``: status, plan, period, usage, upcoming charges.

    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY).subscription
    >>> s = billing_summary(sub, Usage.of(properties=2), datetime(2026, 11, 5, tzinfo=UTC),
    ...     catalog=catalog, policy=SEED_POLICY)
    >>> s.status.value, s.days_left, s.trial_end.date().isoformat(), str(s.upcoming.amount_due)
    ('trialing', 10, '2026-11-15', 'USD 50.00')
    >>> s.usage.line("properties").describe()
    'properties: 2 of 3 (67%), 1 remaining'

    A subscription of 3 seats, in EUR: the seats bought are the limit of seats.

    >>> from subscription_rules import load_catalog
    >>> seats = load_catalog("docs/examples/catalog-seats.toml")
    >>> sub = start_subscription("s", "c", "team", MONTHLY, datetime(2027, 1, 1, tzinfo=UTC),
    ...     catalog=seats, trial=False, quantity=3, currency="EUR", policy=SEED_POLICY).subscription
    >>> s = billing_summary(sub, Usage.of(seats=2), datetime(2027, 1, 10, tzinfo=UTC),
    ...     catalog=seats, policy=SEED_POLICY)
    >>> s.quantity, s.currency.code, s.usage.line("seats").describe()
    (3, 'EUR', 'seats: 2 of 3 (67%), 1 remaining')
    >>> print(s.upcoming.lines[0])
    Team (3 seats × EUR 11.00), monthly, from 1 Feb 2027 to 1 Mar 2027: EUR 33.00
    """
    expect(subscription, Subscription, "subscription")
    expect(usage, Usage, "usage")
    _check_catalog(catalog, subscription.currency)
    expect(policy, BillingPolicy, "policy")
    at = require_aware(at, "at")
    utc_instant(at, "at")  # refuses an instant UTC cannot express (year 1 at +14:00)
    sub = subscription
    plan = catalog.plan(sub.plan_id)
    trialing = sub.status is Status.TRIALING
    period = None if trialing or sub.status is Status.ENDED else sub.current_period
    until = sub.trial_end if trialing else (period.end if period is not None else None)
    days_left = (
        days_between(at, until, sub.cycle.time_zone) if until is not None and until > at else 0
    )
    return BillingSummary(
        subscription_id=sub.id,
        status=sub.status,
        plan_id=plan.id,
        plan_name=plan.name,
        interval=sub.interval,
        current_period=period,
        days_left=days_left,
        usage=usage_report(
            plan, usage, catalog.metrics, quantity=sub.quantity if plan.unit else None
        ),
        upcoming=upcoming_invoice(sub, at, catalog=catalog, usage=usage, policy=policy),
        credit_balance=sub.credit_balance,
        pending_change=sub.pending_change,
        cancel_at_period_end=sub.cancel_at_period_end,
        ends_at=period.end if sub.cancel_at_period_end and period is not None else sub.ended_at,
        trial_end=sub.trial_end,
        quantity=sub.quantity,
        currency=sub.currency,
        tax=sub.tax,
    )
