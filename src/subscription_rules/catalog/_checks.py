"""The catalog's input checks: each raises a :class:`~subscription_rules.errors.CatalogError`.

Kept together so that the values, the moves and the TOML loader check input one way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

from subscription_rules._checks import described, shown
from subscription_rules.errors import CatalogError, SubscriptionRulesError

MAX_COUNT: Final = 10**15
"""The largest limit, usage count, quantity or described count of a metric (a quadrillion)."""

_METRIC_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_PLAN_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def _as_tuple(value: object, what: str, *, key: str) -> tuple[object, ...]:
    """``tuple(value)`` for a collection field, refusing a non-iterable or a string."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise CatalogError(f"must be {what}, got {described(value)}", key=key, value=value)
    return tuple(value)


def _require(
    value: object, cls: type[object], what: str, *, plan: str | None = None, key: str
) -> None:
    """Raise a :class:`CatalogError` unless ``value`` is an instance of ``cls``."""
    if not isinstance(value, cls):
        raise CatalogError(
            f"must be {what}, got {described(value)}", plan=plan, key=key, value=value
        )


def _bare_message(err: SubscriptionRulesError) -> str:
    """Return an error's message without its ``argument: `` prefix."""
    text = str(err)
    return text.removeprefix(f"{err.argument}: ") if err.argument else text


def _relabel(
    err: SubscriptionRulesError, *, plan: str | None, key: str | None = None
) -> CatalogError:
    """Restate an error from a value constructor with the plan and key it came from."""
    own_key = err.key if isinstance(err, CatalogError) else err.argument
    return CatalogError(_bare_message(err), plan=plan, key=key or own_key, value=err.value)


def _check_text(value: object, *, plan: str | None = None, key: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(
            f"must be a non-empty string, got {described(value)}", plan=plan, key=key, value=value
        )


def _check_pattern(value: object, pattern: re.Pattern[str], what: str, *, key: str) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise CatalogError(f"must be {what}, got {shown(value)}", key=key, value=value)
