"""Moving a running trial's end (``set_trial_end``) and a plan change during a trial (policy).

Figures are worked by hand from the instants and the policy; Personal is
USD 50.00 a month with a 14-day trial, started 2026-11-01, so its trial ends
2026-11-15 and its reminder (3 days before) is due 2026-11-12.
"""

from __future__ import annotations

import pytest

from helpers import CATALOG, decided, usd, utc
from subscription_rules import (
    KILL_BILL_LIKE,
    LAGO_LIKE,
    MONTHLY,
    SEED_POLICY,
    STRIPE_LIKE,
    BillingPolicy,
    ChangeQuote,
    InvoiceReason,
    NoticeKind,
    RefusalReason,
    Refused,
    Status,
    Subscription,
    Usage,
    advance,
    change_plan,
    parse_catalog,
    quote_change,
    set_trial_end,
    start_subscription,
)
from subscription_rules.errors import InvalidPeriodError


def _trialing() -> Subscription:
    return start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 11, 1), catalog=CATALOG, policy=SEED_POLICY
    ).subscription


def test_extending_a_trial_moves_the_first_charge_and_the_cycle_anchor() -> None:
    """14-day trial (ends Nov 15) extended by 7 days on Nov 3: it ends Nov 22.

    The cycle is anchored at the trial's end, so the first period is
    [Nov 22, Dec 22) and the first charge (USD 50.00) comes on Nov 22; the
    reminder moves to Nov 22 - 3 days = Nov 19. Nothing is billed on Nov 15.
    """
    d = decided(
        set_trial_end(
            _trialing(), utc(2026, 11, 22), utc(2026, 11, 3), catalog=CATALOG, policy=SEED_POLICY
        )
    )
    sub = d.subscription
    assert sub.status is Status.TRIALING
    assert sub.trial_end == utc(2026, 11, 22)
    assert (sub.current_period.start, sub.current_period.end) == (
        utc(2026, 11, 22),
        utc(2026, 12, 22),
    )
    assert d.next_wakeup == utc(2026, 11, 19)
    (notice,) = d.notices
    assert notice.kind is NoticeKind.TRIAL_END_CHANGED
    assert notice.fact("trial_end") == utc(2026, 11, 22)
    assert notice.fact("previous_trial_end") == utc(2026, 11, 15)
    assert advance(sub, utc(2026, 11, 16), catalog=CATALOG, policy=SEED_POLICY).invoices == ()
    converted = advance(sub, utc(2026, 11, 22), catalog=CATALOG, policy=SEED_POLICY)
    (invoice,) = converted.invoices
    assert invoice.reason is InvoiceReason.TRIAL_CONVERSION
    assert (invoice.issued_at, invoice.amount_due) == (utc(2026, 11, 22), usd("50.00"))
    assert converted.subscription.current_period.end == utc(2026, 12, 22)
    assert [n.kind for n in converted.notices] == [
        NoticeKind.TRIAL_ENDING,
        NoticeKind.TRIAL_CONVERTED,
    ]


def test_ending_a_trial_now_converts_at_once_as_its_end_would() -> None:
    """``trial_end == at`` on Nov 5 (day 5): USD 50.00 charged at once for [Nov 5, Dec 5)."""
    d = decided(
        set_trial_end(
            _trialing(), utc(2026, 11, 5), utc(2026, 11, 5), catalog=CATALOG, policy=SEED_POLICY
        )
    )
    sub = d.subscription
    assert sub.status is Status.ACTIVE
    (invoice,) = d.invoices
    assert invoice.reason is InvoiceReason.TRIAL_CONVERSION
    assert (invoice.issued_at, invoice.amount_due) == (utc(2026, 11, 5), usd("50.00"))
    assert (sub.current_period.start, sub.current_period.end) == (
        utc(2026, 11, 5),
        utc(2026, 12, 5),
    )
    assert [n.kind for n in d.notices] == [NoticeKind.TRIAL_CONVERTED]
    assert d.next_wakeup == utc(2026, 12, 5)


def test_ending_a_trial_now_without_a_payment_method_follows_the_policy() -> None:
    """The seed suspends a trial ending without a payment method; ending it now does the same."""
    sub = start_subscription(
        "s",
        "c",
        "personal",
        MONTHLY,
        utc(2026, 11, 1),
        catalog=CATALOG,
        has_payment_method=False,
        policy=SEED_POLICY,
    ).subscription
    d = decided(
        set_trial_end(sub, utc(2026, 11, 5), utc(2026, 11, 5), catalog=CATALOG, policy=SEED_POLICY)
    )
    assert d.subscription.status is Status.SUSPENDED
    assert d.invoices == ()


def test_shortening_past_the_reminder_sends_it_at_once() -> None:
    """Shortened on Nov 3 to end Nov 4: its reminder (Nov 1) has passed unsent: sent now."""
    d = decided(
        set_trial_end(
            _trialing(), utc(2026, 11, 4), utc(2026, 11, 3), catalog=CATALOG, policy=SEED_POLICY
        )
    )
    assert [n.kind for n in d.notices] == [NoticeKind.TRIAL_END_CHANGED, NoticeKind.TRIAL_ENDING]
    assert d.next_wakeup == utc(2026, 11, 4)


def test_a_reminder_already_sent_is_sent_again_before_the_new_end() -> None:
    """Reminded on Nov 12, extended on Nov 13 to Nov 30: reminded again on Nov 27."""
    sub = advance(_trialing(), utc(2026, 11, 13), catalog=CATALOG, policy=SEED_POLICY).subscription
    d = decided(
        set_trial_end(
            sub, utc(2026, 11, 30), utc(2026, 11, 13), catalog=CATALOG, policy=SEED_POLICY
        )
    )
    assert [n.kind for n in d.notices] == [NoticeKind.TRIAL_END_CHANGED]
    assert d.next_wakeup == utc(2026, 11, 27)


def test_setting_a_trial_end_is_refused_unless_trialing() -> None:
    sub = start_subscription(
        "s",
        "c",
        "personal",
        MONTHLY,
        utc(2026, 11, 1),
        catalog=CATALOG,
        trial=False,
        policy=SEED_POLICY,
    ).subscription
    refused = set_trial_end(
        sub, utc(2026, 11, 20), utc(2026, 11, 3), catalog=CATALOG, policy=SEED_POLICY
    )
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.NOT_ALLOWED_IN_STATUS


def test_the_same_trial_end_is_refused_as_already_done() -> None:
    refused = set_trial_end(
        _trialing(), utc(2026, 11, 15), utc(2026, 11, 3), catalog=CATALOG, policy=SEED_POLICY
    )
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.ALREADY_DONE


def test_a_trial_end_before_the_command_is_an_error_naming_trial_end() -> None:
    with pytest.raises(InvalidPeriodError, match=r"^trial_end: is before"):
        set_trial_end(
            _trialing(), utc(2026, 11, 2), utc(2026, 11, 3), catalog=CATALOG, policy=SEED_POLICY
        )


def test_a_command_after_the_unprocessed_trial_end_is_an_error_naming_at() -> None:
    with pytest.raises(InvalidPeriodError, match=r"^at: .*advance the subscription first"):
        set_trial_end(
            _trialing(), utc(2026, 11, 20), utc(2026, 11, 16), catalog=CATALOG, policy=SEED_POLICY
        )


# --- with a billing anchor apart from the trial's end ---------------------------------------


def _anchored(anchor_day: int) -> Subscription:
    """Started 2026-01-01 with a 14-day trial (ends Jan 15), billing anchored on ``anchor_day``."""
    return start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 1, 1),
        catalog=CATALOG, billing_anchor=utc(2026, 2, anchor_day), policy=SEED_POLICY,
    ).subscription  # fmt: skip


def test_with_a_billing_anchor_the_anchor_stays_and_the_stub_is_worked_out_again() -> None:
    """Anchor Feb 1; the trial extended on Jan 5 to Jan 22.

    The stub is then [Jan 22, Feb 1): 10 of January's 31 days (seconds, half-up):
    5000 * 10 / 31 = 1612.90 -> 1613 cents (it was 17 days, 2742 cents).
    """
    d = decided(
        set_trial_end(
            _anchored(1), utc(2026, 1, 22), utc(2026, 1, 5), catalog=CATALOG, policy=SEED_POLICY
        )
    )
    assert d.subscription.current_period.end == utc(2026, 2, 1)
    converted = advance(d.subscription, utc(2026, 1, 22), catalog=CATALOG, policy=SEED_POLICY)
    (invoice,) = converted.invoices
    assert (invoice.issued_at, invoice.amount_due) == (utc(2026, 1, 22), usd("16.13"))
    assert converted.subscription.current_period.end == utc(2026, 2, 1)


def test_with_a_billing_anchor_a_trial_past_it_bills_a_stub_of_the_next_period() -> None:
    """Anchor Feb 1; the trial extended to Feb 10: stub [Feb 10, Mar 1), 19 of 28 days.

    5000 * 19 / 28 = 3392.86 -> 3393 cents; the cycle's boundaries stay on the 1st.
    """
    d = decided(
        set_trial_end(
            _anchored(1), utc(2026, 2, 10), utc(2026, 1, 5), catalog=CATALOG, policy=SEED_POLICY
        )
    )
    converted = advance(d.subscription, utc(2026, 2, 10), catalog=CATALOG, policy=SEED_POLICY)
    (invoice,) = converted.invoices
    assert invoice.amount_due == usd("33.93")
    assert converted.subscription.current_period.end == utc(2026, 3, 1)


def test_with_a_billing_anchor_a_stub_longer_than_a_period_is_refused() -> None:
    """Anchor Feb 14: the cycle's first boundary is Jan 14; a trial ending Jan 10 is refused.

    Billing from Jan 10 would need a stub longer than one period, as
    ``start_subscription`` refuses too.
    """
    refused = set_trial_end(
        _anchored(14), utc(2026, 1, 10), utc(2026, 1, 5), catalog=CATALOG, policy=SEED_POLICY
    )
    assert isinstance(refused, Refused)
    assert "before 2026-01-14" in refused.message


# --- a plan change during a trial --------------------------------------------------------------

TRIALS = parse_catalog("""\
currency = "USD"

[[plans]]
id = "basic"
name = "Basic"
trial_days = 14
prices = { monthly = "50.00" }

[[plans]]
id = "week"
name = "Week"
trial_days = 7
prices = { monthly = "150.00" }

[[plans]]
id = "month"
name = "Month"
trial_days = 30
prices = { monthly = "300.00" }

[[plans]]
id = "none"
name = "None"
prices = { monthly = "400.00" }
""")


def _basic(policy: BillingPolicy) -> Subscription:
    return start_subscription(
        "s", "c", "basic", MONTHLY, utc(2026, 11, 1), catalog=TRIALS, policy=policy
    ).subscription


@pytest.mark.parametrize("policy", [SEED_POLICY, STRIPE_LIKE, KILL_BILL_LIKE])
def test_a_plan_change_during_a_trial_keeps_its_end(policy: BillingPolicy) -> None:
    """Kill Bill and Stripe (and the seed): the trial still ends Nov 15, on the new plan."""
    d = decided(
        change_plan(_basic(policy), "month", MONTHLY, utc(2026, 11, 5),
            catalog=TRIALS, usage=Usage(), policy=policy)
    )  # fmt: skip
    assert d.subscription.trial_end == utc(2026, 11, 15)
    assert d.subscription.plan_id == "month"


def test_lago_counts_the_new_plans_trial_from_the_first_start() -> None:
    """Lago: Basic (14 days) to Month (30 days) on Nov 5: ends Nov 1 + 30 days = Dec 1.

    getlago/lago-api app/models/subscription.rb: trial_end_datetime =
    initial_started_at + plan.trial_period.days. The cycle follows: [Dec 1, Jan 1).
    """
    d = decided(
        change_plan(_basic(LAGO_LIKE), "month", MONTHLY, utc(2026, 11, 5),
            catalog=TRIALS, usage=Usage(), policy=LAGO_LIKE)
    )  # fmt: skip
    sub = d.subscription
    assert sub.trial_end == utc(2026, 12, 1)
    assert sub.current_period.end == utc(2027, 1, 1)
    assert [n.kind for n in d.notices] == [NoticeKind.UPGRADED, NoticeKind.TRIAL_END_CHANGED]
    assert d.invoices == ()


def test_lago_shortens_the_trial_to_the_new_plans_length() -> None:
    """Lago: Basic (14 days) to Week (7 days) on Nov 3: ends Nov 1 + 7 days = Nov 8."""
    d = decided(
        change_plan(_basic(LAGO_LIKE), "week", MONTHLY, utc(2026, 11, 3),
            catalog=TRIALS, usage=Usage(), policy=LAGO_LIKE)
    )  # fmt: skip
    assert d.subscription.trial_end == utc(2026, 11, 8)
    assert d.subscription.status is Status.TRIALING


@pytest.mark.parametrize(("plan_id", "amount"), [("week", "150.00"), ("none", "400.00")])
def test_lago_ends_a_trial_already_over_at_the_change(plan_id: str, amount: str) -> None:
    """Lago: to Week (7 days: over on Nov 8) or None (no trial) on Nov 10: converts at once.

    ``in_trial_period?`` is false once Nov 1 + trial days has passed (or there is
    no trial), so the new plan is billed from the change: a whole month
    [Nov 10, Dec 10) at its price; the quote says so beforehand.
    """
    sub = _basic(LAGO_LIKE)
    at = utc(2026, 11, 10)
    quote = quote_change(sub, plan_id, MONTHLY, at, catalog=TRIALS, usage=Usage(), policy=LAGO_LIKE)
    assert isinstance(quote, ChangeQuote)
    assert quote.amount_due_now == usd(amount)
    d = decided(
        change_plan(sub, plan_id, MONTHLY, at, catalog=TRIALS, usage=Usage(), policy=LAGO_LIKE)
    )
    (invoice,) = d.invoices
    assert invoice.reason is InvoiceReason.TRIAL_CONVERSION
    assert (invoice.issued_at, invoice.amount_due) == (at, usd(amount))
    assert d.subscription.status is Status.ACTIVE
    assert d.subscription.current_period.end == utc(2026, 12, 10)
