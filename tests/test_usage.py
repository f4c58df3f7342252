"""Usage: counts, the usage report, downgrade feasibility and overage billed in arrears.

Expected numbers are worked out by hand in the comments. The default catalog's
Personal plan allows 3 properties, 3 integrations and 100,000 billable sessions
and charges USD 5.00 per 1,000 sessions over; Advanced allows 10, 10 and
500,000 at USD 4.00 per 1,000; Pro 25, unlimited and 2,000,000 at USD 3.00.
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import usd
from subscription_rules.catalog import (
    BILLABLE_SESSIONS,
    DEFAULT_METRICS,
    INTEGRATIONS,
    PROPERTIES,
    Limits,
    Metric,
    MetricKind,
    Overage,
    Plan,
    Price,
    default_catalog,
)
from subscription_rules.errors import (
    InvalidArgumentError,
    InvalidPeriodError,
    InvalidUsageError,
    NaiveDatetimeError,
)
from subscription_rules.invoices import LineKind
from subscription_rules.money import Money, RoundingMode
from subscription_rules.usage import (
    Feasible,
    Infeasible,
    RequiredAction,
    Usage,
    check_downgrade,
    overage_lines,
    usage_report,
)

CATALOG = default_catalog()
PERSONAL = CATALOG.plan("personal")
ADVANCED = CATALOG.plan("advanced")
PRO = CATALOG.plan("pro")
NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)


def limited(**limits: int | None) -> Plan:
    """A USD 10.00 monthly plan with these limits and no overage."""
    return Plan("solo", "Solo", (Price.of("10.00", "USD"),), Limits.of(limits))


def bill(plan: Plan, rounding: RoundingMode = RoundingMode.HALF_UP, **counts: int) -> list[Money]:
    """The amounts of the overage lines for one November period."""
    lines = overage_lines(plan, Usage.of(counts), start=NOV, end=DEC, rounding=rounding)
    return [line.amount for line in lines]


# --- usage values -------------------------------------------------------------------------------


def test_a_metric_not_mentioned_counts_zero_and_counts_are_sorted_by_name() -> None:
    usage = Usage.of(properties=10, billable_sessions=120_000)
    assert usage.get("integrations") == 0
    assert usage.counts == (("billable_sessions", 120_000), ("properties", 10))
    assert Usage.of({"properties": 10}, billable_sessions=120_000) == usage


def test_with_count_returns_a_new_usage_and_leaves_the_old_one() -> None:
    usage = Usage.of(properties=10, integrations=4)
    fewer = usage.with_count("properties", 3)
    assert (fewer.get("properties"), fewer.get("integrations")) == (3, 4)
    assert usage.get("properties") == 10


def test_a_negative_count_is_refused_naming_the_metric() -> None:
    with pytest.raises(InvalidUsageError) as info:
        Usage.of(properties=-1)
    assert str(info.value) == "properties: must be a non-negative int, got -1"
    assert (info.value.argument, info.value.value) == ("properties", -1)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("count", [True, False, 1.0, "3", None])
def test_a_count_that_is_not_an_int_is_refused_bools_included(count: object) -> None:
    with pytest.raises(InvalidUsageError, match=r"^properties: must be a non-negative int"):
        Usage.of(properties=count)  # type: ignore[arg-type]


def test_a_metric_given_twice_is_refused() -> None:
    with pytest.raises(InvalidUsageError, match=r"^properties: metric 'properties' given twice"):
        Usage((("properties", 1), ("properties", 2)))
    with pytest.raises(InvalidUsageError, match=r"^properties: metric 'properties' given twice"):
        Usage.of({"properties": 1}, properties=2)


def test_counts_must_be_a_tuple_of_pairs() -> None:
    with pytest.raises(InvalidUsageError, match=r"^counts: expected a tuple of"):
        Usage([("properties", 1)])
    with pytest.raises(InvalidUsageError, match=r"^counts: expected \(metric, count\) pairs"):
        Usage((("properties",),))


def test_usage_is_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Usage().counts = ()  # type: ignore[misc]


UNKNOWN = (
    "seats: unknown metric 'seats'; known metrics: billable_sessions, integrations, properties"
)


def test_usage_report_refuses_an_unknown_metric() -> None:
    with pytest.raises(InvalidUsageError) as info:
        usage_report(PERSONAL, Usage.of(seats=1))
    assert str(info.value) == UNKNOWN


def test_check_downgrade_refuses_an_unknown_metric() -> None:
    with pytest.raises(InvalidUsageError) as info:
        check_downgrade(Usage.of(seats=1), PERSONAL)
    assert str(info.value) == UNKNOWN


# --- the usage report ---------------------------------------------------------------------------


def test_report_has_one_line_per_metric_in_metrics_order() -> None:
    report = usage_report(PERSONAL, Usage())
    assert report.plan_id == "personal"
    assert [line.metric for line in report] == list(DEFAULT_METRICS)


def test_report_line_gives_used_limit_remaining_and_percent_rounded_half_up() -> None:
    # 2 of 3 = 66.666…% → 67%; 3 - 2 = 1 remaining.
    line = usage_report(PERSONAL, Usage.of(properties=2)).line("properties")
    assert (line.used, line.limit, line.remaining, line.percent, line.excess) == (2, 3, 1, 67, 0)
    assert not line.over_limit
    assert line.describe() == "properties: 2 of 3 (67%), 1 remaining"


def test_an_exact_half_percent_rounds_up() -> None:
    # 1 of 8 = 12.5% exactly: half-up gives 13%, not banker's 12%.
    line = usage_report(limited(properties=8), Usage.of(properties=1)).line("properties")
    assert line.percent == 13
    # 1 of 3 = 33.33…% → 33%: below the half, down.
    assert usage_report(PERSONAL, Usage.of(properties=1)).line("properties").percent == 33


def test_an_unlimited_metric_has_no_limit_remaining_or_percent() -> None:
    line = usage_report(PRO, Usage.of(integrations=40)).line("integrations")
    assert (line.limit, line.remaining, line.percent, line.excess) == (None, None, None, 0)
    assert line.describe() == "integrations: 40 (unlimited)"


def test_over_the_limit_the_line_gives_the_excess_and_no_remainder() -> None:
    # 5 of 3: 2 over; 500/3 = 166.67% → 167%.
    report = usage_report(PERSONAL, Usage.of(properties=5, billable_sessions=120_000))
    line = report.line("properties")
    assert (line.remaining, line.percent, line.excess) == (0, 167, 2)
    assert line.describe() == "properties: 5 of 3 (167%), over the limit by 2"
    # 120,000 of 100,000: 20,000 over, 120%.
    sessions = report.line("billable_sessions")
    assert (sessions.excess, sessions.percent) == (20_000, 120)
    assert [line.metric.name for line in report.over_limit] == ["properties", "billable_sessions"]


def test_a_limit_of_zero_is_0_percent_when_unused_and_100_percent_once_used() -> None:
    plan = limited(properties=0)
    assert usage_report(plan, Usage()).line("properties").percent == 0
    line = usage_report(plan, Usage.of(properties=4)).line("properties")
    assert (line.percent, line.excess, line.remaining) == (100, 4, 0)


def test_report_line_for_a_metric_not_in_the_report_is_refused() -> None:
    with pytest.raises(InvalidUsageError, match=r"^metric: no such metric in the report: 'seats'"):
        usage_report(PERSONAL, Usage()).line("seats")


# --- downgrade feasibility ----------------------------------------------------------------------


def test_advanced_to_personal_with_10_properties_means_deleting_7() -> None:
    # Personal allows 3 properties: 10 - 3 = 7 to delete.
    result = check_downgrade(Usage.of(properties=10), PERSONAL)
    assert isinstance(result, Infeasible)
    assert (result.plan_id, result.plan_name) == ("personal", "Personal")
    assert result.actions == (RequiredAction(PROPERTIES, 7, limit=3),)
    assert result.actions_text == ("delete 7 properties",)
    assert result.reason == "Personal allows 3 properties: delete 7 properties first"
    assert result.warnings == ()


def test_10_properties_and_4_integrations_need_two_actions_in_one_sentence() -> None:
    # 10 - 3 = 7 properties and 4 - 3 = 1 integration over Personal's limits.
    result = check_downgrade(Usage.of(properties=10, integrations=4), PERSONAL)
    assert isinstance(result, Infeasible)
    assert result.actions_text == ("delete 7 properties", "remove 1 integration")
    assert result.reason == (
        "Personal allows 3 properties and 3 integrations:"
        " delete 7 properties and remove 1 integration first"
    )


def test_after_deleting_the_7_properties_the_move_is_feasible() -> None:
    usage = Usage.of(properties=10, integrations=2)
    assert isinstance(check_downgrade(usage, PERSONAL), Infeasible)
    assert check_downgrade(usage.with_count("properties", 10 - 7), PERSONAL) == Feasible()


def test_usage_exactly_at_every_limit_is_feasible_without_warnings() -> None:
    usage = Usage.of(properties=3, integrations=3, billable_sessions=100_000)
    assert check_downgrade(usage, PERSONAL) == Feasible(warnings=())


def test_billable_sessions_over_the_limit_never_block_but_warn_with_the_projected_overage() -> None:
    # 150,000 - 100,000 = 50,000 over × USD 5.00 / 1,000 = USD 250.00.
    result = check_downgrade(Usage.of(billable_sessions=150_000), PERSONAL)
    assert result == Feasible(
        warnings=(
            (
                "billable sessions this period: 150,000, over the limit of Personal by 50,000;"
                " projected overage USD 250.00"
            ),
        )
    )


def test_the_projected_overage_rounds_half_up() -> None:
    # 1 over × 500 cents / 1,000 = 0.5 cent → half-up USD 0.01.
    result = check_downgrade(Usage.of(billable_sessions=100_001), PERSONAL)
    assert result.warnings[0].endswith("by 1; projected overage USD 0.01")
    # Advanced: 12,345 over × 400 cents / 1,000 = 4,938 cents exactly.
    result = check_downgrade(Usage.of(billable_sessions=512_345), ADVANCED)
    assert result.warnings[0].endswith("by 12,345; projected overage USD 49.38")


def test_a_plan_without_overage_price_warns_of_the_excess_only() -> None:
    plan = attrs.evolve(PERSONAL, overage=())
    result = check_downgrade(Usage.of(billable_sessions=150_000), plan)
    assert result.warnings == (
        "billable sessions this period: 150,000, over the limit of Personal by 50,000",
    )


def test_an_infeasible_move_still_carries_the_overage_warning() -> None:
    result = check_downgrade(Usage.of(properties=4, billable_sessions=150_000), PERSONAL)
    assert isinstance(result, Infeasible)
    assert result.actions_text == ("delete 1 property",)
    assert result.warnings[0].endswith("projected overage USD 250.00")


def test_an_unlimited_metric_never_blocks() -> None:
    assert check_downgrade(Usage.of(integrations=10**9), PRO) == Feasible()


# --- overage lines ------------------------------------------------------------------------------


def test_120000_sessions_on_personal_bill_20000_over_at_5_per_1000() -> None:
    # 120,000 - 100,000 = 20,000 over; 20,000 × 500 cents / 1,000 = 10,000 cents = USD 100.00.
    (line,) = overage_lines(
        PERSONAL,
        Usage.of(billable_sessions=120_000),
        start=NOV,
        end=DEC,
        rounding=RoundingMode.HALF_UP,
    )
    assert line.kind is LineKind.OVERAGE
    assert line.amount == usd("100.00")
    assert (line.start, line.end, line.plan_id) == (NOV, DEC, "personal")
    assert line.description == (
        "Billable sessions over Personal's 100,000 from 1 Nov 2026 to 1 Dec 2026:"
        " 20,000 × USD 5.00 per 1,000"
    )
    assert str(line.explanation) == (
        "USD 5.00 × 20,000/1,000 billable sessions = USD 100.00 exactly; no rounding needed"
    )
    assert line.explanation is not None
    assert (line.explanation.units, line.explanation.denominator) == (20_000, 1_000)


def test_a_partial_block_is_charged_pro_rata_not_as_a_whole_block() -> None:
    # 100,500: 500 over × 500 cents / 1,000 = 250 cents = USD 2.50 (not a whole USD 5.00).
    assert bill(PERSONAL, billable_sessions=100_500) == [usd("2.50")]


def test_one_session_over_is_half_a_cent_rounded_by_the_callers_mode() -> None:
    # 100,001: 1 × 500 / 1,000 = 0.5 cent: HALF_UP → USD 0.01; HALF_EVEN → USD 0.00, omitted.
    assert bill(PERSONAL, RoundingMode.HALF_UP, billable_sessions=100_001) == [usd("0.01")]
    assert bill(PERSONAL, RoundingMode.HALF_EVEN, billable_sessions=100_001) == []
    # 3 over: 1.5 cents → HALF_EVEN 2 cents, DOWN 1 cent.
    assert bill(PERSONAL, RoundingMode.HALF_EVEN, billable_sessions=100_003) == [usd("0.02")]
    assert bill(PERSONAL, RoundingMode.DOWN, billable_sessions=100_003) == [usd("0.01")]


def test_the_explanation_shows_the_unrounded_value_and_the_rounding() -> None:
    (line,) = overage_lines(
        PERSONAL,
        Usage.of(billable_sessions=100_001),
        start=NOV,
        end=DEC,
        rounding=RoundingMode.HALF_UP,
    )
    assert str(line.explanation) == (
        "USD 5.00 × 1/1,000 billable sessions = 0.5000 cents, rounded half-up to USD 0.01"
    )


def test_each_plan_bills_at_its_own_overage_price() -> None:
    # Advanced: 12,345 over × 400 / 1,000 = 4,938 cents. Pro: 1,000 over × 300 / 1,000 = 300.
    assert bill(ADVANCED, billable_sessions=512_345) == [usd("49.38")]
    assert bill(PRO, billable_sessions=2_001_000) == [usd("3.00")]


def test_usage_at_or_under_the_limit_bills_nothing() -> None:
    assert bill(PERSONAL, billable_sessions=100_000) == []
    assert bill(PERSONAL, billable_sessions=0) == []
    assert bill(PERSONAL) == []


def test_stock_metrics_over_the_limit_never_bill_overage() -> None:
    assert bill(PERSONAL, properties=10, integrations=10) == []


def test_a_plan_without_overage_price_bills_nothing() -> None:
    assert bill(attrs.evolve(PERSONAL, overage=()), billable_sessions=500_000) == []


def test_a_zero_price_bills_nothing() -> None:
    free = attrs.evolve(PERSONAL, overage=(Overage.of("billable_sessions", "0", "USD", 1000),))
    assert bill(free, billable_sessions=500_000) == []


API_CALLS = Metric("api_calls", MetricKind.PER_PERIOD, "API call", "API calls", "reduce")
METERED = (PROPERTIES, INTEGRATIONS, BILLABLE_SESSIONS, API_CALLS)


def test_one_line_per_metric_over_in_metrics_order_and_a_per_unit_price_reads_per_unit() -> None:
    plan = Plan(
        "metered",
        "Metered",
        (Price.of("10.00", "USD"),),
        Limits.of(billable_sessions=1_000, api_calls=10),
        overage=(
            Overage.of("api_calls", "0.02", "USD"),
            Overage.of("billable_sessions", "1.00", "USD", 100),
        ),
    )
    lines = overage_lines(
        plan,
        Usage.of(billable_sessions=1_250, api_calls=1_010),
        start=NOV,
        end=DEC,
        rounding=RoundingMode.HALF_UP,
        metrics=METERED,
    )
    # Sessions: 250 over × 100 cents / 100 = USD 2.50; API calls: 1,000 × 2 cents = USD 20.00.
    assert [line.amount for line in lines] == [usd("2.50"), usd("20.00")]
    assert lines[0].description.endswith(": 250 × USD 1.00 per 100")
    assert lines[1].description == (
        "API calls over Metered's 10 from 1 Nov 2026 to 1 Dec 2026: 1,000 × USD 0.02 per API call"
    )


def test_overage_lines_refuse_bad_arguments() -> None:
    usage = Usage.of(billable_sessions=1)
    naive = datetime(2026, 11, 1)  # noqa: DTZ001 - the point of the test
    with pytest.raises(NaiveDatetimeError, match=r"^start: naive datetime"):
        overage_lines(PERSONAL, usage, start=naive, end=DEC, rounding=RoundingMode.UP)
    with pytest.raises(InvalidPeriodError, match=r"^end: must be after start"):
        overage_lines(PERSONAL, usage, start=DEC, end=DEC, rounding=RoundingMode.UP)
    with pytest.raises(InvalidArgumentError, match=r"^rounding: expected a RoundingMode"):
        overage_lines(PERSONAL, usage, start=NOV, end=DEC, rounding="up")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^plan: expected a Plan"):
        overage_lines("personal", usage, start=NOV, end=DEC, rounding=RoundingMode.UP)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^usage: expected a Usage"):
        overage_lines(PERSONAL, {"x": 1}, start=NOV, end=DEC, rounding=RoundingMode.UP)  # type: ignore[arg-type]
    with pytest.raises(InvalidUsageError, match=r"^seats: unknown metric 'seats'"):
        overage_lines(PERSONAL, Usage.of(seats=1), start=NOV, end=DEC, rounding=RoundingMode.UP)


# --- properties ---------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10**12)
modes = st.sampled_from(RoundingMode)


@given(used=counts, limit=st.integers(min_value=1, max_value=10**9))
def test_report_percent_is_within_half_a_percent_of_the_exact_value(used: int, limit: int) -> None:
    line = usage_report(limited(properties=limit), Usage.of(properties=used)).line("properties")
    assert line.percent is not None
    assert abs(line.percent - Fraction(100 * used, limit)) <= Fraction(1, 2)
    assert line.excess == max(used - limit, 0)
    assert line.remaining == max(limit - used, 0)


@given(
    plan=st.sampled_from(CATALOG.plans),
    properties=st.integers(0, 40),
    integrations=st.integers(0, 40),
    sessions=st.integers(0, 3_000_000),
)
def test_a_downgrade_is_infeasible_iff_some_stock_metric_exceeds_its_limit(
    plan: Plan, properties: int, integrations: int, sessions: int
) -> None:
    usage = Usage.of(properties=properties, integrations=integrations, billable_sessions=sessions)
    over = [
        metric
        for metric in DEFAULT_METRICS
        if metric.kind is MetricKind.STOCK
        and (limit := plan.limit(metric.name)) is not None
        and usage.get(metric.name) > limit
    ]
    result = check_downgrade(usage, plan)
    assert isinstance(result, Infeasible) == bool(over)
    if isinstance(result, Infeasible):
        assert [action.metric for action in result.actions] == over
    sessions_limit = plan.limit("billable_sessions")
    assert sessions_limit is not None
    assert len(result.warnings) == (1 if sessions > sessions_limit else 0)


@given(
    price_minor=st.integers(min_value=0, max_value=10**6),
    per=st.integers(min_value=1, max_value=10**9),
    limit=st.integers(min_value=0, max_value=10**9),
    used=st.integers(min_value=0, max_value=2 * 10**9),
    mode=modes,
)
def test_the_overage_line_is_money_ratio_of_the_exact_excess(
    price_minor: int, per: int, limit: int, used: int, mode: RoundingMode
) -> None:
    unit_price = Money.from_minor(price_minor, "USD")
    plan = attrs.evolve(
        PERSONAL,
        limits=Limits.of(billable_sessions=limit),
        overage=(Overage("billable_sessions", unit_price, per),),
    )
    lines = overage_lines(plan, Usage.of(billable_sessions=used), start=NOV, end=DEC, rounding=mode)
    expected = unit_price.ratio(max(used - limit, 0), per, mode)
    if expected.is_zero():
        assert lines == ()
    else:
        (line,) = lines
        assert line.amount == expected
        assert line.amount.is_positive()
        assert line.explanation is not None
        assert (line.explanation.units, line.explanation.denominator) == (used - limit, per)
