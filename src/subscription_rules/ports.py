"""The edges: the ports a host implements, and a thin shell that carries out decisions.

The core decides; the shell performs. A host implements :class:`PaymentGateway`
(Stripe, Adyen …), :class:`Notifier` (its email service and dashboard) and,
if it likes, :class:`Clock`, each taking and returning this library's own frozen
values. :func:`execute` then carries out a :class:`~subscription_rules.effects.Decision`'s
effects in order, feeds each payment's outcome back through
:func:`~subscription_rules.lifecycle.record_payment`, and returns the resulting
subscription and what it did. The core never imports this module.

>>> from subscription_rules.testing import RecordingNotifier, ScriptedGateway
>>> catalog = default_catalog()
>>> decision = start_subscription("sub_1", "cus_1", "personal", MONTHLY,
...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY)
>>> gateway, notifier = ScriptedGateway(), RecordingNotifier()
>>> done = execute(decision, gateway=gateway, notifier=notifier, catalog=catalog, policy=SEED_POLICY)
>>> [str(c.amount) for c in gateway.charges], done.subscription.open_invoices
(['USD 50.00'], ())
>>> [d.notice.kind.value for d in notifier.deliveries]
['payment_succeeded', 'subscription_started']
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol, TypeAlias, assert_never

import attrs

from subscription_rules._checks import expect, shown
from subscription_rules.catalog import Catalog
from subscription_rules.dunning import PaymentOutcome
from subscription_rules.effects import (
    ChargeInvoice,
    Decision,
    Effect,
    EndAccess,
    IssueCreditNote,
    RefundPayment,
    Refused,
    RestoreAccess,
    SendNotice,
    SuspendAccess,
)
from subscription_rules.errors import InvalidSequenceError, UnknownJurisdictionError
from subscription_rules.lifecycle import record_payment
from subscription_rules.money import Money
from subscription_rules.notifications import Channel, Notice, Preferences, channels_for
from subscription_rules.numbering import InvoiceSequence, number_documents
from subscription_rules.periods import require_aware
from subscription_rules.policy import BillingPolicy
from subscription_rules.subscription import Subscription
from subscription_rules.taxes import CustomerTax, TaxRate

__all__ = [
    "ChargeRequest",
    "Clock",
    "Delivery",
    "Execution",
    "InvoiceNumbers",
    "Notifier",
    "Outbox",
    "OutboxEntry",
    "PaymentAttempt",
    "PaymentGateway",
    "Performed",
    "RefundRequest",
    "TaxRates",
    "customer_tax",
    "execute",
    "outbox_entries",
    "perform",
]


@attrs.frozen
class ChargeRequest:
    """Collect ``amount`` for ``invoice_id``; ``idempotency_key`` makes a repeat harmless.

    >>> ChargeRequest("s", "c", "s-INV-0001", Money.of("50", "USD"), "s:charge:s-INV-0001:due-5000:attempt-1").amount
    Money.of('50.00', 'USD')
    """

    subscription_id: str
    customer_id: str
    invoice_id: str
    amount: Money
    idempotency_key: str


@attrs.frozen
class RefundRequest:
    """Refund ``amount`` of the payment ``attempt_key`` made for ``invoice_id``, for a credit note.

    ``attempt_key`` is the idempotency key of the charge that collected the
    payment (the ``ChargeRequest`` the host sent): the host refunds the
    provider's payment it stored under that key (Stripe:
    ``Refund.create(payment_intent=..., amount=...)``).

    >>> RefundRequest("s", "c", "s-CN-0002", Money.of("75", "USD"),
    ...     "s:charge:s-INV-0001:due-15000:attempt-1", "s-INV-0001",
    ...     "s:refund:s-CN-0002:s:charge:s-INV-0001:due-15000:attempt-1").amount
    Money.of('75.00', 'USD')
    """

    subscription_id: str
    customer_id: str
    credit_note_number: str | None
    amount: Money
    attempt_key: str
    invoice_id: str
    idempotency_key: str


@attrs.frozen
class Delivery:
    """A notice and the channels it goes to (from the customer's preferences).

    >>> from subscription_rules import Notice, NoticeKind
    >>> notice = Notice(NoticeKind.RENEWED, "s", "c", datetime(2026, 1, 1, tzinfo=UTC), (), "p")
    >>> [c.value for c in Delivery(notice, (Channel.EMAIL,)).channels]
    ['email']
    """

    notice: Notice
    channels: tuple[Channel, ...]


class PaymentGateway(Protocol):
    """Charges and refunds through the host's payment provider.

    ``charge`` returns what came of the attempt; a provider that answers later
    (by webhook) is wired by calling ``record_payment`` from the webhook instead.
    """

    def charge(self, request: ChargeRequest) -> PaymentOutcome:
        """Attempt the charge; a repeated idempotency key must not charge twice."""
        ...

    def refund(self, request: RefundRequest) -> None:
        """Refund; a repeated idempotency key must not refund twice."""
        ...


class Notifier(Protocol):
    """Delivers notices: email, the dashboard, the audit log."""

    def send(self, delivery: Delivery) -> None:
        """Deliver ``delivery.notice`` on ``delivery.channels``."""
        ...


class InvoiceNumbers(Protocol):
    """The host's legal numbering (one counter per account or organisation, stored and locked by it).

    ``execute`` asks for the sequence as it stands, numbers the documents of
    what it carries out (:func:`~subscription_rules.numbering.number_documents`)
    and hands back the sequence advanced past the numbers it used.
    """

    def sequence(self) -> InvoiceSequence:
        """The sequence as it stands: its ``next_number`` is the next legal number to use."""
        ...

    def advance(self, sequence: InvoiceSequence) -> None:
        """Record that the numbers before ``sequence.next_number`` are used."""
        ...


class Clock(Protocol):
    """The current moment, for a shell that needs one (the core never asks)."""

    def now(self) -> datetime:
        """Return the current aware instant."""
        ...


class TaxRates(Protocol):
    """The host's tax rates: the rate of a jurisdiction in force at an instant.

    Rates are law and change (a new rate from a given day), so the library
    holds none; the host answers from its own table or tax service. ``None``
    means it knows no rate for ``jurisdiction``; :func:`customer_tax` turns
    that into an :class:`~subscription_rules.errors.UnknownJurisdictionError`.
    """

    def rate(self, jurisdiction: str, at: datetime) -> TaxRate | None:
        """The rate of ``jurisdiction`` in force at ``at``, or ``None`` if it knows none."""
        ...


def customer_tax(
    rates: TaxRates,
    jurisdiction: str,
    at: datetime,
    *,
    tax_id: str | None = None,
    reverse_charge: bool = False,
) -> CustomerTax:
    """The :class:`~subscription_rules.taxes.CustomerTax` of a customer in ``jurisdiction`` at ``at``.

    Asks ``rates`` for the rate in force; a jurisdiction it does not know (or
    an answer that is not a ``TaxRate`` of that jurisdiction) raises
    :class:`~subscription_rules.errors.UnknownJurisdictionError` naming it.
    Pass the result to ``start_subscription(tax=...)`` or ``update_tax``.

    >>> from subscription_rules.testing import TableTaxRates
    >>> from subscription_rules.taxes import TaxRate
    >>> rates = TableTaxRates({"FR": ((datetime(2014, 1, 1, tzinfo=UTC), TaxRate("VAT 20 %", "FR", "20")),)})
    >>> customer_tax(rates, "FR", datetime(2026, 11, 1, tzinfo=UTC)).rate.percent
    Decimal('20')
    >>> customer_tax(rates, "XX", datetime(2026, 11, 1, tzinfo=UTC))
    Traceback (most recent call last):
    subscription_rules.errors.UnknownJurisdictionError: jurisdiction: no tax rate known for 'XX' at 2026-11-01T00:00:00+00:00
    """
    expect(jurisdiction, str, "jurisdiction")
    at = require_aware(at, "at")
    found = rates.rate(jurisdiction, at)
    if not isinstance(found, TaxRate) or found.jurisdiction != jurisdiction:
        raise UnknownJurisdictionError(
            f"no tax rate known for {shown(jurisdiction)} at {at.isoformat()}",
            argument="jurisdiction",
            value=jurisdiction,
        )
    return CustomerTax(found, tax_id=tax_id, reverse_charge=reverse_charge)


@attrs.frozen
class PaymentAttempt:
    """A charge made and what came of it (``refused`` when the outcome was not taken).

    >>> from subscription_rules.dunning import Succeeded
    >>> request = ChargeRequest("s", "c", "s-INV-1", Money.of("5", "USD"), "k")
    >>> PaymentAttempt(request, Succeeded()).outcome
    Succeeded()
    """

    request: ChargeRequest
    outcome: PaymentOutcome
    refused: Refused | None = None


#: One thing the shell did: an effect carried out, or a payment attempt.
Performed: TypeAlias = Effect | PaymentAttempt


@attrs.frozen
class Execution:
    """The subscription after a decision was carried out, and everything done, in order.

    >>> from subscription_rules.dunning import Declined, DeclineKind
    >>> from subscription_rules.testing import RecordingNotifier, ScriptedGateway
    >>> catalog = default_catalog()
    >>> decision = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY)
    >>> gateway = ScriptedGateway([Declined(DeclineKind.SOFT)])
    >>> done = execute(decision, gateway=gateway, notifier=RecordingNotifier(), catalog=catalog, policy=SEED_POLICY)
    >>> done.subscription.status.value, [a.outcome for a in done.attempts]
    ('past_due', [Declined(kind=<DeclineKind.SOFT: 'soft'>, code='')])
    """

    subscription: Subscription
    performed: tuple[Performed, ...]

    @property
    def attempts(self) -> tuple[PaymentAttempt, ...]:
        """The payment attempts made."""
        return tuple(p for p in self.performed if isinstance(p, PaymentAttempt))

    @property
    def notices(self) -> tuple[Notice, ...]:
        """The notices sent."""
        return tuple(p.notice for p in self.performed if isinstance(p, SendNotice))


@attrs.frozen
class OutboxEntry:
    """One effect to carry out, stored in the host's outbox under a unique ``key``.

    ``key`` is deterministic (see :func:`outbox_entries`), so enqueueing the same
    decision twice stores each effect once.

    >>> from subscription_rules import RestoreAccess
    >>> OutboxEntry("s:restore_access:2026-01-01T00:00:00+00:00", "s", "c", RestoreAccess()).key
    's:restore_access:2026-01-01T00:00:00+00:00'
    """

    key: str
    subscription_id: str
    customer_id: str
    effect: Effect


class Outbox(Protocol):
    """The host's outbox: effects stored with the subscription, carried out one by one.

    Store a decision's subscription and ``enqueue`` its entries in one
    transaction; a worker ``claim``-s a batch, :func:`perform`-s each entry and
    marks it done (with the recorded outcome of a charge, in one transaction).
    An entry claimed but not marked done (the worker crashed) is claimed again:
    performing is idempotent by key, so nothing is done twice.
    """

    def enqueue(self, entries: Sequence[OutboxEntry]) -> None:
        """Store ``entries``; an entry whose key is already stored (even done) is ignored."""
        ...

    def claim(self, limit: int) -> tuple[OutboxEntry, ...]:
        """Up to ``limit`` entries not yet done, oldest first."""
        ...

    def mark_done(self, key: str) -> None:
        """Record that the entry ``key`` was carried out."""
        ...


def _access_key(subscription_id: str, effect: Effect, at: datetime) -> str:
    kind = {SuspendAccess: "suspend_access", RestoreAccess: "restore_access"}.get(
        type(effect), "end_access"
    )
    return f"{subscription_id}:{kind}:{at.astimezone(UTC).isoformat()}"


def _entry_key(subscription_id: str, effect: Effect, at: datetime) -> str:
    match effect:
        case ChargeInvoice():
            # A charge lost to a gateway error is sent again with the same idempotency key,
            # by a later decision: the instant tells the sends apart.
            return f"{effect.idempotency_key}@{at.astimezone(UTC).isoformat()}"
        case IssueCreditNote() | RefundPayment():
            return effect.idempotency_key
        case SendNotice():
            return effect.notice.key
        case SuspendAccess() | RestoreAccess() | EndAccess():
            return _access_key(subscription_id, effect, at)
        case _:
            assert_never(effect)


def outbox_entries(decision: Decision) -> tuple[OutboxEntry, ...]:
    """``decision``'s effects as outbox entries, in order, each under a deterministic key.

    Money effects and notices keep their own keys (a charge's, with the
    decision's instant, ``processed_until``: a resend after a gateway error is
    a new send); an access change is keyed by the subscription id, its kind and
    that instant (a second one of a kind in the same decision is numbered).

    >>> decision = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), policy=SEED_POLICY,
    ...     trial=False)
    >>> [entry.key for entry in outbox_entries(decision)]
    ['s:charge:s-INV-0001:due-5000:attempt-1@2026-11-01T00:00:00+00:00', 's:subscription_started:start']
    """
    sub = decision.subscription
    at = sub.processed_until
    entries: list[OutboxEntry] = []
    seen: dict[str, int] = {}
    for effect in decision.effects:
        key = _entry_key(sub.id, effect, at)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}:{seen[key]}"
        entries.append(OutboxEntry(key, sub.id, sub.customer_id, effect))
    return tuple(entries)


def _carry_out(
    effect: Effect,
    subscription_id: str,
    customer_id: str,
    gateway: PaymentGateway,
    notifier: Notifier,
    preferences: Preferences,
) -> tuple[ChargeRequest, PaymentOutcome] | None:
    """Carry out one effect; a charge's request and outcome (``None`` for anything else)."""
    match effect:
        case ChargeInvoice():
            if not effect.invoice.amount_due.is_positive():
                return None
            request = ChargeRequest(
                subscription_id,
                customer_id,
                effect.invoice.id,
                effect.amount,
                effect.idempotency_key,
            )
            return request, gateway.charge(request)
        case RefundPayment():
            gateway.refund(
                RefundRequest(
                    subscription_id,
                    customer_id,
                    effect.credit_note_number,
                    effect.amount,
                    effect.attempt_key,
                    effect.invoice_id,
                    effect.idempotency_key,
                )
            )
        case SendNotice():
            notifier.send(Delivery(effect.notice, channels_for(effect.notice, preferences)))
        case IssueCreditNote() | SuspendAccess() | RestoreAccess() | EndAccess():
            pass  # the host's own ledger and access control carry these out
        case _:
            assert_never(effect)
    return None


def perform(
    entry: OutboxEntry,
    *,
    gateway: PaymentGateway,
    notifier: Notifier,
    preferences: Preferences | None = None,
) -> PaymentOutcome | None:
    """Carry out ONE outbox entry's effect; what came of a charge (``None`` otherwise).

    A charge's outcome is for the host to record with ``record_payment`` (the
    entry's ``effect.idempotency_key`` as the attempt), in the transaction that
    stores the next subscription, enqueues that decision's entries and marks
    this entry done. Credit notes and access changes are the host's own to
    carry out (nothing goes through the ports).

    >>> from subscription_rules.testing import RecordingNotifier, ScriptedGateway
    >>> decision = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=default_catalog(), policy=SEED_POLICY,
    ...     trial=False)
    >>> charge, started = outbox_entries(decision)
    >>> perform(charge, gateway=ScriptedGateway(), notifier=RecordingNotifier())
    Succeeded()
    """
    done = _carry_out(
        entry.effect,
        entry.subscription_id,
        entry.customer_id,
        gateway,
        notifier,
        preferences or Preferences(),
    )
    return None if done is None else done[1]


def execute(
    decision: Decision,
    *,
    gateway: PaymentGateway,
    notifier: Notifier,
    catalog: Catalog,
    policy: BillingPolicy,
    preferences: Preferences | None = None,
    clock: Clock | None = None,
    numbers: InvoiceNumbers | None = None,
) -> Execution:
    """Carry out ``decision``'s effects in order through the ports.

    Charges go to ``gateway`` (nothing is charged for an invoice fully paid by
    credit); each outcome is recorded with ``record_payment`` at the clock's
    time (or the moment the decision was made), and the follow-up decision's
    effects are carried out in turn. Refunds go to ``gateway``, notices to
    ``notifier`` on the channels ``preferences`` allow. Credit notes and access
    changes are returned in ``performed`` for the host's own ledger and access
    control. Re-executing a decision is harmless when the gateway honours
    idempotency keys: the repeated outcome of a paid invoice is refused, not
    counted.

    With ``numbers``, every invoice and credit note gets its legal number
    before it is carried out (those of the follow-up decisions too), and the
    sequence advanced is handed back to the port; a sequence the port gives
    that is behind one it was handed raises ``InvalidSequenceError``.
    """
    prefs = preferences or Preferences()
    numbered = _Numbering(numbers)
    decision = numbered(decision)
    sub = decision.subscription
    queue: list[Effect] = list(decision.effects)
    performed: list[Performed] = []
    while queue:
        effect = queue.pop(0)
        performed.append(effect)
        charged = _carry_out(effect, sub.id, sub.customer_id, gateway, notifier, prefs)
        if charged is None or not isinstance(effect, ChargeInvoice):
            continue
        request, outcome = charged
        at = sub.processed_until
        if clock is not None:
            at = max(clock.now(), at)
        result = record_payment(
            sub, effect.idempotency_key, outcome, at, catalog=catalog, policy=policy
        )
        if isinstance(result, Refused):
            performed.append(PaymentAttempt(request, outcome, result))
            continue
        performed.append(PaymentAttempt(request, outcome))
        result = numbered(result)
        sub = result.subscription
        # Follow-ups are bounded: an outcome only charges again when a retry is due,
        # and each declined retry uses up one of the schedule's attempts.
        queue[0:0] = result.effects
    return Execution(sub, tuple(performed))


class _Numbering:
    """Numbers each decision ``execute`` carries out from ``numbers``, if given."""

    def __init__(self, numbers: InvoiceNumbers | None) -> None:
        self._numbers = numbers
        self._after: InvoiceSequence | None = None

    def __call__(self, decision: Decision) -> Decision:
        if self._numbers is None:
            return decision
        sequence = self._numbers.sequence()
        if not isinstance(sequence, InvoiceSequence):
            raise InvalidSequenceError(
                f"the port must return an InvoiceSequence, got {sequence!r}",
                argument="numbers",
                value=sequence,
            )
        last = self._after
        if (
            last is not None
            and sequence.prefix == last.prefix
            and sequence.next_number < last.next_number
        ):
            raise InvalidSequenceError(
                f"must be at least {last.next_number}, the number after the last one "
                f"used, got {sequence.next_number}",
                argument="next_number",
                value=sequence.next_number,
            )
        decision, after = number_documents(decision, sequence)
        if after != sequence:
            self._numbers.advance(after)
        self._after = after
        return decision
