"""Strategies for taxes: rates, how customers are taxed, the tax of lines and documents."""

from __future__ import annotations

from hypothesis import strategies as st

from subscription_rules import CustomerTax, LineTax, TaxRate, TaxSummary
from subscription_rules.strategies._base import _memo
from subscription_rules.strategies._values import money


@_memo
def tax_rates() -> st.SearchStrategy[TaxRate]:
    """Tax rates: a country (or a US state), a percentage of up to 4 places, either kind.

    >>> from hypothesis import find
    >>> find(tax_rates(), lambda rate: True)
    TaxRate(name='Tax 0 %', jurisdiction='FR', percent=Decimal('0'), inclusive=False)
    """
    percents = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False)
    return st.builds(
        lambda jurisdiction, percent, inclusive: TaxRate(
            f"Tax {TaxRate('x', 'FR', str(percent)).percent} %",
            jurisdiction,
            str(percent),
            inclusive=inclusive,
        ),
        st.sampled_from(("FR", "DE", "GB", "US-CA", "US-NY")),
        percents,
        st.booleans(),
    )


@_memo
def customer_taxes() -> st.SearchStrategy[CustomerTax]:
    """How customers are taxed: a rate, and sometimes a tax id and a reverse charge.

    >>> from hypothesis import find
    >>> find(customer_taxes(), lambda tax: tax.reverse_charge).tax_id
    'FR40303265045'
    """
    return st.one_of(
        st.builds(CustomerTax, tax_rates()),
        st.builds(
            lambda rate, reverse: CustomerTax(rate, tax_id="FR40303265045", reverse_charge=reverse),
            tax_rates(),
            st.booleans(),
        ),
    )


def _line_taxes() -> st.SearchStrategy[LineTax]:
    """The tax of a line: a rate, an amount taxed and a tax in one currency, either sign."""
    return st.builds(
        lambda rate, taxable, tax, sign: LineTax(
            rate, taxable.with_minor(sign * taxable.minor), taxable.with_minor(sign * tax)
        ),
        tax_rates(),
        money(min_minor=0, max_minor=10_000_000),
        st.integers(min_value=0, max_value=10_000_000),
        st.sampled_from((1, -1)),
    )


def _tax_summaries() -> st.SearchStrategy[TaxSummary]:
    """A document's tax at one rate."""
    return _line_taxes().map(lambda tax: TaxSummary(tax.rate, tax.taxable, tax.amount))
