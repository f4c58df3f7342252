"""Fakes of the ports for host test suites: no mocks needed.

:class:`FixedClock` and :class:`SteppableClock` tell the time you set;
:class:`RecordingNotifier` keeps every delivery; :class:`ScriptedGateway`
answers charges with the outcomes you script (succeed, decline soft or hard,
gateway error), records charges and refunds, honours idempotency keys as a
real provider does (a repeated key returns the first answer without charging
again) and refuses a key reused for a different request; a charge it answers
``Pending`` is settled later with :meth:`ScriptedGateway.settle` (the bank's
answer, for the host's webhook). :class:`InMemoryOutbox` is an outbox that
dedups entries by key. :class:`InvoiceCounter` is a host's legal numbering
kept in memory (the ``InvoiceNumbers`` port).

>>> clock = SteppableClock(datetime(2026, 11, 1, tzinfo=UTC))
>>> clock.step(timedelta(days=1)).date().isoformat()
'2026-11-02'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from subscription_rules.dunning import GatewayError, PaymentOutcome, Pending, Succeeded
from subscription_rules.errors import (
    IdempotencyConflictError,
    InvalidArgumentError,
    InvalidSequenceError,
)
from subscription_rules.money import Money
from subscription_rules.numbering import InvoiceSequence
from subscription_rules.periods import require_aware
from subscription_rules.ports import ChargeRequest, Delivery, OutboxEntry, RefundRequest
from subscription_rules.taxes import TaxRate

__all__ = [
    "FixedClock",
    "InMemoryOutbox",
    "InvoiceCounter",
    "RecordingNotifier",
    "ScriptedGateway",
    "SteppableClock",
    "TableTaxRates",
]


class TableTaxRates:
    """A :class:`~subscription_rules.ports.TaxRates` from a table: per jurisdiction, rates by date.

    Each jurisdiction maps to ``(since, rate)`` pairs; the rate in force at an
    instant is the one with the latest ``since`` at or before it. A
    jurisdiction not in the table, or an instant before its first rate, has
    none (``None``).

    >>> rates = TableTaxRates({"DE": (
    ...     (datetime(2020, 7, 1, tzinfo=UTC), TaxRate("MwSt. 16 %", "DE", "16")),
    ...     (datetime(2021, 1, 1, tzinfo=UTC), TaxRate("MwSt. 19 %", "DE", "19")),
    ... )})
    >>> rates.rate("DE", datetime(2020, 12, 31, tzinfo=UTC)).name
    'MwSt. 16 %'
    >>> rates.rate("DE", datetime(2026, 1, 1, tzinfo=UTC)).name, rates.rate("FR", datetime(2026, 1, 1, tzinfo=UTC))
    ('MwSt. 19 %', None)
    """

    def __init__(self, table: Mapping[str, Sequence[tuple[datetime, TaxRate]]]) -> None:
        self._table = {
            jurisdiction: sorted(
                ((require_aware(since, "since"), rate) for since, rate in rates),
                key=lambda pair: pair[0],
            )
            for jurisdiction, rates in table.items()
        }

    def rate(self, jurisdiction: str, at: datetime) -> TaxRate | None:
        """The rate of ``jurisdiction`` in force at ``at``, or ``None``."""
        found = None
        for since, rate in self._table.get(jurisdiction, ()):
            if since <= at:
                found = rate
        return found


class FixedClock:
    """A clock that always tells the same instant.

    >>> FixedClock(datetime(2026, 1, 1, tzinfo=UTC)).now().year
    2026
    """

    def __init__(self, at: datetime) -> None:
        self._at = require_aware(at, "at")

    def now(self) -> datetime:
        """Return the fixed instant."""
        return self._at


class SteppableClock:
    """A clock a test moves forward by hand.

    >>> clock = SteppableClock(datetime(2026, 1, 1, tzinfo=UTC))
    >>> clock.set(datetime(2026, 3, 1, tzinfo=UTC)).month
    3
    """

    def __init__(self, start: datetime) -> None:
        self._at = require_aware(start, "start")

    def now(self) -> datetime:
        """Return the current instant."""
        return self._at

    def step(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new instant."""
        self._at = self._at + delta
        return self._at

    def set(self, at: datetime) -> datetime:
        """Move to ``at`` and return it."""
        self._at = require_aware(at, "at")
        return self._at


class RecordingNotifier:
    """A notifier that keeps every delivery, in order.

    >>> RecordingNotifier().deliveries
    []
    """

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []

    def send(self, delivery: Delivery) -> None:
        """Keep ``delivery``."""
        self.deliveries.append(delivery)


class ScriptedGateway:
    """A payment gateway whose answers are scripted.

    ``outcomes`` are used one per new charge, in order; ``by_invoice`` maps an
    invoice id to the outcomes of its attempts, in order, and takes precedence.
    When a script runs out, charges succeed. A repeated idempotency key gets
    the first answer again without a new charge; reusing a key for a different
    invoice or amount raises
    :class:`~subscription_rules.errors.IdempotencyConflictError`. A
    :class:`~subscription_rules.dunning.GatewayError` is no answer (a timeout,
    an outage): the same key sent again takes the script's next outcome, as a
    provider answers a retried request that never completed.

    >>> from subscription_rules.dunning import Declined, DeclineKind
    >>> gateway = ScriptedGateway([Declined(DeclineKind.SOFT)])
    >>> request = ChargeRequest("s", "c", "s-INV-1", Money.of("5", "USD"), "key-1")
    >>> gateway.charge(request), gateway.charge(request), len(gateway.charges)
    (Declined(kind=<DeclineKind.SOFT: 'soft'>, code=''), Declined(kind=<DeclineKind.SOFT: 'soft'>, code=''), 1)
    """

    def __init__(
        self,
        outcomes: Iterable[PaymentOutcome] = (),
        *,
        by_invoice: Mapping[str, Iterable[PaymentOutcome]] | None = None,
    ) -> None:
        self._outcomes = list(outcomes)
        self._by_invoice = {key: list(value) for key, value in (by_invoice or {}).items()}
        self._answers: dict[str, tuple[ChargeRequest, PaymentOutcome]] = {}
        self._refunded: dict[str, RefundRequest] = {}
        self.charges: list[ChargeRequest] = []
        self.outcomes: list[PaymentOutcome] = []
        self.refunds: list[RefundRequest] = []

    def charge(self, request: ChargeRequest) -> PaymentOutcome:
        """Answer ``request`` from the script (once per idempotency key)."""
        seen = self._answers.get(request.idempotency_key)
        if seen is not None:
            first, outcome = seen
            if (first.invoice_id, first.amount) != (request.invoice_id, request.amount):
                raise IdempotencyConflictError(
                    request.idempotency_key,
                    f"{first.invoice_id} {first.amount}",
                    f"{request.invoice_id} {request.amount}",
                )
            if not isinstance(outcome, GatewayError):
                return outcome
        script = self._by_invoice.get(request.invoice_id)
        if script:
            outcome = script.pop(0)
        elif self._outcomes:
            outcome = self._outcomes.pop(0)
        else:
            outcome = Succeeded()
        self._answers[request.idempotency_key] = (request, outcome)
        self.charges.append(request)
        self.outcomes.append(outcome)
        return outcome

    def settle(self, idempotency_key: str, outcome: PaymentOutcome) -> PaymentOutcome:
        """The bank's later answer to a charge answered ``Pending``: returned for the webhook.

        The key is answered ``outcome`` from now on (a repeated charge gets it).

        >>> from subscription_rules.dunning import Pending
        >>> gateway = ScriptedGateway([Pending()])
        >>> request = ChargeRequest("s", "c", "s-INV-1", Money.of("5", "USD"), "key-1")
        >>> gateway.charge(request), gateway.collected
        (Pending(), 0)
        >>> gateway.settle("key-1", Succeeded()), gateway.charge(request), gateway.collected
        (Succeeded(), Succeeded(), 500)
        """
        seen = self._answers.get(idempotency_key)
        if seen is None or not isinstance(seen[1], Pending):
            raise InvalidArgumentError(
                f"no charge {idempotency_key!r} is pending",
                argument="idempotency_key",
                value=idempotency_key,
            )
        if isinstance(outcome, Pending):
            raise InvalidArgumentError(
                "a pending charge is settled by its final outcome",
                argument="outcome",
                value=outcome,
            )
        request = seen[0]
        self._answers[idempotency_key] = (request, outcome)
        index = next(
            i
            for i, charged in enumerate(self.charges)
            if charged.idempotency_key == idempotency_key
        )
        self.outcomes[index] = outcome
        return outcome

    def refund(self, request: RefundRequest) -> None:
        """Record a refund of the payment it names (once per idempotency key).

        Like a provider, it refuses (``AssertionError``: the rules broke a
        promise) a refund of a payment it never collected, or beyond what is
        left of the payment's amount.
        """
        first = self._refunded.get(request.idempotency_key)
        if first is not None:
            if (first.amount, first.attempt_key) != (request.amount, request.attempt_key):
                raise IdempotencyConflictError(
                    request.idempotency_key,
                    f"{first.attempt_key} {first.amount}",
                    f"{request.attempt_key} {request.amount}",
                )
            return
        answer = self._answers.get(request.attempt_key)
        if answer is None or not isinstance(answer[1], Succeeded):
            msg = (
                f"refund {request.idempotency_key!r}: no successful charge {request.attempt_key!r}"
            )
            raise AssertionError(msg)
        charged = answer[0].amount
        refunded = self.refunded(request.attempt_key) + request.amount
        if refunded > charged:
            msg = (
                f"refund {request.idempotency_key!r} takes the refunds of "
                f"{request.attempt_key!r} to {refunded}, beyond the {charged} it collected"
            )
            raise AssertionError(msg)
        self._refunded[request.idempotency_key] = request
        self.refunds.append(request)

    def refunded(self, attempt_key: str) -> Money:
        """What was refunded of the payment collected by the charge ``attempt_key``."""
        answer = self._answers.get(attempt_key)
        if answer is None:
            raise InvalidArgumentError(
                f"no charge {attempt_key!r}", argument="attempt_key", value=attempt_key
            )
        total = answer[0].amount.with_minor(0)
        for request in self.refunds:
            if request.attempt_key == attempt_key:
                total += request.amount
        return total

    @property
    def collected(self) -> int:
        """Minor units collected by successful charges, less refunds."""
        paid = sum(
            request.amount.minor
            for request, outcome in zip(self.charges, self.outcomes, strict=True)
            if isinstance(outcome, Succeeded)
        )
        return paid - sum(refund.amount.minor for refund in self.refunds)


class InMemoryOutbox:
    """An outbox in memory: entries deduplicated by key, claimed oldest first, marked done.

    An entry claimed but not marked done (its worker crashed) is claimed again.

    >>> from subscription_rules import RestoreAccess
    >>> outbox = InMemoryOutbox()
    >>> entry = OutboxEntry("s:restore_access:t", "s", "c", RestoreAccess())
    >>> outbox.enqueue([entry, entry])
    >>> [e.key for e in outbox.claim(10)]
    ['s:restore_access:t']
    >>> outbox.mark_done("s:restore_access:t")
    >>> outbox.enqueue([entry])
    >>> outbox.claim(10), outbox.done
    ((), ('s:restore_access:t',))
    """

    def __init__(self) -> None:
        self._entries: dict[str, OutboxEntry] = {}
        self._done: dict[str, None] = {}

    def enqueue(self, entries: Sequence[OutboxEntry]) -> None:
        """Store ``entries``; a key already stored (even done) is ignored."""
        for entry in entries:
            self._entries.setdefault(entry.key, entry)

    def claim(self, limit: int) -> tuple[OutboxEntry, ...]:
        """Up to ``limit`` entries not yet done, oldest first."""
        waiting = (e for key, e in self._entries.items() if key not in self._done)
        return tuple(entry for _, entry in zip(range(limit), waiting, strict=False))

    def mark_done(self, key: str) -> None:
        """Record that the entry ``key`` was carried out."""
        if key not in self._entries:
            raise InvalidArgumentError(f"no entry {key!r} in the outbox", argument="key", value=key)
        self._done[key] = None

    @property
    def done(self) -> tuple[str, ...]:
        """The keys of the entries carried out, in order."""
        return tuple(self._done)


class InvoiceCounter:
    """An ``InvoiceNumbers`` port in memory: one sequence, advanced as ``execute`` uses it.

    Refuses to be moved backwards (``InvalidSequenceError``), as a host's
    stored counter must.

    >>> from subscription_rules.numbering import InvoiceSequence
    >>> counter = InvoiceCounter(InvoiceSequence("ACME-", 5))
    >>> counter.advance(InvoiceSequence("ACME-", 7))
    >>> counter.sequence().next_number
    7
    >>> counter.advance(InvoiceSequence("ACME-", 6))
    Traceback (most recent call last):
    subscription_rules.errors.InvalidSequenceError: next_number: must be at least 7, the next number not yet used, got 6
    """

    def __init__(self, sequence: InvoiceSequence) -> None:
        if not isinstance(sequence, InvoiceSequence):
            raise InvalidArgumentError(
                f"expected an InvoiceSequence, got {sequence!r}", argument="sequence"
            )
        self._sequence = sequence

    def sequence(self) -> InvoiceSequence:
        """The sequence as it stands."""
        return self._sequence

    def advance(self, sequence: InvoiceSequence) -> None:
        """Keep ``sequence``: never behind the one kept."""
        current = self._sequence
        if sequence.prefix == current.prefix and sequence.next_number < current.next_number:
            raise InvalidSequenceError(
                f"must be at least {current.next_number}, the next number not yet used, "
                f"got {sequence.next_number}",
                argument="next_number",
                value=sequence.next_number,
            )
        self._sequence = sequence
