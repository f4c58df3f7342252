"""A year of customers played against the host: sign-ups, requests, usage, webhooks, nights.

Everything random comes from one seeded ``random.Random`` (the customers) and
from the fake Stripe's per-key generators, so a run is the same every time.
:class:`World` is what outlives a crash of the host process: the database
(reopened through ``connect``), Stripe, the mail service and the customers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import attrs

from host.app import CrashError, Host
from host.db import Connection
from host.mail import FakeMailer
from host.stripe import FakeStripe
from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    STRIPE_LIKE,
    YEARLY,
    BillingPolicy,
    Rulebook,
    default_catalog,
)
from subscription_rules.commands import (
    Cancel,
    ChangePlan,
    Command,
    UndoCancel,
    UpdatePaymentMethod,
)
from subscription_rules.policy import CreditDestination, DowngradeTiming

START = datetime(2026, 1, 1, tzinfo=UTC)

#: A policy of the host's own: downgrades at once, the unused time refunded to the card.
REFUNDING = attrs.evolve(
    SEED_POLICY,
    name="host-refunds",
    downgrade_timing=DowngradeTiming.IMMEDIATELY,
    credit_destination=CreditDestination.REFUND,
)
POLICIES: dict[str, BillingPolicy] = {p.name: p for p in (SEED_POLICY, STRIPE_LIKE, REFUNDING)}
PLANS = ("personal", "advanced", "pro")


def rulebooks() -> dict[str, Rulebook]:
    """A rulebook per policy name stored in ``subscriptions.policy``."""
    catalog = default_catalog()
    return {name: Rulebook(catalog, policy) for name, policy in POLICIES.items()}


@dataclass
class Crasher:
    """Kills the worker at chosen points: after the Nth effect performed (uncommitted) or committed."""

    before_commit: frozenset[int] = frozenset()
    after_commit: frozenset[int] = frozenset()
    performed: int = 0
    committed: int = 0
    crashes: int = 0

    def __call__(self, point: str) -> None:
        """The worker's hook (see :class:`host.app.Host`)."""
        if point == "performed":
            self.performed += 1
            if self.performed in self.before_commit:
                self.crashes += 1
                raise CrashError(point)
        else:
            self.committed += 1
            if self.committed in self.after_commit:
                self.crashes += 1
                raise CrashError(point)


@dataclass
class Customer:
    """A customer and what they do: sign up on ``start_day``, click now and then."""

    number: int
    start_day: int
    plan: str
    yearly: bool
    policy: str
    trial: bool
    properties: int
    plan_now: str = ""

    @property
    def subscription_id(self) -> str:
        """The subscription's id."""
        return f"sub_{self.number:04d}"

    @property
    def customer_id(self) -> str:
        """The customer's id."""
        return f"c{self.number:04d}"


@dataclass
class Stats:
    """What the run did, for the report."""

    requests: int = 0
    refused: int = 0
    webhooks: dict[str, int] = field(default_factory=dict)
    nightly: int = 0
    effects: int = 0
    restarts: int = 0


class World:
    """The database, the providers and the customers; the host process comes and goes."""

    def __init__(
        self,
        connect: Callable[[], Connection],
        *,
        customers: int,
        seed: int,
        workers: int = 1,
        crash: Crasher | None = None,
    ) -> None:
        self.now = START
        self.connect = connect
        self.rng = random.Random(seed)  # noqa: S311 - a simulation, not cryptography
        self.stripe = FakeStripe(seed, lambda: self.now)
        self.mailer = FakeMailer()
        self.rulebooks = rulebooks()
        self.workers = workers
        self.crash = crash
        self.stats = Stats()
        self.customers = [
            Customer(
                number=i,
                start_day=self.rng.randrange(0, 120),
                plan=self.rng.choice(PLANS),
                yearly=self.rng.random() < 0.15,
                policy=self.rng.choice(sorted(POLICIES)),
                trial=self.rng.random() < 0.4,
                properties=self.rng.randint(1, 3),
            )
            for i in range(customers)
        ]
        self._mail_seen = 0
        self._card_updates: dict[int, list[Customer]] = {}
        self.host = Host(connect, self.stripe, self.mailer, self.rulebooks, crash=crash)
        self.host.db.create_tables()

    def restart(self) -> None:
        """The host process died: a new one starts from the database."""
        self.host.close()
        self.host = Host(self.connect, self.stripe, self.mailer, self.rulebooks, crash=self.crash)
        self.stats.restarts += 1

    def work(self) -> None:
        """The outbox worker drains the outbox (restarting the process when it dies)."""
        while True:
            try:
                self.stats.effects += self.host.work(self.now, workers=self.workers)
            except CrashError:
                self.restart()
            else:
                return

    def deliver_webhooks(self) -> None:
        """Stripe delivers the events due by now."""
        for event in self.stripe.webhooks_due(self.now):
            result = self.host.webhook(event, self.now)
            self.stats.webhooks[result] = self.stats.webhooks.get(result, 0) + 1

    def night(self, day: int) -> None:
        """Midnight: the banks answer, webhooks arrive, the nightly run, the worker."""
        self.now = START + timedelta(days=day)
        self.stripe.tick(self.now)
        self.deliver_webhooks()
        self.stats.nightly += self.host.nightly(self.now, workers=self.workers)
        self.work()

    def day(self, day: int) -> None:
        """One day's clicks, each followed by the worker, with webhooks in between."""
        events: list[tuple[int, int, Customer]] = []
        for customer in self.customers:
            if customer.start_day == day:
                events.append((self.rng.randrange(1, 86_400), 0, customer))
            elif customer.start_day < day and self.rng.random() < 0.02:
                events.append((self.rng.randrange(1, 86_400), 1, customer))
        events.extend(
            (self.rng.randrange(1, 86_400), 2, customer)
            for customer in self._card_updates.pop(day, [])
        )
        for seconds, kind, customer in sorted(events, key=lambda e: (e[0], e[1], e[2].number)):
            self.now = START + timedelta(days=day, seconds=seconds)
            self.stripe.tick(self.now)
            self.deliver_webhooks()
            if kind == 0:
                self._sign_up(customer)
            elif kind == 1:
                self._click(customer)
            else:
                self._request(customer, UpdatePaymentMethod())
            self.work()
        self._read_mail(day)

    def _sign_up(self, customer: Customer) -> None:
        customer.plan_now = customer.plan
        self.host.start(
            customer.subscription_id,
            customer.customer_id,
            customer.plan,
            YEARLY if customer.yearly else MONTHLY,
            customer.policy,
            self.now,
            trial=customer.trial,
        )
        self.host.report_usage(customer.subscription_id, customer.properties, 0, self.now)

    def _click(self, customer: Customer) -> None:
        draw = self.rng.random()
        if draw < 0.45:
            customer.properties = max(1, customer.properties + self.rng.choice((-2, -1, 1, 2)))
            sessions = self.rng.randrange(0, 160_000)
            self.host.report_usage(
                customer.subscription_id, customer.properties, sessions, self.now
            )
            return
        if draw < 0.75:
            plans = [plan for plan in PLANS if plan != customer.plan_now]
            command: Command = ChangePlan(self.rng.choice(plans))
        elif draw < 0.85:
            command = Cancel()
        elif draw < 0.92:
            command = UndoCancel()
        else:
            command = UpdatePaymentMethod()
        self._request(customer, command)

    def _request(self, customer: Customer, command: Command) -> None:
        self.stats.requests += 1
        refused = self.host.request(customer.subscription_id, command, self.now)
        if refused is not None:
            self.stats.refused += 1
        elif isinstance(command, ChangePlan):
            customer.plan_now = command.plan_id

    def _read_mail(self, day: int) -> None:
        """Some customers asked for a new card update it a few days later."""
        by_id = {c.customer_id: c for c in self.customers}
        inbox = self.mailer.inbox  # what reached the customers, once each
        for mail in inbox[self._mail_seen :]:
            needed = mail["kind"] in {"payment_method_needed", "payment_failed"}
            if needed and self.rng.random() < 0.5:
                when = day + self.rng.randint(1, 5)
                self._card_updates.setdefault(when, []).append(by_id[mail["customer_id"]])
        self._mail_seen = len(inbox)

    def finish(self, day: int) -> None:
        """After the last day: every bank answers, every webhook arrives, the outbox drains."""
        self.now = START + timedelta(days=day)
        for _ in range(20):
            self.stripe.settle_all(self.now)
            self.deliver_webhooks()
            self.work()
            if self.stripe.quiet:
                return
            self.now += timedelta(days=7)
        msg = "the providers never went quiet"
        raise RuntimeError(msg)


def play(
    connect: Callable[[], Connection],
    *,
    customers: int,
    days: int = 365,
    seed: int = 16,
    workers: int = 1,
    crash: Crasher | None = None,
) -> World:
    """Play ``customers`` for ``days`` days from 1 January 2026 and return the world."""
    world = World(connect, customers=customers, seed=seed, workers=workers, crash=crash)
    for day in range(days):
        world.night(day)
        world.day(day)
    world.night(days)
    world.finish(days)
    world.host.close()
    return world
