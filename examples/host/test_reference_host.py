"""The reference host over a year: 1,000 customers, random requests and webhooks (issue 16, item 5).

The checks read the host's own tables and the fake providers' records, never
what the library says about itself (the stored documents are read only where a
check is about them: they must reload, and their credit balance must be the
ledger's).

``HOST_POSTGRES_DSN`` (set by ``make test-postgres``) adds a PostgreSQL run of
every test, with four workers claiming due subscriptions and outbox entries
(``FOR UPDATE SKIP LOCKED``); without it the tests run on SQLite alone.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from host.db import Connection
from host.simulation import Crasher, World, play
from subscription_rules import Subscription
from subscription_rules.serialization import dump, dumps, load, loads

POSTGRES = os.environ.get("HOST_POSTGRES_DSN")
DATABASES = ["sqlite", "postgres"] if POSTGRES else ["sqlite"]
CUSTOMERS = 1_000


def _database(kind: str, directory: Path, name: str) -> Callable[[], Connection]:
    if kind == "sqlite":
        path = str(directory / f"{name}.sqlite3")
        return lambda: Connection.sqlite(path)
    assert POSTGRES is not None
    dsn = POSTGRES
    fresh = Connection.postgres(dsn, name)
    fresh.drop_tables()
    fresh.close()
    return lambda: Connection.postgres(dsn, name)


@pytest.fixture(scope="module", params=DATABASES)
def year(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> World:
    kind: str = request.param
    connect = _database(kind, tmp_path_factory.mktemp(kind), "year")
    return play(connect, customers=CUSTOMERS, workers=4 if kind == "postgres" else 1)


@pytest.fixture
def tables(year: World) -> Iterator[Callable[[str], list[tuple[Any, ...]]]]:
    connection = year.connect()

    def rows(sql: str) -> list[tuple[Any, ...]]:
        with connection.transaction() as tx:
            return tx.all(sql)

    yield rows
    connection.close()


def _collected_by_invoice(world: World) -> Counter[str]:
    collected: Counter[str] = Counter()
    for intent in world.stripe.payment_intents.values():
        collected[intent["metadata"]["invoice_id"]] += intent["amount_received"]
    return collected


def test_the_year_is_busy(year: World, tables: Callable[[str], list[tuple[Any, ...]]]) -> None:
    """The run exercises what the checks are about: every kind of answer and delivery."""
    statuses = Counter(intent["status"] for intent in year.stripe.payment_intents.values())
    assert statuses["succeeded"] > 5_000
    assert statuses["requires_payment_method"] > 300
    codes = Counter(
        intent["last_payment_error"]["decline_code"]
        for intent in year.stripe.payment_intents.values()
        if intent["last_payment_error"]
    )
    assert codes["stolen_card"] + codes["expired_card"] > 20
    assert year.stats.webhooks["recorded"] > 300  # pending settled, lost responses, late
    assert year.stats.webhooks["duplicate_outcome"] > 100
    assert year.stats.webhooks["already_paid"] > 1_000
    assert year.stats.refused > 100
    [(refunds,)] = tables("SELECT COUNT(*) FROM refunds")
    [(credit_notes,)] = tables("SELECT COUNT(*) FROM credit_notes")
    assert refunds > 20
    assert credit_notes > 100
    [(deliveries,)] = tables("SELECT COUNT(*) FROM webhook_events WHERE delivery > 1")
    assert deliveries > 100


def test_nothing_is_charged_twice(
    year: World, tables: Callable[[str], list[tuple[Any, ...]]]
) -> None:
    """One PaymentIntent per idempotency key; per invoice, collected is due when paid, else 0."""
    keys = Counter(
        intent["metadata"]["attempt_key"] for intent in year.stripe.payment_intents.values()
    )
    assert keys.most_common(1)[0][1] == 1
    answered: dict[str, set[str]] = defaultdict(set)
    for call in year.stripe.calls:
        if call["path"] == "/v1/payment_intents":
            answered[call["idempotency_key"]].add(repr(sorted(call["params"].items())))
    assert all(len(params) == 1 for params in answered.values())
    collected = _collected_by_invoice(year)
    invoices = tables("SELECT id, amount_due, paid_at, paid_by FROM invoices")
    assert len(invoices) > 5_000
    for invoice_id, due, paid_at, paid_by in invoices:
        expected = due if paid_at is not None and paid_by != "credit" else 0
        assert (invoice_id, collected[invoice_id]) == (invoice_id, expected)
    assert set(collected) <= {row[0] for row in invoices}
    payments = tables("SELECT payment_intent, status, amount FROM payments")
    stripe_view = {
        intent_id: (intent["status"], intent["amount"])
        for intent_id, intent in year.stripe.payment_intents.items()
    }
    assert {row[0]: (row[1], row[2]) for row in payments} == stripe_view


def test_the_ledger_balances_to_the_cent(
    year: World, tables: Callable[[str], list[tuple[Any, ...]]]
) -> None:
    """Collected − refunded = Σ invoices paid − Σ refunds; credit balances are the ledger's."""
    collected = sum(i["amount_received"] for i in year.stripe.payment_intents.values())
    refunded = sum(r["amount"] for r in year.stripe.refunds.values())
    [(paid,)] = tables("SELECT SUM(amount_due) FROM invoices WHERE paid_at IS NOT NULL")
    [(host_refunds,)] = tables("SELECT COALESCE(SUM(amount), 0) FROM refunds")
    assert collected - refunded == paid - host_refunds
    assert refunded == host_refunds
    for refund in year.stripe.refunds.values():  # each refund pays back the payment it names
        intent = year.stripe.payment_intents[refund["payment_intent"]]
        assert refund["metadata"]["invoice_id"] == intent["metadata"]["invoice_id"]
    by_note = dict(tables("SELECT credit_note_number, SUM(amount) FROM refunds GROUP BY 1"))
    for number, amount, note_refunded, to_balance in tables(
        "SELECT number, amount, refunded, to_balance FROM credit_notes"
    ):
        assert (number, by_note.get(number, 0)) == (number, note_refunded)
        assert amount == note_refunded + to_balance
    for invoice_id, subtotal, applied, due in tables(
        "SELECT id, subtotal, credit_applied, amount_due FROM invoices"
    ):
        assert (invoice_id, subtotal - applied) == (invoice_id, due)
    credited = dict(tables("SELECT subscription_id, SUM(to_balance) FROM credit_notes GROUP BY 1"))
    applied = dict(tables("SELECT subscription_id, SUM(credit_applied) FROM invoices GROUP BY 1"))
    for subscription_id, document in tables("SELECT id, document FROM subscriptions"):
        ledger = credited.get(subscription_id, 0) - applied.get(subscription_id, 0)
        balance = loads(document, Subscription).credit_balance.minor
        assert (subscription_id, ledger) == (subscription_id, balance)


def test_every_stored_document_reloads(tables: Callable[[str], list[tuple[Any, ...]]]) -> None:
    """Every row of every document column: ``load(dump(x)) == x`` and the text is rewritten as is."""
    count = 0
    for table in ("subscriptions", "invoices", "credit_notes", "outbox"):
        for (document,) in tables("SELECT document FROM " + table):  # noqa: S608 - constant names
            value = loads(document)
            assert load(dump(value)) == value
            assert dumps(value) == document
            count += 1
    assert count > 25_000


def test_nothing_is_left_undone(
    year: World, tables: Callable[[str], list[tuple[Any, ...]]]
) -> None:
    """The outbox is drained, every notice reached the mail service once, access is as the rules say."""
    assert tables("SELECT key FROM outbox WHERE done_at IS NULL") == []
    notices = {
        key
        for key, document in tables("SELECT key, document FROM outbox")
        if '"send_notice"' in document
    }
    assert notices == {key for (key,) in tables("SELECT key FROM notices_sent")}
    assert notices == set(year.mailer.delivered)
    assert Counter(mail["dedupe_key"] for mail in year.mailer.calls).most_common(1)[0][1] == 1
    unpaid = {row[0] for row in tables("SELECT id FROM invoices WHERE paid_at IS NULL")}
    for subscription_id, policy, access, document in tables(
        "SELECT id, policy, access, document FROM subscriptions"
    ):
        rules = year.rulebooks[policy]
        sub = loads(document, Subscription)
        assert (subscription_id, bool(access)) == (subscription_id, rules.has_access(sub))
        assert {o.id for o in sub.open_invoices} <= unpaid


def _snapshot(world: World) -> dict[str, Any]:
    connection = world.connect()
    with connection.transaction() as tx:
        state: dict[str, Any] = {
            table: sorted(tx.all("SELECT * FROM " + table))  # noqa: S608 - constant names
            for table in (
                "customers",
                "subscriptions",
                "invoices",
                "credit_notes",
                "usage_per_period",
                "attempts_sent",
                "payments",
                "refunds",
                "webhook_events",
                "notices_sent",
            )
        }
        state["outbox"] = sorted(tx.all("SELECT key, decided_at, document, done_at FROM outbox"))
    connection.close()
    state["payment_intents"] = world.stripe.payment_intents
    state["stripe_refunds"] = world.stripe.refunds
    state["mail"] = world.mailer.delivered
    return state


@pytest.mark.parametrize("kind", DATABASES)
def test_a_run_killed_between_any_two_effects_loses_nothing_and_doubles_nothing(
    kind: str, tmp_path: Path
) -> None:
    """60 customers over a year, killed after the Nth effect (before or after its commit), restarted.

    The interrupted runs end in exactly the state of the run left alone: the
    same tables, the same PaymentIntents and refunds at Stripe, the same mail
    delivered; repeats reached the providers only as repeated idempotency keys.
    """
    reference = play(_database(kind, tmp_path, "reference"), customers=60)
    expected = _snapshot(reference)
    effects = reference.stats.effects
    assert effects > 1_000
    for before, after in (
        (frozenset({1, 2, 3, 100, effects // 2, effects - 1}), frozenset({4, 500})),
        (frozenset(range(7, effects, 97)), frozenset()),
        (frozenset(), frozenset(range(5, effects, 61))),
    ):
        crasher = Crasher(before_commit=before, after_commit=after)
        name = f"crash_{len(before)}_{len(after)}"
        world = play(_database(kind, tmp_path, name), customers=60, crash=crasher)
        assert crasher.crashes == world.stats.restarts == len(before) + len(after)
        assert _snapshot(world) == expected
        repeated = len(world.stripe.calls) - len(reference.stripe.calls)
        assert repeated <= 2 * len(before) if before else repeated == 0
