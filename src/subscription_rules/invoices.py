"""Invoices and their lines; each line carries its arithmetic in words and as data.

A line's amount is signed: charges are positive and credits for unused time
negative, so the total of any quote, invoice or credit note is the plain sum of
its rounded lines. The arithmetic behind a prorated line is an
:class:`Explanation`: the base amount, the units used over the denominator,
the exact unrounded value, the rounding mode and any cap.

>>> from subscription_rules.money import Money, RoundingMode
>>> start, end = datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
>>> line = prorated_line(
...     LineKind.PRORATION_CHARGE, "Remaining time on Pro", Money.of("300", "USD"),
...     units=15, denominator=30, unit="days", rounding=RoundingMode.HALF_UP,
...     start=start, end=end, plan_id="pro",
... )
>>> str(line.amount)
'USD 150.00'
>>> print(line.explanation)
USD 300.00 × 15/30 days = USD 150.00 exactly; no rounding needed
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from subscription_rules.errors import InvalidAmountError
from subscription_rules.money import Money, RoundingMode, divide
from subscription_rules.taxes import LineTax, TaxSummary

__all__ = [
    "Explanation",
    "Invoice",
    "InvoiceReason",
    "Line",
    "LineKind",
]


class LineKind(enum.Enum):
    """What a line bills or credits."""

    SUBSCRIPTION = "subscription"
    PRORATION_CHARGE = "proration_charge"
    UNUSED_TIME = "unused_time"
    OVERAGE = "overage"
    SUSPENSION_CREDIT = "suspension_credit"
    ADJUSTMENT = "adjustment"
    DISCOUNT = "discount"
    PREPAID_CREDIT = "prepaid_credit"
    GRANTED_CREDIT = "granted_credit"


@attrs.frozen
class Explanation:
    """The arithmetic of one prorated line: ``base × units / denominator``, rounded once.

    ``unit`` names what is counted, in the plural ("seconds", "days",
    "billable sessions"). ``exact_minor`` is the unrounded value in minor units as a numerator over
    ``denominator`` (``base.minor × units``); ``cap`` is the ceiling applied
    (what was billed net of earlier credits), if it bit.

    >>> from subscription_rules.money import Money, RoundingMode
    >>> e = Explanation(Money.of("150", "USD"), 15, 31, "days", RoundingMode.HALF_UP,
    ...                 Money.of("72.58", "USD"))
    >>> print(e)
    USD 150.00 × 15/31 days = 7258.0645… cents, rounded half-up to USD 72.58
    """

    base: Money
    units: int
    denominator: int
    unit: str
    rounding: RoundingMode
    rounded: Money
    cap: Money | None = None

    @property
    def exact_numerator(self) -> int:
        """The unrounded value in minor units is ``exact_numerator / denominator``."""
        return self.base.minor * self.units

    @property
    def is_exact(self) -> bool:
        """Whether the value needed no rounding.

        >>> from subscription_rules.money import Money, RoundingMode
        >>> m = Money.of("10", "USD")
        >>> Explanation(m, 1, 2, "days", RoundingMode.HALF_UP, m.with_minor(500)).is_exact
        True
        """
        return self.exact_numerator % self.denominator == 0

    def _exact_text(self) -> str:
        whole, rest = divmod(abs(self.exact_numerator), self.denominator)
        sign = "-" if self.exact_numerator < 0 else ""
        fraction = divide(rest * 10_000, self.denominator, RoundingMode.DOWN)
        tail = "…" if (rest * 10_000) % self.denominator else ""
        minor_name = _MINOR_NAMES.get(self.base.currency.code, "minor units")
        return f"{sign}{whole}.{fraction:04d}{tail} {minor_name}"

    def __str__(self) -> str:
        units = f"{self.units:,}/{self.denominator:,} {self.unit}"
        head = f"{self.base} × {units}"
        if self.is_exact:
            text = (
                f"{head} = {self.base.with_minor(self.exact_numerator // self.denominator)} exactly"
            )
            if self.cap is None:
                return f"{text}; no rounding needed"
        else:
            mode = self.rounding.value.replace("_", "-")
            text = f"{head} = {self._exact_text()}, rounded {mode} to "
            if self.cap is None:
                return text + str(self.rounded)
            text += str(
                self.rounded.with_minor(
                    divide(self.exact_numerator, self.denominator, self.rounding)
                )
            )
        return f"{text}; capped at {self.cap}, what was billed net of earlier credits"


_MINOR_NAMES = {"USD": "cents", "EUR": "cents", "CAD": "cents", "AUD": "cents", "GBP": "pence"}


@attrs.frozen
class Line:
    """One line of an invoice, credit note or quote.

    ``amount`` is signed (credits negative); ``description`` says what it is in
    words; ``explanation`` carries the arithmetic of prorated lines; ``tax`` is
    the tax charged (or credited) with it, if any. A ``DISCOUNT`` line follows
    the line it discounts, and that line's tax is on its amount net of it.

    >>> from subscription_rules.invoices import Line, LineKind
    >>> nov, dec = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    >>> line = Line(LineKind.SUBSCRIPTION, "Advanced, monthly", Money.of("150", "USD"),
    ...             nov, dec, plan_id="advanced")
    >>> print(line)
    Advanced, monthly: USD 150.00
    >>> line.explanation is None  # a full-period line needs no arithmetic
    True
    """

    kind: LineKind
    description: str
    amount: Money
    start: datetime
    end: datetime
    plan_id: str | None = None
    explanation: Explanation | None = None
    tax: LineTax | None = None

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


def line_totals(lines: tuple[Line, ...], zero: Money) -> tuple[Money, Money, Money]:
    """``(lines total, tax, total)`` of ``lines`` in one pass: the total adds the exclusive tax.

    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> line = Line(LineKind.SUBSCRIPTION, "Personal", Money.of("50", "USD"), t, t)
    >>> [str(m) for m in line_totals((line, line), Money.zero("USD"))]
    ['USD 100.00', 'USD 0.00', 'USD 100.00']
    """
    amount = tax = exclusive = 0
    for line in lines:
        amount += line.amount.minor
        if line.tax is not None:
            tax += line.tax.amount.minor
            if not line.tax.rate.inclusive:
                exclusive += line.tax.amount.minor
    return zero.with_minor(amount), zero.with_minor(tax), zero.with_minor(amount + exclusive)


def drafted_invoice(
    invoice_id: str,
    subscription_id: str,
    reason: InvoiceReason,
    issued_at: datetime,
    period_start: datetime,
    period_end: datetime,
    lines: tuple[Line, ...],
    credit_applied: Money,
    *,
    notes: tuple[str, ...],
    totals: tuple[Money, Money, Money],
) -> Invoice:
    """The invoice a rule drafted from checked lines, with their :func:`line_totals` worked out.

    Built without checking again (see :func:`~subscription_rules._checks.trusted`):
    the caller has spent at most the total from the balance.
    """
    new = _new_invoice(Invoice)
    for name, value in (
        ("id", invoice_id),
        ("subscription_id", subscription_id),
        ("reason", reason),
        ("issued_at", issued_at),
        ("period_start", period_start),
        ("period_end", period_end),
        ("lines", lines),
        ("credit_applied", credit_applied),
        ("legal_number", None),
        ("notes", notes),
        ("_lines_total", totals[0]),
        ("_tax", totals[1]),
        ("_total", totals[2]),
    ):
        _set(new, name, value)
    return new


_new_invoice = object.__new__
_set = object.__setattr__


def tax_totals(lines: tuple[Line, ...], zero: Money) -> tuple[Money, Money]:
    """``(tax, exclusive tax)`` of ``lines``: all their tax, and the part added on top of them."""
    lines_total, tax, total = line_totals(lines, zero)
    return tax, total - lines_total


def tax_summaries(lines: tuple[Line, ...]) -> tuple[TaxSummary, ...]:
    """The taxes of ``lines`` grouped by rate (and reverse charge), in the order they first appear.

    >>> from subscription_rules.taxes import TaxRate
    >>> vat, t = TaxRate("VAT 20 %", "FR", "20"), datetime(2026, 1, 1, tzinfo=UTC)
    >>> def line(amount, tax):
    ...     m = Money.of(amount, "EUR")
    ...     return Line(LineKind.SUBSCRIPTION, "x", m, t, t,
    ...                 tax=LineTax(vat, m, Money.of(tax, "EUR")))
    >>> [str(s) for s in tax_summaries((line("10", "2"), line("0.05", "0.01")))]
    ['VAT 20 % on EUR 10.05: EUR 2.01']
    """
    grouped: dict[tuple[object, bool], tuple[LineTax, int, int]] = {}
    for line in lines:
        tax = line.tax
        if tax is None:
            continue
        key = (tax.rate, tax.reverse_charge)
        first, taxable, amount = grouped.get(key, (tax, 0, 0))
        grouped[key] = (first, taxable + tax.taxable.minor, amount + tax.amount.minor)
    return tuple(
        TaxSummary(
            first.rate,
            first.taxable.with_minor(taxable),
            first.amount.with_minor(amount),
            reverse_charge=first.reverse_charge,
        )
        for first, taxable, amount in grouped.values()
    )


def prorated_line(
    kind: LineKind,
    description: str,
    base: Money,
    *,
    units: int,
    denominator: int,
    unit: str,
    rounding: RoundingMode,
    start: datetime,
    end: datetime,
    plan_id: str | None,
    cap: Money | None = None,
    sign: int = 1,
) -> Line:
    """Build a line worth ``base × units / denominator``, rounded once, capped, then signed.

    The cap, when given, bounds the magnitude (a credit never exceeds what was
    billed net of earlier credits); ``sign=-1`` makes it a credit line.

    >>> from subscription_rules.money import Money, RoundingMode
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> line = prorated_line(LineKind.UNUSED_TIME, "Unused time", Money.of("100", "USD"),
    ...     units=2, denominator=3, unit="days", rounding=RoundingMode.HALF_UP, start=t, end=t,
    ...     plan_id="a", cap=Money.of("50", "USD"), sign=-1)
    >>> str(line.amount)
    'USD -50.00'
    >>> print(line.explanation)
    USD 100.00 × 2/3 days = 6666.6666… cents, rounded half-up to USD 66.67; capped at USD 50.00, what was billed net of earlier credits
    """
    rounded = base.ratio(units, denominator, rounding)
    applied_cap = None
    if cap is not None and rounded > cap:
        rounded, applied_cap = cap, cap
    explanation = Explanation(base, units, denominator, unit, rounding, rounded, applied_cap)
    return Line(
        kind, description, rounded if sign > 0 else -rounded, start, end, plan_id, explanation
    )


def sum_lines(lines: tuple[Line, ...], zero: Money) -> Money:
    """Return the exact sum of the lines' amounts (``zero`` when there are none).

    >>> str(sum_lines((), Money.zero("USD")))
    'USD 0.00'
    """
    total = zero.minor
    for line in lines:
        total += zero._same(line.amount, "lines").minor  # noqa: SLF001 - same-module family
    return zero.with_minor(total)


class InvoiceReason(enum.Enum):
    """Why an invoice was issued."""

    SUBSCRIPTION_START = "subscription_start"
    TRIAL_CONVERSION = "trial_conversion"
    RENEWAL = "renewal"
    PLAN_CHANGE = "plan_change"
    FINAL = "final"
    TOP_UP = "top_up"


@attrs.frozen
class Invoice:
    """An invoice: its lines, their tax, the credit applied from the balance, the amount due.

    ``lines_total`` is the sum of the lines (discount lines included), ``tax``
    the sum of their taxes; ``total`` is what the customer owes for them, the
    lines plus any tax added on top (an inclusive tax is inside the lines);
    ``subtotal`` is the total excluding tax, so ``subtotal + tax == total``
    exactly. ``amount_due`` is the total less the credit applied, never
    negative. ``legal_number`` is the number from the host's sequence, once
    assigned (``id`` stays the deterministic basis of idempotency); ``notes``
    are legal mentions (a reverse charge).

    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> line = Line(LineKind.SUBSCRIPTION, "Personal, monthly", Money.of("50", "USD"), t, t)
    >>> inv = Invoice("sub_1-0001", "sub_1", InvoiceReason.RENEWAL, t, t, t, (line,),
    ...               credit_applied=Money.of("20", "USD"))
    >>> str(inv.subtotal), str(inv.total), str(inv.amount_due)
    ('USD 50.00', 'USD 50.00', 'USD 30.00')
    """

    id: str
    subscription_id: str
    reason: InvoiceReason
    issued_at: datetime
    period_start: datetime
    period_end: datetime
    lines: tuple[Line, ...]
    credit_applied: Money
    legal_number: str | None = attrs.field(default=None, kw_only=True)
    notes: tuple[str, ...] = attrs.field(default=(), kw_only=True)
    _lines_total: Money = attrs.field(init=False, eq=False, repr=False)
    _tax: Money = attrs.field(init=False, eq=False, repr=False)
    _total: Money = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        zero = self.credit_applied.with_minor(0)
        lines_total, tax, total = line_totals(self.lines, zero)
        object.__setattr__(self, "_lines_total", lines_total)
        object.__setattr__(self, "_tax", tax)
        object.__setattr__(self, "_total", total)
        if self.credit_applied.is_negative() or self.credit_applied > total.max(zero):
            raise InvalidAmountError(
                f"must lie between zero and the total {total}, got {self.credit_applied}",
                argument="credit_applied",
                value=self.credit_applied,
            )

    @property
    def currency_zero(self) -> Money:
        """Zero in the invoice's currency."""
        return self.credit_applied.with_minor(0)

    @property
    def lines_total(self) -> Money:
        """The sum of the lines, discounts included (inclusive taxes inside them)."""
        return self._lines_total

    @property
    def tax(self) -> Money:
        """The tax of the invoice: the sum of its lines' taxes."""
        return self._tax

    @property
    def taxes(self) -> tuple[TaxSummary, ...]:
        """The tax of the invoice per rate: what each rate taxed and its tax, as invoices show them."""
        return tax_summaries(self.lines)

    @property
    def total(self) -> Money:
        """What the lines cost with their tax: ``subtotal + tax``."""
        return self._total

    @property
    def subtotal(self) -> Money:
        """The total excluding tax (the sum of the lines when no tax applies)."""
        return self._total - self._tax

    @property
    def amount_due(self) -> Money:
        """What the payment method is charged: the total less the credit applied."""
        return self._total - self.credit_applied
