"""The billing section: the upcoming invoice and the billing summary."""

from __future__ import annotations

import attrs

from helpers import decided, started, utc
from subscription_rules import (
    LAGO_LIKE,
    MONTHLY,
    SEED_POLICY,
    YEARLY,
    Catalog,
    Limits,
    Plan,
    Price,
    ProrationBilling,
    Status,
    Usage,
    advance,
    billing_summary,
    cancel,
    change_plan,
    default_catalog,
    start_subscription,
    suspend,
    upcoming_invoice,
)

CATALOG = default_catalog()


def test_upcoming_invoice_includes_the_current_periods_overage_so_far() -> None:
    # 110,000 sessions on Personal (100,000 included): 10,000 × USD 5.00 / 1,000 = USD 50.00.
    upcoming = upcoming_invoice(
        started(),
        utc(2026, 11, 20),
        catalog=CATALOG,
        usage=Usage.of(billable_sessions=110_000),
        policy=SEED_POLICY,
    )
    assert upcoming is not None
    assert [line.amount.minor for line in upcoming.lines] == [5000, 5000]
    assert upcoming.amount_due.minor == 10000
    assert upcoming.issued_at == utc(2026, 12, 1)


def test_upcoming_invoice_includes_pending_proration_lines_and_credit() -> None:
    # Stripe-style proration on the next invoice: Personal → Advanced on 16 Nov (15 of 30
    # days left): charge 15000 × 15/30 = 7500 waits; credit 5000 × 15/30 = 2500 to the balance.
    # Upcoming: Advanced 150.00 + 75.00 − 25.00 credit = USD 200.00.
    policy = attrs.evolve(
        SEED_POLICY, name="seed, changed", proration_billing=ProrationBilling.NEXT_INVOICE
    )
    changed = change_plan(
        started(), "advanced", MONTHLY, utc(2026, 11, 16), catalog=CATALOG, usage=Usage(),
        policy=policy,
    )  # fmt: skip
    sub = changed.subscription  # type: ignore[union-attr]
    upcoming = upcoming_invoice(sub, utc(2026, 11, 16), catalog=CATALOG, policy=SEED_POLICY)
    assert upcoming is not None
    assert [line.amount.minor for line in upcoming.lines] == [15000, 7500]
    assert (upcoming.credit_applied.minor, upcoming.amount_due.minor) == (2500, 20000)


def test_no_upcoming_invoice_after_cancellation_or_suspension() -> None:
    cancelled = cancel(started(), utc(2026, 11, 10), policy=SEED_POLICY)
    assert (
        upcoming_invoice(
            cancelled.subscription,  # type: ignore[union-attr]
            utc(2026, 11, 10),
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
        is None
    )
    suspended = suspend(started(), utc(2026, 11, 10), policy=SEED_POLICY)
    assert (
        upcoming_invoice(
            suspended.subscription,  # type: ignore[union-attr]
            utc(2026, 11, 10),
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
        is None
    )


def test_billing_summary_of_a_trial_shows_the_first_invoice_and_days_left() -> None:
    sub = start_subscription(
        "s", "c", "advanced", MONTHLY, utc(2026, 11, 1), catalog=CATALOG, policy=SEED_POLICY
    )
    summary = billing_summary(
        sub.subscription,
        Usage.of(properties=4),
        utc(2026, 11, 5),
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert summary.status is Status.TRIALING
    assert summary.days_left == 10  # 5 Nov → 15 Nov
    assert summary.current_period is None
    assert summary.upcoming is not None
    assert summary.upcoming.amount_due.minor == 15000
    assert summary.usage.line("properties").remaining == 6


def test_billing_summary_after_cancellation_shows_the_end_and_no_charges() -> None:
    cancelled = cancel(started(), utc(2026, 11, 10), policy=SEED_POLICY).subscription  # type: ignore[union-attr]
    summary = billing_summary(
        cancelled, Usage(), utc(2026, 11, 10), catalog=CATALOG, policy=SEED_POLICY
    )
    assert summary.cancel_at_period_end
    assert summary.ends_at == utc(2026, 12, 1)
    assert summary.upcoming is None
    assert summary.days_left == 21  # 10 Nov → 1 Dec


def test_after_cancellation_the_upcoming_invoice_is_the_final_overage() -> None:
    cancelled = cancel(started(), utc(2026, 11, 10), policy=SEED_POLICY).subscription  # type: ignore[union-attr]
    upcoming = upcoming_invoice(
        cancelled,
        utc(2026, 11, 20),
        catalog=CATALOG,
        usage=Usage.of(billable_sessions=120_000),
        policy=SEED_POLICY,
    )
    assert upcoming is not None
    assert (upcoming.reason.value, upcoming.issued_at, upcoming.amount_due.minor) == (
        "final",
        utc(2026, 12, 1),
        10000,
    )


def test_a_downgrade_the_usage_outgrew_is_previewed_and_renewed_on_the_old_plan() -> None:
    # Advanced → Personal at the period end, fitting 3 properties on 16 Nov; by 30 Nov there
    # are 10, more than Personal allows: the renewal on 1 Dec keeps Advanced (USD 150.00),
    # and the preview says so.
    changed = change_plan(
        started("advanced"),
        "personal",
        MONTHLY,
        utc(2026, 11, 16),
        catalog=CATALOG,
        usage=Usage.of(properties=3),
        policy=SEED_POLICY,
    )
    sub = decided(changed).subscription
    assert sub.pending_change is not None
    grown = Usage.of(properties=10)
    upcoming = upcoming_invoice(
        sub, utc(2026, 11, 30), catalog=CATALOG, usage=grown, policy=SEED_POLICY
    )
    assert upcoming is not None
    assert [(line.plan_id, line.amount.minor) for line in upcoming.lines] == [("advanced", 15000)]
    renewed = advance(sub, utc(2026, 12, 1), catalog=CATALOG, usage=grown, policy=SEED_POLICY)
    assert [(line.plan_id, line.amount.minor) for line in renewed.invoices[0].lines] == [
        ("advanced", 15000)
    ]


def test_no_upcoming_invoice_when_the_final_lines_net_below_zero() -> None:
    """Found by a soak of the preview property: pending proration credits only, then ended.

    Basic (USD 0.01 a year) moved on 1 Jun to Plus monthly under ``LAGO_LIKE``
    with ``PENDING_ITEMS``: the credit for the unused year, −0.01, waits on the
    next invoice, and the subscription is cancelled. At the period end the
    lines net below zero: the credit goes on a credit note to the balance and
    nothing is left to invoice — so there is no upcoming invoice (it was
    previewed as an empty one).
    """
    catalog = Catalog(
        (
            Plan("basic", "Basic", (Price.of("0.01", "USD", YEARLY),), Limits()),
            Plan("plus", "Plus", (Price.of("0.01", "USD", MONTHLY),), Limits()),
        )
    )
    policy = attrs.evolve(
        LAGO_LIKE, name="lago, changed", proration_billing=ProrationBilling.PENDING_ITEMS
    )
    start = start_subscription(
        "s", "c", "basic", YEARLY, utc(2026, 1, 1), catalog=catalog, trial=False, policy=policy
    )
    at = utc(2026, 6, 1)
    sub = advance(start.subscription, at, catalog=catalog, policy=policy).subscription
    sub = decided(
        change_plan(sub, "plus", MONTHLY, at, catalog=catalog, usage=Usage(), policy=policy)
    ).subscription
    assert [line.amount.minor for line in sub.pending_lines] == [-1]
    sub = decided(cancel(sub, at, policy=policy)).subscription
    assert upcoming_invoice(sub, at, catalog=catalog, policy=policy) is None
    ended = advance(sub, sub.current_period.end, catalog=catalog, policy=policy)
    assert ended.invoices == ()
    assert [note.amount.minor for note in ended.credit_notes] == [1]


def test_an_ended_subscription_has_no_upcoming_invoice_even_if_it_was_to_end_at_period_end() -> (
    None
):
    """Found by a soak of the preview property. Under ``NEXT_INVOICE`` an upgrade on
    10 Nov leaves its charge pending; cancelled for the period end, suspended, then
    cancelled again, the subscription ends at once and nothing more is invoiced
    (a pending charge is not collected from an ending without a period end) — the
    preview showed a final invoice for the pending charge."""
    policy = attrs.evolve(
        SEED_POLICY, name="seed, changed", proration_billing=ProrationBilling.NEXT_INVOICE
    )
    sub = decided(
        change_plan(
            started(policy=policy),
            "advanced",
            MONTHLY,
            utc(2026, 11, 10),
            catalog=CATALOG,
            usage=Usage(),
            policy=policy,
        )
    ).subscription
    assert sub.pending_lines
    sub = decided(cancel(sub, utc(2026, 11, 11), policy=policy)).subscription
    sub = decided(suspend(sub, utc(2026, 11, 12), policy=policy)).subscription
    ended = decided(cancel(sub, utc(2026, 11, 13), policy=policy)).subscription
    assert ended.status is Status.ENDED
    assert upcoming_invoice(ended, utc(2026, 11, 13), catalog=CATALOG, policy=policy) is None
    assert advance(ended, utc(2026, 12, 1), catalog=CATALOG, policy=policy).invoices == ()
