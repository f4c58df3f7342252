"""The rules bound to a catalog and a policy (``Rulebook``), and the request loop ``handle``.

``handle`` is advance-then-command: every command in every status gives what a
host doing both by hand gets (the catch-up's effects, then the command's). The
figures of the worked examples are computed by hand from the instants and the
seed policy's prices (Personal USD 50.00 a month, Advanced USD 150.00).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Final, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import CATALOG, NOV_1, decided, started, utc
from subscription_rules import (
    SEED_POLICY,
    Adjust,
    Cancel,
    CancelPendingChange,
    ChangePlan,
    ChargeInvoice,
    Command,
    Decision,
    Handled,
    MigratePrice,
    RecordPayment,
    Refused,
    Reinstate,
    Rulebook,
    SendNotice,
    SetTrialEnd,
    Status,
    Subscription,
    Succeeded,
    Suspend,
    Terminate,
    UndoCancel,
    UpdatePaymentMethod,
    Usage,
    adjust,
    advance,
    cancel,
    cancel_pending_change,
    change_plan,
    migrate_price,
    next_wakeup,
    parse_catalog,
    record_payment,
    reinstate,
    set_trial_end,
    suspend,
    terminate,
    undo_cancel,
    update_payment_method,
)
from subscription_rules.errors import (
    CurrencyMismatchError,
    InvalidArgumentError,
    InvalidPeriodError,
    SubscriptionRulesError,
)
from subscription_rules.strategies._lives import _later, _Life, _lives
from subscription_rules.strategies._values import _maybe_usages, usages

RULES: Final = Rulebook(CATALOG, SEED_POLICY)
STATUSES: Final = (
    Status.TRIALING,
    Status.ACTIVE,
    Status.PAST_DUE,
    Status.SUSPENDED,
    Status.ENDED,
)
KINDS: Final = (
    "change_plan",
    "cancel",
    "undo_cancel",
    "suspend",
    "reinstate",
    "update_payment_method",
    "cancel_pending_change",
    "set_trial_end",
    "terminate",
    "adjust",
    "record_payment",
    "migrate_price",
)
SLOW: Final = settings(max_examples=8)


def _paid(sub: Subscription, at: datetime) -> Subscription:
    """``sub`` with its one open invoice paid at ``at``."""
    (item,) = sub.open_invoices
    assert item.attempt_key is not None
    return decided(RULES.record_payment(sub, item.attempt_key, Succeeded(), at)).subscription


# --------------------------------------------------------------------------- by hand


def _command(
    draw: st.DrawFn, kind: str, life: _Life, caught_up: Subscription, at: datetime
) -> Command:
    """A command of ``kind`` fitted to the subscription as it will be at ``at``."""
    catalog = life.catalog
    if kind == "change_plan":
        plan = draw(st.sampled_from(catalog.plans))
        return ChangePlan(plan.id, draw(st.sampled_from(plan.intervals)), draw(usages(catalog)))
    if kind == "set_trial_end":
        return SetTrialEnd(at + timedelta(days=draw(st.integers(0, 20))))
    if kind == "adjust":
        invoices = [s.invoice_id for s in caught_up.stretches if s.invoice_id] or ["none"]
        one = caught_up.zero.with_minor(draw(st.integers(1, 100)))
        return Adjust(draw(st.sampled_from(invoices)), one, reason="goodwill")
    if kind == "record_payment":
        keys = [o.attempt_key for o in caught_up.open_invoices if o.attempt_key] or ["unknown"]
        return RecordPayment(draw(st.sampled_from(keys)), Succeeded())
    simple: dict[str, Command] = {
        "cancel": Cancel(),
        "undo_cancel": UndoCancel(),
        "suspend": Suspend(),
        "reinstate": Reinstate(),
        "update_payment_method": UpdatePaymentMethod(),
        "cancel_pending_change": CancelPendingChange(),
        "terminate": Terminate(),
        "migrate_price": MigratePrice(),
    }
    return simple[kind]


def _by_hand(  # noqa: C901, PLR0911 - one branch per command
    life: _Life, sub: Subscription, command: Command, at: datetime, usage: Usage | None
) -> Decision | Refused:
    """The plain rule function for ``command``, as a host would call it."""
    catalog, policy = life.catalog, life.policy
    match command:
        case ChangePlan():
            assert command.interval is not None
            assert command.usage is not None
            return change_plan(
                sub,
                command.plan_id,
                command.interval,
                at,
                catalog=catalog,
                usage=command.usage,
                policy=policy,
            )
        case Cancel():
            return cancel(sub, at, policy=policy)
        case UndoCancel():
            return undo_cancel(sub, at, policy=policy)
        case Suspend():
            return suspend(sub, at, policy=policy)
        case Reinstate():
            return reinstate(sub, at, catalog=catalog, policy=policy)
        case UpdatePaymentMethod():
            return update_payment_method(sub, at, catalog=catalog, policy=policy)
        case CancelPendingChange():
            return cancel_pending_change(sub, at, policy=policy)
        case SetTrialEnd():
            return set_trial_end(sub, command.trial_end, at, catalog=catalog, policy=policy)
        case Terminate():
            return terminate(sub, at, catalog=catalog, usage=usage, policy=policy)
        case Adjust():
            return adjust(
                sub,
                command.invoice_id,
                command.amount,
                at,
                reason=command.reason,
                catalog=catalog,
                policy=policy,
            )
        case RecordPayment():
            return record_payment(
                sub, command.attempt, command.outcome, at, catalog=catalog, policy=policy
            )
        case MigratePrice():
            return migrate_price(
                sub, at, catalog=catalog, policy=policy, effective_at=command.effective_at
            )
    raise AssertionError(command)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", STATUSES, ids=lambda status: status.value)
@SLOW
@given(data=st.data())
def test_handle_is_advance_then_the_command_with_the_effects_merged_in_that_order(
    status: Status, kind: str, data: st.DataObject
) -> None:
    """Every command in every status: ``handle`` equals ``advance`` to ``at`` (only when ``at``
    is later than what was processed), then the command at ``at`` on what advance left; the
    merged decision is the final subscription, advance's effects then the command's, and the
    command's next wake-up; a refusal keeps advance's decision whole."""
    draw = cast("st.DrawFn", data.draw)
    life = draw(_lives((status,), None, None))
    sub, rules = life.subscription, Rulebook(life.catalog, life.policy)
    at = draw(st.sampled_from((sub.processed_until, _later(draw, sub, 2))))
    usage = draw(_maybe_usages(life.catalog))
    try:
        if at > sub.processed_until:
            time = advance(sub, at, catalog=life.catalog, policy=life.policy, usage=usage)
        else:
            time = Decision(sub, (), next_wakeup(sub, policy=life.policy))
    except SubscriptionRulesError as by_hand:  # a usage that cannot describe every period
        with pytest.raises(type(by_hand), match=re.escape(str(by_hand))):
            rules.handle(sub, Cancel(), at, usage=usage)
        return
    command = _command(draw, kind, life, time.subscription, at)
    try:
        result = _by_hand(life, time.subscription, command, at, usage)
    except SubscriptionRulesError as by_hand:
        with pytest.raises(type(by_hand), match=re.escape(str(by_hand))):
            rules.handle(sub, command, at, usage=usage)
        return
    handled = rules.handle(sub, command, at, usage=usage)
    if isinstance(result, Refused):
        assert handled == Handled(time, result)
        assert not handled.accepted
    else:
        merged = Decision(result.subscription, time.effects + result.effects, result.next_wakeup)
        assert handled == Handled(merged)
        assert handled.accepted


# --------------------------------------------------------------------------- worked examples


def test_handle_long_after_the_last_processing_renews_first_then_applies_the_command() -> None:
    """Personal from 1 Nov 2026 (paid), cancelled on 10 Feb 2027 with nothing processed since.

    Renewals on 1 Dec, 1 Jan and 1 Feb come first, each USD 50.00 with its
    notice; then the cancellation, effective at the end of the period that
    started on 1 Feb: 1 Mar 2027.
    """
    sub = _paid(started(), NOV_1)
    handled = RULES.handle(sub, Cancel(), utc(2027, 2, 10))
    decision = handled.decision
    assert handled.refused is None
    assert [(i.period_start, str(i.amount_due)) for i in decision.invoices] == [
        (utc(2026, 12, 1), "USD 50.00"),
        (utc(2027, 1, 1), "USD 50.00"),
        (utc(2027, 2, 1), "USD 50.00"),
    ]
    kinds = [n.kind.value for n in decision.notices]
    assert kinds[-1] == "cancellation_scheduled"
    assert "cancellation_scheduled" not in kinds[:-1]
    # Every renewal's effects come before the command's.
    last_charge = max(i for i, e in enumerate(decision.effects) if isinstance(e, ChargeInvoice))
    assert isinstance(decision.effects[-1], SendNotice)
    assert last_charge < len(decision.effects) - 1
    assert decision.subscription.cancel_at_period_end
    assert decision.subscription.processed_until == utc(2027, 2, 10)
    assert decision.notices[-1].fact("ends_at") == utc(2027, 3, 1)


def test_a_refused_command_after_time_passed_keeps_the_catch_up_to_carry_out() -> None:
    """Personal from 1 Nov 2026 (paid); on 5 Dec, undo a cancellation that was never made.

    The command is refused, but the 1 December renewal (USD 50.00) happened:
    the decision is exactly ``advance`` to 5 Dec, to be stored and carried out.
    """
    sub = _paid(started(), NOV_1)
    dec_5 = utc(2026, 12, 5)
    handled = RULES.handle(sub, UndoCancel(), dec_5)
    assert handled.refused is not None
    assert handled.refused.message == "no cancellation is scheduled"
    assert handled.decision == advance(sub, dec_5, catalog=CATALOG, policy=SEED_POLICY)
    assert [str(i.amount_due) for i in handled.decision.invoices] == ["USD 50.00"]
    assert handled.decision.subscription.processed_until == dec_5


def test_handle_never_catches_up_backwards() -> None:
    """At or before ``processed_until`` there is no catch-up: at it, the command alone; before
    it, the command's own rule refuses the moment."""
    sub = decided(
        advance(_paid(started(), NOV_1), utc(2026, 11, 20), catalog=CATALOG, policy=SEED_POLICY)
    ).subscription
    at_it = RULES.handle(sub, Cancel(), sub.processed_until)
    assert at_it.decision == decided(cancel(sub, sub.processed_until, policy=SEED_POLICY))
    with pytest.raises(InvalidPeriodError, match="already processed"):
        RULES.handle(sub, Cancel(), utc(2026, 11, 10))


def test_a_plan_change_takes_the_usage_of_handle_unless_it_carries_its_own() -> None:
    """Advanced to Personal (3 properties) needs the account's usage: 4 properties do not fit
    whichever way they come; none at all is an error naming ``usage``."""
    sub = _paid(started("advanced"), NOV_1)
    nov_5 = utc(2026, 11, 5)
    too_many = Usage.of(properties=4)
    by_handle = RULES.handle(sub, ChangePlan("personal"), nov_5, usage=too_many)
    by_command = RULES.handle(sub, ChangePlan("personal", usage=too_many), nov_5)
    assert by_handle.refused is not None
    assert by_handle.refused.reason.value == "infeasible"
    assert by_command == by_handle
    with pytest.raises(InvalidArgumentError, match=r"^usage: a plan change"):
        RULES.handle(sub, ChangePlan("personal"), nov_5)


def test_each_method_is_the_rule_with_the_catalog_and_policy_bound() -> None:
    """Terminate on 16 Nov: Advanced's unused half of November, USD 150.00 x 15/30 = USD 75.00,
    credited as ``terminate`` itself credits it."""
    sub = _paid(started("advanced"), NOV_1)
    nov_16 = utc(2026, 11, 16)
    by_method = decided(RULES.terminate(sub, nov_16))
    assert by_method == terminate(sub, nov_16, catalog=CATALOG, policy=SEED_POLICY)
    assert str(by_method.credit_notes[0].amount) == "USD 75.00"
    assert RULES.next_wakeup(sub) == next_wakeup(sub, policy=SEED_POLICY)
    assert RULES.has_access(sub)
    assert not RULES.changes_blocked(sub)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("catalog", "policy", "message"),
    [
        ("catalog", SEED_POLICY, "^catalog: expected Catalog, got str 'catalog'"),
        (CATALOG, "seed", "^policy: expected BillingPolicy, got str 'seed'"),
        (None, SEED_POLICY, "^catalog: expected Catalog, got NoneType None"),
    ],
)
def test_a_rulebook_refuses_anything_but_a_catalog_and_a_policy(
    catalog: object, policy: object, message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        Rulebook(catalog, policy)  # type: ignore[arg-type]


def test_a_rulebook_refuses_a_subscription_priced_in_another_currency() -> None:
    euros = parse_catalog(
        'currency = "EUR"\n[[plans]]\nid = "a"\nname = "A"\nprices = {monthly = 1}'
    )
    rules = Rulebook(euros, SEED_POLICY)
    with pytest.raises(CurrencyMismatchError, match=r"^catalog: expected currency 'USD'"):
        rules.handle(started(), Cancel(), utc(2026, 12, 5))


def test_handle_refuses_what_is_not_a_command() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^command: expected a command"):
        RULES.handle(started(), "cancel", utc(2026, 11, 5))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- property


@SLOW
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_handle_never_raises_a_period_error_for_a_moment_not_before_what_was_processed(
    data: st.DataObject, kind: str
) -> None:
    """Random lives, random commands, any moment up to 24 periods on: time is caught up first,
    so no rule finds its moment unprocessed (``InvalidPeriodError``)."""
    draw = cast("st.DrawFn", data.draw)
    life = draw(_lives(STATUSES, None, None))
    sub = life.subscription
    at = _later(draw, sub, 24)
    rules = Rulebook(life.catalog, life.policy)
    caught_up = rules.advance(sub, at).subscription if at > sub.processed_until else sub
    command = _command(draw, kind, life, caught_up, at)
    handled = rules.handle(sub, command, at)
    assert handled.decision.subscription.processed_until >= at
    if handled.accepted:
        assert handled.decision.next_wakeup == rules.next_wakeup(handled.decision.subscription)
