"""Catalog: metrics, limits, prices, plans, move classification and TOML loading."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs
import pytest

from helpers import usd
from subscription_rules.catalog import (
    BILLABLE_SESSIONS,
    DEFAULT_METRICS,
    INTEGRATIONS,
    MAX_CATALOG_BYTES,
    MAX_PLANS,
    PROPERTIES,
    Catalog,
    Comparison,
    Limits,
    Metric,
    MetricKind,
    MoveKind,
    Overage,
    Plan,
    Price,
    annualised,
    classify_move,
    default_catalog,
    load_catalog,
    parse_catalog,
)
from subscription_rules.errors import (
    CatalogError,
    CurrencyMismatchError,
    InvalidArgumentError,
    InvalidUsageError,
    SubscriptionRulesError,
    UnknownPlanError,
    UnknownPriceError,
)
from subscription_rules.money import Currency, Money, RoundingMode
from subscription_rules.periods import (
    DAILY,
    MONTHLY,
    QUARTERLY,
    WEEKLY,
    YEARLY,
    Interval,
    IntervalUnit,
)

if TYPE_CHECKING:
    from pathlib import Path


def plan(
    plan_id: str,
    *prices: Price,
    rank: int | None = None,
    limits: Limits | None = None,
) -> Plan:
    return Plan(
        plan_id,
        plan_id.title(),
        prices or (Price.of("10.00", "USD"),),
        limits or Limits(),
        rank=rank,
    )


def catalog_error(text: str) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        parse_catalog(text)
    return info.value


VALID_TOML = """\
currency = "EUR"

[[metrics]]
name = "seats"
kind = "stock"
singular = "seat"
plural = "seats"
verb = "remove"

[[metrics]]
name = "api_calls"
kind = "per_period"
singular = "API call"
plural = "API calls"
verb = "reduce"

[[plans]]
id = "starter"
name = "Starter"
trial_days = 7
rank = 1

[plans.prices]
monthly = "9.90"
yearly = 99
"6 months" = "50.00"

[plans.limits]
seats = 3
api_calls = 10_000

[[plans]]
id = "team"
name = "Team"
rank = 2

[plans.prices]
monthly = "29.00"

[plans.limits]
seats = "unlimited"
"""

BASE = 'currency = "USD"\n[[plans]]\nid = "a"\nname = "A"\n'


# --- metrics ------------------------------------------------------------------------------------


def test_default_metrics_are_properties_integrations_and_billable_sessions() -> None:
    assert DEFAULT_METRICS == (PROPERTIES, INTEGRATIONS, BILLABLE_SESSIONS)
    assert [m.kind for m in DEFAULT_METRICS] == [
        MetricKind.STOCK,
        MetricKind.STOCK,
        MetricKind.PER_PERIOD,
    ]
    assert (PROPERTIES.verb, INTEGRATIONS.verb, BILLABLE_SESSIONS.verb) == (
        "delete",
        "remove",
        "reduce",
    )


def test_metric_describe_uses_singular_for_one_and_plural_otherwise() -> None:
    assert PROPERTIES.describe(1) == "1 property"
    assert PROPERTIES.describe(3) == "3 properties"
    assert INTEGRATIONS.describe(0) == "0 integrations"
    assert BILLABLE_SESSIONS.describe(2_000_000) == "2,000,000 billable sessions"


def test_metric_describe_refuses_negative_and_non_int_counts() -> None:
    with pytest.raises(InvalidUsageError):
        PROPERTIES.describe(-1)
    with pytest.raises(InvalidArgumentError):
        PROPERTIES.describe(n=True)
    with pytest.raises(InvalidArgumentError):
        PROPERTIES.describe(1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["", "Seats", "2seats", "seats-used", " seats", "a" * 65, 3])
def test_metric_name_must_be_a_lower_case_identifier(name: object) -> None:
    with pytest.raises(CatalogError, match=r"^name: must be a lower-case identifier") as info:
        Metric(name, MetricKind.STOCK, "seat", "seats", "remove")  # type: ignore[arg-type]
    assert info.value.key == "name"


def test_metric_words_must_be_non_empty_and_kind_a_metric_kind() -> None:
    with pytest.raises(CatalogError, match=r"^plural: must be a non-empty string"):
        Metric("seats", MetricKind.STOCK, "seat", " ", "remove")
    with pytest.raises(CatalogError, match=r"^kind: must be a MetricKind"):
        Metric("seats", "stock", "seat", "seats", "remove")  # type: ignore[arg-type]


# --- limits -------------------------------------------------------------------------------------


def test_limits_are_sorted_pairs_so_equal_limits_compare_and_hash_equal() -> None:
    one = Limits.of(properties=3, integrations=None)
    two = Limits.of({"integrations": None}, properties=3)
    assert one.items() == (("integrations", None), ("properties", 3))
    assert one == two
    assert hash(one) == hash(two)
    assert one.names == ("integrations", "properties")


def test_a_metric_absent_from_the_limits_is_unlimited() -> None:
    assert Limits().get("properties") is None
    assert Limits.of(properties=3).get("integrations") is None
    assert Limits.of(properties=0).get("properties") == 0


def test_keyword_limits_win_over_the_mapping() -> None:
    assert Limits.of({"properties": 1}, properties=2).get("properties") == 2


@pytest.mark.parametrize("bad", [-1, True, 1.0, "3", "unlimited"])
def test_a_limit_must_be_a_non_negative_int_or_none(bad: object) -> None:
    with pytest.raises(CatalogError, match=r"^limits\.properties: must be an int >= 0") as info:
        Limits.of({"properties": bad})  # type: ignore[dict-item]
    assert info.value.key == "limits.properties"


def test_limits_refuse_a_metric_given_twice_and_malformed_names() -> None:
    with pytest.raises(CatalogError, match=r"^limits\.seats: given twice"):
        Limits((("seats", 1), ("seats", 2)))
    with pytest.raises(CatalogError, match=r"^limits: must be metric names"):
        Limits.of({"Seats": 1})
    with pytest.raises(CatalogError, match=r"^limits: must be \(metric name, limit\) pairs"):
        Limits(("seats",))  # type: ignore[arg-type]


def test_limits_are_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Limits().pairs = ()  # type: ignore[misc]


# --- prices -------------------------------------------------------------------------------------


def test_price_reads_as_amount_and_interval() -> None:
    assert str(Price(usd("50.00"), MONTHLY)) == "USD 50.00 monthly"
    assert str(Price.of("100", "USD", "6 months")) == "USD 100.00 every 6 months"


def test_a_free_price_is_allowed_but_a_negative_one_is_refused() -> None:
    assert Price(usd("0"), MONTHLY).amount.is_zero()
    with pytest.raises(CatalogError, match=r"^amount: must not be negative, got USD -0\.01$") as e:
        Price(usd("-0.01"), MONTHLY)
    assert e.value.key == "amount"


def test_price_refuses_values_of_the_wrong_type() -> None:
    with pytest.raises(CatalogError, match=r"^amount: must be a Money, got str '50'"):
        Price("50", MONTHLY)  # type: ignore[arg-type]
    with pytest.raises(CatalogError, match=r"^interval: must be an Interval"):
        Price(usd("50"), "monthly")  # type: ignore[arg-type]


# --- plans --------------------------------------------------------------------------------------


def test_plan_price_looks_up_by_interval() -> None:
    personal = default_catalog().plan("personal")
    assert personal.price(MONTHLY).amount == usd("50.00")
    assert personal.price(YEARLY).amount == usd("500.00")
    assert personal.intervals == (MONTHLY, YEARLY)
    assert personal.currency == Currency.of("USD")


def test_plan_without_the_interval_raises_unknown_price_listing_what_it_has() -> None:
    personal = default_catalog().plan("personal")
    with pytest.raises(UnknownPriceError) as info:
        personal.price(WEEKLY)
    assert str(info.value) == (
        "interval: plan 'personal' has no weekly price; it has: monthly, yearly"
    )
    assert isinstance(info.value, LookupError)
    assert info.value.value == WEEKLY


@pytest.mark.parametrize("bad", ["", "Pro", "pro plan", "-pro", "pró", "p" * 65, 7])
def test_plan_id_must_be_a_lower_case_slug(bad: object) -> None:
    with pytest.raises(CatalogError, match=r"^id: must be a lower-case slug"):
        Plan(bad, "Pro", (Price.of("1", "USD"),))  # type: ignore[arg-type]


def test_plan_id_may_hold_digits_dots_dashes_and_underscores() -> None:
    assert Plan("pro-2026.v2_eu", "Pro", (Price.of("1", "USD"),)).id == "pro-2026.v2_eu"


def test_plan_needs_a_name_and_at_least_one_price() -> None:
    with pytest.raises(CatalogError, match=r"^pro\.name: must be a non-empty string"):
        Plan("pro", "", (Price.of("1", "USD"),))
    with pytest.raises(CatalogError, match=r"^pro\.prices: must hold at least one price$"):
        Plan("pro", "Pro", ())


def test_plan_prices_are_stored_as_a_tuple() -> None:
    assert Plan("pro", "Pro", [Price.of("1", "USD")]).prices == (Price.of("1", "USD"),)


def test_plan_refuses_two_prices_for_one_interval_including_12_months_and_a_year() -> None:
    with pytest.raises(CatalogError, match=r"^pro\.prices: has two monthly prices"):
        Plan("pro", "Pro", (Price.of("1", "USD"), Price.of("2", "USD")))
    twelve = Interval(IntervalUnit.MONTH, 12)
    with pytest.raises(CatalogError, match=r"has two every 12 months prices \(same as yearly\)"):
        Plan("pro", "Pro", (Price.of("1", "USD", YEARLY), Price.of("2", "USD", twelve)))
    seven_days = Interval(IntervalUnit.DAY, 7)
    with pytest.raises(CatalogError, match=r"same as weekly"):
        Plan("pro", "Pro", (Price.of("1", "USD", WEEKLY), Price.of("2", "USD", seven_days)))


def test_every_currency_of_a_plan_is_sold_at_the_same_intervals() -> None:
    with pytest.raises(
        CatalogError, match=r"^pro\.prices: has a monthly USD price but no monthly EUR price"
    ):
        Plan("pro", "Pro", (Price.of("1", "USD"), Price.of("1", "EUR", YEARLY)))


def test_a_plan_sells_in_several_currencies_one_price_per_interval_each() -> None:
    plan = Plan(
        "pro",
        "Pro",
        (Price.of("30", "USD"), Price.of("28", "EUR"), Price.of("4500", "JPY")),
    )
    assert [c.code for c in plan.currencies] == ["USD", "EUR", "JPY"]
    assert str(plan.price(MONTHLY, Currency.of("JPY"))) == "JPY 4500 monthly"
    assert plan.price(MONTHLY) == Price.of("30", "USD")  # the first currency
    assert plan.intervals == (MONTHLY,)
    with pytest.raises(CatalogError, match=r"^pro\.prices: has two monthly EUR prices"):
        Plan("pro", "Pro", (Price.of("30", "USD"), Price.of("28", "EUR"), Price.of("1", "EUR")))


def test_plan_prices_must_be_price_values() -> None:
    with pytest.raises(CatalogError, match=r"^pro\.prices: must be a tuple of Price values"):
        Plan("pro", "Pro", ("USD 1.00",))  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, 731, True, 1.5, "14"])
def test_trial_days_must_be_an_int_from_0_to_730(bad: object) -> None:
    with pytest.raises(CatalogError, match=r"^pro\.trial_days: must be an int from 0 to 730"):
        Plan("pro", "Pro", (Price.of("1", "USD"),), trial_days=bad)  # type: ignore[arg-type]


def test_trial_days_may_be_0_or_730() -> None:
    assert Plan("pro", "Pro", (Price.of("1", "USD"),), trial_days=730).trial_days == 730
    assert Plan("pro", "Pro", (Price.of("1", "USD"),)).trial_days == 0


def test_rank_must_be_an_int_or_none() -> None:
    with pytest.raises(CatalogError, match=r"^pro\.rank: must be an int or None"):
        Plan("pro", "Pro", (Price.of("1", "USD"),), rank="1")  # type: ignore[arg-type]
    with pytest.raises(CatalogError, match=r"^pro\.limits: must be a Limits"):
        Plan("pro", "Pro", (Price.of("1", "USD"),), {"x": 1})  # type: ignore[arg-type]


# --- the default catalog ------------------------------------------------------------------------


def test_default_catalog_has_personal_advanced_pro_in_that_order() -> None:
    catalog = default_catalog()
    assert catalog.ids == ("personal", "advanced", "pro")
    assert [p.name for p in catalog] == ["Personal", "Advanced", "Pro"]
    assert len(catalog) == 3
    assert catalog.currency == Currency.of("USD")
    assert catalog.metrics == DEFAULT_METRICS
    assert not catalog.ranked


def test_default_catalog_moving_advanced_to_personal_means_deleting_7_properties() -> None:
    catalog = default_catalog()
    advanced, personal = catalog.plan("advanced"), catalog.plan("personal")
    assert advanced.limit("properties") == 10
    assert personal.limit("properties") == 3
    excess = 10 - 3
    assert f"{PROPERTIES.verb} {PROPERTIES.describe(excess)}" == "delete 7 properties"


@pytest.mark.parametrize(
    "row",
    [
        # EUR, the example's second currency, is 90% of USD: 50.00 → 45.00, 500.00 → 450.00
        ("personal", "50.00", "500.00", "45.00", "450.00", 3, 3, 100_000),
        ("advanced", "150.00", "1500.00", "135.00", "1350.00", 10, 10, 500_000),
        ("pro", "300.00", "3000.00", "270.00", "2700.00", 25, None, 2_000_000),
    ],
)
def test_default_catalog_prices_and_limits(
    row: tuple[str, str, str, str, str, int, int | None, int],
) -> None:
    plan_id, monthly, yearly, eur_monthly, eur_yearly, properties, integrations, sessions = row
    found = default_catalog().plan(plan_id)
    assert found.price(MONTHLY).amount == usd(monthly)
    assert found.price(YEARLY).amount == usd(yearly)
    euros = Currency.of("EUR")
    assert found.price(MONTHLY, euros).amount == Money.of(eur_monthly, euros)
    assert found.price(YEARLY, euros).amount == Money.of(eur_yearly, euros)
    assert found.currencies == (Currency.of("USD"), euros)
    assert found.limit("properties") == properties
    assert found.limit("integrations") == integrations
    assert found.limit("billable_sessions") == sessions
    assert found.trial_days == 14
    assert found.rank is None


def test_default_catalog_is_one_immutable_value() -> None:
    assert default_catalog() is default_catalog()
    assert hash(default_catalog()) == hash(default_catalog())


@pytest.mark.parametrize(
    ("plan_id", "price", "euros"),
    [("personal", "5.00", "4.50"), ("advanced", "4.00", "3.60"), ("pro", "3.00", "2.70")],
)
def test_default_catalog_prices_billable_sessions_overage_per_1000(
    plan_id: str, price: str, euros: str
) -> None:
    found = default_catalog().plan(plan_id)
    assert found.overage == (
        Overage("billable_sessions", usd(price), per=1000),
        Overage.of("billable_sessions", euros, "EUR", 1000),
    )
    assert found.overage_for("billable_sessions") == Overage.of(
        "billable_sessions", price, "USD", 1000
    )
    assert found.overage_for("properties") is None
    assert found.overage_for("integrations") is None


# --- overage ------------------------------------------------------------------------------------


SESSIONS_PER_1000 = Overage.of("billable_sessions", "5.00", "USD", per=1000)


def sessions_plan(*overage: Overage, limit: int | None = 100_000) -> Plan:
    return Plan(
        "a",
        "A",
        (Price.of("10.00", "USD"),),
        Limits.of(billable_sessions=limit, properties=3),
        overage=overage,
    )


def test_overage_defaults_to_a_price_per_single_unit() -> None:
    overage = Overage("billable_sessions", usd("0.01"))
    assert overage.per == 1
    assert overage.currency == Currency.of("USD")
    assert str(overage) == "USD 0.01 per 1 billable_sessions"


@pytest.mark.parametrize(
    ("excess", "mode", "expected"),
    [
        # 20,000 × 5.00 / 1,000 = 100.00 exactly.
        (20_000, RoundingMode.HALF_UP, "100.00"),
        # 500 × 500 cents / 1,000 = 250 cents: pro rata, not a whole block of 5.00.
        (500, RoundingMode.HALF_UP, "2.50"),
        # 1 × 500 cents / 1,000 = 0.5 cent: a tie, half-up 1 cent, half-even 0, up 1.
        (1, RoundingMode.HALF_UP, "0.01"),
        (1, RoundingMode.HALF_EVEN, "0.00"),
        (1, RoundingMode.UP, "0.01"),
        # 1,999 × 500 / 1,000 = 999.5 cents: half-even goes to the even 1,000.
        (1_999, RoundingMode.HALF_EVEN, "10.00"),
        (1_999, RoundingMode.DOWN, "9.99"),
        (0, RoundingMode.UP, "0.00"),
    ],
)
def test_overage_charge_is_pro_rata_per_unit_rounded_once(
    excess: int, mode: RoundingMode, expected: str
) -> None:
    assert SESSIONS_PER_1000.charge(excess, mode) == usd(expected)


def test_overage_charge_refuses_negative_or_non_int_excess_and_bad_rounding() -> None:
    with pytest.raises(InvalidUsageError, match=r"^excess: must be a non-negative int, got int -1"):
        SESSIONS_PER_1000.charge(-1, RoundingMode.HALF_UP)
    with pytest.raises(InvalidUsageError, match=r"^excess: .*got bool True"):
        SESSIONS_PER_1000.charge(True, RoundingMode.HALF_UP)  # noqa: FBT003
    with pytest.raises(InvalidArgumentError, match=r"^rounding: expected a RoundingMode"):
        SESSIONS_PER_1000.charge(1, "half_up")  # type: ignore[arg-type]


@pytest.mark.parametrize("metric", ["", " ", "Sessions", 3])
def test_overage_metric_must_be_a_metric_name(metric: object) -> None:
    with pytest.raises(CatalogError, match=r"^metric: must be a metric name") as info:
        Overage(metric, usd("1"))  # type: ignore[arg-type]
    assert info.value.key == "metric"


def test_overage_price_must_be_money_and_not_negative_but_may_be_zero() -> None:
    assert Overage("billable_sessions", usd("0")).unit_price.is_zero()
    with pytest.raises(CatalogError, match=r"^unit_price: must not be negative, got USD -0\.01$"):
        Overage("billable_sessions", usd("-0.01"))
    with pytest.raises(CatalogError, match=r"^unit_price: must be a Money, got str '5'"):
        Overage("billable_sessions", "5")  # type: ignore[arg-type]


@pytest.mark.parametrize("per", [0, -1, 10**9 + 1, True, 1.0, "1000"])
def test_overage_per_must_be_an_int_from_1_to_a_billion(per: object) -> None:
    with pytest.raises(CatalogError, match=r"^per: must be an int from 1 to 1000000000") as info:
        Overage("billable_sessions", usd("1"), per)  # type: ignore[arg-type]
    assert info.value.key == "per"


def test_overage_per_may_be_1_or_a_billion() -> None:
    assert Overage("billable_sessions", usd("1"), 10**9).per == 10**9
    assert Overage("billable_sessions", usd("1"), 1).per == 1


def test_plan_overage_is_stored_as_a_tuple_and_found_by_metric() -> None:
    found = Plan(
        "a",
        "A",
        (Price.of("10.00", "USD"),),
        Limits.of(billable_sessions=1),
        overage=[SESSIONS_PER_1000],
    )
    assert found.overage == (SESSIONS_PER_1000,)
    assert found.overage_for("billable_sessions") is SESSIONS_PER_1000
    assert found.overage_for("properties") is None
    assert plan("b").overage == ()


def test_plan_refuses_two_overage_prices_for_one_metric() -> None:
    with pytest.raises(CatalogError) as info:
        sessions_plan(SESSIONS_PER_1000, Overage.of("billable_sessions", "1", "USD"))
    assert str(info.value).startswith(
        "a.overage.billable_sessions: given twice; give at most one overage price per metric"
    )
    assert (info.value.plan, info.value.key) == ("a", "overage.billable_sessions")


def test_plan_refuses_overage_for_a_metric_without_a_finite_limit() -> None:
    with pytest.raises(CatalogError) as info:
        sessions_plan(SESSIONS_PER_1000, limit=None)
    assert str(info.value) == (
        "a.overage.billable_sessions: the plan has no limit for 'billable_sessions'"
        " (unlimited); overage needs a finite limit"
    )
    with pytest.raises(CatalogError, match=r"^a\.overage\.integrations: the plan has no limit"):
        sessions_plan(Overage.of("integrations", "1", "USD"))


def test_a_limit_of_zero_may_have_overage() -> None:
    assert sessions_plan(SESSIONS_PER_1000, limit=0).overage == (SESSIONS_PER_1000,)


def test_plan_refuses_overage_in_another_currency() -> None:
    with pytest.raises(CatalogError) as info:
        sessions_plan(Overage.of("billable_sessions", "5", "EUR", 1000))
    assert str(info.value) == (
        "a.overage.billable_sessions: priced in EUR, but the plan is sold in USD;"
        " use one of its currencies"
    )
    assert info.value.value == "EUR"


def test_plan_refuses_overage_that_is_not_an_overage_value() -> None:
    with pytest.raises(CatalogError, match=r"^a\.overage: must be a tuple of Overage values"):
        sessions_plan("USD 5.00")  # type: ignore[arg-type]


def test_catalog_refuses_overage_on_a_stock_metric_naming_plan_and_key() -> None:
    stock = sessions_plan(Overage.of("properties", "1.00", "USD"))
    with pytest.raises(CatalogError) as info:
        Catalog((plan("z"), stock))
    assert str(info.value) == (
        "plans[1] ('a').overage.properties: 'properties' is a stock metric; only per-period"
        " metrics have overage (a stock over the limit blocks the move instead)"
    )
    assert (info.value.plan, info.value.key) == ("plans[1] ('a')", "overage.properties")


def test_catalog_refuses_overage_on_an_unknown_metric() -> None:
    seats = Plan(
        "a",
        "A",
        (Price.of("1", "USD"),),
        Limits.of(seats=1),
        overage=(Overage.of("seats", "1", "USD"),),
    )
    with pytest.raises(CatalogError, match=r"^plans\[0\] \('a'\)\.limits\.seats: unknown metric"):
        Catalog((seats,))
    per_period_seats = Metric("seats", MetricKind.PER_PERIOD, "seat", "seats", "remove")
    assert Catalog((seats,), metrics=(per_period_seats,)).plan("a").overage_for("seats")
    with pytest.raises(
        CatalogError, match=r"^plans\[0\] \('a'\)\.overage\.seats: 'seats' is a stock"
    ):
        Catalog((seats,), metrics=(Metric("seats", MetricKind.STOCK, "seat", "seats", "remove"),))


def test_catalog_accepts_overage_on_a_per_period_metric() -> None:
    catalog = Catalog((sessions_plan(SESSIONS_PER_1000),))
    assert catalog.plan("a").overage_for("billable_sessions") == SESSIONS_PER_1000


# --- the catalog --------------------------------------------------------------------------------


def test_unknown_plan_error_lists_the_known_plans() -> None:
    with pytest.raises(UnknownPlanError) as info:
        default_catalog().plan("gold")
    assert str(info.value) == (
        "plan_id: unknown plan 'gold'; known plans: 'personal', 'advanced', 'pro'"
    )
    assert isinstance(info.value, LookupError)


def test_catalog_contains_ids_and_plans_and_iterates_in_order() -> None:
    catalog = default_catalog()
    assert "pro" in catalog
    assert "gold" not in catalog
    assert catalog.plan("pro") in catalog
    assert plan("gold") not in catalog
    assert 3 not in catalog
    assert tuple(catalog) == catalog.plans


def test_catalog_metric_lookup() -> None:
    assert default_catalog().metric("integrations") is INTEGRATIONS
    with pytest.raises(CatalogError, match=r"^metrics: unknown metric 'seats'; known metrics:"):
        default_catalog().metric("seats")


def test_catalog_needs_at_least_one_plan() -> None:
    with pytest.raises(CatalogError, match=r"^plans: must hold at least one plan$"):
        Catalog(())


def test_catalog_refuses_duplicate_plan_ids_naming_the_plan_and_key_id() -> None:
    with pytest.raises(CatalogError) as info:
        Catalog((plan("a"), plan("b"), plan("a")))
    assert str(info.value) == "plans[2] ('a').id: duplicate plan id, already used by plans[0]"
    assert (info.value.plan, info.value.key) == ("plans[2] ('a')", "id")


def test_a_catalog_may_sell_plans_in_different_currencies() -> None:
    catalog = Catalog((plan("a"), plan("b", Price.of("1", "EUR"))))
    assert [c.code for c in catalog.currencies] == ["USD", "EUR"]
    assert catalog.currency.code == "USD"  # the default: the first plan's first currency


def test_catalog_refuses_limits_for_unknown_metrics() -> None:
    with pytest.raises(CatalogError) as info:
        Catalog((plan("a", limits=Limits.of(seats=1)),))
    assert str(info.value) == (
        "plans[0] ('a').limits.seats: unknown metric 'seats'; known metrics: "
        "'properties', 'integrations', 'billable_sessions'"
    )


def test_catalog_with_no_metrics_refuses_every_limit() -> None:
    with pytest.raises(CatalogError, match=r"known metrics: none$"):
        Catalog((plan("a", limits=Limits.of(properties=1)),), metrics=())


def test_catalog_ranks_are_on_every_plan_or_none() -> None:
    with pytest.raises(CatalogError, match=r"^plans\[1\] \('b'\)\.rank: missing; give a rank"):
        Catalog((plan("a", rank=1), plan("b")))
    with pytest.raises(CatalogError, match=r"^plans\[0\] \('a'\)\.rank: missing"):
        Catalog((plan("a"), plan("b", rank=1)))


def test_catalog_ranks_are_unique() -> None:
    with pytest.raises(CatalogError) as info:
        Catalog((plan("a", rank=1), plan("b", rank=2), plan("c", rank=1)))
    assert str(info.value) == (
        "plans[2] ('c').rank: duplicate rank 1, already used by plans[0] ('a')"
    )


def test_catalog_refuses_duplicate_metric_names_and_non_values() -> None:
    with pytest.raises(CatalogError, match=r"^metrics\[1\]\.name: duplicate metric name"):
        Catalog((plan("a"),), metrics=(PROPERTIES, PROPERTIES))
    with pytest.raises(CatalogError, match=r"^metrics\[0\]: must be a Metric"):
        Catalog((plan("a"),), metrics=("properties",))  # type: ignore[arg-type]
    with pytest.raises(CatalogError, match=r"^plans\[1\]: must be a Plan"):
        Catalog((plan("a"), "b"))  # type: ignore[arg-type]


def test_catalog_errors_are_value_errors_and_library_errors() -> None:
    with pytest.raises(CatalogError) as info:
        Catalog(())
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, SubscriptionRulesError)


# --- annualised price ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "per_year"),
    [
        (Price.of("50.00", "USD", MONTHLY), Fraction(600)),
        (Price.of("500.00", "USD", YEARLY), Fraction(500)),
        (Price.of("30.00", "USD", QUARTERLY), Fraction(120)),
        (Price.of("7.00", "USD", WEEKLY), Fraction(365)),  # 7.00 a week = 1.00 a day
        (Price.of("1.00", "USD", DAILY), Fraction(365)),
        (Price.of("100.00", "USD", "6 months"), Fraction(200)),
        (Price.of("900.00", "USD", "3 years"), Fraction(300)),
        (Price.of("0.01", "USD", MONTHLY), Fraction(12, 100)),
        (Price.of("1000", "JPY", MONTHLY), Fraction(12000)),
        (Price.of("0.014", "KWD", "2 weeks"), Fraction(365, 1000)),  # 0.001 a day
    ],
)
def test_annualised_counts_12_months_or_365_days_and_a_week_as_7_days(
    price: Price, per_year: Fraction
) -> None:
    assert annualised(price) == per_year


def test_yearly_billing_is_cheaper_per_year_than_monthly_in_the_default_catalog() -> None:
    for found in default_catalog():
        assert annualised(found.price(YEARLY)) < annualised(found.price(MONTHLY))


def test_annualised_refuses_a_non_price() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^price: expected a Price"):
        annualised(usd("1"))  # type: ignore[arg-type]


# --- move classification ------------------------------------------------------------------------


def test_same_plan_same_interval_is_no_change() -> None:
    pro = default_catalog().plan("pro")
    assert classify_move(pro, MONTHLY, pro, MONTHLY) is MoveKind.NO_CHANGE


def test_same_plan_other_interval_is_an_interval_change_either_way() -> None:
    pro = default_catalog().plan("pro")
    assert classify_move(pro, MONTHLY, pro, YEARLY) is MoveKind.INTERVAL_CHANGE
    assert classify_move(pro, YEARLY, pro, MONTHLY) is MoveKind.INTERVAL_CHANGE


@pytest.mark.parametrize(
    ("current", "current_interval", "target", "target_interval", "expected"),
    [
        ("personal", MONTHLY, "advanced", MONTHLY, MoveKind.UPGRADE),
        ("advanced", MONTHLY, "personal", MONTHLY, MoveKind.DOWNGRADE),
        ("personal", MONTHLY, "pro", YEARLY, MoveKind.UPGRADE),
        ("pro", YEARLY, "personal", MONTHLY, MoveKind.DOWNGRADE),
        # Advanced yearly costs 1,500 a year; Personal monthly 600: a downgrade.
        ("advanced", YEARLY, "personal", MONTHLY, MoveKind.DOWNGRADE),
        # Personal yearly costs 500 a year; Advanced monthly 1,800: an upgrade.
        ("personal", YEARLY, "advanced", MONTHLY, MoveKind.UPGRADE),
    ],
)
def test_moves_between_plans_are_classified_by_annualised_price(
    current: str,
    current_interval: Interval,
    target: str,
    target_interval: Interval,
    expected: MoveKind,
) -> None:
    catalog = default_catalog()
    kind = classify_move(
        catalog.plan(current), current_interval, catalog.plan(target), target_interval
    )
    assert kind is expected
    assert catalog.classify(current, current_interval, target, target_interval) is expected


def test_annualised_comparison_sees_through_the_interval() -> None:
    # 120 a year billed monthly (10.00) vs 100 a year billed yearly: cheaper despite
    # the bigger sticker price.
    monthly = plan("small", Price.of("10.00", "USD", MONTHLY))
    yearly = plan("big", Price.of("100.00", "USD", YEARLY))
    assert classify_move(monthly, MONTHLY, yearly, YEARLY) is MoveKind.DOWNGRADE
    assert classify_move(yearly, YEARLY, monthly, MONTHLY) is MoveKind.UPGRADE


def test_a_tie_on_annualised_price_counts_as_an_upgrade_both_ways() -> None:
    monthly = plan("monthly-600", Price.of("50.00", "USD", MONTHLY))
    yearly = plan("yearly-600", Price.of("600.00", "USD", YEARLY))
    assert classify_move(monthly, MONTHLY, yearly, YEARLY) is MoveKind.UPGRADE
    assert classify_move(yearly, YEARLY, monthly, MONTHLY) is MoveKind.UPGRADE
    same_price = plan("twin", Price.of("10.00", "USD"))
    other = plan("other", Price.of("10.00", "USD"))
    assert classify_move(same_price, MONTHLY, other, MONTHLY) is MoveKind.UPGRADE


def test_rank_comparison_ignores_price() -> None:
    cheap_but_big = plan("big", Price.of("1.00", "USD"), rank=2)
    dear_but_small = plan("small", Price.of("99.00", "USD"), rank=1)
    assert (
        classify_move(dear_but_small, MONTHLY, cheap_but_big, MONTHLY, by=Comparison.RANK)
        is MoveKind.UPGRADE
    )
    assert (
        classify_move(cheap_but_big, MONTHLY, dear_but_small, MONTHLY, by=Comparison.RANK)
        is MoveKind.DOWNGRADE
    )
    assert classify_move(dear_but_small, MONTHLY, cheap_but_big, MONTHLY) is MoveKind.DOWNGRADE


def test_catalog_classify_uses_ranks_when_the_catalog_has_them() -> None:
    catalog = Catalog(
        (
            plan("big", Price.of("1.00", "USD"), rank=2),
            plan("small", Price.of("99.00", "USD"), rank=1),
        )
    )
    assert catalog.ranked
    assert catalog.classify("small", MONTHLY, "big", MONTHLY) is MoveKind.UPGRADE
    assert (
        catalog.classify("small", MONTHLY, "big", MONTHLY, by=Comparison.ANNUALISED_PRICE)
        is MoveKind.DOWNGRADE
    )


def test_rank_comparison_without_ranks_is_a_catalog_error_naming_the_plan() -> None:
    ranked = plan("ranked", rank=1)
    unranked = plan("unranked")
    with pytest.raises(CatalogError) as info:
        classify_move(unranked, MONTHLY, ranked, MONTHLY, by=Comparison.RANK)
    assert str(info.value) == (
        "unranked.rank: comparison by rank needs a rank on both plans; this plan has none"
    )
    with pytest.raises(CatalogError, match=r"^unranked\.rank"):
        classify_move(ranked, MONTHLY, unranked, MONTHLY, by=Comparison.RANK)


def test_classify_move_needs_prices_for_both_intervals() -> None:
    catalog = default_catalog()
    with pytest.raises(UnknownPriceError, match=r"plan 'pro' has no weekly price"):
        classify_move(catalog.plan("personal"), MONTHLY, catalog.plan("pro"), WEEKLY)
    with pytest.raises(UnknownPriceError, match=r"plan 'pro' has no quarterly price"):
        catalog.classify("pro", QUARTERLY, "pro", QUARTERLY)


def test_classify_move_refuses_non_plans_other_currencies_and_bad_comparisons() -> None:
    pro = default_catalog().plan("pro")
    with pytest.raises(InvalidArgumentError, match=r"^target_plan: expected a Plan"):
        classify_move(pro, MONTHLY, "personal", MONTHLY)  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatchError, match=r"^target_plan: expected currency 'USD'"):
        classify_move(pro, MONTHLY, plan("euro", Price.of("1", "EUR")), MONTHLY)
    with pytest.raises(InvalidArgumentError, match=r"^by: expected a Comparison"):
        classify_move(pro, MONTHLY, pro, YEARLY, by="rank")  # type: ignore[arg-type]


def test_catalog_classify_refuses_unknown_plan_ids() -> None:
    with pytest.raises(UnknownPlanError, match=r"unknown plan 'gold'"):
        default_catalog().classify("personal", MONTHLY, "gold", MONTHLY)


# --- TOML: valid files --------------------------------------------------------------------------


def test_toml_round_trip_of_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(VALID_TOML, encoding="utf-8")
    catalog = load_catalog(path)
    assert catalog == load_catalog(str(path)) == parse_catalog(VALID_TOML)
    assert catalog.currency == Currency.of("EUR")
    assert catalog.ids == ("starter", "team")
    assert catalog.metrics == (
        Metric("seats", MetricKind.STOCK, "seat", "seats", "remove"),
        Metric("api_calls", MetricKind.PER_PERIOD, "API call", "API calls", "reduce"),
    )
    starter = catalog.plan("starter")
    assert starter == Plan(
        "starter",
        "Starter",
        (
            Price(Money.of("9.90", "EUR"), MONTHLY),
            Price(Money.of("99.00", "EUR"), YEARLY),
            Price(Money.of("50", "EUR"), Interval(IntervalUnit.MONTH, 6)),
        ),
        Limits.of(seats=3, api_calls=10_000),
        trial_days=7,
        rank=1,
    )
    team = catalog.plan("team")
    assert team.trial_days == 0
    assert team.limits == Limits.of(seats=None)
    assert team.limit("api_calls") is None
    assert catalog.ranked
    assert catalog.classify("team", MONTHLY, "starter", MONTHLY) is MoveKind.DOWNGRADE


def test_toml_without_metrics_uses_the_default_metrics_and_limits_are_optional() -> None:
    catalog = parse_catalog(BASE + 'prices = {monthly = "1.00"}\n')
    assert catalog.metrics == DEFAULT_METRICS
    assert catalog.plan("a").limits == Limits()


def test_toml_accepts_interval_synonyms_and_integer_amounts() -> None:
    catalog = parse_catalog(BASE + 'prices = {month = 5, annual = "50", quarterly = "14.50"}\n')
    assert catalog.plan("a").intervals == (MONTHLY, YEARLY, QUARTERLY)
    assert catalog.plan("a").price(MONTHLY).amount == usd("5.00")


def _toml_limit(limit: int | None) -> str:
    return '"unlimited"' if limit is None else str(limit)


def _toml_plan(p: Plan) -> str:
    """A plan as TOML: the catalog's currency (the plan's first) directly, others in tables."""

    def amounts(currency: Currency) -> str:
        return ", ".join(
            f'{price.interval} = "{price.amount.format_amount()}"'
            for price in p.prices
            if price.currency == currency
        )

    others = "".join(f", {c.code} = {{{amounts(c)}}}" for c in p.currencies[1:])
    limits = ", ".join(f"{name} = {_toml_limit(limit)}" for name, limit in p.limits.items())
    overage = "".join(
        f"[plans.overage.{o.metric}{'' if o.currency == p.currency else '.' + o.currency.code}]\n"
        f'price = "{o.unit_price.format_amount()}"\nper = {o.per}\n'
        for o in p.overage
    )
    return (
        f'[[plans]]\nid = "{p.id}"\nname = "{p.name}"\ntrial_days = {p.trial_days}\n'
        f"prices = {{{amounts(p.currency)}{others}}}\nlimits = {{{limits}}}\n{overage}"
    )


def test_toml_can_describe_the_default_catalog() -> None:
    text = 'currency = "USD"\n' + "".join(_toml_plan(p) for p in default_catalog())
    assert parse_catalog(text) == default_catalog()


OVERAGE_BASE = BASE + 'prices = {monthly = "10.00"}\nlimits = {billable_sessions = 100_000}\n'


def test_toml_overage_tables_give_price_and_per() -> None:
    text = OVERAGE_BASE + '[plans.overage.billable_sessions]\nprice = "5.00"\nper = 1_000\n'
    assert parse_catalog(text).plan("a").overage == (SESSIONS_PER_1000,)


def test_toml_overage_per_defaults_to_1_and_price_may_be_an_integer() -> None:
    text = OVERAGE_BASE + "overage = {billable_sessions = {price = 2}}\n"
    assert parse_catalog(text).plan("a").overage == (Overage("billable_sessions", usd("2")),)


def test_toml_overage_in_the_catalog_currency() -> None:
    text = OVERAGE_BASE.replace("USD", "JPY") + "overage.billable_sessions.price = 500\n"
    assert parse_catalog(text).plan("a").overage_for("billable_sessions") == Overage.of(
        "billable_sessions", 500, "JPY"
    )


@pytest.mark.parametrize(
    ("overage", "message"),
    [
        (
            "billable_sessions = {price = 5.0, per = 1000}",
            (
                "overage.billable_sessions.price: floats are refused for money, got 5.0;"
                " write the amount as a string such as '5.0'"
            ),
        ),
        (
            'billable_sessions = {price = "5", pre = 1000}',
            "overage.billable_sessions.pre: unknown key; allowed keys: price, per",
        ),
        (
            "billable_sessions = {per = 1000}",
            "overage.billable_sessions.price: missing required key",
        ),
        (
            'billable_sessions = {price = "5", per = 1000.0}',
            "overage.billable_sessions.per: must be an integer, got float 1000.0",
        ),
        (
            'billable_sessions = {price = "5", per = 0}',
            "overage.billable_sessions.per: must be an int from 1 to 1000000000, got 0",
        ),
        (
            'billable_sessions = {price = "-5"}',
            "overage.billable_sessions.price: must not be negative, got USD -5.00",
        ),
        (
            'billable_sessions = {price = "0.001"}',
            "overage.billable_sessions.price: '0.001' has more precision than USD allows",
        ),
        ('billable_sessions = "5.00"', "overage.billable_sessions: must be a table, got string"),
        (
            'Sessions = {price = "5"}',
            "overage.Sessions: must be a metric name (a lower-case identifier), got 'Sessions'",
        ),
        (
            'properties = {price = "1"}',
            "overage.properties: the plan has no limit for 'properties' (unlimited);",
        ),
        (
            'billable_sessions = {price = "1"}\nintegrations = {price = "1"}',
            "overage.integrations: the plan has no limit for 'integrations'",
        ),
    ],
)
def test_toml_overage_mistakes_name_the_plan_and_key(overage: str, message: str) -> None:
    err = catalog_error(OVERAGE_BASE + f"[plans.overage]\n{overage}\n")
    assert str(err).startswith(f"plans[0] ('a').{message}")
    assert err.plan == "plans[0] ('a')"


def test_toml_overage_must_be_a_table() -> None:
    err = catalog_error(OVERAGE_BASE + 'overage = "5.00"\n')
    assert str(err) == "plans[0] ('a').overage: must be a table, got string '5.00'"


def test_toml_overage_on_a_stock_metric_is_refused() -> None:
    text = BASE + "prices = {monthly = 1}\nlimits = {properties = 3}\n"
    err = catalog_error(text + 'overage.properties.price = "1.00"\n')
    assert str(err).startswith(
        "plans[0] ('a').overage.properties: 'properties' is a stock metric; only per-period"
    )
    assert err.key == "overage.properties"


# --- TOML: every mistake names the plan and key --------------------------------------------------


def test_toml_syntax_error_reports_tomllib_message_and_line() -> None:
    err = catalog_error('currency = "USD"\n[[plans]\n')
    assert str(err).startswith("invalid TOML: ")
    assert re.search(r"line 2", str(err))
    assert err.plan is None


def test_missing_prices_matches_the_errors_doctest() -> None:
    err = catalog_error(BASE)
    assert str(err) == "plans[0] ('a').prices: missing required key"
    assert (err.plan, err.key) == ("plans[0] ('a')", "prices")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[plans]]\nid = 'a'\n", "currency: missing required key"),
        ('currency = "USD"\n', "plans: missing required key"),
        ('currency = "USD"\n[[plans]]\nname = "A"\n', "plans[0].id: missing required key"),
        (
            'currency = "USD"\n[[plans]]\nid = "a"\nprices = {monthly = 1}\n',
            "plans[0] ('a').name: missing required key",
        ),
        (
            'currency = "USD"\n[[metrics]]\nname = "seats"\n' + BASE[17:] + "prices = {day = 1}",
            "metrics[0].kind: missing required key",
        ),
    ],
)
def test_missing_required_keys_are_named(text: str, message: str) -> None:
    assert str(catalog_error(text)) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("currency = 840\n", "currency: must be a string, got integer 840"),
        ('currency = "USD"\nplans = []\n', "plans: must hold at least one plan"),
        ('currency = "USD"\nplans = "a"\n', "plans: must be an array of tables ([[plans]])"),
        ('currency = "USD"\nplans = ["a"]\n', "plans[0]: must be a table, got string 'a'"),
        ('currency = "USD"\n[[plans]]\nid = 1\n', "plans[0].id: must be a string, got integer 1"),
        (BASE.replace('"A"', "true"), "plans[0] ('a').name: must be a string, got boolean True"),
        (BASE + 'prices = "50.00"\n', "plans[0] ('a').prices: must be a table, got string"),
        (BASE + "prices = {}\n", "plans[0] ('a').prices: must hold at least one price"),
        (
            BASE + 'trial_days = "14"\nprices = {monthly = 1}\n',
            "plans[0] ('a').trial_days: must be an integer, got string '14'",
        ),
        (
            BASE + "trial_days = 14.0\nprices = {monthly = 1}\n",
            "plans[0] ('a').trial_days: must be an integer, got float 14.0",
        ),
        (
            BASE + "trial_days = 1000\nprices = {monthly = 1}\n",
            "plans[0] ('a').trial_days: must be an int from 0 to 730, got 1000",
        ),
        (
            BASE + 'rank = "1"\nprices = {monthly = 1}\n',
            "plans[0] ('a').rank: must be an integer, got string '1'",
        ),
        (
            BASE + "limits = [1]\nprices = {monthly = 1}\n",
            "plans[0] ('a').limits: must be a table, got array",
        ),
        (
            'currency = "USD"\nmetrics = {name = "x"}\n',
            "metrics: must be an array of tables ([[metrics]])",
        ),
    ],
)
def test_wrong_types_are_named(text: str, message: str) -> None:
    assert str(catalog_error(text)).startswith(message)


def test_plan_id_that_is_not_a_slug_is_named_with_its_index() -> None:
    err = catalog_error(BASE.replace('"a"', '"Gold Plan"') + "prices = {monthly = 1}\n")
    assert str(err).startswith("plans[0] ('Gold Plan').id: must be a lower-case slug")


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        ("{monthly = 9.99}", "floats are refused for money, got 9.99; write the amount as a"),
        ("{monthly = 50.0}", "floats are refused for money, got 50.0"),
        ('{monthly = "-1.00"}', "must not be negative, got USD -1.00"),
        ("{monthly = -1}", "must not be negative, got USD -1.00"),
        ('{monthly = "1.005"}', "'1.005' has more precision than USD allows (2 decimal places)"),
        ('{monthly = "cheap"}', "'cheap' is not a decimal number"),
        ('{monthly = "1,500.00"}', "'1,500.00' is not a decimal number"),
        ("{monthly = true}", "must be an amount as a string such as '50.00' or an integer"),
        ("{monthly = 2026-01-01}", "must be an amount as a string such as '50.00' or an integer"),
    ],
)
def test_bad_amounts_name_the_plan_and_the_price_key(prices: str, message: str) -> None:
    err = catalog_error(BASE + f"prices = {prices}\n")
    assert str(err).startswith(f"plans[0] ('a').prices.monthly: {message}")
    assert (err.plan, err.key) == ("plans[0] ('a')", "prices.monthly")


def test_float_price_is_refused_even_when_whole() -> None:
    err = catalog_error(BASE + "[plans.prices]\nyearly = 500.0\n")
    assert str(err) == (
        "plans[0] ('a').prices.yearly: floats are refused for money, got 500.0;"
        " write the amount as a string such as '500.0'"
    )


def test_yen_amounts_refuse_cents() -> None:
    err = catalog_error(BASE.replace("USD", "JPY") + 'prices = {monthly = "1.50"}\n')
    assert "more precision than JPY allows" in str(err)


def test_unknown_currency_is_named_and_chained() -> None:
    err = catalog_error(BASE.replace("USD", "XYZ") + "prices = {monthly = 1}\n")
    assert str(err) == "currency: unknown ISO 4217 currency code 'XYZ'"
    assert err.key == "currency"
    assert isinstance(err.__cause__, SubscriptionRulesError)


def test_unknown_interval_key_is_named() -> None:
    err = catalog_error(BASE + "prices = {fortnightly = 1}\n")
    assert str(err).startswith(
        "plans[0] ('a').prices.fortnightly: not a billing interval: 'fortnightly'"
    )
    assert err.__cause__ is not None


def test_two_keys_for_one_interval_are_a_duplicate() -> None:
    err = catalog_error(BASE + "prices = {monthly = 1, month = 2}\n")
    assert str(err).startswith("plans[0] ('a').prices: has two monthly prices")
    err = catalog_error(BASE + 'prices = {yearly = 1, "12 months" = 2}\n')
    assert "(same as yearly)" in str(err)


def test_duplicate_plan_ids_are_named() -> None:
    plan_b = '[[plans]]\nid = "b"\nname = "B"\nprices = {monthly = 2}\n'
    text = BASE + "prices = {monthly = 1}\n" + plan_b + BASE[17:] + "prices = {monthly = 3}\n"
    err = catalog_error(text)
    assert str(err) == "plans[2] ('a').id: duplicate plan id, already used by plans[0]"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'currency = "USD"\nname = "x"\n' + BASE[17:] + "prices = {monthly = 1}\n",
            "name: unknown key; allowed keys: currency, metrics, plans",
        ),
        (
            BASE + 'nmae = "A"\nprices = {monthly = 1}\n',
            (
                "plans[0] ('a').nmae: unknown key; allowed keys: id, name, prices, limits,"
                " trial_days, rank, overage, unit, retired"
            ),
        ),
        (
            BASE + "trail_days = 14\ntrial = 1\nprices = {monthly = 1}\n",
            "plans[0] ('a').trail_days: unknown key (also unknown: 'trial'); allowed keys:",
        ),
        (
            (
                'currency = "USD"\n[[metrics]]\nname = "seats"\nkind = "stock"\n'
                'singular = "s"\nplural = "s"\nverb = "v"\nverbs = "v"\n'
            ),
            "metrics[0].verbs: unknown key; allowed keys: name, kind, singular, plural, verb",
        ),
    ],
)
def test_unknown_keys_are_refused_at_every_level(text: str, message: str) -> None:
    assert str(catalog_error(text)).startswith(message)


def test_unknown_metric_in_limits_is_named() -> None:
    err = catalog_error(BASE + "prices = {monthly = 1}\nlimits = {propertys = 3}\n")
    assert str(err) == (
        "plans[0] ('a').limits.propertys: unknown metric 'propertys'; known metrics:"
        " 'properties', 'integrations', 'billable_sessions'"
    )


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("-1", "must be an int >= 0 or None (unlimited), got int -1"),
        ("3.0", 'must be an integer >= 0 or "unlimited", got float 3.0'),
        ('"lots"', "must be an integer >= 0 or \"unlimited\", got string 'lots'"),
        ("true", 'must be an integer >= 0 or "unlimited", got boolean True'),
    ],
)
def test_bad_limits_are_named(limit: str, message: str) -> None:
    err = catalog_error(BASE + f"prices = {{monthly = 1}}\nlimits = {{properties = {limit}}}\n")
    assert str(err) == f"plans[0] ('a').limits.properties: {message}"


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        ('kind = "gauge"', "metrics[0].kind: must be one of 'stock', 'per_period', got 'gauge'"),
        ('kind = "stock"\nname = "Seats"', "metrics[0].name: must be a lower-case identifier"),
        ('kind = "stock"\nplural = 2', "metrics[0].plural: must be a string, got integer 2"),
    ],
)
def test_bad_metrics_are_named(metric: str, message: str) -> None:
    fields = {"name": '"seats"', "singular": '"seat"', "plural": '"seats"', "verb": '"remove"'}
    lines = [line for line in metric.split("\n") if line]
    given = {line.split(" = ")[0] for line in lines}
    text = "\n".join(lines + [f"{k} = {v}" for k, v in fields.items() if k not in given])
    err = catalog_error(f'currency = "USD"\n[[metrics]]\n{text}\n')
    assert str(err).startswith(message)


def test_ranks_on_some_plans_only_are_refused() -> None:
    text = BASE + "rank = 1\nprices = {monthly = 1}\n" + BASE[17:].replace('"a"', '"b"')
    err = catalog_error(text + "prices = {monthly = 2}\n")
    assert str(err) == (
        "plans[1] ('b').rank: missing; give a rank on every plan or on none"
        " (plans[0] ('a') has one)"
    )


def test_parse_catalog_refuses_non_text() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^text: expected the TOML text as a str"):
        parse_catalog(b'currency = "USD"')  # type: ignore[arg-type]


# --- TOML: size limits and files ----------------------------------------------------------------


def test_more_than_1000_plans_are_refused() -> None:
    one = '[[plans]]\nid = "p{}"\nname = "P"\nprices = {{monthly = 1}}\n'
    exactly = 'currency = "USD"\n' + "".join(one.format(i) for i in range(MAX_PLANS))
    assert len(parse_catalog(exactly)) == MAX_PLANS
    err = catalog_error(exactly + one.format(MAX_PLANS))
    assert str(err) == "plans: 1,001 plans refused; the limit is 1,000"


def test_oversized_text_is_refused() -> None:
    text = BASE + "prices = {monthly = 1}\n" + "#" * MAX_CATALOG_BYTES
    assert str(catalog_error(text)).startswith("catalog of 1,048,")


def test_oversized_file_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    path.write_text(BASE + "prices = {monthly = 1}\n" + "#" * MAX_CATALOG_BYTES, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert str(info.value) == (
        f"path: catalog file {str(path)!r} is larger than 1,048,576 bytes (1 MiB); refused"
    )


def test_a_file_of_exactly_1_mib_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    head = BASE + "prices = {monthly = 1}\n"
    path.write_text(head + "#" * (MAX_CATALOG_BYTES - len(head)), encoding="utf-8")
    assert load_catalog(path).ids == ("a",)


def test_missing_file_is_a_catalog_error_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert str(info.value) == (
        f"path: cannot read catalog file {str(path)!r}: No such file or directory"
    )
    assert info.value.value == str(path)
    assert isinstance(info.value.__cause__, FileNotFoundError)


def test_a_directory_is_not_a_catalog_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"^path: cannot read catalog file"):
        load_catalog(tmp_path)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'currency = "USD"\n# caf\xe9\n')
    with pytest.raises(CatalogError, match=r"^path: catalog file .* is not UTF-8"):
        load_catalog(path)


def test_a_broken_file_reports_the_plan_and_key(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BASE, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^plans\[0\] \('a'\)\.prices: missing required key$"):
        load_catalog(path)
