"""The host's tables, and a tiny DB-API adapter: one SQL text for SQLite and PostgreSQL.

The SQL is written once, in PostgreSQL's dialect with ``?`` placeholders. The
adapter changes three things, nothing else: the placeholders become ``%s`` for
psycopg; for SQLite an identity column becomes ``INTEGER PRIMARY KEY`` and
row-lock clauses (``FOR UPDATE``, ``FOR UPDATE SKIP LOCKED``) are dropped,
since a SQLite write transaction (``BEGIN IMMEDIATE``) locks the whole
database. Instants are stored as fixed-width UTC text (:func:`instant`), so they
sort as text in both; money as integer minor units with the currency code.
"""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

#: The tables (see README.md). ``BIGSERIAL PRIMARY KEY`` is an identity column.
SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS customers (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        stripe_customer TEXT NOT NULL,
        payment_method TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS subscriptions (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers (id),
        policy TEXT NOT NULL,
        version BIGINT NOT NULL,
        next_wakeup TEXT,
        period_start TEXT,
        access BOOLEAN NOT NULL,
        document TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS subscriptions_due ON subscriptions (next_wakeup)",
    """CREATE TABLE IF NOT EXISTS invoices (
        id TEXT PRIMARY KEY,
        subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
        reason TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        currency TEXT NOT NULL,
        subtotal BIGINT NOT NULL,
        credit_applied BIGINT NOT NULL,
        amount_due BIGINT NOT NULL,
        paid_at TEXT,
        paid_by TEXT,
        document TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS credit_notes (
        number TEXT PRIMARY KEY,
        subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
        reason TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        currency TEXT NOT NULL,
        amount BIGINT NOT NULL,
        refunded BIGINT NOT NULL,
        to_balance BIGINT NOT NULL,
        document TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS usage_per_period (
        subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
        period_start TEXT NOT NULL,
        properties BIGINT NOT NULL,
        billable_sessions BIGINT NOT NULL,
        PRIMARY KEY (subscription_id, period_start)
    )""",
    """CREATE TABLE IF NOT EXISTS outbox (
        seq BIGSERIAL PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        subscription_id TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        document TEXT NOT NULL,
        done_at TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS outbox_waiting ON outbox (seq) WHERE done_at IS NULL",
    """CREATE TABLE IF NOT EXISTS attempts_sent (
        attempt_key TEXT PRIMARY KEY,
        payment_method TEXT NOT NULL,
        sent_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS payments (
        attempt_key TEXT PRIMARY KEY,
        invoice_id TEXT NOT NULL,
        subscription_id TEXT NOT NULL,
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        payment_intent TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS refunds (
        refund_id TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        payment_intent TEXT NOT NULL,
        credit_note_number TEXT NOT NULL,
        subscription_id TEXT NOT NULL,
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS webhook_events (
        event_id TEXT NOT NULL,
        delivery BIGINT NOT NULL,
        type TEXT NOT NULL,
        payment_intent TEXT NOT NULL,
        received_at TEXT NOT NULL,
        result TEXT NOT NULL,
        PRIMARY KEY (event_id, delivery)
    )""",
    """CREATE TABLE IF NOT EXISTS notices_sent (
        key TEXT PRIMARY KEY,
        subscription_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        sent_at TEXT NOT NULL
    )""",
)

#: The tables, in an order that drops cleanly.
TABLES = (
    "notices_sent",
    "webhook_events",
    "refunds",
    "payments",
    "attempts_sent",
    "outbox",
    "usage_per_period",
    "credit_notes",
    "invoices",
    "subscriptions",
    "customers",
)


def instant(at: datetime) -> str:
    """``at`` as fixed-width UTC text, which sorts as the instants do.

    >>> instant(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    '2026-01-02T03:04:05.000000Z'
    """
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_instant(text: str) -> datetime:
    """The instant :func:`instant` wrote.

    >>> parse_instant('2026-01-02T03:04:05.000000Z').isoformat()
    '2026-01-02T03:04:05+00:00'
    """
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class ConflictError(Exception):
    """Another transaction stored a newer version of the row first: run the request again."""


class _Cursor(Protocol):
    """What the adapter uses of a DB-API cursor."""

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement."""
        ...

    def fetchone(self) -> Sequence[Any] | None:
        """The next row."""
        ...

    def fetchall(self) -> Sequence[Sequence[Any]]:
        """The remaining rows."""
        ...


class _Raw(Protocol):
    """What the adapter uses of a DB-API connection (sqlite3's and psycopg's both have it)."""

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> _Cursor:
        """Run one statement; return a cursor."""
        ...

    def close(self) -> None:
        """Close the connection."""
        ...


class Transaction:
    """The statements of one open transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        cursor = self._connection.run(sql, params)
        return cursor.rowcount

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row of a query, or ``None``."""
        row = self._connection.run(sql, params).fetchone()
        return None if row is None else tuple(row)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of a query."""
        return [tuple(row) for row in self._connection.run(sql, params).fetchall()]


class Connection:
    """One connection, SQLite or PostgreSQL, in autocommit mode with explicit transactions."""

    def __init__(self, raw: _Raw, dialect: str) -> None:
        self._raw = raw
        self.dialect = dialect
        self._sql: dict[str, str] = {}

    @classmethod
    def sqlite(cls, path: str) -> Connection:
        """Open (or create) the SQLite database at ``path``."""
        raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA synchronous = NORMAL")
        raw.execute("PRAGMA foreign_keys = ON")
        return cls(raw, "sqlite")

    @classmethod
    def postgres(cls, dsn: str, schema: str = "public") -> Connection:
        """Connect to PostgreSQL with psycopg 3 (``make test-postgres`` installs it), in ``schema``."""
        psycopg = importlib.import_module("psycopg")
        connection = cls(psycopg.connect(dsn, autocommit=True), "postgres")
        connection.run("CREATE SCHEMA IF NOT EXISTS " + schema)
        connection.run("SET search_path TO " + schema)
        return connection

    def translated(self, sql: str) -> str:
        """``sql`` in this connection's dialect (see the module's docstring)."""
        done = self._sql.get(sql)
        if done is None:
            done = sql
            if self.dialect == "postgres":
                done = done.replace("?", "%s")
            else:
                done = done.replace("BIGSERIAL PRIMARY KEY", "INTEGER PRIMARY KEY")
                done = done.replace(" FOR UPDATE SKIP LOCKED", "").replace(" FOR UPDATE", "")
            self._sql[sql] = done
        return done

    def run(self, sql: str, params: Sequence[Any] = ()) -> _Cursor:
        """Run one statement; return the driver's cursor."""
        return self._raw.execute(self.translated(sql), tuple(params))

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        self.run("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
        try:
            yield Transaction(self)
        except BaseException:
            self.run("ROLLBACK")
            raise
        self.run("COMMIT")

    def create_tables(self) -> None:
        """Create the tables that do not exist yet."""
        with self.transaction() as tx:
            for statement in SCHEMA:
                tx.execute(statement)

    def drop_tables(self) -> None:
        """Drop every table (a fresh start for a test on a shared server)."""
        with self.transaction() as tx:
            for table in TABLES:
                tx.execute("DROP TABLE IF EXISTS " + table)

    def close(self) -> None:
        """Close the connection."""
        self._raw.close()
