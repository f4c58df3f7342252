"""The Hypothesis strategies: every value they draw passes its type's own validation, each
strategy honours its arguments, and `st.from_type` finds one for every public value type,
with no set-up in a fresh interpreter."""

from __future__ import annotations

import enum
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast, get_args
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import subscription_rules
from subscription_rules import (
    DEFAULT_METRICS,
    KILL_BILL_LIKE,
    LAGO_LIKE,
    MONTHLY,
    QUARTERLY,
    SEED_POLICY,
    STRIPE_LIKE,
    YEARLY,
    BillingCycle,
    BillingPolicy,
    Catalog,
    Comparison,
    Currency,
    Decision,
    Effect,
    Interval,
    Limits,
    Metric,
    MissingPaymentMethod,
    Money,
    Plan,
    Price,
    Status,
    Subscription,
    SuspendedTime,
    advance,
    check_downgrade,
    default_catalog,
    reinstate,
    start_subscription,
    suspend,
    usage_report,
)
from subscription_rules import strategies as sr
from subscription_rules.errors import (
    CatalogError,
    InvalidAmountError,
    InvalidArgumentError,
    InvalidInstantError,
    InvalidPolicyError,
    InvalidTimeZoneError,
    UnknownCurrencyError,
)
from subscription_rules.money import MAX_MINOR, iso_currencies

CATALOG = default_catalog()
INVOICING = attrs.evolve(
    SEED_POLICY, name="invoicing", missing_payment_method=MissingPaymentMethod.INVOICE
)
EFFECT_TYPES = get_args(Effect)
LIVE = (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE)
# Drawing a catalog takes a hundred choices, and a subscription runs the library's
# commands: fewer examples of those keep the file fast.
SLOW = settings(max_examples=25)


def rebuilt(value: object) -> object:
    """Build ``value`` again through its constructors, bottom up, so every validator runs."""
    if attrs.has(type(value)):
        fields = attrs.fields(cast("type[attrs.AttrsInstance]", type(value)))
        arguments = {f.alias: rebuilt(getattr(value, f.name)) for f in fields if f.init}
        return type(value)(**arguments)
    if isinstance(value, tuple):
        return tuple(rebuilt(item) for item in value)
    if isinstance(value, frozenset):
        return frozenset(rebuilt(item) for item in value)
    return value


def assert_valid(value: object) -> None:
    assert rebuilt(value) == value


# --------------------------------------------------------------------------- money and time


@given(sr.currencies())
def test_currencies_come_from_the_iso_table(currency: Currency) -> None:
    assert currency in iso_currencies()
    assert Currency.of(currency.code) == currency


@given(sr.money())
def test_money_is_valid_in_the_whole_range(amount: Money) -> None:
    assert_valid(amount)
    assert -MAX_MINOR <= amount.minor <= MAX_MINOR


@given(sr.money("jpy", min_minor=-5, max_minor=5))
def test_money_keeps_to_its_currency_and_bounds(amount: Money) -> None:
    assert amount.currency == Currency.of("JPY")
    assert -5 <= amount.minor <= 5


def test_money_shrinks_toward_zero_dollars() -> None:
    assert find(sr.money(), lambda _: True) == Money.zero("USD")


@given(sr.intervals())
def test_intervals_are_valid(interval: Interval) -> None:
    assert_valid(interval)
    assert Interval.parse(str(interval)) == interval


@given(sr.time_zones())
def test_time_zones_exist(name: str) -> None:
    assert ZoneInfo(name).key == name


@given(sr.instants())
def test_instants_are_aware_and_in_range(at: datetime) -> None:
    assert at.utcoffset() is not None
    assert 2000 <= at.year <= 2100


@given(sr.instants(1999, 1999, "Pacific/Chatham"))
def test_instants_keep_to_their_years_and_zone(at: datetime) -> None:
    assert at.year == 1999
    assert at.tzinfo == ZoneInfo("Pacific/Chatham")


@given(sr.instants(2027, 2029, "Europe/Paris", edges=True))
def test_edge_instants_keep_to_their_years_and_zone(at: datetime) -> None:
    assert at.tzinfo == ZoneInfo("Europe/Paris")
    assert 2027 <= at.year <= 2029


def test_edge_instants_find_a_dst_change_a_month_end_and_a_fold() -> None:
    edges = sr.instants(2028, 2028, "America/New_York", edges=True)
    change = datetime(2028, 3, 12, 7, tzinfo=UTC)  # 02:00 EST becomes 03:00 EDT
    assert find(edges, lambda at: at == change) == change
    assert find(edges, lambda at: (at.month, at.day) == (2, 29)).day == 29
    assert find(edges, lambda at: at.fold == 1).fold == 1
    with pytest.raises(InvalidArgumentError, match="edges"):
        sr.instants(edges=cast("bool", "yes"))


@given(sr.offset_changes("America/New_York", 2027, 2029))
def test_offset_changes_are_where_the_offset_changes(at: datetime) -> None:
    zone = ZoneInfo("America/New_York")
    assert at.tzinfo is UTC
    assert 2027 <= at.year <= 2029
    before = (at - timedelta(seconds=1)).astimezone(zone).utcoffset()
    assert before != at.astimezone(zone).utcoffset()


@given(sr.cycles())
def test_cycles_are_valid_and_have_periods(cycle: BillingCycle) -> None:
    assert_valid(cycle)
    assert cycle.period(0).start == cycle.boundary(0)


@given(sr.cycles(YEARLY, "Asia/Kolkata"))
def test_cycles_keep_to_their_interval_and_zone(cycle: BillingCycle) -> None:
    assert (cycle.interval, cycle.time_zone) == (YEARLY, "Asia/Kolkata")


@given(sr.periods())
def test_periods_are_valid(period: subscription_rules.BillingPeriod) -> None:
    assert_valid(period)
    assert period.start in period


# --------------------------------------------------------------------------- the catalog


@given(sr.metrics())
def test_metrics_are_valid(metric: Metric) -> None:
    assert_valid(metric)


@given(sr.limits())
def test_limits_name_only_the_metrics_given(limits: Limits) -> None:
    assert_valid(limits)
    assert set(limits.names) <= {metric.name for metric in DEFAULT_METRICS}


@given(sr.prices("KWD", MONTHLY))
def test_prices_are_valid_and_never_negative(price: Price) -> None:
    assert_valid(price)
    assert price.amount.currency == Currency.of("KWD")
    assert not price.amount.is_negative()


@given(sr.overages("EUR", "seats"))
def test_overages_are_valid(overage: subscription_rules.Overage) -> None:
    assert_valid(overage)
    assert (overage.metric, overage.currency.code) == ("seats", "EUR")


@SLOW
@given(sr.plans())
def test_plans_are_valid_and_fit_a_catalog(plan: Plan) -> None:
    assert_valid(plan)
    assert len({price.amount.currency for price in plan.prices}) == 1
    Catalog((plan,))  # overage only for limited per-period metrics: the catalog accepts it


@SLOW
@given(sr.catalogs())
def test_catalogs_are_valid(catalog: Catalog) -> None:
    assert_valid(catalog)
    assert 1 <= len(catalog) <= 5
    assert len({plan.currency for plan in catalog}) == 1
    assert len(set(catalog.ids)) == len(catalog)
    ranks = [plan.rank for plan in catalog]
    assert ranks.count(None) in {0, len(ranks)}


@SLOW
@given(sr.catalogs("JPY", min_plans=2, max_plans=2, metric_list=()))
def test_catalogs_keep_to_their_arguments(catalog: Catalog) -> None:
    assert str(catalog.currency) == "JPY"
    assert len(catalog) == 2
    assert catalog.metrics == ()


@given(sr.catalogs(interval=QUARTERLY, min_plans=2, max_plans=3))
def test_catalogs_sold_at_one_interval_sell_every_plan_at_it(catalog: Catalog) -> None:
    assert 2 <= len(catalog) <= 3
    assert all(plan.intervals == (QUARTERLY,) for plan in catalog)


@SLOW
@given(st.data())
def test_usages_count_only_a_catalogs_metrics(data: st.DataObject) -> None:
    catalog = data.draw(sr.catalogs())
    usage = data.draw(sr.usages(catalog))
    assert_valid(usage)
    for plan in catalog:  # the rules accept the usage for every plan
        usage_report(plan, usage, catalog.metrics)
        check_downgrade(usage, plan, catalog.metrics)


# --------------------------------------------------------------------------- policies


@SLOW
@given(sr.policies())
def test_policies_are_valid(policy: BillingPolicy) -> None:
    assert_valid(policy)
    ladder = policy.overdue_ladder
    assert ladder is None or all(state.balance is None for state in ladder.states)


@SLOW
@given(st.data())
def test_policies_for_a_catalog_suit_it(data: st.DataObject) -> None:
    catalog = data.draw(sr.catalogs())
    policy = data.draw(sr.policies(catalog=catalog))
    if not catalog.ranked:
        assert policy.classify_by is Comparison.ANNUALISED_PRICE
    for state in policy.overdue_ladder.states if policy.overdue_ladder else ():
        assert state.balance is None or state.balance.currency == catalog.currency


def test_policies_shrink_to_the_seed_policy() -> None:
    assert find(sr.policies(), lambda _: True) is SEED_POLICY


@given(sr.policies(catalog=CATALOG, presets_only=True))
def test_presets_only_draws_the_presets(policy: BillingPolicy) -> None:
    assert policy in {SEED_POLICY, STRIPE_LIKE, KILL_BILL_LIKE, LAGO_LIKE}


# --------------------------------------------------------------------------- subscriptions


@pytest.mark.parametrize("status", list(Status))
def test_subscriptions_reach_the_status_asked_for(status: Status) -> None:
    @SLOW
    @given(sr.subscriptions(status))
    def check(sub: Subscription) -> None:
        assert_valid(sub)
        assert sub.status is status
        if status is Status.TRIALING:
            assert sub.trial_end is not None
            assert sub.processed_until < sub.trial_end
        if status in {Status.ACTIVE, Status.PAST_DUE}:
            period = sub.current_period
            assert period.start <= sub.processed_until < period.end
        if status is Status.SUSPENDED:
            assert sub.suspended_at is not None
            assert sub.suspension_reason is not None
        if status is Status.ENDED:
            assert sub.ended_at is not None

    check()


@SLOW
@given(st.data())
def test_subscriptions_under_a_given_catalog_and_policy_go_on_living(data: st.DataObject) -> None:
    """Invariant: the catalog and policy a subscription was drawn under keep working on it."""
    policy = data.draw(sr.policies(catalog=CATALOG))
    sub = data.draw(sr.subscriptions(catalog=CATALOG, policy=policy))
    assert sub.plan_id in CATALOG
    later = advance(sub, sub.processed_until + timedelta(days=40), catalog=CATALOG, policy=policy)
    assert_valid(later)


@SLOW
@given(sr.subscriptions(Status.PAST_DUE, policy=INVOICING))
def test_past_due_subscriptions_follow_the_policy_given(sub: Subscription) -> None:
    assert sub.status is Status.PAST_DUE


@SLOW
@given(sr.decisions())
def test_decisions_are_valid(decision: Decision) -> None:
    assert_valid(decision)
    assert all(isinstance(effect, EFFECT_TYPES) for effect in decision.effects)


def test_unreachable_statuses_are_refused_when_asked_for() -> None:
    no_trials = Catalog(tuple(attrs.evolve(plan, trial_days=0) for plan in CATALOG))
    with pytest.raises(CatalogError, match="no plan has a trial"):
        sr.subscriptions(Status.TRIALING, catalog=no_trials)
    with pytest.raises(InvalidPolicyError, match="missing_payment_method"):
        sr.subscriptions(Status.PAST_DUE, policy=SEED_POLICY)
    with pytest.raises(InvalidArgumentError, match="status"):
        sr.subscriptions("active")  # type: ignore[arg-type]


FREE_TRIALS = Catalog(
    tuple(
        attrs.evolve(
            plan,
            prices=tuple(attrs.evolve(p, amount=p.amount.with_minor(0)) for p in plan.prices),
        )
        if plan.trial_days
        else plan
        for plan in CATALOG
    )
)


@SLOW
@given(sr.subscriptions(catalog=FREE_TRIALS))
def test_a_catalog_whose_trials_are_free_is_never_drawn_past_due(sub: Subscription) -> None:
    """Regression: with every trial plan free, drawing any status raised InvalidArgumentError
    ("no plan of the catalog can reach past_due"); past due is now left out."""
    assert_valid(sub)
    assert sub.status is not Status.PAST_DUE


def test_past_due_of_a_catalog_whose_trials_are_free_is_refused_up_front() -> None:
    assert any(plan.trial_days for plan in FREE_TRIALS)
    with pytest.raises(CatalogError, match="no plan with a trial has a price above zero"):
        sr.subscriptions(Status.PAST_DUE, catalog=FREE_TRIALS)


def test_bad_arguments_are_refused_at_once() -> None:
    with pytest.raises(UnknownCurrencyError):
        sr.money("XXX")
    with pytest.raises(InvalidAmountError, match="max_minor"):
        sr.money(max_minor=MAX_MINOR + 1)
    with pytest.raises(InvalidInstantError, match="min_year"):
        sr.instants(2100, 2000)
    with pytest.raises(InvalidTimeZoneError):
        sr.instants(time_zone="Mars/Olympus")
    with pytest.raises(InvalidArgumentError, match="min_plans"):
        sr.catalogs(min_plans=0)
    with pytest.raises(CatalogError, match="metric"):
        sr.overages(metric="Seats")
    with pytest.raises(InvalidArgumentError, match="interval"):
        sr.catalogs(interval="monthly")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="presets_only"):
        sr.policies(presets_only=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidTimeZoneError, match="keeps one UTC offset"):
        sr.offset_changes("UTC")
    with pytest.raises(InvalidInstantError, match="min_year"):
        sr.offset_changes("Europe/Paris", 2030, 2020)


def test_reinstating_with_credited_time_survives_a_credit_that_rounds_to_zero() -> None:
    """Found by these strategies: a suspension credit that rounds to zero (USD 0.01 a month,
    one hour suspended: 1 × 3,600 / 2,592,000 of a cent → 0) issues no credit note."""
    catalog = Catalog((Plan("basic", "Basic", (Price.of("0.01", "USD", MONTHLY),)),))
    policy = attrs.evolve(SEED_POLICY, name="seed, changed", suspended_time=SuspendedTime.CREDITED)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    sub = start_subscription(
        "s", "c", "basic", MONTHLY, start, catalog=catalog, trial=False, policy=policy
    ).subscription
    suspended = suspend(sub, start + timedelta(days=1), policy=policy)
    assert isinstance(suspended, Decision)
    back = reinstate(
        suspended.subscription,
        start + timedelta(days=1, hours=1),
        catalog=catalog,
        policy=policy,
    )
    assert isinstance(back, Decision)
    assert back.credit_notes == ()
    assert back.subscription.status.value == "active"


# --------------------------------------------------------------------------- st.from_type

VALUE_TYPES = [
    value
    for name in subscription_rules.__all__
    if isinstance(value := getattr(subscription_rules, name), type)
    and not issubclass(value, (enum.Enum, BaseException))
]


def test_every_exported_value_type_is_covered() -> None:
    names = {kind.__name__ for kind in VALUE_TYPES}
    assert {"Subscription", "Catalog", "Money", "BillingPolicy", "Decision"} <= names
    assert len(VALUE_TYPES) >= 40


@pytest.mark.parametrize("kind", VALUE_TYPES, ids=lambda kind: kind.__name__)
def test_from_type_draws_valid_values_of_every_exported_type(kind: type) -> None:
    @settings(max_examples=3)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        value = data.draw(st.from_type(kind))
        assert isinstance(value, kind)
        assert_valid(value)

    check()


@settings(max_examples=10)
@given(st.from_type(Effect))  # type: ignore[arg-type]
def test_from_type_draws_every_kind_of_effect(effect: object) -> None:
    assert isinstance(effect, EFFECT_TYPES)


def test_the_setup_hook_can_run_again() -> None:
    sr._hypothesis_setup_hook()

    @settings(max_examples=3)
    @given(st.from_type(Subscription))
    def check(sub: Subscription) -> None:
        assert_valid(sub)

    check()


def _run(code: str, tmp_path: Path) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_NO_PLUGINS"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_from_type_works_in_a_fresh_interpreter_with_no_set_up(tmp_path: Path) -> None:
    """The entry point registers the strategies when Hypothesis is imported: a host's test
    needs no import of subscription_rules.strategies, and default settings pass health checks."""
    out = _run(
        """
        import sys
        from hypothesis import given, settings, strategies as st
        from subscription_rules import Money, Status, Subscription

        @settings(max_examples=5, database=None)
        @given(st.from_type(Subscription), st.from_type(Money))
        def test_host(sub, amount):
            assert isinstance(sub.status, Status) and amount.currency.code

        test_host()
        print("registered by", sorted(m for m in sys.modules if m.endswith(".strategies"))[-1])
        """,
        tmp_path,
    )
    assert out.strip() == "registered by subscription_rules.strategies"


def test_importing_the_strategies_before_hypothesis_works(tmp_path: Path) -> None:
    """The hook exists before this module imports Hypothesis, which runs the entry point."""
    out = _run(
        """
        import subscription_rules.strategies
        from hypothesis import find, strategies as st
        from subscription_rules import Plan
        print(find(st.from_type(Plan), lambda plan: True).id)
        """,
        tmp_path,
    )
    assert out.strip() == "basic"
