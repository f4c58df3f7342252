"""A fake Stripe (no network) and the host's Stripe adapter at the library's ``PaymentGateway`` port.

:class:`FakeStripe` plays the provider: it takes API calls as dicts (method,
path, parameters, ``Idempotency-Key``) and records every one; it answers a
PaymentIntent from a script drawn from a seeded random generator per
idempotency key (so the answer does not depend on the order of the calls):
succeeded, declined (soft or hard decline codes), a network error before the
request reached it, a response lost after it charged, or ``processing`` (a bank
debit, settled days later). Like Stripe it replays the saved response of a key
already used, and refuses a key reused with other parameters. It emits webhook
events and delivers some late, some twice, some out of order.

:class:`StripeGateway` is the adapter: ``ChargeInvoice`` becomes a
PaymentIntent created with ``confirm=true, off_session=true`` and the attempt's
idempotency key (the invoice id and attempt key in ``metadata``, for the
webhooks); ``RefundPayment`` becomes a Refund of the PaymentIntent its
``attempt_key`` created. It writes what the webhooks need (attempt key ↔
PaymentIntent) into the host's ``payments`` and ``refunds`` tables, inside the
worker's transaction.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from host.db import Transaction, instant
from subscription_rules.dunning import (
    Declined,
    DeclineKind,
    GatewayError,
    PaymentOutcome,
    Pending,
    Succeeded,
)
from subscription_rules.ports import ChargeRequest, RefundRequest

#: docs/integrating.md's example: decline codes that need a new payment method.
HARD_DECLINES = frozenset(
    {
        "lost_card",
        "stolen_card",
        "pickup_card",
        "fraudulent",
        "revocation_of_authorization",
        "revocation_of_all_authorizations",
        "stop_payment_order",
        "authentication_required",
        "expired_card",
        "incorrect_number",
        "invalid_account",
    }
)
SOFT_CODES = ("insufficient_funds", "do_not_honor", "card_velocity_exceeded")
HARD_CODES = ("stolen_card", "expired_card", "authentication_required")


def outcome_of_decline(decline_code: str, advice_code: str | None = None) -> Declined:
    """A Stripe card decline as the library's outcome; unknown codes are soft (docs/integrating.md).

    >>> outcome_of_decline("stolen_card").kind.value, outcome_of_decline("insufficient_funds").kind.value
    ('hard', 'soft')
    """
    if advice_code in {"do_not_try_again", "confirm_card_data"}:
        return Declined(DeclineKind.HARD, decline_code)
    if advice_code != "try_again_later" and decline_code in HARD_DECLINES:
        return Declined(DeclineKind.HARD, decline_code)
    return Declined(DeclineKind.SOFT, decline_code)


def outcome_of_intent(intent: Mapping[str, Any]) -> PaymentOutcome:
    """What a PaymentIntent's status says, as the library's outcome."""
    status = intent["status"]
    if status == "succeeded":
        return Succeeded()
    if status == "processing":
        return Pending()
    error = intent["last_payment_error"]
    return outcome_of_decline(error["decline_code"], error.get("advice_code"))


#: The webhook events the host listens to, and the PaymentIntent status each reports.
EVENT_STATUS = {
    "payment_intent.succeeded": "succeeded",
    "payment_intent.payment_failed": "requires_payment_method",
    "payment_intent.processing": "processing",
}


class StripeError(Exception):
    """An error answer of the API (``type``: ``card_error``, ``api_error``, ``idempotency_error``)."""

    def __init__(self, kind: str, message: str, intent: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.intent = intent


class StripeConnectionError(Exception):
    """No answer: a timeout or a connection reset (the request may or may not have run)."""


class FakeStripe:
    """The provider, in memory: API calls in, objects and webhook events out. Thread-safe."""

    def __init__(self, seed: int, clock: Callable[[], datetime]) -> None:
        self.seed = seed
        self.clock = clock
        self.calls: list[dict[str, Any]] = []
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self._saved: dict[str, tuple[dict[str, Any], dict[str, Any] | StripeError]] = {}
        self._sends: dict[str, int] = {}
        self._settle: dict[str, tuple[datetime, str]] = {}
        self._deliveries: list[tuple[datetime, int, dict[str, Any]]] = []
        self._events = 0
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ the API

    def request(
        self, method: str, path: str, params: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        """One API call; raises :class:`StripeError` or :class:`StripeConnectionError`."""
        with self._lock:
            self.calls.append(
                {
                    "method": method,
                    "path": path,
                    "params": params,
                    "idempotency_key": idempotency_key,
                }
            )
            saved = self._saved.get(idempotency_key)
            if saved is not None:
                first, response = saved
                if first != {"path": path, **params}:
                    raise StripeError(
                        "idempotency_error",
                        f"Keys for idempotent requests can only be used with the same parameters "
                        f"they were first used with: {idempotency_key}",
                    )
                if isinstance(response, StripeError):
                    raise response
                return response
            sends = self._sends.get(idempotency_key, 0) + 1
            self._sends[idempotency_key] = sends
            draw = random.Random(f"{self.seed}:{idempotency_key}:{sends}").random()  # noqa: S311
            if path == "/v1/payment_intents" and draw < 0.03:
                raise StripeConnectionError("connection reset before the request was read")
            response = self._run(path, params, idempotency_key)
            self._saved[idempotency_key] = ({"path": path, **params}, response)
            if path == "/v1/payment_intents" and draw > 0.97:
                raise StripeConnectionError("read timeout: the response was lost")
            if isinstance(response, StripeError):
                raise response
            return response

    def _run(self, path: str, params: dict[str, Any], key: str) -> dict[str, Any] | StripeError:
        if path == "/v1/payment_intents":
            return self._create_intent(params, key)
        if path == "/v1/refunds":
            return self._create_refund(params)
        return StripeError("invalid_request_error", f"unknown path {path}")

    def _create_intent(self, params: dict[str, Any], key: str) -> dict[str, Any] | StripeError:
        rng = random.Random(f"{self.seed}:{key}:outcome")  # noqa: S311
        draw = rng.random()
        intent: dict[str, Any] = {
            "id": f"pi_{len(self.payment_intents) + 1:07d}",
            "object": "payment_intent",
            "amount": params["amount"],
            "currency": params["currency"],
            "customer": params["customer"],
            "metadata": dict(params["metadata"]),
            "created": self.clock(),
            "amount_received": 0,
            "last_payment_error": None,
        }
        self.payment_intents[intent["id"]] = intent
        if draw < 0.82:
            self._set_status(intent, "succeeded")
        elif draw < 0.92:
            self._set_status(intent, "processing")
            days = rng.randint(1, 9)
            final = "succeeded" if rng.random() < 0.85 else "requires_payment_method"
            self._settle[intent["id"]] = (self.clock() + timedelta(days=days), final)
        else:
            hard = draw > 0.975
            code = rng.choice(HARD_CODES if hard else SOFT_CODES)
            intent["last_payment_error"] = {"type": "card_error", "decline_code": code}
            self._set_status(intent, "requires_payment_method")
            return StripeError("card_error", f"Your card was declined: {code}", intent)
        return intent

    def _create_refund(self, params: dict[str, Any]) -> dict[str, Any] | StripeError:
        intent = self.payment_intents.get(params["payment_intent"])
        refunded = sum(
            r["amount"]
            for r in self.refunds.values()
            if r["payment_intent"] == params["payment_intent"]
        )
        if intent is None or intent["status"] != "succeeded":
            return StripeError("invalid_request_error", "the PaymentIntent has no charge to refund")
        if refunded + params["amount"] > intent["amount_received"]:
            return StripeError(
                "invalid_request_error",
                f"Refund amount ({params['amount']}) is greater than unrefunded amount on charge "
                f"({intent['amount_received'] - refunded})",
            )
        refund = {
            "id": f"re_{len(self.refunds) + 1:07d}",
            "object": "refund",
            "payment_intent": params["payment_intent"],
            "amount": params["amount"],
            "metadata": dict(params["metadata"]),
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        return refund

    def _set_status(self, intent: dict[str, Any], status: str) -> None:
        intent["status"] = status
        if status == "succeeded":
            intent["amount_received"] = intent["amount"]
        kind = {v: k for k, v in EVENT_STATUS.items()}[status]
        self._events += 1
        created: datetime = self.clock()
        event: dict[str, Any] = {
            "id": f"evt_{self._events:07d}",
            "type": kind,
            "created": created,
            "data": {"object": dict(intent)},
        }
        rng = random.Random(f"{self.seed}:{event['id']}:delivery")  # noqa: S311
        delay = timedelta(minutes=rng.randint(1, 30))
        draw = rng.random()
        if draw < 0.10:
            delay = timedelta(days=rng.randint(1, 4), minutes=rng.randint(0, 600))
        self._deliveries.append((created + delay, self._events, event))
        if draw > 0.94:
            again = delay + timedelta(hours=rng.randint(1, 48))
            self._deliveries.append((created + again, self._events, event))

    # ------------------------------------------------------------------ time passing

    def tick(self, now: datetime) -> None:
        """The banks answer: every processing PaymentIntent due by ``now`` settles."""
        with self._lock:
            for intent_id, (when, status) in sorted(self._settle.items()):
                if when <= now:
                    del self._settle[intent_id]
                    intent = self.payment_intents[intent_id]
                    if status == "requires_payment_method":
                        intent["last_payment_error"] = {
                            "type": "card_error",
                            "decline_code": "insufficient_funds",
                        }
                    self._set_status(intent, status)

    def settle_all(self, now: datetime) -> None:
        """Every bank answers now (the end of a test)."""
        with self._lock:
            self._settle = {k: (now, status) for k, (_, status) in self._settle.items()}
        self.tick(now)

    def webhooks_due(self, now: datetime) -> list[dict[str, Any]]:
        """The events delivered by ``now``, in delivery order, removed from the queue."""
        with self._lock:
            due = sorted(d for d in self._deliveries if d[0] <= now)
            self._deliveries = [d for d in self._deliveries if d[0] > now]
        return [event for _, _, event in due]

    @property
    def quiet(self) -> bool:
        """Nothing left to settle or deliver."""
        return not self._settle and not self._deliveries


class StripeGateway:
    """The host's ``PaymentGateway``: effects to Stripe API calls, through the worker's transaction."""

    def __init__(self, stripe: FakeStripe, tx: Transaction, now: datetime) -> None:
        self._stripe = stripe
        self._tx = tx
        self._now = now

    def charge(self, request: ChargeRequest) -> PaymentOutcome:
        """A PaymentIntent for ``amount_due``, confirmed off-session, under the attempt's key."""
        # A key is sent again after a gateway error: with the payment method it was first
        # sent with, since Stripe refuses a key reused with other parameters.
        self._tx.execute(
            "INSERT INTO attempts_sent (attempt_key, payment_method, sent_at) "
            "SELECT ?, payment_method, ? FROM customers WHERE id = ? "
            "ON CONFLICT (attempt_key) DO NOTHING",
            (request.idempotency_key, instant(self._now), request.customer_id),
        )
        row = self._tx.one(
            "SELECT c.stripe_customer, a.payment_method FROM customers c, attempts_sent a "
            "WHERE c.id = ? AND a.attempt_key = ?",
            (request.customer_id, request.idempotency_key),
        )
        assert row is not None, request.customer_id  # noqa: S101 - the host wrote it
        params = {
            "amount": request.amount.minor,
            "currency": request.amount.currency.code.lower(),
            "customer": row[0],
            "payment_method": row[1],
            "confirm": True,
            "off_session": True,
            "metadata": {
                "subscription_id": request.subscription_id,
                "invoice_id": request.invoice_id,
                "attempt_key": request.idempotency_key,
            },
        }
        try:
            intent = self._stripe.request(
                "POST", "/v1/payment_intents", params, request.idempotency_key
            )
        except StripeConnectionError as error:
            return GatewayError(str(error))
        except StripeError as error:
            if error.intent is None:
                return GatewayError(str(error))
            intent = dict(error.intent)
        self.remember(intent, self._now)
        return outcome_of_intent(intent)

    def remember(self, intent: Mapping[str, Any], at: datetime) -> None:
        """Keep the attempt ↔ PaymentIntent link and its last status (``payments``)."""
        metadata = intent["metadata"]
        self._tx.execute(
            "INSERT INTO payments (attempt_key, invoice_id, subscription_id, amount, currency, "
            "payment_intent, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (attempt_key) DO NOTHING",
            (
                metadata["attempt_key"],
                metadata["invoice_id"],
                metadata["subscription_id"],
                intent["amount"],
                intent["currency"].upper(),
                intent["id"],
                intent["status"],
                instant(at),
            ),
        )
        if intent["status"] != "processing":  # a final status is never overwritten by a stale one
            self._tx.execute(
                "UPDATE payments SET status = ?, updated_at = ? WHERE attempt_key = ?",
                (intent["status"], instant(at), metadata["attempt_key"]),
            )

    def refund(self, request: RefundRequest) -> None:
        """A Refund of the PaymentIntent the attempt ``request.attempt_key`` created, under its key."""
        row = self._tx.one(
            "SELECT payment_intent FROM payments WHERE attempt_key = ? AND status = 'succeeded'",
            (request.attempt_key,),
        )
        if row is None:
            msg = f"{request.idempotency_key}: no payment {request.attempt_key!r} to refund"
            raise StripeError("invalid_request_error", msg)
        refund = self._stripe.request(
            "POST",
            "/v1/refunds",
            {
                "payment_intent": row[0],
                "amount": request.amount.minor,
                "metadata": {
                    "credit_note": request.credit_note_number,
                    "invoice_id": request.invoice_id,
                },
            },
            request.idempotency_key,
        )
        self._tx.execute(
            "INSERT INTO refunds (refund_id, idempotency_key, payment_intent, "
            "credit_note_number, subscription_id, amount, currency) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (refund_id) DO NOTHING",
            (
                refund["id"],
                request.idempotency_key,
                row[0],
                request.credit_note_number,
                request.subscription_id,
                request.amount.minor,
                request.amount.currency.code,
            ),
        )
