"""Errors raised for bad input: one class per kind, each also a fitting built-in.

Every error is a :class:`SubscriptionRulesError`, so a host can catch them all
at once, and each also subclasses the built-in exception a Python programmer
would expect (``ValueError``, ``TypeError``, ``LookupError``), so existing
``except ValueError`` clauses keep working. Messages name the argument and the
offending value; the same facts are attributes for programs.

Expected business outcomes (a downgrade that does not fit, a refused command)
are *values*, not errors: see ``Infeasible`` and ``Refused``.

>>> from subscription_rules.errors import CurrencyMismatchError
>>> err = CurrencyMismatchError("other", "EUR", expected="USD")
>>> str(err)
"other: expected currency 'USD', got 'EUR'"
>>> isinstance(err, ValueError), err.argument, err.value
(True, 'other', 'EUR')
"""

from __future__ import annotations

__all__ = [
    "CatalogError",
    "CatalogVersionError",
    "CurrencyMismatchError",
    "FloatAmountError",
    "IdempotencyConflictError",
    "InvalidAmountError",
    "InvalidArgumentError",
    "InvalidCouponError",
    "InvalidInstantError",
    "InvalidIntervalError",
    "InvalidPeriodError",
    "InvalidPolicyError",
    "InvalidQuantityError",
    "InvalidSequenceError",
    "InvalidTaxRateError",
    "InvalidTimeZoneError",
    "InvalidUsageError",
    "NaiveDatetimeError",
    "NotAnInstantError",
    "RetiredPlanError",
    "SerializationError",
    "SubscriptionRulesError",
    "UnknownCurrencyError",
    "UnknownJurisdictionError",
    "UnknownPlanError",
    "UnknownPriceError",
]


class SubscriptionRulesError(Exception):
    """Base of every error this library raises for bad input.

    ``argument`` names the offending argument (or catalog key) and ``value`` is
    the value that was refused; the message starts with the argument's name.

    >>> try:
    ...     raise SubscriptionRulesError("bad value", argument="at", value=3)
    ... except SubscriptionRulesError as err:
    ...     print(err, "|", err.argument, err.value)
    at: bad value | at 3
    """

    argument: str | None
    value: object

    def __init__(self, message: str, *, argument: str | None = None, value: object = None) -> None:
        self.argument = argument
        self.value = value
        super().__init__(f"{argument}: {message}" if argument else message)


class InvalidArgumentError(SubscriptionRulesError, TypeError):
    """An argument of the wrong type (a ``str`` where a ``Plan`` belongs, ...).

    >>> raise InvalidArgumentError("expected a Plan, got 'x'", argument="plan")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidArgumentError: plan: expected a Plan, got 'x'
    """


class InvalidAmountError(SubscriptionRulesError, ValueError):
    """An amount that is not an exact money value for its currency.

    Raised for too much precision (``"1.005"`` USD), NaN and infinities,
    unparsable text, booleans, and amounts beyond the supported range.

    >>> Money.of("1.005", "USD")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidAmountError: amount: '1.005' has more precision than USD allows (2 decimal places)
    """


class FloatAmountError(InvalidAmountError, TypeError):
    """A ``float`` given as money: floats are refused everywhere.

    >>> Money.of(0.1, "USD")
    Traceback (most recent call last):
    subscription_rules.errors.FloatAmountError: amount: floats are refused for money, got 0.1; pass a str or Decimal such as '0.1'
    """


class UnknownCurrencyError(SubscriptionRulesError, ValueError):
    """A currency code that is not in the ISO 4217 table.

    >>> Currency.of("XYZ")
    Traceback (most recent call last):
    subscription_rules.errors.UnknownCurrencyError: currency: unknown ISO 4217 currency code 'XYZ'
    """


class CurrencyMismatchError(SubscriptionRulesError, ValueError):
    """Two amounts in different currencies were combined or compared.

    >>> Money.of("1.00", "USD") + Money.of("1.00", "EUR")
    Traceback (most recent call last):
    subscription_rules.errors.CurrencyMismatchError: other: expected currency 'USD', got 'EUR'
    """

    def __init__(self, argument: str, got: str, *, expected: str) -> None:
        super().__init__(
            f"expected currency {expected!r}, got {got!r}", argument=argument, value=got
        )


class InvalidInstantError(SubscriptionRulesError, ValueError):
    """An instant that cannot be used: see the two subclasses.

    Raised as itself for an aware instant too close to ``datetime.min`` or
    ``datetime.max`` to be converted to UTC; catching it also catches a naive
    datetime or a non-datetime:

    >>> from datetime import UTC, datetime, timedelta, timezone
    >>> from subscription_rules.errors import InvalidInstantError
    >>> from subscription_rules.periods import require_aware, seconds_between
    >>> tokyo = timezone(timedelta(hours=9))
    >>> seconds_between(datetime(1, 1, 1, tzinfo=tokyo), datetime(2026, 1, 1, tzinfo=UTC))
    Traceback (most recent call last):
    subscription_rules.errors.InvalidInstantError: start: 0001-01-01 00:00:00+09:00 cannot be expressed in UTC
    >>> try:
    ...     require_aware(datetime(2026, 1, 31), "at")
    ... except InvalidInstantError as err:
    ...     print(type(err).__name__, err.argument)
    NaiveDatetimeError at
    """


class NaiveDatetimeError(InvalidInstantError):
    """A ``datetime`` without a time zone: instants must be aware.

    >>> from subscription_rules.periods import require_aware
    >>> require_aware(datetime(2026, 1, 31), "at")
    Traceback (most recent call last):
    subscription_rules.errors.NaiveDatetimeError: at: naive datetime 2026-01-31 00:00:00 refused; attach a time zone (e.g. tzinfo=UTC)
    """


class NotAnInstantError(InvalidInstantError, TypeError):
    """Something other than a ``datetime`` given where an instant belongs.

    >>> from subscription_rules.periods import require_aware
    >>> require_aware("2026-01-31", "at")
    Traceback (most recent call last):
    subscription_rules.errors.NotAnInstantError: at: expected an aware datetime, got str '2026-01-31'
    """


class InvalidTimeZoneError(SubscriptionRulesError, ValueError):
    """A time zone name that is not a known IANA zone.

    >>> from subscription_rules.periods import zone
    >>> zone("Mars/Olympus")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidTimeZoneError: time_zone: unknown IANA time zone 'Mars/Olympus'
    """


class InvalidIntervalError(SubscriptionRulesError, ValueError):
    """An interval with a non-positive or oversized count, or unparsable text.

    >>> from subscription_rules import Interval, IntervalUnit
    >>> Interval(IntervalUnit.MONTH, 0)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidIntervalError: count: must be an int from 1 to 1200, got 0
    """


class InvalidPeriodError(SubscriptionRulesError, ValueError):
    """A period or period index that cannot exist (end before start, an instant before the anchor).

    >>> from subscription_rules import BillingCycle, MONTHLY
    >>> cycle = BillingCycle(datetime(2026, 1, 31, tzinfo=UTC), MONTHLY)
    >>> cycle.period(-1)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidPeriodError: index: must be a non-negative int, got -1
    """


class UnknownPlanError(SubscriptionRulesError, LookupError):
    """A plan id that the catalog does not hold; the message lists the known ids.

    >>> default_catalog().plan("gold")
    Traceback (most recent call last):
    subscription_rules.errors.UnknownPlanError: plan_id: unknown plan 'gold'; known plans: 'personal', 'advanced', 'pro'
    """


class UnknownPriceError(SubscriptionRulesError, LookupError):
    """A plan that has no price for the requested interval.

    >>> from subscription_rules import default_catalog, WEEKLY
    >>> default_catalog().plan("personal").price(WEEKLY)
    Traceback (most recent call last):
    subscription_rules.errors.UnknownPriceError: interval: plan 'personal' has no weekly price; it has: monthly, yearly
    """


class CatalogError(SubscriptionRulesError, ValueError):
    r"""A catalog that is malformed; ``plan`` and ``key`` say where.

    >>> from subscription_rules import parse_catalog
    >>> parse_catalog('currency = "USD"\n[[plans]]\nid = "a"\nname = "A"\n')
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: plans[0] ('a').prices: missing required key
    """

    plan: str | None
    key: str | None

    def __init__(
        self, message: str, *, plan: str | None = None, key: str | None = None, value: object = None
    ) -> None:
        self.plan = plan
        self.key = key
        where = ".".join(part for part in (plan, key) if part) or None
        super().__init__(message, argument=where, value=value)


class CatalogVersionError(CatalogError):
    """A catalog version that cannot follow the current one (same name, earlier date).

    >>> from datetime import UTC, datetime
    >>> from subscription_rules import CatalogVersion, check_new_version, default_catalog
    >>> import attrs
    >>> jan = attrs.evolve(default_catalog(),
    ...     version=CatalogVersion("2027-01", datetime(2027, 1, 1, tzinfo=UTC)))
    >>> dec = attrs.evolve(default_catalog(),
    ...     version=CatalogVersion("2026-12", datetime(2026, 12, 1, tzinfo=UTC)))
    >>> check_new_version(jan, dec)
    Traceback (most recent call last):
    subscription_rules.errors.CatalogVersionError: version.effective_at: 2026-12-01T00:00:00+00:00 is earlier than the current version '2027-01' (2027-01-01T00:00:00+00:00); a new version takes effect on or after the current one
    """


class RetiredPlanError(UnknownPlanError):
    """A plan the catalog keeps for its existing subscriptions but no longer sells.

    Starting a subscription on it or changing to it is refused; subscriptions
    already on it keep renewing at the price they recorded.

    >>> import attrs
    >>> from subscription_rules import Catalog, default_catalog
    >>> plans = default_catalog().plans
    >>> catalog = Catalog((attrs.evolve(plans[0], retired=True), *plans[1:]))
    >>> catalog.for_sale("personal")
    Traceback (most recent call last):
    subscription_rules.errors.RetiredPlanError: plan_id: plan 'personal' is retired: it is no longer sold, though its subscriptions keep renewing
    """


class InvalidQuantityError(SubscriptionRulesError, ValueError):
    """A quantity (seats) that is not an int from 1, or not 1 for a flat price.

    >>> from subscription_rules import Price
    >>> Price.of("12.00", "USD", "monthly", unit="seats").total(0)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidQuantityError: quantity: must be an int from 1 to 1,000,000,000,000,000, got int 0
    """


class InvalidUsageError(SubscriptionRulesError, ValueError):
    """A usage count that is negative, not an int, or for an unknown metric.

    >>> from subscription_rules.usage import usage_report
    >>> usage_report(default_catalog().plan("personal"), Usage.of(seats=1))
    Traceback (most recent call last):
    subscription_rules.errors.InvalidUsageError: seats: unknown metric 'seats'; known metrics: billable_sessions, integrations, properties
    """


class InvalidPolicyError(SubscriptionRulesError, ValueError):
    """A policy whose fields contradict each other or lie outside their range.

    >>> from subscription_rules.policy import BillingPolicy
    >>> BillingPolicy(trial_reminder_days=-1)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidPolicyError: trial_reminder_days: must be an int from 0 (no reminder) to 60, got -1
    """


class IdempotencyConflictError(SubscriptionRulesError, ValueError):
    """An idempotency key used again for a different request (another amount or invoice).

    Raised by the test gateway of :mod:`subscription_rules.testing`, as a real
    payment provider refuses such a request.

    >>> raise IdempotencyConflictError("s:charge:s-INV-0001:due-5000:attempt-1", "USD 50.00", "USD 60.00")
    Traceback (most recent call last):
    subscription_rules.errors.IdempotencyConflictError: idempotency_key: 's:charge:s-INV-0001:due-5000:attempt-1' was used for USD 50.00, now for USD 60.00
    """

    def __init__(self, key: str, first: str, second: str) -> None:
        super().__init__(
            f"{key!r} was used for {first}, now for {second}", argument="idempotency_key", value=key
        )


class InvalidCouponError(SubscriptionRulesError, ValueError):
    """A coupon or discount that cannot be.

    A percentage outside (0, 100], an amount off in another currency than the
    subscription's, a repeating duration without its number of periods.

    >>> raise InvalidCouponError("must be a percentage above 0 and at most 100, got '120'",
    ...     argument="percent_off", value="120")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidCouponError: percent_off: must be a percentage above 0 and at most 100, got '120'
    """


class InvalidTaxRateError(SubscriptionRulesError, ValueError):
    """A tax rate that cannot be.

    A percentage outside [0, 100], an empty name, a reverse charge without the
    customer's tax id.

    >>> raise InvalidTaxRateError("must be a percentage from 0 to 100, got '-5'",
    ...     argument="percent", value="-5")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidTaxRateError: percent: must be a percentage from 0 to 100, got '-5'
    """


class UnknownJurisdictionError(SubscriptionRulesError, LookupError):
    """A jurisdiction the host's tax rates do not know.

    >>> raise UnknownJurisdictionError("no tax rate known for 'XX'", argument="jurisdiction",
    ...     value="XX")
    Traceback (most recent call last):
    subscription_rules.errors.UnknownJurisdictionError: jurisdiction: no tax rate known for 'XX'
    """


class InvalidSequenceError(SubscriptionRulesError, ValueError):
    """An invoice number sequence that goes backwards or repeats a number.

    >>> raise InvalidSequenceError("must follow 41, got 40", argument="next_number", value=40)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidSequenceError: next_number: must follow 41, got 40
    """


class SerializationError(SubscriptionRulesError, ValueError):
    """A stored document that does not load: its path names where, the message what.

    Raised by :mod:`subscription_rules.serialization` for unknown or missing keys,
    wrong JSON types, bad amounts, currencies, instants and enum values, values
    their own checks refuse, and schema versions it cannot read. ``path`` is where
    in the document (``stretches[2].billed.currency``; ``$`` for the document itself).

    >>> raise SerializationError("unknown currency code 'XXX'", path="stretches[2].billed.currency")
    Traceback (most recent call last):
    subscription_rules.errors.SerializationError: stretches[2].billed.currency: unknown currency code 'XXX'
    """

    path: str

    def __init__(self, message: str, *, path: str = "$", value: object = None) -> None:
        self.path = path
        super().__init__(message, argument=path, value=value)
