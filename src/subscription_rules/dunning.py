"""Failed payments: outcomes, retry schedules, and an overdue ladder that cannot skip a step.

The help page: "If your payment fails, the system automatically retries. You
receive notifications via email and through your AnyTrack dashboard. Update
your payment details immediately to prevent service interruptions."

A payment's result comes back to the library as a :data:`PaymentOutcome`:
:class:`Succeeded`, :class:`Pending` (accepted, the result comes later: bank
debits), :class:`Declined` (``SOFT``: may succeed later; ``HARD``:
lost or stolen card, revoked authorisation, authentication required — retrying
cannot help until the payment method changes) or :class:`GatewayError` (a
technical failure, not the customer's). A :class:`RetrySchedule` says when a
declined invoice is tried again, as offsets from the first failure.

Kill Bill's documented example: a payment fails on 6 August 2021 and is retried
1, 8, 4 and 7 days apart.

>>> failed = datetime(2021, 8, 6, 10, tzinfo=UTC)
>>> [at.date().isoformat() for at in KILL_BILL_EXAMPLE.retry_times(failed)]
['2021-08-07', '2021-08-15', '2021-08-19', '2021-08-26']
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Final, TypeAlias

import attrs

from subscription_rules._calendar import in_zone
from subscription_rules._checks import described, expect, shown, wrong_type
from subscription_rules.errors import InvalidArgumentError, InvalidInstantError, InvalidPolicyError
from subscription_rules.money import Money
from subscription_rules.periods import require_aware, zone

__all__ = [
    "GATEWAY_BACKOFF",
    "KILL_BILL_EXAMPLE",
    "LONGEST_LOCAL_DAY",
    "MAX_OVERDUE_DAYS",
    "MAX_RETRIES",
    "MAX_RETRY_WINDOW",
    "SMART_RETRIES_LIKE",
    "THREE_RETRIES",
    "DeclineKind",
    "Declined",
    "GatewayError",
    "OverdueAction",
    "OverdueLadder",
    "OverdueState",
    "OverdueStatus",
    "PaymentOutcome",
    "Pending",
    "RetrySchedule",
    "Succeeded",
    "UnpaidInvoice",
    "overdue_state",
]

_ONE_DAY: Final = timedelta(days=1)

#: The most retries a schedule may hold.
MAX_RETRIES: Final = 50

#: The longest span from the first failure to the last retry.
MAX_RETRY_WINDOW: Final = timedelta(days=366)

#: The longest a local day can last: 24 hours and a two-hour DST change (Antarctica/Troll;
#: an hour in most zones). A retry waiting for a local hour waits at most this long.
LONGEST_LOCAL_DAY: Final = timedelta(hours=26)

#: The most days an overdue state may wait for (ten years of 366 days).
MAX_OVERDUE_DAYS: Final = 3660

#: Waits before retrying after a gateway error: 5, 10, 20, 40 and 80 minutes.
#: Gateway errors are not the customer's fault and do not use a dunning attempt;
#: after these the next scheduled retry applies.
GATEWAY_BACKOFF: Final = tuple(timedelta(minutes=5 * 2**k) for k in range(5))


class DeclineKind(enum.Enum):
    """Whether retrying a declined payment can help.

    ``SOFT``: insufficient funds, a temporary issuer problem; may succeed later.
    ``HARD``: lost or stolen card, revoked authorisation, authentication
    required; no retry until the payment method changes (the attempt still
    counts).
    """

    SOFT = "soft"
    HARD = "hard"


@attrs.frozen
class Succeeded:
    """The payment went through.

    >>> Succeeded()
    Succeeded()
    """


@attrs.frozen
class Declined:
    """The issuer declined the payment; ``code`` is the gateway's decline code, for logs.

    ``kind`` must be a :class:`DeclineKind`: the text ``"hard"`` is refused rather
    than read as a soft decline (a stolen card would be retried).

    >>> Declined(DeclineKind.HARD, "stolen_card").kind.value
    'hard'
    >>> Declined("hard")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidArgumentError: kind: expected DeclineKind, got str 'hard'
    """

    kind: DeclineKind
    code: str = ""

    def __attrs_post_init__(self) -> None:
        expect(self.kind, DeclineKind, "kind")
        expect(self.code, str, "code")


@attrs.frozen
class GatewayError:
    """The payment could not be attempted for a technical reason (timeout, outage).

    >>> GatewayError("timeout").message
    'timeout'
    """

    message: str = ""

    def __attrs_post_init__(self) -> None:
        expect(self.message, str, "message")


@attrs.frozen
class Pending:
    """The gateway accepted the charge; its result comes later (SEPA, ACH, bank debits).

    The attempt stays open and in flight: a later ``Succeeded`` or ``Declined``
    for the same attempt resolves it, and the policy's ``pending_timeout``
    bounds the wait (then it counts as a soft decline).

    >>> Pending()
    Pending()
    """


#: What a payment attempt came to.
PaymentOutcome: TypeAlias = Succeeded | Pending | Declined | GatewayError


def _check_offsets(value: object) -> tuple[timedelta, ...]:
    offsets = tuple(value) if isinstance(value, (tuple, list)) else None
    if offsets is None or not all(isinstance(o, timedelta) for o in offsets):
        raise InvalidPolicyError(
            f"must be a tuple of timedelta offsets, got {shown(value)}",
            argument="offsets",
            value=value,
        )
    if not 1 <= len(offsets) <= MAX_RETRIES:
        raise InvalidPolicyError(
            f"must hold 1 to {MAX_RETRIES} retries, got {len(offsets)}",
            argument="offsets",
            value=value,
        )
    previous = timedelta(0)
    for offset in offsets:
        if offset <= previous:
            raise InvalidPolicyError(
                f"retry offsets must be positive and strictly increasing, got {offset} "
                f"after {previous}",
                argument="offsets",
                value=value,
            )
        previous = offset
    if previous > MAX_RETRY_WINDOW:
        raise InvalidPolicyError(
            f"the last retry must come within {MAX_RETRY_WINDOW.days} days of the first "
            f"failure, got {previous}",
            argument="offsets",
            value=value,
        )
    return offsets


def _check_hour(_instance: object, _attribute: object, value: int | None) -> None:
    if value is not None and (type(value) is not int or not 0 <= value <= 23):
        raise InvalidPolicyError(
            f"must be None or an hour from 0 to 23, got {shown(value)}",
            argument="local_hour",
            value=value,
        )


def _check_name(value: object, argument: str) -> None:
    if not (isinstance(value, str) and value and value.isascii() and value.isprintable()):
        raise InvalidPolicyError(
            f"must be a non-empty ASCII name, got {described(value)}",
            argument=argument,
            value=value,
        )


@attrs.frozen
class RetrySchedule:
    """When a declined invoice is retried: offsets from the first failure.

    Offsets are strictly increasing, at most :data:`MAX_RETRIES` of them, the
    last within :data:`MAX_RETRY_WINDOW`. With ``local_hour`` each retry moves
    to the next time that hour comes round in the customer's time zone (many
    debit cards succeed more often just after midnight).

    >>> RetrySchedule("bad", (timedelta(days=3), timedelta(days=1)))
    Traceback (most recent call last):
    subscription_rules.errors.InvalidPolicyError: offsets: retry offsets must be positive and strictly increasing, got 1 day, 0:00:00 after 3 days, 0:00:00
    """

    name: str
    offsets: tuple[timedelta, ...] = attrs.field(converter=_check_offsets)
    local_hour: int | None = attrs.field(default=None, validator=_check_hour)

    def __attrs_post_init__(self) -> None:
        _check_name(self.name, "name")
        if self.local_hour is None:
            return
        for earlier, later in zip(self.offsets, self.offsets[1:], strict=False):
            if later - earlier < _ONE_DAY:
                raise InvalidPolicyError(
                    "retries aligned to a local hour must be at least a day apart, "
                    f"got {later} after {earlier}",
                    argument="offsets",
                    value=self.offsets,
                )

    @classmethod
    def from_gaps(cls, name: str, days: Sequence[int]) -> RetrySchedule:
        """Build a schedule from the days between consecutive attempts (Kill Bill's style).

        >>> [o.days for o in RetrySchedule.from_gaps("kb", (1, 8, 4, 7)).offsets]
        [1, 9, 13, 20]
        """
        if not isinstance(days, (tuple, list)):
            raise InvalidPolicyError(
                f"must be a tuple or list of day gaps, got {described(days)}",
                argument="days",
                value=days,
            )
        if len(days) > MAX_RETRIES:
            raise InvalidPolicyError(
                f"must hold 1 to {MAX_RETRIES} retries, got {len(days)}",
                argument="days",
                value=days,
            )
        total, offsets = 0, []
        for gap in days:
            if type(gap) is not int or gap <= 0:
                raise InvalidPolicyError(
                    f"gaps must be positive ints of days, got {shown(gap)}",
                    argument="days",
                    value=days,
                )
            total += gap
            if total > MAX_RETRY_WINDOW.days:
                raise InvalidPolicyError(
                    f"the last retry must come within {MAX_RETRY_WINDOW.days} days of the first "
                    f"failure, got {shown(total)} days",
                    argument="days",
                    value=days,
                )
            offsets.append(timedelta(days=total))
        return cls(name, tuple(offsets))

    @property
    def retries(self) -> int:
        """How many retries follow the first failure."""
        return len(self.offsets)

    @property
    def window(self) -> timedelta:
        """The longest span from the first failure to the last retry.

        The last offset, plus up to a local day when retries wait for a local
        hour: a day of up to :data:`LONGEST_LOCAL_DAY` (26 hours) where clocks
        are set back.

        >>> RetrySchedule("midnight", (timedelta(days=3),), local_hour=0).window
        datetime.timedelta(days=4, seconds=7200)
        """
        return self.offsets[-1] + (
            LONGEST_LOCAL_DAY if self.local_hour is not None else timedelta(0)
        )

    def deadline(self, first_failure: datetime) -> datetime:
        """The end of the window after a first failure at ``first_failure``, in UTC.

        A hard decline waits this long for a new payment method. Counted in
        elapsed time, so the zone ``first_failure`` is written in does not matter.

        >>> THREE_RETRIES.deadline(datetime(2026, 3, 1, 12, tzinfo=UTC)).isoformat()
        '2026-03-08T12:00:00+00:00'
        """
        start = in_zone(require_aware(first_failure, "first_failure"), UTC, "first_failure")
        try:
            return start + self.window
        except OverflowError:  # within a retry window of datetime.max
            raise InvalidInstantError(
                f"the retry window after {first_failure} would end beyond year 9999",
                argument="first_failure",
                value=first_failure,
            ) from None

    def retry_time(self, first_failure: datetime, index: int, time_zone: str = "UTC") -> datetime:
        """The instant of retry ``index`` (0-based) after a first failure at ``first_failure``.

        See :meth:`retry_times`.

        >>> late = RetrySchedule("late", (timedelta(days=1),), local_hour=0)
        >>> late.retry_time(datetime(2026, 3, 1, 15, tzinfo=UTC), 0, "Europe/Paris").isoformat()
        '2026-03-03T00:00:00+01:00'
        """
        if type(index) is not int or not 0 <= index < len(self.offsets):
            raise InvalidArgumentError(
                f"must be an int from 0 to {len(self.offsets) - 1}, got {shown(index)}",
                argument="index",
                value=index,
            )
        return self._times(first_failure, time_zone, index + 1, named=index)[index]

    def retry_times(self, first_failure: datetime, time_zone: str = "UTC") -> tuple[datetime, ...]:
        """Every retry instant after a first failure at ``first_failure``, in ``time_zone``.

        Offsets are elapsed time, added in UTC: the retries depend on the
        failure instant and the billing time zone only, never on the zone the
        instant is written in. With ``local_hour`` each retry moves to the next
        time that hour comes round in ``time_zone`` (an hour that a DST change
        skips moves forward by the gap; an hour that occurs twice is taken at
        its first pass), and never onto or before the retry before it.

        >>> times = SMART_RETRIES_LIKE.retry_times(datetime(2026, 11, 1, tzinfo=UTC))
        >>> len(times), times[-1].date().isoformat()
        (7, '2026-11-15')

        Paris sets its clocks back on 25 October 2026, a day of 25 hours: retries
        one and two days after a failure at 22:30 UTC on the 23rd would both find
        the same next midnight, so the second waits for the one after.

        >>> midnight = RetrySchedule("midnight", (timedelta(days=1), timedelta(days=2)),
        ...     local_hour=0)
        >>> [t.isoformat() for t in midnight.retry_times(datetime(2026, 10, 23, 22, 30,
        ...     tzinfo=UTC), "Europe/Paris")]
        ['2026-10-26T00:00:00+01:00', '2026-10-27T00:00:00+01:00']
        """
        return self._times(first_failure, time_zone, len(self.offsets))

    def _times(
        self, first_failure: datetime, time_zone: str, count: int, named: int | None = None
    ) -> tuple[datetime, ...]:
        """The first ``count`` retry instants, in ``time_zone``.

        Beyond year 9999 the error names retry ``named`` (the one asked for), or else the
        first that falls there.
        """
        require_aware(first_failure, "first_failure")
        tz = zone(time_zone)
        start = in_zone(first_failure, UTC, "first_failure")
        times: list[datetime] = []
        previous = start
        try:
            for offset in self.offsets[:count]:
                at = start + offset
                if self.local_hour is not None:
                    at = _next_local_hour(at, previous, self.local_hour, tz)
                times.append(at)
                previous = at
            return tuple(at.astimezone(tz) for at in times)
        except OverflowError:  # within a retry window of datetime.max
            raise InvalidInstantError(
                f"retry {len(times) if named is None else named} after {first_failure} "
                "would fall beyond year 9999",
                argument="first_failure",
                value=first_failure,
            ) from None


def _next_local_hour(at: datetime, previous: datetime, hour: int, tz: tzinfo) -> datetime:
    """The first time ``hour`` comes round in ``tz`` at or after ``at`` and after ``previous``.

    Both instants are in UTC, and so is the result. The hour on a local date is
    normalised through UTC: ``fold=0`` gives a skipped hour moved forward by the
    gap and a repeated hour's first pass.
    """
    day = at.astimezone(tz).date()
    while True:
        candidate = datetime.combine(day, time(hour), tz).astimezone(UTC)
        if candidate >= at and candidate > previous:
            return candidate
        day += _ONE_DAY


#: Stripe's recommended Smart Retries setting, "8 tries within 2 weeks", as a
#: deterministic schedule: the first attempt, then 7 retries 1, 3, 5, 7, 9, 11
#: and 14 days after it (docs.stripe.com/billing/revenue-recovery/smart-retries).
SMART_RETRIES_LIKE: Final = RetrySchedule(
    "smart_retries_like", tuple(timedelta(days=d) for d in (1, 3, 5, 7, 9, 11, 14))
)

#: A custom schedule of three retries, 3, 5 and 7 days after the first failure
#: (Stripe's custom schedules allow up to three retries).
THREE_RETRIES: Final = RetrySchedule("three_retries", tuple(timedelta(days=d) for d in (3, 5, 7)))

#: Kill Bill's documented example: retries 1, 8, 4 and 7 days apart
#: (docs.killbill.io, "Payment retries").
KILL_BILL_EXAMPLE: Final = RetrySchedule.from_gaps("kill_bill_example", (1, 8, 4, 7))


# --- the overdue ladder -----------------------------------------------------------------------


class OverdueAction(enum.Enum):
    """What entering an overdue state does."""

    NOTICE = "notice"
    BLOCK_CHANGES = "block_changes"
    SUSPEND = "suspend"
    CANCEL = "cancel"


@attrs.frozen
class OverdueState:
    """One rung of the ladder: entered when every condition given is met (each "equal or more").

    ``days`` counts whole days since the oldest unpaid invoice was issued (at
    most :data:`MAX_OVERDUE_DAYS`); ``balance`` is the total unpaid (a
    non-negative ``Money``); ``invoices`` the number unpaid. A state needs at
    least one condition.

    >>> OverdueState("warning", days=7, actions=frozenset({OverdueAction.NOTICE})).days
    7
    """

    name: str
    days: int | None = None
    balance: Money | None = None
    invoices: int | None = None
    actions: frozenset[OverdueAction] = frozenset()

    def __attrs_post_init__(self) -> None:
        _check_name(self.name, "name")
        if self.days is None and self.balance is None and self.invoices is None:
            raise InvalidPolicyError(
                f"overdue state {shown(self.name)} needs a condition (days, balance or invoices)",
                argument="state",
                value=self.name,
            )
        for key, number in (("days", self.days), ("invoices", self.invoices)):
            if number is not None and (type(number) is not int or number < 0):
                raise InvalidPolicyError(
                    f"must be a non-negative int, got {shown(number)}", argument=key, value=number
                )
        if self.days is not None and self.days > MAX_OVERDUE_DAYS:
            raise InvalidPolicyError(
                f"must be at most {MAX_OVERDUE_DAYS} days, got {shown(self.days)}",
                argument="days",
                value=self.days,
            )
        balance: object = self.balance
        if balance is not None and not (isinstance(balance, Money) and balance.minor >= 0):
            raise InvalidPolicyError(
                f"must be None or a non-negative Money, got {described(balance)}",
                argument="balance",
                value=balance,
            )
        actions: object = self.actions
        if not isinstance(actions, frozenset) or not all(
            isinstance(action, OverdueAction) for action in actions
        ):
            raise InvalidPolicyError(
                f"must be a frozenset of OverdueAction values, got {shown(actions)}",
                argument="actions",
                value=actions,
            )

    def _met_by_amounts(self, balance: Money, count: int) -> bool:
        return (self.balance is None or balance >= self.balance) and (
            self.invoices is None or count >= self.invoices
        )


@attrs.frozen
class OverdueLadder:
    """Overdue states in order of severity; a later state is entered after the earlier ones.

    >>> ladder = OverdueLadder((OverdueState("warning", days=7), OverdueState("blocked", days=14)))
    >>> [state.name for state in ladder.states]
    ['warning', 'blocked']
    """

    states: tuple[OverdueState, ...]

    def __attrs_post_init__(self) -> None:
        states: object = self.states
        if not isinstance(states, tuple) or not all(
            isinstance(state, OverdueState) for state in states
        ):
            raise InvalidPolicyError(
                f"must be a tuple of OverdueState values, got {described(states)}",
                argument="states",
                value=states,
            )
        if not self.states:
            raise InvalidPolicyError(
                "an overdue ladder needs at least one state", argument="states"
            )
        names = [state.name for state in self.states]
        if len(set(names)) != len(names):
            raise InvalidPolicyError(
                f"state names must be unique, got {names}", argument="states", value=names
            )


@attrs.frozen
class UnpaidInvoice:
    """What the ladder needs of an unpaid invoice: when it was issued and what is owed.

    >>> UnpaidInvoice(datetime(2026, 1, 1, tzinfo=UTC), Money.of("50", "USD")).amount
    Money.of('50.00', 'USD')
    """

    issued_at: datetime
    amount: Money

    def __attrs_post_init__(self) -> None:
        require_aware(self.issued_at, "issued_at")
        amount: object = self.amount
        if not isinstance(amount, Money):
            wrong_type(amount, "amount", "Money")


@attrs.frozen
class OverdueStatus:
    """Where an account stands on the ladder, and when that could next change.

    ``state`` is the most severe state reached (``None``: not overdue);
    ``entered`` lists every state entered since ``previous``, in ladder order,
    so none is skipped even when several thresholds passed at once;
    ``next_change`` is the earliest instant a further state could be entered
    with the same unpaid invoices (``None`` if none can).
    """

    state: OverdueState | None
    entered: tuple[OverdueState, ...]
    next_change: datetime | None


def _days_reached(oldest: datetime, at: datetime) -> int:
    return (in_zone(at, UTC, "at") - in_zone(oldest, UTC, "issued_at")).days


def overdue_state(
    unpaid: Sequence[UnpaidInvoice],
    at: datetime,
    ladder: OverdueLadder,
    previous: OverdueState | None = None,
) -> OverdueStatus:
    """Place an account on ``ladder`` at ``at``, from its oldest unpaid invoice, every time.

    The state is the furthest rung whose conditions all hold — rungs are
    climbed in order, so a rung is reached only if every earlier rung is too.
    Because days are counted from the oldest invoice still unpaid, paying old
    invoices simply restarts the count from the next oldest; and because
    ``next_change`` is recomputed on every call, a warning due on a given day
    is entered on that day, never skipped.

    >>> ladder = OverdueLadder((OverdueState("warning", days=7), OverdueState("blocked", days=14)))
    >>> bill = UnpaidInvoice(datetime(2026, 1, 1, tzinfo=UTC), Money.of("50", "USD"))
    >>> status = overdue_state([bill], datetime(2026, 1, 20, tzinfo=UTC), ladder)
    >>> status.state.name, [s.name for s in status.entered], status.next_change
    ('blocked', ['warning', 'blocked'], None)
    >>> overdue_state([bill], datetime(2026, 1, 3, tzinfo=UTC), ladder).next_change.date()
    datetime.date(2026, 1, 8)
    """
    at = require_aware(at, "at")
    given: object = unpaid  # checked at run time: hosts call this from untyped code
    if not isinstance(given, tuple | list) or not all(
        isinstance(invoice, UnpaidInvoice) for invoice in given
    ):
        raise InvalidArgumentError(
            f"expected a sequence of UnpaidInvoice values, got {described(unpaid)}",
            argument="unpaid",
            value=unpaid,
        )
    given = ladder
    if not isinstance(given, OverdueLadder):
        raise InvalidArgumentError(
            f"expected an OverdueLadder, got {described(ladder)}",
            argument="ladder",
            value=ladder,
        )
    expect(previous, (OverdueState, type(None)), "previous")
    if not unpaid:
        return OverdueStatus(None, (), None)
    # Days are elapsed days, counted in UTC like `_days_reached`: the wall clock of the
    # zone an invoice's instant is written in would move a threshold by an hour across DST.
    oldest = min(in_zone(invoice.issued_at, UTC, "issued_at") for invoice in unpaid)
    balance = unpaid[0].amount
    for invoice in unpaid[1:]:
        balance += invoice.amount
    count = len(unpaid)
    days = _days_reached(oldest, at)
    reached = -1
    next_change = None
    for index, state in enumerate(ladder.states):
        if state.days is not None and days < state.days:
            if state._met_by_amounts(balance, count):  # noqa: SLF001 - same module
                try:
                    next_change = oldest + timedelta(days=state.days)
                except OverflowError:  # beyond year 9999: never
                    next_change = None
            break
        if not state._met_by_amounts(balance, count):  # noqa: SLF001 - same module
            break
        reached = index
    current = ladder.states[reached] if reached >= 0 else None
    start = ladder.states.index(previous) + 1 if previous in ladder.states else 0
    entered = ladder.states[start : reached + 1] if reached >= start else ()
    return OverdueStatus(current, tuple(entered), next_change)
