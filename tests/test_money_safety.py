"""Regressions of issue 12 (money safety): each test failed before its fix.

Every figure is worked out by hand in the test: the catalog is the built-in one
(Personal USD 50 a month or 500 a year, Advanced 150 / 1,500, Pro 300 / 3,000).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import attrs
import pytest

from helpers import decided, started, utc
from subscription_rules import (
    KILL_BILL_LIKE,
    LAGO_LIKE,
    MONTHLY,
    SEED_POLICY,
    STRIPE_LIKE,
    YEARLY,
    BillingPeriod,
    BillingPolicy,
    Catalog,
    ChangeDay,
    ChargeInvoice,
    CreditBasis,
    Decision,
    DowngradeTiming,
    Interval,
    IntervalChange,
    Limits,
    LineKind,
    Plan,
    Price,
    ProrationBilling,
    ProrationUnit,
    RefusalReason,
    Refused,
    RetriesExhausted,
    Subscription,
    SuspendedTime,
    Usage,
    advance,
    cancel,
    change_plan,
    default_catalog,
    marked_unpaid,
    record_payment,
    reinstate,
    start_subscription,
    suspend,
)
from subscription_rules.dunning import Declined, DeclineKind
from subscription_rules.errors import (
    InvalidArgumentError,
    InvalidPeriodError,
    InvalidPolicyError,
)

CATALOG = default_catalog()
NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)
FITS = Usage.of(properties=1)


def change(
    sub: Subscription,
    plan_id: str,
    interval: Interval,
    at: datetime,
    policy: BillingPolicy = SEED_POLICY,
) -> Decision:
    return decided(
        change_plan(sub, plan_id, interval, at, catalog=CATALOG, usage=FITS, policy=policy)
    )


def credited(decision: Decision) -> list[str]:
    return [str(line.amount) for note in decision.credit_notes for line in note.lines]


def charged(decision: Decision) -> list[str]:
    return [str(line.amount) for invoice in decision.invoices for line in invoice.lines]


# --- 1. an interval change during a trial ---------------------------------------------------------


def test_interval_change_in_a_trial_bills_the_new_interval_once_per_new_period() -> None:
    """Personal monthly, 14-day trial from 1 Nov 2026 (ends 15 Nov), made yearly on 5 Nov.

    The trial's end bills USD 500.00 for 15 Nov 2026 → 15 Nov 2027; the next
    invoice is the renewal on 15 Nov 2027. Over 13 months: 2 invoices, not 14.
    """
    sub = start_subscription(
        "s", "c", "personal", MONTHLY, utc(2026, 11, 1), catalog=CATALOG, policy=SEED_POLICY
    ).subscription
    sub = change(sub, "personal", YEARLY, utc(2026, 11, 5)).subscription
    done = advance(sub, utc(2027, 12, 15), catalog=CATALOG, policy=SEED_POLICY)
    invoices = [(i.issued_at.date().isoformat(), str(i.subtotal)) for i in done.invoices]
    assert invoices == [("2026-11-15", "USD 500.00"), ("2027-11-15", "USD 500.00")]
    period = done.subscription.current_period
    assert (period.start, period.end) == (utc(2027, 11, 15), utc(2028, 11, 15))


# --- 2 and 13. no proration, then a change that must credit --------------------------------------


NO_PRORATION = attrs.evolve(
    SEED_POLICY, name="seed, changed", proration_billing=ProrationBilling.NONE
)


def test_paid_unused_time_is_credited_after_an_unprorated_change_whichever_plan_holds_it() -> None:
    """Advanced paid USD 150.00 for November (30 days); Pro from 11 Nov without proration.

    On 21 Nov Pro monthly becomes Pro yearly (the cycle restarts): the paid,
    unused 10 of the 30 days are credited, 150.00 × 10/30 = USD 50.00, though
    they sit on Pro's stretch, which was billed nothing.
    """
    sub = started("advanced", policy=NO_PRORATION)
    sub = change(sub, "pro", MONTHLY, utc(2026, 11, 11), NO_PRORATION).subscription
    restarted = change(sub, "pro", YEARLY, utc(2026, 11, 21), NO_PRORATION)
    assert credited(restarted) == ["USD -50.00"]
    assert charged(restarted) == ["USD 3000.00"]


def test_list_price_credit_after_an_unprorated_change_is_the_price_the_time_was_paid_at() -> None:
    """As above with ``CreditBasis.LIST_PRICE``: the unused 10 days were paid at Advanced's price.

    Advanced's list price for them, 150.00 × 10/30 = USD 50.00 — not Pro's
    (100.00), which was never paid for them, and never more than the USD 100.00
    still paid for 11 Nov → 1 Dec.
    """
    policy = attrs.evolve(NO_PRORATION, credit_basis=CreditBasis.LIST_PRICE)
    sub = started("advanced", policy=policy)
    sub = change(sub, "pro", MONTHLY, utc(2026, 11, 11), policy).subscription
    restarted = change(sub, "pro", YEARLY, utc(2026, 11, 21), policy)
    assert credited(restarted) == ["USD -50.00"]


def test_list_price_credit_after_an_unprorated_downgrade_credits_what_was_paid() -> None:
    """Pro (USD 300.00) paid for November; Advanced from 1 Nov without proration; yearly on 16 Nov.

    The unused 15 days were paid at Pro's price: USD 150.00 back, not
    Advanced's 75.00 (the customer would lose 75.00; found by the soak).
    """
    policy = attrs.evolve(
        NO_PRORATION,
        credit_basis=CreditBasis.LIST_PRICE,
        downgrade_timing=DowngradeTiming.IMMEDIATELY,
    )
    sub = started("pro", policy=policy)
    sub = change(sub, "advanced", MONTHLY, NOV_1, policy).subscription
    restarted = change(sub, "advanced", YEARLY, utc(2026, 11, 16), policy)
    assert credited(restarted) == ["USD -150.00"]


def test_an_unprorated_interval_change_still_credits_the_unused_paid_time() -> None:
    """Personal yearly (USD 500.00 for 2026, 365 days), made monthly on 2 Jan without proration.

    The cycle restarts and the month is charged in full, so the unused
    364 days of the year are credited: 500.00 × 364/365 = 498.630… → USD 498.63.
    """
    sub = started("personal", utc(2026, 1, 1), interval=YEARLY, policy=NO_PRORATION)
    restarted = change(sub, "personal", MONTHLY, utc(2026, 1, 2), NO_PRORATION)
    assert credited(restarted) == ["USD -498.63"]
    assert charged(restarted) == ["USD 50.00"]
    assert str(restarted.subscription.credit_balance) == "USD 448.63"


# --- 3. what a stretch was billed for is recorded, never inferred ---------------------------------


def test_a_stretch_billed_from_the_period_start_on_old_plan_days_credits_over_its_own_days() -> (
    None
):
    """Kill Bill-like days, the change day kept by the old plan (``ChangeDay.OLD_PLAN``).

    Personal from 1 Nov; Advanced at 1 Nov 00:00 (the period's first instant):
    Personal keeps 1 Nov, so Advanced is billed 150.00 × 29/30 = USD 145.00 for
    29 days. On 16 Nov, Pro: Advanced's unused days are 16 Nov → 1 Dec less the
    change day, 14 days, credited 145.00 × 14/29 = USD 70.00 — not × 14/30 = 67.67.
    """
    policy = attrs.evolve(KILL_BILL_LIKE, name="killbill, changed", change_day=ChangeDay.OLD_PLAN)
    sub = started("personal", policy=policy)
    first = change(sub, "advanced", MONTHLY, utc(2026, 11, 1), policy)
    assert charged(first) == ["USD 145.00"]
    second = change(first.subscription, "pro", MONTHLY, utc(2026, 11, 16), policy)
    assert credited(second) == ["USD -70.00"]
    assert charged(second) == ["USD 140.00"]  # 300.00 × 14/30


# --- 14. suspended time credited, then a change ---------------------------------------------------


def test_a_change_after_a_credited_suspension_credits_the_unused_days_at_their_paid_rate() -> None:
    """Advanced paid USD 150.00 on 1 Nov; suspended 5–10 Nov; reinstated with the time credited.

    The reinstatement credits 5 of 30 days, 150.00 × 5/30 = USD 25.00. On
    16 Nov, Pro: the unused 15 days were paid at USD 5.00 a day, so the credit
    is USD 75.00 (125.00 over the 25 days not yet credited, × 15/25) — not
    125.00 × 15/30 = 62.50.
    """
    policy = attrs.evolve(SEED_POLICY, name="seed, changed", suspended_time=SuspendedTime.CREDITED)
    sub = started("advanced", policy=policy)
    sub = decided(suspend(sub, utc(2026, 11, 5), policy=policy)).subscription
    back = decided(reinstate(sub, utc(2026, 11, 10), catalog=CATALOG, policy=policy))
    assert credited(back) == ["USD -25.00"]
    moved = change(back.subscription, "pro", MONTHLY, utc(2026, 11, 16), policy)
    assert credited(moved) == ["USD -75.00"]
    assert charged(moved) == ["USD 150.00"]


def test_immediate_downgrade_after_a_credited_suspension_never_credits_more_than_was_paid() -> None:
    """Suspended 5 → 10 Nov (USD 25.00 credited), then Personal at once on 10 Nov.

    Left to credit: 150.00 − 25.00 = USD 125.00 for the 25 days not credited,
    and 10 Nov → 1 Dec is 21 of them: 125.00 × 21/25 = USD 105.00. Credited in
    all: 130.00 of the 150.00 paid for the 26 days not used on Advanced.
    """
    policy = attrs.evolve(
        SEED_POLICY,
        name="seed, changed",
        suspended_time=SuspendedTime.CREDITED,
        downgrade_timing=DowngradeTiming.IMMEDIATELY,
    )
    sub = started("advanced", policy=policy)
    sub = decided(suspend(sub, utc(2026, 11, 5), policy=policy)).subscription
    back = decided(reinstate(sub, utc(2026, 11, 10), catalog=CATALOG, policy=policy))
    moved = change(back.subscription, "personal", MONTHLY, utc(2026, 11, 10), policy)
    assert credited(moved) == ["USD -105.00"]


# --- 4. Kill Bill's fixed 30-day months ----------------------------------------------------------

FIXED_30 = attrs.evolve(
    KILL_BILL_LIKE,
    name="killbill, changed",
    fixed_denominator_days=30,
    downgrade_timing=DowngradeTiming.IMMEDIATELY,
)
PISTOL = Catalog(
    (
        Plan("pistol", "Pistol", (Price.of("19.95", "USD", MONTHLY),), Limits()),
        Plan("shotgun", "Shotgun", (Price.of("249.95", "USD", MONTHLY),), Limits()),
    )
)


def pistol_to_shotgun(start: datetime, at: datetime) -> Decision:
    """Pistol (USD 19.95) billed from ``start`` with fixed 30-day months; Shotgun from ``at``."""
    sub = start_subscription(
        "s", "c", "pistol", MONTHLY, start, catalog=PISTOL, trial=False, policy=FIXED_30
    ).subscription
    return decided(
        change_plan(sub, "shotgun", MONTHLY, at, catalog=PISTOL, usage=Usage(), policy=FIXED_30)
    )


def test_fixed_days_an_unused_february_credits_exactly_the_price() -> None:
    """Advanced from 1 Feb 2027 (28 days), Personal at once on 1 Feb: all of it unused.

    With fixed 30-day months February counts 28 + (30 − 28) = 30 of 30 days:
    the credit is the whole USD 150.00 (not 28/30 of it, USD 140.00).
    """
    sub = started("advanced", at=utc(2027, 2, 1), policy=FIXED_30)
    moved = change(sub, "personal", MONTHLY, utc(2027, 2, 1), FIXED_30)
    assert credited(moved) == ["USD -150.00"]
    assert charged(moved) == ["USD 50.00"]


def test_fixed_days_a_day_into_march_credits_twenty_nine_of_thirty() -> None:
    """Advanced from 1 Mar 2027 (31 days), Personal at once on 2 Mar.

    2 Mar → 1 Apr is 30 actual days crossing into April: 30 − (31 − 30) = 29 of
    30: credit 150.00 × 29/30 = USD 145.00, and the day used costs USD 5.00, one
    thirtieth — the parts add up to the price (not the full USD 150.00 back).
    """
    sub = started("advanced", at=utc(2027, 3, 1), policy=FIXED_30)
    moved = change(sub, "personal", MONTHLY, utc(2027, 3, 2), FIXED_30)
    assert credited(moved) == ["USD -145.00"]
    assert charged(moved) == ["USD 48.33"]  # 50.00 × 29/30 = 48.333…


def test_fixed_days_reproduce_kill_bills_leading_and_trailing_figures() -> None:
    """Kill Bill's TestInvoiceFixedProration (beatrix), fixed 30 days, pistol-monthly at 19.95.

    A subscription billed on the 15th, changed on 23 May 2023: 23 May → 15 Jun
    counts 23 − (31 − 30) = 22 days, so the unused pistol time is
    19.95 × 22/30 = USD 14.63 (Kill Bill's repair −14.63), and the 8 days used,
    15 → 23 May, are worth 19.95 × 8/30 = 5.32: 14.63 + 5.32 = 19.95.
    """
    moved = pistol_to_shotgun(utc(2023, 5, 15), utc(2023, 5, 23))
    assert credited(moved) == ["USD -14.63"]
    assert charged(moved) == ["USD 183.30"]  # 249.95 × 22/30 = 183.296…


def test_fixed_days_split_a_february_into_parts_that_add_up_to_the_price() -> None:
    """Kill Bill: 23 Feb → 15 Mar 2023 counts 20 + (30 − 28) = 22 days, as 23 May → 15 Jun does.

    Pistol billed on the 15th; on 23 Feb 2023 (8 days into 15 Feb → 15 Mar):
    unused 19.95 × 22/30 = USD 14.63, the same as in May.
    """
    moved = pistol_to_shotgun(utc(2023, 2, 15), utc(2023, 2, 23))
    assert credited(moved) == ["USD -14.63"]


def test_fixed_days_are_refused_for_a_cycle_that_is_not_monthly() -> None:
    """Thirty days of a year would bill a whole year for any remainder of 30 days or more."""
    with pytest.raises(InvalidPolicyError, match=r"fixed_denominator_days: .* monthly cycles only"):
        started("advanced", interval=YEARLY, policy=FIXED_30)


# --- 5. both end days counted, with a mid-day anchor -----------------------------------------------

LAGO_IMMEDIATE = attrs.evolve(
    LAGO_LIKE, name="lago, changed", downgrade_timing=DowngradeTiming.IMMEDIATELY
)


def test_both_ends_counts_a_mid_day_anchored_month_by_its_calendar_days() -> None:
    """Lago's periods run from local midnight to 23:59:59 of the last day, whatever the start time.

    Started 15 Jan 2027 at 12:12: the period 15 Jan → 15 Feb is 15 Jan … 14 Feb,
    31 days (not 32). An upgrade on 30 Jan at 12:12 leaves 30 Jan … 14 Feb, 16
    days, the upgrade day paid by the new plan: credit 150.00 × 16/31 =
    77.419… → USD 77.42, charge 300.00 × 16/31 = 154.838… → USD 154.84.
    """
    sub = started("advanced", at=utc(2027, 1, 15, 12, 12), policy=LAGO_LIKE)
    (stretch,) = sub.stretches
    assert stretch.units == stretch.denominator == 31
    moved = change(sub, "pro", MONTHLY, utc(2027, 1, 30, 12, 12), LAGO_LIKE)
    assert credited(moved) == ["USD -77.42"]
    assert charged(moved) == ["USD 154.84"]


def test_both_ends_credits_suspended_days_that_add_up_with_the_days_used() -> None:
    """A suspension credit under Lago-like days: suspended 5 Nov 10:00, reinstated 10 Nov 15:00.

    5 … 9 Nov are credited, 5 of November's 30 days, 150.00 × 5/30 = USD 25.00;
    10 Nov, the day access returns, is used. Counting it as suspended too (6 days)
    would credit a day the customer then pays for again after a change on that
    day (found by the soak of the model-based test).
    """
    policy = attrs.evolve(LAGO_LIKE, name="lago, changed", suspended_time=SuspendedTime.CREDITED)
    sub = started("advanced", policy=policy)
    sub = decided(suspend(sub, utc(2026, 11, 5, 10), policy=policy)).subscription
    back = decided(reinstate(sub, utc(2026, 11, 10, 15), catalog=CATALOG, policy=policy))
    assert credited(back) == ["USD -25.00"]


# --- 6 and 18. instants compared in UTC, never by wall clock ---------------------------------------

NEW_YORK = ZoneInfo("America/New_York")


def new_york(day: int, hour: int, minute: int, *, fold: int = 0) -> datetime:
    """An instant in November 2026 on New York's wall clock (fold=1: the repeated hour's second pass).

    The clocks fall back at 02:00 EDT on 1 Nov 2026: 01:30 EDT is 05:30 UTC and
    01:10 EST (fold=1) is 06:10 UTC, forty minutes later.
    """
    return datetime(2026, 11, day, hour, minute, fold=fold, tzinfo=NEW_YORK)


def started_in_new_york(at: datetime, policy: BillingPolicy = SEED_POLICY) -> Subscription:
    return start_subscription(
        "s", "c", "personal", MONTHLY, at, catalog=CATALOG, trial=False,
        time_zone="America/New_York", policy=policy,
    ).subscription  # fmt: skip


def test_a_change_forty_minutes_after_another_across_the_fall_back_is_accepted() -> None:
    """Advanced at 01:30 EDT, then Pro at 01:10 EST, forty minutes later: not "before" it."""
    sub = started_in_new_york(datetime(2026, 10, 15, tzinfo=NEW_YORK))
    sub = change(sub, "advanced", MONTHLY, new_york(1, 1, 30)).subscription
    later = change(sub, "pro", MONTHLY, new_york(1, 1, 10, fold=1))
    assert later.subscription.plan_id == "pro"
    assert later.subscription.processed_until == datetime(2026, 11, 1, 6, 10, tzinfo=UTC)


def test_a_command_at_the_second_pass_of_the_repeated_hour_is_after_the_first() -> None:
    """Processed to 01:30 EDT; a cancellation at 01:10 EST (40 minutes later) is accepted."""
    sub = started_in_new_york(datetime(2026, 10, 15, tzinfo=NEW_YORK))
    sub = advance(sub, new_york(1, 1, 30), catalog=CATALOG, policy=SEED_POLICY).subscription
    assert decided(
        cancel(sub, new_york(1, 1, 10, fold=1), policy=SEED_POLICY)
    ).subscription.cancel_at_period_end


def test_advancing_into_the_repeated_hour_performs_the_renewal_due_before_it() -> None:
    """A cycle anchored at 01:30 New York time renews at 01:30 EDT on 1 Nov (05:30 UTC).

    Advancing to 01:10 EST (06:10 UTC) — after it, though its wall clock reads
    earlier — bills the renewal.
    """
    sub = started_in_new_york(datetime(2026, 10, 1, 1, 30, tzinfo=NEW_YORK))
    done = advance(sub, new_york(1, 1, 10, fold=1), catalog=CATALOG, policy=SEED_POLICY)
    assert [i.reason.value for i in done.invoices] == ["renewal"]
    assert done.subscription.period_index == 1


def test_a_cancellation_after_an_unprocessed_period_end_in_the_repeated_hour_is_refused() -> None:
    """The period ended at 01:30 EDT; a cancellation at 01:15 EST (45 minutes later) must wait.

    Accepting it would end the subscription at 01:30 EDT, before the request,
    with the renewal never billed: the caller must advance first.
    """
    sub = started_in_new_york(datetime(2026, 10, 1, 1, 30, tzinfo=NEW_YORK))
    with pytest.raises(InvalidPeriodError, match="advance the subscription first"):
        cancel(sub, new_york(1, 1, 15, fold=1), policy=SEED_POLICY)


def _in_utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def _as_written(at: datetime) -> datetime:
    return at


def test_results_do_not_depend_on_the_zone_an_instant_is_written_in() -> None:
    """The same instants written in UTC or on New York's wall clock give equal decisions."""
    start = datetime(2026, 10, 1, 1, 30, tzinfo=NEW_YORK)
    moments = [new_york(1, 1, 10, fold=1), new_york(1, 1, 59, fold=1), new_york(20, 9, 0)]
    lives: dict[str, list[Decision]] = {}
    for name, written in (("local", _as_written), ("utc", _in_utc)):
        sub = started_in_new_york(written(start))
        life = [advance(sub, written(moments[0]), catalog=CATALOG, policy=SEED_POLICY)]
        life.append(change(life[-1].subscription, "advanced", MONTHLY, written(moments[1])))
        life.append(decided(cancel(life[-1].subscription, written(moments[2]), policy=SEED_POLICY)))
        lives[name] = life
    assert lives["local"] == lives["utc"]


# --- 11. usage billed for every period end crossed --------------------------------------------------

OVER = Usage.of(billable_sessions=101_000)  # Personal allows 100,000: 1,000 over at USD 5.00


def test_advancing_across_several_period_ends_bills_each_periods_usage() -> None:
    """Personal from 1 Nov 2026; advanced to 1 Feb 2027 with each period's usage.

    Three period ends, three renewals, each with its period's overage:
    (101,000 − 100,000) × USD 5.00 / 1,000 = USD 5.00, then 10.00, then none.
    """
    sub = started("personal")
    counts = {utc(2026, 11, 1): 101_000, utc(2026, 12, 1): 102_000, utc(2027, 1, 1): 99_000}

    def usage(period: BillingPeriod) -> Usage:
        return Usage.of(billable_sessions=counts[period.start])

    done = advance(sub, utc(2027, 2, 1), catalog=CATALOG, usage=usage, policy=SEED_POLICY)
    over = [
        [str(line.amount) for line in i.lines if line.kind is LineKind.OVERAGE]
        for i in done.invoices
    ]
    assert over == [["USD 5.00"], ["USD 10.00"], []]


def test_one_usage_for_several_period_ends_is_refused_rather_than_dropped() -> None:
    """One ``Usage`` describes one period: across two period ends the second's would be lost."""
    sub = started("personal")
    with pytest.raises(InvalidArgumentError, match=r"usage: .*2 period ends"):
        advance(sub, utc(2027, 1, 1), catalog=CATALOG, usage=OVER, policy=SEED_POLICY)
    one = advance(sub, utc(2026, 12, 1), catalog=CATALOG, usage=OVER, policy=SEED_POLICY)
    assert [str(line.amount) for line in one.invoices[0].lines] == ["USD 50.00", "USD 5.00"]


# --- 17. an idempotency key never names two different charges ------------------------------------


def test_a_renewal_rerun_with_other_usage_gets_another_key() -> None:
    """The nightly job re-run for 1 Dec from the same stored value, with other usage.

    USD 50.00 + 5.00 overage, then USD 50.00 + 10.00: two different charges,
    so two different keys (a gateway would otherwise keep the first and drop
    or refuse the second); the same run repeated keeps its key.
    """
    sub = started("personal")
    first = advance(sub, utc(2026, 12, 1), catalog=CATALOG, usage=OVER, policy=SEED_POLICY)
    again = advance(sub, utc(2026, 12, 1), catalog=CATALOG, usage=OVER, policy=SEED_POLICY)
    other = advance(
        sub,
        utc(2026, 12, 1),
        catalog=CATALOG,
        usage=Usage.of(billable_sessions=102_000),
        policy=SEED_POLICY,
    )
    keys = [
        effect.idempotency_key
        for d in (first, again, other)
        for effect in d.effects
        if isinstance(effect, ChargeInvoice)
    ]
    amounts = [str(d.invoices[0].amount_due) for d in (first, again, other)]
    assert amounts == ["USD 55.00", "USD 55.00", "USD 60.00"]
    assert keys[0] == keys[1] != keys[2]


# --- found by the model-based test's independent oracle -----------------------------------------


def test_billing_resumed_after_a_period_end_bills_the_day_access_returns() -> None:
    """Days, the change day kept by the old plan; suspended 14 Mar 2027, reinstated 14 Apr.

    The period 14 Mar → 14 Apr ended while suspended (not billed); billing
    resumes on 14 Apr 07:00:01, the first instant of 14 Apr → 14 May (30 days):
    a resumption is no plan change, so its day is billed: 30/30 of USD 1.00,
    not 29/30 = USD 0.97 (Kill Bill bills from the unblock date).
    """
    policy = BillingPolicy(proration_unit=ProrationUnit.DAY, change_day=ChangeDay.OLD_PLAN)
    catalog = Catalog((Plan("p0", "Plan 0", (Price.of("1.00", "USD", MONTHLY),), Limits()),))
    start = utc(2027, 3, 14, 7)
    sub = start_subscription(
        "s", "c", "p0", MONTHLY, start, catalog=catalog, trial=False, policy=policy
    ).subscription
    sub = decided(suspend(sub, start, policy=policy)).subscription
    back_at = datetime(2027, 4, 14, 7, 0, 1, tzinfo=UTC)
    sub = advance(sub, back_at, catalog=catalog, policy=policy).subscription
    back = decided(reinstate(sub, back_at, catalog=catalog, policy=policy))
    assert charged(back) == ["USD 1.00"]


def test_a_second_credited_suspension_in_one_period_credits_its_own_time() -> None:
    """USD 34.00 for 28 Jan → 28 Feb 2027 (31 days); suspended twice, the time credited each time.

    First 28 Jan 00:00 → 27 Feb 23:00 (30 days 23 hours of 31 days): 34.00 × 743/744
    = 33.954… → USD 33.95. Then 27 Feb 23:00 → 28 Feb 00:00, the last hour: what
    is left, USD 0.05, for the hour left — all of it (not USD 0.05 × 1/744 → 0.00).
    """
    policy = attrs.evolve(SEED_POLICY, name="seed, changed", suspended_time=SuspendedTime.CREDITED)
    catalog = Catalog((Plan("p2", "Plan 2", (Price.of("34.00", "USD", MONTHLY),), Limits()),))
    t0, t1, t2 = utc(2027, 1, 28), utc(2027, 2, 27, 23), utc(2027, 2, 28)
    sub = start_subscription(
        "s", "c", "p2", MONTHLY, t0, catalog=catalog, trial=False, policy=policy
    ).subscription
    sub = decided(suspend(sub, t0, policy=policy)).subscription
    first = decided(reinstate(sub, t1, catalog=catalog, policy=policy))
    assert credited(first) == ["USD -33.95"]
    sub = decided(suspend(first.subscription, t1, policy=policy)).subscription
    sub = advance(sub, t2, catalog=catalog, policy=policy).subscription
    second = decided(reinstate(sub, t2, catalog=catalog, policy=policy))
    assert credited(second) == ["USD -0.05"]


MARK_UNPAID = attrs.evolve(
    SEED_POLICY, name="seed, changed", retries_exhausted=RetriesExhausted.MARK_UNPAID
)


def unpaid_personal() -> Subscription:
    """Personal from 1 Nov 2026, its first charge declined for good; marked unpaid on 15 Nov.

    A hard decline on 1 Nov and no new card within the 14-day window.
    """
    start = start_subscription(
        "s", "c", "personal", MONTHLY, NOV_1, catalog=CATALOG, trial=False, policy=MARK_UNPAID
    )
    (charge,) = (e for e in start.effects if isinstance(e, ChargeInvoice))
    declined = record_payment(
        start.subscription,
        charge.idempotency_key,
        Declined(DeclineKind.HARD),
        NOV_1,
        catalog=CATALOG,
        policy=MARK_UNPAID,
    )
    sub = advance(decided(declined).subscription, utc(2026, 11, 16), catalog=CATALOG,
                  policy=MARK_UNPAID).subscription  # fmt: skip
    assert marked_unpaid(sub, MARK_UNPAID)
    return sub


def test_a_plan_change_is_refused_while_the_subscription_is_marked_unpaid() -> None:
    """Marked unpaid (Stripe's ``unpaid``): nothing is charged, so a change could not be billed.

    An upgrade on 16 Nov would credit USD 25.00 of time never paid and charge
    USD 75.00 that is never attempted; it is refused until the invoice is paid.
    """
    refused = change_plan(
        unpaid_personal(), "advanced", MONTHLY, utc(2026, 11, 16), catalog=CATALOG, usage=FITS,
        policy=MARK_UNPAID,
    )  # fmt: skip
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.BLOCKED_WHILE_OVERDUE


def test_billing_resumed_while_marked_unpaid_is_held_not_charged() -> None:
    """Marked unpaid, then suspended by support on 16 Nov and reinstated on 10 Dec.

    The 1 Dec period end passed while suspended, so the rest of 1 Dec → 1 Jan is
    billed from 10 Dec (22 of 31 days: 50.00 × 22/31 = USD 35.48) — issued but
    held, like every invoice while unpaid, not charged (found by the soak).
    """
    sub = decided(suspend(unpaid_personal(), utc(2026, 11, 16), policy=MARK_UNPAID)).subscription
    sub = advance(sub, utc(2026, 12, 10), catalog=CATALOG, policy=MARK_UNPAID).subscription
    back = decided(reinstate(sub, utc(2026, 12, 10), catalog=CATALOG, policy=MARK_UNPAID))
    assert [e for e in back.effects if isinstance(e, ChargeInvoice)] == []
    held = [o for o in back.subscription.open_invoices if o.attempts == 0]
    assert [str(o.invoice.amount_due) for o in held] == ["USD 35.48"]


def test_a_final_invoice_rerun_with_other_usage_gets_another_key() -> None:
    """Cancelled in November; the period end bills the final overage, re-run with other usage.

    Personal allows 100,000 sessions at USD 5.00 per 1,000 over: 101,000 bill a
    final USD 5.00, 102,000 a final USD 10.00 — the same invoice number, two
    charges, so two keys (found by the model-based test).
    """
    sub = decided(
        cancel(started("personal", subscription_id="s"), utc(2026, 11, 10), policy=SEED_POLICY)
    ).subscription
    finals = [
        advance(
            sub,
            utc(2026, 12, 1),
            catalog=CATALOG,
            usage=Usage.of(billable_sessions=n),
            policy=SEED_POLICY,
        )
        for n in (101_000, 102_000)
    ]
    charges = [e for d in finals for e in d.effects if isinstance(e, ChargeInvoice)]
    assert [(c.invoice.id, str(c.amount)) for c in charges] == [
        ("s-INV-0002", "USD 5.00"),
        ("s-INV-0002", "USD 10.00"),
    ]
    assert charges[0].idempotency_key != charges[1].idempotency_key


def test_suspended_time_on_the_day_of_a_change_is_credited_at_the_old_plans_rate() -> None:
    """Days, ``ChangeDay.OLD_PLAN``, suspended time credited; Personal from 1 Nov 2026.

    Advanced from 16 Nov: Personal keeps 16 Nov (14 unused days credited, 50.00 ×
    14/30 = 23.33), Advanced is billed 150.00 × 14/30 = USD 70.00 for 17–30 Nov.
    Suspended 16 Nov 12:00, reinstated 21 Nov: 16 Nov was paid at Personal's rate,
    what is left of it over its 16 days, 26.67 / 16 = USD 1.67; 17–20 Nov at
    Advanced's, 70.00 × 4/14 = USD 20.00 — not 5 days at Advanced's rate (25.00),
    nor all of it when the suspension runs to the period's end (found by the soak).
    """
    policy = attrs.evolve(
        KILL_BILL_LIKE,
        name="killbill, changed",
        change_day=ChangeDay.OLD_PLAN,
        suspended_time=SuspendedTime.CREDITED,
    )
    sub = started("personal", policy=policy)
    moved = change(sub, "advanced", MONTHLY, utc(2026, 11, 16), policy)
    assert (credited(moved), charged(moved)) == (["USD -23.33"], ["USD 70.00"])
    sub = decided(suspend(moved.subscription, utc(2026, 11, 16, 12), policy=policy)).subscription
    back = decided(reinstate(sub, utc(2026, 11, 21), catalog=CATALOG, policy=policy))
    assert credited(back) == ["USD -1.67", "USD -20.00"]


def test_suspended_time_on_a_day_of_two_changes_is_credited_at_the_first_plans_rate() -> None:
    """Days, ``ChangeDay.OLD_PLAN``, suspended time credited; Personal from 1 Nov 2026.

    Advanced on 16 Nov 10:00 (Personal keeps 16 Nov: 50.00 × 14/30 = 23.33 credited,
    Advanced billed 150.00 × 14/30 = 70.00 for 17–30 Nov), Pro at 11:00 (Advanced's 70.00
    credited whole, Pro billed 300.00 × 14/30 = 140.00). Suspended 16 Nov 12:00, reinstated
    21 Nov: 16 Nov was paid at Personal's rate, 26.67 / 16 = USD 1.67 — Advanced, the plan
    just before, never billed it — and 17–20 Nov at Pro's, 140.00 × 4/14 = USD 40.00.
    Found by the model-based lives.
    """
    policy = attrs.evolve(
        KILL_BILL_LIKE,
        name="killbill, changed",
        change_day=ChangeDay.OLD_PLAN,
        suspended_time=SuspendedTime.CREDITED,
    )
    sub = started("personal", policy=policy)
    moved = change(sub, "advanced", MONTHLY, utc(2026, 11, 16, 10), policy)
    assert (credited(moved), charged(moved)) == (["USD -23.33"], ["USD 70.00"])
    moved = change(moved.subscription, "pro", MONTHLY, utc(2026, 11, 16, 11), policy)
    assert (credited(moved), charged(moved)) == (["USD -70.00"], ["USD 140.00"])
    sub = decided(suspend(moved.subscription, utc(2026, 11, 16, 12), policy=policy)).subscription
    back = decided(reinstate(sub, utc(2026, 11, 21), catalog=CATALOG, policy=policy))
    assert credited(back) == ["USD -1.67", "USD -40.00"]


def test_suspended_time_on_the_day_of_an_interval_change_keeping_the_anniversary() -> None:
    """Days, ``ChangeDay.OLD_PLAN``, suspended time credited, ``KEEP_ANNIVERSARY``.

    Personal yearly (USD 500.00) from 1 Jan 2026, monthly from 16 Nov 2026 12:00: the
    monthly cycle keeps the 1st, so its period 1–30 Nov is billed from 17 Nov (16 Nov
    stays with the year): 50.00 × 14/30 = USD 23.33. Suspended 16 Nov 18:00, reinstated
    21 Nov: the month's stretch is credited 17–20 Nov, 23.33 × 4/14 = USD 6.67 — not
    from 16 Nov, a day it never billed (5 days, 8.33; found by the model-based lives).
    The year's stretch belongs to the cycle the change closed: nothing more of it.
    """
    policy = attrs.evolve(
        KILL_BILL_LIKE,
        name="killbill, changed",
        change_day=ChangeDay.OLD_PLAN,
        suspended_time=SuspendedTime.CREDITED,
        interval_change=IntervalChange.KEEP_ANNIVERSARY,
    )
    sub = started("personal", utc(2026, 1, 1), interval=YEARLY, policy=policy)
    sub = advance(sub, utc(2026, 11, 16, 12), catalog=CATALOG, policy=policy).subscription
    moved = change(sub, "personal", MONTHLY, utc(2026, 11, 16, 12), policy)
    assert charged(moved) == ["USD 23.33"]
    sub = decided(suspend(moved.subscription, utc(2026, 11, 16, 18), policy=policy)).subscription
    back = decided(reinstate(sub, utc(2026, 11, 21), catalog=CATALOG, policy=policy))
    assert credited(back) == ["USD -6.67"]


# --- pending proration credits when a subscription ends without a final invoice ---------------

_STRIPE_PRICES = Catalog(
    (
        Plan("ten", "Ten", (Price.of("10.00", "USD"),), Limits()),
        Plan("hundred", "Hundred", (Price.of("100.00", "USD"),), Limits()),
    )
)


def _stripe_downgraded_halfway() -> tuple[Subscription, str]:
    """Hundred (USD 100.00 a month) from 1 Apr 2026, moved to Ten at once on 16 Apr.

    ``STRIPE_LIKE`` (``ProrationBilling.PENDING_ITEMS``): the credit for the
    unused half, 100.00 × 15/30 = −50.00, and the charge for Ten's half,
    10.00 × 15/30 = +5.00, wait on the subscription for the next invoice: the
    customer is owed 45.00. Returns the subscription and its first charge's key.
    """
    start = start_subscription(
        "s", "c", "hundred", MONTHLY, utc(2026, 4, 1), catalog=_STRIPE_PRICES, trial=False,
        policy=STRIPE_LIKE,
    )  # fmt: skip
    down = decided(
        change_plan(
            start.subscription,
            "ten",
            MONTHLY,
            utc(2026, 4, 16),
            catalog=_STRIPE_PRICES,
            usage=Usage(),
            policy=STRIPE_LIKE,
        )
    )
    assert [line.amount.minor for line in down.subscription.pending_lines] == [-5000, 500]
    key = start.effects[0]
    assert isinstance(key, ChargeInvoice)
    return down.subscription, key.idempotency_key


def test_pending_credits_are_not_lost_when_a_suspended_subscription_is_cancelled() -> None:
    """Suspended on 20 Apr, cancelled on 21 Apr: it ends at once, with no period end.

    The 45.00 the pending lines owe the customer is settled as a final invoice
    would settle it: the −50.00 on a credit note to the balance, the +5.00
    invoiced and paid from it: 45.00 stays in the balance.
    """
    sub, _key = _stripe_downgraded_halfway()
    sub = decided(suspend(sub, utc(2026, 4, 20), policy=STRIPE_LIKE)).subscription
    ended = decided(cancel(sub, utc(2026, 4, 21), policy=STRIPE_LIKE))
    assert ended.subscription.status.value == "ended"
    assert [line.amount.minor for note in ended.credit_notes for line in note.lines] == [-5000]
    assert [line.amount.minor for inv in ended.invoices for line in inv.lines] == [500]
    assert [inv.amount_due.minor for inv in ended.invoices] == [0]
    assert ended.subscription.credit_balance.minor == 4500
    assert ended.subscription.pending_lines == ()


def test_pending_credits_are_not_lost_when_failed_payments_end_the_subscription() -> None:
    """The 1 Apr invoice is declined until ``STRIPE_LIKE``'s retries run out and it cancels.

    Ended for non-payment, nothing more is charged; but the 45.00 the pending
    lines owe the customer (−50.00 + 5.00) still reaches the balance, as above.
    """
    sub, key = _stripe_downgraded_halfway()
    at = utc(2026, 4, 16)
    ended: Decision | None = None
    while sub.status.value != "ended":
        answered = decided(
            record_payment(
                sub,
                key,
                Declined(DeclineKind.SOFT),
                at,
                catalog=_STRIPE_PRICES,
                policy=STRIPE_LIKE,
            )
        )
        sub = answered.subscription
        ended = answered
        if sub.status.value == "ended":
            break
        assert answered.next_wakeup is not None
        retried = advance(sub, answered.next_wakeup, catalog=_STRIPE_PRICES, policy=STRIPE_LIKE)
        sub, at = retried.subscription, answered.next_wakeup
        charges = [e for e in retried.effects if isinstance(e, ChargeInvoice)]
        assert len(charges) == 1
        key = charges[0].idempotency_key
    assert ended is not None
    assert [line.amount.minor for note in ended.credit_notes for line in note.lines] == [-5000]
    assert sub.credit_balance.minor == 4500
    assert sub.pending_lines == ()


def test_an_interval_change_restarting_the_cycle_in_a_dst_fold_bills_the_new_interval_whole() -> (
    None
):
    """Found by a soak of the model-based test (the restart rule as rewritten for interval changes).

    Monthly on Personal from 2027-11-07T06:00Z in New York, moved to yearly at
    2028-11-05T06:00Z: 01:00 EST, the second of the two 01:00s of the night
    clocks go back. ``IntervalChange.RESTART`` bills the new year whole (its
    cycle is anchored at the change); the new cycle's first period starts at
    01:00 as its wall clock reads it — the first of the two instants — and was
    taken for a change inside the period: with days and ``ChangeDay.OLD_PLAN``
    the year was billed 364/365.
    """
    policy = attrs.evolve(
        SEED_POLICY,
        name="seed, changed",
        proration_unit=ProrationUnit.DAY,
        change_day=ChangeDay.OLD_PLAN,
    )
    start = start_subscription(
        "s", "c", "personal", MONTHLY, datetime(2027, 11, 7, 6, tzinfo=UTC), catalog=CATALOG,
        time_zone="America/New_York", trial=False, policy=policy,
    )  # fmt: skip
    at = datetime(2028, 11, 5, 6, tzinfo=UTC)
    sub = advance(start.subscription, at, catalog=CATALOG, policy=policy).subscription
    moved = decided(
        change_plan(sub, "personal", YEARLY, at, catalog=CATALOG, usage=Usage(), policy=policy)
    )
    (invoice,) = moved.invoices
    assert [line.amount for line in invoice.lines] == [
        CATALOG.plan("personal").price(YEARLY).amount
    ]


def test_an_interval_change_on_a_kept_anniversary_boundary_bills_the_change_day_once() -> None:
    """Days, ``ChangeDay.OLD_PLAN``, ``KEEP_ANNIVERSARY``: Advanced yearly (1500.00) from
    15 Jan 2026, moved to monthly (150.00) at once on 15 Mar 2026 00:00, a monthly boundary
    of the kept anniversary. The old plan pays the day of the change: 305 of the year's 365
    days are unused (15 Mar is paid by the year), 1500.00 × 305/365 = 1253.42 credited; the
    month 15 Mar - 15 Apr (31 days) is then billed from 16 Mar: 150.00 × 30/31 = 145.16, not
    the whole 150.00, which billed 15 Mar a second time (found by the model-based lives'
    soak, at a DST fold, where the kept period's start and the change's instant differ).
    The same change on 20 Mar credits 300/365 and bills 25/31, as before.
    """
    policy = attrs.evolve(
        SEED_POLICY,
        name="seed, days, old plan, kept anniversary",
        proration_unit=ProrationUnit.DAY,
        change_day=ChangeDay.OLD_PLAN,
        interval_change=IntervalChange.KEEP_ANNIVERSARY,
    )
    sub = started("advanced", utc(2026, 1, 15), interval=YEARLY, policy=policy)
    for day, unused, billed in ((15, "-1253.42", "145.16"), (20, "-1232.88", "120.97")):
        moved = change(sub, "advanced", MONTHLY, utc(2026, 3, day), policy)
        assert (credited(moved), charged(moved)) == ([f"USD {unused}"], [f"USD {billed}"])
