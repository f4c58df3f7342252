"""The subscription over time: starting one, with or without a trial.

>>> from datetime import UTC, datetime
>>> from subscription_rules import MONTHLY, default_catalog
>>> decision = start_subscription("sub_1", "cus_1", "personal", MONTHLY,
...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog())
>>> sub = decision.subscription
>>> sub.status.value, sub.trial_end.date().isoformat()
('trialing', '2026-11-15')
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from subscription_rules._billing import issue_invoice
from subscription_rules.catalog import Catalog
from subscription_rules.effects import Decision, SendNotice
from subscription_rules.invoices import InvoiceReason, Line, LineKind, format_date
from subscription_rules.money import Money
from subscription_rules.notifications import Notice, NoticeKind
from subscription_rules.periods import BillingCycle, Interval, require_aware, zone
from subscription_rules.subscription import Status, Stretch, Subscription

__all__ = ["start_subscription"]


def _local_days_later(at: datetime, days: int, time_zone: str) -> datetime:
    """``days`` calendar days after ``at`` at the same local wall-clock time."""
    tz = zone(time_zone)
    local = at.astimezone(tz).replace(tzinfo=None) + timedelta(days=days)
    return local.replace(tzinfo=tz).astimezone(tz)


def start_subscription(
    subscription_id: str,
    customer_id: str,
    plan_id: str,
    interval: Interval,
    at: datetime,
    *,
    catalog: Catalog,
    time_zone: str = "UTC",
    has_payment_method: bool = True,
    trial: bool = True,
    had_trial: bool = False,
) -> Decision:
    """Start a subscription at ``at``: a trial of the plan's length, or the first invoice now.

    The trial is given when ``trial`` is true, the plan has one, and the
    customer has not ``had_trial`` before (one trial per customer). Without a
    trial the billing cycle is anchored at ``at`` and the first period is
    invoiced at once; with one, the cycle is anchored at the trial's end.

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import MONTHLY, default_catalog
    >>> d = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 1, 31, tzinfo=UTC), catalog=default_catalog(), had_trial=True)
    >>> d.subscription.status.value, str(d.invoices[0].amount_due)
    ('active', 'USD 50.00')
    >>> d.subscription.current_period.end.date().isoformat()
    '2026-02-28'
    """
    require_aware(at, "at")
    plan = catalog.plan(plan_id)
    price = plan.price(interval)
    zero = Money(0, price.amount.currency)
    trialing = trial and plan.trial_days > 0 and not had_trial
    trial_end = _local_days_later(at, plan.trial_days, time_zone) if trialing else None
    sub = Subscription(
        id=subscription_id,
        customer_id=customer_id,
        plan_id=plan_id,
        interval=interval,
        cycle=BillingCycle(trial_end or at, interval, time_zone),
        currency=price.amount.currency,
        status=Status.TRIALING if trialing else Status.ACTIVE,
        started_at=at,
        processed_until=at,
        credit_balance=zero,
        trial_end=trial_end,
        has_payment_method=has_payment_method,
    )
    if trial_end is not None:
        notice = Notice(
            NoticeKind.TRIAL_STARTED,
            sub.id,
            sub.customer_id,
            at,
            (("plan", plan.name), ("trial_end", trial_end), ("trial_days", plan.trial_days)),
            "trial",
        )
        return Decision(sub, (SendNotice(notice),))
    period = sub.current_period
    tz = zone(time_zone)
    line = Line(
        LineKind.SUBSCRIPTION,
        f"{plan.name}, {interval}, from {format_date(period.start.astimezone(tz))} "
        f"to {format_date(period.end.astimezone(tz))}",
        price.amount,
        period.start,
        period.end,
        plan.id,
    )
    sub, invoice, charge = issue_invoice(
        sub, InvoiceReason.SUBSCRIPTION_START, (line,), at, period.start, period.end
    )
    stretch = Stretch(
        plan.id, interval, period.start, period.end, price.amount, zero, invoice.amount_due
    )
    sub = attrs.evolve(sub, stretches=(stretch,))
    notice = Notice(
        NoticeKind.SUBSCRIPTION_STARTED,
        sub.id,
        sub.customer_id,
        at,
        (("plan", plan.name), ("interval", str(interval)), ("amount", invoice.amount_due)),
        "start",
    )
    return Decision(sub, (charge, SendNotice(notice)))
