"""Legal invoice numbers: a host's sequence, assigned to the documents a decision issues.

The rules number documents per subscription (``sub_1-INV-0001``,
``sub_1-CN-0002``): deterministic, the basis of every idempotency key, but not
the unbroken sequence the law of many countries asks for across an
organisation. That sequence is the host's (a counter it stores, one per
account or organisation); :func:`number_documents` assigns its next numbers,
in order, to the invoices and credit notes of a decision and returns the
sequence advanced. Invoices and credit notes share the one series, so the
series has no gap whatever the documents are.

>>> from subscription_rules import MONTHLY, SEED_POLICY, default_catalog, start_subscription
>>> d = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
...     catalog=default_catalog(), trial=False, policy=SEED_POLICY)
>>> numbered, sequence = number_documents(d, InvoiceSequence("ACME-2026-", 41))
>>> numbered.invoices[0].id, numbered.invoices[0].legal_number, sequence.next_number
('s-INV-0001', 'ACME-2026-0041', 42)
"""

from __future__ import annotations

from typing import assert_never, get_args, overload

import attrs

from subscription_rules._checks import expect, field_check, identifier, shown
from subscription_rules.credits import CreditNote
from subscription_rules.effects import (
    ChargeInvoice,
    Decision,
    Effect,
    EndAccess,
    IssueCreditNote,
    RefundPayment,
    RestoreAccess,
    SendNotice,
    SuspendAccess,
)
from subscription_rules.errors import InvalidArgumentError, InvalidSequenceError
from subscription_rules.invoices import Invoice

__all__ = ["InvoiceSequence", "number_documents"]

_MAX_WIDTH = 12
_EFFECTS: tuple[type, ...] = get_args(Effect)


def _number(value: object, argument: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidSequenceError(
            f"must be an int of at least 1, got {shown(value)}", argument=argument, value=value
        )


def _width(value: object, argument: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_WIDTH:
        raise InvalidArgumentError(
            f"must be an int from 1 to {_MAX_WIDTH}, got {shown(value)}",
            argument=argument,
            value=value,
        )


@attrs.frozen
class InvoiceSequence:
    """A host's legal numbering: ``prefix`` then the number, zero-padded to ``width`` digits.

    ``next_number`` is the number the next document takes; the host stores the
    sequence (one per account, or per organisation: ``"ACME-2026-"``) and
    keeps the advanced one :func:`number_documents` returns.

    >>> sequence = InvoiceSequence("ACME-2026-", 7, width=5)
    >>> sequence.format(7), sequence.number_of("ACME-2026-00007"), sequence.number_of("X-1")
    ('ACME-2026-00007', 7, None)
    >>> InvoiceSequence("ACME-", 0)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidSequenceError: next_number: must be an int of at least 1, got 0
    """

    prefix: str = attrs.field(validator=field_check(identifier))
    next_number: int = attrs.field(validator=field_check(_number))
    width: int = attrs.field(default=4, kw_only=True, validator=field_check(_width))

    def format(self, number: int) -> str:
        """The legal number ``number`` takes in this sequence."""
        return f"{self.prefix}{number:0{self.width}d}"

    def number_of(self, legal_number: str) -> int | None:
        """The number of ``legal_number`` in this sequence (``None``: not one of its numbers)."""
        if not legal_number.startswith(self.prefix):
            return None
        digits = legal_number[len(self.prefix) :]
        return int(digits) if digits.isascii() and digits.isdigit() else None


def _documents(effects: tuple[Effect, ...]) -> list[Invoice | CreditNote]:
    """The invoices and credit notes of ``effects``, in order."""
    found: list[Invoice | CreditNote] = []
    for effect in effects:
        match effect:
            case ChargeInvoice():
                found.append(effect.invoice)
            case IssueCreditNote():
                found.append(effect.credit_note)
            case RefundPayment() | SendNotice() | SuspendAccess() | RestoreAccess() | EndAccess():
                pass
            case _:
                assert_never(effect)
    return found


def _assigned(
    effects: tuple[Effect, ...], sequence: InvoiceSequence
) -> tuple[dict[str, str], InvoiceSequence]:
    """The legal number of each document by its id, and the sequence once they are numbered."""
    documents = _documents(effects)
    numbers: dict[str, str] = {}
    for document in documents:
        key = document.id if isinstance(document, Invoice) else document.number
        if document.legal_number is not None:
            used = sequence.number_of(document.legal_number)
            if used is not None and used >= sequence.next_number:
                raise InvalidSequenceError(
                    f"must follow {used}, the number {key} already has "
                    f"({document.legal_number}), got {sequence.next_number}",
                    argument="next_number",
                    value=sequence.next_number,
                )
            numbers.setdefault(key, document.legal_number)
    next_number = sequence.next_number
    for document in documents:
        key = document.id if isinstance(document, Invoice) else document.number
        if key not in numbers:
            numbers[key] = sequence.format(next_number)
            next_number += 1
    return numbers, attrs.evolve(sequence, next_number=next_number)


def _numbered(effects: tuple[Effect, ...], numbers: dict[str, str]) -> tuple[Effect, ...]:
    out: list[Effect] = []
    for effect in effects:
        if isinstance(effect, ChargeInvoice) and effect.invoice.legal_number is None:
            invoice = attrs.evolve(effect.invoice, legal_number=numbers[effect.invoice.id])
            effect = attrs.evolve(effect, invoice=invoice)  # noqa: PLW2901 - the numbered copy
        elif isinstance(effect, IssueCreditNote) and effect.credit_note.legal_number is None:
            note = effect.credit_note
            note = attrs.evolve(note, legal_number=numbers[note.number])
            effect = attrs.evolve(effect, credit_note=note)  # noqa: PLW2901 - the numbered copy
        out.append(effect)
    return tuple(out)


@overload
def number_documents(
    effects_or_decision: Decision, sequence: InvoiceSequence
) -> tuple[Decision, InvoiceSequence]: ...
@overload
def number_documents(
    effects_or_decision: tuple[Effect, ...], sequence: InvoiceSequence
) -> tuple[tuple[Effect, ...], InvoiceSequence]: ...
def number_documents(
    effects_or_decision: Decision | tuple[Effect, ...], sequence: InvoiceSequence
) -> tuple[Decision | tuple[Effect, ...], InvoiceSequence]:
    """Give each invoice and credit note a legal number from ``sequence``, in order.

    Every ``ChargeInvoice``'s invoice and ``IssueCreditNote``'s credit note
    without a ``legal_number`` takes the sequence's next number, in the order
    of the effects (one invoice charged twice takes one number), so the
    numbers are consecutive, without gaps, and the same for the same input.
    A document already numbered keeps its number: numbering a decision again
    changes nothing and leaves the sequence where it was. Given a
    ``Decision``, the subscription's open invoices take their numbers too, so
    a later retry charges the invoice under the same number. Returns the
    numbered effects (or decision) and the sequence advanced past the numbers
    used. A sequence that goes backwards — its ``next_number`` at or below a
    number of its own already on one of the documents — raises
    ``InvalidSequenceError``.

    >>> from subscription_rules import MONTHLY, SEED_POLICY, default_catalog, start_subscription
    >>> d = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     catalog=default_catalog(), trial=False, policy=SEED_POLICY)
    >>> numbered, after = number_documents(d, InvoiceSequence("ACME-", 1))
    >>> again, same = number_documents(numbered, after)
    >>> again == numbered, same == after, numbered.subscription.open_invoices[0].invoice.legal_number
    (True, True, 'ACME-0001')
    >>> number_documents(numbered, InvoiceSequence("ACME-", 1))
    Traceback (most recent call last):
    subscription_rules.errors.InvalidSequenceError: next_number: must follow 1, the number s-INV-0001 already has (ACME-0001), got 1
    """
    expect(sequence, InvoiceSequence, "sequence")
    if isinstance(effects_or_decision, Decision):
        decision = effects_or_decision
        numbers, after = _assigned(decision.effects, sequence)
        sub = decision.subscription
        opened = tuple(
            attrs.evolve(item, invoice=attrs.evolve(item.invoice, legal_number=numbers[item.id]))
            if item.id in numbers and item.invoice.legal_number is None
            else item
            for item in sub.open_invoices
        )
        if opened != sub.open_invoices:
            sub = sub.evolve(open_invoices=opened)
        effects = _numbered(decision.effects, numbers)
        return attrs.evolve(decision, subscription=sub, effects=effects), after
    if not isinstance(effects_or_decision, tuple):
        raise InvalidArgumentError(
            f"expected a Decision or a tuple of effects, got {shown(effects_or_decision)}",
            argument="effects_or_decision",
            value=effects_or_decision,
        )
    for effect in effects_or_decision:
        if not isinstance(effect, _EFFECTS):
            raise InvalidArgumentError(
                f"expected effects, got {shown(effect)}",
                argument="effects_or_decision",
                value=effect,
            )
    numbers, after = _assigned(effects_or_decision, sequence)
    return _numbered(effects_or_decision, numbers), after
