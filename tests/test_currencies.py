"""Currencies: a plan sold in several, a subscription's currency fixed when it starts, never mixed.

Sources (/work/notes/sources17.md, §2 and §3e):

- Stripe, "Multi-currency customers" (docs.stripe.com/invoicing/multiple-currencies): you
  "can't update the currencies of existing subscriptions by changing prices"; a
  subscription in another currency is a new subscription.
- Stripe, zero-decimal currencies (docs.stripe.com/currencies#zero-decimal): "to charge
  500 JPY, provide an amount value of 500": yen have no minor unit.
- Kill Bill: a plan without a price in the account's currency is an error
  (``CAT_NO_PRICE_FOR_CURRENCY``), and the account's currency never changes.

Every figure below is worked by hand from the instants and the seed policy (proration
to the second, each line rounded half-up, on its own).
"""

from __future__ import annotations

import inspect

import pytest

from helpers import decided, utc
from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    YEARLY,
    Catalog,
    Currency,
    Decision,
    Money,
    Plan,
    Price,
    Rulebook,
    Usage,
    adjust,
    advance,
    change_plan,
    default_catalog,
    quote_change,
    start_subscription,
)
from subscription_rules.errors import CurrencyMismatchError, UnknownPriceError
from subscription_rules.proration import ChangeQuote

EUR, JPY, USD = Currency.of("EUR"), Currency.of("JPY"), Currency.of("USD")
JAN_1, JAN_16, FEB_1 = utc(2027, 1, 1), utc(2027, 1, 16), utc(2027, 2, 1)

#: Two plans sold in USD, EUR and JPY (yen in whole units), and one in USD only.
CATALOG = Catalog(
    (
        Plan(
            "basic",
            "Basic",
            (Price.of("10.00", "USD"), Price.of("9.00", "EUR"), Price.of(1000, "JPY")),
        ),
        Plan(
            "plus",
            "Plus",
            tuple(
                Price.of(amount, code, interval)
                for code, monthly, yearly in (
                    ("USD", "30.00", "300.00"),
                    ("EUR", "27.00", "270.00"),
                    ("JPY", 3000, 30000),
                )
                for amount, interval in ((monthly, MONTHLY), (yearly, YEARLY))
            ),
        ),
        Plan("domestic", "Domestic", (Price.of("20.00", "USD"),)),
    )
)


def money(amount: str | int, currency: Currency) -> Money:
    return Money.of(amount, currency)


def started(currency: str | None, plan_id: str = "basic", catalog: Catalog = CATALOG) -> Decision:
    return start_subscription(
        f"sub_{currency or 'default'}",
        "cus_1",
        plan_id,
        MONTHLY,
        JAN_1,
        catalog=catalog,
        trial=False,
        currency=currency,
        policy=SEED_POLICY,
    )


def test_a_eur_and_a_jpy_subscription_start_from_the_same_plan_in_their_own_currency() -> None:
    """Basic is EUR 9.00 and JPY 1,000 a month: each first invoice is in its currency; the yen
    amount is 1,000 units (no minor unit), the euro one 900 cents."""
    euros, yen = started("EUR"), started("JPY")
    assert euros.subscription.currency == EUR
    assert yen.subscription.currency == JPY
    assert euros.invoices[0].amount_due == money("9.00", EUR)
    assert yen.invoices[0].amount_due == money(1000, JPY)
    assert (yen.invoices[0].amount_due.minor, JPY.exponent) == (1000, 0)
    # what they started on is recorded, in their currency
    assert yen.subscription.price is not None
    assert yen.subscription.price.price == Price.of(1000, "JPY")


def test_without_a_currency_a_subscription_is_billed_in_the_plans_first() -> None:
    assert started(None).subscription.currency == USD
    assert started(None).invoices[0].amount_due == money("10.00", USD)


def test_a_prorated_jpy_upgrade_rounds_each_line_to_whole_yen() -> None:
    """Basic (JPY 1,000) to Plus (JPY 3,000) on 16 Jan 2027: 16 of January's 31 days remain,
    1,382,400 of 2,678,400 seconds.

    - credit for unused Basic: 1,000 × 16/31 = 516.13 → JPY 516 (half-up, to whole yen);
    - charge for the rest on Plus: 3,000 × 16/31 = 1,548.39 → JPY 1,548;
    - net 1,548 − 516 = JPY 1,032 due now; the credit pays 516 of the charge.
    """
    sub = started("JPY").subscription
    quote = quote_change(
        sub, "plus", MONTHLY, JAN_16, catalog=CATALOG, usage=Usage(), policy=SEED_POLICY
    )
    assert isinstance(quote, ChangeQuote)
    assert [line.amount for line in quote.lines] == [money(-516, JPY), money(1548, JPY)]
    assert quote.amount_due_now == money(1032, JPY)
    decision = decided(
        change_plan(
            sub, "plus", MONTHLY, JAN_16, catalog=CATALOG, usage=Usage(), policy=SEED_POLICY
        )
    )
    (credit_note,) = decision.credit_notes
    assert [line.amount for line in credit_note.lines] == [money(-516, JPY)]
    (invoice,) = decision.invoices
    assert [line.amount for line in invoice.lines] == [money(1548, JPY)]
    assert (invoice.credit_applied, invoice.amount_due) == (money(516, JPY), money(1032, JPY))
    assert decision.subscription.credit_balance == money(0, JPY)


def test_a_prorated_eur_upgrade_from_the_same_plan_rounds_to_the_cent() -> None:
    """The same upgrade in EUR (9.00 to 27.00): 9.00 × 16/31 = 4.645… → EUR 4.65 credited,
    27.00 × 16/31 = 13.935… → EUR 13.94 charged, EUR 9.29 due."""
    sub = started("EUR").subscription
    quote = quote_change(
        sub, "plus", MONTHLY, JAN_16, catalog=CATALOG, usage=Usage(), policy=SEED_POLICY
    )
    assert isinstance(quote, ChangeQuote)
    assert [line.amount for line in quote.lines] == [money("-4.65", EUR), money("13.94", EUR)]
    assert quote.amount_due_now == money("9.29", EUR)


def test_a_subscriptions_currency_is_fixed_through_changes_and_renewals() -> None:
    """Stripe: the currency of an existing subscription cannot be changed by changing prices.
    A EUR subscription upgraded, moved to yearly and renewed is billed in EUR throughout, at
    the target plans' EUR prices: Plus monthly 27.00 from 1 Feb, then Plus yearly."""
    sub = started("EUR").subscription
    sub = decided(
        change_plan(
            sub, "plus", MONTHLY, JAN_16, catalog=CATALOG, usage=Usage(), policy=SEED_POLICY
        )
    ).subscription
    renewed = advance(sub, FEB_1, catalog=CATALOG, policy=SEED_POLICY)
    assert [invoice.amount_due for invoice in renewed.invoices] == [money("27.00", EUR)]
    yearly = decided(
        change_plan(
            renewed.subscription,
            "plus",
            YEARLY,
            utc(2027, 2, 10),
            catalog=CATALOG,
            usage=Usage(),
            policy=SEED_POLICY,
        )
    )
    assert yearly.subscription.currency == EUR
    assert yearly.subscription.price is not None
    assert yearly.subscription.price.price.amount.currency == EUR
    assert all(invoice.amount_due.currency == EUR for invoice in yearly.invoices)
    assert yearly.invoices[0].lines[-1].amount == money("270.00", EUR)
    # No command takes a currency: only start_subscription chooses one.
    for command in (change_plan, quote_change, Rulebook.change_plan):
        assert "currency" not in inspect.signature(command).parameters


def test_a_plan_change_to_a_plan_without_the_subscriptions_currency_is_refused() -> None:
    """Kill Bill's ``CAT_NO_PRICE_FOR_CURRENCY``: Domestic is sold in USD only, so a JPY
    subscription cannot move to it (nor quote the move): the error names ``currency``."""
    sub = started("JPY").subscription
    for rule in (change_plan, quote_change):
        with pytest.raises(UnknownPriceError) as info:
            rule(
                sub,
                "domestic",
                MONTHLY,
                JAN_16,
                catalog=CATALOG,
                usage=Usage(),
                policy=SEED_POLICY,
            )
        assert info.value.argument == "currency"
        assert str(info.value) == (
            "currency: plan 'domestic' has no price in JPY; it is sold in: USD"
        )


def test_starting_in_a_currency_the_plan_is_not_sold_in_is_refused() -> None:
    with pytest.raises(UnknownPriceError) as info:
        started("JPY", plan_id="domestic")
    assert info.value.argument == "currency"
    assert str(info.value) == "currency: plan 'domestic' has no price in JPY; it is sold in: USD"


def test_an_adjustment_in_another_currency_is_refused() -> None:
    """A JPY subscription's invoice cannot be credited in USD: that would mix currencies."""
    sub = started("JPY").subscription
    with pytest.raises(CurrencyMismatchError) as info:
        adjust(
            sub,
            f"{sub.id}-INV-0001",
            money("1.00", USD),
            utc(2027, 1, 2),
            reason="outage",
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
    assert str(info.value) == "amount: expected currency 'JPY', got 'USD'"
    done = decided(
        adjust(
            sub,
            f"{sub.id}-INV-0001",
            money(100, JPY),
            utc(2027, 1, 2),
            reason="outage",
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
    )
    assert done.subscription.credit_balance == money(100, JPY)


def test_a_catalog_that_no_longer_sells_the_currency_is_refused() -> None:
    """A JPY subscription renewed against a USD-only catalog would bill yen prices it cannot
    find, or mix currencies: refused up front, naming the catalog."""
    sub = started("JPY").subscription
    usd_only = Catalog((Plan("basic", "Basic", (Price.of("10.00", "USD"),)),))
    with pytest.raises(CurrencyMismatchError) as info:
        advance(sub, FEB_1, catalog=usd_only, policy=SEED_POLICY)
    assert str(info.value) == "catalog: expected currency 'JPY', got 'USD'"


def test_the_example_catalog_sells_every_plan_in_eur_too() -> None:
    """``default_catalog()``: USD first (the default), EUR at 90%: Advanced is EUR 135.00 a
    month, its overage EUR 3.60 per 1,000 sessions."""
    catalog = default_catalog()
    decision = started("EUR", plan_id="advanced", catalog=catalog)
    assert decision.invoices[0].amount_due == money("135.00", EUR)
    assert decision.subscription.price is not None
    (overage,) = decision.subscription.price.overage
    assert (overage.unit_price, overage.per) == (money("3.60", EUR), 1000)
