"""Plan changes: quotes, decisions, credit caps, interval changes and day-based proration.

Every expected figure is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

from helpers import decided, started, utc
from subscription_rules import (
    KILL_BILL_LIKE,
    LAGO_LIKE,
    MONTHLY,
    SEED_POLICY,
    YEARLY,
    BillingPolicy,
    Catalog,
    ChangeDay,
    ChangeQuote,
    CreditBasis,
    Decision,
    DowngradeTiming,
    Infeasible,
    Interval,
    IntervalChange,
    Limits,
    Line,
    Money,
    MoveKind,
    Plan,
    Price,
    ProrationBilling,
    RecordedPrice,
    RefusalReason,
    Refused,
    RoundingMode,
    Status,
    Subscription,
    Timing,
    Usage,
    advance,
    cancel_pending_change,
    change_plan,
    default_catalog,
    quote_change,
    reinstate,
    start_subscription,
    suspend,
    upcoming_invoice,
)
from subscription_rules.errors import InvalidPeriodError, UnknownPlanError, UnknownPriceError

CATALOG = default_catalog()
SMALL = Usage.of(properties=3, integrations=1)
IMMEDIATE_DOWNGRADES = attrs.evolve(
    SEED_POLICY, name="seed, changed", downgrade_timing=DowngradeTiming.IMMEDIATELY
)


def quote(
    sub: Subscription,
    plan_id: str,
    at: datetime,
    *,
    catalog: Catalog = CATALOG,
    interval: Interval = MONTHLY,
    usage: Usage = SMALL,
    policy: BillingPolicy = SEED_POLICY,
) -> ChangeQuote:
    result = quote_change(sub, plan_id, interval, at, catalog=catalog, usage=usage, policy=policy)
    assert isinstance(result, ChangeQuote)
    return result


def change(
    sub: Subscription,
    plan_id: str,
    at: datetime,
    *,
    catalog: Catalog = CATALOG,
    interval: Interval = MONTHLY,
    usage: Usage = SMALL,
    policy: BillingPolicy = SEED_POLICY,
) -> Decision:
    result = change_plan(sub, plan_id, interval, at, catalog=catalog, usage=usage, policy=policy)
    assert isinstance(result, Decision), result
    return result


def minor(*lines: Line) -> list[int]:
    return [line.amount.minor for line in lines]


def one_plan_catalog(prices: dict[str, str], currency: str = "USD") -> Catalog:
    return Catalog(
        tuple(
            Plan(plan_id, plan_id.title(), (Price.of(amount, currency, MONTHLY),), Limits())
            for plan_id, amount in prices.items()
        )
    )


# --- upgrades ---------------------------------------------------------------------------------


def test_upgrade_mid_month_per_second_credits_unused_time_and_charges_the_rest() -> None:
    # Advanced USD 150.00/month from 1 Jan 2027; January has 31 days = 2,678,400 s.
    # Upgrade to Pro (USD 300.00) on 16 Jan 00:00: 16 days = 1,382,400 s remain.
    #   credit  = 15000 × 1,382,400 / 2,678,400 = 15000 × 16/31 = 7741.935… → 7742 (half-up)
    #   charge  = 30000 × 16/31 = 15483.870… → 15484
    #   net     = 15484 − 7742 = 7742 → USD 77.42 due now
    sub = started("advanced", utc(2027, 1, 1))
    q = quote(sub, "pro", utc(2027, 1, 16))
    assert q.kind is MoveKind.UPGRADE
    assert q.timing is Timing.IMMEDIATELY
    assert minor(*q.lines) == [-7742, 15484]
    assert q.total.minor == 7742
    assert q.amount_due_now.minor == 7742
    assert q.credit_after.minor == 0
    credit, charge = q.lines
    assert credit.description == "Unused time on Advanced from 16 Jan 2027 to 1 Feb 2027"
    assert charge.description == "Remaining time on Pro from 16 Jan 2027 to 1 Feb 2027"
    assert credit.explanation is not None
    assert (credit.explanation.units, credit.explanation.denominator) == (1_382_400, 2_678_400)
    assert str(credit.explanation) == (
        "USD 150.00 × 1,382,400/2,678,400 seconds = 7741.9354… cents, rounded half-up to USD 77.42"
    )


def test_upgrade_decision_issues_credit_note_then_invoice_with_credit_applied() -> None:
    # Same figures as above: credit note USD 77.42 to the balance, then an invoice of
    # USD 154.84 with USD 77.42 of credit applied → USD 77.42 charged; balance back to zero.
    sub = started("advanced", utc(2027, 1, 1))
    decision = change(sub, "pro", utc(2027, 1, 16))
    (note,) = decision.credit_notes
    (invoice,) = decision.invoices
    assert note.amount.minor == 7742
    assert (invoice.subtotal.minor, invoice.credit_applied.minor, invoice.amount_due.minor) == (
        15484,
        7742,
        7742,
    )
    after = decision.subscription
    assert after.plan_id == "pro"
    assert after.credit_balance.minor == 0
    assert [n.kind.value for n in decision.notices] == ["credit_note_issued", "upgraded"]
    # The period's record: Advanced billed 15000 for [1 Jan, 16 Jan) with 7742 credited,
    # Pro billed 15484 for [16 Jan, 1 Feb).
    first, second = after.stretches
    assert (first.plan_id, first.end, first.billed.minor, first.credited.minor) == (
        "advanced",
        utc(2027, 1, 16),
        15000,
        7742,
    )
    assert (second.plan_id, second.start, second.billed.minor) == ("pro", utc(2027, 1, 16), 15484)


def test_quote_changes_nothing() -> None:
    sub = started("advanced", utc(2027, 1, 1))
    quote(sub, "pro", utc(2027, 1, 16))
    assert sub == started("advanced", utc(2027, 1, 1))


# --- downgrades and feasibility ---------------------------------------------------------------


def test_advanced_to_personal_refused_until_seven_properties_are_deleted() -> None:
    # The help page: Advanced (10 properties) → Personal (3) "requires deleting 7 properties".
    sub = started("advanced", utc(2026, 11, 1))
    refused = change_plan(
        sub,
        "personal",
        MONTHLY,
        utc(2026, 11, 16),
        catalog=CATALOG,
        usage=Usage.of(properties=10),
        policy=SEED_POLICY,
    )
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.INFEASIBLE
    assert isinstance(refused.infeasible, Infeasible)
    assert refused.infeasible.actions_text == ("delete 7 properties",)
    accepted = change_plan(
        sub,
        "personal",
        MONTHLY,
        utc(2026, 11, 16),
        catalog=CATALOG,
        usage=Usage.of(properties=3),
        policy=SEED_POLICY,
    )
    assert isinstance(accepted, Decision)


def test_period_end_downgrade_charges_nothing_and_shows_in_the_upcoming_invoice() -> None:
    # Advanced USD 150.00 from 1 Nov 2026; downgrade to Personal on 16 Nov takes effect on
    # 1 Dec with no charge now; the upcoming invoice (1 Dec) is Personal at USD 50.00.
    sub = started("advanced", utc(2026, 11, 1))
    decision = change(sub, "personal", utc(2026, 11, 16))
    assert decision.invoices == ()
    assert decision.credit_notes == ()
    after = decision.subscription
    assert after.plan_id == "advanced"
    assert after.pending_change is not None
    assert after.pending_change.effective_at == utc(2026, 12, 1)
    upcoming = upcoming_invoice(after, utc(2026, 11, 16), catalog=CATALOG, policy=SEED_POLICY)
    assert upcoming is not None
    assert upcoming.issued_at == utc(2026, 12, 1)
    assert [(line.plan_id, line.amount.minor) for line in upcoming.lines] == [("personal", 5000)]
    renewed = advance(after, utc(2026, 12, 1), catalog=CATALOG, usage=SMALL, policy=SEED_POLICY)
    assert renewed.subscription.plan_id == "personal"
    assert [inv.amount_due.minor for inv in renewed.invoices] == [5000]
    assert [n.kind.value for n in renewed.notices] == ["downgraded", "renewed"]


def test_cancel_pending_change_keeps_the_current_plan() -> None:
    sub = change(started("advanced", utc(2026, 11, 1)), "personal", utc(2026, 11, 16)).subscription
    undone = cancel_pending_change(sub, utc(2026, 11, 17), policy=SEED_POLICY)
    assert isinstance(undone, Decision)
    assert undone.subscription.pending_change is None
    renewed = advance(undone.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert [inv.amount_due.minor for inv in renewed.invoices] == [15000]


def test_plan_change_decisions_name_the_next_wakeup() -> None:
    # Advanced from 1 Nov 2026: whether a change is scheduled, applied now or withdrawn, the
    # next thing time makes due is the period end, 1 Dec (SEED_POLICY sends no reminder).
    sub = started("advanced", utc(2026, 11, 1))
    scheduled = change(sub, "personal", utc(2026, 11, 16))
    assert scheduled.next_wakeup == utc(2026, 12, 1)
    undone = cancel_pending_change(scheduled.subscription, utc(2026, 11, 17), policy=SEED_POLICY)
    assert isinstance(undone, Decision)
    assert undone.next_wakeup == utc(2026, 12, 1)
    upgraded = change(sub, "pro", utc(2026, 11, 16))
    assert upgraded.subscription.plan_id == "pro"
    assert upgraded.next_wakeup == utc(2026, 12, 1)


def test_immediate_downgrade_credit_note_pays_next_invoices_until_used_up() -> None:
    # Pro USD 300.00 from 1 Nov 2026 (30 days); immediate downgrade to Personal on 16 Nov:
    #   credit for unused Pro = 30000 × 15/30 = 15000 → credit note USD 150.00
    #   charge Personal       =  5000 × 15/30 =  2500 → paid from the balance, due 0
    #   balance: 150.00 − 25.00 = 125.00
    # Renewals of Personal at USD 50.00: 1 Dec → due 0 (balance 75), 1 Jan → due 0 (25),
    # 1 Feb → 25 applied, due 25.00 (balance 0), 1 Mar → due 50.00.
    sub = started("pro", utc(2026, 11, 1))
    decision = change(sub, "personal", utc(2026, 11, 16), policy=IMMEDIATE_DOWNGRADES)
    (note,) = decision.credit_notes
    (invoice,) = decision.invoices
    assert note.amount.minor == 15000
    assert (invoice.subtotal.minor, invoice.amount_due.minor) == (2500, 0)
    assert decision.subscription.credit_balance.minor == 12500
    renewed = advance(decision.subscription, utc(2027, 3, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert [(i.credit_applied.minor, i.amount_due.minor) for i in renewed.invoices] == [
        (5000, 0),
        (5000, 0),
        (2500, 2500),
        (0, 5000),
    ]
    assert renewed.subscription.credit_balance.minor == 0


def test_second_change_in_a_period_is_capped_by_what_was_billed() -> None:
    # Personal USD 50.00 from 1 Nov 2026 (30 days). On 11 Nov (20 days left) an upgrade to Pro
    # under a promotional catalog where Pro costs USD 150.00: charge 15000 × 20/30 = 10000.
    # On 12 Nov (19 days left) an immediate move to Advanced under the regular catalog
    # (Pro USD 300.00):
    #   credit basis BILLED:      10000 × 19/20 (of the Pro stretch's 20 days) = 9500
    #   credit basis LIST_PRICE:  30000 × 19/30 = 19000, capped at the 10000 billed → 10000
    # The list price is the price the subscription is on: recorded as USD 300.00 here (as if
    # moved to the regular price after the promotional stretch was billed).
    promo = one_plan_catalog({"personal": "50", "pro": "150", "advanced": "150"})
    regular = one_plan_catalog({"personal": "50", "pro": "300", "advanced": "150"})
    sub = started("personal", utc(2026, 11, 1), catalog=promo)
    sub = change(sub, "pro", utc(2026, 11, 11), catalog=promo).subscription
    assert sub.stretches[-1].billed.minor == 10000
    sub = sub.evolve(price=RecordedPrice(regular.plan("pro").price(MONTHLY)))
    immediate = IMMEDIATE_DOWNGRADES
    billed = quote(sub, "advanced", utc(2026, 11, 12), catalog=regular, policy=immediate)
    assert minor(*billed.credit_lines) == [-9500]
    list_price = attrs.evolve(immediate, credit_basis=CreditBasis.LIST_PRICE)
    capped = quote(sub, "advanced", utc(2026, 11, 12), catalog=regular, policy=list_price)
    (line,) = capped.credit_lines
    assert line.amount.minor == -10000
    assert line.explanation is not None
    assert line.explanation.cap == Money.of("100", "USD")
    assert "capped at USD 100.00" in str(line.explanation)


def test_upgrade_then_downgrade_back_at_the_same_instant_nets_to_zero() -> None:
    # Advanced → Pro → Advanced at 16 Jan 2027 00:00 (16 of 31 days left):
    #   credit Advanced 7742, charge Pro 15484, credit Pro 15484 (its whole stretch),
    #   charge Advanced 15000 × 16/31 = 7742 → net 0.
    sub = started("advanced", utc(2027, 1, 1))
    at = utc(2027, 1, 16)
    up = change(sub, "pro", at)
    down = change(up.subscription, "advanced", at, policy=IMMEDIATE_DOWNGRADES)
    charged = sum(i.subtotal.minor for d in (up, down) for i in d.invoices)
    credited = sum(n.amount.minor for d in (up, down) for n in d.credit_notes)
    assert (charged, credited) == (15484 + 7742, 7742 + 15484)


# --- interval changes -------------------------------------------------------------------------


def test_monthly_to_yearly_credits_unused_time_and_restarts_the_cycle() -> None:
    # Personal USD 50.00 monthly from 1 Nov 2026; on 16 Nov (15 of 30 days left) move to
    # yearly (USD 500.00): credit 5000 × 15/30 = 2500; charge the year in full, 50000;
    # invoice 50000 with 2500 applied → USD 475.00 due. The cycle restarts on 16 Nov 2026.
    sub = started("personal", utc(2026, 11, 1))
    decision = change(sub, "personal", utc(2026, 11, 16), interval=YEARLY)
    (invoice,) = decision.invoices
    assert (invoice.subtotal.minor, invoice.credit_applied.minor, invoice.amount_due.minor) == (
        50000,
        2500,
        47500,
    )
    assert invoice.lines[0].description == "Personal, yearly, from 16 Nov 2026 to 16 Nov 2027"
    after = decision.subscription
    assert after.interval == YEARLY
    assert after.cycle.anchor == utc(2026, 11, 16)
    assert after.current_period.end == utc(2027, 11, 16)
    assert [n.kind.value for n in decision.notices] == ["credit_note_issued", "interval_changed"]
    renewed = advance(after, utc(2027, 11, 16), catalog=CATALOG, policy=SEED_POLICY)
    assert [(i.period_start, i.amount_due.minor) for i in renewed.invoices] == [
        (utc(2027, 11, 16), 50000)
    ]


KEEP_ANNIVERSARY = attrs.evolve(
    SEED_POLICY, name="seed, changed", interval_change=IntervalChange.KEEP_ANNIVERSARY
)


def test_keep_anniversary_charges_the_new_interval_prorated_to_the_next_anniversary() -> None:
    # Personal USD 50.00 monthly from 1 Nov 2026; on 16 Nov move to yearly (USD 500.00),
    # keeping the anniversary: credit 5000 × 15/30 = 2500; the yearly period holding the
    # change is 1 Nov 2026 … 1 Nov 2027 (365 days), 350 of them left:
    #   charge 50000 × 350/365 = 47945.2… → 47945; 2500 applied → 45445 due.
    sub = started("personal", utc(2026, 11, 1))
    at = utc(2026, 11, 16)
    q = quote(sub, "personal", at, interval=YEARLY, policy=KEEP_ANNIVERSARY)
    assert (minor(*q.lines), q.amount_due_now.minor, q.restarts_cycle) == (
        [-2500, 47945],
        45445,
        False,
    )
    decision = change(sub, "personal", at, interval=YEARLY, policy=KEEP_ANNIVERSARY)
    (invoice,) = decision.invoices
    assert (invoice.subtotal.minor, invoice.amount_due.minor) == (47945, 45445)
    after = decision.subscription
    assert (after.cycle.anchor, after.current_period.end) == (utc(2026, 11, 1), utc(2027, 11, 1))
    stretch = after.stretches[-1]
    assert (stretch.start, stretch.billed.minor) == (at, 47945)
    assert (stretch.units, stretch.denominator) == (350 * 86_400, 365 * 86_400)
    renewed = advance(after, utc(2027, 11, 1), catalog=CATALOG, policy=KEEP_ANNIVERSARY)
    assert [(i.period_start, i.amount_due.minor) for i in renewed.invoices] == [
        (utc(2027, 11, 1), 50000)
    ]


def test_keep_anniversary_yearly_to_monthly_charges_the_rest_of_the_month() -> None:
    # Personal USD 500.00 yearly from 1 Nov 2026; on 16 Jan 2027 move to monthly (USD 50.00):
    # credit 50000 × 289/365 (16 Jan … 1 Nov 2027) = 39589.0… → 39589; the monthly period
    # holding the change is 1 Jan … 1 Feb 2027 (31 days), 16 left: 5000 × 16/31 = 2580.6… → 2581.
    sub = started("personal", utc(2026, 11, 1), interval=YEARLY)
    q = quote(sub, "personal", utc(2027, 1, 16), policy=KEEP_ANNIVERSARY)
    assert minor(*q.lines) == [-39589, 2581]
    assert q.lines[1].end == utc(2027, 2, 1)


def test_keep_anniversary_period_end_interval_change_bills_to_the_next_anniversary() -> None:
    # Advanced USD 150.00 monthly from 1 Nov 2026 downgraded to Personal yearly (USD 500.00)
    # at the period end, keeping the anniversary: on 1 Dec 2026 the yearly period holding
    # it is 1 Nov 2026 … 1 Nov 2027 (365 days), 335 left: 50000 × 335/365 = 45890.4… → 45890.
    sub = started("advanced", utc(2026, 11, 1))
    sub = change(
        sub, "personal", utc(2026, 11, 16), interval=YEARLY, policy=KEEP_ANNIVERSARY
    ).subscription
    renewed = advance(sub, utc(2026, 12, 1), catalog=CATALOG, policy=KEEP_ANNIVERSARY)
    assert [(i.period_start, i.period_end, i.subtotal.minor) for i in renewed.invoices] == [
        (utc(2026, 12, 1), utc(2027, 11, 1), 45890)
    ]
    stretch = renewed.subscription.stretches[-1]
    assert (stretch.units, stretch.denominator) == (335 * 86_400, 365 * 86_400)


def test_keep_anniversary_interval_change_applied_at_reinstatement_bills_to_the_anniversary() -> (
    None
):
    # The same downgrade, but suspended on 20 Nov 2026 and reinstated on 16 Dec 2026: the
    # change's time came meanwhile, so it applies then; the yearly period holding 16 Dec is
    # 1 Nov 2026 … 1 Nov 2027 (365 days), 320 left: 50000 × 320/365 = 43835.6… → 43836.
    sub = started("advanced", utc(2026, 11, 1))
    sub = change(
        sub, "personal", utc(2026, 11, 16), interval=YEARLY, policy=KEEP_ANNIVERSARY
    ).subscription
    sub = decided(suspend(sub, utc(2026, 11, 20), policy=KEEP_ANNIVERSARY)).subscription
    back = decided(reinstate(sub, utc(2026, 12, 16), catalog=CATALOG, policy=KEEP_ANNIVERSARY))
    assert [i.subtotal.minor for i in back.invoices] == [43836]
    assert back.subscription.current_period.end == utc(2027, 11, 1)


def test_interval_change_quote_says_it_restarts_the_cycle() -> None:
    sub = started("personal", utc(2026, 11, 1))
    q = quote(sub, "personal", utc(2026, 11, 16), interval=YEARLY)
    assert q.kind is MoveKind.INTERVAL_CHANGE
    assert q.restarts_cycle


# --- day-based proration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "policy", "expected"),
    [
        # Leap February 2028: 29 days. Change on 15 Feb at 10:00; half-open days with the
        # change day paid by the new plan: 1 Mar − 15 Feb = 15 days remain.
        #   credit 5000 × 15/29 = 2586.2… → 2586; charge 15000 × 15/29 = 7758.6… → 7759
        (2028, KILL_BILL_LIKE, (-2586, 7759)),
        # Lago counts both ends: the last day is 29 Feb, 15..29 Feb = 15 days of 29: same.
        (2028, LAGO_LIKE, (-2586, 7759)),
        # The change day kept by the old plan: 14 days remain.
        #   credit 5000 × 14/29 = 2413.7… → 2414; charge 15000 × 14/29 = 7241.3… → 7241
        (
            2028,
            attrs.evolve(KILL_BILL_LIKE, name="killbill, changed", change_day=ChangeDay.OLD_PLAN),
            (-2414, 7241),
        ),
        # Common February 2027: 28 days, 14 remain: 5000 × 14/28 = 2500; 15000 × 14/28 = 7500
        (2027, KILL_BILL_LIKE, (-2500, 7500)),
    ],
)
def test_day_based_proration_in_february(
    year: int, policy: BillingPolicy, expected: tuple[int, int]
) -> None:
    sub = started("personal", utc(year, 2, 1), policy=policy)
    q = quote(sub, "advanced", utc(year, 2, 15, 10), policy=policy)
    assert tuple(minor(*q.lines)) == expected


def test_fixed_denominator_of_thirty_days() -> None:
    # Kill Bill's optional fixed 30-day months. January 2027 (31 days), change on 16 Jan:
    # 16 Jan → 1 Feb crosses into February, so Kill Bill counts 16 − (31 − 30) = 15 of a
    # fixed 30 (its TestInvoiceDateUtilsWithFixedProration: 23 May → 15 Jun is 22 days):
    # credit 5000 × 15/30 = 2500, charge 15000 × 15/30 = 7500. (Before issue 12 only the
    # denominator was fixed: 16/30, and a whole unused January credited 31/30 of it.)
    policy = attrs.evolve(KILL_BILL_LIKE, name="killbill, changed", fixed_denominator_days=30)
    sub = started("personal", utc(2027, 1, 1), policy=policy)
    q = quote(sub, "advanced", utc(2027, 1, 16), policy=policy)
    assert minor(*q.lines) == [-2500, 7500]


def test_day_proration_counts_days_in_the_cycles_time_zone() -> None:
    # A cycle in Europe/Paris anchored at local midnight 1 Feb 2028 (= 31 Jan 23:00 UTC).
    # A change at 14 Feb 23:30 UTC is already 15 Feb 00:30 in Paris: 15 days remain of 29.
    decision = start_subscription(
        "s", "c", "personal", MONTHLY, datetime(2028, 1, 31, 23, tzinfo=UTC),
        catalog=CATALOG, trial=False, time_zone="Europe/Paris", policy=KILL_BILL_LIKE,
    )  # fmt: skip
    q = quote(decision.subscription, "advanced", utc(2028, 2, 14, 23, 30), policy=KILL_BILL_LIKE)
    assert minor(*q.lines) == [-2586, 7759]


# --- rounding ---------------------------------------------------------------------------------

# Plan A USD 1.01 and plan B USD 1.03 a month; a change at exactly half of a 30-day November
# (per second): credit 101 / 2 = 50.5 cents, charge 103 / 2 = 51.5 cents: both exact ties.
# Credits are rounded as positive amounts, then signed.
HALF_CENT_TIES = [
    (RoundingMode.HALF_UP, 51, 52),
    (RoundingMode.HALF_EVEN, 50, 52),
    (RoundingMode.HALF_DOWN, 50, 51),
    (RoundingMode.DOWN, 50, 51),
    (RoundingMode.UP, 51, 52),
    (RoundingMode.FLOOR, 50, 51),
    (RoundingMode.CEILING, 51, 52),
]


@pytest.mark.parametrize(("mode", "credit", "charge"), HALF_CENT_TIES)
def test_half_cent_tie_on_proration_lines_under_each_rounding_mode(
    mode: RoundingMode, credit: int, charge: int
) -> None:
    catalog = one_plan_catalog({"a": "1.01", "b": "1.03"})
    sub = started("a", utc(2026, 11, 1), catalog=catalog)
    q = quote(sub, "b", utc(2026, 11, 16), catalog=catalog, policy=BillingPolicy(rounding=mode))
    assert minor(*q.lines) == [-credit, charge]


def test_zero_decimal_currency_rounds_to_whole_yen() -> None:
    # JPY 1,000 → JPY 3,000 a month, from 1 Jan 2027 (31 days), change on 11 Jan (21 days
    # left): credit 1000 × 21/31 = 677.4… → 677; charge 3000 × 21/31 = 2032.2… → 2032.
    catalog = one_plan_catalog({"basic": "1000", "plus": "3000"}, currency="JPY")
    sub = started("basic", utc(2027, 1, 1), catalog=catalog)
    q = quote(sub, "plus", utc(2027, 1, 11), catalog=catalog)
    assert [str(line.amount) for line in q.lines] == ["JPY -677", "JPY 2032"]
    assert str(q.amount_due_now) == "JPY 1355"


def test_three_decimal_currency_keeps_fils() -> None:
    # KWD 10.000 → KWD 25.000, 30-day November, change on 21 Nov (10 days left):
    # credit 10000 fils × 10/30 = 3333.3… → 3333; charge 25000 × 10/30 = 8333.3… → 8333.
    catalog = one_plan_catalog({"basic": "10", "plus": "25"}, currency="KWD")
    sub = started("basic", utc(2026, 11, 1), catalog=catalog)
    q = quote(sub, "plus", utc(2026, 11, 21), catalog=catalog)
    assert [str(line.amount) for line in q.lines] == ["KWD -3.333", "KWD 8.333"]


# --- policies ---------------------------------------------------------------------------------


def test_next_invoice_billing_defers_the_charge_to_the_renewal() -> None:
    # Stripe's create_prorations: the USD 154.84 charge waits for 1 Feb; the 77.42 credit
    # joins the balance. The 1 Feb invoice: Pro 300.00 + 154.84 − 77.42 credit = 377.42.
    policy = attrs.evolve(
        SEED_POLICY, name="seed, changed", proration_billing=ProrationBilling.NEXT_INVOICE
    )
    sub = started("advanced", utc(2027, 1, 1))
    decision = change(sub, "pro", utc(2027, 1, 16), policy=policy)
    assert decision.invoices == ()
    assert decision.subscription.credit_balance.minor == 7742
    renewed = advance(decision.subscription, utc(2027, 2, 1), catalog=CATALOG, policy=SEED_POLICY)
    (invoice,) = renewed.invoices
    assert minor(*invoice.lines) == [30000, 15484]
    assert (invoice.credit_applied.minor, invoice.amount_due.minor) == (7742, 37742)


def test_no_proration_switches_plan_without_lines() -> None:
    policy = attrs.evolve(
        SEED_POLICY, name="seed, changed", proration_billing=ProrationBilling.NONE
    )
    sub = started("advanced", utc(2027, 1, 1))
    decision = change(sub, "pro", utc(2027, 1, 16), policy=policy)
    assert decision.invoices == ()
    assert decision.credit_notes == ()
    assert decision.subscription.plan_id == "pro"


def test_refund_destination_never_refunds_more_than_was_paid() -> None:
    # Pro USD 300.00 from 1 Nov. Immediate downgrade on 16 Nov with refunds: credit 15000.
    # Unpaid, nothing is refundable: the 15000 joins the balance and pays Personal's 2500
    # charge, leaving 12500. Paid in full by card, 15000 ≤ 30000 is refunded and Personal's
    # 2500 charge is invoiced and paid by card (no balance left).
    from subscription_rules import CreditDestination, RefundPayment, record_payment  # noqa: PLC0415
    from subscription_rules.dunning import Succeeded  # noqa: PLC0415

    policy = attrs.evolve(IMMEDIATE_DOWNGRADES, credit_destination=CreditDestination.REFUND)
    unpaid = started("pro", utc(2026, 11, 1))
    before_payment = change(unpaid, "personal", utc(2026, 11, 16), policy=policy)
    assert not any(isinstance(e, RefundPayment) for e in before_payment.effects)
    assert before_payment.subscription.credit_balance.minor == 12500
    key = "sub_1:charge:sub_1-INV-0001:due-30000:attempt-1"
    paid = record_payment(
        unpaid, key, Succeeded(), utc(2026, 11, 1), catalog=CATALOG, policy=SEED_POLICY
    )
    assert isinstance(paid, Decision)
    decision = change(paid.subscription, "personal", utc(2026, 11, 16), policy=policy)
    refunds = [e for e in decision.effects if isinstance(e, RefundPayment)]
    assert [r.amount.minor for r in refunds] == [15000]
    assert [i.amount_due.minor for i in decision.invoices] == [2500]
    assert decision.subscription.credit_balance.minor == 0


# --- refusals and bad input -------------------------------------------------------------------


def test_same_plan_and_interval_is_refused_as_no_change() -> None:
    sub = started("advanced", utc(2027, 1, 1))
    result = change_plan(
        sub, "advanced", MONTHLY, utc(2027, 1, 2), catalog=CATALOG, usage=SMALL, policy=SEED_POLICY
    )
    assert isinstance(result, Refused)
    assert result.reason is RefusalReason.NO_CHANGE


def test_ended_subscription_cannot_change_plan() -> None:
    sub = attrs.evolve(started("advanced", utc(2027, 1, 1)), status=Status.ENDED)
    result = change_plan(
        sub, "pro", MONTHLY, utc(2027, 1, 2), catalog=CATALOG, usage=SMALL, policy=SEED_POLICY
    )
    assert isinstance(result, Refused)
    assert result.reason is RefusalReason.NOT_ALLOWED_IN_STATUS


def test_change_in_a_trial_keeps_the_trial_end_and_charges_nothing() -> None:
    sub = start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 11, 1), catalog=CATALOG, policy=SEED_POLICY
    )
    decision = change(sub.subscription, "pro", utc(2026, 11, 5))
    assert decision.invoices == ()
    assert decision.credit_notes == ()
    assert decision.subscription.plan_id == "pro"
    assert decision.subscription.trial_end == utc(2026, 11, 15)
    assert decision.subscription.status is Status.TRIALING


def test_unknown_plan_and_unknown_interval_are_errors() -> None:
    sub = started("advanced", utc(2027, 1, 1))
    with pytest.raises(UnknownPlanError, match="plan_id: unknown plan 'gold'"):
        quote(sub, "gold", utc(2027, 1, 2))
    from subscription_rules import WEEKLY  # noqa: PLC0415

    with pytest.raises(UnknownPriceError, match="has no weekly price"):
        quote(sub, "pro", utc(2027, 1, 2), interval=WEEKLY)


def test_change_after_the_period_end_must_advance_first() -> None:
    sub = started("advanced", utc(2027, 1, 1))
    with pytest.raises(InvalidPeriodError, match="advance the subscription first"):
        quote(sub, "pro", utc(2027, 2, 1))


def test_change_before_what_was_processed_is_refused() -> None:
    sub = change(started("advanced", utc(2027, 1, 1)), "pro", utc(2027, 1, 16)).subscription
    with pytest.raises(InvalidPeriodError, match="already processed"):
        quote(sub, "advanced", utc(2027, 1, 10))
