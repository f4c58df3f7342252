"""Every transition drawn in docs/lifecycle.md's state diagram happens as drawn.

The diagram is read from the docs; each edge needs a scenario here, and each scenario must
end in the drawn state, so the diagram and the code cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest

from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    BillingPolicy,
    Decision,
    MissingPaymentMethod,
    Refused,
    RetriesExhausted,
    Status,
    Subscription,
    TrialCancellation,
    advance,
    cancel,
    default_catalog,
    record_payment,
    reinstate,
    start_subscription,
    suspend,
    terminate,
    update_payment_method,
)
from subscription_rules.dunning import Declined, DeclineKind, Succeeded

CATALOG = default_catalog()
SOFT = Declined(DeclineKind.SOFT)
DIAGRAM = Path(__file__).parent.parent / "docs" / "lifecycle.md"
EDGE = re.compile(r"^\s*(\[\*\]|\w+) --> (\w+) : (.+)$")


def _edges() -> list[tuple[str, str, str]]:
    text = DIAGRAM.read_text(encoding="utf-8")
    block = text.split("```mermaid", 1)[1].split("```", 1)[0]
    return [m.groups() for line in block.splitlines() if (m := EDGE.match(line))]  # type: ignore[misc]


def at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC)


def start(*, trial: bool = True, card: bool = True) -> Decision:
    return start_subscription(
        "s",
        "c",
        "personal",
        MONTHLY,
        at(1),
        catalog=CATALOG,
        trial=trial,
        has_payment_method=card,
        policy=SEED_POLICY,
    )


def ok(result: Decision | Refused) -> Subscription:
    assert isinstance(result, Decision), result
    return result.subscription


def policy(**changes: object) -> BillingPolicy:
    return attrs.evolve(SEED_POLICY, name="seed, changed", **changes)  # type: ignore[arg-type]


def _trial_end(rules: BillingPolicy, *, card: bool) -> tuple[Subscription, Subscription]:
    before = start(card=card).subscription
    return before, advance(before, at(15), catalog=CATALOG, policy=rules).subscription


def _suspended_trial() -> Subscription:
    return ok(suspend(start().subscription, at(5), policy=SEED_POLICY))


def _suspended_active() -> Subscription:
    return ok(suspend(start(trial=False).subscription, at(5), policy=SEED_POLICY))


def _attempt(sub: Subscription) -> str:
    """The key of s-INV-0001's charge attempt awaiting an outcome."""
    item = sub.open_invoice("s-INV-0001")
    assert item is not None
    assert item.attempt_key is not None
    return item.attempt_key


def _declined(rules: BillingPolicy = SEED_POLICY) -> Subscription:
    """Active from 1 Nov (no trial), its first invoice declined on 1 Nov."""
    sub = start(trial=False).subscription
    return ok(record_payment(sub, _attempt(sub), SOFT, at(1), catalog=CATALOG, policy=rules))


def _exhausted(rules: BillingPolicy) -> Subscription:
    sub = _declined(rules)
    while sub.status is Status.PAST_DUE:
        retry = sub.open_invoices[0].next_retry_at
        assert retry is not None
        sub = advance(sub, retry, catalog=CATALOG, policy=rules).subscription
        sub = ok(record_payment(sub, _attempt(sub), SOFT, retry, catalog=CATALOG, policy=rules))
    return sub


def _paid(sub: Subscription, when: datetime) -> Subscription:
    """s-INV-0001 paid at ``when``: by the retry due by then, or else by a new card's charge."""
    sub = advance(sub, when, catalog=CATALOG, policy=SEED_POLICY).subscription
    item = sub.open_invoice("s-INV-0001")
    if item is None or not item.in_flight:
        sub = update_payment_method(sub, when, catalog=CATALOG, policy=SEED_POLICY).subscription
    return ok(
        record_payment(sub, _attempt(sub), Succeeded(), when, catalog=CATALOG, policy=SEED_POLICY)
    )


SCENARIOS: dict[tuple[str, str, str], Callable[[], tuple[Subscription | None, Subscription]]] = {
    ("[*]", "trialing", "start_subscription (a trial)"): lambda: (None, start().subscription),
    ("[*]", "active", "start_subscription (no trial)"): lambda: (
        None,
        start(trial=False).subscription,
    ),
    ("trialing", "active", "trial ends, a payment method on file"): lambda: _trial_end(
        SEED_POLICY, card=True
    ),
    ("trialing", "suspended", "trial ends, no payment method (SUSPEND)"): lambda: _trial_end(
        SEED_POLICY, card=False
    ),
    ("trialing", "past_due", "trial ends, no payment method (INVOICE)"): lambda: _trial_end(
        policy(missing_payment_method=MissingPaymentMethod.INVOICE), card=False
    ),
    ("trialing", "ended", "trial ends, no payment method (CANCEL)"): lambda: _trial_end(
        policy(missing_payment_method=MissingPaymentMethod.CANCEL), card=False
    ),
    ("trialing", "ended", "trial ends after cancel (KEEP_ACCESS)"): lambda: (
        start().subscription,
        advance(
            ok(
                cancel(
                    start().subscription,
                    at(5),
                    policy=policy(trial_cancellation=TrialCancellation.KEEP_ACCESS),
                )
            ),
            at(15),
            catalog=CATALOG,
            policy=SEED_POLICY,
        ).subscription,
    ),
    ("trialing", "suspended", "cancel (SUSPEND_NOW)"): lambda: (
        start().subscription,
        ok(cancel(start().subscription, at(5), policy=SEED_POLICY)),
    ),
    ("trialing", "suspended", "suspend"): lambda: (start().subscription, _suspended_trial()),
    ("active", "ended", "period ends after cancel"): lambda: (
        start(trial=False).subscription,
        advance(
            ok(cancel(start(trial=False).subscription, at(5), policy=SEED_POLICY)),
            at(1, 12),
            catalog=CATALOG,
            policy=SEED_POLICY,
        ).subscription,
    ),
    ("active", "ended", "terminate"): lambda: (
        start(trial=False).subscription,
        ok(terminate(start(trial=False).subscription, at(5), catalog=CATALOG, policy=SEED_POLICY)),
    ),
    ("active", "suspended", "suspend"): lambda: (
        start(trial=False).subscription,
        _suspended_active(),
    ),
    ("past_due", "suspended", "suspend"): lambda: (
        _trial_end(policy(missing_payment_method=MissingPaymentMethod.INVOICE), card=False)[1],
        ok(
            suspend(
                _trial_end(policy(missing_payment_method=MissingPaymentMethod.INVOICE), card=False)[
                    1
                ],
                at(16),
                policy=SEED_POLICY,
            )
        ),
    ),
    ("suspended", "trialing", "reinstate before the trial's end"): lambda: (
        _suspended_trial(),
        ok(reinstate(_suspended_trial(), at(6), catalog=CATALOG, policy=SEED_POLICY)),
    ),
    ("suspended", "active", "reinstate"): lambda: (
        _suspended_active(),
        ok(reinstate(_suspended_active(), at(6), catalog=CATALOG, policy=SEED_POLICY)),
    ),
    ("suspended", "active", "update_payment_method after a trial without one"): lambda: (
        _trial_end(SEED_POLICY, card=False)[1],
        ok(
            update_payment_method(
                _trial_end(SEED_POLICY, card=False)[1], at(20), catalog=CATALOG, policy=SEED_POLICY
            )
        ),
    ),
    ("active", "past_due", "a payment is declined"): lambda: (
        start(trial=False).subscription,
        _declined(),
    ),
    ("past_due", "active", "the overdue invoice is paid"): lambda: (
        _declined(),
        _paid(_declined(), at(2)),
    ),
    ("past_due", "suspended", "retries run out (SUSPEND)"): lambda: (
        _declined(),
        _exhausted(SEED_POLICY),
    ),
    ("past_due", "ended", "retries run out (CANCEL)"): lambda: (
        _declined(),
        _exhausted(policy(retries_exhausted=RetriesExhausted.CANCEL)),
    ),
    ("suspended", "active", "the overdue invoice is paid after suspension"): lambda: (
        _exhausted(SEED_POLICY),
        _paid(_exhausted(SEED_POLICY), at(20)),
    ),
    ("suspended", "past_due", "reinstate while a payment is overdue"): lambda: (
        ok(suspend(_declined(), at(2), policy=SEED_POLICY)),
        ok(
            reinstate(
                ok(suspend(_declined(), at(2), policy=SEED_POLICY)),
                at(3),
                catalog=CATALOG,
                policy=SEED_POLICY,
            )
        ),
    ),
    ("suspended", "ended", "cancel"): lambda: (
        _suspended_active(),
        ok(cancel(_suspended_active(), at(6), policy=SEED_POLICY)),
    ),
}


def test_the_diagram_and_the_scenarios_name_the_same_transitions() -> None:
    assert sorted(_edges()) == sorted(SCENARIOS)


@pytest.mark.parametrize(("source", "target", "label"), sorted(SCENARIOS))
def test_each_transition_happens_as_drawn(source: str, target: str, label: str) -> None:
    before, after = SCENARIOS[(source, target, label)]()
    assert (before.status.value if before else "[*]") == source
    assert after.status.value == target
