"""The model-based tests' zones and years, and instants at the edges of time.

Start instants come from the shipped ``instants(..., edges=True)`` (DST gaps and folds, month
ends, Feb 29, mid-day anchors); the offset changes a life steps to are the ones it samples.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from subscription_rules.strategies._edges import transitions as _transitions

#: Zones with DST in both hemispheres (and a half-hour shift), plus two without DST.
ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Paris",
    "Australia/Sydney",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
]

FIRST_YEAR, LAST_YEAR = 2027, 2029


def transitions(zone: str) -> tuple[datetime, ...]:
    """Every UTC instant from 2027 to 2029 at which ``zone``'s UTC offset changes (to the second)."""
    return _transitions(zone, FIRST_YEAR, LAST_YEAR)


def express(at: datetime, zone: str, in_zone: bool) -> datetime:
    """``at`` as a host may pass it: in UTC, or in the billing zone (fold set on the repeat hour)."""
    return at.astimezone(ZoneInfo(zone)) if in_zone else at.astimezone(UTC)
