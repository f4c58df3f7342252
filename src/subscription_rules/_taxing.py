"""Taxes on what an invoice bills: the customer's rate, per line or per invoice.

:func:`taxed` returns the lines with their ``tax`` set and the invoice's legal
mentions. The taxable amount of a line is its amount plus the ``DISCOUNT``
lines that follow it (they carry no tax of their own). An exclusive tax is
``base × rate``; an inclusive one is inside the line, ``gross × rate / (1 +
rate)``, and the line's taxable amount is the gross less it. Each is rounded
once with the policy's mode: per line (``TaxRounding.PER_LINE``), or on the
sum of all the lines at one rate, then shared over them by largest remainder
(``PER_INVOICE``; charges already taxed at the rate count in that sum, and
what they carry is taken off it: so a charge made pending is taxed with the
charges already waiting for the same invoice, and the invoice that bills them
all carries the rate's total rounded once). Lines that already carry a tax (credits
for time billed before, which return the tax it was billed with; proration
charges taxed when made pending, whose stretch records that tax) keep it, as do the kinds
that are never taxed here: credits of billed time (their tax comes from what
they credit, :func:`credit_tax`) and prepaid or granted credit.

>>> from datetime import UTC, datetime
>>> from subscription_rules.money import Money, RoundingMode
>>> from subscription_rules.taxes import TaxRate
>>> vat, t = TaxRate("VAT 20 %", "FR", "20"), datetime(2026, 1, 1, tzinfo=UTC)
>>> line = Line(LineKind.SUBSCRIPTION, "Pro", Money.of("150", "EUR"), t, t)
>>> (taxed_line,) = tax_lines((line,), vat, RoundingMode.HALF_UP, per_invoice=False)
>>> str(taxed_line.tax.amount)
'EUR 30.00'
"""

from __future__ import annotations

from typing import Final

import attrs

from subscription_rules._checks import trusted
from subscription_rules.invoices import Line, LineKind
from subscription_rules.money import Money, RoundingMode, divide
from subscription_rules.policy import BillingPolicy, TaxRounding
from subscription_rules.subscription import Stretch, Subscription
from subscription_rules.taxes import CustomerTax, LineTax, TaxRate

_trusted_tax = trusted(LineTax)

#: What ``taxed`` taxes: charges. Credits of billed time carry the tax of what they credit;
#: prepaid and granted credit are money on account, not a supply; discounts fold into the line
#: they follow.
_TAXED: Final = frozenset({LineKind.SUBSCRIPTION, LineKind.PRORATION_CHARGE, LineKind.OVERAGE})


def reverse_charge_note(tax: CustomerTax) -> str:
    """The legal mention of an invoice under a reverse charge (EU VAT Directive art. 196)."""
    return (
        f"Reverse charge: {tax.rate.name} to be accounted for by the recipient"
        f" (Council Directive 2006/112/EC, art. 196); customer tax number {tax.tax_id}"
    )


def net_of_discounts(lines: tuple[Line, ...], index: int) -> Money:
    """``lines[index]``'s amount less the ``DISCOUNT`` lines that follow it."""
    net = lines[index].amount
    for after in lines[index + 1 :]:
        if after.kind is not LineKind.DISCOUNT:
            break
        net += after.amount
    return net


def _bases(lines: tuple[Line, ...]) -> list[Money | None]:
    """Each line's taxable base when ``taxed`` taxes it: its amount net of its discount lines."""
    return [
        None if line.tax is not None or line.kind not in _TAXED else net_of_discounts(lines, index)
        for index, line in enumerate(lines)
    ]


def _fraction(rate: TaxRate) -> tuple[int, int]:
    """The share of a base that is tax: ``rate`` exclusive, ``rate / (1 + rate)`` inclusive."""
    numerator, denominator = rate.ratio
    return (numerator, denominator + numerator) if rate.inclusive else (numerator, denominator)


def _shared(
    numerators: list[int], denominator: int, mode: RoundingMode, fixed: tuple[int, int] = (0, 0)
) -> list[int]:
    """The exact taxes ``numerator / denominator`` rounded once on their sum, shared out.

    ``fixed``: the exact numerators and the taxes of charges on the invoice
    already taxed at the rate (made pending with their tax): the sum rounded
    once counts them, and what they already carry is taken off it. Each part
    gets its floor, and the minor units the rounded sum has left over go
    evenly, the rest to the largest remainders (earlier lines first on a
    tie), so the parts add up to the rounded sum exactly, whatever their
    signs: without ``fixed`` the sum lies between the sum of the floors and
    that plus the number of parts.
    """
    exact_fixed, taxed_fixed = fixed
    total = divide(sum(numerators) + exact_fixed, denominator, mode) - taxed_fixed
    floors = [n // denominator for n in numerators]
    even, leftover = divmod(total - sum(floors), len(numerators))
    order = sorted(range(len(numerators)), key=lambda i: (-(numerators[i] % denominator), i))
    bonus = set(order[:leftover])
    return [floor + even + (1 if i in bonus else 0) for i, floor in enumerate(floors)]


def _already_taxed(lines: tuple[Line, ...], rate: TaxRate, numerator: int) -> tuple[int, int]:
    """The exact tax numerators and the taxes of the charges in ``lines`` taxed at ``rate``."""
    exact = taxes = 0
    for index, line in enumerate(lines):
        tax = line.tax
        if tax is None or line.kind not in _TAXED or tax.rate != rate or tax.reverse_charge:
            continue
        exact += net_of_discounts(lines, index).minor * numerator
        taxes += tax.amount.minor
    return exact, taxes


def tax_lines(
    lines: tuple[Line, ...],
    rate: TaxRate,
    rounding: RoundingMode,
    *,
    per_invoice: bool,
    reverse_charge: bool = False,
    beside: tuple[Line, ...] = (),
) -> tuple[Line, ...]:
    """``lines`` with the charges among them taxed at ``rate`` (see the module's docstring).

    ``beside``: lines already taxed that the same invoice will bill (charges waiting for it);
    per invoice, the charges among them taxed at ``rate`` count in the sum rounded once.
    """
    bases = _bases(lines)
    taxed_bases = [base for base in bases if base is not None]
    if not taxed_bases:
        return lines
    numerator, denominator = _fraction(rate)
    if reverse_charge:
        amounts = [0] * len(taxed_bases)
    elif per_invoice:
        amounts = _shared(
            [b.minor * numerator for b in taxed_bases],
            denominator,
            rounding,
            # A line's discounts follow it, so no line of ``lines`` is read as one of ``beside``'s.
            _already_taxed(beside + lines, rate, numerator),
        )
    else:
        amounts = [divide(b.minor * numerator, denominator, rounding) for b in taxed_bases]
    out: list[Line] = []
    amount_of = iter(amounts)
    for line, base in zip(lines, bases, strict=True):
        if base is None:
            out.append(line)
            continue
        tax = base.with_minor(next(amount_of))
        taxable = base - tax if rate.inclusive else base
        out.append(attrs.evolve(line, tax=_trusted_tax(rate, taxable, tax, reverse_charge)))
    return tuple(out)


def taxed(
    sub: Subscription,
    lines: tuple[Line, ...],
    policy: BillingPolicy,
    *,
    beside: tuple[Line, ...] = (),
) -> tuple[tuple[Line, ...], tuple[str, ...]]:
    """``lines`` with their tax at the customer's rate, and the mentions the invoice must carry.

    ``beside``: lines already taxed the same invoice will bill (see :func:`tax_lines`).
    """
    tax = sub.tax
    if tax is None:
        return lines, ()
    lines = tax_lines(
        lines,
        tax.rate,
        policy.rounding,
        per_invoice=policy.tax_rounding is TaxRounding.PER_INVOICE,
        reverse_charge=tax.reverse_charge,
        beside=beside,
    )
    mentions = (
        (reverse_charge_note(tax),)
        if tax.reverse_charge
        and any(line.tax is not None and line.tax.reverse_charge for line in lines)
        else ()
    )
    return lines, mentions


def tax_waiting(
    sub: Subscription, policy: BillingPolicy
) -> tuple[tuple[Line, ...], tuple[Stretch, ...]]:
    """``sub``'s pending lines and stretches now that the customer is taxed (``sub.tax``).

    A proration charge made pending while the customer was untaxed is taxed
    now, as the invoice that bills it would, and the stretch it pays for (not
    yet invoiced, untaxed, starting where the charge starts, on its plan)
    records that tax: a credit for that time before the invoice then returns
    its share, and the invoice bills the tax the line carries.
    """
    before = sub.pending_lines
    lines = taxed(sub, before, policy)[0]
    stretches = list(sub.stretches)
    for old, new in zip(before, lines, strict=True):
        if old.tax is not None or new.tax is None:
            continue
        for index, stretch in enumerate(stretches):
            if (
                stretch.invoice_id is None
                and stretch.tax_credited is None
                and stretch.start == new.start
                and stretch.plan_id == new.plan_id
            ):
                added = new.tax
                if stretch.tax is not None:
                    added = attrs.evolve(
                        stretch.tax,
                        taxable=stretch.tax.taxable + added.taxable,
                        amount=stretch.tax.amount + added.amount,
                    )
                stretches[index] = attrs.evolve(stretch, tax=added)
                break
    return lines, tuple(stretches)


def credit_tax(stretch: Stretch, credit: Money, rounding: RoundingMode) -> LineTax | None:
    """The tax a credit of ``credit`` (positive) against ``stretch`` returns, negative.

    What is left of the stretch's tax in proportion to the credit's share of
    what is left creditable, rounded once: crediting all that is left returns
    all the tax left, to the cent, and never more than was billed. ``None``
    when the stretch was billed without tax.
    """
    billed = stretch.tax
    if billed is None:
        return None
    left = tax_left(stretch)
    creditable = stretch.creditable
    if not credit.is_positive():
        amount = credit.with_minor(0)
    elif credit >= creditable or not creditable.is_positive():
        amount = left
    else:
        amount = left.ratio(credit.minor, creditable.minor, rounding)
    amount = amount.max(credit.with_minor(0))
    taxable = credit - amount if billed.rate.inclusive else credit
    return _trusted_tax(billed.rate, -taxable, -amount, billed.reverse_charge)


def tax_left(stretch: Stretch) -> Money:
    """What is left of the tax billed with ``stretch`` (zero when it was untaxed)."""
    billed = stretch.tax
    if billed is None:
        return stretch.billed.with_minor(0)
    credited = stretch.tax_credited
    return billed.amount - credited if credited is not None else billed.amount


def with_credit_tax(line: Line, stretch: Stretch, rounding: RoundingMode) -> Line:
    """The credit ``line`` (negative) against ``stretch``, with the tax it returns."""
    tax = credit_tax(stretch, -line.amount, rounding)
    return line if tax is None else attrs.evolve(line, tax=tax)


def tax_credited_after(stretch: Stretch, lines: tuple[Line, ...]) -> Money | None:
    """``Stretch.tax_credited`` once the credit ``lines`` against ``stretch`` are given."""
    if stretch.tax is None:
        return stretch.tax_credited
    given = stretch.tax_credited or stretch.billed.with_minor(0)
    for line in lines:
        if line.tax is not None:
            given -= line.tax.amount
    return given


def exclusive_tax_credited(stretch: Stretch) -> Money:
    """The part of ``stretch``'s credited tax added on top of what it credited (exclusive tax)."""
    zero = stretch.billed.with_minor(0)
    if stretch.tax is None or stretch.tax.rate.inclusive:
        return zero
    return stretch.tax_credited or zero


def paid_left(stretch: Stretch) -> Money:
    """What is left of ``stretch``'s payment once its credits, tax included, are taken off."""
    return stretch.paid - stretch.credited - exclusive_tax_credited(stretch)
