"""Catalog versions, grandfathering and price migration (issue 17, item 3).

A subscription records the price it is on, so a new catalog version reprices
nobody; ``migrate_price`` moves one subscription to the current version's price
at a period end at least ``price_change_notice_days`` after its notice, never
before the version takes effect; ``price_migrations`` lists the subscriptions a
version would move, for a host's notice run. Every figure is worked out in the
test from the instants and the policy, or taken from a published example whose
source the docstring cites.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import decided, usd, utc
from subscription_rules import (
    KILL_BILL_LIKE,
    MONTHLY,
    SEED_POLICY,
    YEARLY,
    BillingPolicy,
    Catalog,
    CatalogVersion,
    CreditBasis,
    Decision,
    DowngradeTiming,
    Metric,
    MetricKind,
    MissingPaymentMethod,
    NoticeKind,
    Plan,
    Price,
    PriceMigration,
    ProrationBilling,
    RefusalReason,
    Refused,
    Status,
    Subscription,
    Usage,
    advance,
    cancel,
    change_plan,
    check_new_version,
    migrate_price,
    price_migrations,
    reinstate,
    start_subscription,
    suspend,
    terminate,
    upcoming_invoice,
)
from subscription_rules.errors import CatalogVersionError, RetiredPlanError
from subscription_rules.simulation import MigratePrice, Step, simulate

SEATS = Metric("seats", MetricKind.STOCK, "seat", "seats", "remove")


def standard(
    amount: str,
    version: str,
    effective_at: datetime,
    *,
    interval: str = "monthly",
    retired: bool = False,
) -> Catalog:
    """A one-plan catalog, Kill Bill's ``standard``, at ``amount`` per ``interval``."""
    plan = Plan("standard", "Standard", (Price.of(amount, "USD", interval),), retired=retired)
    return Catalog((plan,), version=CatalogVersion(version, effective_at))


def with_basic(catalog: Catalog) -> Catalog:
    """``catalog`` with a second plan on sale, Basic at USD 10.00 a month."""
    basic = Plan("basic", "Basic", (Price.of("10", "USD", MONTHLY),))
    return attrs.evolve(catalog, plans=(*catalog.plans, basic))


def team(amount: str, version: str, effective_at: datetime) -> Catalog:
    """A per-seat plan, Team, at ``amount`` per seat a month."""
    plan = Plan("team", "Team", (Price.of(amount, "USD", MONTHLY, unit="seats"),))
    return Catalog((plan,), (SEATS,), version=CatalogVersion(version, effective_at))


def start(
    catalog: Catalog,
    at: datetime,
    *,
    interval: str = "monthly",
    subscription_id: str = "sub_1",
    policy: BillingPolicy = SEED_POLICY,
    quantity: int = 1,
    trial: bool = False,
) -> Decision:
    return start_subscription(
        subscription_id,
        "cus_1",
        catalog.plans[0].id,
        YEARLY if interval == "yearly" else MONTHLY,
        at,
        catalog=catalog,
        trial=trial,
        policy=policy,
        quantity=quantity,
    )


def charged(
    begin: Decision,
    until: datetime,
    catalog: Catalog,
    policy: BillingPolicy = SEED_POLICY,
    script: tuple[Step, ...] = (),
) -> list[tuple[str, str]]:
    """What each day of a life charged (every payment succeeding), as (date, amount) pairs."""
    timeline = simulate(begin, script, until, catalog=catalog, policy=policy)
    return [
        (entry.at.date().isoformat(), str(entry.charged))
        for entry in timeline.entries
        if entry.charged.is_positive()
    ]


def refused(result: Decision | Refused) -> Refused:
    assert isinstance(result, Refused), result
    return result


def facts(decision: Decision, kind: NoticeKind) -> dict[str, str]:
    (notice,) = [n for n in decision.notices if n.kind is kind]
    return {name: str(value) for name, value in notice.facts}


# Kill Bill's versioned catalog example (killbill-docs userguide/tutorials/catalog-examples.adoc,
# "Versioned Catalogs"; docs.killbill.io/latest/catalog-examples.html): standard-monthly at $30
# in version 1 from 2020-01-01 and $60 in version 2 from 2021-01-15; the clock starts 2021-01-01.
KB_V1 = standard("30", "v1", utc(2020, 1, 1))
KB_V2 = standard("60", "v2", utc(2021, 1, 15))


# --------------------------------------------------------------------------- grandfathering


def test_kill_bill_example_an_existing_subscription_keeps_30_a_new_one_pays_60() -> None:
    """Kill Bill, "Modify price without touching existing subscriptions": subscribed on
    2021-01-01 under v1, invoiced $30 for 01-01 to 02-01; on 2021-02-01, v2 ($60) in effect
    since 01-15, it is invoiced $30 again for 02-01 to 03-01 (and every month after, until
    migrated), while a subscription created on 02-01 is invoiced $60."""
    existing = start(KB_V1, utc(2021, 1, 1), policy=KILL_BILL_LIKE)
    assert [str(i.amount_due) for i in existing.invoices] == ["USD 30.00"]
    assert charged(existing, utc(2021, 4, 1), KB_V2, KILL_BILL_LIKE) == [
        ("2021-01-01", "USD 30.00"),
        ("2021-02-01", "USD 30.00"),
        ("2021-03-01", "USD 30.00"),
        ("2021-04-01", "USD 30.00"),
    ]
    new = start(KB_V2, utc(2021, 2, 1), subscription_id="sub_2", policy=KILL_BILL_LIKE)
    assert [str(i.amount_due) for i in new.invoices] == ["USD 60.00"]
    assert new.subscription.price is not None
    assert new.subscription.price.version == "v2"
    assert existing.subscription.price is not None
    assert existing.subscription.price.version == "v1"


def test_kill_bill_example_with_a_deferred_date_for_existing_subscriptions() -> None:
    """Kill Bill, the same example with ``effectiveDateForExistingSubscriptions`` 2021-03-01 in
    v2: $30 for 02-01 to 03-01, then $60 from 03-01. Here the host migrates on 2021-01-20 with
    effective_at 2021-03-01: 30 days' notice means sending it by 03-01 - 30 days = 01-30, which
    01-20 meets; the next period end, 02-01, is only 12 days away, so it stays at $30."""
    begin = start(KB_V1, utc(2021, 1, 1), policy=KILL_BILL_LIKE)
    script = (Step(utc(2021, 1, 20), MigratePrice(utc(2021, 3, 1))),)
    assert charged(begin, utc(2021, 4, 1), KB_V2, KILL_BILL_LIKE, script) == [
        ("2021-01-01", "USD 30.00"),
        ("2021-02-01", "USD 30.00"),
        ("2021-03-01", "USD 60.00"),
        ("2021-04-01", "USD 60.00"),
    ]


# --------------------------------------------------------------------------- the notice lead time

# Pro at USD 300.00 a year under v1 (2027-01-01); v2 (2027-06-01) sells it at USD 360.00.
YEAR_V1 = standard("300", "2027", utc(2027, 1, 1), interval="yearly")
YEAR_V2 = standard("360", "2027-06", utc(2027, 6, 1), interval="yearly")


def yearly_sub() -> Subscription:
    """A yearly subscription started 2027-01-01 under v1, caught up to 2027-11-01."""
    begin = start(YEAR_V1, utc(2027, 1, 1), interval="yearly")
    return advance(
        begin.subscription, utc(2027, 11, 1), catalog=YEAR_V2, policy=SEED_POLICY
    ).subscription


def test_a_new_version_changes_no_price_until_the_subscription_is_migrated() -> None:
    """Unmigrated, the 2028-01-01 renewal bills v1's USD 300.00 although v2 sells at 360.00,
    and its reminder (7 days before a yearly renewal) says so."""
    renewed = advance(yearly_sub(), utc(2028, 1, 1), catalog=YEAR_V2, policy=SEED_POLICY)
    assert [str(i.amount_due) for i in renewed.invoices] == ["USD 300.00"]
    assert [n.kind for n in renewed.notices] == [NoticeKind.RENEWAL_UPCOMING, NoticeKind.RENEWED]
    assert facts(renewed, NoticeKind.RENEWAL_UPCOMING)["amount"] == "USD 300.00"


def test_a_list_price_credit_of_paid_time_carried_over_a_change_is_not_repriced() -> None:
    """Standard at USD 30.00 a month (v1), moved to Basic at once on 2021-01-16 without
    proration: the paid 16 Jan-1 Feb stays Standard's, 30.00 x 16/31 = 15.48 of it. v2 cuts
    Standard to USD 20.00. On 01-21 Basic goes yearly (a new cycle): the unused paid time,
    11 of those 16 days, is credited at what it was paid, 15.48 x 11/16 = 10.6425 -> USD
    10.64, not at v2's list price (20.00 x 11/31 = USD 7.10: the customer would pay for
    time not used). Found by the model-based lives."""
    policy = attrs.evolve(
        SEED_POLICY,
        name="seed, changed",
        proration_billing=ProrationBilling.NONE,
        credit_basis=CreditBasis.LIST_PRICE,
        downgrade_timing=DowngradeTiming.IMMEDIATELY,
    )

    def catalog(amount: str, version: str, effective_at: datetime) -> Catalog:
        yearly = str(int(amount) * 10)
        prices = (Price.of(amount, "USD", MONTHLY), Price.of(yearly, "USD", YEARLY))
        basic = (Price.of("10", "USD", MONTHLY), Price.of("100", "USD", YEARLY))
        plans = (Plan("standard", "Standard", prices), Plan("basic", "Basic", basic))
        return Catalog(plans, version=CatalogVersion(version, effective_at))

    v1, v2 = catalog("30", "v1", utc(2020, 1, 1)), catalog("20", "v2", utc(2021, 1, 18))
    sub = start(v1, utc(2021, 1, 1), policy=policy).subscription
    basic = decided(
        change_plan(
            sub, "basic", MONTHLY, utc(2021, 1, 16), catalog=v1, usage=Usage(), policy=policy
        )
    )
    assert (basic.invoices, basic.credit_notes) == ((), ())
    yearly = decided(
        change_plan(
            basic.subscription, "basic", YEARLY, utc(2021, 1, 21), catalog=v2, usage=Usage(),
            policy=policy,
        )
    )  # fmt: skip
    assert [str(line.amount) for note in yearly.credit_notes for line in note.lines] == [
        "USD -10.64"
    ]
    # Basic's year, billed whole; the credit (to the balance, SEED_POLICY) pays part of it.
    assert [str(line.amount) for i in yearly.invoices for line in i.lines] == ["USD 100.00"]


def test_migrating_40_days_before_the_period_end_schedules_the_new_price_for_it() -> None:
    """On 2027-11-22, 40 days before 2028-01-01 (8 days of November left + 31 of December + 1),
    more than the 30 days' notice: the change is scheduled for 2028-01-01, its notice sent now
    with 300.00 to 360.00; the renewal then bills 360.00 with a price_changed notice (not an
    upgrade), and upcoming_invoice and the renewal reminder say 360.00 before it."""
    decision = decided(
        migrate_price(yearly_sub(), utc(2027, 11, 22), catalog=YEAR_V2, policy=SEED_POLICY)
    )
    sub = decision.subscription
    assert sub.pending_change is not None
    assert sub.pending_change.effective_at == utc(2028, 1, 1)
    assert sub.pending_change.quantity is None
    assert sub.pending_change.price is not None
    assert str(sub.pending_change.price.price.amount) == "USD 360.00"
    assert sub.pending_change.price.version == "2027-06"
    assert facts(decision, NoticeKind.PRICE_CHANGE_SCHEDULED) == {
        "plan": "Standard",
        "old_amount": "USD 300.00",
        "new_amount": "USD 360.00",
        "effective_at": "2028-01-01 00:00:00+00:00",
    }
    assert str(sub.price.price.amount if sub.price else None) == "USD 300.00"  # not yet
    preview = upcoming_invoice(sub, utc(2027, 12, 1), catalog=YEAR_V2, policy=SEED_POLICY)
    assert preview is not None
    assert str(preview.amount_due) == "USD 360.00"
    renewed = advance(sub, utc(2028, 1, 1), catalog=YEAR_V2, policy=SEED_POLICY)
    assert [str(i.amount_due) for i in renewed.invoices] == ["USD 360.00"]
    assert facts(renewed, NoticeKind.RENEWAL_UPCOMING)["amount"] == "USD 360.00"  # on 12-25
    assert facts(renewed, NoticeKind.PRICE_CHANGED) == {
        "plan": "Standard",
        "old_amount": "USD 300.00",
        "new_amount": "USD 360.00",
        "effective_at": "2028-01-01 00:00:00+00:00",
    }
    assert NoticeKind.UPGRADED not in [n.kind for n in renewed.notices]
    after = renewed.subscription
    assert after.pending_change is None
    assert after.price is not None
    assert (str(after.price.price.amount), after.price.version) == ("USD 360.00", "2027-06")


def test_migrating_10_days_before_the_period_end_is_refused_then_done_after_it() -> None:
    """On 2027-12-22, 10 days before 2028-01-01, the notice is too late: it had to go out by
    2028-01-01 - 30 days = 2027-12-02. Refused, naming the first period end within reach,
    2029-01-01, and its deadline 2028-12-02. The renewal of 2028-01-01 bills 300.00; a call on
    2028-01-05 (362 days before 2029-01-01) schedules the new price for 2029-01-01."""
    sub = yearly_sub()
    answer = refused(migrate_price(sub, utc(2027, 12, 22), catalog=YEAR_V2, policy=SEED_POLICY))
    assert answer.reason is RefusalReason.NOTICE_PERIOD
    assert answer.message == (
        "the period end 2028-01-01T00:00:00+00:00 is less than 30 days' notice away (the notice"
        " had to go out by 2027-12-02T00:00:00+00:00); the first period end within reach is"
        " 2029-01-01T00:00:00+00:00 (pass it as effective_at), with the notice sent by"
        " 2028-12-02T00:00:00+00:00"
    )
    renewed = advance(sub, utc(2028, 1, 5), catalog=YEAR_V2, policy=SEED_POLICY)
    assert [str(i.amount_due) for i in renewed.invoices] == ["USD 300.00"]
    later = decided(
        migrate_price(renewed.subscription, utc(2028, 1, 5), catalog=YEAR_V2, policy=SEED_POLICY)
    )
    assert later.subscription.pending_change is not None
    assert later.subscription.pending_change.effective_at == utc(2029, 1, 1)
    final = advance(later.subscription, utc(2029, 1, 1), catalog=YEAR_V2, policy=SEED_POLICY)
    assert [str(i.amount_due) for i in final.invoices] == ["USD 360.00"]


def test_the_notice_may_go_out_up_to_the_deadline_and_not_a_second_later() -> None:
    """The deadline for 2028-01-01 is 2027-12-02 00:00 (30 calendar days before): accepted at
    it, refused one second after it."""
    sub = yearly_sub()
    deadline = utc(2027, 12, 2)
    assert isinstance(migrate_price(sub, deadline, catalog=YEAR_V2, policy=SEED_POLICY), Decision)
    late = migrate_price(sub, deadline + timedelta(seconds=1), catalog=YEAR_V2, policy=SEED_POLICY)
    assert refused(late).reason is RefusalReason.NOTICE_PERIOD


def test_the_lead_time_counts_calendar_days_in_the_billing_time_zone() -> None:
    """Paris, monthly from 2027-03-01 00:00 (CET): with 20 days' notice, the deadline for the
    2027-04-01 00:00 CEST period end is 2027-03-12 00:00 Paris time, 23:00 UTC on 03-11 (still
    winter time then), not 22:00 UTC (the period end's offset) or 2027-03-12 00:00 UTC."""
    policy = attrs.evolve(SEED_POLICY, name="twenty", price_change_notice_days=20)
    v1 = standard("30", "v1", utc(2027, 1, 1))
    begin = start_subscription(
        "s",
        "c",
        "standard",
        MONTHLY,
        datetime(2027, 3, 1, tzinfo=UTC) - timedelta(hours=1),
        catalog=v1,
        time_zone="Europe/Paris",
        trial=False,
        policy=policy,
    )
    v2 = standard("60", "v2", utc(2027, 2, 1))
    (migration,) = price_migrations([begin.subscription], v2, utc(2027, 3, 5), policy=policy)
    assert migration.effective_at == utc(2027, 3, 31, 22)
    assert migration.notice_by == utc(2027, 3, 11, 23)
    ok = migrate_price(begin.subscription, utc(2027, 3, 11, 23), catalog=v2, policy=policy)
    assert isinstance(ok, Decision)
    late = migrate_price(begin.subscription, utc(2027, 3, 11, 23, 1), catalog=v2, policy=policy)
    assert refused(late).reason is RefusalReason.NOTICE_PERIOD


def test_a_migration_never_takes_effect_before_the_version_does() -> None:
    """v2 takes effect 2028-03-01; with no lead time at all (0 days), a migration on
    2028-01-05 of a monthly subscription cannot take the 02-01 period end: refused, naming
    03-01 (the first period end not before the version); with effective_at 03-01 it is
    scheduled, its notice deadline 03-01 itself."""
    policy = attrs.evolve(SEED_POLICY, name="no-lead", price_change_notice_days=0)
    v1 = standard("30", "v1", utc(2027, 1, 1))
    v2 = standard("60", "v2", utc(2028, 3, 1))
    sub = advance(
        start(v1, utc(2027, 12, 1), policy=policy).subscription,
        utc(2028, 1, 5),
        catalog=v2,
        policy=policy,
    ).subscription
    answer = refused(migrate_price(sub, utc(2028, 1, 5), catalog=v2, policy=policy))
    assert answer.reason is RefusalReason.NOT_YET_EFFECTIVE
    assert answer.message == (
        "version 'v2' takes effect at 2028-03-01T00:00:00+00:00, after the period end"
        " 2028-02-01T00:00:00+00:00; the first period end within reach is"
        " 2028-03-01T00:00:00+00:00 (pass it as effective_at), with the notice sent by"
        " 2028-03-01T00:00:00+00:00"
    )
    scheduled = decided(
        migrate_price(sub, utc(2028, 1, 5), catalog=v2, policy=policy, effective_at=utc(2028, 3, 1))
    )
    assert scheduled.subscription.pending_change is not None
    assert scheduled.subscription.pending_change.effective_at == utc(2028, 3, 1)


def test_a_change_scheduled_periods_ahead_waits_for_its_period_end() -> None:
    """Scheduled on 2021-01-20 for 2021-03-01, the migration leaves the 02-01 renewal at
    USD 30.00 (no notice of a change then) and applies at 03-01."""
    sub = start(KB_V1, utc(2021, 1, 1)).subscription
    decision = decided(
        migrate_price(
            sub, utc(2021, 1, 20), catalog=KB_V2, policy=SEED_POLICY, effective_at=utc(2021, 3, 1)
        )
    )
    feb = advance(decision.subscription, utc(2021, 2, 1), catalog=KB_V2, policy=SEED_POLICY)
    assert [str(i.amount_due) for i in feb.invoices] == ["USD 30.00"]
    assert [n.kind for n in feb.notices] == [NoticeKind.RENEWED]
    assert feb.subscription.pending_change == decision.subscription.pending_change
    mar = advance(feb.subscription, utc(2021, 3, 1), catalog=KB_V2, policy=SEED_POLICY)
    assert [str(i.amount_due) for i in mar.invoices] == ["USD 60.00"]
    assert [n.kind for n in mar.notices] == [NoticeKind.PRICE_CHANGED, NoticeKind.RENEWED]


def test_a_migration_waits_for_its_period_end_when_billing_resumes_before_it() -> None:
    """Scheduled on 2021-01-20 for 2021-03-01, then suspended on 01-25 and reinstated on 02-10
    (the 02-01 period end passed while suspended, unbilled): the rest of February is billed
    at the recorded USD 30.00 (19 of 28 days: 30 × 19 / 28 = 20.357… → USD 20.36), the new
    price stays pending, and the 03-01 renewal bills USD 60.00 with its notice. The notice of
    01-20 promised 03-01; resuming billing must not bring the new price forward.
    Found by the model-based lives."""
    sub = start(KB_V1, utc(2021, 1, 1)).subscription
    scheduled = decided(
        migrate_price(
            sub, utc(2021, 1, 20), catalog=KB_V2, policy=SEED_POLICY, effective_at=utc(2021, 3, 1)
        )
    ).subscription
    suspended = decided(suspend(scheduled, utc(2021, 1, 25), policy=SEED_POLICY)).subscription
    waited = advance(suspended, utc(2021, 2, 10), catalog=KB_V2, policy=SEED_POLICY).subscription
    back = decided(reinstate(waited, utc(2021, 2, 10), catalog=KB_V2, policy=SEED_POLICY))
    assert [str(i.amount_due) for i in back.invoices] == ["USD 20.36"]
    assert back.subscription.pending_change == scheduled.pending_change
    mar = advance(back.subscription, utc(2021, 3, 1), catalog=KB_V2, policy=SEED_POLICY)
    assert [str(i.amount_due) for i in mar.invoices] == ["USD 60.00"]
    assert [n.kind for n in mar.notices] == [NoticeKind.PRICE_CHANGED, NoticeKind.RENEWED]


def test_effective_at_may_be_a_period_end_in_a_dst_fold() -> None:
    """Team at USD 10.00 a seat (v1; v2: 12.00), 5 seats, monthly in Paris from 28 Aug 2029
    02:30 CEST (00:30Z). The period end of 28 Oct falls at 02:30 the night clocks go back:
    the first of the two 02:30s, 00:30Z, is the boundary. Migrating to it on 28 Sep at
    00:30Z, the deadline of its notice (02:30 CEST 30 days before), is accepted, for a sole
    new price (5 × 12.00) and for one riding on a seat decrease scheduled then (3 × 12.00):
    an instant in another zone compares unequal to a wall time in a fold, so the boundary
    must be compared in UTC. Found by the model-based lives."""
    v1, v2 = team("10", "v1", utc(2026, 1, 1)), team("12", "v2", utc(2026, 12, 1))
    sub = start_subscription(
        "sub_1", "cus_1", "team", MONTHLY, utc(2029, 8, 28, 0, 30), catalog=v1,
        time_zone="Europe/Paris", trial=False, policy=SEED_POLICY, quantity=5,
    ).subscription  # fmt: skip
    sep = advance(sub, utc(2029, 9, 28, 0, 30), catalog=v1, policy=SEED_POLICY).subscription
    fold = utc(2029, 10, 28, 0, 30)
    assert sep.current_period.end.astimezone(UTC) == fold  # 02:30 CEST
    at = utc(2029, 9, 28, 0, 30)
    alone = decided(migrate_price(sep, at, catalog=v2, policy=SEED_POLICY, effective_at=fold))
    assert facts(alone, NoticeKind.PRICE_CHANGE_SCHEDULED)["new_amount"] == "USD 60.00"
    fewer = decided(
        change_plan(
            sep, "team", MONTHLY, at, catalog=v1, usage=Usage(), policy=SEED_POLICY, quantity=3
        )
    ).subscription
    riding = decided(migrate_price(fewer, at, catalog=v2, policy=SEED_POLICY, effective_at=fold))
    assert facts(riding, NoticeKind.PRICE_CHANGE_SCHEDULED)["new_amount"] == "USD 36.00"


def test_effective_at_must_be_a_period_end_still_to_come() -> None:
    """2021-02-15 is no period end of a cycle anchored on the 1st."""
    from subscription_rules.errors import InvalidPeriodError  # noqa: PLC0415

    sub = start(KB_V1, utc(2021, 1, 1)).subscription
    with pytest.raises(InvalidPeriodError, match=r"^effective_at: is not a period end"):
        migrate_price(
            sub, utc(2021, 1, 2), catalog=KB_V2, policy=SEED_POLICY, effective_at=utc(2021, 2, 15)
        )


# --------------------------------------------------------------------------- what may be migrated


def test_already_on_the_current_price_is_no_change_and_a_second_migration_is_already_done() -> None:
    sub = start(KB_V2, utc(2021, 2, 1)).subscription
    answer = refused(migrate_price(sub, utc(2021, 2, 2), catalog=KB_V2, policy=SEED_POLICY))
    assert (answer.reason, answer.message) == (
        RefusalReason.NO_CHANGE,
        "already on the current price (USD 60.00 monthly)",
    )
    old = start(KB_V1, utc(2021, 1, 1)).subscription
    first = decided(
        migrate_price(old, utc(2021, 1, 1), catalog=KB_V2, policy=SEED_POLICY)
    )  # 01-01 is 31 days before 02-01: in time
    again = refused(
        migrate_price(first.subscription, utc(2021, 1, 1), catalog=KB_V2, policy=SEED_POLICY)
    )
    assert again.reason is RefusalReason.ALREADY_DONE


def test_statuses_ended_suspended_and_cancelled_are_refused_past_due_and_trials_are_not() -> None:
    """A trial converts at its recorded price and takes the new one at a later period end; a
    past-due subscription may be migrated (nothing is charged now); ended, suspended and
    cancelled ones may not."""
    old = start(KB_V1, utc(2021, 1, 1)).subscription
    at = utc(2021, 1, 1, 12)
    ended = decided(terminate(old, at, catalog=KB_V2, policy=SEED_POLICY)).subscription
    suspended = decided(suspend(old, at, policy=SEED_POLICY)).subscription
    cancelled = decided(cancel(old, at, policy=SEED_POLICY)).subscription
    for sub in (ended, suspended, cancelled):
        answer = refused(migrate_price(sub, at, catalog=KB_V2, policy=SEED_POLICY))
        assert answer.reason is RefusalReason.NOT_ALLOWED_IN_STATUS, sub.status
    assert (ended.status, suspended.status) == (Status.ENDED, Status.SUSPENDED)
    past_due = old.evolve(status=Status.PAST_DUE)
    assert isinstance(migrate_price(past_due, at, catalog=KB_V2, policy=SEED_POLICY), Decision)
    # A 14-day trial from 2021-01-01: the first period runs 01-15 to 02-15, billed USD 30.00 at
    # the conversion; the migration takes its end, 02-15 (45 days after 01-01).
    trial_v1 = attrs.evolve(KB_V1, plans=(attrs.evolve(KB_V1.plans[0], trial_days=14),))
    trial_v2 = attrs.evolve(KB_V2, plans=(attrs.evolve(KB_V2.plans[0], trial_days=14),))
    trialing = start(trial_v1, utc(2021, 1, 1), trial=True).subscription
    moved = decided(migrate_price(trialing, utc(2021, 1, 1), catalog=trial_v2, policy=SEED_POLICY))
    assert moved.subscription.pending_change is not None
    assert moved.subscription.pending_change.effective_at == utc(2021, 2, 15)
    converted = advance(moved.subscription, utc(2021, 2, 15), catalog=trial_v2, policy=SEED_POLICY)
    assert [str(i.amount_due) for i in converted.invoices] == ["USD 30.00", "USD 60.00"]


def test_a_trial_that_ends_the_subscription_leaves_no_migration_pending() -> None:
    """Trialing from 2021-01-01 (14 days) without a payment method, migrated on 01-01 for
    the first period end, 02-15 (its notice due by 01-16); the trial's end on 01-15 ends
    the subscription (``MissingPaymentMethod.CANCEL``): nothing is left scheduled on it,
    as at every other ending. Found by the model-based lives."""
    policy = attrs.evolve(
        SEED_POLICY, name="seed, changed", missing_payment_method=MissingPaymentMethod.CANCEL
    )
    trial_v1 = attrs.evolve(KB_V1, plans=(attrs.evolve(KB_V1.plans[0], trial_days=14),))
    trial_v2 = attrs.evolve(KB_V2, plans=(attrs.evolve(KB_V2.plans[0], trial_days=14),))
    trialing = start_subscription(
        "sub_1", "cus_1", "standard", MONTHLY, utc(2021, 1, 1), catalog=trial_v1,
        has_payment_method=False, policy=policy,
    ).subscription  # fmt: skip
    moved = decided(migrate_price(trialing, utc(2021, 1, 1), catalog=trial_v2, policy=policy))
    assert moved.subscription.pending_change is not None
    ended = advance(moved.subscription, utc(2021, 1, 15), catalog=trial_v2, policy=policy)
    assert (ended.subscription.status, ended.subscription.pending_change) == (Status.ENDED, None)


def test_a_change_to_another_plan_pending_is_refused() -> None:
    """A downgrade to Basic scheduled for 02-01 takes Basic's price then: nothing to migrate."""
    v1, v2 = with_basic(KB_V1), with_basic(KB_V2)
    sub = start(v1, utc(2021, 1, 1)).subscription
    down = decided(
        change_plan(
            sub, "basic", MONTHLY, utc(2021, 1, 2), catalog=v1, usage=Usage(), policy=SEED_POLICY
        )
    ).subscription
    answer = refused(migrate_price(down, utc(2021, 1, 2), catalog=v2, policy=SEED_POLICY))
    assert answer.reason is RefusalReason.CHANGE_PENDING
    assert price_migrations([down], v2, utc(2021, 1, 2), policy=SEED_POLICY) == ()


def test_a_seat_decrease_pending_carries_the_new_price() -> None:
    """Team at USD 10.00 a seat (v1), 5 seats from 2027-01-01, down to 3 at the 02-01 period
    end; v2 sells a seat at USD 12.00. Migrating on 2027-01-01 (31 days before 02-01) records
    v2's price on the pending change, keeping its 3 seats: the notice says 3 x 10.00 = 30.00 to
    3 x 12.00 = 36.00, and the 02-01 renewal bills 36.00 (a downgrade from 5 x 10.00 = 50.00)."""
    v1, v2 = team("10", "v1", utc(2026, 1, 1)), team("12", "v2", utc(2026, 12, 1))
    sub = start(v1, utc(2027, 1, 1), quantity=5).subscription
    fewer = decided(
        change_plan(
            sub,
            "team",
            MONTHLY,
            utc(2027, 1, 1),
            catalog=v1,
            usage=Usage.of(seats=3),
            policy=SEED_POLICY,
            quantity=3,
        )
    ).subscription
    assert fewer.pending_change is not None
    decision = decided(migrate_price(fewer, utc(2027, 1, 1), catalog=v2, policy=SEED_POLICY))
    pending = decision.subscription.pending_change
    assert pending is not None
    assert (pending.quantity, pending.effective_at) == (3, utc(2027, 2, 1))
    assert facts(decision, NoticeKind.PRICE_CHANGE_SCHEDULED)["old_amount"] == "USD 30.00"
    assert facts(decision, NoticeKind.PRICE_CHANGE_SCHEDULED)["new_amount"] == "USD 36.00"
    renewed = advance(decision.subscription, utc(2027, 2, 1), catalog=v2, policy=SEED_POLICY)
    assert [str(i.amount_due) for i in renewed.invoices] == ["USD 36.00"]
    assert NoticeKind.DOWNGRADED in [n.kind for n in renewed.notices]


def _migrated_twice(v2_amount: str, v3_amount: str) -> tuple[Decision, Decision]:
    """Standard at 100 in v1 from 2026-07-01, at ``v2_amount`` in v2 from 07-15 and
    ``v3_amount`` in v3 from 07-18, no lead time: a subscription of 07-01 migrated to v2 on
    07-15 and to v3 on 07-18. The second migration, and the 08-01 renewal."""
    policy = attrs.evolve(KILL_BILL_LIKE, name="kb-no-lead", price_change_notice_days=0)
    v1 = standard("100", "v1", utc(2026, 7, 1))
    v2 = standard(v2_amount, "v2", utc(2026, 7, 15))
    v3 = standard(v3_amount, "v3", utc(2026, 7, 18))
    sub = start(v1, utc(2026, 7, 1), policy=policy).subscription
    to_v2 = decided(migrate_price(sub, utc(2026, 7, 15), catalog=v2, policy=policy))
    to_v3 = decided(migrate_price(to_v2.subscription, utc(2026, 7, 18), catalog=v3, policy=policy))
    return to_v3, advance(to_v3.subscription, utc(2026, 8, 1), catalog=v3, policy=policy)


def test_kill_bill_two_versions_within_one_cycle_the_latest_wins() -> None:
    """Kill Bill's TestCatalogWithEffectiveDateForExistingSubscriptionsAlignedToBCD,
    testTwoCatalogChangesWithinSameBillingCycle (GasUtility, beatrix tests; killbill issue
    #2291): v1 2026-07-01 at 100, v2 07-15 at 50, v3 07-18 at 150; a subscription of 07-01 is
    billed 100 for 07-01 to 08-01 and is expected at 150 from 08-01: the newest change wins (Kill
    Bill itself still bills 50, the known bug). No lead time (Kill Bill's alignment has none):
    migrated to v2 on 07-15 and to v3 on 07-18, the 08-01 renewal bills 150."""
    to_v3, renewed = _migrated_twice("50", "150")
    assert facts(to_v3, NoticeKind.PRICE_CHANGE_SCHEDULED)["old_amount"] == "USD 50.00"
    assert facts(to_v3, NoticeKind.PRICE_CHANGE_SCHEDULED)["new_amount"] == "USD 150.00"
    assert [str(i.amount_due) for i in renewed.invoices] == ["USD 150.00"]
    assert facts(renewed, NoticeKind.PRICE_CHANGED)["old_amount"] == "USD 100.00"


def test_a_migration_back_to_the_price_billed_now_announces_no_price_change_at_the_renewal() -> (
    None
):
    """v1 at 100 from 07-01, v2 at 150 from 07-15, v3 at 100 again from 07-18 (no lead time).
    Migrated to v2 on 07-15, then to v3 on 07-18: the second notice says the scheduled 150.00
    is 100.00 after all. The 08-01 renewal bills 100.00, records v3, and sends no
    ``PRICE_CHANGED`` notice: the customer's price did not change (100.00 before and after)."""
    to_v3, renewed = _migrated_twice("150", "100")
    assert facts(to_v3, NoticeKind.PRICE_CHANGE_SCHEDULED)["old_amount"] == "USD 150.00"
    assert facts(to_v3, NoticeKind.PRICE_CHANGE_SCHEDULED)["new_amount"] == "USD 100.00"
    assert [str(i.amount_due) for i in renewed.invoices] == ["USD 100.00"]
    assert NoticeKind.PRICE_CHANGED not in [n.kind for n in renewed.notices]
    after = renewed.subscription
    assert after.pending_change is None
    assert after.price is not None
    assert (str(after.price.price.amount), after.price.version) == ("USD 100.00", "v3")


# --------------------------------------------------------------------------- retired plans


def test_a_retired_plan_keeps_renewing_at_its_recorded_price_for_years() -> None:
    """Kill Bill, "Retire plan" (catalog-examples.adoc): v2 (2021-01-15) drops standard-monthly;
    the existing subscription is still invoiced $30 on 2021-02-01, and a new one fails. Here
    the plan stays in v2 as retired: the subscription of 2021-01-01 renews at USD 30.00 for
    three years (36 renewals after the first invoice), while starting it or changing to it
    raises RetiredPlanError, migrating it is refused and no notice run lists it."""
    retired = with_basic(standard("60", "v2", utc(2021, 1, 15), retired=True))
    begin = start(with_basic(KB_V1), utc(2021, 1, 1))
    amounts = charged(begin, utc(2024, 1, 1), retired)
    assert len(amounts) == 37
    assert {amount for _day, amount in amounts} == {"USD 30.00"}
    assert amounts[-1] == ("2024-01-01", "USD 30.00")
    with pytest.raises(RetiredPlanError, match=r"^plan_id: plan 'standard' is retired"):
        start(retired, utc(2021, 2, 1), subscription_id="sub_2")
    basic = start_subscription(
        "sub_3",
        "cus_3",
        "basic",
        MONTHLY,
        utc(2021, 2, 1),
        catalog=retired,
        trial=False,
        policy=SEED_POLICY,
    ).subscription
    with pytest.raises(RetiredPlanError):
        change_plan(
            basic,
            "standard",
            MONTHLY,
            utc(2021, 2, 2),
            catalog=retired,
            usage=Usage(),
            policy=SEED_POLICY,
        )
    answer = refused(
        migrate_price(begin.subscription, utc(2021, 1, 2), catalog=retired, policy=SEED_POLICY)
    )
    assert answer.reason is RefusalReason.NO_CURRENT_PRICE
    assert answer.message.startswith("plan 'standard' is retired: it keeps renewing at its")
    assert (
        price_migrations([begin.subscription], retired, utc(2021, 1, 2), policy=SEED_POLICY) == ()
    )


def test_a_document_written_before_prices_were_recorded_follows_the_catalog() -> None:
    """A subscription without a recorded price (a version-1 document) bills the catalog's
    current price: USD 60.00 at the 02-01 renewal under v2, with no migration (there is
    nothing to migrate: it is always on the current price)."""
    legacy = start(KB_V1, utc(2021, 1, 1)).subscription.evolve(price=None)
    renewed = advance(legacy, utc(2021, 2, 1), catalog=KB_V2, policy=SEED_POLICY)
    assert [str(i.amount_due) for i in renewed.invoices] == ["USD 60.00"]
    answer = refused(migrate_price(legacy, utc(2021, 1, 2), catalog=KB_V2, policy=SEED_POLICY))
    assert answer.reason is RefusalReason.NO_CHANGE
    assert price_migrations([legacy], KB_V2, utc(2021, 1, 2), policy=SEED_POLICY) == ()


# --------------------------------------------------------------------------- check_new_version


def test_check_new_version_accepts_a_later_or_simultaneous_version_under_a_new_name() -> None:
    check_new_version(KB_V1, KB_V2)  # v2 2021-01-15 after v1 2020-01-01: no error
    check_new_version(KB_V1, standard("45", "v1-fix", utc(2020, 1, 1)))  # the same instant


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        (KB_V2, KB_V1, "^version.effective_at: 2020-01-01T00:00:00\\+00:00 is earlier than"),
        (KB_V1, standard("60", "v1", utc(2021, 1, 15)), "^version.name: 'v1' is the current"),
        (attrs.evolve(KB_V1, version=None), KB_V2, "^version: the current catalog has no version"),
        (KB_V1, attrs.evolve(KB_V2, version=None), "^version: the new catalog has no version"),
    ],
    ids=["earlier", "same-name", "current-unversioned", "new-unversioned"],
)
def test_check_new_version_refuses(current: Catalog, new: Catalog, message: str) -> None:
    with pytest.raises(CatalogVersionError, match=message):
        check_new_version(current, new)


# --------------------------------------------------------------------------- the notice run


def test_price_migrations_over_a_mixed_list() -> None:
    """A notice run on 2021-01-20 under v2 (30 days' notice), monthly subscriptions on the 1st:
    the first period end within reach is 03-01 (02-01 - 30 days = 01-02 has passed; 03-01 - 30
    days = 01-30 has not). Listed: the one on v1 (30.00 to 60.00) and a trial (it converts on
    02-03 at 30.00, and its first period ends 03-03, deadline 03-03 - 30 days = 02-01). Left out: one on v2's
    price, a legacy document (follows the catalog), an ended one, a suspended one, a cancelled
    one, and one with a downgrade to Basic pending."""
    v1, v2 = with_basic(KB_V1), with_basic(KB_V2)
    at = utc(2021, 1, 20)

    def sub(sub_id: str) -> Subscription:
        return start(v1, utc(2021, 1, 1), subscription_id=sub_id).subscription

    old = sub("old")
    trial_v1 = attrs.evolve(v1, plans=(attrs.evolve(v1.plans[0], trial_days=14), v1.plans[1]))
    trialing = start(trial_v1, utc(2021, 1, 20), subscription_id="trial", trial=True).subscription
    current = start(v2, utc(2021, 1, 16), subscription_id="current").subscription
    legacy = sub("legacy").evolve(price=None)
    ended = decided(terminate(sub("ended"), at, catalog=v2, policy=SEED_POLICY)).subscription
    suspended = decided(suspend(sub("suspended"), at, policy=SEED_POLICY)).subscription
    cancelled = decided(cancel(sub("cancelled"), at, policy=SEED_POLICY)).subscription
    downgrading = decided(
        change_plan(
            sub("down"), "basic", MONTHLY, at, catalog=v1, usage=Usage(), policy=SEED_POLICY
        )
    ).subscription
    found = price_migrations(
        [old, current, legacy, ended, suspended, cancelled, downgrading, trialing],
        v2,
        at,
        policy=SEED_POLICY,
    )
    assert found == (
        PriceMigration(
            "old", "standard", 1, usd("30"), usd("60"), utc(2021, 3, 1), utc(2021, 1, 30)
        ),
        PriceMigration(
            "trial", "standard", 1, usd("30"), usd("60"), utc(2021, 3, 3), utc(2021, 2, 1)
        ),
    )
    for migration, subscription in zip(found, (old, trialing), strict=True):
        done = decided(
            migrate_price(
                subscription,
                at,
                catalog=v2,
                policy=SEED_POLICY,
                effective_at=migration.effective_at,
            )
        )
        assert done.subscription.pending_change is not None
        assert facts(done, NoticeKind.PRICE_CHANGE_SCHEDULED)["new_amount"] == "USD 60.00"


def test_price_migrations_is_pure_and_keeps_the_order_given() -> None:
    a = start(KB_V1, utc(2021, 1, 1), subscription_id="a").subscription
    b = start(KB_V1, utc(2021, 1, 5), subscription_id="b").subscription
    at = utc(2021, 1, 20)
    once = price_migrations([b, a], KB_V2, at, policy=SEED_POLICY)
    assert [m.subscription_id for m in once] == ["b", "a"]
    assert price_migrations((b, a), KB_V2, at, policy=SEED_POLICY) == once
    assert [m.effective_at for m in once] == [utc(2021, 3, 5), utc(2021, 3, 1)]


@given(
    day=st.integers(1, 28),
    hour=st.integers(0, 23),
    lead=st.integers(0, 120),
    offset=st.integers(0, 27 * 86_400),
    interval=st.sampled_from(["monthly", "yearly"]),
)
def test_the_listed_period_end_is_the_first_migrate_price_accepts(
    day: int, hour: int, lead: int, offset: int, interval: str
) -> None:
    """For any start, lead time and instant in the current period: ``migrate_price`` accepts
    the listed period end up to its notice deadline, refuses it a second later, and refuses
    every earlier period end still to come."""
    policy = attrs.evolve(SEED_POLICY, name="lead", price_change_notice_days=lead)
    v1 = standard("30", "v1", utc(2020, 1, 1), interval=interval)
    v2 = standard("60", "v2", utc(2020, 6, 1), interval=interval)
    sub = start(v1, utc(2021, 1, day, hour), interval=interval, policy=policy).subscription
    at = sub.started_at + timedelta(seconds=offset)
    (m,) = price_migrations([sub], v2, at, policy=policy)
    assert (m.old_amount, m.new_amount) == (usd("30"), usd("60"))
    assert at <= m.notice_by <= m.effective_at
    accepted = migrate_price(sub, at, catalog=v2, policy=policy, effective_at=m.effective_at)
    assert isinstance(accepted, Decision)
    if m.notice_by + timedelta(seconds=1) < sub.current_period.end:
        late = migrate_price(
            sub,
            m.notice_by + timedelta(seconds=1),
            catalog=v2,
            policy=policy,
            effective_at=m.effective_at,
        )
        assert refused(late).reason is RefusalReason.NOTICE_PERIOD
    index = sub.period_index + 1
    while (end := sub.cycle.boundary(index)) < m.effective_at:
        early = migrate_price(sub, at, catalog=v2, policy=policy, effective_at=end)
        assert refused(early).reason is RefusalReason.NOTICE_PERIOD
        index += 1


def test_choosing_the_current_plan_again_does_not_undo_a_price_migration() -> None:
    """``change_plan`` to the plan, interval and quantity the subscription is on undoes a
    scheduled change of plan; a scheduled price migration stays (no change)."""
    sub = start(KB_V1, utc(2021, 1, 1)).subscription
    migrated = decided(migrate_price(sub, utc(2021, 1, 1), catalog=KB_V2, policy=SEED_POLICY))
    again = change_plan(
        migrated.subscription,
        "standard",
        MONTHLY,
        utc(2021, 1, 2),
        catalog=KB_V2,
        usage=Usage(),
        policy=SEED_POLICY,
    )
    assert refused(again).reason is RefusalReason.NO_CHANGE
