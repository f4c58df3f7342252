"""Stripe's published examples under ``STRIPE_LIKE``.

Sources: docs.stripe.com pages, as cited in each test. Stripe prorates to the
second over the current period, so "halfway" is the exact middle of a period.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conformance._engines import begun, catalog_of, changed, charged, credited, quoted
from helpers import decided
from subscription_rules import (
    MONTHLY,
    STRIPE_LIKE,
    WEEKLY,
    Catalog,
    Coupon,
    Limits,
    Money,
    NoticeKind,
    Plan,
    Price,
    Status,
    Subscription,
    advance,
    cancel,
    set_trial_end,
    start_subscription,
    upcoming_invoice,
)

#: April 2026 has 30 days: 16 April 00:00 is exactly halfway through 1 April → 1 May.
APRIL_1 = datetime(2026, 4, 1, tzinfo=UTC)
HALFWAY = datetime(2026, 4, 16, tzinfo=UTC)
PRICES = catalog_of({"ten": "10.00", "twenty": "20.00", "hundred": "100.00"})


def test_upgrade_halfway_leaves_both_lines_pending_for_the_next_invoice() -> None:
    """https://docs.stripe.com/billing/subscriptions/prorations, "How prorations work".

    Published: from a 10 USD monthly plan to a 20 USD one halfway through the
    period: unused time on the original plan -5 USD, remaining time on the new
    plan +10 USD, so 5 USD more; "Negative prorations aren't automatically
    refunded and positive prorations aren't immediately billed". Under
    ``create_prorations`` both lines are pending items on the next invoice: no
    credit note and no invoice now, the balance untouched, 5 USD net owed on
    the 1 May invoice (with May's 20 USD: 25 USD).
    """
    sub = begun(PRICES, "ten", APRIL_1, STRIPE_LIKE).subscription
    q = quoted(sub, PRICES, "twenty", HALFWAY, STRIPE_LIKE)
    assert [line.amount.minor for line in q.lines] == [-500, 1000]
    assert q.total == q.due_next_invoice == Money.of("5.00", "USD")
    assert q.amount_due_now == q.credit_after == q.refund == Money.of("0.00", "USD")
    up = changed(sub, PRICES, "twenty", HALFWAY, STRIPE_LIKE)
    assert (credited(up), charged(up)) == ([], [])
    assert [line.amount.minor for line in up.subscription.pending_lines] == [-500, 1000]
    assert up.subscription.credit_balance == Money.of("0.00", "USD")
    assert up.subscription.stretches[0].credited == Money.of("5.00", "USD")  # given, pending
    may = datetime(2026, 5, 1, tzinfo=UTC)
    upcoming = upcoming_invoice(up.subscription, HALFWAY, catalog=PRICES, policy=STRIPE_LIKE)
    assert upcoming is not None
    assert [line.amount.minor for line in upcoming.lines] == [2000, -500, 1000]
    renewed = advance(up.subscription, may, catalog=PRICES, policy=STRIPE_LIKE)
    (invoice,) = renewed.invoices
    assert [line.amount.minor for line in invoice.lines] == [2000, -500, 1000]
    assert invoice.amount_due == upcoming.amount_due == Money.of("25.00", "USD")
    assert (credited(renewed), renewed.subscription.pending_lines) == ([], ())


def test_upgrade_halfway_from_ten_to_a_hundred() -> None:
    """https://support.stripe.com/questions/refunding-credit-balance-to-customer-after-subscription-downgrade-or-cancellation

    Published: from 10.00/mo to 100.00/mo in the middle of the cycle: a 5.00
    credit for the first price, 50.00 owed for the new one, 45.00 in total.
    """
    sub = begun(PRICES, "ten", APRIL_1, STRIPE_LIKE).subscription
    q = quoted(sub, PRICES, "hundred", HALFWAY, STRIPE_LIKE)
    assert [line.amount.minor for line in q.lines] == [-500, 5000]
    assert q.due_next_invoice == Money.of("45.00", "USD")


def test_downgrade_halfway_credits_the_net_to_the_balance_at_the_next_invoice() -> None:
    """Same page: from 100.00/mo to 10.00/mo in the middle of the cycle.

    Published: 50.00 owed to the customer for the first price, 5.00 owed for
    the new one: 45.00 to the customer's credit balance. ``STRIPE_LIKE``
    downgrades at once (``downgrade_timing=IMMEDIATELY``); both lines wait for
    the next invoice (``create_prorations``): nothing is credited now. On
    1 May the lines net 10.00 (May) − 50.00 + 5.00 = −35.00: an invoice never
    goes negative, so the −50.00 goes on a credit note to the balance, which
    pays the 15.00 invoiced (10.00 + 5.00): 35.00 = 45.00 − May's 10.00 left.
    """
    sub = begun(PRICES, "hundred", APRIL_1, STRIPE_LIKE).subscription
    q = quoted(sub, PRICES, "ten", HALFWAY, STRIPE_LIKE)
    assert q.due_next_invoice == Money.of("-45.00", "USD")
    down = changed(sub, PRICES, "ten", HALFWAY, STRIPE_LIKE)
    assert credited(down) == []
    assert down.subscription.plan_id == "ten"
    assert [line.amount.minor for line in down.subscription.pending_lines] == [-5000, 500]
    assert down.subscription.credit_balance == Money.of("0.00", "USD")
    may = datetime(2026, 5, 1, tzinfo=UTC)
    upcoming = upcoming_invoice(down.subscription, HALFWAY, catalog=PRICES, policy=STRIPE_LIKE)
    renewed = advance(down.subscription, may, catalog=PRICES, policy=STRIPE_LIKE)
    assert credited(renewed) == [-5000]
    (invoice,) = renewed.invoices
    assert upcoming is not None
    assert upcoming.lines == invoice.lines
    assert [line.amount.minor for line in invoice.lines] == [1000, 500]  # May, then the 5.00
    assert invoice.amount_due == upcoming.amount_due == Money.of("0.00", "USD")
    assert renewed.subscription.credit_balance == Money.of("35.00", "USD")


def test_a_later_change_does_not_credit_the_pending_credits_time_again() -> None:
    """The credit recorded at a change, though pending, closes that time for later credits.

    10.00 → 20.00 on 16 April (−5.00, +10.00 pending), then back to 10.00 on
    24 April (7 of the 15 days left): the credit is for the 20.00 stretch only,
    10.00 × 7/15 = 4.666… → −4.67, and the charge 10.00 × 7/30 = 2.333… → 2.33;
    the 10.00 stretch's unused time is not credited a second time.
    """
    sub = begun(PRICES, "ten", APRIL_1, STRIPE_LIKE).subscription
    up = changed(sub, PRICES, "twenty", HALFWAY, STRIPE_LIKE)
    back = changed(up.subscription, PRICES, "ten", datetime(2026, 4, 24, tzinfo=UTC), STRIPE_LIKE)
    assert [line.amount.minor for line in back.subscription.pending_lines] == [
        -500, 1000, -467, 233,
    ]  # fmt: skip
    assert credited(back) == []


def test_pending_lines_go_on_the_final_invoice_of_a_cancellation() -> None:
    """A subscription cancelled at the period end bills its pending items on a final invoice.

    100.00 → 10.00 halfway (−50.00, +5.00 pending), cancelled, ended on 1 May:
    the net −45.00 cannot be invoiced, so the −50.00 is a credit note to the
    balance, which pays the final invoice's 5.00: 45.00 left on the balance.
    """
    sub = begun(PRICES, "hundred", APRIL_1, STRIPE_LIKE).subscription
    down = changed(sub, PRICES, "ten", HALFWAY, STRIPE_LIKE)
    scheduled = decided(cancel(down.subscription, HALFWAY, policy=STRIPE_LIKE))
    ended = advance(
        scheduled.subscription, datetime(2026, 5, 1, tzinfo=UTC), catalog=PRICES, policy=STRIPE_LIKE
    )
    assert ended.subscription.status is Status.ENDED
    assert (credited(ended), charged(ended)) == ([-5000], [500])
    assert ended.invoices[0].amount_due == Money.of("0.00", "USD")
    assert ended.subscription.credit_balance == Money.of("45.00", "USD")


@pytest.mark.parametrize(
    ("anchor", "period_ends"),
    [
        # "A monthly subscription with a billing cycle anchor date of September 2 always bills
        # on the 2nd day of the month."
        (datetime(2026, 9, 2, tzinfo=UTC), ["2026-10-02", "2026-11-02", "2026-12-02"]),
        # "... anchor date of January 31 bills the last day of the month closest to the anchor
        # date, so February 28 (or February 29 in a leap year), then March 31, April 30".
        (datetime(2027, 1, 31, tzinfo=UTC), ["2027-02-28", "2027-03-31", "2027-04-30"]),
        (datetime(2028, 1, 31, tzinfo=UTC), ["2028-02-29", "2028-03-31", "2028-04-30"]),
    ],
)
def test_monthly_billing_dates_follow_the_anchor(anchor: datetime, period_ends: list[str]) -> None:
    """https://docs.stripe.com/billing/subscriptions/billing-cycle (the examples of monthly
    subscriptions with different billing periods; figures quoted beside each case).

    The anchor defaults to the creation date without a trial.
    """
    sub = begun(PRICES, "ten", anchor, STRIPE_LIKE).subscription
    ends = []
    for _ in period_ends:
        ends.append(sub.current_period.end.date().isoformat())
        sub = advance(sub, sub.current_period.end, catalog=PRICES, policy=STRIPE_LIKE).subscription
    assert ends == period_ends


def test_weekly_billing_dates_follow_the_anchors_weekday() -> None:
    """https://docs.stripe.com/billing/subscriptions/billing-cycle.

    Published: a weekly subscription anchored on Friday, June 3 bills every
    Friday thereafter (3 June 2022 was a Friday: 10, 17, 24 June).
    """
    weekly = catalog_of({"ten": "10.00"}, interval=WEEKLY)
    sub = begun(
        weekly, "ten", datetime(2022, 6, 3, tzinfo=UTC), STRIPE_LIKE, interval=WEEKLY
    ).subscription
    renewed = advance(sub, datetime(2022, 6, 24, tzinfo=UTC), catalog=weekly, policy=STRIPE_LIKE)
    bills = [invoice.issued_at.date() for invoice in renewed.invoices]
    assert [day.isoformat() for day in bills] == ["2022-06-10", "2022-06-17", "2022-06-24"]
    assert {day.strftime("%A") for day in bills} == {"Friday"}


TRIAL = Catalog((Plan("ten", "Ten", (Price.of("10.00", "USD"),), Limits(), trial_days=14),))


def trialing(*, has_payment_method: bool = True) -> Subscription:
    """A 14-day trial of USD 10.00 a month from 1 April 2026 (ends 15 April)."""
    return start_subscription(
        "sub_1", "cus_1", "ten", MONTHLY, APRIL_1,
        catalog=TRIAL, has_payment_method=has_payment_method, policy=STRIPE_LIKE,
    ).subscription  # fmt: skip


def test_a_trial_anchors_the_cycle_at_its_end() -> None:
    """https://docs.stripe.com/billing/subscriptions/billing-cycle.

    Published: the anchor's default is the creation date, or the trial's end
    when there is a trial. A 14-day trial from 1 April 2026 ends on 15 April:
    the first invoice is then, and the first period runs to 15 May.
    """
    sub = trialing()
    converted = advance(sub, datetime(2026, 4, 15, tzinfo=UTC), catalog=TRIAL, policy=STRIPE_LIKE)
    assert [invoice.issued_at.date().isoformat() for invoice in converted.invoices] == [
        "2026-04-15"
    ]
    assert converted.subscription.current_period.end == datetime(2026, 5, 15, tzinfo=UTC)


def test_trial_will_end_three_days_before_the_trial_end() -> None:
    """https://docs.stripe.com/billing/subscriptions/trials.

    Published: ``customer.subscription.trial_will_end`` is sent three days
    before the trial ends: 12 April for a trial ending 15 April.
    """
    sub = trialing()
    early = advance(
        sub, datetime(2026, 4, 11, 23, 59, tzinfo=UTC), catalog=TRIAL, policy=STRIPE_LIKE
    )
    assert NoticeKind.TRIAL_ENDING not in {n.kind for n in early.notices}
    due = advance(
        early.subscription, datetime(2026, 4, 12, tzinfo=UTC), catalog=TRIAL, policy=STRIPE_LIKE
    )
    assert [n.kind for n in due.notices] == [NoticeKind.TRIAL_ENDING]


def test_a_trial_without_a_payment_method_invoices_and_goes_past_due() -> None:
    """https://docs.stripe.com/billing/subscriptions/trials (``missing_payment_method``).

    Published: with ``create_invoice`` the trial's end creates the invoice
    and the subscription becomes ``past_due``.
    """
    sub = trialing(has_payment_method=False)
    ended = advance(sub, datetime(2026, 4, 15, tzinfo=UTC), catalog=TRIAL, policy=STRIPE_LIKE)
    assert charged(ended) == [1000]
    assert ended.subscription.status is Status.PAST_DUE


def test_cancel_at_period_end_keeps_the_period_and_charges_nothing() -> None:
    """https://docs.stripe.com/billing/subscriptions/cancel (cancel at the end of the period).

    Published: the subscription stays active until the end of the paid
    period, then ends; no credit, no further invoice.
    """
    sub = begun(PRICES, "ten", APRIL_1, STRIPE_LIKE).subscription
    scheduled = decided(cancel(sub, HALFWAY, policy=STRIPE_LIKE))
    assert credited(scheduled) == charged(scheduled) == []
    assert scheduled.subscription.status is Status.ACTIVE
    ended = advance(
        scheduled.subscription, datetime(2026, 5, 1, tzinfo=UTC), catalog=PRICES, policy=STRIPE_LIKE
    )
    assert ended.subscription.status is Status.ENDED
    assert ended.invoices == ()


def test_a_trial_cancelled_at_period_end_runs_to_the_trial_end_free() -> None:
    """https://docs.stripe.com/billing/subscriptions/trials (cancel a trial at period end).

    Published: the customer keeps the trial to its end, the subscription then
    ends and nothing is charged.
    """
    sub = trialing()
    scheduled = decided(cancel(sub, datetime(2026, 4, 5, tzinfo=UTC), policy=STRIPE_LIKE))
    assert scheduled.subscription.status is Status.TRIALING
    ended = advance(
        scheduled.subscription, datetime(2026, 4, 15, tzinfo=UTC), catalog=TRIAL, policy=STRIPE_LIKE
    )
    assert ended.subscription.status is Status.ENDED
    assert ended.invoices == ()


def test_checkout_billing_cycle_anchor_bills_a_prorated_stub_then_the_first() -> None:
    """https://docs.stripe.com/payments/checkout/billing-cycle.

    Published: "a monthly subscription created on 15 May with an anchor at 1
    June is billed on 15 May, then always on the 1st of the month"; with the
    default ``create_prorations`` the first invoice is pro rata up to the
    anchor, and from the anchor on the full amount. Here USD 10.00 a month:
    15 May → 1 Jun is 17 days of the 31-day period 1 May → 1 Jun, prorated by
    the second: 1000 × 17/31 = 548.39 → 548; then 1000 on 1 June and 1 July.
    """
    start = start_subscription(
        "sub_1", "cus_1", "ten", MONTHLY, datetime(2026, 5, 15, tzinfo=UTC), catalog=PRICES,
        trial=False, policy=STRIPE_LIKE, billing_anchor=datetime(2026, 6, 1, tzinfo=UTC),
    )  # fmt: skip
    assert charged(start) == [548]
    later = advance(
        start.subscription, datetime(2026, 7, 1, tzinfo=UTC), catalog=PRICES, policy=STRIPE_LIKE
    )
    assert [(i.issued_at, i.amount_due.minor) for i in later.invoices] == [
        (datetime(2026, 6, 1, tzinfo=UTC), 1000),
        (datetime(2026, 7, 1, tzinfo=UTC), 1000),
    ]


def test_ending_a_trial_now_bills_at_once_and_moves_the_cycle() -> None:
    """https://docs.stripe.com/billing/subscriptions/trials and the API's ``trial_end``
    ("the special value ``now`` ... end the customer's trial immediately");
    https://docs.stripe.com/billing/subscriptions/billing-cycle (the billing cycle
    anchor is the trial's end when there is a trial).

    USD 10.00 a month with a 14-day trial from 1 May 2026; ``trial_end=now`` on
    5 May 09:00: the subscription is active at once, the first full period
    5 May 09:00 → 5 Jun 09:00 is invoiced now (1000), not on 15 May.
    """
    catalog = Catalog((Plan("ten", "Ten", (Price.of("10.00", "USD"),), Limits(), trial_days=14),))
    sub = start_subscription(
        "sub_1", "cus_1", "ten", MONTHLY, datetime(2026, 5, 1, tzinfo=UTC), catalog=catalog,
        policy=STRIPE_LIKE,
    ).subscription  # fmt: skip
    now = datetime(2026, 5, 5, 9, tzinfo=UTC)
    ended = decided(set_trial_end(sub, now, now, catalog=catalog, policy=STRIPE_LIKE))
    assert ended.subscription.status is Status.ACTIVE
    period = ended.subscription.current_period
    assert (period.start, period.end) == (now, datetime(2026, 6, 5, 9, tzinfo=UTC))
    assert [(i.issued_at, i.amount_due.minor) for i in ended.invoices] == [(now, 1000)]


@pytest.mark.parametrize(("subtotal", "total"), [("100.00", 0), ("300.00", 10000)])
def test_an_amount_off_comes_off_the_subtotal_and_never_below_zero(
    subtotal: str, total: int
) -> None:
    """docs.stripe.com/api/coupons/create, ``amount_off`` (the Coupon object's description).

    Published: an amount off is subtracted from an invoice's subtotal; with an
    ``amount_off`` of 200 (USD) an invoice whose subtotal is 100 totals 0, and
    one whose subtotal is 300 totals 100. Here a plan at each subtotal, started
    with the coupon (``duration=once``): the discount line is −100.00 (capped at
    the line, the other 100.00 lost: ``CouponExcess.FORFEIT``) and −200.00.
    """
    catalog = catalog_of({"plan": subtotal})
    coupon = Coupon("TWO_HUNDRED_OFF", amount_off=Money.of("200.00", "USD"))
    start = decided(
        start_subscription(
            "sub_1", "cus_1", "plan", MONTHLY, APRIL_1, catalog=catalog, trial=False,
            policy=STRIPE_LIKE, coupon=coupon,
        )
    )  # fmt: skip
    (invoice,) = start.invoices
    assert invoice.lines_total.minor == total
    assert min(line.amount.minor for line in invoice.lines) == -min(
        Money.of(subtotal, "USD").minor, 20000
    )
