"""Strategies for the values: money, time, periods, the catalog and usage."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import attrs
from hypothesis import strategies as st

from subscription_rules import (
    BILLABLE_SESSIONS,
    DEFAULT_METRICS,
    BillingCycle,
    BillingPeriod,
    Catalog,
    CreditGrant,
    Currency,
    Interval,
    InvoiceSequence,
    Limits,
    Metric,
    MetricKind,
    Money,
    Overage,
    PackagePrice,
    Plan,
    Price,
    Tier,
    TierMode,
    TierTable,
    Usage,
)
from subscription_rules.errors import (
    InvalidAmountError,
    InvalidArgumentError,
    InvalidInstantError,
    InvalidTimeZoneError,
)
from subscription_rules.money import MAX_MINOR
from subscription_rules.periods import zone
from subscription_rules.strategies._base import (
    _COMMON_INTERVALS,
    _CURRENCIES,
    _MAX_COUNT,
    _MAX_INTERVAL_COUNT,
    _MAX_OVERAGE_PER,
    _MAX_OVERAGE_PRICE,
    _MAX_PRICE,
    _MAX_RANK,
    _MAX_TRIAL_DAYS,
    _PLAN_IDS,
    _PLAN_NAMES,
    _TIME_ZONES,
    _UNITS,
    _identifiers,
    _memo,
    _words,
)
from subscription_rules.strategies._edges import edge_instants, transitions

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
    min_year: int = 2000,
    max_year: int = 2100,
    time_zone: str | None = None,
    *,
    edges: bool = False,
) -> st.SearchStrategy[datetime]:
    """Aware datetimes from ``min_year`` to ``max_year``, shrinking toward 1 January 2000, UTC.

    Args:
        min_year: The first year.
        max_year: The last year.
        time_zone: The IANA zone of every instant; drawn from
            :func:`time_zones` when omitted. Wall-clock times that a daylight
            saving change skips or repeats are included.
        edges: Draw only instants where billing code breaks: a moment the
            zone's UTC offset changes (found to the second), or 1 second, half
            an hour, an hour or a day either side of one; the 28th to the last
            day of a month, Feb 29 twice as often; midnight, 12:12, 23:59:59
            and the small hours where daylight saving changes happen; each wall
            time with ``fold`` 0 or 1, in a gap or a repeated hour too. Shrinks
            toward the first offset change of the range (toward 1 January at
            midnight in a zone without one).

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
    >>> find(instants(2027, 2027, "Europe/Paris", edges=True), lambda at: True).isoformat()
    '2027-03-28T03:00:00+02:00'
    """
    if type(edges) is not bool:
        raise InvalidArgumentError(f"expected a bool, got {edges!r}", argument="edges", value=edges)
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
    if edges:
        names = time_zones() if time_zone is None else st.just(zone(time_zone).key)
        return edge_instants(min_year, max_year, names)
    zones = time_zones().map(zone) if time_zone is None else st.just(zone(time_zone))
    return st.datetimes(
        min_value=datetime(min_year, 1, 1),  # noqa: DTZ001 - Hypothesis takes naive bounds
        max_value=datetime(max_year, 12, 31, 23, 59, 59, 999_999),  # noqa: DTZ001
        timezones=zones,
    )


def offset_changes(
    time_zone: str, min_year: int = 2000, max_year: int = 2100
) -> st.SearchStrategy[datetime]:
    """The instants, in UTC and to the second, at which ``time_zone``'s UTC offset changes.

    Daylight saving starting and ending, and a zone's changes of standard
    time, from ``min_year`` to ``max_year``: where a test places a moment on
    (or a chosen distance from) a change it must survive. The same changes
    :func:`instants` seeks with ``edges=True``; shrinks toward the first.

    Args:
        time_zone: The IANA zone.
        min_year: The first year.
        max_year: The last year.

    Returns:
        A strategy for aware :class:`~datetime.datetime` values in UTC.

    Raises:
        InvalidInstantError: For years outside 1 to 9999, or crossed.
        InvalidTimeZoneError: For an unknown zone, or one whose offset never
            changes in those years.

    >>> from hypothesis import find
    >>> find(offset_changes("Europe/Paris", 2027, 2027), lambda at: True).isoformat()
    '2027-03-28T01:00:00+00:00'
    >>> offset_changes("Asia/Kolkata", 2027, 2030)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidTimeZoneError: time_zone: Asia/Kolkata keeps one UTC offset from 2027 to 2030
    """
    instants(min_year, max_year, time_zone)  # the years and the zone are checked alike
    changes = transitions(zone(time_zone).key, min_year, max_year)
    if not changes:
        raise InvalidTimeZoneError(
            f"{time_zone} keeps one UTC offset from {min_year} to {max_year}",
            argument="time_zone",
            value=time_zone,
        )
    return st.sampled_from(changes)


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
    >>> from subscription_rules import QUARTERLY
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

    >>> from hypothesis import find
    >>> cycle = BillingCycle(datetime(2027, 1, 31, tzinfo=UTC), MONTHLY)
    >>> print(find(periods(cycle), lambda period: period.index == 1))
    2027-02-28 → 2027-03-31
    """
    return _periods(cycles() if cycle is None else st.just(cycle))


# --------------------------------------------------------------------------- the catalog

#: The metric a catalog sells seats by.
SEATS = Metric("seats", MetricKind.STOCK, "seat", "seats", "remove")


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
        st.just((*DEFAULT_METRICS, SEATS)),
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


@_memo
def tier_tables(currency: str | Currency | None = None) -> st.SearchStrategy[TierTable]:
    """Tier tables of up to five tiers in one currency, shrinking toward one free USD tier.

    >>> from hypothesis import find
    >>> table = find(tier_tables(), lambda table: True)
    >>> table.mode, [str(tier) for tier in table.tiers]
    (<TierMode.GRADUATED: 'graduated'>, ['unbounded: USD 0.00 per unit'])
    """
    chosen = currencies() if currency is None else st.just(Currency.of(currency))
    return chosen.flatmap(_tier_tables)


@_memo
def _tier_tables(currency: Currency) -> st.SearchStrategy[TierTable]:
    amounts = money(currency, min_minor=0, max_minor=_MAX_OVERAGE_PRICE)
    tier = st.builds(Tier, st.none(), amounts, st.none() | amounts)
    bounds = st.lists(st.integers(1, 10**6), max_size=4, unique=True).map(sorted)

    def build(parts: tuple[list[int], list[Tier], TierMode]) -> TierTable:
        bound_list, drawn, mode = parts
        bounded = [attrs.evolve(t, up_to=b) for b, t in zip(bound_list, drawn, strict=False)]
        return TierTable(mode, (*bounded, drawn[-1]))

    return bounds.flatmap(
        lambda found: st.tuples(
            st.just(found),
            st.lists(tier, min_size=len(found) + 1, max_size=len(found) + 1),
            st.sampled_from(TierMode),
        )
    ).map(build)


@_memo
def tiers() -> st.SearchStrategy[Tier]:
    """Single tiers, bounded or not, shrinking toward an unbounded free USD tier.

    >>> from hypothesis import find
    >>> str(find(tiers(), lambda tier: True))
    'unbounded: USD 0.00 per unit'
    """
    return tier_tables().flatmap(lambda table: st.sampled_from(table.tiers))


@_memo
def package_prices(currency: str | Currency | None = None) -> st.SearchStrategy[PackagePrice]:
    """Package prices, shrinking toward USD 0.00 per 1 unit.

    >>> from hypothesis import find
    >>> str(find(package_prices(), lambda price: True))
    'USD 0.00 per 1 units'
    """
    return st.builds(
        PackagePrice,
        money(currency, min_minor=0, max_minor=_MAX_OVERAGE_PRICE),
        st.integers(1, _MAX_OVERAGE_PER),
        st.integers(0, 10**6),
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
    interval: Interval | None = None,
) -> Plan:
    cur = draw(currencies()) if currency is None else currency
    sold_at = draw(_sold_at()) if interval is None else [interval]
    amounts = _money(cur, 0, _MAX_PRICE)
    plan_limits = draw(limits(metric_list))
    stock = [metric.name for metric in metric_list if metric.kind is MetricKind.STOCK]
    unit = draw(st.none() | st.sampled_from(stock)) if stock else None  # sold per unit?
    tiers = draw(st.none() | tier_tables(cur)) if unit is not None else None
    overage = [
        draw(overages(cur, metric.name) | _scheme_overages(cur, metric.name))
        for metric in metric_list
        if metric.kind is MetricKind.PER_PERIOD
        and plan_limits.get(metric.name) is not None
        and draw(st.booleans())
    ]
    return Plan(
        id=draw(_plan_ids()),
        name=draw(_plan_names()),
        prices=tuple(
            Price.tiered(tiers, interval, unit=unit)
            if tiers is not None and unit is not None
            else Price(draw(amounts), interval, unit=unit)
            for interval in sold_at
        ),
        limits=plan_limits,
        trial_days=draw(st.integers(0, _MAX_TRIAL_DAYS)),
        rank=draw(_ranks()) if ranked else None,
        overage=tuple(overage),
    )


@_memo
def _scheme_overages(currency: Currency, metric: str) -> st.SearchStrategy[Overage]:
    """Overage by tiers or by package, in ``currency``."""
    return st.builds(Overage.tiered, st.just(metric), tier_tables(currency)) | st.builds(
        Overage.in_packages, st.just(metric), package_prices(currency)
    )


def plans(
    currency: str | Currency | None = None, *, metric_list: Iterable[Metric] = DEFAULT_METRICS
) -> st.SearchStrategy[Plan]:
    """Plans: one to three prices at distinct intervals, limits, overage, a trial and a rank.

    Shrinks toward a plan ``basic`` at USD 0.00 monthly, with no limits, no
    overage, no trial and no rank. A plan may be sold per unit of a stock
    metric of ``metric_list`` (seats), at a price per unit or by a tier
    table; overage may be pro rata, tiered or by package. Overage prices are
    drawn only for per-period metrics the plan limits, so every plan fits a
    catalog of ``metric_list``.

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
    currency: Currency,
    metric_list: tuple[Metric, ...],
    size: tuple[int, int],
    interval: Interval | None,
) -> st.SearchStrategy[list[Plan]]:
    return st.lists(
        _plans(currency, metric_list, ranked=False, interval=interval),
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
    interval: Interval | None,
) -> Catalog:
    cur = draw(currencies()) if currency is None else currency
    metric_list = draw(_metric_sets()) if metric_list is None else metric_list
    listed = draw(_plan_lists(cur, metric_list, size, interval))
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
    interval: Interval | None = None,
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
        interval: Sell every plan at this interval only (one price each), so
            that any plan can be changed to any other at that interval; when
            omitted, each plan has one to three prices at intervals drawn from
            :func:`intervals`.

    Returns:
        A strategy for :class:`Catalog`.

    Raises:
        InvalidArgumentError: For plan counts below 1 or crossed, or an
            ``interval`` that is not an :class:`Interval`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(catalogs("GBP", max_plans=3))
    ... def test_plan_ids_are_unique(catalog: Catalog) -> None:
    ...     assert len(set(catalog.ids)) == len(catalog) <= 3
    ...     assert {plan.currency.code for plan in catalog} == {"GBP"}
    >>> test_plan_ids_are_unique()
    >>> @settings(max_examples=10)
    ... @given(catalogs(interval=MONTHLY, min_plans=2))
    ... def test_every_plan_is_sold_monthly(catalog: Catalog) -> None:
    ...     assert all(plan.intervals == (MONTHLY,) for plan in catalog)
    >>> test_every_plan_is_sold_monthly()
    """
    if interval is not None and not isinstance(interval, Interval):
        raise InvalidArgumentError(
            f"expected an Interval, got {type(interval).__name__}",
            argument="interval",
            value=interval,
        )
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
    return _catalogs(cur, chosen, (min_plans, max_plans), interval)


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


def credit_grants() -> st.SearchStrategy[CreditGrant]:
    """Grants of credit that expire: an id, what is left (above zero), an instant.

    >>> from hypothesis import find
    >>> str(find(credit_grants(), lambda grant: True).left)
    'USD 0.01'
    """
    return st.builds(CreditGrant, _identifiers(), _money(None, 1, MAX_MINOR), instants())


def invoice_sequences() -> st.SearchStrategy[InvoiceSequence]:
    """Legal numbering sequences: a prefix, a next number from 1, a width from 1 to 12."""
    return st.builds(
        InvoiceSequence, _identifiers(), st.integers(1, 10**9), width=st.integers(1, 12)
    )
