"""Catalog TOML beyond one flat price: currencies, seats, tiers, package overage, retired, versions.

The keys issue 17 added to the catalog format (``subscription_rules.catalog``'s
docstring, docs/catalog.md): each new key loads into the value the model
builds by hand, and each mistake is a ``CatalogError`` naming the plan and key.
The figures come from published examples, cited where used.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from subscription_rules.catalog import (
    CatalogVersion,
    Overage,
    PackagePrice,
    Price,
    Tier,
    TierMode,
    TierTable,
    load_catalog,
    parse_catalog,
)
from subscription_rules.errors import CatalogError
from subscription_rules.money import Currency, Money, RoundingMode
from subscription_rules.periods import MONTHLY, YEARLY

ROOT = Path(__file__).resolve().parent.parent

SEATS = """\
[[metrics]]
name = "seats"
kind = "stock"
singular = "seat"
plural = "seats"
verb = "remove"

[[metrics]]
name = "api_calls"
kind = "per_period"
singular = "API call"
plural = "API calls"
verb = "reduce"
"""

HEAD = 'currency = "USD"\n' + SEATS + '[[plans]]\nid = "team"\nname = "Team"\n'


def usd(text: str) -> Money:
    return Money.of(text, "USD")


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


def catalog_error(text: str) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        parse_catalog(text)
    return info.value


# --------------------------------------------------------------------------- currencies


def test_a_currency_table_adds_prices_in_another_currency_after_the_catalogs() -> None:
    """Stripe's ``currency_options``: one price with a default currency and amounts in others
    (docs.stripe.com/payments/checkout/manual-currency-prices; USD 10.00 / EUR 9.00 is the
    illustrative pair of sources17 §2a)."""
    catalog = parse_catalog(
        HEAD + '[plans.prices]\nmonthly = "10.00"\nyearly = 100\n'
        '[plans.prices.EUR]\nmonthly = "9.00"\nyearly = 90\n'
    )
    team = catalog.plan("team")
    assert team.prices == (
        Price(usd("10.00"), MONTHLY),
        Price(usd("100"), YEARLY),
        Price(eur("9.00"), MONTHLY),
        Price(eur("90"), YEARLY),
    )
    assert [c.code for c in team.currencies] == ["USD", "EUR"]
    assert catalog.currency == Currency.of("USD")  # the document's currency stays the default
    assert team.price(MONTHLY, Currency.of("EUR")) == Price(eur("9.00"), MONTHLY)


def test_currency_tables_may_be_inline_and_lower_case_and_keep_their_order() -> None:
    catalog = parse_catalog(
        HEAD + "prices = { monthly = 10, gbp = { monthly = 8 }, EUR = { monthly = 9 } }\n"
    )
    assert [c.code for c in catalog.currencies] == ["USD", "GBP", "EUR"]


def test_yen_amounts_in_a_currency_table_are_whole_yen() -> None:
    """JPY has no minor unit (docs.stripe.com/currencies#zero-decimal: "to charge 500 JPY,
    provide an amount value of 500"): 500 loads as 500 units, and 500.5 is refused."""
    catalog = parse_catalog(HEAD + "prices = { monthly = 5, JPY = { monthly = 500 } }\n")
    yen = catalog.plan("team").price(MONTHLY, Currency.of("JPY"))
    assert (yen.amount.minor, yen.amount.currency.exponent) == (500, 0)
    err = catalog_error(HEAD + 'prices = { monthly = 5, JPY = { monthly = "500.5" } }\n')
    assert str(err) == (
        "plans[0] ('team').prices.JPY.monthly: '500.5' has more precision than JPY allows"
        " (0 decimal places)"
    )


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        (
            "prices = { EUR = { monthly = 9 } }",
            (
                "plans[0] ('team').prices: no price in the catalog's currency USD: give at least one"
                " interval = amount here; other currencies go in [plans.prices.<CODE>]"
            ),
        ),
        (
            "prices = { monthly = 10, USD = { monthly = 9 } }",
            (
                "plans[0] ('team').prices.USD: USD is the catalog's currency: give its amounts"
                " directly in [plans.prices]"
            ),
        ),
        (
            "prices = { monthly = 10, EUR = { monthly = 9 }, eur = { monthly = 9 } }",
            "plans[0] ('team').prices.eur: EUR is already given as prices.EUR",
        ),
        (
            "prices = { monthly = 10, XYZ = { monthly = 9 } }",
            (
                "plans[0] ('team').prices.XYZ: not a billing interval (such as monthly), nor an ISO"
                " 4217 currency code for a table of another currency's prices (such as EUR),"
                " got 'XYZ'"
            ),
        ),
        (
            "prices = { monthly = 10, EUR = { yearly = 90 } }",
            (
                "plans[0] ('team').prices: has a monthly USD price but no monthly EUR price;"
                " sell every currency at the same intervals"
            ),
        ),
        (
            "prices = { monthly = 10, EUR = { monthly = 9.5 } }",
            (
                "plans[0] ('team').prices.EUR.monthly: floats are refused for money, got 9.5;"
                " write the amount as a string such as '9.5'"
            ),
        ),
        (
            "prices = { monthly = 10, EUR = { fortnightly = 9 } }",
            (
                "plans[0] ('team').prices.EUR.fortnightly: not a billing interval: 'fortnightly'"
                ' (use e.g. monthly, quarterly, yearly, weekly, daily or "6 months")'
            ),
        ),
        (
            "prices = { monthly = 10, EUR = { GBP = { monthly = 9 } } }",
            "plans[0] ('team').prices.EUR.GBP: not a billing interval: 'GBP'",
        ),
        (
            "prices = { monthly = 10, EUR = 9 }",
            "plans[0] ('team').prices.EUR: not a billing interval: 'EUR'",
        ),
    ],
)
def test_currency_mistakes_name_the_plan_and_key(prices: str, message: str) -> None:
    assert str(catalog_error(HEAD + prices + "\n")).startswith(message)


# --------------------------------------------------------------------------- seats


def test_unit_makes_every_price_of_the_plan_per_unit() -> None:
    """Stripe's quantities (docs.stripe.com/billing/subscriptions/quantities): a 9.99 USD price
    per site; 5 sites cost 49.95."""
    catalog = parse_catalog(
        HEAD + 'unit = "seats"\nprices = { monthly = "9.99", EUR = { monthly = "9.49" } }\n'
    )
    team = catalog.plan("team")
    assert team.unit == "seats"
    assert team.prices == (
        Price(usd("9.99"), MONTHLY, unit="seats"),
        Price(eur("9.49"), MONTHLY, unit="seats"),
    )
    assert team.price(MONTHLY).total(5) == usd("49.95")


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        (
            '"api_calls"',
            (
                "plans[0] ('team').unit: 'api_calls' is a per_period metric; a plan is sold per unit"
                " of a stock metric of the catalog; known stock metrics: 'seats'"
            ),
        ),
        (
            '"chairs"',
            (
                "plans[0] ('team').unit: 'chairs' is an unknown metric; a plan is sold per unit of"
                " a stock metric of the catalog; known stock metrics: 'seats'"
            ),
        ),
        ("3", "plans[0] ('team').unit: must be a string, got integer 3"),
    ],
)
def test_unit_mistakes_name_the_plan_and_key(unit: str, message: str) -> None:
    assert str(catalog_error(HEAD + f"unit = {unit}\nprices = {{ monthly = 1 }}\n")) == message


# --------------------------------------------------------------------------- tiers

#: Stripe's "Add a flat rate" tiers (docs.stripe.com/subscriptions/pricing-models/tiered-pricing,
#: sources17 §1f): unit amounts 5, 4, 3, 2, 1 and flat fees 10, 20, 30, 40, 50.
FLAT_RATE_TIERS = """\
[[plans.prices.monthly.tiers]]
up_to = 5
unit_amount = 5
flat_amount = 10

[[plans.prices.monthly.tiers]]
up_to = 10
unit_amount = 4
flat_amount = 20

[[plans.prices.monthly.tiers]]
up_to = 15
unit_amount = 3
flat_amount = 30

[[plans.prices.monthly.tiers]]
up_to = 20
unit_amount = 2
flat_amount = 40

[[plans.prices.monthly.tiers]]
unit_amount = 1
flat_amount = 50
"""


@pytest.mark.parametrize(
    ("mode", "total"),
    [
        # graduated, 12 units: (5×5+10) + (5×4+20) + (2×3+30) = 35 + 40 + 36 = 111
        ("graduated", "111"),
        # volume, 12 units: the 11–15 tier for all of them: 12 × 3 + 30 = 66
        ("volume", "66"),
    ],
)
def test_a_tiered_price_is_a_table_of_mode_and_tiers(mode: str, total: str) -> None:
    """Stripe's flat-rate tiers at 12 units: graduated 111, volume 66 (sources17 §1f)."""
    text = HEAD + f'unit = "seats"\n[plans.prices.monthly]\nmode = "{mode}"\n' + FLAT_RATE_TIERS
    price = parse_catalog(text).plan("team").price(MONTHLY)
    assert price.tiers is not None
    assert price.tiers.mode is TierMode(mode)
    assert price.tiers.tiers[0] == Tier(5, usd("5"), usd("10"))
    assert price.tiers.tiers[-1] == Tier(None, usd("1"), usd("50"))
    assert price.total(12) == usd(total)


def test_a_tier_may_give_only_a_flat_amount_and_currencies_have_their_own_tiers() -> None:
    text = HEAD + (
        'unit = "seats"\n'
        "[plans.prices.monthly]\n"
        'mode = "volume"\n'
        'tiers = [{ up_to = 10, flat_amount = "100" }, { unit_amount = "9" }]\n'
        "[plans.prices.EUR.monthly]\n"
        'mode = "volume"\n'
        'tiers = [{ up_to = 10, flat_amount = "90" }, { unit_amount = "8" }]\n'
    )
    team = parse_catalog(text).plan("team")
    assert team.price(MONTHLY) == Price.tiered(
        TierTable(TierMode.VOLUME, (Tier(10, usd("0"), usd("100")), Tier(None, usd("9")))),
        MONTHLY,
        unit="seats",
    )
    # 10 seats: the first tier's flat fee; 11 seats: 11 × EUR 8.00 = EUR 88.00
    euros = team.price(MONTHLY, Currency.of("EUR"))
    assert (euros.total(10), euros.total(11)) == (eur("90"), eur("88"))


TIERED = HEAD + 'unit = "seats"\n[plans.prices.monthly]\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD + '[plans.prices.monthly]\nmode = "volume"\ntiers = [{ unit_amount = 1 }]\n',
            (
                "plans[0] ('team').prices.monthly: a tiered price prices a quantity: give the plan"
                ' the unit it counts (unit = "seats")'
            ),
        ),
        (
            TIERED + "tiers = [{ unit_amount = 1 }]\n",
            "plans[0] ('team').prices.monthly.mode: missing required key",
        ),
        (
            TIERED + 'mode = "stairs"\ntiers = [{ unit_amount = 1 }]\n',
            (
                "plans[0] ('team').prices.monthly.mode: must be one of 'graduated', 'volume',"
                " got 'stairs'"
            ),
        ),
        (
            TIERED + 'mode = "volume"\n',
            "plans[0] ('team').prices.monthly.tiers: missing required key",
        ),
        (
            TIERED + 'mode = "volume"\ntiers = []\n',
            "plans[0] ('team').prices.monthly.tiers: must hold at least one tier",
        ),
        (
            TIERED + 'mode = "volume"\ntiers = [{ unit_amount = 1 }]\ncurrency = "EUR"\n',
            "plans[0] ('team').prices.monthly.currency: unknown key; allowed keys: mode, tiers",
        ),
        (
            TIERED
            + 'mode = "volume"\ntiers = [{ up_to = 5, unit_amount = 2 }, { up_to = 9, unit_amount = 1 }]\n',
            (
                "plans[0] ('team').prices.monthly.tiers[1].up_to: the last tier has no bound: leave"
                " up_to out, so that every quantity has a price"
            ),
        ),
        (
            TIERED + 'mode = "volume"\ntiers = [{ unit_amount = 2 }, { unit_amount = 1 }]\n',
            (
                "plans[0] ('team').prices.monthly.tiers[0].up_to: missing required key; only the"
                " last tier leaves up_to out"
            ),
        ),
        (
            TIERED
            + 'mode = "volume"\ntiers = [{ up_to = 5, unit_amount = 2 }, { up_to = 5, unit_amount = 1 }, { unit_amount = 1 }]\n',
            (
                "plans[0] ('team').prices.monthly.tiers[1].up_to: must be above the previous tier's"
                " bound 5, got 5; give tiers in increasing order, without overlap"
            ),
        ),
        (
            TIERED
            + 'mode = "volume"\ntiers = [{ up_to = 0, unit_amount = 2 }, { unit_amount = 1 }]\n',
            (
                "plans[0] ('team').prices.monthly.tiers[0].up_to: must be an int from 1 to"
                " 1,000,000,000,000,000 or None (the last tier), got int 0"
            ),
        ),
        (
            TIERED
            + 'mode = "volume"\ntiers = [{ up_to = "5", unit_amount = 2 }, { unit_amount = 1 }]\n',
            "plans[0] ('team').prices.monthly.tiers[0].up_to: must be an integer, got string '5'",
        ),
        (
            TIERED + 'mode = "volume"\ntiers = [{ up_to = 5 }, { unit_amount = 1 }]\n',
            (
                "plans[0] ('team').prices.monthly.tiers[0]: a tier needs unit_amount, flat_amount"
                " or both"
            ),
        ),
        (
            TIERED + 'mode = "volume"\ntiers = [{ unit_amount = "-1" }]\n',
            (
                "plans[0] ('team').prices.monthly.tiers[0].unit_amount: must not be negative,"
                " got USD -1.00"
            ),
        ),
        (
            TIERED + 'mode = "volume"\ntiers = [{ unit_amount = 1, flat_amount = 0.5 }]\n',
            "plans[0] ('team').prices.monthly.tiers[0].flat_amount: floats are refused for money",
        ),
        (
            TIERED + 'mode = "volume"\ntiers = [{ unit_amount = 1, flat = 1 }]\n',
            (
                "plans[0] ('team').prices.monthly.tiers[0].flat: unknown key; allowed keys: up_to,"
                " unit_amount, flat_amount"
            ),
        ),
        (
            TIERED + 'mode = "volume"\ntiers = { unit_amount = 1 }\n',
            "plans[0] ('team').prices.monthly.tiers: must be an array of tables",
        ),
        (
            TIERED + 'mode = "volume"\ntiers = [1]\n',
            "plans[0] ('team').prices.monthly.tiers[0]: must be a table, got integer 1",
        ),
    ],
)
def test_tier_mistakes_name_the_plan_price_and_tier(text: str, message: str) -> None:
    assert str(catalog_error(text)).startswith(message)


# --------------------------------------------------------------------------- overage

OVERAGE_HEAD = HEAD + "prices = { monthly = 10 }\nlimits = { api_calls = 1000 }\n"


def test_package_overage_charges_per_started_package_after_free_units() -> None:
    """Lago's package charge (getlago/lago-api spec/services/charge_models/package_service_spec.rb,
    sources17 §4a): 100 per package of 10; 121 units → 13 packages = 1,300; with 10 free
    units, 111 paid → 12 packages = 1,200."""
    text = OVERAGE_HEAD + "[plans.overage.api_calls]\npackage = { price = 100, size = 10 }\n"
    overage = parse_catalog(text).plan("team").overage_for("api_calls")
    assert overage == Overage.in_packages("api_calls", PackagePrice(usd("100"), 10))
    assert overage.charge(121, RoundingMode.HALF_UP) == usd("1300")
    text = OVERAGE_HEAD + (
        "[plans.overage.api_calls.package]\nprice = 100\nsize = 10\nfree_units = 10\n"
    )
    overage = parse_catalog(text).plan("team").overage_for("api_calls")
    assert overage is not None
    assert overage.charge(121, RoundingMode.HALF_UP) == usd("1200")


def test_tiered_overage_gives_mode_and_tiers_in_the_overage_table() -> None:
    """Stripe's fixed fee and overage (docs.stripe.com/subscriptions/pricing-models/
    usage-based-pricing, sources17 §1f): a graduated price of 0 up to 100,000 tokens and 0.001
    above. Over a limit of 0, 150,000 tokens cost 50,000 × 0.001 = 50.00."""
    text = HEAD + (
        "prices = { monthly = 200 }\nlimits = { api_calls = 0 }\n"
        '[plans.overage.api_calls]\nmode = "graduated"\n'
        'tiers = [{ up_to = 100_000, unit_amount = 0 }, { unit_amount = "0.001" }]\n'
    )
    with pytest.raises(CatalogError, match=r"api_calls.tiers\[1\].unit_amount: '0.001' has more"):
        parse_catalog(text)
    # USD has cents: price the tokens per 1,000 instead, 1.00 per 1,000 above 100,000
    text = text.replace('"0.001"', "1").replace("100_000", "100")
    overage = parse_catalog(text).plan("team").overage_for("api_calls")
    assert overage == Overage.tiered(
        "api_calls",
        TierTable(TierMode.GRADUATED, (Tier(100, usd("0")), Tier(None, usd("1")))),
    )
    assert overage.charge(150, RoundingMode.HALF_UP) == usd("50")


def test_overage_in_every_currency_of_the_plan() -> None:
    text = HEAD + (
        "prices = { monthly = 10, EUR = { monthly = 9 } }\nlimits = { api_calls = 1000 }\n"
        '[plans.overage.api_calls]\nprice = "2.00"\nper = 1000\n'
        "[plans.overage.api_calls.EUR]\npackage = { price = 2, size = 1000 }\n"
    )
    team = parse_catalog(text).plan("team")
    assert team.overage_for("api_calls") == Overage("api_calls", usd("2.00"), 1000)
    assert team.overage_for("api_calls", Currency.of("EUR")) == Overage.in_packages(
        "api_calls", PackagePrice(eur("2"), 1000)
    )


@pytest.mark.parametrize(
    ("overage", "message"),
    [
        (
            "per = 1000",
            (
                "plans[0] ('team').overage.api_calls.price: missing required key (pro rata,"
                " with per); or give package, or tiers with mode"
            ),
        ),
        (
            "price = 1\npackage = { price = 1, size = 10 }",
            (
                "plans[0] ('team').overage.api_calls.package: give one of price, package or tiers,"
                " not price and package"
            ),
        ),
        (
            'package = { price = 1, size = 10 }\nmode = "volume"\ntiers = [{ unit_amount = 1 }]',
            (
                "plans[0] ('team').overage.api_calls.tiers: give one of price, package or tiers,"
                " not package and tiers"
            ),
        ),
        (
            "package = { price = 1, size = 10 }\nper = 10",
            "plans[0] ('team').overage.api_calls.per: goes with price only",
        ),
        (
            'price = 1\nmode = "volume"',
            "plans[0] ('team').overage.api_calls.mode: goes with tiers only",
        ),
        (
            "tiers = [{ unit_amount = 1 }]",
            "plans[0] ('team').overage.api_calls.mode: missing required key",
        ),
        (
            "package = { price = 1 }",
            "plans[0] ('team').overage.api_calls.package.size: missing required key",
        ),
        (
            "package = { size = 10 }",
            "plans[0] ('team').overage.api_calls.package.price: missing required key",
        ),
        (
            "package = { price = 1, size = 0 }",
            (
                "plans[0] ('team').overage.api_calls.package.size: must be an int from 1 to"
                " 1,000,000,000,000,000, got int 0"
            ),
        ),
        (
            'package = { price = "-1", size = 10 }',
            "plans[0] ('team').overage.api_calls.package.price: must not be negative",
        ),
        (
            "package = { price = 1, size = 10, free_units = -1 }",
            "plans[0] ('team').overage.api_calls.package.free_units: must be an int from 0",
        ),
        (
            "package = { price = 1, size = 10, free = 1 }",
            (
                "plans[0] ('team').overage.api_calls.package.free: unknown key; allowed keys:"
                " price, size, free_units"
            ),
        ),
        (
            "package = 5",
            "plans[0] ('team').overage.api_calls.package: must be a table, got integer 5",
        ),
        (
            "pakage = { price = 1, size = 10 }",
            (
                "plans[0] ('team').overage.api_calls.pakage: not a key (price, per, package, mode,"
                " tiers), nor an ISO 4217 currency code"
            ),
        ),
        (
            "price = 1\nEUR = { price = 1 }",
            "plans[0] ('team').overage.api_calls.EUR: EUR: the plan is sold in USD only",
        ),
        (
            "price = 1\nUSD = { price = 1 }",
            "plans[0] ('team').overage.api_calls.USD: USD: given twice",
        ),
        (
            "price = 1\nprise = 2",
            (
                "plans[0] ('team').overage.api_calls.prise: unknown key; allowed keys: price, per,"
                " package, mode, tiers"
            ),
        ),
    ],
)
def test_overage_mistakes_name_the_plan_metric_and_key(overage: str, message: str) -> None:
    text = OVERAGE_HEAD + "[plans.overage.api_calls]\n" + overage + "\n"
    assert str(catalog_error(text)).startswith(message)


def test_an_overage_missing_in_one_of_the_plans_currencies_is_refused() -> None:
    """Else usage over the limit would be free in that currency, by omission."""
    text = HEAD + (
        "prices = { monthly = 10, EUR = { monthly = 9 } }\nlimits = { api_calls = 1000 }\n"
        "[plans.overage.api_calls]\nprice = 2\n"
    )
    assert str(catalog_error(text)) == (
        "plans[0] ('team').overage.api_calls: no EUR price, though the plan is sold in EUR;"
        " give [plans.overage.api_calls.EUR]"
    )


def test_an_overage_currency_table_holds_the_same_keys() -> None:
    text = HEAD + (
        "prices = { monthly = 10, EUR = { monthly = 9 } }\nlimits = { api_calls = 1000 }\n"
        "[plans.overage.api_calls]\nprice = 2\n[plans.overage.api_calls.EUR]\nprise = 2\n"
    )
    assert str(catalog_error(text)).startswith(
        "plans[0] ('team').overage.api_calls.EUR.prise: unknown key; allowed keys: price, per,"
    )


# --------------------------------------------------------------------------- retired


def test_retired_marks_a_plan_no_longer_sold() -> None:
    catalog = parse_catalog(
        HEAD + "retired = true\nprices = { monthly = 10 }\n"
        '[[plans]]\nid = "new"\nname = "New"\nretired = false\nprices = { monthly = 12 }\n'
    )
    assert (catalog.plan("team").retired, catalog.plan("new").retired) == (True, False)
    assert parse_catalog(HEAD + "prices = { monthly = 10 }\n").plan("team").retired is False


def test_retired_must_be_a_boolean() -> None:
    err = catalog_error(HEAD + 'retired = "yes"\nprices = { monthly = 10 }\n')
    assert str(err) == "plans[0] ('team').retired: must be true or false, got string 'yes'"


# --------------------------------------------------------------------------- version

PLAN = '[[plans]]\nid = "a"\nname = "A"\nprices = { monthly = 10 }\n'


@pytest.mark.parametrize(
    ("effective", "instant"),
    [
        ("2027-01-01", datetime(2027, 1, 1, tzinfo=UTC)),
        ("2027-01-01T09:30:00Z", datetime(2027, 1, 1, 9, 30, tzinfo=UTC)),
        # 09:00 in Paris in winter is 08:00 UTC
        (
            "2027-01-01T09:00:00+01:00",
            datetime(2027, 1, 1, 9, tzinfo=timezone(timedelta(hours=1))),
        ),
    ],
)
def test_a_version_has_a_name_and_an_effective_date_or_instant(
    effective: str, instant: datetime
) -> None:
    text = f'currency = "USD"\n[version]\nname = "2027-01"\neffective = {effective}\n' + PLAN
    catalog = parse_catalog(text)
    assert catalog.version == CatalogVersion("2027-01", instant)
    assert catalog.version.effective_at.tzinfo is UTC


def test_a_catalog_without_a_version_table_is_unversioned() -> None:
    assert parse_catalog('currency = "USD"\n' + PLAN).version is None


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("effective = 2027-01-01", "version.name: missing required key"),
        ('name = "2027-01"', "version.effective: missing required key"),
        (
            'name = "2027 January"\neffective = 2027-01-01',
            (
                "version.name: must be an identifier (a-z, 0-9, '.', '_', '-'; at most 64"
                " characters), got '2027 January'"
            ),
        ),
        ("name = 2027\neffective = 2027-01-01", "version.name: must be a string, got integer 2027"),
        (
            'name = "v1"\neffective = 2027-01-01T09:00:00',
            (
                "version.effective: a date-time needs an offset: write 2027-01-01T09:00:00Z (UTC)"
                " or another offset, or give a date (00:00 UTC)"
            ),
        ),
        (
            'name = "v1"\neffective = "2027-01-01"',
            (
                "version.effective: must be a date such as 2027-01-01 (00:00 UTC) or a date-time"
                " with an offset such as 2027-01-01T09:00:00+01:00, got string '2027-01-01'"
            ),
        ),
        (
            'name = "v1"\neffective = 09:00:00',
            "version.effective: must be a date such as 2027-01-01",
        ),
        (
            'name = "v1"\neffective = 2027-01-01\neffective_at = 2027-01-01',
            "version.effective_at: unknown key; allowed keys: name, effective",
        ),
    ],
)
def test_version_mistakes_name_the_key(version: str, message: str) -> None:
    text = 'currency = "USD"\n[version]\n' + version + "\n" + PLAN
    assert str(catalog_error(text)).startswith(message)


def test_version_must_be_a_table() -> None:
    err = catalog_error('currency = "USD"\nversion = "2027-01"\n' + PLAN)
    assert str(err) == "version: must be a table, got string '2027-01'"


def test_the_top_level_lists_version_among_its_keys() -> None:
    err = catalog_error('currency = "USD"\nversions = 1\n' + PLAN)
    assert str(err) == "versions: unknown key; allowed keys: currency, metrics, plans, version"


# --------------------------------------------------------------------------- example files


def test_the_example_catalog_in_four_currencies_loads() -> None:
    catalog = load_catalog(ROOT / "docs" / "examples" / "catalog-currencies.toml")
    assert [c.code for c in catalog.currencies] == ["USD", "EUR", "GBP", "JPY"]
    solo = catalog.plan("solo")
    assert solo.price(YEARLY, Currency.of("JPY")).amount == Money.of(15000, "JPY")
    assert all(
        solo.overage_for("billable_sessions", currency) is not None for currency in solo.currencies
    )


def test_the_example_catalog_of_seats_loads() -> None:
    catalog = load_catalog(ROOT / "docs" / "examples" / "catalog-seats.toml")
    assert catalog.version == CatalogVersion("2027-01", datetime(2027, 1, 1, tzinfo=UTC))
    assert [plan.unit for plan in catalog] == ["seats", "seats", "seats"]
    assert [plan.retired for plan in catalog] == [False, False, True]
    # Scale, 60 seats, graduated: 10 × 10.00 + 40 × 8.00 + 10 × 6.00 + 20.00 flat = 500.00
    assert catalog.plan("scale").price(MONTHLY).total(60) == usd("500.00")
    # Team's API calls over the limit: 25,000 fill 3 packages of 10,000, 3 × 5.00
    overage = catalog.plan("team").overage_for("api_calls")
    assert overage is not None
    assert overage.charge(25_000, RoundingMode.HALF_UP) == usd("15.00")
