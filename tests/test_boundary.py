"""The boundary of the public API: what is accepted as well as what is refused.

``tests/test_bad_input.py`` lists refusals case by case; here the accepted
spellings next to them keep working: a ``ZoneInfo`` wherever a zone name goes,
underscores between digits, a width for ``Money``, ``advance`` to the instant
already processed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from subscription_rules import (
    MONTHLY,
    BillingCycle,
    Currency,
    Money,
    advance,
    default_catalog,
    start_subscription,
)
from subscription_rules.notifications import Category, Preferences
from subscription_rules.periods import days_between, zone
from subscription_rules.policy import SEED_POLICY

CATALOG = default_catalog()
NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)


def test_a_zoneinfo_is_accepted_wherever_a_zone_name_is() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert zone(paris) is zone("Europe/Paris")
    assert zone(ZoneInfo.no_cache("Europe/Paris")).key == "Europe/Paris"
    assert BillingCycle(NOV_1, MONTHLY, paris) == BillingCycle(NOV_1, MONTHLY, "Europe/Paris")
    by_object = start_subscription(
        "s", "c", "personal", MONTHLY, NOV_1, catalog=CATALOG, time_zone=paris, policy=SEED_POLICY
    )
    by_name = start_subscription(
        "s",
        "c",
        "personal",
        MONTHLY,
        NOV_1,
        catalog=CATALOG,
        time_zone="Europe/Paris",
        policy=SEED_POLICY,
    )
    assert by_object == by_name
    assert by_object.subscription.cycle.time_zone == "Europe/Paris"
    end = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert days_between(NOV_1, end, ZoneInfo("Asia/Tokyo")) == days_between(
        NOV_1, end, "Asia/Tokyo"
    )


def test_amount_text_keeps_underscores_between_digits() -> None:
    assert Money.of("1_000.50", "USD").minor == 100_050
    assert Money.of(" 12.5 ", "EUR").minor == 1250


def test_currency_codes_fold_ascii_case_only() -> None:
    assert Currency.of("sek") is Currency.of("SEK")
    assert Currency("XTS", 2).code == "XTS"  # a code outside the table keeps its exponent
    assert Currency("USD", 2) == Currency.of("USD")


def test_money_formats_as_text_in_a_width() -> None:
    price = Money.of("9.50", "USD")
    assert f"{price}|{price:>10}|{price:_^12}|{price:s}" == (
        "USD 9.50|  USD 9.50|__USD 9.50__|USD 9.50"
    )


def test_advance_to_the_instant_already_processed_does_nothing() -> None:
    sub = start_subscription(
        "s", "c", "personal", MONTHLY, NOV_1, catalog=CATALOG, trial=False, policy=SEED_POLICY
    ).subscription
    later = advance(
        sub, datetime(2026, 11, 16, tzinfo=UTC), catalog=CATALOG, policy=SEED_POLICY
    ).subscription
    again = advance(later, later.processed_until, catalog=CATALOG, policy=SEED_POLICY)
    assert again.subscription == later
    assert again.effects == ()


def test_preferences_take_a_frozenset_of_names_and_booleans() -> None:
    prefs = Preferences(email_opt_out=True, unsubscribed=frozenset({"product"}))
    assert prefs.email_opt_out
    assert Category("news-letter").mandatory is False
