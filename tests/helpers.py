"""Helpers the tests share: instants in UTC, dollars, a started subscription, a decision.

Import them from here (``from helpers import utc, started``) rather than writing a copy.
"""

from __future__ import annotations

from datetime import UTC, datetime

from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    BillingPolicy,
    Catalog,
    ChargeInvoice,
    Decision,
    Interval,
    Money,
    Refused,
    Subscription,
    advance,
    default_catalog,
    record_payment,
    start_subscription,
)
from subscription_rules.dunning import PaymentOutcome, Succeeded
from subscription_rules.taxes import TaxRate

CATALOG = default_catalog()
#: When most example subscriptions start.
NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)
#: The example tax rates: exclusive, inclusive, and one with four decimal places.
VAT_FR = TaxRate("VAT 20 %", "FR", "20")
MWST_DE = TaxRate("MwSt. 19 %", "DE", "19", inclusive=True)
NY = TaxRate("Sales tax 8.875 %", "US-NY", "8.875")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """The instant at ``hour:minute`` on that day, in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def usd(amount: str) -> Money:
    """An amount of US dollars, written in major units (``"12.50"``)."""
    return Money.of(amount, "USD")


def decided(result: Decision | Refused) -> Decision:
    """``result``, which the test expects to be a decision (not a refusal)."""
    assert isinstance(result, Decision), result
    return result


def started(
    plan_id: str = "personal",
    at: datetime = NOV_1,
    *,
    interval: Interval = MONTHLY,
    catalog: Catalog = CATALOG,
    policy: BillingPolicy = SEED_POLICY,
    subscription_id: str = "sub_1",
    customer_id: str = "cus_1",
) -> Subscription:
    """A subscription started on ``plan_id`` at ``at`` without a trial (first invoice open)."""
    return start_subscription(
        subscription_id,
        customer_id,
        plan_id,
        interval,
        at,
        catalog=catalog,
        trial=False,
        policy=policy,
    ).subscription


#: The idempotency key of the 1 Dec 2026 renewal charge of ``renewal_due``'s subscription.
RENEWAL_KEY = "sub_1:renewal:2026-12-01T00:00:00+00:00:due-5000"


def renewal_due(policy: BillingPolicy = SEED_POLICY) -> tuple[Subscription, ChargeInvoice]:
    """Personal from 1 Nov 2026, first invoice paid; advanced to the 1 Dec renewal's charge."""
    first = started(policy=policy)
    (charge,) = first.open_invoices
    paid = decided(
        record_payment(
            first, charge.attempt_key or "", Succeeded(), NOV_1, catalog=CATALOG, policy=policy
        )
    )
    renewed = advance(
        paid.subscription, datetime(2026, 12, 1, tzinfo=UTC), catalog=CATALOG, policy=policy
    )
    (renewal,) = [e for e in renewed.effects if isinstance(e, ChargeInvoice)]
    assert renewal.idempotency_key == RENEWAL_KEY
    return renewed.subscription, renewal


def recorded(
    sub: Subscription,
    attempt: str,
    outcome: PaymentOutcome,
    at: datetime,
    policy: BillingPolicy = SEED_POLICY,
) -> Decision:
    """``record_payment`` on the example catalog, which the test expects to decide."""
    return decided(record_payment(sub, attempt, outcome, at, catalog=CATALOG, policy=policy))


def paid(sub: Subscription, at: datetime, policy: BillingPolicy = SEED_POLICY) -> Subscription:
    """``sub`` with its one open invoice paid at ``at``."""
    (item,) = sub.open_invoices
    assert item.attempt_key is not None
    return recorded(sub, item.attempt_key, Succeeded(), at, policy).subscription


def paid_up(sub: Subscription, at: datetime, policy: BillingPolicy = SEED_POLICY) -> Subscription:
    """``sub`` with every open invoice paid at ``at`` (none, one or several)."""
    for item in sub.open_invoices:
        assert item.attempt_key is not None
        sub = recorded(sub, item.attempt_key, Succeeded(), at, policy).subscription
    return sub
