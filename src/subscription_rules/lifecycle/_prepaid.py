"""Prepaid credit: top-ups paid into the balance, goodwill grants, and granted credit expiring.

A top-up is an invoice of one ``PREPAID_CREDIT`` line, charged on its own and
never paid from the balance; what it bought joins the balance when its payment
succeeds, and a declined top-up is void (no dunning). A grant is a credit note
(``CreditReason.GOODWILL``) to the balance, recorded as a ``CreditGrant`` when
it expires. Lago's wallets (paid and granted credits, ``expiration_at``) and
Stripe's customer balance are the anchors: see docs/prepaid-credit.md.
"""

from __future__ import annotations

from datetime import UTC, datetime

from subscription_rules._billing import invoice_key, issue_credit_note
from subscription_rules._checks import expect, names_what_was_passed, trusted
from subscription_rules.credits import CreditGrant, CreditReason
from subscription_rules.effects import ChargeInvoice, Decision, Effect, RefusalReason, Refused
from subscription_rules.errors import CurrencyMismatchError, InvalidAmountError, InvalidPeriodError
from subscription_rules.invoices import Invoice, InvoiceReason, Line, LineKind
from subscription_rules.lifecycle._common import (
    _check_command_time,
    _local_days_later,
    _notice,
    _payment_notice,
    _without_invoice,
)
from subscription_rules.lifecycle._scheduling import _next_wakeup
from subscription_rules.money import Money
from subscription_rules.notifications import FactName, FactPair, NoticeKind
from subscription_rules.periods import require_aware, utc_instant
from subscription_rules.policy import BillingPolicy
from subscription_rules.subscription import OpenInvoice, OutstandingAttempt, Status, Subscription

_trusted_grant = trusted(CreditGrant)
_trusted_outstanding = trusted(OutstandingAttempt)


def checked_amount(sub: Subscription, amount: object, what: str) -> Money:
    """``amount`` checked: a ``Money`` above zero in the subscription's currency.

    ``what`` opens the message of one that is not: "a top-up must be above zero".
    """
    expect(amount, Money, "amount")
    assert isinstance(amount, Money)  # noqa: S101 - checked just above, for the type checker
    if amount.currency != sub.currency:
        raise CurrencyMismatchError("amount", amount.currency.code, expected=sub.currency.code)
    if not amount.is_positive():
        raise InvalidAmountError(f"{what}, got {amount}", argument="amount", value=amount)
    return amount


def is_top_up(item: OpenInvoice) -> bool:
    """Whether ``item`` is a top-up's invoice (its payment buys credit; no dunning)."""
    return item.invoice.reason is InvoiceReason.TOP_UP


@names_what_was_passed("at")
def top_up(
    subscription: Subscription, amount: Money, at: datetime, *, policy: BillingPolicy
) -> Decision | Refused:
    """Buy ``amount`` of prepaid credit: an invoice charged now, the credit added once paid.

    The invoice (``InvoiceReason.TOP_UP``) has one ``LineKind.PREPAID_CREDIT``
    line, "Prepaid credit": not discounted, not taxed (the credit is an
    advance, taxed when it pays taxable invoices, as Lago's credit invoices),
    and not paid from the balance. Its ``ChargeInvoice`` carries the
    invoice's idempotency key; when ``record_payment`` records its success the
    amount joins ``credit_balance`` with a ``CREDIT_ADDED`` notice. A declined
    top-up is void (``TOP_UP_FAILED``): it neither makes the subscription past
    due nor enters dunning. Refused on an ended subscription; an amount that
    is not above zero, or in another currency, raises an error naming
    ``amount``.

    >>> from subscription_rules import MONTHLY, default_catalog, start_subscription, top_up
    >>> sub = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
    >>> d = top_up(sub, Money.of("100", "USD"), datetime(2026, 11, 2, tzinfo=UTC), policy=SEED_POLICY)
    >>> invoice = d.invoices[0]
    >>> invoice.id, invoice.reason.value, str(invoice.amount_due), str(invoice.lines[0])
    ('s-INV-0002', 'top_up', 'USD 100.00', 'Prepaid credit: USD 100.00')
    >>> str(d.subscription.credit_balance)  # not yet: the payment has not succeeded
    'USD 0.00'
    """
    expect(subscription, Subscription, "subscription")
    sub = subscription
    expect(policy, BillingPolicy, "policy")
    amount = checked_amount(sub, amount, "a top-up must be above zero")
    at = _check_command_time(sub, at)
    if sub.status is Status.ENDED:
        return Refused(RefusalReason.NOT_ALLOWED_IN_STATUS, "the subscription has ended")
    number, sub = sub.next_document()
    invoice_id = f"{sub.id}-INV-{number:04d}"
    line = Line(LineKind.PREPAID_CREDIT, "Prepaid credit", amount, at, at)
    invoice = Invoice(invoice_id, sub.id, InvoiceReason.TOP_UP, at, at, at, (line,), sub.zero)
    charge = ChargeInvoice(invoice, invoice_key(sub.id, invoice_id, invoice.amount_due))
    opened = OpenInvoice(invoice, attempt_key=charge.idempotency_key, in_flight=True)
    sub = sub.evolve(processed_until=at, open_invoices=(*sub.open_invoices, opened))
    return Decision(sub, (charge,), _next_wakeup(sub, policy))


def top_up_paid(
    sub: Subscription, item: OpenInvoice, attempt: str, at: datetime, late: tuple[FactPair, ...]
) -> tuple[Subscription, tuple[Effect, ...]]:
    """A top-up's payment succeeded: its amount joins the balance.

    Nothing else follows: a top-up paid does not pay the subscription's own
    overdue invoices, nor end its dunning.
    """
    paid = tuple((key, item.id) for key in dict.fromkeys((*item.keys, attempt)))
    amount = item.invoice.total
    sub = _without_invoice(sub, item.id)
    sub = sub.evolve(
        credit_balance=sub.credit_balance + amount,
        paid_attempts=(*sub.paid_attempts, *paid),
    )
    facts: tuple[FactPair, ...] = (
        (FactName.INVOICE, item.id),
        (FactName.AMOUNT, amount),
        (FactName.BALANCE, sub.credit_balance),
    )
    return sub, (
        _payment_notice(sub, NoticeKind.PAYMENT_SUCCEEDED, at, item, *late),
        _notice(sub, NoticeKind.CREDIT_ADDED, at, facts, item.id),
    )


def top_up_void(
    sub: Subscription, item: OpenInvoice, code: str, at: datetime, *, answered: bool
) -> tuple[Subscription, tuple[Effect, ...]]:
    """A top-up's payment failed (declined, timed out, or lost to gateway errors): it is void.

    No credit is added, no retry is made, the subscription's status is
    unchanged. An attempt that may still collect (given up at the pending
    timeout, or never answered) is kept outstanding: should its money come
    after all, it is refunded in full.
    """
    keys = (*item.timed_out, *((item.attempt_key,) if item.attempt_key and not answered else ()))
    amount = item.invoice.amount_due
    stray = tuple(_trusted_outstanding(key, item.id, amount) for key in dict.fromkeys(keys))
    sub = _without_invoice(sub, item.id)
    sub = sub.evolve(outstanding_attempts=(*sub.outstanding_attempts, *stray))
    facts: tuple[FactPair, ...] = (
        (FactName.INVOICE, item.id),
        (FactName.AMOUNT, amount),
        (FactName.REASON, code or "declined"),
    )
    return sub, (_notice(sub, NoticeKind.TOP_UP_FAILED, at, facts, item.id),)


@names_what_was_passed("at")
def grant_credit(
    subscription: Subscription,
    amount: Money,
    at: datetime,
    *,
    reason: str,
    expires_at: datetime | None = None,
    policy: BillingPolicy,
) -> Decision | Refused:
    """Grant ``amount`` of credit (goodwill) to the balance, with a credit note saying why.

    The credit note (``CreditReason.GOODWILL``) has one
    ``LineKind.GRANTED_CREDIT`` line described with ``reason``; its amount
    joins ``credit_balance`` at once. It expires at ``expires_at``, or, when
    not given, ``policy.granted_credit_days`` days after ``at`` (in the billing
    time zone); when neither says, it does not expire. A grant that expires
    is recorded as a :class:`~subscription_rules.credits.CreditGrant`: spent
    first by later invoices (soonest expiry first), and what is left of it at
    its expiry leaves the balance (``advance``, ``CREDIT_EXPIRED``). Refused on
    an ended subscription; an amount not above zero or in another currency,
    and an expiry not after ``at``, raise errors naming them.

    >>> from subscription_rules import MONTHLY, default_catalog, grant_credit, start_subscription
    >>> sub = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
    >>> d = grant_credit(sub, Money.of("30", "USD"), datetime(2026, 11, 2, tzinfo=UTC),
    ...     reason="outage on 1 Nov", expires_at=datetime(2027, 1, 1, tzinfo=UTC), policy=SEED_POLICY)
    >>> print(d.credit_notes[0].lines[0])
    Granted credit: outage on 1 Nov: USD -30.00
    >>> str(d.subscription.credit_balance), d.subscription.credit_grants[0].id
    ('USD 30.00', 's-CN-0002')
    """
    expect(subscription, Subscription, "subscription")
    sub = subscription
    expect(policy, BillingPolicy, "policy")
    amount = checked_amount(sub, amount, "a grant must be above zero")
    expect(reason, str, "reason")
    if expires_at is not None:
        require_aware(expires_at, "expires_at")
    at = _check_command_time(sub, at)
    expiry = _expiry(sub, at, expires_at, policy)
    if sub.status is Status.ENDED:
        return Refused(RefusalReason.NOT_ALLOWED_IN_STATUS, "the subscription has ended")
    description = f"Granted credit: {reason}" if reason else "Granted credit"
    line = Line(LineKind.GRANTED_CREDIT, description, -amount, at, at)
    sub, note, effects = issue_credit_note(sub, CreditReason.GOODWILL, (line,), at)
    if expiry is not None:
        grant = _trusted_grant(note.number, amount, expiry)
        sub = sub.evolve(credit_grants=(*sub.credit_grants, grant))
    sub = sub.evolve(processed_until=at)
    return Decision(sub, effects, _next_wakeup(sub, policy))


def _expiry(
    sub: Subscription, at: datetime, expires_at: datetime | None, policy: BillingPolicy
) -> datetime | None:
    """When a grant made at ``at`` expires: ``expires_at``, or the policy's days after ``at``."""
    if expires_at is None:
        days = policy.granted_credit_days
        return None if days is None else _local_days_later(at, days, sub.cycle.time_zone)
    expiry = utc_instant(expires_at, "expires_at")
    if expiry <= at:
        raise InvalidPeriodError(
            f"a grant expires after it is made ({at.isoformat()}), got {expires_at.isoformat()}",
            argument="expires_at",
            value=expires_at,
        )
    return expiry


def expire_grants(sub: Subscription, at: datetime) -> tuple[Subscription, tuple[Effect, ...]]:
    """Every grant expiring by ``at``: what is left of it leaves the balance, with a notice.

    Never more than the balance (the grants are part of it, so it never goes
    negative); grants expiring together leave in the order they were granted.
    """
    sub = sub.evolve(processed_until=at)
    effects: list[Effect] = []
    kept: list[CreditGrant] = []
    balance = sub.credit_balance
    for grant in sub.credit_grants:
        if grant.expires_at.astimezone(UTC) > at.astimezone(UTC):
            kept.append(grant)
            continue
        expired = grant.left.min(balance)
        balance -= expired
        sub = sub.evolve(credit_balance=balance)
        facts: tuple[FactPair, ...] = (
            (FactName.CREDIT_NOTE, grant.id),
            (FactName.AMOUNT, expired),
            (FactName.BALANCE, balance),
        )
        effects.append(_notice(sub, NoticeKind.CREDIT_EXPIRED, at, facts, f"expired-{grant.id}"))
    sub = sub.evolve(credit_grants=tuple(kept))
    return sub, tuple(effects)
