"""An outbox-friendly shell: effects carried out one by one, resumable after a crash (issue 16, item 4).

A host keeps a subscription (Personal, USD 50.00 a month, from 1 Nov 2026) and an outbox.
Each request stores the decision's subscription and enqueues its entries in one
transaction; a worker claims one entry at a time, performs it, records a charge's outcome
with ``record_payment`` and marks the entry done in one transaction. The gateway declines
the 1 Dec renewal once (retried 2 Dec, paid), answers the 1 Jan renewal ``Pending`` (the
bank pays it on 5 Jan, by webhook) and pays the rest. By hand: five charges (1 Nov, 1 Dec,
2 Dec, 1 Jan, 1 Feb), four collected: USD 200.00.

The run is interrupted after each possible effect — after performing it but before its
transaction commits, and after the commit — and resumed from the outbox: every charge is
made once per idempotency key, and every notice key is delivered (a notice performed
just before a crash is delivered again under the same key, for the notifier to drop).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from helpers import utc
from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    ChargeInvoice,
    Decision,
    Subscription,
    advance,
    default_catalog,
    record_payment,
    start_subscription,
)
from subscription_rules.dunning import Declined, DeclineKind, Pending, Succeeded
from subscription_rules.ports import outbox_entries, perform
from subscription_rules.testing import InMemoryOutbox, RecordingNotifier, ScriptedGateway

CATALOG = default_catalog()
POLICY = SEED_POLICY
START = datetime(2026, 11, 1, tzinfo=UTC)
JANUARY = "sub_1:renewal:2027-01-01T00:00:00+00:00:due-5000"
STEPS: tuple[tuple[str, datetime], ...] = (
    ("advance", utc(2026, 12, 1)),
    ("advance", utc(2026, 12, 2)),
    ("advance", utc(2027, 1, 1)),
    ("webhook", utc(2027, 1, 5)),
    ("advance", utc(2027, 2, 1)),
)


class CrashError(Exception):
    """The worker died."""


class World:
    """What outlives a crash: the database (subscription, outbox), the gateway, the bank."""

    def __init__(self) -> None:
        self.gateway = ScriptedGateway(
            by_invoice={
                "sub_1-INV-0002": [Declined(DeclineKind.SOFT), Succeeded()],
                "sub_1-INV-0003": [Pending()],
            }
        )
        self.notifier = RecordingNotifier()
        self.outbox = InMemoryOutbox()
        started = start_subscription(
            "sub_1",
            "cus_1",
            "personal",
            MONTHLY,
            START,
            catalog=CATALOG,
            policy=POLICY,
            trial=False,
        )
        self.sub: Subscription = started.subscription
        self.outbox.enqueue(outbox_entries(started))
        self.next_step = 0
        self.bank_settled = False


class Host:
    """A worker that crashes at its ``crash_at``-th point (``None``: never)."""

    def __init__(self, world: World, crash_at: int | None) -> None:
        self.world, self.crash_at, self.points = world, crash_at, 0

    def point(self) -> None:
        self.points += 1
        if self.points == self.crash_at:
            raise CrashError

    def commit(self, decision: Decision) -> None:
        self.world.sub = decision.subscription
        self.world.outbox.enqueue(outbox_entries(decision))

    def drain(self) -> None:
        world = self.world
        while batch := world.outbox.claim(1):
            (entry,) = batch
            outcome = perform(entry, gateway=world.gateway, notifier=world.notifier)
            self.point()  # performed, not committed
            if outcome is not None and isinstance(entry.effect, ChargeInvoice):
                result = record_payment(
                    world.sub,
                    entry.effect.idempotency_key,
                    outcome,
                    world.sub.processed_until,
                    catalog=CATALOG,
                    policy=POLICY,
                )
                if isinstance(result, Decision):
                    self.commit(result)
            world.outbox.mark_done(entry.key)
            self.point()  # committed

    def run(self) -> None:
        world = self.world
        self.drain()  # what a crashed worker left
        while world.next_step < len(STEPS):
            what, at = STEPS[world.next_step]
            if what == "advance":
                self.commit(advance(world.sub, at, catalog=CATALOG, policy=POLICY))
            else:  # the bank pays the pending January debit; its webhook arrives
                if not world.bank_settled:
                    world.gateway.settle(JANUARY, Succeeded())
                    world.bank_settled = True
                result = record_payment(
                    world.sub, JANUARY, Succeeded(), at, catalog=CATALOG, policy=POLICY
                )
                if isinstance(result, Decision):
                    self.commit(result)
            self.drain()
            world.next_step += 1


def finished(crash_at: int | None) -> tuple[World, int]:
    world = World()
    host = Host(world, crash_at)
    try:
        host.run()
    except CrashError:
        Host(world, None).run()
    return world, host.points


def test_the_uninterrupted_run_charges_as_worked_out_by_hand() -> None:
    world, _ = finished(None)
    assert [(c.invoice_id, c.idempotency_key) for c in world.gateway.charges] == [
        ("sub_1-INV-0001", "sub_1:charge:sub_1-INV-0001:due-5000:attempt-1"),
        ("sub_1-INV-0002", "sub_1:renewal:2026-12-01T00:00:00+00:00:due-5000"),
        ("sub_1-INV-0002", "sub_1:charge:sub_1-INV-0002:due-5000:attempt-2"),
        ("sub_1-INV-0003", JANUARY),
        ("sub_1-INV-0004", "sub_1:renewal:2027-02-01T00:00:00+00:00:due-5000"),
    ]
    assert world.gateway.collected == 20_000
    assert world.sub.open_invoices == ()
    assert world.outbox.claim(100) == ()


def _crash_points() -> int:
    _, points = finished(None)
    return points


@pytest.mark.parametrize("crash_at", range(1, _crash_points() + 1))
def test_a_run_interrupted_after_any_effect_and_resumed_does_each_effect_once(
    crash_at: int,
) -> None:
    expected, _ = finished(None)
    world, _ = finished(crash_at)
    charged = Counter(c.idempotency_key for c in world.gateway.charges)
    assert charged == Counter(c.idempotency_key for c in expected.gateway.charges)
    assert set(charged.values()) == {1}
    assert world.gateway.collected == expected.gateway.collected == 20_000
    assert world.sub == expected.sub
    assert world.outbox.done == expected.outbox.done
    delivered = [d.notice.key for d in world.notifier.deliveries]
    wanted = [d.notice.key for d in expected.notifier.deliveries]
    assert list(dict.fromkeys(delivered)) == wanted
    # Only the notice in hand at a crash between performing and committing is repeated.
    assert len(delivered) - len(wanted) in {0, 1}
    if crash_at % 2 == 0:  # crashed after a commit: nothing at all is repeated
        assert delivered == wanted
