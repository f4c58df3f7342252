"""Kill Bill's published examples under ``KILL_BILL_LIKE``.

Sources: the repository killbill/killbill (snapshot cb60779c17, August 2026).
Kill Bill computes a proration fraction to 9 decimals, rounded half up
(``KillBillMoney.MAX_SCALE``); a price of 1,000,000,000 minor units makes the
line's minor units the fraction's nine digits, so the figures compare exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from conformance._engines import begun, catalog_of, changed, charged, credited, quoted
from subscription_rules import (
    KILL_BILL_LIKE,
    MONTHLY,
    Catalog,
    CreditCap,
    Decision,
    DowngradeTiming,
    Limits,
    Money,
    Plan,
    Price,
    Status,
    Succeeded,
    adjust,
    advance,
    record_payment,
    start_subscription,
    terminate,
)
from subscription_rules.dunning import (
    OverdueAction,
    OverdueLadder,
    OverdueState,
    UnpaidInvoice,
    overdue_state,
)

#: Kill Bill's ``org.killbill.invoice.proration.fixed.days=30``.
FIXED_30 = attrs.evolve(KILL_BILL_LIKE, name="killbill, changed", fixed_denominator_days=30)
#: A billion minor units a month, so a line shows the fraction to nine decimals.
BILLION = catalog_of({"a": "10000000.00", "b": "20000000.00"})

# (year, month) of a period anchored on the 15th, changed on the 23rd, Kill Bill's figure.
ACTUAL_DAYS = [
    ((2023, 5), 741_935_484),  # 23 May -> 15 Jun: 23 of 31 days
    ((2023, 6), 733_333_333),  # 23 Jun -> 15 Jul: 22 of 30
    ((2023, 2), 714_285_714),  # 23 Feb -> 15 Mar 2023: 20 of 28
    ((2024, 2), 724_137_931),  # 23 Feb -> 15 Mar 2024: 21 of 29
]


@pytest.mark.parametrize(("month", "fraction"), ACTUAL_DAYS)
def test_actual_day_fractions_of_a_monthly_period(month: tuple[int, int], fraction: int) -> None:
    """killbill/killbill, invoice/src/test/java/org/killbill/billing/invoice/generator/
    TestInvoiceDateUtilsWithoutFixedProration.java, testProRationAfterLastBillingCycleDate
    and testProRationBeforeFirstBillingPeriod (fixed days 0, MONTHLY).

    Published: 2023-05-23 -> 06-15 is 0.741935484; 2023-06-23 -> 07-15 is
    0.733333333; 2023-02-23 -> 03-15 is 0.714285714; 2024-02-23 -> 03-15 is
    0.724137931 (actual days over the actual days of the month-long period).
    Here: a period from the 15th, changed on the 23rd; the unused span is that
    interval, credited at 1e9 × fraction minor units.
    """
    year, month_ = month
    sub = begun(BILLION, "a", datetime(year, month_, 15, tzinfo=UTC), KILL_BILL_LIKE).subscription
    q = quoted(sub, BILLION, "b", datetime(year, month_, 23, tzinfo=UTC), KILL_BILL_LIKE)
    assert q.lines[0].amount.minor == -fraction


@pytest.mark.parametrize(("year", "month"), [(2023, 5), (2023, 6), (2023, 2), (2024, 2)])
def test_fixed_thirty_day_fractions_across_a_month_end(year: int, month: int) -> None:
    """killbill/killbill, invoice/src/test/java/org/killbill/billing/invoice/generator/
    TestInvoiceDateUtilsWithFixedProration.java, testProRationAfterLastBillingCycleDate
    and testProRationBeforeFirstBillingPeriod1 (fixed days 30, MONTHLY).

    Published: the same four intervals (2023-05-23 -> 06-15, 2023-06-23 -> 07-15,
    2023-02-23 -> 03-15, 2024-02-23 -> 03-15) all give 0.733333333: each
    counts 22 days (testDaysBetweenWithFixedDaysInMonthForDifferentMonths) of 30.
    """
    sub = begun(BILLION, "a", datetime(year, month, 15, tzinfo=UTC), FIXED_30).subscription
    q = quoted(sub, BILLION, "b", datetime(year, month, 23, tzinfo=UTC), FIXED_30)
    assert q.lines[0].amount.minor == -733_333_333


@pytest.mark.parametrize(
    ("start", "change"),
    [
        (datetime(2023, 4, 23, tzinfo=UTC), datetime(2023, 5, 15, tzinfo=UTC)),
        (datetime(2023, 5, 23, tzinfo=UTC), datetime(2023, 6, 15, tzinfo=UTC)),
    ],
)
def test_fixed_thirty_day_fraction_within_one_month(start: datetime, change: datetime) -> None:
    """killbill/killbill, invoice/src/test/java/org/killbill/billing/invoice/generator/
    TestInvoiceDateUtilsWithFixedProration.java, testProRationBeforeFirstBillingPeriod2.

    Published: 2023-05-15 -> 05-23 and 2023-06-15 -> 06-23 give 0.266666667:
    within one month the 8 actual days are kept (8/30). Here: a period
    anchored on the 23rd, changed on the 15th.
    """
    sub = begun(BILLION, "a", start, FIXED_30).subscription
    q = quoted(sub, BILLION, "b", change, FIXED_30)
    assert q.lines[0].amount.minor == -266_666_667


@pytest.mark.parametrize(
    ("target", "billed"),
    [
        (datetime(2011, 2, 1, tzinfo=UTC), [387_096_774]),  # ..._TargetDateOnStartDate
        (datetime(2011, 2, 4, tzinfo=UTC), [387_096_774]),  # ..._TargetDateInProRationPeriod
        (datetime(2011, 2, 13, tzinfo=UTC), [387_096_774, 10**9]),  # ..._OnFirstBillingDate
        (datetime(2011, 4, 13, tzinfo=UTC), [387_096_774] + [10**9] * 3),  # ..._AfterFirst...
    ],
)
def test_leading_proration_to_the_bill_cycle_day(target: datetime, billed: list[int]) -> None:
    """killbill/killbill, invoice/src/test/java/org/killbill/billing/invoice/proRations/
    inAdvance/monthly/TestLeadingProRation.java, testLeadingProRation_Evergreen_* (MONTHLY).

    Published: start 2011-02-01, bill-cycle day 13; the number of billing
    cycles billed by target date 02-01 and 02-04 is 12/31 (0.387096774, the
    leading stub 1 … 13 Feb of the 31-day period 13 Jan … 13 Feb); by 02-13
    it is 12/31 + 1, by 04-13 12/31 + 3. Here: the bill-cycle day is the
    billing anchor 2011-02-13; at 1e9 minor units a month a line is the
    fraction's nine digits (1e9 × 12/31 = 387 096 774.19 → 387 096 774).
    """
    d = start_subscription(
        "sub_1", "cus_1", "a", MONTHLY, datetime(2011, 2, 1, tzinfo=UTC), catalog=BILLION,
        trial=False, policy=KILL_BILL_LIKE, billing_anchor=datetime(2011, 2, 13, tzinfo=UTC),
    )  # fmt: skip
    later = advance(d.subscription, target, catalog=BILLION, policy=KILL_BILL_LIKE)
    assert charged(d) + charged(later) == billed


#: beatrix's catalogs/default ``pistol-monthly-notrial``: 19.95 a month, no trial.
PISTOL = catalog_of({"pistol": "19.95"})


def _pistol(start: datetime, bill_cycle_day: datetime | None = None) -> Decision:
    """``pistol-monthly-notrial`` created at ``start`` under ``FIXED_30``, anchored on the BCD."""
    return start_subscription(
        "sub_1", "cus_1", "pistol", MONTHLY, start, catalog=PISTOL, trial=False,
        policy=FIXED_30, billing_anchor=bill_cycle_day,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("start", "bill_cycle_day", "stub"),
    [
        (datetime(2023, 5, 15, tzinfo=UTC), datetime(2023, 5, 23, tzinfo=UTC), 532),
        (datetime(2023, 6, 15, tzinfo=UTC), datetime(2023, 6, 23, tzinfo=UTC), 532),
        (datetime(2023, 5, 23, tzinfo=UTC), datetime(2023, 6, 15, tzinfo=UTC), 1463),
        (datetime(2023, 6, 23, tzinfo=UTC), datetime(2023, 7, 15, tzinfo=UTC), 1463),
    ],
)
def test_fixed_thirty_day_leading_proration(
    start: datetime, bill_cycle_day: datetime, stub: int
) -> None:
    """killbill/killbill, beatrix/src/test/java/org/killbill/billing/beatrix/integration/
    TestInvoiceFixedProration.java, testInvoiceLeadingProration1 and 2
    (``org.killbill.invoice.proration.fixed.days=30``, pistol-monthly-notrial 19.95).

    Published: BCD 23, created 2023-05-15 (and 06-15): RECURRING 05-15 → 05-23
    5.32 (19.95 × 8/30 = 5.32); BCD 15, created 2023-05-23 (and 06-23):
    RECURRING 05-23 → 06-15 14.63 (22 fixed days of 30: 19.95 × 22/30 =
    14.63). Here: the bill-cycle day is the billing anchor.
    """
    d = _pistol(start, bill_cycle_day)
    assert charged(d) == [stub]
    (line,) = d.invoices[0].lines
    assert (line.start, line.end) == (start, bill_cycle_day)


@pytest.mark.parametrize(
    ("start", "cancel", "credit"),
    [
        (datetime(2023, 4, 23, tzinfo=UTC), datetime(2023, 5, 15, tzinfo=UTC), 532),
        (datetime(2023, 5, 23, tzinfo=UTC), datetime(2023, 6, 15, tzinfo=UTC), 532),
        (datetime(2023, 5, 15, tzinfo=UTC), datetime(2023, 5, 23, tzinfo=UTC), 1463),
        (datetime(2023, 6, 15, tzinfo=UTC), datetime(2023, 6, 23, tzinfo=UTC), 1463),
    ],
)
def test_fixed_thirty_day_trailing_proration(
    start: datetime, cancel: datetime, credit: int
) -> None:
    """killbill/killbill, beatrix/.../integration/TestInvoiceFixedProration.java,
    testInvoiceTrailingProration1 and 2 (fixed days 30, pistol-monthly-notrial 19.95).

    Published: BCD 23, created 2023-04-23 (RECURRING 04-23 → 05-23 19.95),
    cancelled 2023-05-15: REPAIR_ADJ 05-15 → 05-23 −5.32 and CBA_ADJ +5.32;
    the same from 05-23 cancelled 06-15. BCD 15, created 2023-05-15 (19.95),
    cancelled 05-23: REPAIR_ADJ 05-23 → 06-15 −14.63, CBA_ADJ +14.63; the same
    from 06-15 cancelled 06-23. Here: created on the BCD (no anchor needed)
    and terminated on the cancel date; the credit goes to the balance.
    """
    d = _pistol(start)
    assert charged(d) == [1995]
    ended = terminate(d.subscription, cancel, catalog=PISTOL, policy=FIXED_30)
    assert isinstance(ended, Decision)
    assert credited(ended) == [-credit]
    assert ended.subscription.credit_balance == Money.from_minor(credit, "USD")


@pytest.mark.parametrize(
    ("start", "bill_cycle_day", "cancel", "stub"),
    [
        (
            datetime(2023, 5, 15, tzinfo=UTC),
            datetime(2023, 5, 23, tzinfo=UTC),
            datetime(2023, 6, 15, tzinfo=UTC),
            532,
        ),
        (
            datetime(2023, 5, 23, tzinfo=UTC),
            datetime(2023, 6, 15, tzinfo=UTC),
            datetime(2023, 6, 23, tzinfo=UTC),
            1463,
        ),
    ],
)
def test_fixed_thirty_day_leading_and_trailing_proration(
    start: datetime, bill_cycle_day: datetime, cancel: datetime, stub: int
) -> None:
    """killbill/killbill, beatrix/.../integration/TestInvoiceFixedProration.java,
    testInvoiceLeadingAndTrailingProration1 and 2 (fixed days 30, pistol 19.95).

    Published: BCD 23, created 2023-05-15: RECURRING 05-15 → 05-23 5.32; on
    05-23 RECURRING 05-23 → 06-23 19.95; cancelled 06-15: REPAIR_ADJ 06-15 →
    06-23 −5.32, CBA_ADJ +5.32. BCD 15, created 05-23: 14.63 (05-23 → 06-15),
    19.95 on 06-15, cancelled 06-23: REPAIR_ADJ −14.63, CBA_ADJ +14.63.
    """
    d = _pistol(start, bill_cycle_day)
    renewed = advance(d.subscription, cancel, catalog=PISTOL, policy=FIXED_30)
    assert charged(d) + charged(renewed) == [stub, 1995]
    ended = terminate(renewed.subscription, cancel, catalog=PISTOL, policy=FIXED_30)
    assert isinstance(ended, Decision)
    assert credited(ended) == [-stub]
    assert ended.subscription.credit_balance == Money.from_minor(stub, "USD")


#: The beatrix test's catalog: Assault-Rifle (30-day trial), Blowdart, Pistol, monthly.


#: The beatrix tests' catalog: Assault-Rifle and Shotgun (30-day trials), Blowdart, Pistol,
#: monthly.
GUNS = Catalog(
    (
        Plan(
            "assault-rifle", "Assault-Rifle", (Price.of("599.95", "USD"),), Limits(), trial_days=30
        ),
        Plan("blowdart", "Blowdart", (Price.of("9.95", "USD"),), Limits()),
        Plan("shotgun", "Shotgun", (Price.of("249.95", "USD"),), Limits(), trial_days=30),
        Plan("pistol", "Pistol", (Price.of("29.95", "USD"),), Limits()),
    )
)
#: The test changes plans with ``BillingActionPolicy.IMMEDIATE``, downgrade included.
IMMEDIATE = attrs.evolve(
    KILL_BILL_LIKE, name="killbill, changed", downgrade_timing=DowngradeTiming.IMMEDIATELY
)


def test_immediate_changes_repair_the_billed_item_and_credit_the_account() -> None:
    """killbill/killbill, beatrix/src/test/java/org/killbill/billing/beatrix/integration/
    TestIntegrationInvoiceWithRepairLogic.java, testMultiplePartialRepairs (UTC, BCD 1).

    Published: Assault-Rifle from 2012-04-01 (a trial to 05-01), RECURRING
    05-01 -> 06-01 599.95. IMMEDIATE change to Blowdart on 2012-05-07:
    RECURRING 05-07 -> 06-01 8.02 (9.95 × 25/31), REPAIR_ADJ -483.83
    (599.95 × 25/31), CBA_ADJ 475.81. Then to Pistol on 2012-05-08: RECURRING
    23.19 (29.95 × 24/31), REPAIR_ADJ -7.70 (the 8.02 item × 24/25: the credit
    is worked from what was billed), CBA_ADJ -15.49 (the account credit used).
    """
    sub = start_subscription(
        "sub_1", "cus_1", "assault-rifle", MONTHLY, datetime(2012, 4, 1, tzinfo=UTC),
        catalog=GUNS, policy=IMMEDIATE,
    ).subscription  # fmt: skip
    assert sub.status is Status.TRIALING
    renewed = advance(sub, datetime(2012, 5, 1, tzinfo=UTC), catalog=GUNS, policy=IMMEDIATE)
    assert charged(renewed) == [59995]
    blowdart = changed(
        renewed.subscription, GUNS, "blowdart", datetime(2012, 5, 7, tzinfo=UTC), IMMEDIATE
    )
    assert (credited(blowdart), charged(blowdart)) == ([-48383], [802])
    assert blowdart.subscription.credit_balance == Money.of("475.81", "USD")
    pistol = changed(
        blowdart.subscription, GUNS, "pistol", datetime(2012, 5, 8, tzinfo=UTC), IMMEDIATE
    )
    assert (credited(pistol), charged(pistol)) == ([-770], [2319])
    assert pistol.subscription.credit_balance == Money.of("460.32", "USD")  # 475.81 - 15.49


def test_an_item_adjustment_caps_the_repair_of_a_later_change() -> None:
    """killbill/killbill, beatrix/src/test/java/org/killbill/billing/beatrix/integration/
    TestIntegrationInvoiceWithRepairLogic.java, testSimplePartialRepairWithItemAdjustment
    (UTC, BCD 1).

    Published: Shotgun from 2012-04-01 (a trial to 05-01), RECURRING 05-01 -> 06-01 249.95,
    paid. On 2012-05-02 the item is adjusted by 10 (ITEM_ADJ -10, CBA_ADJ 10). IMMEDIATE
    change to Blowdart the same day: RECURRING 05-02 -> 06-01 9.63 (9.95 × 30/31), and the
    repair "~ 249.95 - (249.95 / 31) ~ 241.88. However we adjusted the item so max available
    amount is 249.95 - 10 = 239.95": REPAIR_ADJ -239.95, CBA_ADJ 230.32 (239.95 - 9.63).
    The account credit is then 10 + 230.32 = 240.32. (With ``CreditCap.REMAINING`` the
    repair would be (249.95 - 10) × 30/31 = 232.21.)
    """
    sub = start_subscription(
        "sub_1", "cus_1", "shotgun", MONTHLY, datetime(2012, 4, 1, tzinfo=UTC),
        catalog=GUNS, policy=IMMEDIATE,
    ).subscription  # fmt: skip
    renewed = advance(sub, datetime(2012, 5, 1, tzinfo=UTC), catalog=GUNS, policy=IMMEDIATE)
    assert charged(renewed) == [24995]
    (item,) = renewed.subscription.open_invoices
    assert item.attempt_key is not None
    paid = record_payment(
        renewed.subscription, item.attempt_key, Succeeded(), datetime(2012, 5, 1, tzinfo=UTC),
        catalog=GUNS, policy=IMMEDIATE,
    )  # fmt: skip
    assert isinstance(paid, Decision)
    may_2 = datetime(2012, 5, 2, tzinfo=UTC)
    adjusted = adjust(
        paid.subscription, item.id, Money.of("10", "USD"), may_2,
        reason="item adjustment", catalog=GUNS, policy=IMMEDIATE,
    )  # fmt: skip
    assert isinstance(adjusted, Decision)
    assert credited(adjusted) == [-1000]
    assert adjusted.subscription.credit_balance == Money.of("10.00", "USD")
    blowdart = changed(adjusted.subscription, GUNS, "blowdart", may_2, IMMEDIATE)
    assert (credited(blowdart), charged(blowdart)) == ([-23995], [963])
    assert blowdart.subscription.credit_balance == Money.of("240.32", "USD")
    remaining = attrs.evolve(IMMEDIATE, credit_cap=CreditCap.REMAINING)
    ours = changed(adjusted.subscription, GUNS, "blowdart", may_2, remaining)
    assert credited(ours) == [-23221]


#: profiles/killbill/src/main/resources/overdue.xml, the server profile's overdue states.
PROFILE_LADDER = OverdueLadder(
    (
        OverdueState("OD1", days=30, actions=frozenset({OverdueAction.BLOCK_CHANGES})),
        OverdueState(
            "OD2", days=40, actions=frozenset({OverdueAction.BLOCK_CHANGES, OverdueAction.SUSPEND})
        ),
        OverdueState(
            "OD3", days=50, actions=frozenset({OverdueAction.BLOCK_CHANGES, OverdueAction.SUSPEND})
        ),
    )
)


@pytest.mark.parametrize(
    ("days", "state"), [(29, None), (30, "OD1"), (39, "OD1"), (40, "OD2"), (50, "OD3")]
)
def test_overdue_states_of_the_server_profile(days: int, state: str | None) -> None:
    """killbill/killbill, profiles/killbill/src/main/resources/overdue.xml.

    Published configuration: OD1 when the time since the earliest unpaid
    invoice equals or exceeds 30 days (changes blocked, entitlement kept),
    OD2 at 40 days and OD3 at 50 (entitlement disabled and changes blocked).
    ``KILL_BILL_LIKE`` has no ladder (Kill Bill ships none by default): the
    profile's ladder is given here as the policy's ``overdue_ladder`` would be.
    """
    policy = attrs.evolve(KILL_BILL_LIKE, name="killbill, changed", overdue_ladder=PROFILE_LADDER)
    assert policy.overdue_ladder is not None
    issued = datetime(2023, 1, 1, tzinfo=UTC)
    unpaid = [UnpaidInvoice(issued, Money.of("19.95", "USD"))]
    status = overdue_state(unpaid, issued + timedelta(days=days), policy.overdue_ladder)
    assert (status.state.name if status.state else None) == state
