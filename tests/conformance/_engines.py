"""What the conformance modules share: a catalog at an example's prices, and its figures."""

from __future__ import annotations

from datetime import UTC, datetime

from subscription_rules import (
    MONTHLY,
    BillingPolicy,
    Catalog,
    ChangeQuote,
    Decision,
    Interval,
    Limits,
    Plan,
    Price,
    Subscription,
    Usage,
    change_plan,
    quote_change,
    start_subscription,
)


def catalog_of(
    prices: dict[str, str], currency: str = "USD", interval: Interval = MONTHLY
) -> Catalog:
    """One unlimited plan per ``id: price`` (major units), each billed every ``interval``."""
    return Catalog(
        tuple(
            Plan(plan_id, plan_id.title(), (Price.of(amount, currency, interval),), Limits())
            for plan_id, amount in prices.items()
        )
    )


def begun(
    catalog: Catalog,
    plan_id: str,
    at: datetime,
    policy: BillingPolicy,
    *,
    interval: Interval = MONTHLY,
    time_zone: str = "UTC",
) -> Decision:
    """``plan_id`` started at ``at`` without a trial: the first period billed at once."""
    return start_subscription(
        "sub_1", "cus_1", plan_id, interval, at,
        catalog=catalog, trial=False, time_zone=time_zone, policy=policy,
    )  # fmt: skip


def changed(
    sub: Subscription, catalog: Catalog, plan_id: str, at: datetime, policy: BillingPolicy
) -> Decision:
    """``sub`` moved to ``plan_id`` (same interval) at ``at``: a decision, not a refusal."""
    result = change_plan(
        sub, plan_id, sub.interval, at, catalog=catalog, usage=Usage(), policy=policy
    )
    assert isinstance(result, Decision), result
    return result


def quoted(
    sub: Subscription, catalog: Catalog, plan_id: str, at: datetime, policy: BillingPolicy
) -> ChangeQuote:
    """The quote for moving ``sub`` to ``plan_id`` (same interval) at ``at``."""
    result = quote_change(
        sub, plan_id, sub.interval, at, catalog=catalog, usage=Usage(), policy=policy
    )
    assert isinstance(result, ChangeQuote), result
    return result


def credited(decision: Decision) -> list[int]:
    """The credit notes' lines, in minor units (negative)."""
    return [line.amount.minor for note in decision.credit_notes for line in note.lines]


def charged(decision: Decision) -> list[int]:
    """The invoices' lines, in minor units."""
    return [line.amount.minor for invoice in decision.invoices for line in invoice.lines]


#: getlago/lago-api, spec/services/credit_notes/create_from_termination_spec.rb, "creates
#: a credit note" and "with a different timezone": the customer's zone, the start and the
#: termination (3100 a month in advance, calendar billing, tax 20 %), and the days credited.
LAGO_TERMINATIONS = (
    ("UTC", datetime(2022, 9, 1, 10, tzinfo=UTC), datetime(2022, 10, 15, 10, tzinfo=UTC), 16),
    (
        "America/Los_Angeles",
        datetime(2022, 9, 1, 12, tzinfo=UTC),
        datetime(2022, 10, 15, 1, tzinfo=UTC),
        17,
    ),
    (
        "Europe/Paris",
        datetime(2022, 9, 1, 12, tzinfo=UTC),
        datetime(2022, 10, 15, 1, tzinfo=UTC),
        16,
    ),
)
