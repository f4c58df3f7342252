"""Credit notes and the credit balance: credit for unused time, applied to later bills.

The help page: "When you downgrade to a lower plan, the unused time from your
previous plan automatically generates a credit note. This credit applies to
future bills on your new plan." A :class:`CreditNote` records the credit line
by line; its amount goes to the subscription's credit balance (or, by policy,
back to the payment method, never more than was paid), and
:func:`apply_credit` spends the balance on the next invoices without ever
making one negative.

>>> applied, left = apply_credit(Money.of("50", "USD"), Money.of("30", "USD"))
>>> str(applied), str(left)
('USD 30.00', 'USD 20.00')
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from subscription_rules._calendar import require_aware
from subscription_rules._checks import expect, field_check, identifier, trusted
from subscription_rules.errors import InvalidAmountError
from subscription_rules.invoices import Line, sum_lines, tax_summaries, tax_totals
from subscription_rules.money import Money
from subscription_rules.taxes import TaxSummary

__all__ = ["CreditGrant", "CreditNote", "CreditReason", "apply_credit"]


class CreditReason(enum.Enum):
    """Why a credit note was issued."""

    PLAN_CHANGE = "plan_change"
    SUSPENSION = "suspension"
    EXCESS_PAYMENT = "excess_payment"
    TERMINATION = "termination"
    ADJUSTMENT = "adjustment"
    GOODWILL = "goodwill"


@attrs.frozen
class CreditNote:
    """A credit note: the lines it credits (negative amounts), and where the money goes.

    ``amount`` is the positive total credited, tax included (the lines, plus
    any tax credited on top of them: a credit note carries the tax of what it
    credits); ``refunded`` is the part paid back to the payment method, the
    rest went to the credit balance. ``legal_number`` is the number from the
    host's sequence, once assigned.

    >>> from subscription_rules.invoices import LineKind
    >>> t = datetime(2026, 11, 16, tzinfo=UTC)
    >>> line = Line(LineKind.UNUSED_TIME, "Unused time on Advanced", Money.of("-75", "USD"), t, t)
    >>> note = CreditNote("sub_1-CN-0002", "sub_1", CreditReason.PLAN_CHANGE, t, (line,))
    >>> str(note.amount), str(note.to_balance)
    ('USD 75.00', 'USD 75.00')
    """

    number: str
    subscription_id: str
    reason: CreditReason
    issued_at: datetime
    lines: tuple[Line, ...]
    refunded: Money | None = None
    legal_number: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise InvalidAmountError("a credit note needs at least one line", argument="lines")
        amount = self.amount
        if not amount.is_positive():
            raise InvalidAmountError(
                f"a credit note credits a positive amount, got {amount}",
                argument="lines",
                value=amount,
            )
        if self.refunded is not None and (self.refunded.is_negative() or self.refunded > amount):
            raise InvalidAmountError(
                f"must lie between zero and the credit {amount}, got {self.refunded}",
                argument="refunded",
                value=self.refunded,
            )

    @property
    def amount(self) -> Money:
        """The positive amount credited: minus the (negative) lines and the tax added to them."""
        zero = self.lines[0].amount.with_minor(0)
        return -(sum_lines(self.lines, zero) + tax_totals(self.lines, zero)[1])

    @property
    def tax(self) -> Money:
        """The tax credited, positive: minus the sum of the lines' taxes."""
        return -tax_totals(self.lines, self.lines[0].amount.with_minor(0))[0]

    @property
    def taxes(self) -> tuple[TaxSummary, ...]:
        """The tax credited per rate (negative amounts, like the lines)."""
        return tax_summaries(self.lines)

    @property
    def subtotal(self) -> Money:
        """The amount credited excluding tax: ``subtotal + tax == amount``."""
        return self.amount - self.tax

    @property
    def to_balance(self) -> Money:
        """The part of the credit that went to the credit balance."""
        return self.amount - self.refunded if self.refunded is not None else self.amount


def _positive_left(value: object, argument: str) -> None:
    expect(value, Money, argument)
    assert isinstance(value, Money)  # noqa: S101 - checked just above, for the type checker
    if not value.is_positive():
        raise InvalidAmountError(
            f"what is left of a grant must be above zero, got {value}",
            argument=argument,
            value=value,
        )


@attrs.frozen
class CreditGrant:
    """Credit granted (goodwill) that expires: what is ``left`` of it until ``expires_at``.

    Part of the credit balance (``Subscription.credit_grants``; the sum of
    what is left of the grants never exceeds the balance). Every invoice is
    paid from the balance grants first, soonest expiry first, then the rest
    (top-ups, credit notes, grants that do not expire); what is left of a
    grant at ``expires_at`` leaves the balance (``advance``, with a
    ``CREDIT_EXPIRED`` notice). ``id`` is the number of the credit note that
    granted it. A grant spent to nothing is dropped.

    >>> grant = CreditGrant("s-CN-0002", Money.of("30", "USD"), datetime(2027, 1, 1, tzinfo=UTC))
    >>> str(grant.left), grant.expires_at.date().isoformat()
    ('USD 30.00', '2027-01-01')
    >>> CreditGrant("s-CN-0002", Money.of("0", "USD"), datetime(2027, 1, 1, tzinfo=UTC))
    Traceback (most recent call last):
    subscription_rules.errors.InvalidAmountError: left: what is left of a grant must be above zero, got USD 0.00
    """

    id: str = attrs.field(validator=field_check(identifier))
    left: Money = attrs.field(validator=field_check(_positive_left))
    expires_at: datetime = attrs.field(validator=field_check(require_aware))


_trusted_grant = trusted(CreditGrant)


def spend_grants(grants: tuple[CreditGrant, ...], applied: Money) -> tuple[CreditGrant, ...]:
    """``grants`` once ``applied`` was spent from the balance they are part of: soonest expiry first.

    What the grants cannot cover came from the rest of the balance; a grant
    spent to nothing is dropped. Grants expiring together are spent in the
    order they were granted.
    """
    left = applied
    spent: dict[int, CreditGrant | None] = {}
    order = sorted(range(len(grants)), key=lambda i: grants[i].expires_at)
    for index in order:
        if not left.is_positive():
            break
        grant = grants[index]
        part = left.min(grant.left)
        left -= part
        rest = grant.left - part
        spent[index] = (
            _trusted_grant(grant.id, rest, grant.expires_at) if rest.is_positive() else None
        )
    kept = (spent.get(i, grants[i]) for i in range(len(grants)))
    return tuple(grant for grant in kept if grant is not None)


def apply_credit(balance: Money, subtotal: Money) -> tuple[Money, Money]:
    """Spend ``balance`` on an invoice of ``subtotal``: return ``(applied, balance_left)``.

    Applies at most the subtotal, so an invoice is never made negative, and
    carries the rest forward. A negative balance or subtotal is refused.

    >>> [str(m) for m in apply_credit(Money.of("10", "USD"), Money.of("30", "USD"))]
    ['USD 10.00', 'USD 0.00']
    >>> apply_credit(Money.of("-1", "USD"), Money.of("30", "USD"))
    Traceback (most recent call last):
    subscription_rules.errors.InvalidAmountError: balance: a credit balance cannot be negative, got USD -1.00
    """
    expect(balance, Money, "balance")
    expect(subtotal, Money, "subtotal")
    if balance.is_negative():
        raise InvalidAmountError(
            f"a credit balance cannot be negative, got {balance}", argument="balance", value=balance
        )
    if subtotal.is_negative():
        raise InvalidAmountError(
            f"an invoice subtotal cannot be negative, got {subtotal}",
            argument="subtotal",
            value=subtotal,
        )
    applied = balance.min(subtotal)
    return applied, balance - applied
