"""Strategies for billing policies and the dunning values inside them."""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Any, Final, TypeVar

from hypothesis import strategies as st

from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    BillingPolicy,
    Catalog,
    ChangeDay,
    Comparison,
    CreditBasis,
    CreditCap,
    CreditDestination,
    Currency,
    DayCount,
    DowngradeTiming,
    IntervalChange,
    IntervalUnit,
    MissingPaymentMethod,
    PastDueAccess,
    ProrationBilling,
    ProrationUnit,
    RetriesExhausted,
    RoundingMode,
    SuspendedTime,
    TrialCancellation,
    TrialPlanChange,
    UpgradeTiming,
    WeeksPerYear,
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
)
from subscription_rules.errors import InvalidArgumentError
from subscription_rules.strategies._base import (
    _MAX_FIXED_DAYS,
    _MAX_PRICE,
    _MAX_REMINDER_DAYS,
    _PRESETS,
    _identifiers,
    _memo,
)
from subscription_rules.strategies._values import (
    money,
)

# --------------------------------------------------------------------------- policies


_E = TypeVar("_E", bound=enum.Enum)


def _enum(kind: type[_E]) -> st.SearchStrategy[_E]:
    # Each policy enum lists its default first, so every field shrinks toward the seed's rule.
    return st.sampled_from(kind)


_SCHEDULES: Final = (SMART_RETRIES_LIKE, THREE_RETRIES, KILL_BILL_EXAMPLE)
_SECOND: Final = timedelta(seconds=1)
_DAY_SECONDS: Final = 86_400


@st.composite
def _retry_schedules(draw: st.DrawFn) -> RetrySchedule:
    """Strictly increasing retries within the window, at any moment or at a local hour."""
    local_hour = draw(st.none() | st.integers(0, 23))
    # Retries aligned to a local hour are at least a day apart (to the second, so that a
    # retry's local date varies too); others any seconds apart.
    least = _DAY_SECONDS if local_hour is not None else 1
    most = MAX_RETRY_WINDOW // _SECOND
    gaps = draw(st.lists(st.integers(least, most), min_size=1, max_size=MAX_RETRIES))
    offsets: list[timedelta] = []
    total = 0
    for gap in gaps:
        if total + gap > most:
            break
        total += gap
        offsets.append(_SECOND * total)
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


def retry_schedules() -> st.SearchStrategy[RetrySchedule]:
    """Retry schedules: the presets, then any valid one; shrinks to the first preset.

    Strictly increasing retries within :data:`~subscription_rules.dunning.MAX_RETRY_WINDOW`,
    any seconds apart, or at least a day apart (to the second) at a local hour.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(retry_schedules())
    ... def test_retries_come_in_order(schedule: RetrySchedule) -> None:
    ...     assert list(schedule.offsets) == sorted(set(schedule.offsets))
    >>> test_retries_come_in_order()
    """
    return st.sampled_from(_SCHEDULES) | _retry_schedules()


def overdue_states(currency: Currency | None = None) -> st.SearchStrategy[OverdueState]:
    """Rungs of an overdue ladder, each with at least one condition.

    Args:
        currency: Balance thresholds are drawn in it; without one, rungs count
            only days and invoices, which suit any currency.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(overdue_states())
    ... def test_a_rung_without_currency_has_no_balance(state: OverdueState) -> None:
    ...     assert state.balance is None
    >>> test_a_rung_without_currency_has_no_balance()
    """
    names = st.sampled_from(_LADDER_NAMES) | _identifiers()
    return names.flatmap(lambda name: _overdue_states(name, currency))


def overdue_ladders(currency: Currency | None = None) -> st.SearchStrategy[OverdueLadder]:
    """Overdue ladders of one to four uniquely named rungs (see :func:`overdue_states`).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(overdue_ladders())
    ... def test_rung_names_are_unique(ladder: OverdueLadder) -> None:
    ...     names = [state.name for state in ladder.states]
    ...     assert len(names) == len(set(names))
    >>> test_rung_names_are_unique()
    """
    return _overdue_ladders(currency)


def policies(
    *, catalog: Catalog | None = None, presets_only: bool = False
) -> st.SearchStrategy[BillingPolicy]:
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
        presets_only: Draw only the four presets (``SEED_POLICY``,
            ``STRIPE_LIKE``, ``KILL_BILL_LIKE``, ``LAGO_LIKE``): for a test
            whose property holds for the conventions a host really picks, or
            that varies a few fields of a preset itself with ``attrs.evolve``.

    Returns:
        A strategy for :class:`BillingPolicy`.

    Raises:
        InvalidArgumentError: For a ``presets_only`` that is not a bool.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(policies(catalog=default_catalog()))
    ... def test_unranked_plans_compare_by_price(policy: BillingPolicy) -> None:
    ...     assert policy.classify_by is Comparison.ANNUALISED_PRICE
    >>> test_unranked_plans_compare_by_price()
    >>> from subscription_rules import KILL_BILL_LIKE, LAGO_LIKE, STRIPE_LIKE
    >>> @settings(max_examples=10)
    ... @given(policies(presets_only=True))
    ... def test_only_presets(policy: BillingPolicy) -> None:
    ...     assert policy in (SEED_POLICY, STRIPE_LIKE, KILL_BILL_LIKE, LAGO_LIKE)
    >>> test_only_presets()
    """
    if type(presets_only) is not bool:
        raise InvalidArgumentError(
            f"expected a bool, got {presets_only!r}", argument="presets_only", value=presets_only
        )
    if presets_only:
        return _presets()
    if catalog is None:
        return _policies(ranked=True, currency=None, monthly=True)
    monthly = all(interval == MONTHLY for plan in catalog for interval in plan.intervals)
    return _policies(ranked=catalog.ranked, currency=catalog.currency, monthly=monthly)


@_memo
def _presets() -> st.SearchStrategy[BillingPolicy]:
    return st.sampled_from(_PRESETS)


def _policy(**fields: Any) -> BillingPolicy:  # noqa: ANN401 - the policy's own fields
    """A policy of the fields drawn, a combination it refuses resolved the way it asks.

    Pending proration items credit the balance only (see ``BillingPolicy``).
    """
    if fields["proration_billing"] is ProrationBilling.PENDING_ITEMS:
        fields["credit_destination"] = CreditDestination.BALANCE
    return BillingPolicy(**fields)


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
        _policy,
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
        trial_plan_change=_enum(TrialPlanChange),
        missing_payment_method=_enum(MissingPaymentMethod),
        trial_reminder_days=st.just(SEED_POLICY.trial_reminder_days)
        | st.integers(0, _MAX_REMINDER_DAYS),
        renewal_reminder_days=st.just(SEED_POLICY.renewal_reminder_days) | reminders,
        suspended_time=_enum(SuspendedTime),
        retry_schedule=retry_schedules(),
        retries_exhausted=_enum(RetriesExhausted),
        past_due_access=_enum(PastDueAccess),
        overdue_ladder=st.none() | _overdue_ladders(currency),
        weeks_per_year=_enum(WeeksPerYear),
        pending_timeout=st.just(SEED_POLICY.pending_timeout)
        | st.timedeltas(timedelta(hours=1), timedelta(days=366)),
        credit_cap=_enum(CreditCap),
        interval_change=_enum(IntervalChange),
        price_change_notice_days=st.just(SEED_POLICY.price_change_notice_days)
        | st.integers(0, 366),
    )
    return _presets() | combined
