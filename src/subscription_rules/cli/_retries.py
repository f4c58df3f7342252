"""The ``retries`` subcommand: when a declined payment is retried, and what happens after."""

from __future__ import annotations

import argparse
import re
import textwrap
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs

from subscription_rules._input import about, bad, read_instant
from subscription_rules.cli._json import _document, _dump, _time_json
from subscription_rules.cli._options import PROG, _add, _write
from subscription_rules.cli._text import _TEXT_WIDTH, _aligned, _plural
from subscription_rules.dunning import (
    KILL_BILL_EXAMPLE,
    SMART_RETRIES_LIKE,
    THREE_RETRIES,
    RetrySchedule,
)
from subscription_rules.errors import InvalidInstantError
from subscription_rules.periods import zone
from subscription_rules.policy import (
    PRESETS,
    BillingPolicy,
    RetriesExhausted,
    preset,
)

_NBSP = "\N{NO-BREAK SPACE}"

if TYPE_CHECKING:
    from subscription_rules.cli._options import _Commands


_SCHEDULES: dict[str, RetrySchedule] = {
    "smart": SMART_RETRIES_LIKE,
    "three": THREE_RETRIES,
    "killbill": KILL_BILL_EXAMPLE,
}


_HOUR = re.compile(r"[0-9]{1,2}")


_LAST_HOUR = 23


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


_EXHAUSTED = {
    RetriesExhausted.SUSPEND: "suspends the account: access is withdrawn until the invoice is paid",
    RetriesExhausted.CANCEL: "ends the subscription at once",
    RetriesExhausted.MARK_UNPAID: (
        "marks the invoice unpaid: no more retries, and access is withdrawn while it stays past due"
    ),
    RetriesExhausted.STAY_PAST_DUE: "leaves the subscription past due, with access, and retries no more",
}


def _local_time(at: datetime, tz: ZoneInfo) -> str:
    """An instant as local weekday, ISO date and time: ``Sat 2021-08-07 00:00``."""
    local = at.astimezone(tz)
    return f"{_WEEKDAYS[local.weekday()]} {local:%Y-%m-%d %H:%M}"


def _after(delta: timedelta) -> str:
    """A positive duration in days, hours and minutes: ``9 days``, ``1 day 14 h``."""
    hours, rest = divmod(delta.seconds, 3600)
    parts = [_plural(delta.days, "day")] if delta.days else []
    if hours:
        parts.append(f"{hours} h")
    if rest // 60:
        parts.append(f"{rest // 60} min")
    return " ".join(parts) or "at once"


@attrs.frozen
class _Retries:
    """A retry schedule applied to one failure."""

    failed_at: datetime
    time_zone: ZoneInfo
    policy: BillingPolicy
    schedule: RetrySchedule
    times: tuple[datetime, ...]
    deadline: datetime


def _retries(args: argparse.Namespace) -> _Retries:
    """Check the options of ``retries`` and work the schedule out."""
    with about("--policy"):
        policy = preset(args.policy)
    with about("--time-zone"):
        tz = zone(args.time_zone)
    schedule = policy.retry_schedule if args.schedule is None else _SCHEDULES[args.schedule]
    hour: str | None = args.local_hour
    if hour is not None:
        if _HOUR.fullmatch(hour) is None or int(hour) > _LAST_HOUR:
            raise bad("--local-hour", f"expected a whole hour from 0 to 23, got {hour!r}", hour)
        with about("--local-hour"):
            schedule = attrs.evolve(schedule, local_hour=int(hour))
    failed_at = read_instant("--failed-at", args.failed_at, tz)
    with about("--failed-at"):
        times = schedule.retry_times(failed_at, tz.key)
    try:
        deadline = schedule.deadline(failed_at).astimezone(tz)
    except (InvalidInstantError, OverflowError):
        message = f"{args.failed_at!r} lies too close to year 9999 for this schedule"
        raise bad("--failed-at", message, args.failed_at) from None
    return _Retries(failed_at, tz, policy, schedule, times, deadline)


def _retries_text(found: _Retries) -> str:
    tz, schedule, policy = found.time_zone, found.schedule, found.policy
    count = "1 retry" if schedule.retries == 1 else f"{schedule.retries} retries"
    at_hour = ""
    if schedule.local_hour is not None:
        at_hour = f", each moved to the next {schedule.local_hour:02d}:00 local time"
    rows = [
        [str(number), _local_time(at, tz), _after(_elapsed(found.failed_at, at))]
        for number, at in enumerate(found.times, start=1)
    ]
    table = _aligned(["Retry", "At", "After the failure"], rows, [True, False, False])
    exhausted = policy.retries_exhausted
    return "\n".join(
        [
            (
                f"Retries after a payment failed at {_local_time(found.failed_at, tz)} "
                f"(time zone {tz.key}, policy {policy.name})"
            ),
            f"Schedule {schedule.name}: {count} within {_after(schedule.window)}{at_hour}",
            "",
            *table,
            "",
            *textwrap.wrap(
                f"When retry {schedule.retries} is declined too, policy {policy.name} "
                f"{_EXHAUSTED[exhausted]} (retries_exhausted: {exhausted.value}). A hard decline "
                "(a lost or stolen card, for example) is not retried: the invoice waits for a "
                f"new payment method until {_unbroken(_local_time(found.deadline, tz))}, then the same "
                "applies.",
                _TEXT_WIDTH,
                break_on_hyphens=False,
            ),
        ]
    ).replace(_NBSP, " ")


def _elapsed(start: datetime, end: datetime) -> timedelta:
    """The time elapsed from ``start`` to ``end``, in UTC (a wall clock gains or loses DST)."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def _unbroken(text: str) -> str:
    """``text`` with its spaces made unbreakable for :func:`textwrap.wrap` (restored after)."""
    return text.replace(" ", _NBSP)


def _retries_json(found: _Retries) -> str:
    """The policy and the schedule as documents; each retry in local time, with its offset."""
    tz = found.time_zone
    return _dump(
        {
            "failed_at": _time_json(found.failed_at, tz),
            "time_zone": tz.key,
            "policy": _document(found.policy),
            "schedule": _document(found.schedule),
            "retries": [
                {
                    "number": number,
                    "at": _time_json(at, tz),
                    "after_seconds": int(_elapsed(found.failed_at, at).total_seconds()),
                    "after": _after(_elapsed(found.failed_at, at)),
                }
                for number, at in enumerate(found.times, start=1)
            ],
            "hard_decline_deadline": _time_json(found.deadline, tz),
            "when_exhausted": _EXHAUSTED[found.policy.retries_exhausted],
        }
    )


def register(commands: _Commands) -> None:
    """Add ``retries``: when a declined payment is retried."""
    retries = _add(
        commands,
        "retries",
        _cmd_retries,
        summary="when a failed payment is retried",
        description="When a declined payment is retried: each retry's number, local time and\n"
        "offset from the failure, then what the policy does when the retries run out.",
        epilog=f"example (Kill Bill's documented schedule):\n  {PROG} retries --failed-at "
        "2021-08-06 --schedule killbill",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    retries.add_argument(
        "--failed-at", metavar="DATE", required=True, help="when the first attempt was declined"
    )
    retries.add_argument(
        "--schedule",
        choices=tuple(_SCHEDULES),
        help="smart (1, 3, 5, 7, 9, 11, 14 days), three (3, 5, 7 days) or killbill "
        "(1, 9, 13, 20 days) (default: the policy's)",
    )
    retries.add_argument(
        "--policy",
        metavar="PRESET",
        default="seed",
        help=f"billing conventions: {', '.join(PRESETS)} (default: seed)",
    )
    retries.add_argument(
        "--time-zone",
        metavar="ZONE",
        default="UTC",
        help="IANA time zone of the customer and of dates without an offset (default: UTC)",
    )
    retries.add_argument(
        "--local-hour",
        metavar="H",
        help="move each retry to the next time this hour (0-23) comes round locally",
    )
    retries.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _cmd_retries(args: argparse.Namespace) -> int:
    found = _retries(args)
    _write(_retries_json(found) if args.json else _retries_text(found))
    return 0
