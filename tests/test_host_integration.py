"""A host's test suite, as a host would write it: the fakes wired to execute and simulate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from helpers import utc
from subscription_rules import (
    MONTHLY,
    CreditNote,
    Decision,
    IssueCreditNote,
    NoticeKind,
    Refused,
    Subscription,
    Usage,
    advance,
    cancel,
    change_plan,
    default_catalog,
    start_subscription,
)
from subscription_rules.dunning import Declined, DeclineKind, PaymentOutcome, Succeeded
from subscription_rules.policy import SEED_POLICY
from subscription_rules.ports import execute
from subscription_rules.simulation import (
    Cancel,
    ChangePlan,
    Step,
    UpdatePaymentMethod,
    simulate,
)
from subscription_rules.testing import FixedClock, RecordingNotifier, ScriptedGateway

CATALOG = default_catalog()


def test_a_year_run_by_a_host_matches_the_simulated_timeline() -> None:
    # Personal from 1 Nov 2026 with a 14-day trial (converts 15 Nov); Advanced from 20 Nov;
    # the renewal invoice sub_1-INV-0005 declined once and paid on its retry; a downgrade to
    # Personal scheduled on 1 Mar (applied 15 Mar); cancelled on 1 Aug.
    start = start_subscription(
        "sub_1", "cus_1", "personal", MONTHLY, utc(2026, 11, 1), catalog=CATALOG, policy=SEED_POLICY
    )
    usage = Usage.of(properties=3)
    script = [
        Step(utc(2026, 11, 20), ChangePlan("advanced")),
        Step(utc(2027, 3, 1), ChangePlan("personal")),
        Step(utc(2027, 8, 1), Cancel()),
    ]
    scripted: dict[str, list[PaymentOutcome]] = {
        "sub_1-INV-0005": [Declined(DeclineKind.SOFT), Succeeded()]
    }
    until = utc(2027, 11, 1)
    timeline = simulate(
        start,
        script,
        until,
        catalog=CATALOG,
        outcomes_by_invoice=scripted,
        usage=usage,
        policy=SEED_POLICY,
    )

    # The host's own loop: its nightly job wakes the subscription when told to, its
    # dashboard sends the commands, and its adapters (here the fakes) carry out the effects.
    gateway = ScriptedGateway(by_invoice=scripted)
    notifier = RecordingNotifier()
    credit_notes: list[CreditNote] = []

    def run(decision: Decision, at: datetime) -> Decision:
        done = execute(
            decision,
            gateway=gateway,
            notifier=notifier,
            catalog=CATALOG,
            clock=FixedClock(at),
            policy=SEED_POLICY,
        )
        credit_notes.extend(p.credit_note for p in done.performed if isinstance(p, IssueCreditNote))
        return Decision(done.subscription, (), decision.next_wakeup)

    state = run(start, utc(2026, 11, 1))
    commands: dict[datetime, Callable[[Subscription, datetime], Decision | Refused]] = {
        utc(2026, 11, 20): lambda s, at: change_plan(
            s, "advanced", MONTHLY, at, catalog=CATALOG, usage=usage, policy=SEED_POLICY
        ),
        utc(2027, 3, 1): lambda s, at: change_plan(
            s, "personal", MONTHLY, at, catalog=CATALOG, usage=usage, policy=SEED_POLICY
        ),
        utc(2027, 8, 1): lambda s, at: cancel(s, at, policy=SEED_POLICY),
    }
    sub = state.subscription
    wake = advance(sub, sub.processed_until, catalog=CATALOG, policy=SEED_POLICY).next_wakeup
    while True:
        upcoming = [t for t in commands if t > sub.processed_until]
        at = min([until, *upcoming, *([wake] if wake else [])])
        moved = advance(sub, at, catalog=CATALOG, usage=usage, policy=SEED_POLICY)
        sub = run(moved, at).subscription
        wake = moved.next_wakeup
        if at in commands:
            result = commands[at](sub, at)
            assert isinstance(result, Decision)
            sub = run(result, at).subscription
            wake = advance(sub, at, catalog=CATALOG, policy=SEED_POLICY).next_wakeup
        if at >= until:
            break

    assert sub == timeline.subscription
    charged = sum(
        c.amount.minor
        for c, o in zip(gateway.charges, gateway.outcomes, strict=True)
        if isinstance(o, Succeeded)
    )
    assert charged == timeline.charged.minor
    assert sum(n.amount.minor for n in credit_notes) == timeline.credited.minor
    assert [d.notice.key for d in notifier.deliveries] == [n.key for n in timeline.notices]
    kinds = {n.kind for n in timeline.notices}
    assert {
        NoticeKind.TRIAL_CONVERTED,
        NoticeKind.UPGRADED,
        NoticeKind.PAYMENT_FAILED,
        NoticeKind.PAYMENT_RECOVERED,
        NoticeKind.DOWNGRADE_SCHEDULED,
        NoticeKind.DOWNGRADED,
        NoticeKind.CANCELLATION_SCHEDULED,
    } <= kinds
    # Cancelled on 1 Aug, the subscription ran to its period's end, 15 Aug (the cycle is
    # anchored on the trial's end, 15 Nov), and nothing is left unpaid.
    assert timeline.subscription.status.value == "ended"
    assert timeline.subscription.ended_at == utc(2027, 8, 15)
    assert timeline.subscription.open_invoices == ()


def test_the_simulation_replays_identically() -> None:
    start = start_subscription(
        "s", "c", "advanced", MONTHLY, utc(2026, 11, 1), catalog=CATALOG, policy=SEED_POLICY
    )
    script = [Step(utc(2027, 2, 3), ChangePlan("pro")), Step(utc(2027, 5, 1), Cancel())]
    first = simulate(
        start,
        script,
        utc(2027, 12, 1),
        catalog=CATALOG,
        outcomes=[Declined(DeclineKind.SOFT)],
        policy=SEED_POLICY,
    )
    second = simulate(
        start,
        script,
        utc(2027, 12, 1),
        catalog=CATALOG,
        outcomes=[Declined(DeclineKind.SOFT)],
        policy=SEED_POLICY,
    )
    assert first == second


def test_re_executing_a_decision_charges_nothing_twice() -> None:
    sub = start_subscription(
        "s",
        "c",
        "personal",
        MONTHLY,
        utc(2026, 11, 1),
        catalog=CATALOG,
        trial=False,
        policy=SEED_POLICY,
    )
    gateway, notifier = ScriptedGateway(), RecordingNotifier()
    done = execute(sub, gateway=gateway, notifier=notifier, catalog=CATALOG, policy=SEED_POLICY)
    renewal = advance(done.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY)
    once = execute(
        renewal,
        gateway=gateway,
        notifier=notifier,
        catalog=CATALOG,
        clock=FixedClock(utc(2026, 12, 1)),
        policy=SEED_POLICY,
    )
    twice = execute(
        Decision(once.subscription, renewal.effects),
        gateway=gateway,
        notifier=notifier,
        catalog=CATALOG,
        clock=FixedClock(utc(2026, 12, 1)),
        policy=SEED_POLICY,
    )
    assert [c.amount.minor for c in gateway.charges] == [5000, 5000]
    assert twice.attempts[0].refused is not None  # the repeated outcome was not counted again
    assert gateway.collected == 10000


def test_a_declined_upgrade_goes_through_dunning_via_the_shell() -> None:
    sub = start_subscription(
        "s",
        "c",
        "personal",
        MONTHLY,
        utc(2026, 11, 1),
        catalog=CATALOG,
        trial=False,
        policy=SEED_POLICY,
    )
    gateway = ScriptedGateway([Succeeded(), Declined(DeclineKind.HARD)])
    notifier = RecordingNotifier()
    done = execute(sub, gateway=gateway, notifier=notifier, catalog=CATALOG, policy=SEED_POLICY)
    upgrade = change_plan(
        done.subscription,
        "pro",
        MONTHLY,
        utc(2026, 11, 16),
        catalog=CATALOG,
        usage=Usage(),
        policy=SEED_POLICY,
    )
    assert isinstance(upgrade, Decision)
    after = execute(
        upgrade,
        gateway=gateway,
        notifier=notifier,
        catalog=CATALOG,
        clock=FixedClock(utc(2026, 11, 16)),
        policy=SEED_POLICY,
    )
    assert after.subscription.status.value == "past_due"
    kinds = [d.notice.kind.value for d in notifier.deliveries]
    assert "payment_method_needed" in kinds
    fixed = simulate(
        after.subscription,
        [Step(utc(2026, 11, 20), UpdatePaymentMethod())],
        utc(2026, 11, 21),
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert fixed.subscription.status.value == "active"


def test_a_soft_declined_renewal_is_retried_the_next_day_in_a_simulation() -> None:
    # Personal from 1 Nov 2026 (no trial): the 1 Dec renewal (sub_1-INV-0002) is declined,
    # retried on 2 Dec (SMART_RETRIES_LIKE: +1 day) and paid then.
    start = start_subscription(
        "sub_1",
        "cus_1",
        "personal",
        MONTHLY,
        utc(2026, 11, 1),
        catalog=CATALOG,
        trial=False,
        policy=SEED_POLICY,
    )
    scripted: dict[str, list[PaymentOutcome]] = {
        "sub_1-INV-0002": [Declined(DeclineKind.SOFT), Succeeded()]
    }
    timeline = simulate(
        start,
        [],
        utc(2026, 12, 10),
        catalog=CATALOG,
        outcomes_by_invoice=scripted,
        policy=SEED_POLICY,
    )
    rows = [(e.at, e.what, e.status.value, e.charged.minor) for e in timeline.entries]
    assert rows == [
        (utc(2026, 11, 1), "start", "active", 5000),
        (utc(2026, 12, 1), "renewed", "past_due", 0),
        (utc(2026, 12, 2), "payment retried", "active", 5000),
    ]
