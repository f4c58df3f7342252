"""Properties of dunning: retry instants, retries that stop when they must, a monotone ladder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import attrs
from hypothesis import given
from hypothesis import strategies as st

from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    BillingPolicy,
    ChargeInvoice,
    Currency,
    Decision,
    EndAccess,
    Refused,
    RestoreAccess,
    RetriesExhausted,
    Status,
    Subscription,
    SuspendAccess,
    advance,
    cancel,
    default_catalog,
    has_access,
    next_wakeup,
    record_payment,
    reinstate,
    start_subscription,
    suspend,
    undo_cancel,
    update_payment_method,
)
from subscription_rules import strategies as sr
from subscription_rules.dunning import (
    SMART_RETRIES_LIKE,
    Declined,
    DeclineKind,
    GatewayError,
    OverdueAction,
    OverdueLadder,
    OverdueState,
    PaymentOutcome,
    RetrySchedule,
    Succeeded,
    UnpaidInvoice,
    overdue_state,
)
from subscription_rules.errors import InvalidPeriodError

CATALOG = default_catalog()
USD = Currency.of("USD")
START = datetime(2026, 11, 1, tzinfo=UTC)


@given(
    sr.retry_schedules(),
    # Any instant, or one at a month end or a telling wall time; written in UTC.
    sr.instants(2020, 2034, "UTC") | sr.instants(2020, 2034, "UTC", edges=True),
    sr.time_zones(),
)
def test_retry_instants_strictly_increase_and_stay_inside_the_window(
    schedule: RetrySchedule, first_failure: datetime, zone: str
) -> None:
    """Every retry is after the failure, after the one before, and within the window."""
    times = schedule.retry_times(first_failure, zone)
    assert len(times) == schedule.retries
    previous = first_failure
    for at in times:
        # As instants: two times of one zone compare by their wall clocks (see below).
        assert at.astimezone(UTC) > previous.astimezone(UTC)
        previous = at
    assert times[-1] <= first_failure + schedule.window
    if schedule.local_hour is not None:
        # At the local hour on the retry's local date. An hour that does not exist that day
        # (DST starts) moves forward by the gap (what fold=0 gives when converted); an hour
        # that occurs twice (DST ends) is one of its two occurrences.
        tz = ZoneInfo(zone)
        for t in times:
            day = t.astimezone(tz).date()
            occurrences = {
                datetime.combine(day, time(schedule.local_hour, fold=fold), tz).astimezone(UTC)
                for fold in (0, 1)
            }
            assert t.astimezone(UTC) in occurrences, t


DST_ZONES = ["America/New_York", "Europe/Paris", "Australia/Sydney", "America/Santiago"]


WRITTEN_IN = [UTC, *(ZoneInfo(zone) for zone in [*DST_ZONES, "Asia/Kolkata", "Pacific/Chatham"])]
NEAR = [timedelta(seconds=s) for s in (-3601, -3600, -1800, -1, 0, 1, 1800, 3600, 3601)]


# Kept local, built from the shipped strategies: the failure is placed from the drawn
# schedule's own offsets, which no shipped strategy knows.
@st.composite
def failures_near_dst(draw: st.DrawFn) -> tuple[RetrySchedule, datetime, str]:
    """A schedule, a billing zone, and a failure placed so that a retry's offset (or its
    local hour's midnight) lands on one of the zone's DST transitions, give or take a second,
    half an hour or an hour."""
    zone = draw(st.sampled_from(DST_ZONES))
    schedule = draw(sr.retry_schedules())
    if schedule.local_hour is not None and draw(st.booleans()):
        # The local hours that fall in or next to the zone's gaps and folds.
        hour = draw(st.sampled_from([0, 1, 2, 3, 23]))
        schedule = attrs.evolve(schedule, local_hour=hour)
    transition = draw(sr.offset_changes(zone, 2020, 2035))
    offset = draw(st.sampled_from(schedule.offsets))
    shift = draw(st.sampled_from(NEAR) | st.integers(-2 * 86_400, 2 * 86_400).map(
        lambda s: timedelta(seconds=s)
    ))  # fmt: skip
    return schedule, transition - offset + shift, zone


@given(failures_near_dst(), st.sampled_from(WRITTEN_IN))
def test_retry_times_across_dst_depend_on_the_instant_increase_and_stay_in_the_window(
    case: tuple[RetrySchedule, datetime, str], written_in: tzinfo
) -> None:
    """Across the DST changes of New York, Paris, Sydney and Santiago, and whatever zone the
    failure instant is written in: the retries are the same instants, in the billing zone,
    each at or after its offset, strictly after the one before, within the window (and the
    deadline is the window's end), and — with a local hour — at that hour on the retry's
    local date (a missing hour moved forward by the gap, a repeated hour's first pass)."""
    # Instants are compared in UTC: Python compares two times of one zone by their wall
    # clocks (a repeated hour's two passes look equal), and never finds a time in a
    # repeated hour equal to one in another zone.
    schedule, failure, zone = case
    local = schedule.retry_times(failure, zone)
    assert all(t.tzinfo == ZoneInfo(zone) for t in local)
    times = [t.astimezone(UTC) for t in local]
    again = schedule.retry_times(failure.astimezone(written_in), zone)
    assert [t.astimezone(UTC) for t in again] == times
    previous = failure
    for offset, at in zip(schedule.offsets, times, strict=True):
        assert at >= failure + offset
        assert at > previous
        previous = at
    assert times[-1] <= failure + schedule.window
    assert schedule.deadline(failure.astimezone(written_in)) == failure + schedule.window
    if schedule.local_hour is not None:
        for at in local:
            first_pass = datetime.combine(at.date(), time(schedule.local_hour), at.tzinfo)
            assert at.astimezone(UTC) == first_pass.astimezone(UTC), at


OUTCOMES: list[PaymentOutcome] = [
    Succeeded(),
    Declined(DeclineKind.SOFT),
    Declined(DeclineKind.HARD),
    GatewayError(),
]


@given(
    st.lists(st.sampled_from(OUTCOMES), min_size=1, max_size=25),
    st.sampled_from(list(RetriesExhausted)),
    st.integers(0, 20),
)
def test_no_retry_after_success_after_the_end_or_beyond_the_schedule(
    outcomes: list[PaymentOutcome], exhausted: RetriesExhausted, cancel_after: int
) -> None:
    """Retries of an invoice stop at its payment, at the subscription's end, and at the
    schedule's end; gateway errors alone never retry without bound."""
    policy = attrs.evolve(SEED_POLICY, name="seed, changed", retries_exhausted=exhausted)
    sub = start_subscription(
        "s", "c", "personal", MONTHLY, START, catalog=CATALOG, trial=False, policy=SEED_POLICY
    ).subscription
    invoice = sub.open_invoices[0].id
    key = sub.open_invoices[0].attempt_key
    assert key is not None
    at = START
    paid = False
    charged_after_end = 0
    attempts = 1
    for step, result in enumerate(outcomes):
        recorded = record_payment(sub, key, result, at, catalog=CATALOG, policy=policy)
        if not isinstance(recorded, Decision):
            assert paid  # only a paid invoice is refused
            break
        sub = recorded.subscription
        paid = isinstance(result, Succeeded)
        if step == cancel_after and sub.status is not Status.ENDED:
            cancelled = cancel(sub, at, policy=policy)
            if isinstance(cancelled, Decision):
                sub = cancelled.subscription
        wake = recorded.next_wakeup
        if wake is None:
            break
        moved = advance(sub, wake, catalog=CATALOG, policy=policy)
        retries = [
            e for e in moved.effects if isinstance(e, ChargeInvoice) and e.invoice.id == invoice
        ]
        key = retries[-1].idempotency_key if retries else key
        if paid:
            assert retries == []
        if sub.status is Status.ENDED:
            charged_after_end += len(retries)
        attempts += len(retries)
        sub, at = moved.subscription, wake
        if not retries:
            break
    assert charged_after_end == 0
    # The first attempt, at most one retry per scheduled slot, plus gateway-error retries.
    gateway = sum(isinstance(r, GatewayError) for r in outcomes)
    assert attempts <= 1 + SEED_POLICY.retry_schedule.retries + gateway


# Unpaid invoices of USD 0.01 to 200.00, issued within 40 days of START.
UNPAID = st.lists(
    st.builds(
        UnpaidInvoice,
        st.integers(0, 24 * 40).map(lambda h: START + timedelta(hours=h)),
        sr.money("USD", min_minor=1, max_minor=20_000),
    ),
    max_size=5,
)


@given(sr.overdue_ladders(USD), UNPAID, st.lists(st.integers(0, 24 * 120), min_size=2, max_size=6))
def test_overdue_state_is_monotone_and_next_change_is_never_late(
    ladder: OverdueLadder, unpaid: list[UnpaidInvoice], hours: list[int]
) -> None:
    """For fixed unpaid invoices the state never goes back as time passes, and no change
    happens before the reported next_change."""
    times = sorted(START + timedelta(hours=h) for h in hours)
    rank = {state.name: i for i, state in enumerate(ladder.states)}
    statuses = [overdue_state(unpaid, t, ladder) for t in times]
    ranks = [rank[s.state.name] if s.state else -1 for s in statuses]
    assert ranks == sorted(ranks)
    for (t1, s1), (t2, s2) in zip(
        zip(times, statuses, strict=True), zip(times[1:], statuses[1:], strict=True), strict=False
    ):
        if s2.state != s1.state:
            assert s1.next_change is not None
            assert s1.next_change <= t2
        assert t1 <= t2


# --- access: one source of truth --------------------------------------------------------------

SHORT = RetrySchedule("short", (timedelta(days=1), timedelta(days=2)))
LADDER = OverdueLadder(
    (OverdueState("suspend", days=4, actions=frozenset({OverdueAction.SUSPEND})),)
)
# Any policy, every field varied; its retries often the short schedule and its ladder often
# the one that suspends at four days, so that retries run out and the ladder acts within
# the steps drawn.
ACCESS_POLICIES = st.builds(
    lambda policy, schedule, ladder: attrs.evolve(
        policy, name=f"{policy.name}, varied", retry_schedule=schedule, overdue_ladder=ladder
    ),
    sr.policies(catalog=CATALOG),
    st.sampled_from([SHORT, SMART_RETRIES_LIKE]) | sr.retry_schedules(),
    st.sampled_from([None, LADDER]) | sr.overdue_ladders(USD),
)
COMMANDS = ["wake", "wake", "wake", "advance", "pay", "pay", "pay", "pay", "stale"]
ACCESS_STEPS = st.lists(
    st.tuples(
        st.sampled_from([*COMMANDS, "suspend", "reinstate", "cancel", "undo", "card"]),
        st.integers(0, 60 * 24 * 12),
        st.integers(0, 50),
        st.sampled_from([*OUTCOMES, Declined(DeclineKind.SOFT), Declined(DeclineKind.SOFT)]),
    ),
    max_size=40,
)


def _check_access(before: Subscription | None, decision: Decision, policy: BillingPolicy) -> None:
    """Replay the decision's access effects from the access before it."""
    access = True if before is None else has_access(before, policy)
    for effect in decision.effects:
        if isinstance(effect, (SuspendAccess, RestoreAccess)):
            # Each one changes access: never a withdrawal of access already withdrawn.
            assert access is isinstance(effect, SuspendAccess), (effect, decision.effects)
            access = isinstance(effect, RestoreAccess)
        elif isinstance(effect, EndAccess):
            access = False
    after = decision.subscription
    assert access is has_access(after, policy), (before, decision)
    ended = after.status is Status.ENDED and (before is None or before.status is not Status.ENDED)
    assert sum(isinstance(e, EndAccess) for e in decision.effects) == int(ended)


def _step(
    sub: Subscription, command: str, at: datetime, attempt: str, result: PaymentOutcome,
    policy: BillingPolicy,
) -> Decision | Refused:  # fmt: skip
    commands: dict[str, Callable[[], Decision | Refused]] = {
        "advance": lambda: advance(sub, at, catalog=CATALOG, policy=policy),
        "pay": lambda: record_payment(sub, attempt, result, at, catalog=CATALOG, policy=policy),
        "suspend": lambda: suspend(sub, at, policy=policy),
        "reinstate": lambda: reinstate(sub, at, catalog=CATALOG, policy=policy),
        "cancel": lambda: cancel(sub, at, policy=policy),
        "undo": lambda: undo_cancel(sub, at, policy=policy),
        "card": lambda: update_payment_method(sub, at, catalog=CATALOG, policy=policy),
    }
    return commands[command]()


@given(ACCESS_POLICIES, st.booleans(), st.booleans(), ACCESS_STEPS)
def test_access_effects_agree_with_has_access_after_every_decision(
    policy: BillingPolicy,
    trial: bool,
    card: bool,
    steps: list[tuple[str, int, int, PaymentOutcome]],
) -> None:
    """After every decision, the access its effects leave (replayed from has_access before
    it) is has_access(new subscription, policy); SuspendAccess and RestoreAccess are emitted
    exactly when access changes, and EndAccess exactly when the subscription ends. Outcomes
    answer any attempt charged so far, so duplicates and stale ones are drawn too."""
    started = start_subscription(
        "s", "c", "personal", MONTHLY, START, catalog=CATALOG, trial=trial,
        has_payment_method=card, policy=policy,
    )  # fmt: skip
    _check_access(None, started, policy)
    sub = started.subscription
    attempts = [e.idempotency_key for e in started.effects if isinstance(e, ChargeInvoice)]
    for drawn, minutes, pick, result in steps:
        command, at = drawn, sub.processed_until + timedelta(minutes=minutes)
        if drawn == "wake":  # advance to the next thing due, when there is one
            wake = next_wakeup(sub, policy=policy)
            command, at = "advance", (at if wake is None else max(wake, sub.processed_until))
        pending = [o.attempt_key for o in sub.open_invoices if o.attempt_key is not None]
        attempt = ""
        if drawn == "pay" and pending:
            attempt = pending[pick % len(pending)]
        elif drawn in {"pay", "stale"} and attempts:  # any attempt so far: maybe answered
            command, attempt = "pay", attempts[pick % len(attempts)]
        elif drawn in {"pay", "stale"}:
            continue
        try:
            decision = _step(sub, command, at, attempt, result, policy)
        except InvalidPeriodError:  # a command at or after a period end not yet processed
            continue
        if isinstance(decision, Refused):
            continue
        _check_access(sub, decision, policy)
        attempts.extend(e.idempotency_key for e in decision.effects if isinstance(e, ChargeInvoice))
        sub = decision.subscription
