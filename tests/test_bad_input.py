"""Bad input, case by case: each refused with its own error, naming the argument and the value.

Every case is one invalid call across the public API. It must raise the one
specific :class:`SubscriptionRulesError` subclass listed (never a bare
``KeyError``, ``ZeroDivisionError``, ``AttributeError`` or ``TypeError``),
with a message naming the argument and the offending value, and leave its
inputs as they were. The command line turns the same mistakes into one error
line and exit status 2. ``docs/errors.md`` ("Bad input, case by case") lists
this table; keep the two in step.
"""

from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from helpers import decided, usd, utc
from subscription_rules import (
    MONTHLY,
    PROPERTIES,
    STRIPE_LIKE,
    WEEKLY,
    YEARLY,
    BillingCycle,
    BillingPeriod,
    BillingPolicy,
    Catalog,
    CatalogVersion,
    Currency,
    Interval,
    IntervalUnit,
    Limits,
    Money,
    Overage,
    PackagePrice,
    Plan,
    Price,
    RecordedPrice,
    RoundingMode,
    Subscription,
    SubscriptionRulesError,
    Tier,
    TierMode,
    TierTable,
    Usage,
    adjust,
    advance,
    billing_summary,
    cancel,
    change_plan,
    change_quantity,
    changes_blocked,
    check_downgrade,
    check_new_version,
    classify_move,
    default_catalog,
    load_catalog,
    migrate_price,
    parse_catalog,
    preset,
    price_migrations,
    quote_change,
    record_payment,
    start_subscription,
    suspend,
    upcoming_invoice,
    usage_report,
)
from subscription_rules._text import format_date
from subscription_rules.catalog import MAX_CATALOG_BYTES, MAX_COUNT, MAX_PLANS
from subscription_rules.cli import PROG
from subscription_rules.discounts import Coupon, CouponDuration
from subscription_rules.dunning import (
    MAX_OVERDUE_DAYS,
    MAX_RETRIES,
    THREE_RETRIES,
    Declined,
    OverdueLadder,
    OverdueState,
    RetrySchedule,
    Succeeded,
    UnpaidInvoice,
    overdue_state,
)
from subscription_rules.effects import Decision, Refused
from subscription_rules.errors import (
    CatalogError,
    CatalogVersionError,
    CurrencyMismatchError,
    FloatAmountError,
    InvalidAmountError,
    InvalidArgumentError,
    InvalidCouponError,
    InvalidInstantError,
    InvalidIntervalError,
    InvalidPeriodError,
    InvalidPolicyError,
    InvalidQuantityError,
    InvalidTaxRateError,
    InvalidTimeZoneError,
    InvalidUsageError,
    NaiveDatetimeError,
    NotAnInstantError,
    UnknownCurrencyError,
    UnknownJurisdictionError,
    UnknownPlanError,
    UnknownPriceError,
)
from subscription_rules.lifecycle import MAX_PERIODS_PER_ADVANCE, redeem_coupon
from subscription_rules.money import allocate, divide
from subscription_rules.notifications import Category, Notice, NoticeKind, Preferences
from subscription_rules.periods import days_between, require_aware, seconds_between, zone
from subscription_rules.policy import SEED_POLICY, ProrationUnit
from subscription_rules.ports import customer_tax
from subscription_rules.simulation import (
    Cancel,
    ChangePlan,
    ChangeQuantity,
    SetUsage,
    Step,
    simulate,
)
from subscription_rules.taxes import CustomerTax, TaxRate
from subscription_rules.testing import TableTaxRates

if TYPE_CHECKING:
    from collections.abc import Callable

NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)
NOV_10 = datetime(2026, 11, 10, tzinfo=UTC)
FIRST_CHARGE = "sub_1:charge:sub_1-INV-0001:due-5000:attempt-1"
NOV_16 = datetime(2026, 11, 16, tzinfo=UTC)
DEC_1 = datetime(2026, 12, 1, tzinfo=UTC)
NAIVE = datetime(2026, 11, 10)  # noqa: DTZ001 - the point: no time zone
TOKYO = timezone(timedelta(hours=9))

CATALOG_TOML = """\
currency = "USD"

[[plans]]
id = "personal"
name = "Personal"
trial_days = 14
prices = { monthly = "50.00", yearly = "500.00" }
limits = { properties = 3, integrations = 3, billable_sessions = 100_000 }

[[plans]]
id = "advanced"
name = "Advanced"
prices = { monthly = "150.00", yearly = "1500.00" }
limits = { properties = 10 }
"""

#: The example catalog (USD and EUR) and a plan sold in USD only.
EUR_AND_USD = Catalog(
    (*default_catalog().plans, Plan("usd-only", "USD only", (Price.of("20", "USD"),)))
)
ONE_USD = Money.of("1", "USD")
PLAN_HEAD = 'currency = "USD"\n[[plans]]\nid = "a"\nname = "A"\n'


def bad(value: object) -> Any:
    """Pass ``value`` where the types say otherwise: the point of these cases."""
    return value


@dataclass
class Inputs:
    """Every value a case hands to the library; built twice to check none was changed."""

    catalog: Catalog
    plan: Plan
    subscription: Subscription
    processed: Subscription
    trialing: Subscription
    cycle: BillingCycle
    period: BillingPeriod
    usage: Usage
    policy: BillingPolicy
    weights: list[int]
    counts: list[tuple[str, int]]
    unpaid: list[UnpaidInvoice]
    toml: str


def build_inputs() -> Inputs:
    catalog = parse_catalog(CATALOG_TOML)
    subscription = start_subscription(
        "sub_1",
        "cus_1",
        "advanced",
        MONTHLY,
        NOV_1,
        catalog=catalog,
        trial=False,
        policy=SEED_POLICY,
    ).subscription
    return Inputs(
        catalog=catalog,
        plan=catalog.plan("personal"),
        subscription=subscription,
        processed=advance(subscription, NOV_16, catalog=catalog, policy=SEED_POLICY).subscription,
        trialing=start_subscription(
            "sub_2", "cus_2", "personal", MONTHLY, NOV_1, catalog=catalog, policy=SEED_POLICY
        ).subscription,
        cycle=BillingCycle(datetime(2026, 1, 31, tzinfo=UTC), MONTHLY),
        period=BillingPeriod(NOV_1, DEC_1, 0),
        usage=Usage.of(properties=2),
        policy=BillingPolicy(),
        weights=[1, -1],
        counts=[("properties", 1)],
        unpaid=[UnpaidInvoice(NOV_1, usd("50"))],
        toml=CATALOG_TOML,
    )


INPUTS = build_inputs()


# Removed when the test run ends (TemporaryDirectory cleans up at exit).
_FILES = tempfile.TemporaryDirectory(prefix="bad-input-")


def write_file(name: str, data: bytes) -> Path:
    """Write ``data`` to a file in a temporary folder and return its path."""
    path = Path(_FILES.name) / name
    path.write_bytes(data)
    return path


def plans_toml(count: int) -> str:
    plan = '[[plans]]\nid = "p{n}"\nname = "P{n}"\nprices = {{ monthly = "1" }}\n'
    return 'currency = "USD"\n' + "".join(plan.format(n=n) for n in range(count))


def lit(text: str) -> str:
    """A regex matching ``text`` literally."""
    return re.escape(text)


@dataclass(frozen=True)
class Case:
    """One bad call: what it is, the call, the error it must raise, a regex its message matches."""

    id: str
    what: str
    call: Callable[[], object]
    error: type[SubscriptionRulesError]
    message: str


def _money_cases() -> list[Case]:
    m = usd("1.00")
    return [
        Case(
            "money-float",
            'Money.of(0.1, "USD")',
            lambda: Money.of(bad(0.1), "USD"),
            FloatAmountError,
            "^amount: floats are refused for money, got 0.1",
        ),
        Case(
            "money-float-nan",
            'Money.of(float("nan"), "USD")',
            lambda: Money.of(bad(float("nan")), "USD"),
            FloatAmountError,
            "^amount: floats are refused for money, got nan",
        ),
        Case(
            "money-decimal-nan",
            'Money.of(Decimal("NaN"), "USD")',
            lambda: Money.of(Decimal("NaN"), "USD"),
            InvalidAmountError,
            "^amount: " + lit("Decimal('NaN') is not a finite number"),
        ),
        Case(
            "money-str-infinity",
            'Money.of("-Infinity", "USD")',
            lambda: Money.of("-Infinity", "USD"),
            InvalidAmountError,
            "^amount: '-Infinity' is not a finite number",
        ),
        Case(
            "money-too-precise",
            'Money.of("1.005", "USD")',
            lambda: Money.of("1.005", "USD"),
            InvalidAmountError,
            lit("amount: '1.005' has more precision than USD allows (2 decimal places)"),
        ),
        Case(
            "money-precision-past-28-digits",
            'Money.of("1.0000000000000000000000000001", "USD")',
            lambda: Money.of("1.0000000000000000000000000001", "USD"),
            InvalidAmountError,
            "^amount: '1.0000000000000000000000000001' has more precision than USD",
        ),
        Case(
            "money-tiny-exponent",
            'Money.of("1e-999999999", "USD")',
            lambda: Money.of("1e-999999999", "USD"),
            InvalidAmountError,
            "^amount: '1e-999999999' has more precision than USD",
        ),
        Case(
            "money-huge-exponent",
            'Money.of("1e999999999", "USD")',
            lambda: Money.of("1e999999999", "USD"),
            InvalidAmountError,
            "^amount: '1e999999999' lies beyond the supported range",
        ),
        Case(
            "money-oversized",
            'Money.of(10**17, "USD")',
            lambda: Money.of(10**17, "USD"),
            InvalidAmountError,
            "^amount: 100000000000000000 lies beyond the supported range",
        ),
        Case(
            "money-gigantic-int",
            'Money.from_minor(10**5000, "USD")',
            lambda: Money.from_minor(10**5000, "USD"),
            InvalidAmountError,
            "^minor: must lie within .* got <an int of about 5,001 digits>",
        ),
        Case(
            "money-negative-oversized",
            'Money.from_minor(-(10**18) - 1, "USD")',
            lambda: Money.from_minor(-(10**18) - 1, "USD"),
            InvalidAmountError,
            "^minor: must lie within .* got -1000000000000000001",
        ),
        Case(
            "money-bool",
            'Money.of(True, "USD")',
            lambda: Money.of(True, "USD"),  # noqa: FBT003 - the bad input
            InvalidAmountError,
            "^amount: expected a str, Decimal or int, got bool True",
        ),
        Case(
            "money-unparsable",
            'Money.of("ten", "USD")',
            lambda: Money.of("ten", "USD"),
            InvalidAmountError,
            "^amount: 'ten' is not a decimal number",
        ),
        Case(
            "money-unknown-currency",
            'Money.of("1", "XYZ")',
            lambda: Money.of("1", "XYZ"),
            UnknownCurrencyError,
            "^currency: unknown ISO 4217 currency code 'XYZ'",
        ),
        Case(
            "currency-not-a-code",
            'Currency("usd", 2)',
            lambda: Currency("usd", 2),
            UnknownCurrencyError,
            "^code: must be three upper-case letters, got 'usd'",
        ),
        Case(
            "currency-exponent",
            'Currency("XTS", 7)',
            lambda: Currency("XTS", 7),
            InvalidAmountError,
            "^exponent: must be an int from 0 to 4, got 7",
        ),
        Case(
            "money-mixed-add",
            'usd("1") + Money.of("1", "EUR")',
            lambda: m + Money.of("1", "EUR"),
            CurrencyMismatchError,
            "^other: expected currency 'USD', got 'EUR'",
        ),
        Case(
            "money-mixed-compare",
            'usd("1") < Money.of("1", "JPY")',
            lambda: m < Money.of("1", "JPY"),
            CurrencyMismatchError,
            "^other: expected currency 'USD', got 'JPY'",
        ),
        Case(
            "money-times-float",
            'usd("1") * 1.5',
            lambda: m * bad(1.5),
            FloatAmountError,
            "^factor: floats are refused for money, got 1.5",
        ),
        Case(
            "money-ratio-float",
            'usd("1").ratio(0.5, 1, HALF_UP)',
            lambda: m.ratio(bad(0.5), 1, RoundingMode.HALF_UP),
            InvalidArgumentError,
            "^numerator: must be an int, got float 0.5",
        ),
        Case(
            "divide-by-zero",
            "divide(1, 0, HALF_UP)",
            lambda: divide(1, 0, RoundingMode.HALF_UP),
            InvalidAmountError,
            "^denominator: must be a positive int, got 0",
        ),
        Case(
            "divide-mode-str",
            'divide(1, 3, "up")',
            lambda: divide(1, 3, bad("up")),
            InvalidArgumentError,
            "^mode: expected a RoundingMode, got str 'up'",
        ),
        Case(
            "allocate-zero-weights",
            "allocate(usd('1'), (0, 0))",
            lambda: allocate(m, (0, 0)),
            InvalidAmountError,
            lit("weights: must be non-negative ints with a positive sum, got (0, 0)"),
        ),
        Case(
            "allocate-negative-weight",
            "allocate(usd('1'), [1, -1])",
            lambda: allocate(m, INPUTS.weights),
            InvalidAmountError,
            lit("weights: must be non-negative ints with a positive sum, got (1, -1)"),
        ),
        Case(
            "allocate-not-a-sequence",
            "allocate(usd('1'), 5)",
            lambda: allocate(m, bad(5)),
            InvalidAmountError,
            "^weights: must be a tuple or list of ints, got int 5",
        ),
        Case(
            "allocate-not-money",
            "allocate(100, (1, 1))",
            lambda: allocate(bad(100), (1, 1)),
            InvalidArgumentError,
            "^total: expected Money, got int 100",
        ),
    ]


def _period_cases() -> list[Case]:
    a = datetime(2026, 1, 31, tzinfo=UTC)
    b = datetime(2026, 2, 28, tzinfo=UTC)
    return [
        Case(
            "interval-zero",
            "Interval(MONTH, 0)",
            lambda: Interval(IntervalUnit.MONTH, 0),
            InvalidIntervalError,
            "^count: must be an int from 1 to 1200, got 0",
        ),
        Case(
            "interval-negative",
            "Interval(DAY, -1)",
            lambda: Interval(IntervalUnit.DAY, -1),
            InvalidIntervalError,
            "^count: must be an int from 1 to 1200, got -1",
        ),
        Case(
            "interval-oversized",
            "Interval(YEAR, 1201)",
            lambda: Interval(IntervalUnit.YEAR, 1201),
            InvalidIntervalError,
            "^count: must be an int from 1 to 1200, got 1201",
        ),
        Case(
            "interval-unit-str",
            'Interval("month")',
            lambda: Interval(bad("month")),
            InvalidIntervalError,
            "^unit: must be an IntervalUnit, got 'month'",
        ),
        Case(
            "interval-unparsable",
            'Interval.parse("fortnightly")',
            lambda: Interval.parse("fortnightly"),
            InvalidIntervalError,
            "^interval: cannot parse 'fortnightly'",
        ),
        Case(
            "interval-5000-digit-count",
            'Interval.parse("999…9 days") (5,000 digits)',
            lambda: Interval.parse("9" * 5000 + " days"),
            InvalidIntervalError,
            "^interval: count in '9{100}.* days' must be from 1 to 1200",
        ),
        Case(
            "cycle-naive-anchor",
            "BillingCycle(datetime(2026, 1, 31), MONTHLY)",
            lambda: BillingCycle(datetime(2026, 1, 31), MONTHLY),  # noqa: DTZ001
            NaiveDatetimeError,
            "^anchor: naive datetime 2026-01-31 00:00:00 refused",
        ),
        Case(
            "cycle-str-anchor",
            'BillingCycle("2026-01-31", MONTHLY)',
            lambda: BillingCycle(bad("2026-01-31"), MONTHLY),
            NotAnInstantError,
            "^anchor: expected an aware datetime, got str '2026-01-31'",
        ),
        Case(
            "cycle-interval-str",
            'BillingCycle(anchor, "monthly")',
            lambda: BillingCycle(a, bad("monthly")),
            InvalidIntervalError,
            "^interval: expected an Interval, got str 'monthly'",
        ),
        Case(
            "cycle-unknown-zone",
            'BillingCycle(anchor, MONTHLY, "Mars/Olympus")',
            lambda: BillingCycle(a, MONTHLY, "Mars/Olympus"),
            InvalidTimeZoneError,
            "^time_zone: unknown IANA time zone 'Mars/Olympus'",
        ),
        Case(
            "cycle-negative-index",
            "cycle.period(-1)",
            lambda: INPUTS.cycle.period(-1),
            InvalidPeriodError,
            "^index: must be a non-negative int, got -1",
        ),
        Case(
            "cycle-index-beyond-9999",
            "cycle.period(10**6)",
            lambda: INPUTS.cycle.period(10**6),
            InvalidPeriodError,
            "^index: period 1000000 lies beyond year 9999",
        ),
        Case(
            "cycle-gigantic-index",
            "cycle.boundary(10**5000)",
            lambda: INPUTS.cycle.boundary(10**5000),
            InvalidPeriodError,
            "^index: period <an int of about 5,001 digits> lies beyond year 9999",
        ),
        Case(
            "cycle-instant-before-anchor",
            "cycle.period_containing(2026-01-01)",
            lambda: INPUTS.cycle.period_containing(datetime(2026, 1, 1, tzinfo=UTC)),
            InvalidPeriodError,
            "^at: 2026-01-01 00:00:00\\+00:00 is before the cycle's anchor",
        ),
        Case(
            "period-end-before-start",
            "BillingPeriod(2026-02-28, 2026-01-31, 0)",
            lambda: BillingPeriod(b, a, 0),
            InvalidPeriodError,
            "^end: must be later than start 2026-02-28 00:00:00\\+00:00, got 2026-01-31",
        ),
        Case(
            "period-empty",
            "BillingPeriod(2026-01-31, 2026-01-31, 0)",
            lambda: BillingPeriod(a, a, 0),
            InvalidPeriodError,
            "^end: must be later than start 2026-01-31 00:00:00\\+00:00, got 2026-01-31",
        ),
        Case(
            "period-contains-naive",
            "period.contains(datetime(2026, 11, 10))",
            lambda: INPUTS.period.contains(NAIVE),
            NaiveDatetimeError,
            "^at: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "seconds-between-reversed",
            "seconds_between(2026-02-28, 2026-01-31)",
            lambda: seconds_between(b, a),
            InvalidPeriodError,
            "^end: 2026-01-31 00:00:00\\+00:00 is before start 2026-02-28",
        ),
        Case(
            "seconds-between-naive",
            "seconds_between(datetime(2026, 11, 10), end)",
            lambda: seconds_between(NAIVE, b),
            NaiveDatetimeError,
            "^start: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "seconds-between-year-1",
            "seconds_between(0001-01-01 in UTC+9, end)",
            lambda: seconds_between(datetime(1, 1, 1, tzinfo=TOKYO), b),
            InvalidInstantError,
            "^start: 0001-01-01 00:00:00\\+09:00 cannot be expressed in UTC",
        ),
        Case(
            "days-between-unknown-zone",
            'days_between(start, end, "Mars/Olympus")',
            lambda: days_between(a, b, "Mars/Olympus"),
            InvalidTimeZoneError,
            "^time_zone: unknown IANA time zone 'Mars/Olympus'",
        ),
        Case(
            "days-between-float-instant",
            "days_between(1.5, end)",
            lambda: days_between(bad(1.5), b),
            NotAnInstantError,
            "^start: expected an aware datetime, got float 1.5",
        ),
        Case(
            "require-aware-date",
            'require_aware(date(2026, 1, 31), "at")',
            lambda: require_aware(date(2026, 1, 31), "at"),
            NotAnInstantError,
            lit("at: expected an aware datetime, got date datetime.date(2026, 1, 31)"),
        ),
        Case(
            "zone-unknown",
            'zone("Mars/Olympus")',
            lambda: zone("Mars/Olympus"),
            InvalidTimeZoneError,
            "^time_zone: unknown IANA time zone 'Mars/Olympus'",
        ),
        Case(
            "zone-path-traversal",
            'zone("../../etc/passwd")',
            lambda: zone("../../etc/passwd"),
            InvalidTimeZoneError,
            "^time_zone: unknown IANA time zone '../../etc/passwd'",
        ),
    ]


def _catalog_cases() -> list[Case]:
    pro = default_catalog().plan("pro")
    monthly = Price.of("1", "USD")
    return [
        Case(
            "limits-negative",
            "Limits.of(properties=-1)",
            lambda: Limits.of(properties=-1),
            CatalogError,
            "^limits.properties: must be an int >= 0 or None \\(unlimited\\), got int -1",
        ),
        Case(
            "limits-float",
            "Limits.of(properties=1.5)",
            lambda: Limits.of(properties=bad(1.5)),
            CatalogError,
            "^limits.properties: must be an int >= 0 or None \\(unlimited\\), got float 1.5",
        ),
        Case(
            "limits-oversized",
            "Limits.of(properties=10**16)",
            lambda: Limits.of(properties=10**16),
            CatalogError,
            f"^limits.properties: must be at most {MAX_COUNT:,} .*got 10000000000000000",
        ),
        Case(
            "limits-not-a-mapping",
            "Limits.of(5)",
            lambda: Limits.of(bad(5)),
            CatalogError,
            "^limits: must be a mapping of metric names to limits, got int 5",
        ),
        Case(
            "price-negative",
            'Price(Money.of("-1", "USD"), MONTHLY)',
            lambda: Price(usd("-1"), MONTHLY),
            CatalogError,
            "^amount: must not be negative, got USD -1.00",
        ),
        Case(
            "price-not-money",
            'Price("50", MONTHLY)',
            lambda: Price(bad("50"), MONTHLY),
            CatalogError,
            "^amount: must be a Money, got str '50'",
        ),
        Case(
            "plan-bad-id",
            'Plan("Gold Plan", ...)',
            lambda: Plan("Gold Plan", "Gold", (monthly,)),
            CatalogError,
            "^id: must be a lower-case slug .* got 'Gold Plan'",
        ),
        Case(
            "plan-no-prices",
            'Plan("a", "A", ())',
            lambda: Plan("a", "A", ()),
            CatalogError,
            "^a.prices: must hold at least one price",
        ),
        Case(
            "plan-prices-not-iterable",
            'Plan("a", "A", 5)',
            lambda: Plan("a", "A", bad(5)),
            CatalogError,
            "^prices: must be a tuple of Price values, got int 5",
        ),
        Case(
            "plan-trial-too-long",
            'Plan("a", "A", prices, trial_days=731)',
            lambda: Plan("a", "A", (monthly,), trial_days=731),
            CatalogError,
            "^a.trial_days: must be an int from 0 to 730, got 731",
        ),
        Case(
            "plan-currencies-at-other-intervals",
            'Plan("a", "A", (USD 1 monthly, EUR 1 yearly))',
            lambda: Plan("a", "A", (monthly, Price.of("1", "EUR", "yearly"))),
            CatalogError,
            "^a.prices: has a monthly USD price but no monthly EUR price;"
            " sell every currency at the same intervals",
        ),
        Case(
            "plan-flat-and-per-unit",
            'Plan("a", "A", (USD 1 monthly, USD 1 per seat yearly))',
            lambda: Plan("a", "A", (monthly, Price.of("1", "USD", "yearly", unit="seats"))),
            CatalogError,
            "^a.prices: mixes flat and per-unit \\(seats\\) prices",
        ),
        Case(
            "plan-unknown-currency",
            "plan.price(MONTHLY, EUR)",
            lambda: Plan("a", "A", (monthly,)).price(MONTHLY, Currency.of("EUR")),
            UnknownPriceError,
            "^currency: plan 'a' has no price in EUR; it is sold in: USD",
        ),
        Case(
            "price-tiers-without-unit",
            "Price(USD 0, MONTHLY, tiers=...)",
            lambda: Price(
                Money.of("0", "USD"),
                MONTHLY,
                tiers=TierTable(TierMode.VOLUME, (Tier(None, ONE_USD),)),
            ),
            CatalogError,
            "^unit: a tiered price prices a quantity: give the unit it counts",
        ),
        Case(
            "price-quantity-zero",
            "per-seat price.total(0)",
            lambda: Price.of("1", "USD", unit="seats").total(0),
            InvalidQuantityError,
            "^quantity: must be an int from 1 to 1,000,000,000,000,000, got int 0",
        ),
        Case(
            "price-quantity-negative",
            "per-seat price.total(-3)",
            lambda: Price.of("1", "USD", unit="seats").total(-3),
            InvalidQuantityError,
            "^quantity: must be an int from 1 to 1,000,000,000,000,000, got int -3",
        ),
        Case(
            "flat-price-quantity-two",
            "flat price.total(2)",
            lambda: monthly.total(2),
            InvalidQuantityError,
            "^quantity: a flat price is for one subscription, not per unit; must be 1, got 2",
        ),
        Case(
            "tier-unordered",
            "TierTable(GRADUATED, (Tier(10, usd), Tier(5, usd), Tier(None, usd)))",
            lambda: TierTable(
                TierMode.GRADUATED, (Tier(10, ONE_USD), Tier(5, ONE_USD), Tier(None, ONE_USD))
            ),
            CatalogError,
            "^tiers\\[1\\].up_to: must be above the previous tier's bound 10, got 5",
        ),
        Case(
            "tier-overlapping",
            "TierTable(VOLUME, (Tier(10, usd), Tier(10, usd), Tier(None, usd)))",
            lambda: TierTable(
                TierMode.VOLUME, (Tier(10, ONE_USD), Tier(10, ONE_USD), Tier(None, ONE_USD))
            ),
            CatalogError,
            "^tiers\\[1\\].up_to: must be above the previous tier's bound 10, got 10",
        ),
        Case(
            "tier-unbounded-not-last",
            "TierTable(GRADUATED, (Tier(None, usd), Tier(5, usd)))",
            lambda: TierTable(TierMode.GRADUATED, (Tier(None, ONE_USD), Tier(5, ONE_USD))),
            CatalogError,
            "^tiers\\[0\\].up_to: only the last tier may have no bound \\(None\\)",
        ),
        Case(
            "tier-last-bounded",
            "TierTable(VOLUME, (Tier(5, usd), Tier(10, usd)))",
            lambda: TierTable(TierMode.VOLUME, (Tier(5, ONE_USD), Tier(10, ONE_USD))),
            CatalogError,
            "^tiers\\[1\\].up_to: the last tier must have no bound \\(None\\), got 10",
        ),
        Case(
            "tier-bound-zero",
            "Tier(0, usd)",
            lambda: Tier(0, ONE_USD),
            CatalogError,
            "^up_to: must be an int from 1 to .* or None \\(the last tier\\), got int 0",
        ),
        Case(
            "tier-negative-amount",
            'Tier(None, Money.of("-1", "USD"))',
            lambda: Tier(None, usd("-1")),
            CatalogError,
            "^unit_amount: must not be negative, got USD -1.00",
        ),
        Case(
            "tier-mixed-currencies",
            "TierTable(GRADUATED, (Tier(5, USD 1), Tier(None, EUR 1)))",
            lambda: TierTable(
                TierMode.GRADUATED, (Tier(5, ONE_USD), Tier(None, Money.of("1", "EUR")))
            ),
            CatalogError,
            "^tiers\\[1\\].unit_amount: priced in EUR, but tiers\\[0\\] is in USD",
        ),
        Case(
            "tier-fee-other-currency",
            "Tier(None, USD 1, flat_amount=EUR 1)",
            lambda: Tier(None, ONE_USD, Money.of("1", "EUR")),
            CatalogError,
            "^flat_amount: priced in EUR, but the unit amount is in USD",
        ),
        Case(
            "tier-table-empty",
            "TierTable(GRADUATED, ())",
            lambda: TierTable(TierMode.GRADUATED, ()),
            CatalogError,
            "^tiers: must hold at least one tier",
        ),
        Case(
            "tier-quantity-negative",
            "table.amount(-1)",
            lambda: TierTable(TierMode.GRADUATED, (Tier(None, ONE_USD),)).amount(-1),
            InvalidArgumentError,
            "^quantity: must be a non-negative int, got -1",
        ),
        Case(
            "tier-quantity-not-int",
            "table.amount(2.5)",
            lambda: TierTable(TierMode.VOLUME, (Tier(None, ONE_USD),)).amount(bad(2.5)),
            InvalidArgumentError,
            "^quantity: must be a non-negative int, got 2.5",
        ),
        Case(
            "package-size-zero",
            "PackagePrice(usd, 0)",
            lambda: PackagePrice(ONE_USD, 0),
            CatalogError,
            "^size: must be an int from 1 to .*, got int 0",
        ),
        Case(
            "package-quantity-negative",
            "PackagePrice(usd, 5).amount(-1)",
            lambda: PackagePrice(ONE_USD, 5).amount(-1),
            InvalidArgumentError,
            "^quantity: must be a non-negative int, got -1",
        ),
        Case(
            "catalog-empty",
            "Catalog(())",
            lambda: Catalog(()),
            CatalogError,
            "^plans: must hold at least one plan",
        ),
        Case(
            "catalog-not-iterable",
            "Catalog(5)",
            lambda: Catalog(bad(5)),
            CatalogError,
            "^plans: must be a tuple of Plan values, got int 5",
        ),
        Case(
            "catalog-duplicate-id",
            "Catalog((pro, pro))",
            lambda: Catalog((pro, pro)),
            CatalogError,
            "^plans\\[1\\] \\('pro'\\).id: duplicate plan id, already used by plans\\[0\\]",
        ),
        Case(
            "catalog-unit-not-a-stock-metric",
            "Catalog((plan per unit of 'seats',)) without a seats metric",
            lambda: Catalog((Plan("team", "Team", (Price.of("1", "USD", unit="seats"),)),)),
            CatalogError,
            "^plans\\[0\\] \\('team'\\).prices.unit: sold per unit of 'seats', which is not"
            " a stock metric of the catalog",
        ),
        Case(
            "catalog-version-earlier",
            "check_new_version(version b of 1 Jan 2027, version a of 1 Dec 2026)",
            lambda: check_new_version(
                attrs.evolve(INPUTS.catalog, version=CatalogVersion("b", utc(2027, 1, 1))),
                attrs.evolve(INPUTS.catalog, version=CatalogVersion("a", utc(2026, 12, 1))),
            ),
            CatalogVersionError,
            "^version.effective_at: 2026-12-01T00:00:00\\+00:00 is earlier than the current"
            " version 'b'",
        ),
        Case(
            "catalog-version-naive",
            "CatalogVersion('a', naive datetime)",
            lambda: CatalogVersion("a", datetime(2027, 1, 1)),  # noqa: DTZ001 - the bad input
            CatalogError,
            "^version.effective_at: ",
        ),
        Case(
            "catalog-unknown-plan",
            'catalog.plan("gold")',
            lambda: INPUTS.catalog.plan("gold"),
            UnknownPlanError,
            "^plan_id: unknown plan 'gold'; known plans: 'personal', 'advanced'",
        ),
        Case(
            "plan-unknown-price",
            "plan.price(WEEKLY)",
            lambda: INPUTS.plan.price(WEEKLY),
            UnknownPriceError,
            "^interval: plan 'personal' has no weekly price; it has: monthly, yearly",
        ),
        Case(
            "parse-not-text",
            "parse_catalog(b'...')",
            lambda: parse_catalog(bad(INPUTS.toml.encode())),
            InvalidArgumentError,
            "^text: expected the TOML text as a str, got bytes",
        ),
        Case(
            "parse-malformed-toml",
            "parse_catalog('currency = \"USD\"\\n[[plans]\\n')",
            lambda: parse_catalog('currency = "USD"\n[[plans]\n'),
            CatalogError,
            "^invalid TOML: Expected ']]' .*\\(at line 2, column 8\\)",
        ),
        Case(
            "parse-truncated",
            "parse_catalog(catalog text cut at 100 characters)",
            lambda: parse_catalog(INPUTS.toml[:100]),
            CatalogError,
            "^invalid TOML: Unterminated string \\(at end of document\\)",
        ),
        Case(
            "parse-deep-arrays",
            "parse_catalog('a = ' + '[' * 5000 + ']' * 5000)",
            lambda: parse_catalog("a = " + "[" * 5000 + "]" * 5000),
            CatalogError,
            "^invalid TOML: arrays or inline tables nested too deeply",
        ),
        Case(
            "parse-deep-inline-tables",
            "parse_catalog('a = ' + '{b = ' * 3000 + '1' + '}' * 3000)",
            lambda: parse_catalog("a = " + "{b = " * 3000 + "1" + "}" * 3000),
            CatalogError,
            "^invalid TOML: arrays or inline tables nested too deeply",
        ),
        Case(
            "parse-5000-digit-integer",
            "parse_catalog(PLAN_HEAD + 'trial_days = 99…9') (5,000 digits)",
            lambda: parse_catalog(PLAN_HEAD + "trial_days = " + "9" * 5000),
            CatalogError,
            "^invalid TOML: Exceeds the limit \\(4300 digits\\)",
        ),
        Case(
            "parse-nan-price",
            "prices = { monthly = nan }",
            lambda: parse_catalog(PLAN_HEAD + "prices = { monthly = nan }"),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices.monthly: floats are refused for money, got nan",
        ),
        Case(
            "parse-inf-price",
            "prices = { monthly = -inf }",
            lambda: parse_catalog(PLAN_HEAD + "prices = { monthly = -inf }"),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices.monthly: floats are refused for money, got -inf",
        ),
        Case(
            "parse-float-price",
            "prices = { monthly = 9.99 }",
            lambda: parse_catalog(PLAN_HEAD + "prices = { monthly = 9.99 }"),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices.monthly: floats are refused for money, got 9.99",
        ),
        Case(
            "parse-negative-price",
            'prices = { monthly = "-5" }',
            lambda: parse_catalog(PLAN_HEAD + 'prices = { monthly = "-5" }'),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices.monthly: must not be negative, got USD -5.00",
        ),
        Case(
            "parse-huge-price",
            "prices = { monthly = 10**17 }",
            lambda: parse_catalog(PLAN_HEAD + f"prices = {{ monthly = {10**17} }}"),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices.monthly: 100000000000000000 lies beyond the supported",
        ),
        Case(
            "parse-wrong-type",
            'trial_days = "14"',
            lambda: parse_catalog(PLAN_HEAD + 'trial_days = "14"\nprices = { monthly = 1 }'),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).trial_days: must be an integer, got string '14'",
        ),
        Case(
            "parse-unknown-currency",
            'currency = "XYZ"',
            lambda: parse_catalog(PLAN_HEAD.replace("USD", "XYZ") + "prices = { monthly = 1 }"),
            CatalogError,
            "^currency: unknown ISO 4217 currency code 'XYZ'",
        ),
        Case(
            "parse-unknown-key",
            "nmae = ...",
            lambda: parse_catalog(PLAN_HEAD + 'nmae = "A"\nprices = { monthly = 1 }'),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).nmae: unknown key",
        ),
        Case(
            "parse-currency-missing-interval",
            "prices = { monthly = 10, EUR = { yearly = 90 } }",
            lambda: parse_catalog(PLAN_HEAD + "prices = { monthly = 10, EUR = { yearly = 90 } }"),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices: has a monthly USD price but no monthly EUR price",
        ),
        Case(
            "parse-unknown-currency-table",
            "prices = { monthly = 10, EURO = { monthly = 9 } }",
            lambda: parse_catalog(PLAN_HEAD + "prices = { monthly = 10, EURO = { monthly = 9 } }"),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices.EURO: not a billing interval .*, nor an ISO 4217",
        ),
        Case(
            "parse-no-default-currency-price",
            "prices = { EUR = { monthly = 9 } }",
            lambda: parse_catalog(PLAN_HEAD + "prices = { EUR = { monthly = 9 } }"),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices: no price in the catalog's currency USD",
        ),
        Case(
            "parse-unit-not-stock",
            'unit = "billable_sessions"',
            lambda: parse_catalog(
                PLAN_HEAD + 'unit = "billable_sessions"\nprices = { monthly = 1 }'
            ),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).unit: 'billable_sessions' is a per_period metric",
        ),
        Case(
            "parse-tiers-without-unit",
            'prices = { monthly = { mode = "volume", tiers = [...] } } without unit',
            lambda: parse_catalog(
                PLAN_HEAD
                + 'prices = { monthly = { mode = "volume", tiers = [{ unit_amount = 1 }] } }'
            ),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices.monthly: a tiered price prices a quantity",
        ),
        Case(
            "parse-tier-mode",
            'mode = "stairs"',
            lambda: parse_catalog(
                PLAN_HEAD + 'unit = "properties"\n'
                'prices = { monthly = { mode = "stairs", tiers = [{ unit_amount = 1 }] } }'
            ),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices.monthly.mode: must be one of 'graduated', 'volume'",
        ),
        Case(
            "parse-tier-last-bounded",
            "tiers = [{ up_to = 5, ... }, { up_to = 9, ... }]",
            lambda: parse_catalog(
                PLAN_HEAD + 'unit = "properties"\nprices = { monthly = { mode = "volume",'
                " tiers = [{ up_to = 5, unit_amount = 2 }, { up_to = 9, unit_amount = 1 }] } }"
            ),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices.monthly.tiers\\[1\\].up_to: the last tier has no bound",
        ),
        Case(
            "parse-tier-unordered",
            "tiers = [{ up_to = 5, ... }, { up_to = 3, ... }, { ... }]",
            lambda: parse_catalog(
                PLAN_HEAD + 'unit = "properties"\nprices = { monthly = { mode = "graduated",'
                " tiers = [{ up_to = 5, unit_amount = 2 }, { up_to = 3, unit_amount = 1 },"
                " { unit_amount = 1 }] } }"
            ),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices.monthly.tiers\\[1\\].up_to: must be above the"
            " previous tier's bound 5, got 3",
        ),
        Case(
            "parse-tier-empty",
            "tiers = [{ up_to = 5 }, ...]",
            lambda: parse_catalog(
                PLAN_HEAD + 'unit = "properties"\nprices = { monthly = { mode = "volume",'
                " tiers = [{ up_to = 5 }, { unit_amount = 1 }] } }"
            ),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).prices.monthly.tiers\\[0\\]: a tier needs unit_amount,"
            " flat_amount or both",
        ),
        Case(
            "parse-overage-two-schemes",
            "[plans.overage.billable_sessions] price = 1, package = {...}",
            lambda: parse_catalog(
                PLAN_HEAD + "prices = { monthly = 1 }\nlimits = { billable_sessions = 10 }\n"
                "[plans.overage.billable_sessions]\nprice = 1\npackage = { price = 1, size = 10 }"
            ),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).overage.billable_sessions.package: give one of price,"
            " package or tiers, not price and package",
        ),
        Case(
            "parse-overage-package-size",
            "package = { price = 1, size = 0 }",
            lambda: parse_catalog(
                PLAN_HEAD + "prices = { monthly = 1 }\nlimits = { billable_sessions = 10 }\n"
                "[plans.overage.billable_sessions]\npackage = { price = 1, size = 0 }"
            ),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).overage.billable_sessions.package.size: must be an int from 1",
        ),
        Case(
            "parse-overage-missing-currency",
            "overage in USD only, plan sold in USD and EUR",
            lambda: parse_catalog(
                PLAN_HEAD + "prices = { monthly = 1, EUR = { monthly = 1 } }\n"
                "limits = { billable_sessions = 10 }\n[plans.overage.billable_sessions]\nprice = 1"
            ),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).overage.billable_sessions: no EUR price",
        ),
        Case(
            "parse-retired-not-boolean",
            'retired = "yes"',
            lambda: parse_catalog(PLAN_HEAD + 'retired = "yes"\nprices = { monthly = 1 }'),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).retired: must be true or false, got string 'yes'",
        ),
        Case(
            "parse-version-local-time",
            "[version] effective = 2027-01-01T09:00:00",
            lambda: parse_catalog(
                'currency = "USD"\n[version]\nname = "v2"\neffective = 2027-01-01T09:00:00\n'
                + PLAN_HEAD[17:]
                + "prices = { monthly = 1 }"
            ),
            CatalogError,
            "^version.effective: a date-time needs an offset",
        ),
        Case(
            "parse-version-name",
            '[version] name = "2027 January"',
            lambda: parse_catalog(
                'currency = "USD"\n[version]\nname = "2027 January"\neffective = 2027-01-01\n'
                + PLAN_HEAD[17:]
                + "prices = { monthly = 1 }"
            ),
            CatalogError,
            "^version.name: must be an identifier",
        ),
        Case(
            "parse-huge-limit",
            "limits = { properties = 10**16 }",
            lambda: parse_catalog(
                PLAN_HEAD + f"prices = {{ monthly = 1 }}\nlimits = {{ properties = {10**16} }}"
            ),
            CatalogError,
            "^plans\\[0\\] \\('a'\\).limits.properties: must be at most .* got 10000000000000000",
        ),
        Case(
            "parse-oversized",
            f"parse_catalog('#' * {MAX_CATALOG_BYTES + 1:_})",
            lambda: parse_catalog("#" * (MAX_CATALOG_BYTES + 1)),
            CatalogError,
            "^catalog of 1,048,577 bytes refused; the limit is 1,048,576 bytes",
        ),
        Case(
            "parse-too-many-plans",
            f"parse_catalog({MAX_PLANS + 1} plans)",
            lambda: parse_catalog(plans_toml(MAX_PLANS + 1)),
            CatalogError,
            "^plans: 1,001 plans refused; the limit is 1,000",
        ),
        Case(
            "load-missing-file",
            'load_catalog("no/such/catalog.toml")',
            lambda: load_catalog("no/such/catalog.toml"),
            CatalogError,
            "^path: cannot read catalog file 'no/such/catalog.toml': No such file",
        ),
        Case(
            "load-nul-in-name",
            'load_catalog("catalog\\0.toml")',
            lambda: load_catalog("catalog\0.toml"),
            CatalogError,
            "^path: cannot read catalog file 'catalog\\\\x00.toml': embedded null byte",
        ),
        Case(
            "load-not-a-path",
            "load_catalog(5)",
            lambda: load_catalog(bad(5)),
            InvalidArgumentError,
            "^path: expected a file name as a str or os.PathLike, got int 5",
        ),
        Case(
            "load-oversized-file",
            "load_catalog(a file of 1 MiB + 1 byte)",
            lambda: load_catalog(write_file("big.toml", b"#" * (MAX_CATALOG_BYTES + 1))),
            CatalogError,
            "^path: catalog file '.*big.toml' is larger than 1,048,576 bytes",
        ),
        Case(
            "load-not-utf8",
            "load_catalog(a file holding b'\\xff')",
            lambda: load_catalog(write_file("latin.toml", b"currency = '\xff'")),
            CatalogError,
            "^path: catalog file '.*latin.toml' is not UTF-8: invalid start byte at byte 12",
        ),
    ]


def _usage_cases() -> list[Case]:
    return [
        Case(
            "usage-negative",
            "Usage.of(properties=-1)",
            lambda: Usage.of(properties=-1),
            InvalidUsageError,
            "^properties: must be a non-negative int, got -1",
        ),
        Case(
            "usage-float",
            "Usage.of(properties=1.5)",
            lambda: Usage.of(properties=bad(1.5)),
            InvalidUsageError,
            "^properties: must be a non-negative int, got 1.5",
        ),
        Case(
            "usage-oversized",
            "Usage.of(billable_sessions=10**16)",
            lambda: Usage.of(billable_sessions=10**16),
            InvalidUsageError,
            f"^billable_sessions: must be a non-negative int of at most {MAX_COUNT:,}, "
            "got 10000000000000000",
        ),
        Case(
            "usage-not-a-mapping",
            'Usage.of([("properties", 1)])',
            lambda: Usage.of(bad(INPUTS.counts)),
            InvalidUsageError,
            lit(
                "counts: expected a mapping of metric names to counts, got list [('properties', 1)]"
            ),
        ),
        Case(
            "usage-given-twice",
            'Usage.of({"properties": 1}, properties=2)',
            lambda: Usage.of({"properties": 1}, properties=2),
            InvalidUsageError,
            "^properties: metric 'properties' given twice",
        ),
        Case(
            "usage-unknown-metric",
            "usage_report(plan, Usage.of(seats=1))",
            lambda: usage_report(INPUTS.plan, Usage.of(seats=1)),
            InvalidUsageError,
            "^seats: unknown metric 'seats'; known metrics:",
        ),
        Case(
            "usage-report-plan-id",
            'usage_report("personal", usage)',
            lambda: usage_report(bad("personal"), INPUTS.usage),
            InvalidArgumentError,
            "^plan: expected a Plan, got str 'personal'",
        ),
        Case(
            "usage-report-quantity-zero",
            "usage_report(plan, usage, quantity=0)",
            lambda: usage_report(INPUTS.plan, INPUTS.usage, quantity=0),
            InvalidQuantityError,
            "^quantity: must be an int from 1 to 1,000,000,000,000,000, got int 0",
        ),
        Case(
            "usage-report-quantity-flat",
            "usage_report(flat plan, usage, quantity=3)",
            lambda: usage_report(INPUTS.plan, INPUTS.usage, quantity=3),
            InvalidQuantityError,
            "^quantity: plan 'personal' is priced flat, not per unit; must be 1, got 3",
        ),
        Case(
            "check-downgrade-dict",
            'check_downgrade({"properties": 1}, plan)',
            lambda: check_downgrade(bad({"properties": 1}), INPUTS.plan),
            InvalidArgumentError,
            lit("usage: expected a Usage, got dict {'properties': 1}"),
        ),
        Case(
            "describe-negative",
            "PROPERTIES.describe(-1)",
            lambda: PROPERTIES.describe(-1),
            InvalidUsageError,
            "^n: must be >= 0, got -1",
        ),
    ]


LADDER = OverdueLadder((OverdueState("warning", days=7),))


def _policy_cases() -> list[Case]:
    day = timedelta(days=1)
    return [
        Case(
            "policy-reminder-negative",
            "BillingPolicy(trial_reminder_days=-1)",
            lambda: BillingPolicy(trial_reminder_days=-1),
            InvalidPolicyError,
            "^trial_reminder_days: must be an int from 0 \\(no reminder\\) to 60, got -1",
        ),
        Case(
            "policy-reminder-too-early",
            "BillingPolicy(trial_reminder_days=61)",
            lambda: BillingPolicy(trial_reminder_days=61),
            InvalidPolicyError,
            "^trial_reminder_days: must be an int from 0 \\(no reminder\\) to 60, got 61",
        ),
        Case(
            "policy-renewal-reminder-zero",
            "BillingPolicy(renewal_reminder_days=((YEAR, 0),))",
            lambda: BillingPolicy(renewal_reminder_days=((IntervalUnit.YEAR, 0),)),
            InvalidPolicyError,
            "^renewal_reminder_days: must be \\(IntervalUnit, days\\) pairs .* got "
            + lit("((<IntervalUnit.YEAR: 'year'>, 0),)"),
        ),
        Case(
            "policy-preset-name-changed",
            'attrs.evolve(STRIPE_LIKE, rounding=HALF_EVEN) (keeps the name "stripe")',
            lambda: attrs.evolve(STRIPE_LIKE, rounding=RoundingMode.HALF_EVEN),
            InvalidPolicyError,
            "^name: 'stripe' is the name of a preset, and this policy changes its rounding; "
            "give the changed policy a name of its own",
        ),
        Case(
            "policy-fixed-days-zero",
            "BillingPolicy(fixed_denominator_days=0)",
            lambda: BillingPolicy(fixed_denominator_days=0),
            InvalidPolicyError,
            "^fixed_denominator_days: must be None .* or an int from 1 to 366, got 0",
        ),
        Case(
            "policy-granted-credit-days-zero",
            "BillingPolicy(granted_credit_days=0)",
            lambda: BillingPolicy(granted_credit_days=0),
            InvalidPolicyError,
            "^granted_credit_days: must be None \\(granted credit does not expire\\) or an int"
            " from 1 to 366 days, got 0",
        ),
        Case(
            "policy-enum-as-text",
            'BillingPolicy(proration_unit="day")',
            lambda: BillingPolicy(proration_unit=bad("day")),
            InvalidPolicyError,
            "^proration_unit: expected a ProrationUnit, got 'day'",
        ),
        Case(
            "policy-enum-of-another-field",
            "BillingPolicy(day_count=ProrationUnit.DAY)",
            lambda: BillingPolicy(day_count=bad(ProrationUnit.DAY)),
            InvalidPolicyError,
            "^day_count: expected a DayCount, got <ProrationUnit.DAY: 'day'>",
        ),
        Case(
            "policy-notice-days-negative",
            "BillingPolicy(price_change_notice_days=-1)",
            lambda: BillingPolicy(price_change_notice_days=-1),
            InvalidPolicyError,
            "^price_change_notice_days: must be an int from 0 \\(no lead time\\) to 366 days,"
            " got -1",
        ),
        Case(
            "policy-notice-days-over-a-year",
            "BillingPolicy(price_change_notice_days=367)",
            lambda: BillingPolicy(price_change_notice_days=367),
            InvalidPolicyError,
            "^price_change_notice_days: must be an int from 0 \\(no lead time\\) to 366 days,"
            " got 367",
        ),
        Case(
            "policy-notice-days-as-text",
            'BillingPolicy(price_change_notice_days="30")',
            lambda: BillingPolicy(price_change_notice_days=bad("30")),
            InvalidPolicyError,
            "^price_change_notice_days: must be an int from 0 \\(no lead time\\) to 366 days,"
            " got '30'",
        ),
        Case(
            "policy-unknown-preset",
            'preset("paddle")',
            lambda: preset("paddle"),
            InvalidPolicyError,
            "^policy: unknown preset 'paddle'; known presets: 'seed', 'stripe'",
        ),
        Case(
            "retry-not-increasing",
            "RetrySchedule(name, (3 days, 1 day))",
            lambda: RetrySchedule("x", (3 * day, day)),
            InvalidPolicyError,
            "^offsets: retry offsets must be positive and strictly increasing, got 1 day, "
            "0:00:00 after 3 days",
        ),
        Case(
            "retry-zero-offset",
            "RetrySchedule(name, (0 days,))",
            lambda: RetrySchedule("x", (timedelta(0),)),
            InvalidPolicyError,
            "^offsets: retry offsets must be positive and strictly increasing, got 0:00:00",
        ),
        Case(
            "retry-none",
            "RetrySchedule(name, ())",
            lambda: RetrySchedule("x", ()),
            InvalidPolicyError,
            f"^offsets: must hold 1 to {MAX_RETRIES} retries, got 0",
        ),
        Case(
            "retry-too-many",
            f"RetrySchedule(name, {MAX_RETRIES + 1} daily retries)",
            lambda: RetrySchedule("x", tuple(n * day for n in range(1, MAX_RETRIES + 2))),
            InvalidPolicyError,
            f"^offsets: must hold 1 to {MAX_RETRIES} retries, got {MAX_RETRIES + 1}",
        ),
        Case(
            "retry-window-too-long",
            "RetrySchedule(name, (367 days,))",
            lambda: RetrySchedule("x", (367 * day,)),
            InvalidPolicyError,
            "^offsets: the last retry must come within 366 days of the first failure, got 367 days",
        ),
        Case(
            "retry-unbounded-gap",
            "RetrySchedule.from_gaps(name, (10**10,))",
            lambda: RetrySchedule.from_gaps("x", (10**10,)),
            InvalidPolicyError,
            "^days: the last retry must come within 366 days .* got 10000000000 days",
        ),
        Case(
            "retry-gaps-not-a-sequence",
            "RetrySchedule.from_gaps(name, 5)",
            lambda: RetrySchedule.from_gaps("x", bad(5)),
            InvalidPolicyError,
            "^days: must be a tuple or list of day gaps, got int 5",
        ),
        Case(
            "retry-bad-local-hour",
            "RetrySchedule(name, (1 day,), local_hour=24)",
            lambda: RetrySchedule("x", (day,), local_hour=24),
            InvalidPolicyError,
            "^local_hour: must be None or an hour from 0 to 23, got 24",
        ),
        Case(
            "retry-local-hour-too-close",
            "RetrySchedule(name, (1 hour, 2 hours), local_hour=0)",
            lambda: RetrySchedule("x", (timedelta(hours=1), timedelta(hours=2)), local_hour=0),
            InvalidPolicyError,
            "^offsets: retries aligned to a local hour must be at least a day apart, "
            "got 2:00:00 after 1:00:00",
        ),
        Case(
            "retry-time-beyond-9999",
            "THREE_RETRIES.retry_time(9999-12-30, 2)",
            lambda: THREE_RETRIES.retry_time(datetime(9999, 12, 30, tzinfo=UTC), 2),
            InvalidInstantError,
            "^first_failure: retry 2 after 9999-12-30 00:00:00\\+00:00 would fall beyond",
        ),
        Case(
            "retry-time-index",
            "THREE_RETRIES.retry_time(at, 3)",
            lambda: THREE_RETRIES.retry_time(NOV_1, 3),
            InvalidArgumentError,
            "^index: must be an int from 0 to 2, got 3",
        ),
        Case(
            "overdue-no-condition",
            'OverdueState("warning")',
            lambda: OverdueState("warning"),
            InvalidPolicyError,
            "^state: overdue state 'warning' needs a condition",
        ),
        Case(
            "overdue-negative-days",
            'OverdueState("warning", days=-1)',
            lambda: OverdueState("warning", days=-1),
            InvalidPolicyError,
            "^days: must be a non-negative int, got -1",
        ),
        Case(
            "overdue-days-unbounded",
            'OverdueState("warning", days=10**12)',
            lambda: OverdueState("warning", days=10**12),
            InvalidPolicyError,
            f"^days: must be at most {MAX_OVERDUE_DAYS} days, got 1000000000000",
        ),
        Case(
            "overdue-balance-int",
            'OverdueState("warning", balance=5)',
            lambda: OverdueState("warning", balance=bad(5)),
            InvalidPolicyError,
            "^balance: must be None or a non-negative Money, got int 5",
        ),
        Case(
            "overdue-ladder-empty",
            "OverdueLadder(())",
            lambda: OverdueLadder(()),
            InvalidPolicyError,
            "^states: an overdue ladder needs at least one state",
        ),
        Case(
            "overdue-ladder-of-names",
            'OverdueLadder(("warning",))',
            lambda: OverdueLadder(bad(("warning",))),
            InvalidPolicyError,
            lit("states: must be a tuple of OverdueState values, got tuple ('warning',)"),
        ),
        Case(
            "overdue-ladder-duplicate-names",
            "OverdueLadder((warning, warning))",
            lambda: OverdueLadder((OverdueState("w", days=1), OverdueState("w", days=2))),
            InvalidPolicyError,
            lit("states: state names must be unique, got ['w', 'w']"),
        ),
        Case(
            "overdue-state-not-a-ladder",
            'overdue_state(unpaid, at, "warning")',
            lambda: overdue_state(INPUTS.unpaid, NOV_10, bad("warning")),
            InvalidArgumentError,
            "^ladder: expected an OverdueLadder, got str 'warning'",
        ),
        Case(
            "overdue-state-not-invoices",
            'overdue_state(["s-INV-0001"], at, ladder)',
            lambda: overdue_state(bad(["s-INV-0001"]), NOV_10, LADDER),
            InvalidArgumentError,
            lit("unpaid: expected a sequence of UnpaidInvoice values, got list ['s-INV-0001']"),
        ),
        Case(
            "overdue-state-year-1",
            "overdue_state([invoice of 0001-01-01 in UTC+9], at, ladder)",
            lambda: overdue_state(
                [UnpaidInvoice(datetime(1, 1, 1, tzinfo=TOKYO), usd("50"))], NOV_10, LADDER
            ),
            InvalidInstantError,
            "^issued_at: 0001-01-01 00:00:00\\+09:00 cannot be expressed in UTC",
        ),
        Case(
            "unpaid-invoice-naive",
            "UnpaidInvoice(datetime(2026, 11, 10), amount)",
            lambda: UnpaidInvoice(NAIVE, usd("50")),
            NaiveDatetimeError,
            "^issued_at: naive datetime 2026-11-10 00:00:00 refused",
        ),
    ]


def _lifecycle_cases() -> list[Case]:
    catalog = INPUTS.catalog
    sub = INPUTS.subscription
    usage = INPUTS.usage
    far = NOV_1.replace(year=2026 + MAX_PERIODS_PER_ADVANCE // 12 + 1)
    return [
        Case(
            "start-naive-at",
            "start_subscription(..., at=datetime(2026, 11, 10))",
            lambda: start_subscription(
                "s", "c", "personal", MONTHLY, NAIVE, catalog=catalog, policy=SEED_POLICY
            ),
            NaiveDatetimeError,
            "^at: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "subscription-quantity-on-a-flat-price",
            "attrs.evolve(subscription on a flat price, quantity=3)",
            lambda: attrs.evolve(sub, quantity=3),
            InvalidQuantityError,
            "^quantity: a flat price is for one subscription, not per unit; must be 1, got 3",
        ),
        Case(
            "subscription-price-in-another-currency",
            "attrs.evolve(USD subscription, price=RecordedPrice(EUR price))",
            lambda: attrs.evolve(sub, price=RecordedPrice(Price.of("9", "EUR"))),
            CurrencyMismatchError,
            "^price: expected currency 'USD', got 'EUR'",
        ),
        Case(
            "start-quantity-on-a-flat-plan",
            "start_subscription(..., quantity=2) on a flat plan",
            lambda: start_subscription(
                "s",
                "c",
                "personal",
                MONTHLY,
                NOV_1,
                catalog=catalog,
                policy=SEED_POLICY,
                quantity=2,
            ),
            InvalidQuantityError,
            "^quantity: plan 'personal' is priced flat, not per unit; must be 1, got 2",
        ),
        Case(
            "start-currency-the-plan-is-not-sold-in",
            'start_subscription(..., currency="EUR") on a USD plan',
            lambda: start_subscription(
                "s",
                "c",
                "personal",
                MONTHLY,
                NOV_1,
                catalog=catalog,
                policy=SEED_POLICY,
                currency="EUR",
            ),
            UnknownPriceError,
            "^currency: plan 'personal' has no price in EUR; it is sold in: USD",
        ),
        Case(
            "start-unknown-plan",
            'start_subscription(..., plan_id="gold")',
            lambda: start_subscription(
                "s", "c", "gold", MONTHLY, NOV_1, catalog=catalog, policy=SEED_POLICY
            ),
            UnknownPlanError,
            "^plan_id: unknown plan 'gold'",
        ),
        Case(
            "start-unknown-interval",
            "start_subscription(..., interval=WEEKLY)",
            lambda: start_subscription(
                "s", "c", "personal", WEEKLY, NOV_1, catalog=catalog, policy=SEED_POLICY
            ),
            UnknownPriceError,
            "^interval: plan 'personal' has no weekly price",
        ),
        Case(
            "start-currency-not-sold",
            'start_subscription(..., currency="EUR") on a plan sold in USD only',
            lambda: start_subscription(
                "s",
                "c",
                "personal",
                MONTHLY,
                NOV_1,
                catalog=catalog,
                currency="EUR",
                policy=SEED_POLICY,
            ),
            UnknownPriceError,
            "^currency: plan 'personal' has no price in EUR; it is sold in: USD",
        ),
        Case(
            "change-plan-currency-not-sold",
            "change_plan(EUR sub, 'usd-only', ...): the target has no EUR price",
            lambda: change_plan(
                start_subscription(
                    "s",
                    "c",
                    "personal",
                    MONTHLY,
                    NOV_1,
                    catalog=EUR_AND_USD,
                    currency="EUR",
                    trial=False,
                    policy=SEED_POLICY,
                ).subscription,
                "usd-only",
                MONTHLY,
                NOV_10,
                catalog=EUR_AND_USD,
                usage=Usage(),
                policy=SEED_POLICY,
            ),
            UnknownPriceError,
            "^currency: plan 'usd-only' has no price in EUR; it is sold in: USD",
        ),
        Case(
            "adjust-other-currency",
            "adjust(USD sub, invoice, Money.of('5', 'EUR'), ...)",
            lambda: adjust(
                INPUTS.subscription,
                "sub_1-INV-0001",
                Money.of("5", "EUR"),
                NOV_10,
                reason="outage",
                catalog=catalog,
                policy=SEED_POLICY,
            ),
            CurrencyMismatchError,
            "^amount: expected currency 'USD', got 'EUR'",
        ),
        Case(
            "start-unknown-zone",
            'start_subscription(..., time_zone="Mars/Olympus")',
            lambda: start_subscription(
                "s",
                "c",
                "personal",
                MONTHLY,
                NOV_1,
                catalog=catalog,
                time_zone="Mars/Olympus",
                policy=SEED_POLICY,
            ),
            InvalidTimeZoneError,
            "^time_zone: unknown IANA time zone 'Mars/Olympus'",
        ),
        Case(
            "start-empty-id",
            'start_subscription("", ...)',
            lambda: start_subscription(
                "", "c", "personal", MONTHLY, NOV_1, catalog=catalog, policy=SEED_POLICY
            ),
            InvalidArgumentError,
            "^subscription_id: must be a non-empty str of at most 200 characters, got ''",
        ),
        Case(
            "quote-naive-at",
            "quote_change(sub, ..., at=datetime(2026, 11, 10))",
            lambda: quote_change(
                sub, "personal", MONTHLY, NAIVE, catalog=catalog, usage=usage, policy=SEED_POLICY
            ),
            NaiveDatetimeError,
            "^at: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "quote-after-period-end",
            "quote_change(sub, ..., at=period end)",
            lambda: quote_change(
                sub, "personal", MONTHLY, DEC_1, catalog=catalog, usage=usage, policy=SEED_POLICY
            ),
            InvalidPeriodError,
            "^at: 2026-12-01T00:00:00\\+00:00 is at or after the current period's end",
        ),
        Case(
            "quote-before-processed",
            "quote_change(sub processed to 16 Nov, ..., at=10 Nov)",
            lambda: quote_change(
                INPUTS.processed,
                "personal",
                MONTHLY,
                NOV_10,
                catalog=catalog,
                usage=usage,
                policy=SEED_POLICY,
            ),
            InvalidPeriodError,
            "^at: 2026-11-10T00:00:00\\+00:00 is before 2026-11-16T00:00:00\\+00:00, which",
        ),
        Case(
            "quote-unknown-plan",
            'quote_change(sub, "gold", ...)',
            lambda: quote_change(
                sub, "gold", MONTHLY, NOV_10, catalog=catalog, usage=usage, policy=SEED_POLICY
            ),
            UnknownPlanError,
            "^plan_id: unknown plan 'gold'",
        ),
        Case(
            "quote-usage-none",
            "quote_change(sub, ..., usage=None)",
            lambda: quote_change(
                sub,
                "personal",
                MONTHLY,
                NOV_10,
                catalog=catalog,
                usage=bad(None),
                policy=SEED_POLICY,
            ),
            InvalidArgumentError,
            "^usage: expected a Usage, got NoneType None",
        ),
        Case(
            "change-plan-naive-at",
            "change_plan(sub, ..., at=datetime(2026, 11, 10))",
            lambda: change_plan(
                sub, "personal", MONTHLY, NAIVE, catalog=catalog, usage=usage, policy=SEED_POLICY
            ),
            NaiveDatetimeError,
            "^at: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "change-plan-unknown-interval",
            "change_plan(sub, 'personal', WEEKLY, ...)",
            lambda: change_plan(
                sub, "personal", WEEKLY, NOV_10, catalog=catalog, usage=usage, policy=SEED_POLICY
            ),
            UnknownPriceError,
            "^interval: plan 'personal' has no weekly price",
        ),
        Case(
            "change-plan-after-trial-end",
            "change_plan(trialing sub, ..., at=after the trial)",
            lambda: change_plan(
                INPUTS.trialing,
                "advanced",
                MONTHLY,
                DEC_1,
                catalog=catalog,
                usage=usage,
                policy=SEED_POLICY,
            ),
            InvalidPeriodError,
            "^at: 2026-12-01T00:00:00\\+00:00 is at or after the trial's end",
        ),
        Case(
            "change-quantity-zero",
            "change_quantity(sub, 0, ...)",
            lambda: change_quantity(
                sub, 0, NOV_10, catalog=catalog, usage=usage, policy=SEED_POLICY
            ),
            InvalidQuantityError,
            "^quantity: must be an int from 1 to 1,000,000,000,000,000, got int 0",
        ),
        Case(
            "change-quantity-not-int",
            "change_quantity(sub, '3', ...)",
            lambda: change_quantity(
                sub, bad("3"), NOV_10, catalog=catalog, usage=usage, policy=SEED_POLICY
            ),
            InvalidQuantityError,
            "^quantity: must be an int from 1 to 1,000,000,000,000,000, got str '3'",
        ),
        Case(
            "change-quantity-flat-plan",
            "change_quantity(sub on a flat plan, 2, ...)",
            lambda: change_quantity(
                sub, 2, NOV_10, catalog=catalog, usage=usage, policy=SEED_POLICY
            ),
            InvalidQuantityError,
            "^quantity: plan 'advanced' is priced flat, not per unit; must be 1, got 2",
        ),
        Case(
            "change-quantity-command-zero",
            "ChangeQuantity(0)",
            lambda: ChangeQuantity(0),
            InvalidQuantityError,
            "^quantity: must be an int from 1 to 1,000,000,000,000,000, got int 0",
        ),
        Case(
            "advance-naive-until",
            "advance(sub, datetime(2026, 11, 10))",
            lambda: advance(sub, NAIVE, catalog=catalog, policy=SEED_POLICY),
            NaiveDatetimeError,
            "^until: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "advance-too-far",
            f"advance(monthly sub, {far.date()})",
            lambda: advance(sub, far, catalog=catalog, policy=SEED_POLICY),
            InvalidPeriodError,
            f"^until: {lit(far.isoformat())} lies more than {MAX_PERIODS_PER_ADVANCE} periods ahead",
        ),
        Case(
            "cancel-naive-at",
            "cancel(sub, datetime(2026, 11, 10))",
            lambda: cancel(sub, NAIVE, policy=SEED_POLICY),
            NaiveDatetimeError,
            "^at: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "cancel-before-processed",
            "cancel(sub processed to 16 Nov, 10 Nov)",
            lambda: cancel(INPUTS.processed, NOV_10, policy=SEED_POLICY),
            InvalidPeriodError,
            "^at: 2026-11-10T00:00:00\\+00:00 is before 2026-11-16T00:00:00\\+00:00",
        ),
        Case(
            "suspend-naive-at",
            "suspend(sub, datetime(2026, 11, 10))",
            lambda: suspend(sub, NAIVE, policy=SEED_POLICY),
            NaiveDatetimeError,
            "^at: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "suspend-after-period-end",
            "suspend(sub, period end)",
            lambda: suspend(sub, DEC_1, policy=SEED_POLICY),
            InvalidPeriodError,
            "^at: 2026-12-01T00:00:00\\+00:00 is at or after 2026-12-01T00:00:00\\+00:00",
        ),
        Case(
            "record-payment-outcome-str",
            'record_payment(sub, attempt, "declined", at)',
            lambda: record_payment(
                sub, FIRST_CHARGE, bad("declined"), NOV_10, catalog=catalog, policy=SEED_POLICY
            ),
            InvalidArgumentError,
            "^outcome: expected Succeeded, Pending, Declined or GatewayError, got 'declined'",
        ),
        Case(
            "record-payment-naive-at",
            "record_payment(sub, attempt, Succeeded(), datetime(2026, 11, 10))",
            lambda: record_payment(
                sub, FIRST_CHARGE, bad(None), NAIVE, catalog=catalog, policy=SEED_POLICY
            ),
            NaiveDatetimeError,
            "^at: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "declined-kind-str",
            'Declined("hard")',
            lambda: Declined(bad("hard")),
            InvalidArgumentError,
            "^kind: expected DeclineKind, got str 'hard'$",
        ),
        Case(
            "summary-naive-at",
            "billing_summary(sub, usage, datetime(2026, 11, 10))",
            lambda: billing_summary(sub, usage, NAIVE, catalog=catalog, policy=SEED_POLICY),
            NaiveDatetimeError,
            "^at: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "simulate-naive-until",
            "simulate(sub, [], datetime(2026, 11, 10))",
            lambda: simulate(sub, [], NAIVE, catalog=catalog, policy=SEED_POLICY),
            NaiveDatetimeError,
            "^until: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "simulate-naive-step",
            "simulate(sub, [Step(datetime(2026, 11, 10), Cancel())], until)",
            lambda: simulate(
                sub, [Step(NAIVE, Cancel())], DEC_1, catalog=catalog, policy=SEED_POLICY
            ),
            NaiveDatetimeError,
            "^at: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "price-migrations-one-subscription",
            "price_migrations(sub, catalog, at) (not a list)",
            lambda: price_migrations(bad(sub), catalog, NOV_10, policy=SEED_POLICY),
            InvalidArgumentError,
            "^subscriptions: expected a list or tuple of Subscription values, got one Subscription"
            " \\('sub_1'\\); pass \\[subscription\\]",
        ),
        Case(
            "price-migrations-an-id",
            'price_migrations([sub, "sub_2"], catalog, at)',
            lambda: price_migrations([sub, bad("sub_2")], catalog, NOV_10, policy=SEED_POLICY),
            InvalidArgumentError,
            "^subscriptions: expected Subscription, got str 'sub_2'",
        ),
        Case(
            "price-migrations-catalog-name",
            'price_migrations([sub], "default", at)',
            lambda: price_migrations([sub], bad("default"), NOV_10, policy=SEED_POLICY),
            InvalidArgumentError,
            "^catalog: expected Catalog, got str 'default'",
        ),
        Case(
            "price-migrations-naive-at",
            "price_migrations([sub], catalog, datetime(2026, 11, 10))",
            lambda: price_migrations([sub], catalog, NAIVE, policy=SEED_POLICY),
            NaiveDatetimeError,
            "^at: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "price-migrations-at-processed",
            "price_migrations([sub processed to 16 Nov], catalog, 10 Nov)",
            lambda: price_migrations([INPUTS.processed], catalog, NOV_10, policy=SEED_POLICY),
            InvalidPeriodError,
            "^at: 2026-11-10T00:00:00\\+00:00 is before 2026-11-16T00:00:00\\+00:00, which"
            " subscription 'sub_1' has already processed",
        ),
        Case(
            "migrate-price-not-a-period-end",
            "migrate_price(sub, at, effective_at=15 Dec 2026) (periods end on the 1st)",
            lambda: migrate_price(
                sub, NOV_10, catalog=catalog, policy=SEED_POLICY, effective_at=utc(2026, 12, 15)
            ),
            InvalidPeriodError,
            "^effective_at: is not a period end of the subscription's cycle still to come; the"
            " next ones are 2026-12-01T00:00:00\\+00:00, 2027-01-01T00:00:00\\+00:00, ...",
        ),
        Case(
            "migrate-price-period-end-passed",
            "migrate_price(sub, at, effective_at=1 Nov 2026) (the current period's start)",
            lambda: migrate_price(
                sub, NOV_10, catalog=catalog, policy=SEED_POLICY, effective_at=NOV_1
            ),
            InvalidPeriodError,
            "^effective_at: is not a period end of the subscription's cycle still to come",
        ),
        Case(
            "migrate-price-naive-effective-at",
            "migrate_price(sub, at, effective_at=datetime(2026, 11, 10))",
            lambda: migrate_price(
                sub, NOV_10, catalog=catalog, policy=SEED_POLICY, effective_at=NAIVE
            ),
            NaiveDatetimeError,
            "^effective_at: naive datetime 2026-11-10 00:00:00 refused",
        ),
        Case(
            "migrate-price-after-the-period",
            "migrate_price(sub started 1 Nov, 5 Dec) (not advanced)",
            lambda: migrate_price(sub, utc(2026, 12, 5), catalog=catalog, policy=SEED_POLICY),
            InvalidPeriodError,
            "^at: 2026-12-05T00:00:00\\+00:00 is at or after 2026-12-01T00:00:00\\+00:00, which is"
            " not processed yet; advance the subscription first",
        ),
    ]


# Keys tomllib takes seconds over (time quadratic in their parts), well inside 1 MiB.
DOTTED_KEY = "a" + ".a" * 39_999 + " = 1"  # 80 KB: some 15 s to parse
LONG_HEADER = "[" + ".".join(["a"] * 150_000) + "]"  # 300 KB: over 2 s


def named_pipe(name: str) -> Path:
    """A named pipe no one writes to: opening it for reading blocks, reading it never ends."""
    path = Path(_FILES.name) / name
    if not path.exists():
        os.mkfifo(path)
    return path


def _toml_shape_cases() -> list[Case]:
    return [
        Case(
            "parse-deep-dotted-key",
            "parse_catalog('a' + '.a' * 39_999 + ' = 1')",
            lambda: parse_catalog(DOTTED_KEY),
            CatalogError,
            "^line 1: a dotted key of more than 16 parts refused",
        ),
        Case(
            "parse-long-table-header",
            "parse_catalog('[' + '.'.join(['a'] * 150_000) + ']')",
            lambda: parse_catalog(LONG_HEADER),
            CatalogError,
            "^line 1: a dotted key of more than 16 parts refused",
        ),
        Case(
            "parse-deep-key-in-inline-table",
            "parse_catalog(PLAN_HEAD + 'prices = {' + 'a.' * 20 + 'b = 1}')",
            lambda: parse_catalog(PLAN_HEAD + "prices = {" + "a." * 20 + "b = 1}"),
            CatalogError,
            "^line 5: a dotted key of more than 16 parts refused",
        ),
        Case(
            "parse-long-key",
            "parse_catalog('\"' + 'k' * 300 + '\" = 1')",
            lambda: parse_catalog('"' + "k" * 300 + '" = 1'),
            CatalogError,
            "^line 1: a key of more than 256 characters refused",
        ),
        Case(
            "load-deep-dotted-key",
            "load_catalog(a file holding an 80 KB dotted key)",
            lambda: load_catalog(write_file("dotted.toml", DOTTED_KEY.encode())),
            CatalogError,
            "^line 1: a dotted key of more than 16 parts refused",
        ),
        Case(
            "load-named-pipe",
            "load_catalog(a named pipe)",
            lambda: load_catalog(named_pipe("pipe.toml")),
            CatalogError,
            "^path: cannot read catalog file '.*pipe.toml': not a regular file "
            "\\(a named pipe\\); refused",
        ),
        Case(
            "load-directory",
            "load_catalog(a directory)",
            lambda: load_catalog(_FILES.name),
            CatalogError,
            "^path: cannot read catalog file '.*': not a regular file \\(a directory\\); refused",
        ),
    ]


def tzif_without_a_name() -> ZoneInfo:
    """A ZoneInfo read from a file (a minimal TZif file of UTC): it has no IANA name."""
    header = b"TZif" + b"\0" * 16 + struct.pack(">6l", 0, 0, 0, 0, 1, 4)
    return ZoneInfo.from_file(io.BytesIO(header + struct.pack(">lBB", 0, 0, 0) + b"UTC\0"))


def _coercion_cases() -> list[Case]:
    """Inputs once accepted with a wrong meaning: each is now refused, naming what was passed."""
    catalog = INPUTS.catalog
    sub = INPUTS.subscription
    usage = INPUTS.usage
    m = usd("1.00")

    def start(**options: Any) -> object:
        return start_subscription(
            "s", "c", "personal", MONTHLY, NOV_1, catalog=catalog, policy=SEED_POLICY, **options
        )

    def yearly_quote() -> object:
        yearly = start_subscription(
            "s", "c", "personal", YEARLY, NOV_1, catalog=catalog, trial=False, policy=SEED_POLICY
        ).subscription
        fixed = BillingPolicy(fixed_denominator_days=30)
        return quote_change(
            yearly, "advanced", YEARLY, NOV_10, catalog=catalog, usage=usage, policy=fixed
        )

    return [
        Case(
            "money-doubled-underscore",
            'Money.of("1__0", "USD")',
            lambda: Money.of("1__0", "USD"),
            InvalidAmountError,
            "^amount: '1__0' is not a decimal number; an underscore may only separate two digits",
        ),
        Case(
            "money-leading-underscore",
            'Money.of("_5", "USD")',
            lambda: Money.of("_5", "USD"),
            InvalidAmountError,
            "^amount: '_5' is not a decimal number; an underscore may only separate two digits",
        ),
        Case(
            "money-non-ascii-digits",
            'Money.of("١٠", "USD") (Arabic-Indic digits)',
            lambda: Money.of("\u0661\u0660", "USD"),
            InvalidAmountError,
            "^amount: '\u0661\u0660' is not a decimal number; write ASCII digits",
        ),
        Case(
            "currency-long-s",
            'Currency.of("ſek")',
            lambda: Currency.of("\u017fek"),
            UnknownCurrencyError,
            "^currency: unknown ISO 4217 currency code '\u017fek'; codes are ASCII letters",
        ),
        Case(
            "currency-dotless-i",
            'Money.of("1", "ıdr")',
            lambda: Money.of("1", "\u0131dr"),
            UnknownCurrencyError,
            "^currency: unknown ISO 4217 currency code '\u0131dr'; codes are ASCII letters",
        ),
        Case(
            "parse-currency-long-s",
            'currency = "ſek"',
            lambda: parse_catalog(
                PLAN_HEAD.replace("USD", "\u017fek") + "prices = { monthly = 1 }"
            ),
            CatalogError,
            "^currency: unknown ISO 4217 currency code '\u017fek'; codes are ASCII letters",
        ),
        Case(
            "currency-known-code-other-exponent",
            'Currency("USD", 0)',
            lambda: Currency("USD", 0),
            InvalidAmountError,
            lit("exponent: USD has 2 decimal places in ISO 4217, got 0; use Currency.of('USD')"),
        ),
        Case(
            "currency-non-ascii-letters",
            'Currency("ÀBC", 2)',
            lambda: Currency("\u00c0BC", 2),
            UnknownCurrencyError,
            "^code: must be three upper-case letters, got '\u00c0BC'; codes are ASCII",
        ),
        Case(
            "money-format-number-spec",
            'f"{money:.2f}"',
            lambda: format(m, ".2f"),
            InvalidArgumentError,
            "^format_spec: Money formats as text with an optional fill, alignment and width .*"
            "got '.2f'; for the number use money.format_amount",
        ),
        Case(
            "money-format-huge-width",
            'f"{money:>99999999999}"',
            lambda: format(m, ">99999999999"),
            InvalidArgumentError,
            "^format_spec: Money formats as text .* got '>99999999999'",
        ),
        Case(
            "start-payment-method-str",
            'start_subscription(..., has_payment_method="no")',
            lambda: start(has_payment_method=bad("no")),
            InvalidArgumentError,
            "^has_payment_method: expected bool, got str 'no'",
        ),
        Case(
            "start-trial-str",
            'start_subscription(..., trial="False")',
            lambda: start(trial=bad("False")),
            InvalidArgumentError,
            "^trial: expected bool, got str 'False'",
        ),
        Case(
            "start-had-trial-int",
            "start_subscription(..., had_trial=1)",
            lambda: start(had_trial=bad(1)),
            InvalidArgumentError,
            "^had_trial: expected bool, got int 1",
        ),
        Case(
            "start-non-ascii-id",
            'start_subscription("sub\\u200b1", ...) (a zero-width space)',
            lambda: start_subscription(
                "sub\u200b1", "c", "personal", MONTHLY, NOV_1, catalog=catalog, policy=SEED_POLICY
            ),
            InvalidArgumentError,
            "^subscription_id: must be printable ASCII, got " + lit("'sub\\u200b1'"),
        ),
        Case(
            "start-localtime-zone",
            'start_subscription(..., time_zone="localtime")',
            lambda: start(time_zone="localtime"),
            InvalidTimeZoneError,
            "^time_zone: 'localtime' is the host's own zone setting, not an IANA zone; "
            "results would depend on the machine",
        ),
        Case(
            "cycle-posix-zone",
            'BillingCycle(anchor, MONTHLY, "posix/Europe/Paris")',
            lambda: BillingCycle(NOV_1, MONTHLY, "posix/Europe/Paris"),
            InvalidTimeZoneError,
            "^time_zone: 'posix/Europe/Paris' is a copy in the host's zone files, not an IANA "
            "zone name; name the zone, such as 'Europe/Paris'",
        ),
        Case(
            "zone-from-a-file",
            "zone(ZoneInfo.from_file(...))",
            lambda: zone(tzif_without_a_name()),
            InvalidTimeZoneError,
            "^time_zone: .* has no IANA name \\(it was read from a file\\)",
        ),
        Case(
            "preferences-unsubscribed-str",
            'Preferences(unsubscribed="product")',
            lambda: Preferences(unsubscribed=bad("product")),
            InvalidArgumentError,
            "^unsubscribed: expected a frozenset of category names .* got str 'product'",
        ),
        Case(
            "preferences-opt-out-str",
            'Preferences(email_opt_out="no")',
            lambda: Preferences(email_opt_out=bad("no")),
            InvalidArgumentError,
            "^email_opt_out: expected bool, got str 'no'",
        ),
        Case(
            "category-mandatory-str",
            'Category("news", mandatory="yes")',
            lambda: Category("news", mandatory=bad("yes")),
            InvalidArgumentError,
            "^mandatory: expected bool, got str 'yes'",
        ),
        Case(
            "change-interval-usage-none",
            "change_plan(sub, same plan, YEARLY, ..., usage=None)",
            lambda: change_plan(
                sub,
                "advanced",
                YEARLY,
                NOV_10,
                catalog=catalog,
                usage=bad(None),
                policy=SEED_POLICY,
            ),
            InvalidArgumentError,
            "^usage: expected a Usage, got NoneType None",
        ),
        Case(
            "change-interval-usage-dict",
            'change_plan(sub, same plan, YEARLY, ..., usage={"properties": 1})',
            lambda: change_plan(
                sub,
                "advanced",
                YEARLY,
                NOV_10,
                catalog=catalog,
                usage=bad({"properties": 1}),
                policy=SEED_POLICY,
            ),
            InvalidArgumentError,
            lit("usage: expected a Usage, got dict {'properties': 1}"),
        ),
        Case(
            "change-interval-unknown-metric",
            "change_plan(sub, same plan, YEARLY, ..., usage=Usage.of(seats=1))",
            lambda: change_plan(
                sub,
                "advanced",
                YEARLY,
                NOV_10,
                catalog=catalog,
                usage=Usage.of(seats=1),
                policy=SEED_POLICY,
            ),
            InvalidUsageError,
            "^seats: unknown metric 'seats'; known metrics:",
        ),
        Case(
            "quote-interval-usage-none",
            "quote_change(sub, same plan, YEARLY, ..., usage=None)",
            lambda: quote_change(
                sub,
                "advanced",
                YEARLY,
                NOV_10,
                catalog=catalog,
                usage=bad(None),
                policy=SEED_POLICY,
            ),
            InvalidArgumentError,
            "^usage: expected a Usage, got NoneType None",
        ),
        Case(
            "advance-unknown-metric",
            "advance(sub, 10 Nov, usage=Usage.of(seats=1)) (no period ends)",
            lambda: advance(
                sub, NOV_10, catalog=catalog, usage=Usage.of(seats=1), policy=SEED_POLICY
            ),
            InvalidUsageError,
            "^seats: unknown metric 'seats'; known metrics:",
        ),
        Case(
            "advance-back-in-time",
            "advance(sub processed to 16 Nov, 10 Nov)",
            lambda: advance(INPUTS.processed, NOV_10, catalog=catalog, policy=SEED_POLICY),
            InvalidPeriodError,
            "^until: 2026-11-10T00:00:00\\+00:00 is before 2026-11-16T00:00:00\\+00:00, "
            "which this subscription has already processed",
        ),
        Case(
            "quote-fixed-days-yearly",
            "quote_change(yearly sub, ..., policy=BillingPolicy(fixed_denominator_days=30))",
            yearly_quote,
            InvalidPolicyError,
            "^fixed_denominator_days: a fixed denominator of 30 days applies to monthly cycles "
            "only, not to a yearly one",
        ),
    ]


EUR_CATALOG = PLAN_HEAD.replace("USD", "EUR").replace('"a"', '"advanced"') + (
    'prices = { monthly = "1.00", yearly = "10.00" }\n'
)
HUGE_OVERAGE = PLAN_HEAD + (
    'prices = { monthly = "1.00" }\nlimits = { billable_sessions = 0 }\n'
    'overage = { billable_sessions = { price = "10000000000.00" } }\n'
)
PLUS_14 = timezone(timedelta(hours=14))


def on(catalog: Catalog, plan_id: str, interval: Interval, at: datetime) -> Subscription:
    """A subscription started at ``at`` without a trial."""
    return start_subscription(
        "s", "c", plan_id, interval, at, catalog=catalog, trial=False, policy=SEED_POLICY
    ).subscription


def _internal_name_cases() -> list[Case]:
    """Errors that named an internal value (index, start, lines, minor): now what was passed."""
    catalog = INPUTS.catalog
    sub = INPUTS.subscription
    usage = INPUTS.usage
    late = datetime(9999, 10, 15, tzinfo=UTC)
    most = Usage.of(billable_sessions=MAX_COUNT)

    def huge_overage(call: Callable[[Subscription, Catalog], object]) -> Callable[[], object]:
        huge = parse_catalog(HUGE_OVERAGE)
        return lambda: call(on(huge, "a", MONTHLY, NOV_1), huge)

    def eur(call: Callable[[Catalog], object]) -> Callable[[], object]:
        return lambda: call(parse_catalog(EUR_CATALOG))

    return [
        Case(
            "start-beyond-9999",
            "start_subscription(..., at=9999-12-15, trial=False)",
            lambda: on(catalog, "personal", MONTHLY, datetime(9999, 12, 15, tzinfo=UTC)),
            InvalidPeriodError,
            "^at: 9999-12-15T00:00:00\\+00:00 lies too close to the limits of the calendar "
            "\\(years 1 to 9999\\): period 0 lies beyond year 9999",
        ),
        Case(
            "advance-beyond-9999",
            "advance(sub started 9999-10-15, 9999-12-31T23:00)",
            lambda: advance(
                on(catalog, "personal", MONTHLY, late),
                datetime(9999, 12, 31, 23, tzinfo=UTC),
                catalog=catalog,
                policy=SEED_POLICY,
            ),
            InvalidPeriodError,
            "^until: 9999-12-31T23:00:00\\+00:00 lies too close to the limits of the calendar "
            "\\(years 1 to 9999\\): period 2 lies beyond year 9999",
        ),
        Case(
            "quote-yearly-beyond-9999",
            "quote_change(monthly sub of 9999-10-15, 'advanced', YEARLY, 9999-11-01)",
            lambda: quote_change(
                on(catalog, "personal", MONTHLY, late),
                "advanced",
                YEARLY,
                datetime(9999, 11, 1, tzinfo=UTC),
                catalog=catalog,
                usage=usage,
                policy=SEED_POLICY,
            ),
            InvalidPeriodError,
            "^at: 9999-11-01T00:00:00\\+00:00 lies too close to the limits of the calendar "
            "\\(years 1 to 9999\\): period 1 lies beyond year 9999",
        ),
        Case(
            "summary-year-1-plus-14",
            "billing_summary(sub, usage, 0001-01-01 at +14:00)",
            lambda: billing_summary(
                sub, usage, datetime(1, 1, 1, tzinfo=PLUS_14), catalog=catalog, policy=SEED_POLICY
            ),
            InvalidInstantError,
            "^at: 0001-01-01 00:00:00\\+14:00 cannot be expressed in UTC",
        ),
        Case(
            "upcoming-year-1-plus-14",
            "upcoming_invoice(sub, 0001-01-01 at +14:00)",
            lambda: upcoming_invoice(
                sub, datetime(1, 1, 1, tzinfo=PLUS_14), catalog=catalog, policy=SEED_POLICY
            ),
            InvalidInstantError,
            "^at: 0001-01-01 00:00:00\\+14:00 cannot be expressed in UTC",
        ),
        Case(
            "advance-catalog-other-currency",
            "advance(USD sub, 2 Dec, catalog=EUR catalog)",
            eur(lambda other: advance(sub, DEC_1, catalog=other, policy=SEED_POLICY)),
            CurrencyMismatchError,
            "^catalog: expected currency 'USD', got 'EUR'",
        ),
        Case(
            "change-catalog-other-currency",
            "change_plan(USD sub, ..., catalog=EUR catalog)",
            eur(
                lambda other: change_plan(
                    sub, "advanced", YEARLY, NOV_10, catalog=other, usage=usage, policy=SEED_POLICY
                )
            ),
            CurrencyMismatchError,
            "^catalog: expected currency 'USD', got 'EUR'",
        ),
        Case(
            "summary-catalog-other-currency",
            "billing_summary(USD sub, usage, at, catalog=EUR catalog)",
            eur(
                lambda other: billing_summary(sub, usage, NOV_10, catalog=other, policy=SEED_POLICY)
            ),
            CurrencyMismatchError,
            "^catalog: expected currency 'USD', got 'EUR'",
        ),
        Case(
            "advance-overage-beyond-range",
            "advance(sub, 2 Dec, usage=10**15 sessions at USD 10,000,000,000.00 each)",
            huge_overage(lambda s, c: advance(s, DEC_1, catalog=c, usage=most, policy=SEED_POLICY)),
            InvalidAmountError,
            "^usage: "
            + lit("Usage(counts=(('billable_sessions', 1000000000000000),))")
            + " bills an amount beyond the supported range: must lie within",
        ),
        Case(
            "summary-overage-beyond-range",
            "billing_summary(sub, 10**15 sessions at USD 10,000,000,000.00 each, at)",
            huge_overage(
                lambda s, c: billing_summary(s, most, NOV_10, catalog=c, policy=SEED_POLICY)
            ),
            InvalidAmountError,
            "^usage: .* bills an amount beyond the supported range: must lie within",
        ),
    ]


def _wrong_shape_cases() -> list[Case]:
    """Found by the property test over every public function (tests/test_wrong_shapes.py)."""
    catalog = INPUTS.catalog
    sub = INPUTS.subscription
    plan = INPUTS.plan
    notice: dict[str, Any] = {
        "kind": NoticeKind.RENEWED,
        "subscription_id": "s",
        "customer_id": "c",
        "at": NOV_1,
    }
    unpaid = INPUTS.unpaid

    def run(**options: Any) -> object:
        return simulate(sub, [], DEC_1, catalog=catalog, policy=SEED_POLICY, **options)

    return [
        Case(
            "classify-move-interval-none",
            "classify_move(plan, None, other plan, MONTHLY)",
            lambda: classify_move(plan, bad(None), catalog.plan("advanced"), MONTHLY),
            InvalidArgumentError,
            "^current_interval: expected an Interval, got NoneType None",
        ),
        Case(
            "policy-name-int",
            "BillingPolicy(name=5)",
            lambda: BillingPolicy(name=bad(5)),
            InvalidPolicyError,
            "^name: must be a non-empty ASCII name, got int 5",
        ),
        Case(
            "policy-enum-gigantic-int",
            "BillingPolicy(rounding=10**5000)",
            lambda: BillingPolicy(rounding=bad(10**5000)),
            InvalidPolicyError,
            "^rounding: expected a RoundingMode, got <an int of about 5,001 digits>",
        ),
        Case(
            "overdue-state-name-none",
            "OverdueState(None, days=7)",
            lambda: OverdueState(bad(None), days=7),
            InvalidPolicyError,
            "^name: must be a non-empty ASCII name, got NoneType None",
        ),
        Case(
            "overdue-state-previous-str",
            'overdue_state(unpaid, at, ladder, previous="warning")',
            lambda: overdue_state(unpaid, NOV_10, LADDER, bad("warning")),
            InvalidArgumentError,
            "^previous: expected OverdueState or NoneType, got str 'warning'",
        ),
        Case(
            "overdue-state-unpaid-str",
            'overdue_state("", at, ladder)',
            lambda: overdue_state(bad(""), NOV_10, LADDER),
            InvalidArgumentError,
            "^unpaid: expected a sequence of UnpaidInvoice values, got str ''",
        ),
        Case(
            "days-between-both-ends-str",
            'days_between(start, end, both_ends="yes")',
            lambda: days_between(NOV_1, DEC_1, both_ends=bad("yes")),
            InvalidArgumentError,
            "^both_ends: expected bool, got str 'yes'",
        ),
        Case(
            "changes-blocked-not-a-subscription",
            'changes_blocked("sub_1", SEED_POLICY)',
            lambda: changes_blocked(bad("sub_1"), INPUTS.policy),
            InvalidArgumentError,
            "^subscription: expected Subscription, got str 'sub_1'",
        ),
        Case(
            "notice-fact-bool",
            'Notice(..., facts=(("count", True),), ...)',
            lambda: Notice(**notice, facts=(("count", True),), occasion="o"),
            InvalidArgumentError,
            "^facts: expected \\(name, value\\) pairs with a str, Money, datetime or int value",
        ),
        Case(
            "notice-category-str",
            'Notice(..., category="billing")',
            lambda: Notice(**notice, facts=(), occasion="o", category=bad("billing")),
            InvalidArgumentError,
            "^category: expected Category, got str 'billing'",
        ),
        Case(
            "step-command-str",
            'Step(at, "cancel")',
            lambda: Step(NOV_10, bad("cancel")),
            InvalidArgumentError,
            "^command: expected ChangePlan or ChangeQuantity or Cancel or .* got str 'cancel'",
        ),
        Case(
            "change-plan-command-interval-str",
            'ChangePlan("advanced", "monthly")',
            lambda: ChangePlan("advanced", bad("monthly")),
            InvalidArgumentError,
            "^interval: expected Interval or NoneType, got str 'monthly'",
        ),
        Case(
            "set-usage-dict",
            'SetUsage({"properties": 1})',
            lambda: SetUsage(bad({"properties": 1})),
            InvalidArgumentError,
            lit("usage: expected Usage, got dict {'properties': 1}"),
        ),
        Case(
            "simulate-script-none",
            "simulate(sub, None, until)",
            lambda: simulate(sub, bad(None), DEC_1, catalog=catalog, policy=SEED_POLICY),
            InvalidArgumentError,
            "^script: expected a list or tuple of Step values, got NoneType None",
        ),
        Case(
            "simulate-outcomes-none",
            "simulate(sub, [], until, outcomes=None)",
            lambda: run(outcomes=bad(None)),
            InvalidArgumentError,
            "^outcomes: expected a list or tuple of payment outcomes",
        ),
        Case(
            "simulate-outcomes-by-invoice-list",
            "simulate(sub, [], until, outcomes_by_invoice=[Succeeded()])",
            lambda: run(outcomes_by_invoice=bad([Succeeded()])),
            InvalidArgumentError,
            "^outcomes_by_invoice: expected a mapping of invoice ids to payment outcomes",
        ),
        Case(
            "overage-of-float-price",
            'Overage.of("billable_sessions", 0.5, "USD")',
            lambda: Overage.of("billable_sessions", bad(0.5), "USD"),
            FloatAmountError,
            "^price: floats are refused for money, got 0.5",
        ),
        Case(
            "start-customer-id-int",
            "start_subscription('s', 5, ...)",
            lambda: start_subscription(
                "s", bad(5), "personal", MONTHLY, NOV_1, catalog=catalog, policy=SEED_POLICY
            ),
            InvalidArgumentError,
            "^customer_id: must be a non-empty str of at most 200 characters, got 5",
        ),
        Case(
            "start-plan-id-int",
            "start_subscription('s', 'c', 5, ...)",
            lambda: start_subscription(
                "s", "c", bad(5), MONTHLY, NOV_1, catalog=catalog, policy=SEED_POLICY
            ),
            InvalidArgumentError,
            "^plan_id: expected str, got int 5",
        ),
        Case(
            "format-date-str",
            'format_date("2026-11-10")',
            lambda: format_date(bad("2026-11-10")),
            InvalidArgumentError,
            "^at: expected date, got str '2026-11-10'",
        ),
        Case(
            "interval-parse-gigantic-int",
            "Interval.parse(10**5000)",
            lambda: Interval.parse(bad(10**5000)),
            InvalidIntervalError,
            "^interval: cannot parse <an int of about 5,001 digits>",
        ),
        Case(
            "preset-none",
            "preset(None)",
            lambda: preset(bad(None)),
            InvalidPolicyError,
            "^policy: unknown preset None; known presets:",
        ),
        Case(
            "category-name-non-ascii",
            'Category("n\u00e9ws")',
            lambda: Category("n\u00e9ws"),
            InvalidArgumentError,
            "^name: expected a non-empty ASCII name, got str 'n\u00e9ws'",
        ),
        Case(
            "retry-schedule-empty-name",
            'RetrySchedule("", (1 day,))',
            lambda: RetrySchedule("", (timedelta(days=1),)),
            InvalidPolicyError,
            "^name: must be a non-empty ASCII name, got str ''",
        ),
        Case(
            "money-format-sign",
            'f"{money:+}"',
            lambda: format(usd("1"), "+"),
            InvalidArgumentError,
            "^format_spec: Money formats as text .* got '\\+'",
        ),
        Case(
            "currency-of-gigantic-int",
            "Currency.of(10**5000)",
            lambda: Currency.of(bad(10**5000)),
            UnknownCurrencyError,
            "^currency: unknown ISO 4217 currency code <an int of about 5,001 digits>",
        ),
    ]


def _coupon_cases() -> list[Case]:
    def start(coupon: Coupon | None = None) -> Decision | Refused:
        return start_subscription(
            "s", "c", "advanced", MONTHLY, utc(2026, 11, 1),
            catalog=default_catalog(), trial=False, policy=SEED_POLICY, coupon=coupon,
        )  # fmt: skip

    sub = decided(start()).subscription
    euros = Coupon("EURO10", amount_off=Money.of("10", "EUR"))

    def redeem(coupon: Coupon, times: object = 0) -> object:
        return redeem_coupon(
            sub,
            coupon,
            utc(2026, 11, 10),
            times_redeemed=times,  # type: ignore[arg-type]
            catalog=default_catalog(),
            policy=SEED_POLICY,
        )

    above = "must be a percentage above 0 and at most 100 with at most 2 decimal places"
    return [
        Case(
            "coupon-percent-over-100",
            'Coupon("X", percent_off="120")',
            lambda: Coupon("X", percent_off="120"),
            InvalidCouponError,
            rf"^percent_off: {above}, got '120'$",
        ),
        Case(
            "coupon-percent-negative",
            'Coupon("X", percent_off=-5)',
            lambda: Coupon("X", percent_off=-5),
            InvalidCouponError,
            rf"^percent_off: {above}, got -5$",
        ),
        Case(
            "coupon-percent-zero",
            'Coupon("X", percent_off=0)',
            lambda: Coupon("X", percent_off=0),
            InvalidCouponError,
            rf"^percent_off: {above}, got 0$",
        ),
        Case(
            "coupon-percent-float",
            'Coupon("X", percent_off=0.2)',
            lambda: Coupon("X", percent_off=0.2),
            InvalidCouponError,
            r"^percent_off: .*a float is not exact\), got float 0\.2$",
        ),
        Case(
            "coupon-percent-three-places",
            'Coupon("X", percent_off="12.345")',
            lambda: Coupon("X", percent_off="12.345"),
            InvalidCouponError,
            rf"^percent_off: {above}, got '12.345'$",
        ),
        Case(
            "coupon-both-off",
            'Coupon("X", percent_off=10, amount_off=USD 1.00)',
            lambda: Coupon("X", percent_off=10, amount_off=usd("1")),
            InvalidCouponError,
            r"^percent_off: a coupon takes exactly one of percent_off and amount_off",
        ),
        Case(
            "coupon-neither-off",
            'Coupon("X")',
            lambda: Coupon("X"),
            InvalidCouponError,
            r"^percent_off: a coupon takes exactly one of percent_off and amount_off, "
            r"got percent_off=None, amount_off=None$",
        ),
        Case(
            "coupon-amount-off-negative",
            'Coupon("X", amount_off=USD -1.00)',
            lambda: Coupon("X", amount_off=usd("-1")),
            InvalidCouponError,
            r"^amount_off: must be a positive Money, got Money.of\('-1.00', 'USD'\)$",
        ),
        Case(
            "coupon-repeating-without-periods",
            'Coupon("X", percent_off=10, duration=REPEATING)',
            lambda: Coupon("X", percent_off=10, duration=CouponDuration.REPEATING),
            InvalidCouponError,
            r"^periods: a repeating coupon needs its number of periods \(an int from 1\), "
            r"got None$",
        ),
        Case(
            "coupon-once-with-periods",
            'Coupon("X", percent_off=10, periods=3)',
            lambda: Coupon("X", percent_off=10, periods=3),
            InvalidCouponError,
            r"^periods: only a repeating coupon counts periods \(once does not\), got 3$",
        ),
        Case(
            "coupon-zero-periods",
            'Coupon("X", percent_off=10, duration=REPEATING, periods=0)',
            lambda: Coupon("X", percent_off=10, duration=CouponDuration.REPEATING, periods=0),
            InvalidCouponError,
            r"^periods: must be an int from 1, got 0$",
        ),
        Case(
            "coupon-no-plans",
            'Coupon("X", percent_off=10, plans=())',
            lambda: Coupon("X", percent_off=10, plans=()),
            InvalidCouponError,
            r"^plans: must be None \(every plan\) or a non-empty tuple of plan ids, got \(\)$",
        ),
        Case(
            "coupon-currency-mismatch",
            "redeem_coupon(USD subscription, Coupon(amount_off=EUR 10.00))",
            lambda: redeem(euros),
            InvalidCouponError,
            r"^coupon: takes EUR 10.00 off, but the subscription is billed in USD$",
        ),
        Case(
            "coupon-times-redeemed-negative",
            "redeem_coupon(..., times_redeemed=-1)",
            lambda: redeem(Coupon("X", percent_off=10), -1),
            InvalidArgumentError,
            r"^times_redeemed: .*-1",
        ),
        Case(
            "coupon-start-currency-mismatch",
            "start_subscription(..., coupon=Coupon(amount_off=EUR 10.00))",
            lambda: start(euros),
            InvalidCouponError,
            r"^coupon: takes EUR 10.00 off, but the subscription is billed in USD$",
        ),
    ]


def _prepaid_credit_cases() -> list[Case]:
    """Top-ups, grants and legal invoice numbers."""
    from subscription_rules import InvoiceSequence, grant_credit, number_documents, top_up  # noqa: PLC0415
    from subscription_rules.errors import InvalidSequenceError  # noqa: PLC0415

    sub = INPUTS.subscription
    numbered = number_documents(
        start_subscription(
            "s",
            "c",
            "personal",
            MONTHLY,
            NOV_1,
            catalog=default_catalog(),
            trial=False,
            policy=SEED_POLICY,
        ),
        InvoiceSequence("ACME-", 10),
    )[0]
    return [
        Case(
            "top-up-negative",
            "top_up(sub, Money.of('-10', 'USD'), ...)",
            lambda: top_up(sub, Money.of("-10", "USD"), NOV_10, policy=SEED_POLICY),
            InvalidAmountError,
            "^amount: a top-up must be above zero, got USD -10.00",
        ),
        Case(
            "top-up-other-currency",
            "top_up(USD sub, Money.of('10', 'EUR'), ...)",
            lambda: top_up(sub, Money.of("10", "EUR"), NOV_10, policy=SEED_POLICY),
            CurrencyMismatchError,
            "^amount: expected currency 'USD', got 'EUR'",
        ),
        Case(
            "grant-zero",
            "grant_credit(sub, Money.of('0', 'USD'), ...)",
            lambda: grant_credit(sub, Money.of("0", "USD"), NOV_10, reason="x", policy=SEED_POLICY),
            InvalidAmountError,
            "^amount: a grant must be above zero, got USD 0.00",
        ),
        Case(
            "grant-expiry-before-grant",
            "grant_credit(..., at=10 Nov, expires_at=1 Nov)",
            lambda: grant_credit(
                sub, Money.of("5", "USD"), NOV_10, reason="x", expires_at=NOV_1, policy=SEED_POLICY
            ),
            InvalidPeriodError,
            "^expires_at: a grant expires after it is made",
        ),
        Case(
            "sequence-backwards",
            "number_documents(decision numbered ACME-0010, InvoiceSequence('ACME-', 9))",
            lambda: number_documents(numbered, InvoiceSequence("ACME-", 9)),
            InvalidSequenceError,
            "^next_number: must follow 10, the number s-INV-0001 already has",
        ),
        Case(
            "sequence-zero",
            "InvoiceSequence('ACME-', 0)",
            lambda: InvoiceSequence("ACME-", 0),
            InvalidSequenceError,
            "^next_number: must be an int of at least 1, got 0",
        ),
    ]


def _tax_cases() -> list[Case]:
    vat = TaxRate("VAT 20 %", "FR", "20")
    rates = TableTaxRates({"FR": ((utc(2014, 1, 1), vat),)})
    return [
        Case(
            "tax-rate-over-100",
            'TaxRate("VAT", "FR", "120")',
            lambda: TaxRate("VAT", "FR", "120"),
            InvalidTaxRateError,
            "^percent: must be a percentage from 0 to 100 with at most 4 decimal places, got '120'",
        ),
        Case(
            "tax-rate-negative",
            'TaxRate("VAT", "FR", "-5")',
            lambda: TaxRate("VAT", "FR", "-5"),
            InvalidTaxRateError,
            "^percent: must be a percentage from 0 to 100 with at most 4 decimal places, got '-5'",
        ),
        Case(
            "tax-rate-float",
            'TaxRate("VAT", "FR", 20.0)',
            lambda: TaxRate("VAT", "FR", bad(20.0)),
            InvalidTaxRateError,
            "^percent: must be a str, int or Decimal percentage from 0 to 100, got float 20.0",
        ),
        Case(
            "tax-rate-too-precise",
            'TaxRate("Sales tax", "US-NY", "8.87501")',
            lambda: TaxRate("Sales tax", "US-NY", "8.87501"),
            InvalidTaxRateError,
            "^percent: .* at most 4 decimal places, got '8.87501'",
        ),
        Case(
            "tax-rate-jurisdiction",
            'TaxRate("VAT", "France", "20")',
            lambda: TaxRate("VAT", "France", "20"),
            InvalidTaxRateError,
            "^jurisdiction: must be a country code, optionally with a subdivision",
        ),
        Case(
            "tax-reverse-charge-without-tax-id",
            "CustomerTax(vat, reverse_charge=True)",
            lambda: CustomerTax(vat, reverse_charge=True),
            InvalidTaxRateError,
            "^tax_id: a reverse charge needs the customer's tax id, got None",
        ),
        Case(
            "tax-unknown-jurisdiction",
            'customer_tax(rates knowing FR, "XX", at)',
            lambda: customer_tax(rates, "XX", utc(2026, 11, 1)),
            UnknownJurisdictionError,
            "^jurisdiction: no tax rate known for 'XX' at 2026-11-01T00:00:00\\+00:00",
        ),
        Case(
            "tax-rate-before-the-first",
            'customer_tax(rates knowing FR from 2014, "FR", 2013-01-01)',
            lambda: customer_tax(rates, "FR", utc(2013, 1, 1)),
            UnknownJurisdictionError,
            "^jurisdiction: no tax rate known for 'FR' at 2013-01-01",
        ),
    ]


def _billing_run_cases() -> list[Case]:
    """The billing run's arguments (issue 19): each refused naming the argument and the value."""
    from subscription_rules.billing_run import (  # noqa: PLC0415 - an edge, as a host imports it
        batches,
        bill_partition,
        partition_of,
        run_billing,
    )

    catalog = default_catalog()
    at = utc(2026, 12, 1)

    def run(**given: Any) -> object:
        arguments: dict[str, Any] = {"catalog": catalog, "policy": STRIPE_LIKE, **given}
        return list(run_billing([[]], at, **arguments))

    return [
        Case(
            "billing-run-max-in-flight-zero",
            "run_billing(..., max_in_flight=0)",
            lambda: run(max_in_flight=0),
            InvalidArgumentError,
            "^max_in_flight: must be a positive int, got 0",
        ),
        Case(
            "billing-run-total-negative",
            "run_billing(..., total=-1)",
            lambda: run(total=-1),
            InvalidArgumentError,
            "^total: must be a non-negative int or None, got -1",
        ),
        Case(
            "billing-run-progress-not-callable",
            'run_billing(..., progress="log")',
            lambda: run(progress="log"),
            InvalidArgumentError,
            "^progress: expected a callable or None, got 'log'",
        ),
        Case(
            "billing-run-sink-not-callable",
            'run_billing(..., sink="store")',
            lambda: run(sink="store"),
            InvalidArgumentError,
            "^sink: expected a callable or None, got 'store'",
        ),
        Case(
            "billing-run-partition-not-documents",
            'run_billing(["abc"], ...)',
            lambda: list(run_billing([bad("abc")], at, catalog=catalog, policy=STRIPE_LIKE)),
            InvalidArgumentError,
            r"^partitions\[0\]: expected a sequence of subscription documents, got str .abc.",
        ),
        Case(
            "billing-run-document-not-a-mapping",
            "bill_partition([42], ...)",
            lambda: bill_partition([bad(42)], at, catalog=catalog, policy=STRIPE_LIKE),
            InvalidArgumentError,
            r"^documents\[0\]: expected a subscription document \(a mapping\), got int 42",
        ),
        Case(
            "billing-run-partitions-zero",
            'partition_of("sub_1", 0)',
            lambda: partition_of("sub_1", 0),
            InvalidArgumentError,
            "^partitions: must be a positive int, got 0",
        ),
        Case(
            "billing-run-batch-size-zero",
            "batches(documents, 0)",
            lambda: list(batches([], 0)),
            InvalidArgumentError,
            "^size: must be a positive int, got 0",
        ),
    ]


CASES: list[Case] = [
    *_prepaid_credit_cases(),
    *_money_cases(),
    *_period_cases(),
    *_catalog_cases(),
    *_usage_cases(),
    *_policy_cases(),
    *_lifecycle_cases(),
    *_toml_shape_cases(),
    *_coercion_cases(),
    *_internal_name_cases(),
    *_wrong_shape_cases(),
    *_coupon_cases(),
    *_tax_cases(),
    *_billing_run_cases(),
]


def test_docs_list_every_case() -> None:
    docs = Path(__file__).parent.parent / "docs" / "errors.md"
    table = docs.read_text(encoding="utf-8").split("## Bad input, case by case", 1)[1]
    for case_id in [case.id for case in CASES] + [case.id for case in CLI_CASES]:
        assert f"| {case_id} |" in table, case_id
    for case in CASES:
        assert re.search(rf"\| {re.escape(case.id)} \|.*\| `{case.error.__name__}` \|", table), (
            case.id
        )


def _run(case: Case) -> BaseException:
    """Perform the bad call and return what it raised (failing if it raised nothing)."""
    try:
        case.call()
    except Exception as err:  # noqa: BLE001 - the point is to look at whatever comes out
        return err
    pytest.fail(f"{case.id}: no error raised")


def test_the_table_is_long_and_its_ids_are_unique() -> None:
    assert len(CASES) >= 220
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_raises_its_own_error_naming_the_argument_and_value(case: Case) -> None:
    with pytest.raises(case.error) as info:
        case.call()
    err = info.value
    assert type(err) is case.error  # the specific class, not a subclass or a parent
    assert isinstance(err, SubscriptionRulesError)
    message = str(err)
    assert re.search(case.message, message), message
    if err.argument is not None:
        assert message.startswith(f"{err.argument}: ")
    assert "\n" not in message
    assert build_inputs() == INPUTS  # the inputs are untouched


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_no_case_leaks_a_bare_exception(case: Case) -> None:
    err = _run(case)
    # Not a bare KeyError, ZeroDivisionError, AttributeError, TypeError or ValueError
    # from inside the library: only the library's own classes.
    assert type(err).__module__ == "subscription_rules.errors", repr(err)


# --------------------------------------------------------------------------- the command line

PREFIX = f"{PROG}: error: "
ACCOUNT = ["--plan", "advanced", "--since", "2027-01-01", "--at", "2027-01-16"]


@dataclass(frozen=True)
class CliCase:
    """One bad command line and a regex its single error line matches."""

    id: str
    argv: tuple[str, ...]
    message: str


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("cli-bad-input")
    contents = {
        "broken": 'currency = "USD"\n[[plans]\n',
        "deep": "a = " + "[" * 5000 + "]" * 5000,
        "big": "#" * (MAX_CATALOG_BYTES + 1),
        "many": plans_toml(MAX_PLANS + 1),
        "nan": PLAN_HEAD + "prices = { monthly = nan }",
        "dotted": DOTTED_KEY,
        "header": LONG_HEADER,
    }
    paths = {}
    for name, text in contents.items():
        path = folder / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        paths[name] = str(path)
    os.mkfifo(folder / "pipe.toml")
    paths["pipe"] = str(folder / "pipe.toml")
    paths["missing"] = str(folder / "missing.toml")
    return paths


CLI_CASES = [
    CliCase("unknown-subcommand", ("frobnicate",), "invalid choice: 'frobnicate'"),
    CliCase("no-subcommand", (), "the following arguments are required: COMMAND"),
    CliCase("unknown-option", ("plans", "--bogus"), "unrecognized arguments: --bogus"),
    CliCase(
        "missing-catalog-file",
        ("plans", "--catalog", "{missing}"),
        "path: cannot read catalog file '.*missing.toml': No such file",
    ),
    CliCase("broken-catalog", ("plans", "--catalog", "{broken}"), "invalid TOML: Expected ']]'"),
    CliCase(
        "deeply-nested-catalog",
        ("plans", "--catalog", "{deep}"),
        "invalid TOML: arrays or inline tables nested too deeply",
    ),
    CliCase(
        "oversized-catalog",
        ("demo", "--catalog", "{big}"),
        "path: catalog file '.*big.toml' is larger than 1,048,576 bytes",
    ),
    CliCase("too-many-plans", ("plans", "--catalog", "{many}"), "plans: 1,001 plans refused"),
    CliCase(
        "nan-price",
        ("plans", "--catalog", "{nan}"),
        "prices.monthly: floats are refused for money, got nan",
    ),
    CliCase(
        "unknown-plan",
        ("summary", "--plan", "gold", "--since", "2027-01-01", "--at", "2027-01-16"),
        "--plan: unknown plan 'gold'",
    ),
    CliCase(
        "unknown-target-plan", ("quote", *ACCOUNT, "--to", "gold"), "--to: unknown plan 'gold'"
    ),
    CliCase(
        "malformed-date",
        ("summary", "--plan", "advanced", "--since", "2027-13-01", "--at", "2027-01-16"),
        "--since: malformed date '2027-13-01'",
    ),
    CliCase(
        "at-before-since",
        ("summary", "--plan", "advanced", "--since", "2027-01-16", "--at", "2027-01-01"),
        "--at: 2027-01-01T00:00:00\\+00:00 is before --since",
    ),
    CliCase(
        "at-beyond-9999",
        ("summary", "--plan", "advanced", "--since", "9999-12-01", "--at", "9999-12-15"),
        "--since: 9999-12-01T00:00:00\\+00:00 lies too close to the limits of the calendar "
        "\\(years 1 to 9999\\): period 0 lies beyond year 9999",
    ),
    CliCase(
        "unknown-policy",
        ("summary", *ACCOUNT, "--policy", "paddle"),
        "--policy: unknown preset 'paddle'",
    ),
    CliCase(
        "usage-without-count",
        ("summary", *ACCOUNT, "--usage", "properties"),
        "--usage: expected METRIC=COUNT .* got 'properties'",
    ),
    CliCase(
        "usage-negative", ("summary", *ACCOUNT, "--usage", "properties=-3"), "got 'properties=-3'"
    ),
    CliCase(
        "usage-unknown-metric",
        ("summary", *ACCOUNT, "--usage", "seats=3"),
        "--usage: unknown metric 'seats'",
    ),
    CliCase(
        "unknown-interval",
        ("summary", *ACCOUNT, "--interval", "fortnightly"),
        "--interval: cannot parse 'fortnightly'",
    ),
    CliCase(
        "interval-5000-digit-count",
        ("summary", *ACCOUNT, "--interval", "9" * 5000 + " days"),
        "--interval: count in '9+ days' must be from 1 to 1200",
    ),
    CliCase(
        "target-interval-without-price",
        ("quote", *ACCOUNT, "--to", "pro", "--to-interval", "weekly"),
        "--to-interval: plan 'pro' has no weekly price",
    ),
    CliCase(
        "retry-beyond-9999",
        ("retries", "--failed-at", "9999-12-30"),
        "--failed-at: retry 1 after 9999-12-30 00:00:00\\+00:00 would fall beyond year 9999",
    ),
    CliCase(
        "retry-local-hour-24",
        ("retries", "--failed-at", "2026-11-01", "--local-hour", "24"),
        "--local-hour: expected a whole hour from 0 to 23, got '24'",
    ),
    CliCase(
        "missing-scenario-file",
        ("simulate", "{missing}"),
        "path: cannot read scenario file '.*missing.toml': No such file",
    ),
    CliCase(
        "deeply-nested-scenario",
        ("simulate", "{deep}"),
        "deep.toml: invalid TOML: arrays or inline tables nested too deeply",
    ),
    CliCase(
        "deep-dotted-key-catalog",
        ("plans", "--catalog", "{dotted}"),
        "dotted.toml: line 1: a dotted key of more than 16 parts refused",
    ),
    CliCase(
        "long-table-header-catalog",
        ("quote", *ACCOUNT, "--to", "pro", "--catalog", "{header}"),
        "header.toml: line 1: a dotted key of more than 16 parts refused",
    ),
    CliCase(
        "named-pipe-catalog",
        ("plans", "--catalog", "{pipe}"),
        "path: cannot read catalog file '.*pipe.toml': not a regular file \\(a named pipe\\)",
    ),
    CliCase(
        "deep-dotted-key-scenario",
        ("simulate", "{dotted}"),
        "dotted.toml: line 1: a dotted key of more than 16 parts refused",
    ),
    CliCase(
        "named-pipe-scenario",
        ("simulate", "{pipe}"),
        "path: cannot read scenario file '.*pipe.toml': not a regular file \\(a named pipe\\); refused",
    ),
    CliCase(
        "unknown-time-zone",
        ("summary", *ACCOUNT, "--time-zone", "Mars/Olympus"),
        "--time-zone: unknown IANA time zone 'Mars/Olympus'",
    ),
    CliCase(
        "currency-not-sold",
        ("summary", *ACCOUNT, "--currency", "JPY"),
        "--currency: plan 'advanced' has no price in JPY; it is sold in: USD, EUR",
    ),
    CliCase(
        "unknown-currency",
        ("summary", *ACCOUNT, "--currency", "EURO"),
        "--currency: unknown ISO 4217 currency code 'EURO'",
    ),
    CliCase(
        "quantity-not-a-number",
        ("summary", *ACCOUNT, "--quantity", "three"),
        "--quantity: expected a whole number of units, such as 5, got 'three'",
    ),
    CliCase(
        "quantity-zero",
        ("summary", *ACCOUNT, "--quantity", "0"),
        "--quantity: must be an int from 1 to 1,000,000,000,000,000, got int 0",
    ),
    CliCase(
        "quantity-huge",
        ("summary", *ACCOUNT, "--quantity", "9" * 5000),
        "--quantity: must be at most 1,000,000,000,000,000",
    ),
    CliCase(
        "quantity-on-a-flat-plan",
        ("quote", *ACCOUNT, "--to", "pro", "--to-quantity", "3"),
        "--to-quantity: plan 'pro' is priced flat, not per unit; must be 1, got 3",
    ),
]


def test_the_command_line_table_is_long_enough() -> None:
    assert len(CLI_CASES) >= 8
    assert len({case.id for case in CLI_CASES}) == len(CLI_CASES)


@pytest.mark.parametrize("case", CLI_CASES, ids=[case.id for case in CLI_CASES])
def test_bad_command_lines_exit_2_with_one_error_line(case: CliCase, files: dict[str, str]) -> None:
    argv = [arg.format(**files) if arg.startswith("{") else arg for arg in case.argv]
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "subscription_rules", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(PREFIX)
    assert "Traceback" not in done.stderr
    assert re.search(case.message, lines[0]), lines[0]
