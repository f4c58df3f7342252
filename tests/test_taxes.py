"""Taxes: exclusive and inclusive rates, per-line and per-invoice rounding, credits, reverse charge.

Conventions checked against the engines:

- Stripe computes tax per line item: each invoice line (and credit note line)
  carries its own tax amount and ``taxable_amount``; an inclusive rate keeps
  the total (a 10 % inclusive rate on EUR 600 leaves the total at 600), an
  exclusive one adds to it (EUR 660) (docs.stripe.com/invoicing/taxes,
  support.stripe.com "Inclusive and exclusive tax options in the tax rate API").
- Lago rounds per invoice: ``Invoices::ApplyTaxesService#compute_tax_amount_cents``
  sums every fee's unrounded ``sub_total_excluding_taxes_amount_cents × rate``
  at one tax and rounds the sum once, while each fee's own tax is rounded on its
  own (``Fees::ApplyTaxesService``); coupons are taken off before tax
  (getlago/lago-api, app/services/invoices/apply_taxes_service.rb).
- Kill Bill's tax plugins add one TAX item per taxed invoice item, linked to it:
  a tax per line.
"""

from __future__ import annotations

from datetime import datetime

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance._engines import changed
from helpers import CATALOG, MWST_DE, NY, VAT_FR, decided, paid, usd, utc
from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    STRIPE_LIKE,
    BillingPolicy,
    CreditDestination,
    CustomerTax,
    Decision,
    ProrationBilling,
    ProrationUnit,
    RefundPayment,
    RefusalReason,
    Refused,
    Rulebook,
    Subscription,
    TaxRate,
    TaxRounding,
    UpdateTax,
    Usage,
    adjust,
    advance,
    billing_summary,
    change_plan,
    quote_change,
    start_subscription,
    terminate,
    update_tax,
)
from subscription_rules.invoices import LineKind
from subscription_rules.money import divide
from subscription_rules.ports import customer_tax
from subscription_rules.testing import TableTaxRates

NOV_1 = utc(2026, 11, 1)


def _start(
    tax: CustomerTax | None, plan: str = "advanced", policy: BillingPolicy = SEED_POLICY
) -> Decision:
    return start_subscription(
        "sub_1", "cus_1", plan, MONTHLY, NOV_1, catalog=CATALOG, trial=False, policy=policy, tax=tax
    )


def _to_pro(sub: Subscription, at: datetime) -> Decision:
    """``sub`` moved to Pro at ``at`` under the seed policy."""
    return decided(
        change_plan(sub, "pro", MONTHLY, at, catalog=CATALOG, usage=Usage.of(), policy=SEED_POLICY)
    )


def test_an_exclusive_rate_is_added_on_top_of_the_lines() -> None:
    """Advanced, USD 150.00, VAT 20 % exclusive: 15000 × 20/100 = 3000 → tax 30.00, total 180.00."""
    d = _start(CustomerTax(VAT_FR))
    (invoice,) = d.invoices
    (line,) = invoice.lines
    assert line.amount == usd("150.00")
    assert line.tax is not None
    assert (line.tax.taxable, line.tax.amount) == (usd("150.00"), usd("30.00"))
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        usd("150.00"),
        usd("30.00"),
        usd("180.00"),
    )
    assert invoice.amount_due == usd("180.00")
    (summary,) = invoice.taxes
    assert str(summary) == "VAT 20 % on USD 150.00: USD 30.00"
    (stretch,) = d.subscription.stretches
    assert (stretch.billed, stretch.paid, stretch.tax) == (usd("150.00"), usd("180.00"), line.tax)


def test_an_inclusive_rate_is_inside_the_line_and_the_total_stays() -> None:
    """The same plan, 19 % inclusive: tax = 15000 × 19/119 = 2394.96 cents → 23.95 (half up).

    Subtotal 150.00 − 23.95 = 126.05; total 150.00 (Stripe: an inclusive rate keeps the total).
    """
    (invoice,) = _start(CustomerTax(MWST_DE)).invoices
    (line,) = invoice.lines
    assert line.tax is not None
    assert (line.tax.taxable, line.tax.amount) == (usd("126.05"), usd("23.95"))
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        usd("126.05"),
        usd("23.95"),
        usd("150.00"),
    )


def _renewal_after_upgrade(rounding: TaxRounding) -> Decision:
    """Advanced → Pro on 21 Nov, the charge waiting for the renewal (days, NEXT_INVOICE)."""
    policy = attrs.evolve(
        SEED_POLICY,
        name="seed, changed",
        proration_unit=ProrationUnit.DAY,
        proration_billing=ProrationBilling.NEXT_INVOICE,
        tax_rounding=rounding,
    )
    sub = _start(CustomerTax(NY), policy=policy).subscription
    changed = decided(
        change_plan(
            sub, "pro", MONTHLY, utc(2026, 11, 21), catalog=CATALOG, usage=Usage.of(), policy=policy
        )
    )
    return advance(changed.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=policy)


def test_per_line_and_per_invoice_rounding_give_different_totals() -> None:
    """The renewal bills Pro 300.00 and the waiting charge, 300.00 × 10/30 days = 100.00, at 8.875 %.

    Exact taxes: 30000 × 71/800 = 2662.5 cents and 10000 × 71/800 = 887.5 cents.
    PER_LINE (Stripe, Kill Bill): 26.63 + 8.88 = 35.51, total 435.51.
    PER_INVOICE (Lago): (2662.5 + 887.5) = 3550 cents once → 35.50, total 435.50. The waiting
    charge was taxed when made pending, alone: 887.5 → 8.88, which the Pro stretch records and
    the renewal keeps, so the renewal's own line gets the rest of the sum: 35.50 − 8.88 = 26.62.
    """
    per_line = _renewal_after_upgrade(TaxRounding.PER_LINE).invoices[-1]
    per_invoice = _renewal_after_upgrade(TaxRounding.PER_INVOICE).invoices[-1]
    assert [line.amount for line in per_line.lines] == [usd("300.00"), usd("100.00")]
    assert [line.tax.amount for line in per_line.lines if line.tax] == [usd("26.63"), usd("8.88")]
    assert [line.tax.amount for line in per_invoice.lines if line.tax] == [
        usd("26.62"),
        usd("8.88"),
    ]
    assert (per_line.tax, per_line.total) == (usd("35.51"), usd("435.51"))
    assert (per_invoice.tax, per_invoice.total) == (usd("35.50"), usd("435.50"))
    assert per_invoice.subtotal + per_invoice.tax == per_invoice.total


def test_terminating_at_once_with_a_refund_returns_all_the_tax() -> None:
    """Advanced with VAT 20 %, paid 180.00, terminated the moment it started, refunds on.

    The whole period is unused: credit 150.00 and all of its tax, 30.00: the note is 180.00,
    refunded in full (capped by the payment, 180.00), nothing left to the balance.
    """
    policy = attrs.evolve(
        SEED_POLICY, name="seed, changed", credit_destination=CreditDestination.REFUND
    )
    sub = paid(_start(CustomerTax(VAT_FR), policy=policy).subscription, NOV_1, policy)
    d = decided(terminate(sub, NOV_1, catalog=CATALOG, policy=policy))
    (note,) = d.credit_notes
    assert (note.subtotal, note.tax, note.amount) == (usd("150.00"), usd("30.00"), usd("180.00"))
    (refund,) = [e for e in d.effects if isinstance(e, RefundPayment)]
    assert refund.amount == usd("180.00")
    assert d.subscription.credit_balance == usd("0.00")


def test_a_partial_credit_returns_its_share_of_the_tax_and_the_rest_comes_back_exactly() -> None:
    """Advanced at 8.875 %: tax 15000 × 71/800 = 1331.25 cents → 13.31.

    An adjustment of 10.00 returns 13.31 × 10/150 = 0.8873… → 0.89. Terminating at the start
    credits the whole period of what is left, 140.00 × 30/30 = 140.00: all that is left, so it
    returns all the tax left, 13.31 − 0.89 = 12.42; together 13.31, the tax billed, to the cent.
    """
    sub = _start(CustomerTax(NY)).subscription
    adjusted = decided(
        adjust(
            sub,
            "sub_1-INV-0001",
            usd("10"),
            NOV_1,
            reason="outage",
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
    )
    (first,) = adjusted.credit_notes
    assert (first.subtotal, first.tax, first.amount) == (usd("10.00"), usd("0.89"), usd("10.89"))
    ended = decided(terminate(adjusted.subscription, NOV_1, catalog=CATALOG, policy=SEED_POLICY))
    (second,) = ended.credit_notes
    assert (second.subtotal, second.tax) == (usd("140.00"), usd("12.42"))
    assert first.tax + second.tax == usd("13.31")
    assert ended.subscription.credit_balance == usd("10.89") + usd("152.42")


def test_reverse_charge_bills_zero_tax_with_the_legal_mention() -> None:
    """A business customer with a VAT number: tax 0.00 at the rate, total 150.00, the mention."""
    tax = CustomerTax(VAT_FR, tax_id="DE123456789", reverse_charge=True)
    (invoice,) = _start(tax).invoices
    (line,) = invoice.lines
    assert line.tax is not None
    assert line.tax.reverse_charge
    assert (line.tax.taxable, line.tax.amount) == (usd("150.00"), usd("0.00"))
    assert (invoice.tax, invoice.total) == (usd("0.00"), usd("150.00"))
    (note,) = invoice.notes
    assert note.startswith("Reverse charge: VAT 20 % to be accounted for by the recipient")
    assert "art. 196" in note
    assert note.endswith("DE123456789")


def test_an_upgrade_mid_period_credits_the_tax_paid_and_charges_the_new_one() -> None:
    """Advanced → Pro on 16 Nov (15 of 30 days left), VAT 20 %, proration now.

    Credit: 150.00 × 15/30 = 75.00 and 30.00 × 75/150 = 15.00 of its tax → note 90.00.
    Charge: 300.00 × 15/30 = 150.00 + 30.00 tax = 180.00, of which the balance pays 90.00:
    90.00 due; the quote says so before, tax included (its tax 30.00 − 15.00 = 15.00).
    """
    sub = _start(CustomerTax(VAT_FR)).subscription
    at = utc(2026, 11, 16)
    quote = quote_change(
        sub, "pro", MONTHLY, at, catalog=CATALOG, usage=Usage.of(), policy=SEED_POLICY
    )
    assert quote is not None
    assert quote.tax == usd("15.00")  # type: ignore[union-attr]
    assert (quote.total, quote.amount_due_now) == (usd("90.00"), usd("90.00"))  # type: ignore[union-attr]
    d = _to_pro(sub, at)
    (note,) = d.credit_notes
    assert (note.subtotal, note.tax, note.amount) == (usd("75.00"), usd("15.00"), usd("90.00"))
    (invoice,) = d.invoices
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        usd("150.00"),
        usd("30.00"),
        usd("180.00"),
    )
    assert (invoice.credit_applied, invoice.amount_due) == (usd("90.00"), usd("90.00"))
    closed, new = d.subscription.stretches
    assert closed.tax_credited == usd("15.00")
    assert new.tax is not None
    assert (new.billed, new.tax.amount, new.paid) == (usd("150.00"), usd("30.00"), usd("90.00"))


def _pending_upgrade_then(then: str) -> tuple[Decision, Decision, Decision]:
    """Advanced (150.00) at VAT 20 % under STRIPE_LIKE (PENDING_ITEMS), paid 180.00 on 1 Nov;
    Pro (300.00) from 16 Nov; on 26 Nov back to Advanced or terminated; the upgrade and that."""
    sub = paid(_start(CustomerTax(VAT_FR), policy=STRIPE_LIKE).subscription, NOV_1, STRIPE_LIKE)
    up = changed(sub, CATALOG, "pro", utc(2026, 11, 16), STRIPE_LIKE)
    at = utc(2026, 11, 26)
    after = (
        changed(up.subscription, CATALOG, "advanced", at, STRIPE_LIKE)
        if then == "downgrade"
        else decided(terminate(up.subscription, at, catalog=CATALOG, policy=STRIPE_LIKE))
    )
    renewed = advance(after.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=STRIPE_LIKE)
    return up, after, renewed


def test_a_waiting_proration_charge_is_taxed_when_made_pending_and_its_credit_returns_that_tax() -> (
    None
):
    """STRIPE_LIKE (both proration lines wait for the next invoice), VAT 20 %.

    16 Nov, Advanced → Pro, 15 of 30 days left: pending credit 150.00 × 15/30 = 75.00 with
    30.00 × 75/150 = 15.00 of tax back; pending charge 300.00 × 15/30 = 150.00, taxed now:
    30.00, which the Pro stretch records. 26 Nov, back to Advanced (immediate under Stripe):
    5 of the stretch's 15 days are unused, credit 150.00 × 5/15 = 50.00 and 30.00 × 50/150 =
    10.00 of tax back (untaxed before: 0.00, and the renewal taxed the whole 150.00); charge
    150.00 × 5/30 = 25.00 + 5.00 tax. The 1 Dec renewal bills Advanced 150.00 + 30.00 and the
    four waiting lines: 150 − 75 + 150 − 50 + 25 = 200.00, tax 30 − 15 + 30 − 10 + 5 = 40.00.
    November's time used: Advanced 1–16 Nov 75.00, Pro 16–26 Nov 100.00, Advanced 26 Nov–1 Dec
    25.00: 200.00 at 20 % = 40.00 of tax, billed 30.00 on 1 Nov + 10.00 on 1 Dec, no more.
    """
    up, down, renewed = _pending_upgrade_then("downgrade")
    assert (up.invoices, up.credit_notes) == ((), ())
    closed, pro = up.subscription.stretches
    assert closed.tax_credited == usd("15.00")
    assert pro.tax is not None
    assert (pro.billed, pro.tax.amount) == (usd("150.00"), usd("30.00"))
    credit, charge = down.subscription.pending_lines[-2:]
    assert credit.tax is not None
    assert charge.tax is not None
    assert (credit.amount, credit.tax.amount) == (usd("-50.00"), usd("-10.00"))
    assert (charge.amount, charge.tax.amount) == (usd("25.00"), usd("5.00"))
    invoice = renewed.invoices[-1]
    assert [line.tax.amount for line in invoice.lines if line.tax] == [
        usd("30.00"),
        usd("-15.00"),
        usd("30.00"),
        usd("-10.00"),
        usd("5.00"),
    ]
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        usd("200.00"),
        usd("40.00"),
        usd("240.00"),
    )
    november = sum((line.tax.amount for line in invoice.lines[1:] if line.tax), usd("0"))
    assert usd("30.00") + november == usd("40.00")  # 200.00 of November's time at 20 %


def test_terminating_before_the_invoice_a_waiting_charge_waits_for_returns_its_tax() -> None:
    """The same upgrade, then terminated on 26 Nov (STRIPE_LIKE, VAT 20 %).

    The Pro stretch's unused 5 of 15 days: 50.00 and 10.00 of the 30.00 tax it was billed
    with. With the two pending lines (−75.00 with −15.00; +150.00 with +30.00) the final
    lines net 150 − 75 − 50 = 25.00 and 30 − 15 − 10 = 5.00 of tax: the customer paid 180.00
    for Advanced 1–16 Nov (75.00 + 15.00) and owes Pro 16–26 Nov (100.00 + 20.00): 210.00 in
    all, 35.00 of it tax; the tax billed less the tax credited is 35.00, never more.
    """
    _up, ended, _after = _pending_upgrade_then("terminate")
    billed_tax = usd("30.00") + sum((i.tax for i in ended.invoices), usd("0"))
    credited_tax = sum((n.tax for n in ended.credit_notes), usd("0"))
    assert billed_tax - credited_tax == usd("35.00")
    billed = usd("180.00") + sum((i.total for i in ended.invoices), usd("0"))
    credited = sum((n.amount for n in ended.credit_notes), usd("0"))
    assert billed - credited == usd("210.00")


def test_a_charge_waiting_when_the_customer_becomes_taxed_is_taxed_then_and_credited_with_it() -> (
    None
):
    """STRIPE_LIKE, no tax at first; 16 Nov, Advanced → Pro: the pending charge 150.00 (Pro's
    300.00 × 15/30) waits untaxed, with the pending credit 75.00 (Advanced 1 Nov was untaxed,
    so nothing of tax comes back). 20 Nov, the customer becomes taxed at VAT 20 %: the waiting
    charge is taxed then, 150.00 × 20 % = 30.00, as its invoice would tax it, and its stretch
    records that tax. 26 Nov, back to Advanced: 5 of the stretch's 15 days are unused, credit
    150.00 × 5/15 = 50.00 with 30.00 × 50/150 = 10.00 of tax back (before the fix: none, while
    the renewal went on to tax the whole 150.00). The 1 Dec renewal: Advanced 150.00 + 30.00,
    and the waiting lines' tax 30.00 − 10.00 + 25.00 × 20 % = 25.00; the Pro time used, 16–26
    Nov, 100.00, is taxed 20.00 and the Advanced days 26 Nov–1 Dec, 25.00, 5.00: 25.00, no more.
    """
    sub = paid(_start(None, policy=STRIPE_LIKE).subscription, NOV_1, STRIPE_LIKE)
    up = changed(sub, CATALOG, "pro", utc(2026, 11, 16), STRIPE_LIKE)
    taxed = decided(update_tax(up.subscription, CustomerTax(VAT_FR), utc(2026, 11, 20),
                               policy=STRIPE_LIKE))  # fmt: skip
    charge = taxed.subscription.pending_lines[-1]
    assert charge.tax is not None
    assert (charge.amount, charge.tax.amount) == (usd("150.00"), usd("30.00"))
    pro = taxed.subscription.stretches[-1]
    assert pro.tax is not None
    assert pro.tax.amount == usd("30.00")
    down = changed(taxed.subscription, CATALOG, "advanced", utc(2026, 11, 26), STRIPE_LIKE)
    credit = down.subscription.pending_lines[-2]
    assert credit.tax is not None
    assert (credit.amount, credit.tax.amount) == (usd("-50.00"), usd("-10.00"))
    renewed = advance(down.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=STRIPE_LIKE)
    invoice = renewed.invoices[-1]
    november = sum((line.tax.amount for line in invoice.lines[1:] if line.tax), usd("0"))
    assert november == usd("25.00")  # 16 Nov - 1 Dec: 125.00 of time used at 20 %


def _waiting_policy(billing: ProrationBilling) -> BillingPolicy:
    """The seed policy, rounding tax per invoice, charges of changes waiting for the next one."""
    return attrs.evolve(
        SEED_POLICY,
        name="seed, per-invoice tax, charges wait",
        tax_rounding=TaxRounding.PER_INVOICE,
        proration_billing=billing,
        credit_destination=(
            CreditDestination.BALANCE
            if billing is ProrationBilling.PENDING_ITEMS
            else CreditDestination.REFUND
        ),
    )


def _two_waiting_charges(policy: BillingPolicy, tax: TaxRate) -> Subscription:
    """Personal from 1 Nov, paid; Advanced at once on 1 Nov; Pro on 2 Nov; both charges wait.

    Advanced's whole month, 150.00; Pro's 29 of 30 days, 300.00 × 29/30 = 290.00.
    """
    sub = paid(_start(CustomerTax(tax), plan="personal", policy=policy).subscription, NOV_1, policy)
    for plan, day in (("advanced", 1), ("pro", 2)):
        sub = decided(
            change_plan(
                sub, plan, MONTHLY, utc(2026, 11, day), catalog=CATALOG, usage=Usage.of(),
                policy=policy,
            )
        ).subscription  # fmt: skip
    return sub


@pytest.mark.parametrize("billing", [ProrationBilling.NEXT_INVOICE, ProrationBilling.PENDING_ITEMS])
def test_charges_waiting_for_one_invoice_carry_their_rates_tax_rounded_once(
    billing: ProrationBilling,
) -> None:
    """Per-invoice rounding, a tax of 0.122 %: the waiting 150.00 is taxed 0.183 → 0.18 when
    made pending; the waiting 290.00 makes 440.00 wait at the rate, 0.5368 → 0.54 rounded once,
    so it carries 0.54 − 0.18 = 0.36, not its own 0.3538 → 0.35. The invoice that ends the
    subscription on 3 Nov bills both: 0.54 of tax, the rate's 440.00 rounded once."""
    rate = TaxRate("Tax", "FR", "0.122")
    sub = _two_waiting_charges(_waiting_policy(billing), rate)
    charges = [line for line in sub.pending_lines if line.kind is LineKind.PRORATION_CHARGE]
    assert [(line.amount, line.tax.amount if line.tax else None) for line in charges] == [
        (usd("150.00"), usd("0.18")),
        (usd("290.00"), usd("0.36")),
    ]
    assert sub.stretches[-1].tax is not None
    assert sub.stretches[-1].tax.amount == usd("0.36")  # what a credit of Pro's time returns
    ended = decided(
        terminate(sub, utc(2026, 11, 3), catalog=CATALOG, policy=_waiting_policy(billing))
    )
    (invoice,) = ended.invoices
    billed = [line for line in invoice.lines if line.kind is LineKind.PRORATION_CHARGE]
    assert sum((line.tax.amount for line in billed if line.tax), usd("0")) == usd("0.54")


def test_the_quote_of_a_charge_that_will_wait_previews_the_tax_it_will_carry() -> None:
    """Advanced's 150.00 waiting (0.18 at 0.122 %), the quote of the move to Pro on 2 Nov
    previews the charge's tax as the change will make it pending: 0.36 (440.00 rounded once,
    less 0.18), and the next invoice's 290.36 for it; the change then does what it quoted."""
    policy = _waiting_policy(ProrationBilling.NEXT_INVOICE)
    rate = TaxRate("Tax", "FR", "0.122")
    sub = paid(
        _start(CustomerTax(rate), plan="personal", policy=policy).subscription, NOV_1, policy
    )
    sub = decided(
        change_plan(
            sub, "advanced", MONTHLY, NOV_1, catalog=CATALOG, usage=Usage.of(), policy=policy
        )
    ).subscription
    at = utc(2026, 11, 2)
    quote = quote_change(sub, "pro", MONTHLY, at, catalog=CATALOG, usage=Usage.of(), policy=policy)
    assert not isinstance(quote, Refused)
    (charge,) = [line for line in quote.lines if line.kind is LineKind.PRORATION_CHARGE]
    assert charge.tax is not None
    assert (charge.amount, charge.tax.amount) == (usd("290.00"), usd("0.36"))
    assert quote.due_next_invoice == usd("290.36")
    done = decided(
        change_plan(sub, "pro", MONTHLY, at, catalog=CATALOG, usage=Usage.of(), policy=policy)
    )
    made = done.subscription.pending_lines[-1]
    assert made.tax is not None
    assert made.tax.amount == charge.tax.amount


def test_charges_waiting_when_the_tax_is_removed_are_billed_with_their_tax_rounded_once() -> None:
    """The same two waiting charges (0.18 + 0.36 at 0.122 %), then no tax from 10 Nov: the
    1 Dec renewal bills Pro's 300.00 untaxed and the two charges with the tax they were made
    pending with, 0.54, which is their 440.00 rounded once."""
    policy = _waiting_policy(ProrationBilling.NEXT_INVOICE)
    sub = _two_waiting_charges(policy, TaxRate("Tax", "FR", "0.122"))
    untaxed = decided(update_tax(sub, None, utc(2026, 11, 10), policy=policy)).subscription
    renewed = advance(untaxed, utc(2026, 12, 1), catalog=CATALOG, policy=policy)
    invoice = renewed.invoices[-1]
    assert [
        (line.kind, line.amount, line.tax.amount if line.tax else None) for line in invoice.lines
    ] == [
        (LineKind.SUBSCRIPTION, usd("300.00"), None),
        (LineKind.PRORATION_CHARGE, usd("150.00"), usd("0.18")),
        (LineKind.PRORATION_CHARGE, usd("290.00"), usd("0.36")),
    ]
    assert invoice.tax == usd("0.54")


# -- properties -------------------------------------------------------------------------------

_rates = st.builds(
    lambda percent, inclusive: TaxRate("Tax", "FR", percent, inclusive=inclusive),
    st.decimals(min_value=0, max_value=30, places=3).map(str),
    st.booleans(),
)
_policies = st.builds(
    lambda rounding, billing, unit: attrs.evolve(
        SEED_POLICY,
        name="seed, changed",
        tax_rounding=rounding,
        proration_billing=billing,
        proration_unit=unit,
        credit_destination=(
            CreditDestination.BALANCE
            if billing is ProrationBilling.PENDING_ITEMS
            else CreditDestination.REFUND
        ),
    ),
    st.sampled_from(TaxRounding),
    st.sampled_from(ProrationBilling),
    st.sampled_from(ProrationUnit),
)


def _life(
    rate: TaxRate, policy: BillingPolicy, plans: list[str], days: list[int]
) -> list[Decision]:
    """Start on the first plan, pay, change to each next plan on each day, then end; all decisions."""
    first = _start(CustomerTax(rate), plan=plans[0], policy=policy)
    decisions = [first]
    sub = paid(first.subscription, NOV_1, policy)
    for plan, day in zip(plans[1:], sorted(days), strict=False):
        done = change_plan(
            sub, plan, MONTHLY, utc(2026, 11, day), catalog=CATALOG, usage=Usage.of(), policy=policy
        )
        if isinstance(done, Decision):
            decisions.append(done)
            sub = done.subscription
    decisions.append(
        decided(terminate(sub, utc(2026, 11, max(days) + 1), catalog=CATALOG, policy=policy))
    )
    return decisions


_plans = st.lists(st.sampled_from(["personal", "advanced", "pro"]), min_size=1, max_size=3)
_days = st.lists(st.integers(min_value=1, max_value=28), min_size=2, max_size=2)


@settings(max_examples=60, deadline=None)
@given(_rates, _policies, _plans, _days)
def test_subtotal_and_tax_make_the_total_and_credits_stay_within_what_was_billed(
    rate: TaxRate, policy: BillingPolicy, plans: list[str], days: list[int]
) -> None:
    """On every invoice and credit note subtotal + tax = total; all the credit notes together
    never return more (tax included) than the invoices billed, nor more tax than they billed,
    and the refunds never exceed what was paid."""
    decisions = _life(rate, policy, plans, days)
    invoices = [i for d in decisions for i in d.invoices]
    notes = [n for d in decisions for n in d.credit_notes]
    for invoice in invoices:
        assert invoice.subtotal + invoice.tax == invoice.total
    for note in notes:
        assert note.subtotal + note.tax == note.amount
    billed = sum((i.total for i in invoices), usd("0"))
    assert sum((n.amount for n in notes), usd("0")) <= billed
    assert sum((n.tax for n in notes), usd("0")) <= sum((i.tax for i in invoices), usd("0"))
    refunds = [e.amount for d in decisions for e in d.effects if isinstance(e, RefundPayment)]
    paid = invoices[0].amount_due
    assert sum(refunds, usd("0")) <= paid + sum((i.amount_due for i in invoices[1:]), usd("0"))


@settings(max_examples=60, deadline=None)
@given(_rates, _policies, _plans, _days)
def test_per_invoice_line_taxes_sum_to_the_tax_rounded_once(
    rate: TaxRate, policy: BillingPolicy, plans: list[str], days: list[int]
) -> None:
    """Under PER_INVOICE the taxes ``taxed`` gives an invoice's lines add up to the exact tax of
    their bases rounded once; under PER_LINE each line's tax is its own exact tax rounded."""
    numerator, denominator = rate.ratio
    if rate.inclusive:
        denominator += numerator
    for decision in _life(rate, policy, plans, days):
        for invoice in decision.invoices:
            charged = [
                line
                for line in invoice.lines
                if line.tax is not None and line.kind is not LineKind.UNUSED_TIME
            ]
            if not charged:
                continue
            bases = [
                (line.tax.taxable + line.tax.amount if rate.inclusive else line.tax.taxable).minor
                for line in charged
                if line.tax is not None
            ]
            amounts = [line.tax.amount.minor for line in charged if line.tax is not None]
            if policy.tax_rounding is TaxRounding.PER_INVOICE:
                assert sum(amounts) == divide(sum(bases) * numerator, denominator, policy.rounding)
            else:
                assert amounts == [
                    divide(b * numerator, denominator, policy.rounding) for b in bases
                ]


def test_a_new_tax_applies_to_invoices_issued_from_then_on_and_billed_time_keeps_its_own() -> None:
    """Advanced billed untaxed on 1 Nov (150.00); VAT 20 % from 10 Nov (``Rulebook.handle``).

    An upgrade to Pro on 16 Nov credits the unused half of what was billed untaxed, 75.00 and no
    tax; it charges 300.00 × 15/30 = 150.00 + 30.00 VAT = 180.00, the 75.00 of credit applied:
    105.00 due. The renewal on 1 Dec bills 300.00 + 60.00 = 360.00.
    """
    rules = Rulebook(CATALOG, SEED_POLICY)
    sub = rules.start("sub_1", "cus_1", "advanced", MONTHLY, NOV_1, trial=False).subscription
    assert sub.tax is None
    rates = TableTaxRates({"FR": ((utc(2014, 1, 1), VAT_FR),)})
    tax = customer_tax(rates, "FR", utc(2026, 11, 10))
    handled = rules.handle(sub, UpdateTax(tax), utc(2026, 11, 10))
    assert handled.refused is None
    sub = handled.decision.subscription
    assert sub.tax == CustomerTax(VAT_FR)
    assert sub.stretches[0].tax is None  # billed before: keeps being untaxed
    d = _to_pro(sub, utc(2026, 11, 16))
    (note,) = d.credit_notes
    assert (note.amount, note.tax) == (usd("75.00"), usd("0.00"))
    (invoice,) = d.invoices
    assert (invoice.tax, invoice.total, invoice.amount_due) == (
        usd("30.00"),
        usd("180.00"),
        usd("105.00"),
    )
    renewed = advance(d.subscription, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert (renewed.invoices[-1].tax, renewed.invoices[-1].total) == (usd("60.00"), usd("360.00"))


def test_update_tax_is_refused_on_an_ended_subscription_and_none_removes_the_tax() -> None:
    """No tax from 10 Nov: the renewal bills 150.00 flat; an ended subscription refuses it."""
    sub = _start(CustomerTax(VAT_FR)).subscription
    untaxed = decided(update_tax(sub, None, utc(2026, 11, 10), policy=SEED_POLICY)).subscription
    renewed = advance(untaxed, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY)
    assert (renewed.invoices[-1].tax, renewed.invoices[-1].total) == (usd("0.00"), usd("150.00"))
    ended = decided(terminate(sub, utc(2026, 11, 2), catalog=CATALOG, policy=SEED_POLICY))
    refused = update_tax(ended.subscription, None, utc(2026, 11, 3), policy=SEED_POLICY)
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.NOT_ALLOWED_IN_STATUS


def test_the_upcoming_invoice_shows_the_tax() -> None:
    """The 1 Dec renewal of Advanced at 19 % inclusive: 150.00, of which 23.95 tax."""
    sub = _start(CustomerTax(MWST_DE)).subscription
    summary = billing_summary(
        sub, Usage.of(), utc(2026, 11, 20), catalog=CATALOG, policy=SEED_POLICY
    )
    assert summary.tax == CustomerTax(MWST_DE)
    upcoming = summary.upcoming
    assert upcoming is not None
    assert (upcoming.subtotal, upcoming.tax, upcoming.total) == (
        usd("126.05"),
        usd("23.95"),
        usd("150.00"),
    )
    (row,) = upcoming.taxes
    assert str(row) == "MwSt. 19 % on USD 126.05: USD 23.95"
