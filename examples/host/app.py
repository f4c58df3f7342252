"""The host: requests, the webhook endpoint, the nightly billing run and the outbox worker.

Every change to a subscription is one transaction: lock and load the stored
document, call the rules (``Rulebook.handle``, or ``advance`` for the nightly
run), store the next document under the version read (``UPDATE ... WHERE
version = ?``), write the ledger (invoices, credit notes) and enqueue
``outbox_entries(decision)``. Effects are carried out later, one per
transaction, by the outbox worker (``ports.perform``); a charge's synchronous
answer goes through the same path as a webhook (:meth:`Host.record`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar, cast

from host.db import ConflictError, Connection, Transaction, instant
from host.mail import EmailNotifier, FakeMailer
from host.stripe import EVENT_STATUS, FakeStripe, StripeGateway, outcome_of_intent
from subscription_rules import (
    ChargeInvoice,
    Decision,
    Effect,
    EndAccess,
    IssueCreditNote,
    Refused,
    RestoreAccess,
    Rulebook,
    Subscription,
    SuspendAccess,
    Usage,
)
from subscription_rules.commands import Command, RecordPayment, UpdatePaymentMethod
from subscription_rules.dunning import PaymentOutcome, Succeeded
from subscription_rules.periods import BillingPeriod, Interval
from subscription_rules.ports import OutboxEntry, outbox_entries, perform
from subscription_rules.rulebook import Handled
from subscription_rules.serialization import dumps, loads

T = TypeVar("T")

#: How many times a transaction that lost a version race is run again.
ATTEMPTS = 5


class CrashError(Exception):
    """The process died (raised by a test's crash hook)."""


def _period_start(sub: Subscription) -> str | None:
    return None if sub.ended_at is not None else instant(sub.current_period.start)


class Host:
    """The application: one database connection, the providers, a rulebook per stored policy name.

    ``crash``, when given, is called by the outbox worker at each point a
    process could die (``"performed"``: an effect carried out, its transaction
    not committed; ``"committed"``) and may raise :class:`CrashError`.
    """

    def __init__(
        self,
        connect: Callable[[], Connection],
        stripe: FakeStripe,
        mailer: FakeMailer,
        rulebooks: Mapping[str, Rulebook],
        *,
        crash: Callable[[str], None] | None = None,
    ) -> None:
        self.connect = connect
        self.db = connect()
        self.stripe = stripe
        self.mailer = mailer
        self.rulebooks = rulebooks
        self.crash = crash

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()

    def _transact(self, work: Callable[[Transaction], T]) -> T:
        for _ in range(ATTEMPTS - 1):
            try:
                with self.db.transaction() as tx:
                    return work(tx)
            except ConflictError:
                continue
        with self.db.transaction() as tx:
            return work(tx)

    # ------------------------------------------------------------------ requests

    def start(
        self,
        subscription_id: str,
        customer_id: str,
        plan_id: str,
        interval: Interval,
        policy: str,
        at: datetime,
        *,
        trial: bool,
    ) -> None:
        """Sign a customer up: the customer, the subscription (version 1), its first effects."""
        rules = self.rulebooks[policy]
        decision = rules.start(subscription_id, customer_id, plan_id, interval, at, trial=trial)
        sub = decision.subscription
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO customers (id, email, stripe_customer, payment_method) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                (customer_id, f"{customer_id}@example.com", f"cus_{customer_id}", "pm_card_1"),
            )
            tx.execute(
                "INSERT INTO subscriptions (id, customer_id, policy, version, next_wakeup, "
                "period_start, access, document) VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
                (
                    sub.id,
                    customer_id,
                    policy,
                    None if decision.next_wakeup is None else instant(decision.next_wakeup),
                    _period_start(sub),
                    rules.has_access(sub),
                    dumps(sub),
                ),
            )
            self._ledger(tx, decision, at)

    def request(self, subscription_id: str, command: Command, at: datetime) -> Refused | None:
        """A customer's or support's command, through ``Rulebook.handle``; why it was refused."""

        def work(tx: Transaction) -> Refused | None:
            if isinstance(command, UpdatePaymentMethod):
                tx.execute(
                    "UPDATE customers SET payment_method = ? WHERE id = "
                    "(SELECT customer_id FROM subscriptions WHERE id = ?)",
                    (f"pm_card_{instant(at)}", subscription_id),
                )
            return self._handle(tx, subscription_id, command, at).refused

        return self._transact(work)

    def report_usage(
        self, subscription_id: str, properties: int, billable_sessions: int, at: datetime
    ) -> None:
        """The product reports the account's usage for its current period."""
        del at  # usage belongs to the period the subscription is in
        with self.db.transaction() as tx:
            row = tx.one("SELECT period_start FROM subscriptions WHERE id = ?", (subscription_id,))
            if row is None or row[0] is None:
                return
            tx.execute(
                "INSERT INTO usage_per_period (subscription_id, period_start, properties, "
                "billable_sessions) VALUES (?, ?, ?, ?) ON CONFLICT (subscription_id, period_start) "
                "DO UPDATE SET properties = excluded.properties, "
                "billable_sessions = excluded.billable_sessions",
                (subscription_id, row[0], properties, billable_sessions),
            )

    # ------------------------------------------------------------------ webhooks

    def webhook(self, event: Mapping[str, Any], received_at: datetime) -> str:
        """The endpoint for Stripe's PaymentIntent events: record the outcome at the event's time.

        Late, repeated and out-of-order deliveries go through the same call: the
        rules refuse an outcome that cannot be counted (a duplicate, an attempt of
        a paid invoice) as a value, and the endpoint acknowledges it.
        """
        status = EVENT_STATUS.get(event["type"])
        if status is None:
            return "ignored"
        intent = dict(event["data"]["object"], status=status)
        outcome = outcome_of_intent(intent)
        metadata = intent["metadata"]

        def work(tx: Transaction) -> str:
            StripeGateway(self.stripe, tx, event["created"]).remember(intent, event["created"])
            result = self.record(
                tx,
                metadata["subscription_id"],
                metadata["invoice_id"],
                metadata["attempt_key"],
                outcome,
                event["created"],
            )
            tx.execute(
                "INSERT INTO webhook_events (event_id, delivery, type, payment_intent, "
                "received_at, result) VALUES (?, (SELECT COUNT(*) + 1 FROM webhook_events "
                "WHERE event_id = ?), ?, ?, ?, ?)",
                (
                    event["id"],
                    event["id"],
                    event["type"],
                    intent["id"],
                    instant(received_at),
                    result,
                ),
            )
            return result

        return self._transact(work)

    def record(
        self,
        tx: Transaction,
        subscription_id: str,
        invoice_id: str,
        attempt: str,
        outcome: PaymentOutcome,
        at: datetime,
    ) -> str:
        """Record a charge attempt's outcome (webhook or synchronous answer); what came of it."""
        handled = self._handle(tx, subscription_id, RecordPayment(attempt, outcome), at)
        if handled.refused is not None:
            return handled.refused.reason.value
        if isinstance(outcome, Succeeded):
            tx.execute(
                "UPDATE invoices SET paid_at = ?, paid_by = ? WHERE id = ? AND paid_at IS NULL",
                (instant(at), attempt, invoice_id),
            )
        return "recorded"

    # ------------------------------------------------------------------ the nightly run

    def nightly(self, now: datetime, *, workers: int = 1) -> int:
        """Advance every subscription whose wake-up has come; ``workers`` threads claim them."""
        if workers == 1:
            return self._nightly(now)
        return sum(self._threads(workers, lambda host: host._nightly(now)))  # noqa: SLF001

    def _nightly(self, now: datetime) -> int:
        advanced = 0
        while True:

            def work(tx: Transaction) -> bool:
                row = tx.one(
                    "SELECT id FROM subscriptions WHERE next_wakeup <= ? "
                    "ORDER BY next_wakeup, id LIMIT 1 FOR UPDATE SKIP LOCKED",
                    (instant(now),),
                )
                if row is None:
                    return False
                self._handle(tx, row[0], None, now)
                return True

            if not self._transact(work):
                return advanced
            advanced += 1

    def _threads(self, workers: int, job: Callable[[Host], int]) -> list[int]:
        results: list[int] = []
        errors: list[BaseException] = []

        def run() -> None:
            host = Host(self.connect, self.stripe, self.mailer, self.rulebooks, crash=self.crash)
            try:
                results.append(job(host))
            except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
                errors.append(error)
            finally:
                host.close()

        threads = [threading.Thread(target=run) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return results

    # ------------------------------------------------------------------ the outbox worker

    def work(self, now: datetime, *, workers: int = 1) -> int:
        """Carry out every waiting outbox entry, one per transaction; how many."""
        if workers == 1:
            return self._work(now)
        return sum(self._threads(workers, lambda host: host._work(now)))  # noqa: SLF001

    def _work(self, now: datetime) -> int:
        done = 0
        while self._transact(lambda tx: self._work_one(tx, now)):
            done += 1
            if self.crash is not None:
                self.crash("committed")
        return done

    def _work_one(self, tx: Transaction, now: datetime) -> bool:
        row = tx.one(
            "SELECT key, subscription_id, customer_id, document FROM outbox "
            "WHERE done_at IS NULL ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED"
        )
        if row is None:
            return False
        entry = OutboxEntry(row[0], row[1], row[2], cast("Effect", loads(row[3])))
        outcome = perform(
            entry,
            gateway=StripeGateway(self.stripe, tx, now),
            notifier=EmailNotifier(self.mailer, tx, now),
        )
        if self.crash is not None:
            self.crash("performed")
        effect = entry.effect
        if outcome is not None and isinstance(effect, ChargeInvoice):
            self.record(
                tx, entry.subscription_id, effect.invoice.id, effect.idempotency_key, outcome, now
            )
        if isinstance(effect, SuspendAccess | RestoreAccess | EndAccess):
            tx.execute(
                "UPDATE subscriptions SET access = ? WHERE id = ?",
                (isinstance(effect, RestoreAccess), entry.subscription_id),
            )
        tx.execute("UPDATE outbox SET done_at = ? WHERE key = ?", (instant(now), entry.key))
        return True

    # ------------------------------------------------------------------ one change, stored

    def _usage(self, tx: Transaction, subscription_id: str) -> Callable[[BillingPeriod], Usage]:
        rows = tx.all(
            "SELECT period_start, properties, billable_sessions FROM usage_per_period "
            "WHERE subscription_id = ? ORDER BY period_start",
            (subscription_id,),
        )

        def usage(period: BillingPeriod) -> Usage:
            start = instant(period.start)
            properties, sessions = 1, 0
            for row in rows:
                if row[0] <= start:
                    properties = int(row[1])
                    sessions = int(row[2]) if row[0] == start else 0
            return Usage.of(properties=properties, billable_sessions=sessions)

        return usage

    def _handle(
        self, tx: Transaction, subscription_id: str, command: Command | None, at: datetime
    ) -> Handled:
        row = tx.one(
            "SELECT policy, version, document FROM subscriptions WHERE id = ? FOR UPDATE",
            (subscription_id,),
        )
        if row is None:
            msg = f"no subscription {subscription_id!r}"
            raise LookupError(msg)
        policy, version, document = row
        rules = self.rulebooks[policy]
        sub = loads(document, Subscription)
        usage = self._usage(tx, subscription_id)
        if command is None:
            handled = Handled(rules.advance(sub, at, usage=usage))
        else:
            current = usage(sub.current_period) if sub.ended_at is None else Usage()
            handled = rules.handle(sub, command, at, usage=current)
        decision = handled.decision
        if decision.subscription is sub and not decision.effects:
            return handled  # nothing changed (a duplicate webhook, say)
        changed = tx.execute(
            "UPDATE subscriptions SET version = ?, next_wakeup = ?, period_start = ?, "
            "document = ? WHERE id = ? AND version = ?",
            (
                version + 1,
                None if decision.next_wakeup is None else instant(decision.next_wakeup),
                _period_start(decision.subscription),
                dumps(decision.subscription),
                subscription_id,
                version,
            ),
        )
        if changed != 1:
            raise ConflictError(subscription_id)
        self._ledger(tx, decision, at)
        return handled

    def _ledger(self, tx: Transaction, decision: Decision, at: datetime) -> None:
        """The decision's invoices and credit notes into the ledger; its effects into the outbox."""
        for effect in decision.effects:
            if isinstance(effect, ChargeInvoice):
                invoice = effect.invoice
                free = not invoice.amount_due.is_positive()
                tx.execute(
                    "INSERT INTO invoices (id, subscription_id, reason, issued_at, currency, "
                    "subtotal, credit_applied, amount_due, paid_at, paid_by, document) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                    (
                        invoice.id,
                        invoice.subscription_id,
                        invoice.reason.value,
                        instant(invoice.issued_at),
                        invoice.subtotal.currency.code,
                        invoice.subtotal.minor,
                        invoice.credit_applied.minor,
                        invoice.amount_due.minor,
                        instant(at) if free else None,
                        "credit" if free else None,
                        dumps(invoice),
                    ),
                )
            elif isinstance(effect, IssueCreditNote):
                note = effect.credit_note
                tx.execute(
                    "INSERT INTO credit_notes (number, subscription_id, reason, issued_at, "
                    "currency, amount, refunded, to_balance, document) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (number) DO NOTHING",
                    (
                        note.number,
                        note.subscription_id,
                        note.reason.value,
                        instant(note.issued_at),
                        note.amount.currency.code,
                        note.amount.minor,
                        0 if note.refunded is None else note.refunded.minor,
                        note.to_balance.minor,
                        dumps(note),
                    ),
                )
        decided_at = instant(decision.subscription.processed_until)
        for entry in outbox_entries(decision):
            tx.execute(
                "INSERT INTO outbox (key, subscription_id, customer_id, decided_at, document) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                (
                    entry.key,
                    entry.subscription_id,
                    entry.customer_id,
                    decided_at,
                    dumps(entry.effect),
                ),
            )


def open_host(
    connect: Callable[[], Connection],
    stripe: FakeStripe,
    mailer: FakeMailer,
    rulebooks: Mapping[str, Rulebook],
    *,
    crash: Callable[[str], None] | None = None,
) -> Host:
    """A host on the database ``connect`` opens, its tables created if missing."""
    host = Host(connect, stripe, mailer, rulebooks, crash=crash)
    host.db.create_tables()
    return host
