"""A fake email service and the host's ``Notifier`` adapter.

:class:`FakeMailer` records every send call and, like a mail API with an
idempotency option, delivers a message once per ``dedupe_key`` (a repeat after
a crash is accepted and dropped). :class:`EmailNotifier` renders a notice from
its facts (docs/integrating.md, "An email adapter") and keys it by
``notice.key``; it also writes ``notices_sent`` in the worker's transaction.
"""

from __future__ import annotations

import threading
from datetime import datetime

from host.db import Transaction, instant
from subscription_rules.notifications import Channel
from subscription_rules.ports import Delivery


class FakeMailer:
    """The email provider: every call recorded, each ``dedupe_key`` delivered once. Thread-safe."""

    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []
        self.delivered: dict[str, dict[str, str]] = {}
        self.inbox: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def send(self, **mail: str) -> None:
        """One API call: ``to``, ``subject``, ``body``, ``dedupe_key``."""
        with self._lock:
            self.calls.append(mail)
            if mail["dedupe_key"] not in self.delivered:
                self.delivered[mail["dedupe_key"]] = mail
                self.inbox.append(mail)


class EmailNotifier:
    """The host's ``Notifier``: a notice to an email, deduplicated by the notice's key."""

    def __init__(self, mailer: FakeMailer, tx: Transaction, now: datetime) -> None:
        self._mailer = mailer
        self._tx = tx
        self._now = now

    def send(self, delivery: Delivery) -> None:
        """Render and send ``delivery.notice`` by email when email is one of its channels."""
        notice = delivery.notice
        if Channel.EMAIL in delivery.channels:
            row = self._tx.one("SELECT email FROM customers WHERE id = ?", (notice.customer_id,))
            assert row is not None, notice.customer_id  # noqa: S101 - the host wrote it
            facts = {name: str(value) for name, value in notice.facts}
            self._mailer.send(
                to=row[0],
                subject=notice.kind.value.replace("_", " "),
                body="\n".join(f"{name}: {value}" for name, value in facts.items()),
                dedupe_key=notice.key,
                customer_id=notice.customer_id,
                kind=notice.kind.value,
            )
        self._tx.execute(
            "INSERT INTO notices_sent (key, subscription_id, kind, sent_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            (notice.key, notice.subscription_id, notice.kind.value, instant(self._now)),
        )
