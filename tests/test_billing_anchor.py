"""A billing anchor apart from the start: a prorated stub up to the anchor, then whole periods.

Stripe's ``billing_cycle_anchor``, Kill Bill's bill-cycle day, Lago's calendar
billing. Figures are worked by hand from the instants and the policy; the
Personal plan is USD 50.00 a month, Advanced USD 150.00.
"""

from __future__ import annotations

import pytest

from helpers import CATALOG, decided, usd, utc
from subscription_rules import (
    KILL_BILL_LIKE,
    MONTHLY,
    STRIPE_LIKE,
    YEARLY,
    Usage,
    advance,
    change_plan,
    start_subscription,
)
from subscription_rules.errors import InvalidPeriodError
from subscription_rules.policy import SEED_POLICY

DAY = 86_400


def test_anchor_bills_a_prorated_stub_then_whole_periods() -> None:
    """Started 2026-05-15, anchored on 2026-06-01 (seed policy: seconds, half-up).

    The stub [May 15, Jun 1) is 17 days of the period [May 1, Jun 1), 31 days:
    5000 * 17 / 31 = 2741.94 -> 2742 cents. At the anchor the whole period
    [Jun 1, Jul 1) is billed: 5000 cents.
    """
    d = start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 5, 15),
        catalog=CATALOG, trial=False, billing_anchor=utc(2026, 6, 1), policy=SEED_POLICY,
    )  # fmt: skip
    (invoice,) = d.invoices
    (line,) = invoice.lines
    assert invoice.amount_due == usd("27.42")
    assert (line.start, line.end) == (utc(2026, 5, 15), utc(2026, 6, 1))
    assert line.explanation is not None
    assert (line.explanation.units, line.explanation.denominator) == (17 * DAY, 31 * DAY)
    (stretch,) = d.subscription.stretches
    assert (stretch.start, stretch.end, stretch.billed) == (
        utc(2026, 5, 15), utc(2026, 6, 1), usd("27.42"),
    )  # fmt: skip
    assert (stretch.units, stretch.denominator) == (17 * DAY, 31 * DAY)
    assert d.next_wakeup is not None
    renewed = advance(d.subscription, utc(2026, 6, 1), catalog=CATALOG, policy=SEED_POLICY)
    (renewal,) = renewed.invoices
    assert renewal.amount_due == usd("50.00")
    assert (renewal.lines[0].start, renewal.lines[0].end) == (utc(2026, 6, 1), utc(2026, 7, 1))


def test_stripe_checkout_example_may_15_anchored_june_1() -> None:
    """docs.stripe.com/payments/checkout/billing-cycle: "a monthly subscription created
    ... on May 15 with an anchor at June 1 is billed on May 15, then always on the 1st
    of the month", the first invoice prorated to the anchor.

    STRIPE_LIKE prorates by the second: 17 days of May's 31 -> 5000 * 17 / 31 =
    2741.94 -> USD 27.42 on May 15; USD 50.00 on June 1, July 1 and August 1.
    """
    d = start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 5, 15),
        catalog=CATALOG, trial=False, billing_anchor=utc(2026, 6, 1), policy=STRIPE_LIKE,
    )  # fmt: skip
    assert [str(i.amount_due) for i in d.invoices] == ["USD 27.42"]
    later = advance(d.subscription, utc(2026, 8, 1), catalog=CATALOG, policy=STRIPE_LIKE)
    assert [(i.issued_at, str(i.amount_due)) for i in later.invoices] == [
        (utc(2026, 6, 1), "USD 50.00"),
        (utc(2026, 7, 1), "USD 50.00"),
        (utc(2026, 8, 1), "USD 50.00"),
    ]


def test_anchor_after_a_trial_bills_the_stub_from_the_trial_end() -> None:
    """Started 2026-01-10 with the 14-day trial: it ends 2026-01-24; anchored 2026-02-01.

    Nothing is billed at the start. At the trial's end the stub [Jan 24, Feb 1),
    8 days of [Jan 1, Feb 1), 31 days, is billed in days (Kill Bill):
    5000 * 8 / 31 = 1290.32 -> 1290 cents; then 5000 on Feb 1.
    """
    d = start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 1, 10),
        catalog=CATALOG, billing_anchor=utc(2026, 2, 1), policy=KILL_BILL_LIKE,
    )  # fmt: skip
    assert d.invoices == ()
    assert d.subscription.trial_end == utc(2026, 1, 24)
    later = advance(d.subscription, utc(2026, 2, 1), catalog=CATALOG, policy=KILL_BILL_LIKE)
    assert [(i.issued_at, str(i.amount_due)) for i in later.invoices] == [
        (utc(2026, 1, 24), "USD 12.90"),
        (utc(2026, 2, 1), "USD 50.00"),
    ]
    stub = later.invoices[0].lines[0]
    assert stub.explanation is not None
    assert (stub.explanation.units, stub.explanation.denominator) == (8, 31)


def test_a_change_during_the_stub_credits_the_stub_as_billed() -> None:
    """The stub of the first test (2742 cents for 17 days), upgraded on May 24.

    Unused: [May 24, Jun 1), 8 of the stub's 17 days: 2742 * 8 / 17 = 1290.35 ->
    1290 cents credited (never more than the 2742 billed). Advanced for the
    same 8 days of May's 31: 15000 * 8 / 31 = 3870.97 -> 3871 cents charged.
    """
    sub = start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 5, 15),
        catalog=CATALOG, trial=False, billing_anchor=utc(2026, 6, 1), policy=SEED_POLICY,
    ).subscription  # fmt: skip
    d = decided(
        change_plan(
            sub,
            "advanced",
            MONTHLY,
            utc(2026, 5, 24),
            catalog=CATALOG,
            usage=Usage(),
            policy=SEED_POLICY,
        )
    )
    (note,) = d.credit_notes
    assert note.amount == usd("12.90")
    (charge,) = d.invoices
    assert [line.amount for line in charge.lines if line.amount.is_positive()] == [usd("38.71")]


def test_anchor_on_the_31st_keeps_month_ends() -> None:
    """Started 2026-03-10, anchored 2026-03-31: boundaries Mar 31, Apr 30, May 31.

    The period ending at the anchor is [Feb 28, Mar 31), 31 days; the stub is 21
    of them: 5000 * 21 / 31 = 3387.10 -> 3387 cents.
    """
    d = start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 3, 10),
        catalog=CATALOG, trial=False, billing_anchor=utc(2026, 3, 31), policy=SEED_POLICY,
    )  # fmt: skip
    assert d.invoices[0].amount_due == usd("33.87")
    later = advance(d.subscription, utc(2026, 5, 31), catalog=CATALOG, policy=SEED_POLICY)
    assert [(i.lines[0].start, i.lines[0].end) for i in later.invoices] == [
        (utc(2026, 3, 31), utc(2026, 4, 30)),
        (utc(2026, 4, 30), utc(2026, 5, 31)),
        (utc(2026, 5, 31), utc(2026, 6, 30)),
    ]


def test_anchor_at_the_start_is_no_anchor() -> None:
    """An anchor equal to the start bills the whole first period, as without one."""
    plain = start_subscription(
        "s",
        "c",
        "personal",
        YEARLY,
        utc(2026, 5, 15),
        catalog=CATALOG,
        trial=False,
        policy=SEED_POLICY,
    )
    anchored = start_subscription(
        "s", "c", "personal", YEARLY, utc(2026, 5, 15),
        catalog=CATALOG, trial=False, billing_anchor=utc(2026, 5, 15), policy=SEED_POLICY,
    )  # fmt: skip
    assert anchored == plain


def test_an_anchor_one_interval_on_bills_that_whole_period() -> None:
    """Started 2026-05-15, anchored 2026-06-15 (the start's anniversary): 5000 cents."""
    d = start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 5, 15),
        catalog=CATALOG, trial=False, billing_anchor=utc(2026, 6, 15), policy=SEED_POLICY,
    )  # fmt: skip
    assert d.invoices[0].amount_due == usd("50.00")
    assert d.subscription.current_period.end == utc(2026, 6, 15)


@pytest.mark.parametrize(
    ("anchor", "message"),
    [
        (utc(2026, 5, 14), r"^billing_anchor: is before billing begins at 2026-05-15"),
        (
            utc(2026, 6, 15, 0, 1),
            r"^billing_anchor: is more than one period \(monthly\) after billing begins",
        ),
    ],
)
def test_an_anchor_before_the_start_or_beyond_one_period_is_refused(
    anchor: object, message: str
) -> None:
    """Before the start; one minute past the start's first anniversary (Stripe too
    requires an anchor before the next natural billing date)."""
    with pytest.raises(InvalidPeriodError, match=message):
        start_subscription(  # type: ignore[call-overload]
            "s", "c", "personal", MONTHLY, utc(2026, 5, 15),
            catalog=CATALOG, trial=False, billing_anchor=anchor, policy=SEED_POLICY,
        )  # fmt: skip


def test_an_anchor_before_the_trial_end_is_refused() -> None:
    """With a trial billing begins at the trial's end (2026-01-24), not at the start."""
    with pytest.raises(InvalidPeriodError, match=r"before billing begins at 2026-01-24"):
        start_subscription(
            "s", "c", "personal", MONTHLY, utc(2026, 1, 10),
            catalog=CATALOG, billing_anchor=utc(2026, 1, 20), policy=SEED_POLICY,
        )  # fmt: skip
