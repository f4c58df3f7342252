"""Wrong types at the entry points: refused with InvalidArgumentError naming the argument."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from subscription_rules import (
    MONTHLY,
    Money,
    Usage,
    advance,
    billing_summary,
    cancel,
    cancel_pending_change,
    channels_for,
    default_catalog,
    quote_change,
    record_payment,
    reinstate,
    start_subscription,
    suspend,
    undo_cancel,
    upcoming_invoice,
    update_payment_method,
)
from subscription_rules.credits import apply_credit
from subscription_rules.dunning import Succeeded
from subscription_rules.effects import SuspendAccess
from subscription_rules.errors import InvalidArgumentError, InvalidInstantError
from subscription_rules.notifications import Notice, NoticeKind
from subscription_rules.policy import SEED_POLICY
from subscription_rules.simulation import simulate

CATALOG = default_catalog()
AT = datetime(2026, 11, 2, tzinfo=UTC)
SUB = start_subscription(
    "s",
    "c",
    "personal",
    MONTHLY,
    datetime(2026, 11, 1, tzinfo=UTC),
    catalog=CATALOG,
    trial=False,
    policy=SEED_POLICY,
).subscription
WRONG: Any = "x"
NUMBER: Any = 5

CASES: list[tuple[str, Callable[[], object], str]] = [
    (
        "start/catalog",
        lambda: start_subscription(
            "s", "c", "personal", MONTHLY, AT, catalog=WRONG, policy=SEED_POLICY
        ),
        "catalog",
    ),
    (
        "start/interval",
        lambda: start_subscription(
            "s", "c", "personal", WRONG, AT, catalog=CATALOG, policy=SEED_POLICY
        ),
        "interval",
    ),
    (
        "start/policy",
        lambda: start_subscription(
            "s", "c", "personal", MONTHLY, AT, catalog=CATALOG, policy=WRONG
        ),
        "policy",
    ),
    (
        "advance/subscription",
        lambda: advance(WRONG, AT, catalog=CATALOG, policy=SEED_POLICY),
        "subscription",
    ),
    ("advance/catalog", lambda: advance(SUB, AT, catalog=WRONG, policy=SEED_POLICY), "catalog"),
    ("cancel/subscription", lambda: cancel(WRONG, AT, policy=SEED_POLICY), "subscription"),
    ("undo/policy", lambda: undo_cancel(SUB, AT, policy=WRONG), "policy"),
    ("suspend/subscription", lambda: suspend(WRONG, AT, policy=SEED_POLICY), "subscription"),
    ("reinstate/catalog", lambda: reinstate(SUB, AT, catalog=WRONG, policy=SEED_POLICY), "catalog"),
    (
        "card/catalog",
        lambda: update_payment_method(SUB, AT, catalog=WRONG, policy=SEED_POLICY),
        "catalog",
    ),
    (
        "payment/attempt",
        lambda: record_payment(SUB, NUMBER, Succeeded(), AT, catalog=CATALOG, policy=SEED_POLICY),
        "attempt",
    ),
    (
        "quote/plan_id",
        lambda: quote_change(
            SUB, NUMBER, MONTHLY, AT, catalog=CATALOG, usage=Usage(), policy=SEED_POLICY
        ),
        "plan_id",
    ),
    (
        "quote/interval",
        lambda: quote_change(
            SUB, "pro", WRONG, AT, catalog=CATALOG, usage=Usage(), policy=SEED_POLICY
        ),
        "interval",
    ),
    (
        "pending/subscription",
        lambda: cancel_pending_change(WRONG, AT, policy=SEED_POLICY),
        "subscription",
    ),
    (
        "upcoming/catalog",
        lambda: upcoming_invoice(SUB, AT, catalog=WRONG, policy=SEED_POLICY),
        "catalog",
    ),
    (
        "summary/usage",
        lambda: billing_summary(SUB, WRONG, AT, catalog=CATALOG, policy=SEED_POLICY),
        "usage",
    ),
    ("credit/balance", lambda: apply_credit(WRONG, Money.of("1", "USD")), "balance"),
    ("channels/notice", lambda: channels_for(WRONG, WRONG), "notice"),
    (
        "simulate/script",
        lambda: simulate(SUB, [WRONG], AT, catalog=CATALOG, policy=SEED_POLICY),
        "script",
    ),
]


@pytest.mark.parametrize(("name", "call", "argument"), CASES, ids=[c[0] for c in CASES])
def test_a_wrong_type_is_refused_naming_the_argument(
    name: str, call: Callable[[], object], argument: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=rf"^{argument}: expected ") as caught:
        call()
    assert caught.value.argument == argument, name


def test_a_notice_refuses_a_missing_moment_and_wrong_fields() -> None:
    # Notices are values a host may build in its own tests: each field is checked.
    good: dict[str, Any] = {
        "kind": NoticeKind.RENEWED,
        "subscription_id": "s",
        "customer_id": "c",
        "at": AT,
        "facts": (),
        "occasion": "o",
    }
    assert Notice(**good).at == AT
    with pytest.raises(InvalidInstantError, match=r"^at: "):
        Notice(**{**good, "at": None})
    with pytest.raises(InvalidInstantError, match=r"^at: "):
        Notice(**{**good, "at": datetime(2026, 11, 2)})  # noqa: DTZ001 - naive on purpose
    for name, value in (("kind", "renewed"), ("occasion", None), ("facts", []), ("customer_id", 1)):
        with pytest.raises(InvalidArgumentError, match=rf"^{name}: expected"):
            Notice(**{**good, name: value})


def test_suspend_access_refuses_a_reason_that_is_not_a_suspension_reason() -> None:
    with pytest.raises(
        InvalidArgumentError, match=r"^reason: expected SuspensionReason, got NoneType"
    ):
        SuspendAccess(None)  # type: ignore[arg-type]
