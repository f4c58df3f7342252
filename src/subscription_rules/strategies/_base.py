"""What the strategy modules share: memoising, bounds, identifiers and checks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final, ParamSpec, TypeVar, cast

from hypothesis import strategies as st

from subscription_rules import (
    DAILY,
    KILL_BILL_LIKE,
    LAGO_LIKE,
    MONTHLY,
    QUARTERLY,
    SEED_POLICY,
    STRIPE_LIKE,
    WEEKLY,
    YEARLY,
    Currency,
    IntervalUnit,
    Status,
)
from subscription_rules.money import iso_currencies

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


@_memo
def _identifiers() -> st.SearchStrategy[str]:
    """A name a host gives (a category, an overdue state): ASCII by rule, like every identifier."""
    return st.from_regex(r"[a-z][a-z0-9_-]{0,23}", fullmatch=True)


@_memo
def _words() -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=24).filter(str.strip)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def _must(result: object, kind: type[_T], what: str) -> _T:
    """``result``, which the rules promise is a ``kind``; anything else is a bug here."""
    if isinstance(result, kind):
        return result
    raise AssertionError(f"subscription_rules.strategies: {what}, got {result!r}")
