"""Payment outcomes as values: each names the charge attempt it answers, and its fields are typed.

Issue 12 (money safety). Personal costs USD 50.00 a month; the default schedule
(SMART_RETRIES_LIKE) retries 1, 3, 5, 7, 9, 11 and 14 days after the first failure.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from subscription_rules import (
    MONTHLY,
    RefusalReason,
    Refused,
    Status,
    default_catalog,
    start_subscription,
)
from subscription_rules.dunning import Declined, DeclineKind, GatewayError
from subscription_rules.errors import InvalidArgumentError

CATALOG = default_catalog()
START = datetime(2026, 11, 1, tzinfo=UTC)
WRONG: Any = "hard"
THREE: Any = 3

# --- bug 19: enum-typed fields refuse strings -------------------------------------------------


@pytest.mark.parametrize("kind", ["hard", "soft", "HARD", 1, None, True])
def test_declined_refuses_a_kind_that_is_not_a_decline_kind(kind: object) -> None:
    # Declined("hard") used to be accepted and then treated as a soft decline (it is not
    # DeclineKind.HARD), so a stolen card was retried on the schedule.
    with pytest.raises(InvalidArgumentError, match=r"^kind: expected DeclineKind, got ") as caught:
        Declined(kind)  # type: ignore[arg-type]
    assert caught.value.argument == "kind"
    assert caught.value.value == kind


def test_declined_and_gateway_error_refuse_text_fields_of_another_type() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^code: expected str, got int 5"):
        Declined(DeclineKind.SOFT, 5)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^message: expected str, got NoneType None"):
        GatewayError(None)  # type: ignore[arg-type]
    assert Declined(DeclineKind.HARD, "stolen_card").kind is DeclineKind.HARD


def test_refused_refuses_a_reason_that_is_not_a_refusal_reason() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^reason: expected RefusalReason, got str"):
        Refused(WRONG, "no")
    with pytest.raises(InvalidArgumentError, match=r"^message: expected str, got int 3"):
        Refused(RefusalReason.NO_CHANGE, THREE)


@pytest.mark.parametrize(
    ("field", "value"),
    [("suspension_reason", "payment_failed"), ("suspended_from", "active")],
)
def test_a_subscription_refuses_optional_enums_given_as_strings(field: str, value: Any) -> None:
    sub = start_subscription(
        "s", "c", "personal", MONTHLY, START, catalog=CATALOG, trial=False
    ).subscription
    with pytest.raises(InvalidArgumentError, match=rf"^{field}: expected ") as caught:
        attrs.evolve(sub, **{field: value})
    assert caught.value.value == value
    suspended = attrs.evolve(sub, status=Status.SUSPENDED, suspended_from=Status.ACTIVE)
    assert suspended.suspended_from is Status.ACTIVE
