"""Issue 18's money in the model-based lives (tests/test_model_lives.py): taxes, coupons, credit.

What is here is checked from the documents alone (invoices and credit notes, the one notice
of an expiry), never from what the library recorded on the subscription about money:

- :class:`TaxBook`: the tax invariants, per document as it is issued and per rate over the life;
- :class:`CreditBook`: the credit balance and the grants, kept by this test;
- :func:`coupons` and :func:`customer_taxes`: what a life redeems and is taxed with.

The tolerances are derived in the module docstring of tests/test_model_lives.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from fractions import Fraction

import attrs
from hypothesis import strategies as st

from subscription_rules import CustomerTax, Money, TaxRate
from subscription_rules.credits import CreditNote
from subscription_rules.discounts import Coupon, CouponDuration
from subscription_rules.invoices import Invoice, Line, LineKind

#: What was checked, merged into tests/test_model_lives.py's CHECKED (printed by `make soak`).
CHECKED: Counter[str] = Counter()
#: Exact percentages a rate is drawn from: none, a reduced rate, a US sales tax, VAT rates.
TAX_PERCENTS = ["0", "5.5", "8.875", "19", "20", "25"]
#: What the library taxes (and discounts): charges for time and usage.
CHARGES = frozenset({LineKind.SUBSCRIPTION, LineKind.PRORATION_CHARGE, LineKind.OVERAGE})
#: Percentages off a coupon is drawn from (Stripe allows two decimal places).
PERCENTS_OFF = ["10", "12.5", "25", "33.33", "50", "100"]
#: Amounts off, in major units of the life's currency.
AMOUNTS_OFF = ["1", "5", "20", "500"]


@st.composite
def customer_taxes(draw: st.DrawFn) -> CustomerTax | None:
    """No tax, or a rate (exclusive or inclusive) of :data:`TAX_PERCENTS`, maybe reverse charged."""
    if draw(st.integers(0, 3)) == 0:
        return None
    percent = draw(st.sampled_from(TAX_PERCENTS))
    inclusive = draw(st.booleans())
    rate = TaxRate(f"Tax {percent} %", "FR", percent, inclusive=inclusive)
    if draw(st.integers(0, 4)) == 0:
        return CustomerTax(rate, tax_id="DE123456789", reverse_charge=True)
    return CustomerTax(rate)


@attrs.frozen
class CouponSpec:
    """A coupon as drawn, built for a life's currency and plans by :meth:`coupon`."""

    percent: str | None  # None: an amount off
    amount: str
    duration: CouponDuration
    periods: int
    plans: int  # 0: every plan; n: the first n plans (and the life's plan at the start)

    def coupon(self, number: int, currency: str, plan_ids: tuple[str, ...], own: str) -> Coupon:
        plans = None if self.plans == 0 else tuple(dict.fromkeys((*plan_ids[: self.plans], own)))
        periods = self.periods if self.duration is CouponDuration.REPEATING else None
        if self.percent is not None:
            return Coupon(
                f"C{number}",
                percent_off=self.percent,
                duration=self.duration,
                periods=periods,
                plans=plans,
            )
        return Coupon(
            f"C{number}",
            amount_off=Money.of(self.amount, currency),
            duration=self.duration,
            periods=periods,
            plans=plans,
        )


def coupons() -> st.SearchStrategy[CouponSpec]:
    """Percent (most often) or amount off, once / repeating / forever, for every plan or some."""
    return st.builds(
        CouponSpec,
        percent=st.one_of(st.sampled_from(PERCENTS_OFF), st.sampled_from(PERCENTS_OFF), st.none()),
        amount=st.sampled_from(AMOUNTS_OFF),
        duration=st.sampled_from(CouponDuration),
        periods=st.integers(1, 3),
        plans=st.sampled_from([0, 0, 1, 2]),
    )


def _groups(lines: tuple[Line, ...]) -> Iterator[tuple[Line, int]]:
    """Each line other than a discount, with its amount net of the discount lines after it."""
    for index, line in enumerate(lines):
        if line.kind is LineKind.DISCOUNT:
            continue
        base = line.amount.minor
        for after in lines[index + 1 :]:
            if after.kind is not LineKind.DISCOUNT:
                break
            base += after.amount.minor
        yield line, base


def check_discount_lines(invoice: Invoice) -> None:
    """A discount line follows a charge, never takes more than it; no invoice goes negative."""
    previous: Line | None = None
    for line in invoice.lines:
        if line.kind is LineKind.DISCOUNT:
            assert previous is not None, f"{invoice.id}: a discount line first"
            assert previous.kind in CHARGES, f"{invoice.id}: a discount of {previous}"
            assert line.amount.minor <= 0, f"{invoice.id}: a positive discount {line}"
        else:
            previous = line
    for line, base in _groups(invoice.lines):
        if line.kind in CHARGES:
            assert 0 <= base <= line.amount.minor, f"{invoice.id}: {line} discounted to {base}"
    assert not invoice.total.is_negative(), f"{invoice.id}: total {invoice.total}"


def key_of(line: Line) -> Key | None:
    """The rate (and reverse charge) a line is taxed at; ``None`` untaxed."""
    return None if line.tax is None else (line.tax.rate, line.tax.reverse_charge)


def _share(rate: TaxRate) -> Fraction:
    """The share of a base that is tax: the rate exclusive, rate / (1 + rate) inclusive."""
    r = Fraction(rate.percent) / 100
    return r / (1 + r) if rate.inclusive else r


Key = tuple[TaxRate, bool]


@attrs.define
class Account:
    """One rate's tax over a life: billed and credited (tax, base, lines)."""

    tax_billed: int = 0
    tax_credited: int = 0
    base_billed: int = 0
    base_credited: int = 0
    lines: int = 0


@attrs.define
class TaxBook:
    """The tax invariants: each document as it is issued, and per rate over the life."""

    per_invoice: bool
    pending_charges: bool  # proration charges may wait (taxed when made pending or billed)
    history: set[Key | None] = attrs.Factory(lambda: {None})  # every tax the life had
    accounts: dict[Key, Account] = attrs.Factory(dict)

    def had(self, tax: CustomerTax | None) -> None:
        self.history.add(None if tax is None else (tax.rate, tax.reverse_charge))

    def invoice(self, invoice: Invoice, current: CustomerTax | None) -> None:
        """An invoice just issued, its customer taxed with ``current``."""
        check_discount_lines(invoice)
        zero = invoice.total.with_minor(0)
        exclusive = sum(
            (line.tax.amount for line in invoice.lines if line.tax and not line.tax.rate.inclusive),
            zero,
        )
        taxes = sum((line.tax.amount for line in invoice.lines if line.tax), zero)
        assert invoice.total == invoice.lines_total + exclusive, invoice
        assert invoice.tax == taxes, invoice
        assert invoice.subtotal + invoice.tax == invoice.total, invoice
        now = None if current is None else (current.rate, current.reverse_charge)
        exact: dict[Key, Fraction] = {}
        rounded: dict[Key, int] = {}
        for line, base in _groups(invoice.lines):
            tax = line.tax
            key = None if tax is None else (tax.rate, tax.reverse_charge)
            if line.kind not in CHARGES:
                # Credits carry the tax of what they credit; prepaid credit carries none.
                assert line.kind is not LineKind.PREPAID_CREDIT or tax is None, line
                assert key in self.history, f"{invoice.id}: {line} taxed at {key}"
                self._post(line, key, base)
                continue
            waited = line.kind is LineKind.PRORATION_CHARGE and self.pending_charges
            assert key == now or (waited and key in self.history), (
                f"{invoice.id}: {line} taxed at {key}, the customer's tax is {now}"
            )
            if tax is None:
                continue
            assert key is not None
            share = _share(tax.rate)
            want = Fraction(0) if tax.reverse_charge else base * share
            # Per line: rounded once. Per invoice: the rate's total is rounded once (below),
            # charges taxed while they waited counted in, the new lines absorbing the rest.
            assert self.per_invoice or abs(tax.amount.minor - want) < 1, (
                f"{invoice.id}: {line}: tax {tax}, {want}"
            )
            taxable = base - tax.amount.minor if tax.rate.inclusive else base
            assert tax.taxable.minor == taxable, f"{invoice.id}: {line}: taxable {tax}, {taxable}"
            exact[key] = exact.get(key, Fraction(0)) + want
            rounded[key] = rounded.get(key, 0) + tax.amount.minor
            self._post(line, key, base)
        if self.per_invoice:
            for key, want in exact.items():  # rounded once per rate
                assert abs(rounded[key] - want) < 1, f"{invoice.id}: {key} {rounded[key]}"
        # A charge reverse charged under the customer's tax carries the mention (a credit of
        # such time, or a charge taxed while it waited, may ride on an invoice issued after
        # the tax changed: not checked, see the module docstring).
        mention = (
            current is not None
            and current.reverse_charge
            and any(
                line.tax and line.tax.reverse_charge and key_of(line) == now
                for line in invoice.lines
            )
        )
        if mention:
            assert any("DE123456789" in note for note in invoice.notes), invoice.notes
        if any(line.tax for line in invoice.lines):
            CHECKED["invoices taxed" + (" (reverse charge)" if mention else "")] += 1
        for line in invoice.lines:
            if line.tax and line.tax.reverse_charge:
                assert not line.tax.amount, f"{invoice.id}: reverse charge taxed {line}"

    def note(self, note: CreditNote) -> None:
        """A credit note just issued: its totals, and each line's tax one the life billed."""
        zero = note.amount.with_minor(0)
        exclusive = sum(
            (line.tax.amount for line in note.lines if line.tax and not line.tax.rate.inclusive),
            zero,
        )
        lines = sum((line.amount for line in note.lines), zero)
        assert note.amount == -(lines + exclusive), note
        assert note.tax == -sum((line.tax.amount for line in note.lines if line.tax), zero), note
        assert note.subtotal + note.tax == note.amount, note
        for line in note.lines:
            key = None if line.tax is None else (line.tax.rate, line.tax.reverse_charge)
            assert key in self.history, f"{note.number}: {line} taxed at {key}"
            if line.kind is LineKind.GRANTED_CREDIT:
                assert line.tax is None, line
            self._post(line, key, line.amount.minor)

    def _post(self, line: Line, key: Key | None, base: int) -> None:
        if key is None or line.tax is None:
            return
        account = self.accounts.setdefault(key, Account())
        account.lines += 1
        if base >= 0 and line.kind in CHARGES:
            account.tax_billed += line.tax.amount.minor
            account.base_billed += base
        else:
            account.tax_credited -= line.tax.amount.minor
            account.base_credited -= base

    def check(self, pending: tuple[Line, ...]) -> None:
        """Per rate: tax credited ≤ billed; net tax within the lines' tolerance of rate × net.

        The lines waiting for the next invoice count as billed or credited already (a charge
        taxed while it waits may be credited before that invoice bills it).
        """
        saved = {key: attrs.evolve(account) for key, account in self.accounts.items()}
        for line, base in _groups(pending):
            self._post(line, key_of(line), base)
        accounts, self.accounts = self.accounts, saved
        for (rate, reverse), a in accounts.items():
            assert 0 <= a.tax_credited <= a.tax_billed, (rate, reverse, a)
            want = Fraction(0) if reverse else (a.base_billed - a.base_credited) * _share(rate)
            net = a.tax_billed - a.tax_credited
            assert abs(net - want) <= a.lines, f"{rate} net tax {net}, {float(want):.3f} ({a})"


@attrs.define
class Grant:
    id: str
    left: int
    expires_at: datetime  # UTC
    order: int


@attrs.define
class CreditBook:
    """The credit balance kept here: credit notes to it, top-ups paid, spent, grants expired."""

    balance: int = 0
    grants: list[Grant] = attrs.Factory(list)
    top_ups: dict[str, int] = attrs.Factory(dict)  # invoice id → the amount asked
    granted: int = 0
    expired: list[int] = attrs.Factory(list)  # amounts expired, not yet seen in a notice

    def spend(self, invoice: Invoice) -> None:
        """An invoice paid ``credit_applied`` from the balance: expiring grants first, soonest."""
        applied = invoice.credit_applied.minor
        assert 0 <= applied <= self.balance, (invoice.id, applied, self.balance)
        if invoice.id in self.top_ups:
            assert applied == 0, f"top-up {invoice.id} paid from the balance"
        self.balance -= applied
        for grant in sorted(self.grants, key=lambda g: (g.expires_at, g.order)):
            used = min(grant.left, applied)
            grant.left -= used
            applied -= used
        self.grants = [g for g in self.grants if g.left > 0]

    def expire(self, until: datetime) -> None:
        """Every grant expiring by ``until`` leaves the balance (what is left of it)."""
        for grant in [g for g in self.grants if g.expires_at <= until]:
            gone = min(grant.left, self.balance)
            self.balance -= gone
            self.expired.append(gone)
            self.grants.remove(grant)

    def grant(self, note_id: str, amount: int, expires_at: datetime | None) -> None:
        self.granted += 1
        if expires_at is not None:
            self.grants.append(Grant(note_id, amount, expires_at.astimezone(UTC), self.granted))

    def events(self, invoices: list[Invoice], until: datetime) -> None:
        """Invoices and expiries up to ``until``, in time order (at one instant: expiry first)."""
        for invoice in sorted(invoices, key=lambda i: i.issued_at.astimezone(UTC)):
            self.expire(invoice.issued_at.astimezone(UTC))
            self.spend(invoice)
        self.expire(until)
