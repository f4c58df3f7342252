"""Taxes the host supplies: a rate per customer, inclusive or exclusive, and reverse charge.

Tax rates are law and change, so the library holds none: the host gives each
subscription its :class:`CustomerTax` (a :class:`TaxRate` for the customer's
jurisdiction, and the customer's tax id when a reverse charge applies), and
the rules tax every line they bill or credit with it. The tax of a line is a
:class:`LineTax`: the rate, the amount it was computed on and the tax.

>>> vat = TaxRate("VAT 20 %", "FR", "20")
>>> vat.percent, vat.inclusive
(Decimal('20'), False)
>>> TaxRate("VAT", "FR", 20.0)
Traceback (most recent call last):
subscription_rules.errors.InvalidTaxRateError: percent: must be a str, int or Decimal percentage from 0 to 100, got float 20.0
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

import attrs

from subscription_rules._checks import described, exact_percent, instance_of
from subscription_rules.errors import InvalidTaxRateError
from subscription_rules.money import Money

__all__ = ["CustomerTax", "LineTax", "TaxRate", "TaxSummary"]

#: A country (ISO 3166-1 alpha-2), optionally with a subdivision (ISO 3166-2): "FR", "US-CA".
_JURISDICTION: Final = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")

#: At most four decimal places in a percentage (8.8750 %, a combined US sales tax).
_MAX_PLACES: Final = 4


def _percent(value: object) -> Decimal:
    """``value`` (a str, int or Decimal; never a float or bool) as a percentage from 0 to 100."""
    return exact_percent(
        value,
        "percent",
        error=InvalidTaxRateError,
        places=_MAX_PLACES,
        zero_allowed=True,
        range_text="from 0 to 100",
    )


def _a_name(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InvalidTaxRateError(
            f"must be a non-empty str of at most 200 characters, got {described(value)}",
            argument=attribute.name,
            value=value,
        )


def _a_jurisdiction(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or _JURISDICTION.fullmatch(value) is None:
        raise InvalidTaxRateError(
            "must be a country code, optionally with a subdivision ('FR', 'US-CA'),"
            f" got {described(value)}",
            argument=attribute.name,
            value=value,
        )


@attrs.frozen
class TaxRate:
    """A tax rate the host supplies: its name on invoices, jurisdiction, percentage, kind.

    ``percent`` is exact (``"20"``, ``"8.875"``); ``inclusive`` says the
    prices already include it (a tax-inclusive price of 120.00 at 20 % holds
    20.00 of tax) rather than it being added on top.

    ``jurisdiction`` is a country code (ISO 3166-1), optionally with a
    subdivision (ISO 3166-2): ``"FR"``, ``"US-CA"``. A float percentage is
    refused (``20.1`` is not the number it shows), as is one outside 0 to 100
    or with more than four decimal places.

    >>> TaxRate("MwSt. 19 %", "DE", "19", inclusive=True).ratio
    (19, 100)
    >>> TaxRate("Sales tax", "US-NY", "8.875").ratio
    (71, 800)
    >>> TaxRate("VAT", "FR", "120")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidTaxRateError: percent: must be a percentage from 0 to 100 with at most 4 decimal places, got '120'
    """

    name: str = attrs.field(validator=_a_name)
    jurisdiction: str = attrs.field(validator=_a_jurisdiction)
    percent: Decimal = attrs.field(converter=_percent)
    inclusive: bool = attrs.field(default=False, kw_only=True, validator=instance_of(bool))

    @property
    def ratio(self) -> tuple[int, int]:
        """The rate as an exact fraction ``(numerator, denominator)`` of 1."""
        numerator, denominator = self.percent.as_integer_ratio()
        return numerator, denominator * 100


@attrs.frozen
class CustomerTax:
    """How a customer is taxed: the rate of its jurisdiction, its tax id, reverse charge.

    ``reverse_charge`` (a business customer in another country with a valid
    tax id, EU VAT Directive art. 196): the invoices carry zero tax at the
    rate and the legal mention, and the customer accounts for the tax.

    >>> vat = TaxRate("VAT 20 %", "FR", "20")
    >>> CustomerTax(vat, tax_id="FR40303265045", reverse_charge=True).reverse_charge
    True
    >>> CustomerTax(vat, reverse_charge=True)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidTaxRateError: tax_id: a reverse charge needs the customer's tax id, got None
    """

    rate: TaxRate = attrs.field(validator=instance_of(TaxRate, what="a TaxRate"))
    tax_id: str | None = attrs.field(default=None, kw_only=True)
    reverse_charge: bool = attrs.field(default=False, kw_only=True, validator=instance_of(bool))

    def __attrs_post_init__(self) -> None:
        if self.tax_id is not None:
            _a_name(self, attrs.fields(CustomerTax).tax_id, self.tax_id)  # type: ignore[arg-type]
        if self.reverse_charge and self.tax_id is None:
            raise InvalidTaxRateError(
                "a reverse charge needs the customer's tax id, got None",
                argument="tax_id",
                value=None,
            )


@attrs.frozen
class LineTax:
    """The tax of one line: ``amount`` at ``rate`` on ``taxable``, the amount excluding tax.

    Signed like its line (a credit's tax is negative). Under a reverse charge
    the amount is zero and ``reverse_charge`` is set.

    >>> vat = TaxRate("VAT 20 %", "FR", "20")
    >>> tax = LineTax(vat, Money.of("150", "EUR"), Money.of("30", "EUR"))
    >>> str(tax.amount), str(tax.taxable)
    ('EUR 30.00', 'EUR 150.00')
    """

    rate: TaxRate = attrs.field(validator=instance_of(TaxRate, what="a TaxRate"))
    taxable: Money = attrs.field(validator=instance_of(Money))
    amount: Money = attrs.field(validator=instance_of(Money))
    reverse_charge: bool = attrs.field(default=False, validator=instance_of(bool))

    def __attrs_post_init__(self) -> None:
        _same_currency(self.taxable, self.amount)


def _same_currency(taxable: Money, amount: Money) -> None:
    if amount.currency != taxable.currency:
        raise InvalidTaxRateError(
            f"must be in the taxable amount's currency {taxable.currency.code}, got {amount}",
            argument="amount",
            value=amount,
        )


@attrs.frozen
class TaxSummary:
    """The tax of a document at one rate: the amount taxed at it and the tax, each summed.

    What an invoice or credit note shows under its subtotal, one row per rate
    (:attr:`~subscription_rules.invoices.Invoice.taxes`): "VAT 20 % on EUR
    150.00: EUR 30.00". ``reverse_charge`` rows carry zero tax.

    >>> vat = TaxRate("VAT 20 %", "FR", "20")
    >>> print(TaxSummary(vat, Money.of("150", "EUR"), Money.of("30", "EUR")))
    VAT 20 % on EUR 150.00: EUR 30.00
    """

    rate: TaxRate = attrs.field(validator=instance_of(TaxRate, what="a TaxRate"))
    taxable: Money = attrs.field(validator=instance_of(Money))
    amount: Money = attrs.field(validator=instance_of(Money))
    reverse_charge: bool = attrs.field(default=False, kw_only=True, validator=instance_of(bool))

    def __attrs_post_init__(self) -> None:
        _same_currency(self.taxable, self.amount)

    def __str__(self) -> str:
        text = f"{self.rate.name} on {self.taxable}: {self.amount}"
        return f"{text} (reverse charge)" if self.reverse_charge else text
