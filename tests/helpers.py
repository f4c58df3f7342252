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
    Decision,
    Interval,
    Money,
    Refused,
    Subscription,
    default_catalog,
    start_subscription,
)

CATALOG = default_catalog()
#: When most example subscriptions start.
NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)


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
