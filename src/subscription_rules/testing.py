"""Fakes of the ports for host test suites: no mocks needed.

:class:`FixedClock` and :class:`SteppableClock` tell the time you set;
:class:`RecordingNotifier` keeps every delivery; :class:`ScriptedGateway`
answers charges with the outcomes you script (succeed, decline soft or hard,
gateway error), records charges and refunds, honours idempotency keys as a
real provider does (a repeated key returns the first answer without charging
again) and refuses a key reused for a different request.

>>> clock = SteppableClock(datetime(2026, 11, 1, tzinfo=UTC))
>>> clock.step(timedelta(days=1)).date().isoformat()
'2026-11-02'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from subscription_rules.dunning import GatewayError, PaymentOutcome, Succeeded
from subscription_rules.errors import IdempotencyConflictError
from subscription_rules.periods import require_aware
from subscription_rules.ports import ChargeRequest, Delivery, RefundRequest

__all__ = ["FixedClock", "RecordingNotifier", "ScriptedGateway", "SteppableClock"]


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

    def refund(self, request: RefundRequest) -> None:
        """Record a refund (once per idempotency key)."""
        first = self._refunded.get(request.idempotency_key)
        if first is not None:
            if first.amount != request.amount:
                raise IdempotencyConflictError(
                    request.idempotency_key, str(first.amount), str(request.amount)
                )
            return
        self._refunded[request.idempotency_key] = request
        self.refunds.append(request)

    @property
    def collected(self) -> int:
        """Minor units collected by successful charges, less refunds."""
        paid = sum(
            request.amount.minor
            for request, outcome in zip(self.charges, self.outcomes, strict=True)
            if isinstance(outcome, Succeeded)
        )
        return paid - sum(refund.amount.minor for refund in self.refunds)
