"""The one checking vocabulary (`_checks`) and the one way to skip it (`_checks.trusted`)."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

import subscription_rules.errors
from subscription_rules import MONTHLY, Money, Stretch, default_catalog, start_subscription
from subscription_rules._checks import trusted
from subscription_rules.errors import InvalidArgumentError
from subscription_rules.periods import BillingPeriod
from subscription_rules.policy import SEED_POLICY

T = datetime(2026, 1, 1, tzinfo=UTC)
USD = Money.of("30", "USD")


def test_stretch_refuses_a_negative_unit_count() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^units: must be a non-negative int, got -1$"):
        Stretch("pro", MONTHLY, T, T, USD, -1, 30, USD, USD)


def test_stretch_refuses_a_bool_as_a_count() -> None:
    with pytest.raises(
        InvalidArgumentError, match=r"^credited_units: must be a non-negative int, got True$"
    ):
        Stretch("pro", MONTHLY, T, T, USD, 1, 30, USD, USD, credited_units=True)


def test_trusted_builds_without_running_the_checks() -> None:
    """A period a cycle computed is not checked again: even an empty one is built as given."""
    period = trusted(BillingPeriod)(T, T, 0)
    assert (period.start, period.end, period.index) == (T, T, 0)
    with pytest.raises(subscription_rules.errors.InvalidPeriodError):
        BillingPeriod(T, T, 0)


def test_trusted_keeps_the_defaults_of_the_class() -> None:
    stretch = trusted(Stretch)("pro", MONTHLY, T, T, USD, 1, 30, USD, USD)
    assert stretch == Stretch("pro", MONTHLY, T, T, USD, 1, 30, USD, USD)
    assert trusted(Stretch) is trusted(Stretch)  # generated once per class


def test_evolve_equals_attrs_evolve_field_by_field() -> None:
    sub = start_subscription(
        "s", "c", "personal", MONTHLY, T, catalog=default_catalog(), trial=False, policy=SEED_POLICY
    ).subscription
    for field in attrs.fields(type(sub)):
        value = getattr(sub, field.name)
        assert sub.evolve(**{field.name: value}) == attrs.evolve(sub, **{field.name: value})
    later = datetime(2026, 1, 2, tzinfo=UTC)
    assert sub.evolve(processed_until=later) == attrs.evolve(sub, processed_until=later)


def test_evolve_refuses_a_balance_in_another_currency() -> None:
    sub = start_subscription(
        "s", "c", "personal", MONTHLY, T, catalog=default_catalog(), trial=False, policy=SEED_POLICY
    ).subscription
    with pytest.raises(
        InvalidArgumentError, match=r"^credit_balance: must be in USD, got EUR 1.00$"
    ):
        sub.evolve(credit_balance=Money.of("1", "EUR"))


def test_errors_holds_only_error_classes() -> None:
    module = vars(subscription_rules.errors)
    functions = {
        name for name, value in module.items() if callable(value) and not isinstance(value, type)
    }
    assert functions == set()
    assert not hasattr(subscription_rules.errors, "_expect")
    assert not hasattr(subscription_rules.errors, "_shown")
