"""Issuing documents for a subscription: invoices with credit applied, and credit notes.

Shared by plan changes and the lifecycle, so that every invoice spends the
credit balance the same way and every document gets its number and
idempotency key the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import NotRequired, TypedDict

import attrs

from subscription_rules._checks import trusted
from subscription_rules._discounting import discounted
from subscription_rules._taxing import net_of_discounts, taxed
from subscription_rules.credits import (
    CreditGrant,
    CreditNote,
    CreditReason,
    apply_credit,
    spend_grants,
)
from subscription_rules.discounts import Discount
from subscription_rules.effects import (
    ChargeInvoice,
    Effect,
    IssueCreditNote,
    RefundPayment,
    SendNotice,
)
from subscription_rules.invoices import (
    Invoice,
    InvoiceReason,
    Line,
    LineKind,
    drafted_invoice,
    line_totals,
    sum_lines,
    tax_totals,
)
from subscription_rules.money import Money
from subscription_rules.notifications import BILLING, Fact, FactName, FactPair, Notice, NoticeKind
from subscription_rules.policy import BillingPolicy
from subscription_rules.subscription import OpenInvoice, Payment, Subscription
from subscription_rules.taxes import LineTax

_trusted_notice = trusted(Notice)
_trusted_payment = trusted(Payment)
_trusted_refund = trusted(RefundPayment)


def send_notice(
    sub: Subscription, kind: NoticeKind, at: datetime, facts: tuple[FactPair, ...], occasion: str
) -> SendNotice:
    """A notice of the rules about ``sub``: its facts named by ``FactName``, its fields built here.

    Built through the trusted path (every field is a value the rules made or
    checked), so the checks a host's own ``Notice`` gets do not run again.
    """
    made = tuple([Fact._make(pair) for pair in facts])
    return SendNotice(_trusted_notice(kind, sub.id, sub.customer_id, at, made, occasion, BILLING))


def invoice_key(subscription_id: str, invoice_id: str, amount_due: Money, attempt: int = 1) -> str:
    """The idempotency key of a charge: subscription, invoice, amount and attempt.

    A command re-run from the same stored value with other input (another
    instant, other usage) issues the same invoice number for another amount:
    the key covers the amount, so one key never names two different charges.
    """
    return f"{subscription_id}:charge:{invoice_id}:due-{amount_due.minor}:attempt-{attempt}"


def renewal_key(subscription_id: str, period_start: datetime, amount_due: Money) -> str:
    """The idempotency key of a renewal's first charge: subscription, period and amount.

    Re-running a period end from the same stored value with other usage bills
    another amount: the key covers it, so one key never names two different
    charges (the invoice id stays the same, for a host that stores invoices by id).
    """
    return f"{subscription_id}:renewal:{period_start.isoformat()}:due-{amount_due.minor}"


class Recorded(TypedDict):
    """The fields that record an invoice on the subscription (see :func:`draft_invoice`)."""

    documents_issued: int
    credit_balance: Money
    open_invoices: NotRequired[tuple[OpenInvoice, ...]]
    paid_attempts: NotRequired[tuple[tuple[str, str], ...]]
    discount: NotRequired[Discount | None]
    credit_grants: NotRequired[tuple[CreditGrant, ...]]


def draft_invoice(
    sub: Subscription,
    reason: InvoiceReason,
    lines: tuple[Line, ...],
    at: datetime,
    period_start: datetime,
    period_end: datetime,
    *,
    policy: BillingPolicy,
    renewal: bool = False,
) -> tuple[Invoice, ChargeInvoice, Recorded]:
    """The invoice of ``lines`` discounted, taxed, the credit balance spent on it; not recorded.

    The subscription's discount adds its lines (``_discounting``), the
    customer's tax taxes them (``_taxing``), and the credit balance pays the
    total, tax included: expiring grants first, soonest expiry first
    (``credits.spend_grants``), then the rest. Returns the invoice, its charge, and the changes that
    record it on the subscription (document number, credit balance, open
    invoices, the discount): a caller with further changes applies them all in
    one copy. A ``renewal``'s charge is keyed by :func:`renewal_key`; the open
    invoice records the charge's key as the attempt awaiting an outcome.
    """
    number = sub.documents_issued + 1
    invoice_id = f"{sub.id}-INV-{number:04d}"
    zero = sub.zero
    lines, discount = discounted(sub, lines, at, policy)
    lines, notes = taxed(sub, lines, policy)
    totals = line_totals(lines, zero)
    applied, balance = apply_credit(sub.credit_balance, totals[2].max(zero))
    invoice = drafted_invoice(
        invoice_id,
        sub.id,
        reason,
        at,
        period_start,
        period_end,
        lines,
        applied,
        notes=notes,
        totals=totals,
    )
    due = invoice.amount_due
    key = (
        renewal_key(sub.id, period_start, due) if renewal else invoice_key(sub.id, invoice_id, due)
    )
    charge = ChargeInvoice(invoice, key)
    changes: Recorded = {"documents_issued": number, "credit_balance": balance}
    if discount is not sub.discount:
        changes["discount"] = discount
    if sub.credit_grants and applied.is_positive():  # grants first, soonest expiry first
        changes["credit_grants"] = spend_grants(sub.credit_grants, applied)
    if due.is_positive():
        # Open until the outcome of its attempt is recorded (record_payment).
        opened = OpenInvoice(invoice, attempt_key=charge.idempotency_key, in_flight=True)
        changes["open_invoices"] = (*sub.open_invoices, opened)
    else:  # covered by credit: paid without a charge
        changes["paid_attempts"] = (*sub.paid_attempts, (charge.idempotency_key, invoice_id))
    return invoice, charge, changes


def billed_for(invoice: Invoice, line: Line) -> tuple[Money, LineTax | None, Money]:
    """What ``invoice`` billed for ``line`` (one of the lines it was drafted from).

    Returns the line's amount net of the discount lines following it, its tax,
    and the two together as the customer pays them (an exclusive tax added):
    what a stretch records as billed, its tax, and the cap of what was paid.
    """
    return _billed_in(invoice.lines, line, invoice.id)


def _billed_in(
    lines: tuple[Line, ...], line: Line, where: str
) -> tuple[Money, LineTax | None, Money]:
    """:func:`billed_for` in ``lines`` (an invoice's, or charges waiting for one)."""
    for index, drafted in enumerate(lines):
        if drafted == line or (drafted.tax is not None and attrs.evolve(drafted, tax=None) == line):
            net = net_of_discounts(lines, index)
            tax = drafted.tax
            paid = net if tax is None or tax.rate.inclusive else net + tax.amount
            return net, tax, paid
    msg = f"{line.description!r} is not a line of {where}"
    raise AssertionError(msg)


def billed_for_all(
    invoice: Invoice | tuple[Line, ...], lines: tuple[Line, ...], zero: Money
) -> tuple[Money, LineTax | None, Money]:
    """:func:`billed_for` of several lines billed as one stretch, added up (one rate).

    ``invoice`` may also be the lines as they wait for the next invoice
    (discounted and taxed when made pending): what that invoice will bill.
    """
    drafted, where = (
        (invoice.lines, invoice.id) if isinstance(invoice, Invoice) else (invoice, "pending lines")
    )
    net = paid = zero
    tax: LineTax | None = None
    for line in lines:
        line_net, line_tax, line_paid = _billed_in(drafted, line, where)
        net, paid = net + line_net, paid + line_paid
        if line_tax is not None:
            tax = (
                line_tax
                if tax is None
                else attrs.evolve(
                    tax, taxable=tax.taxable + line_tax.taxable, amount=tax.amount + line_tax.amount
                )
            )
    return net, tax, paid


def invoiced_total(
    sub: Subscription, lines: tuple[Line, ...], at: datetime, policy: BillingPolicy
) -> Money:
    """What an invoice of ``lines`` would total: discounted and taxed, before the balance pays."""
    lines, _discount = discounted(sub, lines, at, policy)
    lines, _notes = taxed(sub, lines, policy)
    return sum_lines(lines, sub.zero) + tax_totals(lines, sub.zero)[1]


def netted(
    lines: tuple[Line, ...], zero: Money, total: Money | None = None
) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    """``lines`` split into what an invoice bills and what a credit note credits first.

    An invoice never goes negative: when the lines (pending credits for unused
    time among them) net below zero, the credit lines go on a credit note to
    the balance, which then pays the rest; the excess stays in the balance.
    Otherwise every line is billed and nothing is credited. ``total``: what
    the invoice would total once discounted and taxed (:func:`invoiced_total`;
    by default the lines with their tax as they stand), so a discount the
    invoice adds cannot take it below zero.
    """
    if total is None:
        total = sum_lines(lines, zero) + tax_totals(lines, zero)[1]
    if not total.is_negative():
        return lines, ()
    # A discount line stays with the charge it follows (never more than it).
    billed = tuple(
        line for line in lines if not line.amount.is_negative() or line.kind is LineKind.DISCOUNT
    )
    return billed, tuple(
        line for line in lines if line.amount.is_negative() and line.kind is not LineKind.DISCOUNT
    )


def credit_excess(
    sub: Subscription,
    reason: CreditReason,
    lines: tuple[Line, ...],
    at: datetime,
    *,
    policy: BillingPolicy,
) -> tuple[Subscription, tuple[Line, ...], tuple[Effect, ...]]:
    """Issue the credit note :func:`netted` calls for, if any; the lines left to invoice.

    Lines none of which is negative need no credit note: a discount never takes
    them below zero, and their tax is never negative.
    """
    if all(line.amount.minor >= 0 for line in lines):
        return sub, lines, ()
    billed, owed_back = netted(lines, sub.zero, invoiced_total(sub, lines, at, policy))
    if not owed_back:
        return sub, billed, ()
    sub, _note, effects = issue_credit_note(sub, reason, owed_back, at)
    return sub, billed, effects


def preview_invoice(
    sub: Subscription,
    reason: InvoiceReason,
    lines: tuple[Line, ...],
    at: datetime,
    period_start: datetime,
    period_end: datetime,
    *,
    policy: BillingPolicy,
) -> Invoice:
    """The invoice ``draft_invoice`` would issue, credit applied, under the id ``<sub>-upcoming``.

    Lines netting negative are previewed as :func:`credit_excess` bills them:
    the credit lines paid into the balance, the rest invoiced.
    """
    lines, owed_back = netted(lines, sub.zero, invoiced_total(sub, lines, at, policy))
    if owed_back:
        zero = sub.zero
        owed = sum_lines(owed_back, zero) + tax_totals(owed_back, zero)[1]
        sub = sub.evolve(credit_balance=sub.credit_balance - owed)
    invoice, _charge, _recorded = draft_invoice(
        sub, reason, lines, at, period_start, period_end, policy=policy
    )
    return attrs.evolve(invoice, id=f"{sub.id}-upcoming")


def issue_invoice(
    sub: Subscription,
    reason: InvoiceReason,
    lines: tuple[Line, ...],
    at: datetime,
    period_start: datetime,
    period_end: datetime,
    *,
    policy: BillingPolicy,
) -> tuple[Subscription, Invoice, ChargeInvoice]:
    """Issue an invoice of ``lines``, spending the credit balance on it first.

    The invoice takes the next document number and its charge the key of
    :func:`invoice_key`.
    """
    invoice, charge, recorded = draft_invoice(
        sub, reason, lines, at, period_start, period_end, policy=policy
    )
    return sub.evolve(**recorded), invoice, charge


def refund_payments(
    sub: Subscription, note_number: str, refunded: Money
) -> tuple[Subscription, tuple[RefundPayment, ...]]:
    """Split ``refunded`` across ``sub``'s payments, newest first, and record it on them.

    Each part is at most what is left of its payment (``Payment.refundable``),
    so no payment is ever refunded beyond what it collected, across decisions;
    the parts sum to ``refunded`` (the caller caps it at what the payments
    have left). A part is keyed by the credit note and the payment's attempt.
    """
    payments = list(sub.payments)
    parts: list[RefundPayment] = []
    left = refunded
    for index in reversed(range(len(payments))):
        payment = payments[index]
        part = left.min(payment.refundable)
        if not part.is_positive():
            continue
        key = f"{sub.id}:refund:{note_number}:{payment.attempt_key}"
        parts.append(
            _trusted_refund(part, note_number, payment.attempt_key, payment.invoice_id, key)
        )
        payments[index] = _trusted_payment(
            payment.attempt_key, payment.invoice_id, payment.amount, payment.refunded + part
        )
        left -= part
        if not left.is_positive():
            break
    return sub.evolve(payments=tuple(payments)), tuple(parts)


def issue_credit_note(
    sub: Subscription,
    reason: CreditReason,
    lines: tuple[Line, ...],
    at: datetime,
    *,
    refundable: Money | None = None,
) -> tuple[Subscription, CreditNote, tuple[Effect, ...]]:
    """Issue a credit note for ``lines`` (negative amounts), with its notice.

    Up to ``refundable`` goes back to the payment method (the policy chose
    refunds; never more than was paid, nor than the recorded payments have
    left): see :func:`refund_payments`. The rest joins the credit balance.
    """
    number, sub = sub.next_document()
    note_number = f"{sub.id}-CN-{number:04d}"
    credit = -(sum_lines(lines, sub.zero) + tax_totals(lines, sub.zero)[1])
    refunded = None
    if refundable is not None:
        left = sum((p.refundable for p in sub.payments), sub.zero)
        refunded = credit.min(refundable.max(sub.zero)).min(left)
    note = CreditNote(note_number, sub.id, reason, at, lines, refunded)
    sub = sub.evolve(credit_balance=sub.credit_balance + note.to_balance)
    effects: list[Effect] = [IssueCreditNote(note, f"{sub.id}:credit-note:{note_number}")]
    if refunded is not None and refunded.is_positive():
        sub, refunds = refund_payments(sub, note_number, refunded)
        effects.extend(refunds)
    facts: tuple[FactPair, ...] = (
        (FactName.CREDIT_NOTE, note_number),
        (FactName.AMOUNT, note.amount),
        (FactName.TO_BALANCE, note.to_balance),
        (FactName.BALANCE, sub.credit_balance),
    )
    effects.append(send_notice(sub, NoticeKind.CREDIT_NOTE_ISSUED, at, facts, note_number))
    return sub, note, tuple(effects)
