"""Hypothesis strategies for every public value, registered so ``st.from_type`` finds them.

Needs the ``hypothesis`` extra (``pip install "subscription-rules[hypothesis]"``);
the core never imports this module.

Every value is made by the library's own constructors and commands: a
subscription is started with ``start_subscription`` and taken where it is
going by ``advance``, ``cancel``, ``suspend``, ``change_plan`` and the other
commands, at later and later instants. So every value passes its type's own
validation, and a subscription is one a host could really hold. Each strategy
shrinks toward the simplest value it has: USD, monthly, UTC, midnight on
1 January 2000, the seed policy, a subscription with no history.

Installed, the package registers these strategies through Hypothesis'
``hypothesis`` entry point, so ``st.from_type(Subscription)`` (and
``@given`` with a type annotation) works in a host's tests with no set-up:

>>> from hypothesis import given, settings
>>> from hypothesis import strategies as st
>>> from subscription_rules import Subscription
>>> @settings(max_examples=5)
... @given(st.from_type(Subscription))
... def test_a_balance_is_never_negative(sub: Subscription) -> None:
...     assert not sub.credit_balance.is_negative()
>>> test_a_balance_is_never_negative()
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Final, Literal, ParamSpec, TypeVar, cast

import attrs

from subscription_rules import (
    BILLABLE_SESSIONS,
    DAILY,
    DEFAULT_METRICS,
    INTEGRATIONS,
    KILL_BILL_LIKE,
    LAGO_LIKE,
    MONTHLY,
    PROPERTIES,
    QUARTERLY,
    SEED_POLICY,
    STRIPE_LIKE,
    WEEKLY,
    YEARLY,
    BillingCycle,
    BillingPeriod,
    BillingPolicy,
    BillingSummary,
    Catalog,
    Category,
    ChangeDay,
    ChangeQuote,
    ChargeInvoice,
    Comparison,
    CreditBasis,
    CreditDestination,
    CreditNote,
    Currency,
    DayCount,
    Decision,
    DowngradeTiming,
    EndAccess,
    Explanation,
    Feasible,
    Infeasible,
    Interval,
    IntervalUnit,
    Invoice,
    IssueCreditNote,
    Limits,
    Line,
    Metric,
    MetricKind,
    MetricUsage,
    MissingPaymentMethod,
    Money,
    Notice,
    OpenInvoice,
    Overage,
    PastDueAccess,
    PendingChange,
    Plan,
    Preferences,
    Price,
    ProrationBilling,
    ProrationUnit,
    RefundPayment,
    Refused,
    RequiredAction,
    RestoreAccess,
    RetriesExhausted,
    RoundingMode,
    SendNotice,
    Status,
    Stretch,
    Subscription,
    SuspendAccess,
    SuspendedTime,
    SuspensionReason,
    TrialCancellation,
    UpgradeTiming,
    Usage,
    UsageReport,
    advance,
    billing_summary,
    cancel,
    change_plan,
    check_downgrade,
    quote_change,
    record_payment,
    reinstate,
    start_subscription,
    suspend,
    undo_cancel,
    update_payment_method,
    usage_report,
)
from subscription_rules.dunning import (
    KILL_BILL_EXAMPLE,
    MAX_RETRIES,
    MAX_RETRY_WINDOW,
    SMART_RETRIES_LIKE,
    THREE_RETRIES,
    OverdueAction,
    OverdueLadder,
    OverdueState,
    RetrySchedule,
    Succeeded,
)
from subscription_rules.errors import (
    CatalogError,
    InvalidAmountError,
    InvalidArgumentError,
    InvalidInstantError,
    InvalidPolicyError,
)
from subscription_rules.money import MAX_MINOR, iso_currencies
from subscription_rules.notifications import BILLING, PRODUCT
from subscription_rules.periods import zone

# Hypothesis runs its entry points while `import hypothesis` executes, and that
# may be this very module's import of it (when a host imports this module before
# Hypothesis): the hook must exist before that import, and can register only
# once the module is complete, which its last lines see to.
_complete = False


def _hypothesis_setup_hook() -> None:
    """Register a strategy for every public value type, so ``st.from_type`` finds it.

    Hypothesis calls this through the ``hypothesis`` entry point when it is
    imported; importing this module calls it too. Enums need no registration.

    >>> from hypothesis import find
    >>> from hypothesis import strategies as st
    >>> from subscription_rules import Currency
    >>> _hypothesis_setup_hook()
    >>> find(st.from_type(Currency), lambda currency: True)
    Currency('USD', 2)
    """
    if _complete:
        _register()


from hypothesis import strategies as st  # noqa: E402 - after the hook, as said above

__all__ = [
    "catalogs",
    "currencies",
    "cycles",
    "decisions",
    "instants",
    "intervals",
    "limits",
    "metrics",
    "money",
    "overages",
    "periods",
    "plans",
    "policies",
    "prices",
    "subscriptions",
    "time_zones",
    "usages",
]

_T = TypeVar("_T")
_P = ParamSpec("_P")


def _memo(build: Callable[_P, _T]) -> Callable[_P, _T]:
    """Build each strategy once per arguments: a fresh one is validated again at every draw."""
    return cast("Callable[_P, _T]", functools.lru_cache(maxsize=256)(build))


#: Counts and limits stay below this, so overage stays far within Money's range.
_MAX_COUNT: Final = 10**9
_SMALL_COUNT: Final = 1000
#: Prices stay below this many minor units (ten billion dollars), so that sums of
#: many lines stay far within Money's range.
_MAX_PRICE: Final = 10**12
_MAX_OVERAGE_PRICE: Final = 10**8
_MAX_OVERAGE_PER: Final = 10**6
_MAX_RANK: Final = 1000
_MAX_TRIAL_DAYS: Final = 730
_MAX_FIXED_DAYS: Final = 366
_MAX_REMINDER_DAYS: Final = 60
_MICROSECOND: Final = timedelta(microseconds=1)
# Histories are not advanced past this, so that a cycle of 1,200 years still
# has its next periods before year 9999.
_HORIZON: Final = datetime(2200, 1, 1, tzinfo=UTC)

_FIRST_CODES: Final = ("USD", "EUR", "GBP", "JPY", "KWD", "CLF")
_CURRENCIES: Final = (
    *(Currency.of(code) for code in _FIRST_CODES),
    *(currency for currency in iso_currencies() if currency.code not in _FIRST_CODES),
)
_COMMON_INTERVALS: Final = (MONTHLY, YEARLY, QUARTERLY, WEEKLY, DAILY)
_UNITS: Final = (IntervalUnit.MONTH, IntervalUnit.YEAR, IntervalUnit.WEEK, IntervalUnit.DAY)
_MAX_INTERVAL_COUNT: Final = 1200
# UTC first; then daylight saving north and south, half-hour, 45-minute and
# half-hour-DST offsets (Lord Howe moves by 30 minutes), and the far east.
_TIME_ZONES: Final = (
    "UTC",
    "America/New_York",
    "Europe/Paris",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/St_Johns",
    "Asia/Kathmandu",
    "America/Sao_Paulo",
    "Pacific/Kiritimati",
)
_PRESETS: Final = (SEED_POLICY, STRIPE_LIKE, KILL_BILL_LIKE, LAGO_LIKE)
_PLAN_IDS: Final = ("basic", "plus", "pro", "team", "enterprise")
_PLAN_NAMES: Final = ("Basic", "Plus", "Pro", "Team", "Enterprise")
_LIVE: Final = frozenset({Status.TRIALING, Status.ACTIVE, Status.PAST_DUE})
# Plans in a catalog drawn for a subscription: enough to move up, down and sideways.
_LIFE_PLANS: Final = 3


# --------------------------------------------------------------------------- money and time


@_memo
def currencies() -> st.SearchStrategy[Currency]:
    """Currencies of the built-in ISO 4217 table, shrinking toward USD.

    USD comes first, then EUR and GBP, then one currency of each other
    minor-unit exponent (JPY with none, KWD with three, CLF with four), then
    the rest of the table by code.

    >>> from hypothesis import find
    >>> find(currencies(), lambda currency: True)
    Currency('USD', 2)
    """
    return st.sampled_from(_CURRENCIES)


def _check_range(low: int, high: int, names: tuple[str, str], bounds: tuple[int, int]) -> None:
    for name, value in zip(names, (low, high), strict=True):
        if type(value) is not int or not bounds[0] <= value <= bounds[1]:
            raise InvalidAmountError(
                f"must be an int from {bounds[0]} to {bounds[1]}, got {value!r}",
                argument=name,
                value=value,
            )
    if low > high:
        raise InvalidAmountError(
            f"must not exceed {names[1]}={high}, got {low}", argument=names[0], value=low
        )


def money(
    currency: str | Currency | None = None,
    *,
    min_minor: int = -MAX_MINOR,
    max_minor: int = MAX_MINOR,
) -> st.SearchStrategy[Money]:
    """Amounts of ``min_minor`` to ``max_minor`` minor units, shrinking toward zero USD.

    Args:
        currency: The currency of every amount, as a code or a :class:`Currency`;
            drawn from :func:`currencies` when omitted.
        min_minor: The smallest amount in minor units; by default the most
            negative amount a :class:`Money` holds.
        max_minor: The largest amount in minor units; by default the largest
            amount a :class:`Money` holds.

    Returns:
        A strategy for :class:`Money`.

    Raises:
        UnknownCurrencyError: For a code the ISO table lacks.
        InvalidAmountError: For bounds beyond Money's range, or crossed.

    >>> from hypothesis import find
    >>> find(money(), lambda amount: True)
    Money.of('0.00', 'USD')
    >>> find(money("KWD", min_minor=1), lambda amount: True)
    Money.of('0.001', 'KWD')
    >>> money(min_minor=5, max_minor=1)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidAmountError: min_minor: must not exceed max_minor=1, got 5
    """
    _check_range(min_minor, max_minor, ("min_minor", "max_minor"), (-MAX_MINOR, MAX_MINOR))
    return _money(None if currency is None else Currency.of(currency), min_minor, max_minor)


@_memo
def _money(currency: Currency | None, low: int, high: int) -> st.SearchStrategy[Money]:
    currency_strategy = currencies() if currency is None else st.just(currency)
    return st.builds(Money, st.integers(low, high), currency_strategy)


@_memo
def intervals() -> st.SearchStrategy[Interval]:
    """Billing intervals: the common ones first, then any count of days, weeks, months or years.

    Shrinks toward monthly; then yearly, quarterly, weekly and daily; then
    intervals such as every 2 weeks or every 1,200 years.

    >>> from hypothesis import find
    >>> str(find(intervals(), lambda interval: True))
    'monthly'
    """
    return st.one_of(
        st.sampled_from(_COMMON_INTERVALS),
        st.builds(Interval, st.sampled_from(_UNITS), st.integers(1, _MAX_INTERVAL_COUNT)),
    )


@_memo
def time_zones() -> st.SearchStrategy[str]:
    """IANA time zone names worth testing billing in, shrinking toward ``"UTC"``.

    UTC, New York and Paris (daylight saving in opposite seasons from Lord
    Howe, which moves by half an hour), Kolkata (+05:30), Chatham (+12:45,
    with daylight saving), St John's (-03:30), Kathmandu (+05:45), São Paulo
    (which dropped daylight saving in 2019) and Kiritimati (+14:00).

    >>> from hypothesis import find
    >>> find(time_zones(), lambda name: True)
    'UTC'
    """
    return st.sampled_from(_TIME_ZONES)


@_memo
def instants(
    min_year: int = 2000, max_year: int = 2100, time_zone: str | None = None
) -> st.SearchStrategy[datetime]:
    """Aware datetimes from ``min_year`` to ``max_year``, shrinking toward 1 January 2000, UTC.

    Args:
        min_year: The first year.
        max_year: The last year.
        time_zone: The IANA zone of every instant; drawn from
            :func:`time_zones` when omitted. Wall-clock times that a daylight
            saving change skips or repeats are included.

    Returns:
        A strategy for aware :class:`~datetime.datetime` values.

    Raises:
        InvalidInstantError: For years outside 1 to 9999, or crossed.
        InvalidTimeZoneError: For an unknown zone.

    >>> from hypothesis import find
    >>> find(instants(), lambda at: True).isoformat()
    '2000-01-01T00:00:00+00:00'
    >>> find(instants(2030, 2030, "Asia/Kolkata"), lambda at: True).isoformat()
    '2030-01-01T00:00:00+05:30'
    """
    for name, year in (("min_year", min_year), ("max_year", max_year)):
        if type(year) is not int or not 1 <= year <= 9999:
            raise InvalidInstantError(
                f"must be an int from 1 to 9999, got {year!r}", argument=name, value=year
            )
    if min_year > max_year:
        raise InvalidInstantError(
            f"must not exceed max_year={max_year}, got {min_year}",
            argument="min_year",
            value=min_year,
        )
    zones = time_zones().map(zone) if time_zone is None else st.just(zone(time_zone))
    return st.datetimes(
        min_value=datetime(min_year, 1, 1),  # noqa: DTZ001 - Hypothesis takes naive bounds
        max_value=datetime(max_year, 12, 31, 23, 59, 59, 999_999),  # noqa: DTZ001
        timezones=zones,
    )


@_memo
def cycles(
    interval: Interval | None = None, time_zone: str | None = None
) -> st.SearchStrategy[BillingCycle]:
    """Billing cycles anchored from 2000 to 2100, shrinking toward monthly from 1 January 2000, UTC.

    Args:
        interval: The interval of every cycle; drawn from :func:`intervals` when omitted.
        time_zone: The cycle's zone; drawn from :func:`time_zones` when omitted.

    Returns:
        A strategy for :class:`BillingCycle`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(cycles(QUARTERLY, "Asia/Kolkata"))
    ... def test_periods_tile_time(cycle: BillingCycle) -> None:
    ...     assert cycle.period(0).end == cycle.period(1).start
    ...     assert cycle.time_zone == "Asia/Kolkata"
    >>> test_periods_tile_time()
    """
    return st.builds(
        BillingCycle,
        anchor=instants(),
        interval=intervals() if interval is None else st.just(interval),
        time_zone=time_zones() if time_zone is None else st.just(zone(time_zone).key),
    )


def _last_index(cycle: BillingCycle, most: int) -> int:
    """The largest period index up to ``most`` whose period ends well before year 9999."""
    years = 9998 - cycle.anchor.astimezone(UTC).year
    months = cycle.interval.months
    days = cycle.interval.days or 1
    fit = years * 12 // months if months is not None else years * 365 // days
    return max(0, min(most, fit - 2))


@st.composite
def _periods(draw: st.DrawFn, cycle: st.SearchStrategy[BillingCycle]) -> BillingPeriod:
    drawn = draw(cycle)
    return drawn.period(draw(st.integers(0, _last_index(drawn, 24))))


def periods(cycle: BillingCycle | None = None) -> st.SearchStrategy[BillingPeriod]:
    """Billing periods: one of the first 25 of a cycle, shrinking toward its first.

    Args:
        cycle: The cycle the periods belong to; drawn from :func:`cycles` when omitted.

    Returns:
        A strategy for :class:`BillingPeriod`.

    >>> from datetime import datetime
    >>> from hypothesis import find
    >>> cycle = BillingCycle(datetime(2027, 1, 31, tzinfo=UTC), MONTHLY)
    >>> print(find(periods(cycle), lambda period: period.index == 1))
    2027-02-28 → 2027-03-31
    """
    return _periods(cycles() if cycle is None else st.just(cycle))


# --------------------------------------------------------------------------- the catalog


@_memo
def _identifiers() -> st.SearchStrategy[str]:
    """A name a host gives (a category, an overdue state): ASCII by rule, like every identifier."""
    return st.from_regex(r"[a-z][a-z0-9_-]{0,23}", fullmatch=True)


@_memo
def _words() -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=24).filter(str.strip)


@_memo
def metrics() -> st.SearchStrategy[Metric]:
    """Metrics: the default three first (properties, integrations, billable sessions), then any.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(metrics())
    ... def test_a_metric_counts_in_words(metric: Metric) -> None:
    ...     assert metric.describe(2).startswith("2 ")
    >>> test_a_metric_counts_in_words()
    """
    return st.one_of(
        st.sampled_from(DEFAULT_METRICS),
        st.builds(
            Metric,
            name=st.from_regex(r"[a-z][a-z0-9_]{0,63}", fullmatch=True),
            kind=st.sampled_from(MetricKind),
            singular=_words(),
            plural=_words(),
            verb=_words(),
        ),
    )


@_memo
def _metric_sets() -> st.SearchStrategy[tuple[Metric, ...]]:
    return st.one_of(
        st.just(DEFAULT_METRICS),
        st.lists(metrics(), max_size=4, unique_by=lambda metric: metric.name).map(tuple),
    )


def limits(metric_list: Iterable[Metric] = DEFAULT_METRICS) -> st.SearchStrategy[Limits]:
    """Limits on some of ``metric_list``: each left out, unlimited or a count; shrinks to none.

    Args:
        metric_list: The metrics a limit may name (by default the three of the
            help page).

    Returns:
        A strategy for :class:`Limits`.

    >>> from hypothesis import find
    >>> find(limits(), lambda limits: True)
    Limits(pairs=())
    """
    return _limits(tuple(metric.name for metric in metric_list))


@_memo
def _limits(names: tuple[str, ...]) -> st.SearchStrategy[Limits]:
    optional = {name: st.none() | st.integers(0, _MAX_COUNT) for name in names}
    return st.fixed_dictionaries({}, optional=optional).map(Limits.of)


@_memo
def prices(
    currency: str | Currency | None = None, interval: Interval | None = None
) -> st.SearchStrategy[Price]:
    """Prices from zero up to ten billion major units, shrinking toward USD 0.00 monthly.

    Args:
        currency: The price's currency; drawn from :func:`currencies` when omitted.
        interval: The billing interval; drawn from :func:`intervals` when omitted.

    Returns:
        A strategy for :class:`Price`.

    >>> from hypothesis import find
    >>> str(find(prices(), lambda price: True))
    'USD 0.00 monthly'
    >>> str(find(prices("JPY", YEARLY), lambda price: price.amount.minor >= 1000))
    'JPY 1000 yearly'
    """
    return st.builds(
        Price,
        money(currency, min_minor=0, max_minor=_MAX_PRICE),
        intervals() if interval is None else st.just(interval),
    )


@_memo
def overages(
    currency: str | Currency | None = None, metric: str = BILLABLE_SESSIONS.name
) -> st.SearchStrategy[Overage]:
    """Overage prices for ``metric``, shrinking toward zero per unit.

    Args:
        currency: The price's currency; drawn from :func:`currencies` when omitted.
        metric: The name of the (per-period) metric the price applies to.

    Returns:
        A strategy for :class:`Overage`.

    Raises:
        CatalogError: For a malformed metric name.

    >>> from hypothesis import find
    >>> str(find(overages(), lambda overage: True))
    'USD 0.00 per 1 billable_sessions'
    """
    Overage(metric, Money(0, Currency.of("USD")))  # a malformed name fails here, not in a test
    return st.builds(
        Overage,
        st.just(metric),
        money(currency, min_minor=0, max_minor=_MAX_OVERAGE_PRICE),
        st.integers(1, _MAX_OVERAGE_PER),
    )


def _span(interval: Interval) -> tuple[int | None, int | None]:
    """Twelve months and a year are one interval to a plan's prices."""
    return (interval.months, interval.days)


@_memo
def _plan_ids() -> st.SearchStrategy[str]:
    return st.sampled_from(_PLAN_IDS) | st.from_regex(r"[a-z0-9][a-z0-9._-]{0,63}", fullmatch=True)


@_memo
def _plan_names() -> st.SearchStrategy[str]:
    return st.sampled_from(_PLAN_NAMES) | _words()


@_memo
def _ranks() -> st.SearchStrategy[int | None]:
    return st.none() | st.integers(0, _MAX_RANK)


@_memo
def _sold_at() -> st.SearchStrategy[list[Interval]]:
    return st.lists(intervals(), min_size=1, max_size=3, unique_by=_span)


@_memo
@st.composite
def _plans(
    draw: st.DrawFn,
    currency: Currency | None,
    metric_list: tuple[Metric, ...],
    *,
    ranked: bool,
) -> Plan:
    cur = draw(currencies()) if currency is None else currency
    sold_at = draw(_sold_at())
    amounts = _money(cur, 0, _MAX_PRICE)
    plan_limits = draw(limits(metric_list))
    overage = [
        draw(overages(cur, metric.name))
        for metric in metric_list
        if metric.kind is MetricKind.PER_PERIOD
        and plan_limits.get(metric.name) is not None
        and draw(st.booleans())
    ]
    return Plan(
        id=draw(_plan_ids()),
        name=draw(_plan_names()),
        prices=tuple(Price(draw(amounts), interval) for interval in sold_at),
        limits=plan_limits,
        trial_days=draw(st.integers(0, _MAX_TRIAL_DAYS)),
        rank=draw(_ranks()) if ranked else None,
        overage=tuple(overage),
    )


def plans(
    currency: str | Currency | None = None, *, metric_list: Iterable[Metric] = DEFAULT_METRICS
) -> st.SearchStrategy[Plan]:
    """Plans: one to three prices at distinct intervals, limits, overage, a trial and a rank.

    Shrinks toward a plan ``basic`` at USD 0.00 monthly, with no limits, no
    overage, no trial and no rank. Overage prices are drawn only for
    per-period metrics the plan limits, so every plan fits a catalog of
    ``metric_list``.

    Args:
        currency: The currency of every price; drawn from :func:`currencies` when omitted.
        metric_list: The metrics the limits and overage may name.

    Returns:
        A strategy for :class:`Plan`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(plans("EUR"))
    ... def test_a_plan_is_sold_in_one_currency(plan: Plan) -> None:
    ...     assert {price.amount.currency.code for price in plan.prices} == {"EUR"}
    >>> test_a_plan_is_sold_in_one_currency()
    """
    cur = None if currency is None else Currency.of(currency)
    return _plans(cur, tuple(metric_list), ranked=True)


def _plan_id(plan: Plan) -> str:
    return plan.id


@_memo
def _plan_lists(
    currency: Currency, metric_list: tuple[Metric, ...], size: tuple[int, int]
) -> st.SearchStrategy[list[Plan]]:
    return st.lists(
        _plans(currency, metric_list, ranked=False),
        min_size=size[0],
        max_size=size[1],
        unique_by=_plan_id,
    )


@_memo
@st.composite
def _catalogs(
    draw: st.DrawFn,
    currency: Currency | None,
    metric_list: tuple[Metric, ...] | None,
    size: tuple[int, int],
) -> Catalog:
    cur = draw(currencies()) if currency is None else currency
    metric_list = draw(_metric_sets()) if metric_list is None else metric_list
    listed = draw(_plan_lists(cur, metric_list, size))
    if draw(st.booleans()):
        ranks = draw(
            st.lists(
                st.integers(0, _MAX_RANK), min_size=len(listed), max_size=len(listed), unique=True
            )
        )
        listed = [attrs.evolve(plan, rank=rank) for plan, rank in zip(listed, ranks, strict=True)]
    return Catalog(tuple(listed), metric_list)


def catalogs(
    currency: str | Currency | None = None,
    *,
    min_plans: int = 1,
    max_plans: int = 5,
    metric_list: Iterable[Metric] | None = None,
) -> st.SearchStrategy[Catalog]:
    """Catalogs of ``min_plans`` to ``max_plans`` plans in one currency, with unique ids.

    Ranks are on every plan or on none, and unique; overage prices only for
    per-period metrics with a finite limit. Shrinks toward one plan ``basic``
    at USD 0.00 monthly, with the default metrics and no ranks.

    Args:
        currency: The catalog's currency; drawn from :func:`currencies` when omitted.
        min_plans: The fewest plans, at least 1.
        max_plans: The most plans.
        metric_list: The catalog's metrics; when omitted, the default three or
            up to four drawn from :func:`metrics`.

    Returns:
        A strategy for :class:`Catalog`.

    Raises:
        InvalidArgumentError: For plan counts below 1 or crossed.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(catalogs("GBP", max_plans=3))
    ... def test_plan_ids_are_unique(catalog: Catalog) -> None:
    ...     assert len(set(catalog.ids)) == len(catalog) <= 3
    ...     assert {plan.currency.code for plan in catalog} == {"GBP"}
    >>> test_plan_ids_are_unique()
    """
    for name, count in (("min_plans", min_plans), ("max_plans", max_plans)):
        if type(count) is not int or count < 1:
            raise InvalidArgumentError(
                f"must be an int of at least 1, got {count!r}", argument=name, value=count
            )
    if min_plans > max_plans:
        raise InvalidArgumentError(
            f"must not exceed max_plans={max_plans}, got {min_plans}",
            argument="min_plans",
            value=min_plans,
        )
    cur = None if currency is None else Currency.of(currency)
    chosen = None if metric_list is None else tuple(metric_list)
    return _catalogs(cur, chosen, (min_plans, max_plans))


def usages(catalog: Catalog | None = None) -> st.SearchStrategy[Usage]:
    """Usage counts for some of a catalog's metrics, shrinking toward no usage at all.

    Args:
        catalog: The catalog whose metrics are counted; the default metrics
            when omitted.

    Returns:
        A strategy for :class:`Usage`.

    >>> from hypothesis import find
    >>> find(usages(), lambda usage: True)
    Usage(counts=())
    """
    metric_list = DEFAULT_METRICS if catalog is None else catalog.metrics
    return _usages(tuple(metric.name for metric in metric_list))


@_memo
def _usages(names: tuple[str, ...]) -> st.SearchStrategy[Usage]:
    optional = {name: st.integers(0, _MAX_COUNT) for name in names}
    return st.fixed_dictionaries({}, optional=optional).map(Usage.of)


@_memo
def _maybe_usages(catalog: Catalog) -> st.SearchStrategy[Usage | None]:
    return st.none() | usages(catalog)


# --------------------------------------------------------------------------- policies


_E = TypeVar("_E", bound=enum.Enum)


def _enum(kind: type[_E]) -> st.SearchStrategy[_E]:
    # Each policy enum lists its default first, so every field shrinks toward the seed's rule.
    return st.sampled_from(kind)


_SCHEDULES: Final = (SMART_RETRIES_LIKE, THREE_RETRIES, KILL_BILL_EXAMPLE)


@st.composite
def _retry_schedules(draw: st.DrawFn) -> RetrySchedule:
    """Strictly increasing retries within the window, at any moment or at a local hour."""
    local_hour = draw(st.none() | st.integers(0, 23))
    # Retries aligned to a local hour are whole days apart; others any minutes apart.
    step = timedelta(days=1) if local_hour is not None else timedelta(minutes=1)
    most = MAX_RETRY_WINDOW // step
    gaps = draw(st.lists(st.integers(1, most), min_size=1, max_size=MAX_RETRIES))
    offsets: list[timedelta] = []
    total = 0
    for gap in gaps:
        if total + gap > most:
            break
        total += gap
        offsets.append(step * total)
    return RetrySchedule("custom", tuple(offsets), local_hour)


_LADDER_NAMES: Final = ("warning", "blocked", "suspended", "cancelled")


@st.composite
def _overdue_states(draw: st.DrawFn, name: str, currency: Currency | None) -> OverdueState:
    """A rung with at least one condition; a balance only in a known currency."""
    conditions = ("days", "invoices") if currency is None else ("days", "invoices", "balance")
    required = draw(st.sampled_from(conditions))
    days = st.integers(0, 60)
    invoices = st.integers(0, 12)
    balances = money(currency, min_minor=0, max_minor=_MAX_PRICE) if currency else st.nothing()
    return OverdueState(
        name,
        days=draw(days if required == "days" else st.none() | days),
        invoices=draw(invoices if required == "invoices" else st.none() | invoices),
        balance=draw(balances if required == "balance" else st.none() | balances),
        actions=draw(st.frozensets(st.sampled_from(OverdueAction))),
    )


@st.composite
def _overdue_ladders(draw: st.DrawFn, currency: Currency | None) -> OverdueLadder:
    names = draw(
        st.lists(
            st.sampled_from(_LADDER_NAMES) | _identifiers(),
            min_size=1,
            max_size=len(_LADDER_NAMES),
            unique=True,
        )
    )
    return OverdueLadder(tuple(draw(_overdue_states(name, currency)) for name in names))


def policies(*, catalog: Catalog | None = None) -> st.SearchStrategy[BillingPolicy]:
    """Policies: the four presets, then any combination of every field; shrinks to the seed's.

    Every field varies: the proration conventions, timings and destinations,
    the trial rules, reminders, the retry schedule (a preset's, or any valid
    one, at any moment or aligned to a local hour), what happens when retries
    run out, access while past due, and an optional overdue ladder.

    Args:
        catalog: A catalog the policy must work with: plans are compared by
            annualised price unless the catalog ranks them, a fixed denominator
            of days is drawn only if every price is monthly, and an overdue
            ladder's balance thresholds are in its currency. Without one, a
            ladder counts only days and invoices, which suit any currency.

    Returns:
        A strategy for :class:`BillingPolicy`.

    >>> from hypothesis import given, settings
    >>> from subscription_rules import default_catalog
    >>> @settings(max_examples=10)
    ... @given(policies(catalog=default_catalog()))
    ... def test_unranked_plans_compare_by_price(policy: BillingPolicy) -> None:
    ...     assert policy.classify_by is Comparison.ANNUALISED_PRICE
    >>> test_unranked_plans_compare_by_price()
    """
    if catalog is None:
        return _policies(ranked=True, currency=None, monthly=True)
    monthly = all(interval == MONTHLY for plan in catalog for interval in plan.intervals)
    return _policies(ranked=catalog.ranked, currency=catalog.currency, monthly=monthly)


@_memo
def _policies(
    *, ranked: bool, currency: Currency | None, monthly: bool
) -> st.SearchStrategy[BillingPolicy]:
    # A fixed denominator of days applies to monthly cycles only.
    fixed = st.none() | st.integers(1, _MAX_FIXED_DAYS) if monthly else st.none()
    by = _enum(Comparison) if ranked else st.just(Comparison.ANNUALISED_PRICE)
    reminders = st.lists(
        st.tuples(st.sampled_from(IntervalUnit), st.integers(1, _MAX_REMINDER_DAYS)),
        max_size=len(IntervalUnit),
        unique_by=lambda pair: pair[0],
    ).map(tuple)
    combined = st.builds(
        BillingPolicy,
        name=st.just("custom"),
        proration_unit=_enum(ProrationUnit),
        day_count=_enum(DayCount),
        change_day=_enum(ChangeDay),
        fixed_denominator_days=fixed,
        rounding=_enum(RoundingMode),
        credit_basis=_enum(CreditBasis),
        proration_billing=_enum(ProrationBilling),
        upgrade_timing=_enum(UpgradeTiming),
        downgrade_timing=_enum(DowngradeTiming),
        classify_by=by,
        credit_destination=_enum(CreditDestination),
        trial_cancellation=_enum(TrialCancellation),
        missing_payment_method=_enum(MissingPaymentMethod),
        trial_reminder_days=st.just(SEED_POLICY.trial_reminder_days)
        | st.integers(0, _MAX_REMINDER_DAYS),
        renewal_reminder_days=st.just(SEED_POLICY.renewal_reminder_days) | reminders,
        suspended_time=_enum(SuspendedTime),
        retry_schedule=st.sampled_from(_SCHEDULES) | _retry_schedules(),
        retries_exhausted=_enum(RetriesExhausted),
        past_due_access=_enum(PastDueAccess),
        overdue_ladder=st.none() | _overdue_ladders(currency),
    )
    return st.sampled_from(_PRESETS) | combined


# --------------------------------------------------------------------------- subscriptions

_Leg = Literal["convert", "invoice", "lapse", "suspend", "cancel"]
_NO_PAYMENT_METHOD_LEGS: Final = frozenset({"invoice", "lapse"})


@attrs.frozen
class _Route:
    """How to reach a status: start (with a trial or not), then legs, under some policy rules.

    Between legs the subscription wanders: random commands at later instants,
    each kept only if the status stays the same.
    """

    trial: bool
    legs: tuple[_Leg, ...] = ()
    missing_payment_method: MissingPaymentMethod | None = None
    trial_cancellation: TrialCancellation | None = None

    def allows(self, policy: BillingPolicy) -> bool:
        """Whether ``policy`` follows the rules this route depends on."""
        return self.missing_payment_method in {None, policy.missing_payment_method} and (
            self.trial_cancellation in {None, policy.trial_cancellation}
        )

    def fit(self, policy: BillingPolicy) -> BillingPolicy:
        """``policy`` with the rules this route depends on."""
        if self.missing_payment_method is not None:
            policy = attrs.evolve(policy, missing_payment_method=self.missing_payment_method)
        if self.trial_cancellation is not None:
            policy = attrs.evolve(policy, trial_cancellation=self.trial_cancellation)
        return policy


_INVOICE: Final = MissingPaymentMethod.INVOICE
_ROUTES: Final[dict[Status, tuple[_Route, ...]]] = {
    Status.ACTIVE: (_Route(trial=False), _Route(trial=True, legs=("convert",))),
    Status.TRIALING: (_Route(trial=True),),
    Status.PAST_DUE: (_Route(trial=True, legs=("invoice",), missing_payment_method=_INVOICE),),
    Status.SUSPENDED: (
        _Route(trial=False, legs=("suspend",)),
        _Route(trial=True, legs=("suspend",)),
        _Route(trial=True, legs=("convert", "suspend")),
        _Route(trial=True, legs=("invoice", "suspend"), missing_payment_method=_INVOICE),
        # A trial cancelled is suspended at once.
        _Route(trial=True, legs=("cancel",), trial_cancellation=TrialCancellation.SUSPEND_NOW),
        _Route(trial=True, legs=("lapse",), missing_payment_method=MissingPaymentMethod.SUSPEND),
    ),
    Status.ENDED: (
        _Route(trial=False, legs=("cancel",)),
        _Route(trial=False, legs=("suspend", "cancel")),
        _Route(trial=True, legs=("cancel",), trial_cancellation=TrialCancellation.KEEP_ACCESS),
        _Route(trial=True, legs=("convert", "cancel")),
        _Route(trial=True, legs=("invoice", "cancel"), missing_payment_method=_INVOICE),
        _Route(
            trial=True,
            legs=("cancel", "cancel"),
            trial_cancellation=TrialCancellation.SUSPEND_NOW,
        ),
        _Route(trial=True, legs=("lapse",), missing_payment_method=MissingPaymentMethod.CANCEL),
    ),
}
# Simplest first, so that a failing example shrinks toward a plainly active subscription.
_STATUS_ORDER: Final = (
    Status.ACTIVE,
    Status.TRIALING,
    Status.PAST_DUE,
    Status.SUSPENDED,
    Status.ENDED,
)


@attrs.frozen
class _Life:
    """A subscription, the catalog and policy it lives under, and the decision that made it."""

    catalog: Catalog
    policy: BillingPolicy
    decision: Decision

    @property
    def subscription(self) -> Subscription:
        return self.decision.subscription


def _routes(
    status: Status, catalog: Catalog | None, policy: BillingPolicy | None
) -> tuple[_Route, ...]:
    """The routes to ``status`` open under a given catalog and policy (``None``: drawn later)."""
    has_trial = catalog is None or any(plan.trial_days > 0 for plan in catalog)
    return tuple(
        route
        for route in _ROUTES[status]
        if (has_trial or not route.trial) and (policy is None or route.allows(policy))
    )


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def _live_end(sub: Subscription) -> datetime:
    """Where the current live stretch ends: the trial's end, or the current period's."""
    if sub.status is Status.TRIALING and sub.trial_end is not None:
        return sub.trial_end
    return sub.current_period.end


def _length(period: BillingPeriod) -> timedelta:
    return _utc(period.end) - _utc(period.start)


def _now(draw: st.DrawFn, sub: Subscription) -> datetime:
    """A moment for a command: from ``processed_until`` to just before the live stretch ends."""
    start = _utc(sub.processed_until)
    room = (_utc(_live_end(sub)) - start) // _MICROSECOND
    return start + _MICROSECOND * draw(st.integers(0, max(room - 1, 0)))


def _later(draw: st.DrawFn, sub: Subscription, periods_ahead: int) -> datetime:
    """A moment up to ``periods_ahead`` current-period lengths on (not past the horizon)."""
    start = _utc(sub.processed_until)
    if start >= _HORIZON:
        return start
    room = min(_length(sub.current_period) * periods_ahead, _HORIZON - start)
    return start + _MICROSECOND * draw(st.integers(0, room // _MICROSECOND))


def _past(draw: st.DrawFn, sub: Subscription) -> datetime:
    """A moment at or after the live stretch's end, within a period of it."""
    end = _utc(_live_end(sub))
    room = _length(sub.current_period) // _MICROSECOND
    return end + _MICROSECOND * draw(st.integers(0, max(room - 1, 0)))


def _must(result: object, kind: type[_T], what: str) -> _T:
    """``result``, which the rules promise is a ``kind``; anything else is a bug here."""
    if isinstance(result, kind):
        return result
    raise AssertionError(f"subscription_rules.strategies: {what}, got {result!r}")


def _applied(life: _Life, result: Decision | Refused) -> _Life:
    return attrs.evolve(life, decision=_must(result, Decision, "a command was refused"))


def _every_period(usage: Usage) -> Callable[[BillingPeriod], Usage]:
    def counts(_period: BillingPeriod) -> Usage:
        return usage

    return counts


_LIVE_STEPS: Final = ("advance", "change", "cancel", "undo", "suspend", "payment method")
_OTHER_STEPS: Final = ("advance", "payment method")


def _step(  # noqa: PLR0911 - one return per command
    draw: st.DrawFn, life: _Life, *, allow_payment_method: bool
) -> Decision | Refused:
    """One random command at a later instant."""
    sub, catalog, policy = life.subscription, life.catalog, life.policy
    kinds: tuple[str, ...] = _LIVE_STEPS if sub.status in _LIVE else _OTHER_STEPS
    if not allow_payment_method:
        kinds = tuple(kind for kind in kinds if kind != "payment method")
    kind = draw(st.sampled_from(kinds))
    if kind == "advance":
        until = _now(draw, sub) if sub.status is Status.TRIALING else _later(draw, sub, 3)
        usage = draw(_maybe_usages(catalog))
        # One Usage describes one period: the same counts for every period that ends.
        per_period = None if usage is None else _every_period(usage)
        return advance(sub, until, catalog=catalog, policy=policy, usage=per_period)
    if kind == "payment method":
        # Not past the live stretch: update_payment_method itself does not refuse that.
        at = _now(draw, sub) if sub.status in _LIVE else _later(draw, sub, 1)
        return update_payment_method(sub, at, catalog=catalog, policy=policy)
    at = _now(draw, sub)
    if kind == "change":
        target = draw(st.sampled_from(catalog.plans))
        interval = draw(st.sampled_from(target.intervals))
        usage = draw(usages(catalog))
        return change_plan(
            sub, target.id, interval, at, catalog=catalog, usage=usage, policy=policy
        )
    if kind == "cancel":
        return cancel(sub, at, policy=policy)
    if kind == "undo":
        return undo_cancel(sub, at, policy=policy)
    # suspend, and reinstate later
    suspended = suspend(sub, at, policy=policy)
    if isinstance(suspended, Refused):
        return suspended
    later = _later(draw, suspended.subscription, 2)
    return reinstate(suspended.subscription, later, catalog=catalog, policy=policy)


def _owes(catalog: Catalog, sub: Subscription) -> bool:
    """Whether the subscription's plan costs something at its interval."""
    return catalog.plan(sub.plan_id).price(sub.interval).amount.minor > 0


def _wander(
    draw: st.DrawFn, life: _Life, *, allow_payment_method: bool, keep_paid: bool = False
) -> _Life:
    """Up to three random commands, each kept only if it leaves the status as it was."""
    status = life.subscription.status
    for _ in range(draw(st.integers(0, 3))):
        result = _step(draw, life, allow_payment_method=allow_payment_method)
        if (
            isinstance(result, Decision)
            and result.subscription.status is status
            and (not keep_paid or _owes(life.catalog, result.subscription))
        ):
            life = attrs.evolve(life, decision=result)
    return life


def _leg(draw: st.DrawFn, life: _Life, leg: _Leg) -> _Life:
    sub, catalog, policy = life.subscription, life.catalog, life.policy
    if leg == "suspend":
        return _applied(life, suspend(sub, _now(draw, sub), policy=policy))
    if leg == "cancel":
        at = _now(draw, sub) if sub.status in _LIVE else _later(draw, sub, 2)
        result = cancel(sub, at, policy=policy)
        if isinstance(result, Decision):  # else already scheduled
            life = _applied(life, result)
        sub = life.subscription
        if sub.status in _LIVE and sub.cancel_at_period_end:
            life = _applied(life, advance(sub, _past(draw, sub), catalog=catalog, policy=policy))
        return life
    # convert, invoice or lapse: through the trial's end.
    if sub.cancel_at_period_end:
        life = _applied(life, undo_cancel(sub, sub.processed_until, policy=policy))
    if leg == "convert" and not life.subscription.has_payment_method:
        at = life.subscription.processed_until
        life = _applied(
            life, update_payment_method(life.subscription, at, catalog=catalog, policy=policy)
        )
    sub = life.subscription
    return _applied(life, advance(sub, _past(draw, sub), catalog=catalog, policy=policy))


def _with_trial(draw: st.DrawFn, catalog: Catalog) -> Catalog:
    """The catalog, with a trial on its first plan if no plan has one."""
    if any(plan.trial_days > 0 for plan in catalog):
        return catalog
    first = attrs.evolve(catalog.plans[0], trial_days=draw(st.integers(1, _MAX_TRIAL_DAYS)))
    return attrs.evolve(catalog, plans=(first, *catalog.plans[1:]))


def _with_a_price(catalog: Catalog) -> Catalog:
    """The catalog, with a price above zero on its first trial plan if its trial plans are free.

    A trial that ends invoiced without a payment method is past due only if it owes something.
    """
    trials = [plan for plan in catalog if plan.trial_days > 0]
    if any(price.amount.minor for plan in trials for price in plan.prices):
        return catalog
    first = trials[0]
    paid = tuple(attrs.evolve(price, amount=price.amount.with_minor(100)) for price in first.prices)
    plans = tuple(attrs.evolve(p, prices=paid) if p is first else p for p in catalog.plans)
    return attrs.evolve(catalog, plans=plans)


@_memo
def _ids(prefix: str) -> st.SearchStrategy[str]:
    return st.just(f"{prefix}_1") | st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True)


@st.composite
def _lives(
    draw: st.DrawFn,
    statuses: tuple[Status, ...],
    catalog: Catalog | None,
    policy: BillingPolicy | None,
) -> _Life:
    status = draw(st.sampled_from(statuses))
    route = draw(st.sampled_from(_routes(status, catalog, policy)))
    cat = draw(catalogs(max_plans=_LIFE_PLANS)) if catalog is None else catalog
    if route.trial:
        cat = _with_trial(draw, cat)
        if catalog is None and "invoice" in route.legs:
            cat = _with_a_price(cat)
    if policy is None:
        policy = route.fit(draw(policies(catalog=cat)))
    no_payment_method = route.trial and not _NO_PAYMENT_METHOD_LEGS.isdisjoint(route.legs)
    candidates = [plan for plan in cat if plan.trial_days > 0] if route.trial else list(cat)
    if "invoice" in route.legs:
        # A trial invoiced without a payment method is past due only if something is owed.
        candidates = [p for p in candidates if any(price.amount.minor for price in p.prices)]
    if not candidates:
        raise InvalidArgumentError(
            f"no plan of the catalog can reach {status.value}", argument="catalog", value=cat
        )
    plan = draw(st.sampled_from(candidates))
    owed = [p.interval for p in plan.prices if p.amount.minor] or list(plan.intervals)
    decision = start_subscription(
        draw(_ids("sub")),
        draw(_ids("cus")),
        plan.id,
        draw(st.sampled_from(owed if "invoice" in route.legs else plan.intervals)),
        _utc(draw(instants(time_zone="UTC"))),
        catalog=cat,
        time_zone=draw(time_zones()),
        has_payment_method=not (no_payment_method or draw(st.booleans())),
        trial=route.trial,
        policy=policy,
    )
    life = _Life(cat, policy, decision)
    for index, leg in enumerate(route.legs):
        allow = _NO_PAYMENT_METHOD_LEGS.isdisjoint(route.legs[index:])
        life = _wander(
            draw, life, allow_payment_method=allow, keep_paid="invoice" in route.legs[index:]
        )
        life = _leg(draw, life, leg)
    life = _wander(draw, life, allow_payment_method=True)
    if life.subscription.status is not status:
        raise AssertionError(
            f"subscription_rules.strategies: {route} reached {life.subscription.status}, "
            f"not {status}"
        )
    return life


def _reachable(
    status: Status | None, catalog: Catalog | None, policy: BillingPolicy | None
) -> tuple[Status, ...]:
    """The statuses to draw from, refusing one that the catalog or the policy rules out."""
    if catalog is not None and not isinstance(catalog, Catalog):
        raise InvalidArgumentError(
            f"expected a Catalog, got {type(catalog).__name__}", argument="catalog", value=catalog
        )
    if policy is not None and not isinstance(policy, BillingPolicy):
        raise InvalidArgumentError(
            f"expected a BillingPolicy, got {type(policy).__name__}",
            argument="policy",
            value=policy,
        )
    if status is None:
        return tuple(s for s in _STATUS_ORDER if _routes(s, catalog, policy))
    if not isinstance(status, Status):
        raise InvalidArgumentError(
            f"expected a Status, got {status!r}", argument="status", value=status
        )
    if not _routes(status, catalog, None):
        raise CatalogError(
            f"no plan has a trial, so no subscription can be {status.value}",
            key="plans",
            value=status,
        )
    if not _routes(status, catalog, policy) and policy is not None:
        raise InvalidPolicyError(
            "a subscription is past due only when a trial ends without a payment method "
            f"under MissingPaymentMethod.INVOICE; this policy says {policy.missing_payment_method}",
            argument="missing_payment_method",
            value=policy.missing_payment_method,
        )
    return (status,)


def subscriptions(
    status: Status | None = None,
    *,
    catalog: Catalog | None = None,
    policy: BillingPolicy | None = None,
) -> st.SearchStrategy[Subscription]:
    """Subscriptions in ``status``, built by the library's own commands, valid by construction.

    Each is started with ``start_subscription`` (with or without a trial and a
    payment method), then taken to ``status`` along a route chosen at random:
    a trial converted or invoiced, a suspension, a cancellation at the end of
    a period or trial, a trial lapsing without a payment method. Along the way
    it wanders: ``advance``, ``change_plan``, ``cancel`` and ``undo_cancel``,
    ``suspend`` then ``reinstate``, ``update_payment_method``, at later and
    later instants, each kept only if it leaves the status as it was. Shrinks
    toward a freshly started subscription with no history.

    Args:
        status: The status of every subscription; any status the catalog and
            policy allow when omitted.
        catalog: The catalog the subscriptions use; drawn from
            ``catalogs(max_plans=3)`` when omitted (given a trial where the route
            needs one).
        policy: The policy the commands follow; drawn from :func:`policies`
            when omitted (with the field the route needs, such as
            ``MissingPaymentMethod.INVOICE`` to be past due).

    Returns:
        A strategy for :class:`Subscription`.

    Raises:
        CatalogError: A trialing or past-due subscription asked of a catalog
            without a trial.
        InvalidPolicyError: A past-due subscription asked under a policy whose
            ``missing_payment_method`` is not ``INVOICE``.

    >>> from hypothesis import given, settings
    >>> from subscription_rules import Status, default_catalog, has_access
    >>> @settings(max_examples=10)
    ... @given(subscriptions(Status.PAST_DUE, catalog=default_catalog()))
    ... def test_past_due_keeps_access(sub: Subscription) -> None:
    ...     assert has_access(sub, SEED_POLICY) and sub.current_period.start <= sub.processed_until
    >>> test_past_due_keeps_access()
    >>> subscriptions(Status.PAST_DUE, policy=SEED_POLICY)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidPolicyError: missing_payment_method: a subscription is past due only when a trial ends without a payment method under MissingPaymentMethod.INVOICE; this policy says MissingPaymentMethod.SUSPEND
    """
    statuses = _reachable(status, catalog, policy)
    return _lives(statuses, catalog, policy).map(lambda life: life.subscription)


def decisions(
    *, catalog: Catalog | None = None, policy: BillingPolicy | None = None
) -> st.SearchStrategy[Decision]:
    """Decisions as the commands make them: the last one of a subscription from :func:`subscriptions`.

    A fresh start's (a first invoice and a notice, or a trial's notice), an
    ``advance`` (renewals, reminders, a trial's end), a plan change (credit
    notes, refunds, invoices), a cancellation, a suspension or a
    reinstatement: every effect a host's adapters must carry out.

    Args:
        catalog: The catalog; ``catalogs(max_plans=3)`` when omitted.
        policy: The policy; drawn from :func:`policies` when omitted.

    Returns:
        A strategy for :class:`Decision`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(decisions())
    ... def test_charges_are_never_negative(decision: Decision) -> None:
    ...     assert all(not invoice.amount_due.is_negative() for invoice in decision.invoices)
    >>> test_charges_are_never_negative()
    """
    statuses = _reachable(None, catalog, policy)
    return _lives(statuses, catalog, policy).map(lambda life: life.decision)


# --------------------------------------------------------------------------- derived values
# Results of the rules (invoices, credit notes, quotes, summaries) are drawn by
# running the rules on drawn values, for `st.from_type`; see _register.


@st.composite
def _two_plans(draw: st.DrawFn) -> tuple[Catalog, Plan, Plan, Interval]:
    """A catalog of a smaller and a bigger plan, both sold at one interval for a positive price."""
    currency = draw(currencies())
    interval = draw(intervals())
    small_price = draw(st.integers(1, _MAX_PRICE))
    big_price = small_price + draw(st.integers(0, _MAX_PRICE))
    small, big = draw(
        st.lists(
            _plans(currency, DEFAULT_METRICS, ranked=False),
            min_size=2,
            max_size=2,
            unique_by=_plan_id,
        )
    )
    small = attrs.evolve(small, prices=(Price(Money(small_price, currency), interval),))
    big = attrs.evolve(big, prices=(Price(Money(big_price, currency), interval),))
    return Catalog((small, big)), small, big, interval


@st.composite
def _upgrades(draw: st.DrawFn, *, refund: bool, period_end: bool = False) -> Decision:
    """An upgrade at the very start of a paid period: a credit note for all of it, always."""
    catalog, small, big, interval = draw(_two_plans())
    policy = attrs.evolve(
        draw(policies(catalog=catalog)),
        upgrade_timing=UpgradeTiming.PERIOD_END if period_end else UpgradeTiming.IMMEDIATELY,
        change_day=ChangeDay.NEW_PLAN,
        fixed_denominator_days=None,
        proration_billing=draw(
            st.sampled_from((ProrationBilling.NOW, ProrationBilling.NEXT_INVOICE))
        ),
        credit_destination=CreditDestination.REFUND if refund else CreditDestination.BALANCE,
    )
    start = _utc(draw(instants(time_zone="UTC")))
    sub = start_subscription(
        draw(_ids("sub")),
        draw(_ids("cus")),
        small.id,
        interval,
        start,
        catalog=catalog,
        time_zone=draw(time_zones()),
        trial=False,
        policy=policy,
    ).subscription
    if refund:  # only what was paid is refunded
        (first,) = sub.open_invoices
        assert first.attempt_key is not None  # noqa: S101 - just charged
        paid = record_payment(
            sub, first.attempt_key, Succeeded(), start, catalog=catalog, policy=policy
        )
        sub = _must(paid, Decision, "a payment was refused").subscription
    result = change_plan(
        sub, big.id, interval, start, catalog=catalog, usage=Usage(), policy=policy
    )
    return _applied(_Life(catalog, policy, Decision(sub)), result).decision


@st.composite
def _effects(draw: st.DrawFn, kind: type[_T], fallback: st.SearchStrategy[Decision]) -> _T:
    """An effect of ``kind`` from :func:`decisions`, or from ``fallback``, which always has one."""
    found = [effect for effect in draw(decisions()).effects if isinstance(effect, kind)]
    if not found:
        found = [effect for effect in draw(fallback).effects if isinstance(effect, kind)]
    return draw(st.sampled_from(found))


@st.composite
def _starts(draw: st.DrawFn, *, trial: bool | None) -> Decision:
    """A start: a first invoice and a notice, or (``trial``) a trial's notice."""
    if trial is None:
        trial = draw(st.booleans())
    catalog = _with_trial(draw, draw(catalogs(max_plans=_LIFE_PLANS)))
    plan = draw(st.sampled_from([p for p in catalog if p.trial_days > 0 or not trial]))
    return start_subscription(
        draw(_ids("sub")),
        draw(_ids("cus")),
        plan.id,
        draw(st.sampled_from(plan.intervals)),
        _utc(draw(instants(time_zone="UTC"))),
        catalog=catalog,
        time_zone=draw(time_zones()),
        has_payment_method=draw(st.booleans()),
        trial=trial,
        policy=draw(policies(catalog=catalog)),
    )


def _charges() -> st.SearchStrategy[ChargeInvoice]:
    return _effects(ChargeInvoice, _starts(trial=False))


def _credit_notes() -> st.SearchStrategy[IssueCreditNote]:
    return _effects(IssueCreditNote, _upgrades(refund=False))


def _notices() -> st.SearchStrategy[SendNotice]:
    return _effects(SendNotice, _starts(trial=None))


@st.composite
def _explanations(draw: st.DrawFn) -> Explanation:
    note = draw(_credit_notes()).credit_note
    found = [line.explanation for line in note.lines if line.explanation is not None]
    return draw(st.sampled_from(found))


@st.composite
def _stretches(draw: st.DrawFn) -> Stretch:
    sub = draw(subscriptions(Status.ACTIVE))
    if not sub.stretches:
        sub = draw(_starts(trial=False)).subscription
    return draw(st.sampled_from(sub.stretches))


@st.composite
def _open_invoices(draw: st.DrawFn) -> OpenInvoice:
    sub = draw(subscriptions())
    if not sub.open_invoices:  # a start at a positive price leaves its invoice open
        sub = draw(_upgrades(refund=False)).subscription
    return draw(st.sampled_from(sub.open_invoices))


@st.composite
def _pending_changes(draw: st.DrawFn) -> PendingChange:
    pending = draw(_upgrades(refund=False, period_end=True)).subscription.pending_change
    if pending is None:
        raise AssertionError("subscription_rules.strategies: an upgrade at period end was applied")
    return pending


@st.composite
def _quotes(draw: st.DrawFn) -> ChangeQuote:
    life = draw(_lives((Status.ACTIVE, Status.TRIALING, Status.PAST_DUE), None, None))
    target = draw(st.sampled_from(life.catalog.plans))
    quote = quote_change(
        life.subscription,
        target.id,
        draw(st.sampled_from(target.intervals)),
        _now(draw, life.subscription),
        catalog=life.catalog,
        usage=draw(usages(life.catalog)),
        policy=life.policy,
    )
    return _must(quote, ChangeQuote, "a quote for a live subscription was refused")


def _over_limit(draw: st.DrawFn, plan: Plan) -> tuple[Plan, Usage]:
    """``plan`` with a finite limit on a stock metric, and usage over it."""
    metric = draw(st.sampled_from((PROPERTIES, INTEGRATIONS)))
    limit = draw(st.integers(0, _SMALL_COUNT))
    plan = attrs.evolve(plan, limits=Limits.of(dict(plan.limits.items()), **{metric.name: limit}))
    usage = draw(usages()).with_count(metric.name, limit + draw(st.integers(1, _SMALL_COUNT)))
    return plan, usage


@st.composite
def _infeasibles(draw: st.DrawFn) -> Infeasible:
    plan, usage = _over_limit(draw, draw(plans()))
    return _must(check_downgrade(usage, plan), Infeasible, "usage over a limit fitted")


@st.composite
def _feasibles(draw: st.DrawFn) -> Feasible:
    # Per-period usage never blocks a move; at most it warns of overage.
    stock = {metric.name for metric in DEFAULT_METRICS if metric.kind is MetricKind.STOCK}
    usage = draw(usages())
    usage = Usage(tuple((name, count) for name, count in usage.counts if name not in stock))
    return _must(check_downgrade(usage, draw(plans())), Feasible, "per-period usage blocked")


@st.composite
def _refusals(draw: st.DrawFn) -> Refused:
    how = draw(st.sampled_from(("reinstate", "cancel", "infeasible")))
    if how == "infeasible":  # a move to a plan the usage does not fit
        catalog, small, big, interval = draw(_two_plans())
        small, usage = _over_limit(draw, small)
        catalog = Catalog((small, big))
        policy = draw(policies(catalog=catalog))
        sub = start_subscription(
            draw(_ids("sub")),
            draw(_ids("cus")),
            big.id,
            interval,
            _utc(draw(instants(time_zone="UTC"))),
            catalog=catalog,
            trial=False,
            policy=policy,
        ).subscription
        result: Decision | Refused = change_plan(
            sub,
            small.id,
            interval,
            sub.processed_until,
            catalog=catalog,
            usage=usage,
            policy=policy,
        )
    elif how == "reinstate":
        life = draw(_lives((Status.ACTIVE, Status.TRIALING, Status.PAST_DUE), None, None))
        sub = life.subscription
        result = reinstate(sub, sub.processed_until, catalog=life.catalog, policy=life.policy)
    else:
        life = draw(_lives((Status.ENDED,), None, None))
        sub = life.subscription
        result = cancel(sub, sub.processed_until, policy=life.policy)
    return _must(result, Refused, f"{how} was not refused")


@st.composite
def _reports(draw: st.DrawFn, metric_list: Iterable[Metric] | None = None) -> UsageReport:
    catalog = draw(catalogs(metric_list=metric_list))
    plan = draw(st.sampled_from(catalog.plans))
    return usage_report(plan, draw(usages(catalog)), catalog.metrics)


@st.composite
def _summaries(draw: st.DrawFn) -> BillingSummary:
    life = draw(_lives(_STATUS_ORDER, None, None))
    sub = life.subscription
    return billing_summary(
        sub,
        draw(usages(life.catalog)),
        _later(draw, sub, 1),
        catalog=life.catalog,
        policy=life.policy,
    )


def _register() -> None:
    register = st.register_type_strategy
    register(Currency, currencies())
    register(Money, money())
    register(Interval, intervals())
    register(BillingCycle, cycles())
    register(BillingPeriod, periods())
    register(Metric, metrics())
    register(Limits, limits())
    register(Price, prices())
    register(Overage, overages())
    register(Plan, plans())
    register(Catalog, catalogs())
    register(Usage, usages())
    register(BillingPolicy, policies())
    register(Subscription, subscriptions())
    register(Decision, decisions())
    register(Stretch, _stretches())
    register(PendingChange, _pending_changes())
    register(OpenInvoice, _open_invoices())
    register(ChargeInvoice, _charges())
    register(Invoice, _charges().map(lambda charge: charge.invoice))
    register(IssueCreditNote, _credit_notes())
    register(CreditNote, _credit_notes().map(lambda issue: issue.credit_note))
    register(RefundPayment, _effects(RefundPayment, _upgrades(refund=True)))
    register(SendNotice, _notices())
    register(Notice, _notices().map(lambda send: send.notice))
    register(SuspendAccess, st.builds(SuspendAccess, st.sampled_from(SuspensionReason)))
    register(RestoreAccess, st.just(RestoreAccess()))
    register(EndAccess, st.just(EndAccess()))
    register(
        Line,
        st.one_of(
            _charges().map(lambda charge: charge.invoice.lines),
            _credit_notes().map(lambda issue: issue.credit_note.lines),
        ).flatmap(st.sampled_from),
    )
    register(Explanation, _explanations())
    register(ChangeQuote, _quotes())
    register(Refused, _refusals())
    register(Feasible, _feasibles())
    register(Infeasible, _infeasibles())
    register(RequiredAction, _infeasibles().flatmap(lambda result: st.sampled_from(result.actions)))
    register(UsageReport, _reports())
    register(
        MetricUsage, _reports(DEFAULT_METRICS).flatmap(lambda report: st.sampled_from(report.lines))
    )
    register(BillingSummary, _summaries())
    register(Category, st.sampled_from((BILLING, PRODUCT)) | st.builds(Category, _identifiers()))
    register(
        Preferences,
        st.builds(
            Preferences,
            email_opt_out=st.booleans(),
            unsubscribed=st.frozensets(st.just(PRODUCT.name) | _identifiers(), max_size=3),
        ),
    )


_complete = True
_hypothesis_setup_hook()
