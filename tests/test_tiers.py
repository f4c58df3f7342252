"""Tier and package pricing: worked arithmetic, published examples, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import usd
from subscription_rules import Money, PackagePrice, Tier, TierMode, TierTable
from subscription_rules.strategies import money

GRADUATED = TierMode.GRADUATED
VOLUME = TierMode.VOLUME


def typographic(mode: TierMode) -> TierTable:
    """Stripe's tiered-pricing example: fonts 1-5 at USD 7, 6-10 at USD 6.50, 11+ at USD 6.

    Source: https://docs.stripe.com/subscriptions/pricing-models/tiered-pricing
    """
    return TierTable(mode, (Tier(5, usd("7")), Tier(10, usd("6.50")), Tier(None, usd("6"))))


def with_fees() -> TierTable:
    """Tiers 1-10 at USD 5.00 + USD 20.00 flat, 11-20 at USD 4.00 + USD 10.00 flat, 21+ at USD 3.00."""
    return TierTable(
        GRADUATED,
        (
            Tier(10, usd("5"), usd("20")),
            Tier(20, usd("4"), usd("10")),
            Tier(None, usd("3")),
        ),
    )


# --------------------------------------------------------------------------- published examples


@pytest.mark.parametrize(
    ("fonts", "total"), [(1, "7"), (5, "35"), (6, "39"), (20, "120"), (25, "150")]
)
def test_volume_prices_every_unit_at_the_tier_reached_stripe_typographic(
    fonts: int, total: str
) -> None:
    """Stripe's volume-based table, "Quantity and usage at end of the period" -> total.

    Source: docs.stripe.com/subscriptions/pricing-models/tiered-pricing (volume-based
    pricing): 1 -> 7 USD, 5 -> 35 USD (5 × 7), 6 -> 39 USD (6 × 6.5), 20 -> 120 USD
    (20 × 6), 25 -> 150 USD (25 × 6).
    """
    assert typographic(VOLUME).amount(fonts) == usd(total)


@pytest.mark.parametrize(
    ("fonts", "total"),
    [(1, "7"), (5, "35"), (6, "41.50"), (10, "67.50"), (11, "73.50"), (20, "127.50")],
)
def test_graduated_prices_each_unit_by_its_tier_stripe_typographic(fonts: int, total: str) -> None:
    """Stripe's graduated pricing on the same tiers ("5 fonts result in the same charge as
    volume-based pricing: 35 USD"); the rest worked by hand from the published tiers:
    6 = 5 × 7 + 1 × 6.50 = 41.50; 10 = 35 + 5 × 6.50 = 67.50; 11 = 67.50 + 6 = 73.50;
    20 = 67.50 + 10 × 6 = 127.50.

    Source: docs.stripe.com/subscriptions/pricing-models/tiered-pricing (graduated pricing).
    """
    assert typographic(GRADUATED).amount(fonts) == usd(total)


def test_graduated_api_calls_lago() -> None:
    """Lago's graduated example: USD 1 per unit for the first 100 units, USD 0.50 for the
    next 100, USD 0.10 for any additional unit. Worked by hand: 250 units =
    100 × 1.00 + 100 × 0.50 + 50 × 0.10 = 100 + 50 + 5 = USD 155.00.

    Source: getlago.com/docs/guide/plans/charges/charge-models/graduated
    """
    table = TierTable(
        GRADUATED, (Tier(100, usd("1")), Tier(200, usd("0.50")), Tier(None, usd("0.10")))
    )
    assert table.breakdown(250) == (
        ("1–100: 100 × USD 1.00 = USD 100.00", usd("100")),
        ("101–200: 100 × USD 0.50 = USD 50.00", usd("50")),
        ("201–250: 50 × USD 0.10 = USD 5.00", usd("5")),
    )
    assert table.amount(250) == usd("155")


@pytest.mark.parametrize(
    ("users", "total"), [(1, "10"), (3, "10"), (5, "10"), (6, "20"), (7, "20")]
)
def test_package_of_five_users_rounds_up_stripe(users: int, total: str) -> None:
    """Stripe's quantity transformation: USD 10 for every 5 users or portion thereof
    (``transform_quantity[divide_by]=5``, ``round=up``): 1, 3, 5 users -> USD 10; 6, 7 -> USD 20.

    Source: stripe.com/docs/billing/subscriptions/quantity-transformation
    """
    assert PackagePrice(usd("10"), 5).amount(users) == usd(total)


def test_package_car_rental_by_the_started_hour_stripe() -> None:
    """Stripe's car rental: USD 10 per hour, usage in minutes, rounded up: 150 minutes
    is 3 hours, USD 30.

    Source: docs.stripe.com/billing/subscriptions/usage-based/transform-quantities
    """
    assert PackagePrice(usd("10"), 60).amount(150) == usd("30")


def test_package_with_free_units_lago() -> None:
    """Lago's package example: USD 5 per 100 units, the first 100 units free; 201 units cost
    USD 0 (first 100) + USD 5 (next 100) + USD 5 (last unit) = USD 10.

    Source: getlago.com/docs/guide/plans/charges/charge-models/package
    """
    price = PackagePrice(usd("5"), 100, free_units=100)
    assert price.breakdown(201) == (
        ("first 100 units: free = USD 0.00", usd("0")),
        ("101 units in packages of 100, rounded up: 2 × USD 5.00 = USD 10.00", usd("10")),
    )
    assert price.amount(201) == usd("10")


# --------------------------------------------------------------------------- boundaries by hand


@pytest.mark.parametrize(
    ("units", "total"),
    [
        (0, "0"),  # no tier reached: no flat fee either
        (1, "25"),  # 1 × 5 + 20 flat
        (10, "70"),  # 10 × 5 + 20 flat
        (11, "84"),  # 70 + 1 × 4 + 10 flat
        (20, "120"),  # 70 + 10 × 4 + 10 flat
        (21, "123"),  # 120 + 1 × 3
    ],
)
def test_graduated_flat_fees_are_charged_once_per_tier_reached(units: int, total: str) -> None:
    """Each tier's flat fee is charged once as soon as one unit falls in it (Stripe's
    ``flat_amount``, Lago's flat fee "applied to the entire tier")."""
    assert with_fees().amount(units) == usd(total)


@pytest.mark.parametrize(
    ("units", "total"),
    [
        (0, "0"),
        (10, "70"),  # 10 × 5 + 20
        (11, "54"),  # 11 × 4 + 10: cheaper than 10 units
        (20, "90"),  # 20 × 4 + 10
        (21, "63"),  # 21 × 3, no fee
    ],
)
def test_volume_charges_only_the_reached_tiers_flat_fee(units: int, total: str) -> None:
    """Volume: all units at the reached tier's unit amount plus that tier's fee only."""
    table = TierTable(VOLUME, with_fees().tiers)
    assert table.amount(units) == usd(total)


def test_the_breakdown_explains_each_tier_and_fee() -> None:
    """11 units graduated: 1–10 at USD 5 (50) + fee 20; 11 at USD 4 (4) + fee 10 = USD 84."""
    assert with_fees().breakdown(11) == (
        ("1–10: 10 × USD 5.00 = USD 50.00", usd("50")),
        ("1–10: flat fee = USD 20.00", usd("20")),
        ("11–11: 1 × USD 4.00 = USD 4.00", usd("4")),
        ("11–20: flat fee = USD 10.00", usd("10")),
    )
    assert TierTable(VOLUME, with_fees().tiers).breakdown(21) == (
        ("21 units at the 21+ tier: 21 × USD 3.00 = USD 63.00", usd("63")),
    )


@pytest.mark.parametrize(("units", "total"), [(0, "0"), (4, "10"), (5, "10"), (6, "20")])
def test_package_at_and_across_a_block(units: int, total: str) -> None:
    """Blocks of 5 at USD 10: 0 -> 0 blocks; 4, 5 -> 1 block; 6 -> 2 blocks."""
    assert PackagePrice(usd("10"), 5).amount(units) == usd(total)
    assert PackagePrice(usd("10"), 5).breakdown(0) == ()


def test_volume_may_fall_when_a_quantity_crosses_into_a_cheaper_tier() -> None:
    """Stripe: "the total might decrease" under volume pricing; 10 units at USD 10 = 100,
    11 units at USD 1 = 11."""
    table = TierTable(VOLUME, (Tier(10, usd("10")), Tier(None, usd("1"))))
    assert table.amount(11) < table.amount(10)


def test_a_yen_table_keeps_its_currency() -> None:
    """JPY has no minor unit: 3 × JPY 100 + 2 × JPY 80 = JPY 460."""
    table = TierTable(
        GRADUATED, (Tier(3, Money.of("100", "JPY")), Tier(None, Money.of("80", "JPY")))
    )
    assert table.amount(5) == Money.of("460", "JPY")


# --------------------------------------------------------------------------- properties

units_amounts = money("USD", min_minor=0, max_minor=100_000)
quantities = st.integers(0, 10_000)


@st.composite
def tables(draw: st.DrawFn, mode: TierMode | None = None) -> TierTable:
    bounds = sorted(set(draw(st.lists(st.integers(1, 5_000), max_size=5))))
    fees = st.none() | units_amounts
    tiers = [Tier(bound, draw(units_amounts), draw(fees)) for bound in bounds]
    tiers.append(Tier(None, draw(units_amounts), draw(fees)))
    return TierTable(draw(st.sampled_from(TierMode)) if mode is None else mode, tuple(tiers))


def _tier_part(table: TierTable, index: int, quantity: int) -> Money:
    """What tier ``index`` alone contributes to a graduated price of ``quantity`` units."""
    tier = table.tiers[index]
    low = 0 if index == 0 else table.tiers[index - 1].up_to
    assert low is not None
    high = quantity if tier.up_to is None else min(quantity, tier.up_to)
    if high <= low:
        return Money.zero("USD")
    fee = tier.flat_amount or Money.zero("USD")
    return tier.unit_amount * (high - low) + fee


@given(tables(GRADUATED), quantities)
def test_graduated_equals_the_sum_of_its_tiers_parts(table: TierTable, quantity: int) -> None:
    parts = [_tier_part(table, index, quantity) for index in range(len(table.tiers))]
    assert table.amount(quantity) == sum(parts, Money.zero("USD"))


@given(tables(), quantities)
def test_the_amount_is_the_sum_of_the_breakdown(table: TierTable, quantity: int) -> None:
    lines = table.breakdown(quantity)
    assert table.amount(quantity) == sum((amount for _, amount in lines), Money.zero("USD"))


@given(tables(GRADUATED), quantities)
def test_graduated_is_monotone_in_quantity(table: TierTable, quantity: int) -> None:
    assert table.amount(quantity) <= table.amount(quantity + 1)


@given(tables(VOLUME), quantities)
def test_volume_is_monotone_within_a_tier(table: TierTable, quantity: int) -> None:
    bounds = {tier.up_to for tier in table.tiers}
    if quantity not in bounds:  # quantity and quantity + 1 are in one tier
        assert table.amount(quantity) <= table.amount(quantity + 1)


@given(st.lists(units_amounts, min_size=1, max_size=5), quantities)
def test_volume_is_monotone_when_tiers_never_get_cheaper(
    amounts: list[Money], quantity: int
) -> None:
    """Unit amounts non-decreasing along the tiers: crossing a bound never lowers the total."""
    ordered = sorted(amounts)
    tiers = [Tier(100 * (i + 1), amount) for i, amount in enumerate(ordered[:-1])]
    table = TierTable(VOLUME, (*tiers, Tier(None, ordered[-1])))
    assert table.amount(quantity) <= table.amount(quantity + 1)


@given(units_amounts, st.sampled_from(TierMode), quantities)
def test_a_single_tier_is_quantity_times_the_unit_amount(
    unit: Money, mode: TierMode, quantity: int
) -> None:
    assert TierTable(mode, (Tier(None, unit),)).amount(quantity) == unit * quantity


@given(units_amounts, st.integers(1, 1_000), st.integers(0, 1_000), quantities)
def test_package_is_the_started_blocks_times_the_block_amount(
    block: Money, size: int, free: int, quantity: int
) -> None:
    price = PackagePrice(block, size, free_units=free)
    billable = max(0, quantity - free)
    blocks = billable // size + (1 if billable % size else 0)
    assert price.amount(quantity) == block * blocks
    assert price.amount(quantity) == sum(
        (amount for _, amount in price.breakdown(quantity)), Money.zero("USD")
    )
    assert price.amount(quantity) <= price.amount(quantity + 1)
