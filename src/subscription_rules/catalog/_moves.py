"""Moves between plans: upgrade, downgrade or interval change, by annualised price or rank."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from subscription_rules._checks import wrong_type
from subscription_rules.catalog._prices import Price, check_quantity
from subscription_rules.catalog._values import Plan
from subscription_rules.errors import CatalogError, CurrencyMismatchError
from subscription_rules.money import Currency, Money
from subscription_rules.periods import Interval, IntervalUnit

if TYPE_CHECKING:
    from fractions import Fraction


class MoveKind(enum.Enum):
    """What a change from one plan and interval to another is.

    >>> from subscription_rules.catalog import default_catalog
    >>> from subscription_rules.periods import MONTHLY, YEARLY
    >>> personal = default_catalog().plan("personal")
    >>> classify_move(personal, MONTHLY, personal, YEARLY)
    <MoveKind.INTERVAL_CHANGE: 'interval_change'>
    """

    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"
    INTERVAL_CHANGE = "interval_change"
    NO_CHANGE = "no_change"


class Comparison(enum.Enum):
    """How :func:`classify_move` decides between upgrade and downgrade.

    ``ANNUALISED_PRICE`` compares what the two prices cost over a year (a tie
    counts as an upgrade, as in Lago); ``RANK`` compares the plans' ranks.

    >>> Comparison.RANK.value
    'rank'
    """

    ANNUALISED_PRICE = "annualised_price"
    RANK = "rank"


class WeeksPerYear(enum.Enum):
    """How many weeks a year holds when a weekly price is annualised.

    ``EXACT``: 365/7 (a week is 7 of a year's 365 days, so prices compare by
    their daily rate). ``FIFTY_TWO``: 52 weeks, as Lago's
    ``Plan#yearly_amount_cents`` counts (getlago/lago-api,
    ``app/models/plan.rb``: weekly × 52), so €10 a week ties €520 a year.
    Intervals in days or months are unaffected.

    >>> WeeksPerYear.FIFTY_TWO.value
    'fifty_two'
    """

    EXACT = "exact"
    FIFTY_TWO = "fifty_two"


def _check_weeks(weeks_per_year: object) -> None:
    if not isinstance(weeks_per_year, WeeksPerYear):
        wrong_type(weeks_per_year, "weeks_per_year", "a WeeksPerYear")


def annualised(
    price: Price, *, weeks_per_year: WeeksPerYear = WeeksPerYear.EXACT, quantity: int = 1
) -> Fraction:
    """Return what a price costs over a year, in major units, exactly (at ``quantity`` units).

    A year counts 12 months or 365 days, and a week 7 days (prices compared
    by their daily rate), or 52 weeks with ``WeeksPerYear.FIFTY_TWO`` (Lago),
    so monthly 50.00 is 600, weekly 7.00 is 365 (or 364) and every 6 months
    100.00 is 200.

    >>> annualised(Price.of("50.00", "USD", "monthly")), annualised(Price.of("500", "USD", "yearly"))
    (Fraction(600, 1), Fraction(500, 1))
    >>> annualised(Price.of("0.99", "USD", "weekly"))
    Fraction(7227, 140)
    >>> annualised(Price.of("10", "EUR", "weekly"), weeks_per_year=WeeksPerYear.FIFTY_TWO)
    Fraction(520, 1)
    """
    if not isinstance(price, Price):
        wrong_type(price, "price", "a Price")
    _check_weeks(weeks_per_year)
    amount = price.total(quantity)
    num, den = _yearly_share(price.interval, weeks_per_year)
    from fractions import Fraction  # noqa: PLC0415 - a rare path; fractions costs 5 % of the import

    return Fraction(amount.minor * num, amount.currency.unit * den)


def _check_plan(value: object, argument: str) -> Plan:
    if not isinstance(value, Plan):
        wrong_type(value, argument, "a Plan")
    return value


def _check_comparison(by: object) -> None:
    if not isinstance(by, Comparison):
        wrong_type(by, "by", "a Comparison")


def _currency(currency: object, default: Currency) -> Currency:
    if currency is None:
        return default
    if isinstance(currency, str):
        return Currency.of(currency)
    if not isinstance(currency, Currency):
        wrong_type(currency, "currency", "a Currency, an ISO 4217 code or None")
    return currency


def _rank(plan: Plan) -> int:
    if plan.rank is None:
        raise CatalogError(
            "comparison by rank needs a rank on both plans; this plan has none",
            plan=plan.id,
            key="rank",
        )
    return plan.rank


def classify_move(
    current_plan: Plan,
    current_interval: Interval,
    target_plan: Plan,
    target_interval: Interval,
    *,
    by: Comparison = Comparison.ANNUALISED_PRICE,
    weeks_per_year: WeeksPerYear = WeeksPerYear.EXACT,
    current_quantity: int = 1,
    target_quantity: int = 1,
    currency: Currency | str | None = None,
) -> MoveKind:
    """Classify a move from one plan and interval to another.

    The same plan at the same interval is ``NO_CHANGE`` at the same quantity,
    an ``UPGRADE`` to more units (seats) and a ``DOWNGRADE`` to fewer; at another
    interval an ``INTERVAL_CHANGE``. Prices are compared in ``currency`` (the
    subscription's; ``None`` for the current plan's first currency), at the
    quantities given. Between plans, ``by`` decides: by annualised price
    a dearer target is an ``UPGRADE``, a cheaper one a ``DOWNGRADE`` and a tie
    counts as an ``UPGRADE`` (Lago's rule); by rank a higher-ranked target is
    an ``UPGRADE`` (equal ranks, possible only across catalogs, count as one).

    Args:
        current_plan: The plan subscribed to now.
        current_interval: The interval billed now; the plan must have a price for it.
        target_plan: The plan to move to.
        target_interval: The interval to move to; the target must have a price for it.
        by: How to compare two different plans.
        weeks_per_year: How many weeks a year holds when a weekly price is
            annualised (see :class:`WeeksPerYear`).
        current_quantity: The units (seats) billed now, 1 for a flat price.
        target_quantity: The units after the move, 1 for a flat price.
        currency: The currency both prices are compared in.

    Returns:
        The kind of move.

    Raises:
        InvalidArgumentError: If a plan is not a :class:`Plan`.
        UnknownPriceError: If a plan has no price for its interval.
        CurrencyMismatchError: If the plans' currencies differ.
        CatalogError: With ``by=Comparison.RANK``, if a plan has no rank.

    >>> from subscription_rules.catalog import default_catalog
    >>> from subscription_rules.periods import MONTHLY, WEEKLY, YEARLY
    >>> catalog = default_catalog()
    >>> personal, advanced = catalog.plan("personal"), catalog.plan("advanced")
    >>> classify_move(advanced, MONTHLY, personal, YEARLY)
    <MoveKind.DOWNGRADE: 'downgrade'>

    A tie counts as an upgrade, whichever way the move goes: Personal monthly
    costs 600.00 a year, and so does this plan billed yearly.

    >>> twin = Plan("twin", "Twin", (Price.of("600", "USD", "yearly"),))
    >>> classify_move(personal, MONTHLY, twin, YEARLY)
    <MoveKind.UPGRADE: 'upgrade'>
    >>> classify_move(twin, YEARLY, personal, MONTHLY)
    <MoveKind.UPGRADE: 'upgrade'>
    >>> classify_move(personal, MONTHLY, twin, YEARLY, by=Comparison.RANK)
    Traceback (most recent call last):
    subscription_rules.errors.CatalogError: personal.rank: comparison by rank needs a rank on both plans; this plan has none

    EUR 10.00 a week against EUR 520.00 a year: 521.43 a year under 365/7
    weeks, so the yearly plan is cheaper; exactly 520 under Lago's 52 weeks, a
    tie, so an upgrade.

    >>> weekly = Plan("weekly", "Weekly", (Price.of("10", "EUR", "weekly"),))
    >>> yearly = Plan("yearly", "Yearly", (Price.of("520", "EUR", "yearly"),))
    >>> classify_move(weekly, WEEKLY, yearly, YEARLY)
    <MoveKind.DOWNGRADE: 'downgrade'>
    >>> classify_move(weekly, WEEKLY, yearly, YEARLY, weeks_per_year=WeeksPerYear.FIFTY_TWO)
    <MoveKind.UPGRADE: 'upgrade'>
    """
    current_plan = _check_plan(current_plan, "current_plan")
    target_plan = _check_plan(target_plan, "target_plan")
    _check_comparison(by)
    _check_weeks(weeks_per_year)
    for argument, interval in (
        ("current_interval", current_interval),
        ("target_interval", target_interval),
    ):
        if not isinstance(interval, Interval):
            wrong_type(interval, argument, "an Interval")
    wanted = _currency(currency, current_plan.currency)
    check_quantity(current_quantity, "current_quantity")
    check_quantity(target_quantity, "target_quantity")
    if wanted not in target_plan.currencies:
        raise CurrencyMismatchError("target_plan", target_plan.currency.code, expected=wanted.code)
    current = current_plan.price(current_interval, wanted)
    target = target_plan.price(target_interval, wanted)
    now, then = current.total(current_quantity), target.total(target_quantity)
    if current_plan.id == target_plan.id:
        if current.interval != target.interval:
            return MoveKind.INTERVAL_CHANGE
        if current_quantity == target_quantity:
            return MoveKind.NO_CHANGE
        return MoveKind.UPGRADE if target_quantity > current_quantity else MoveKind.DOWNGRADE
    if by is Comparison.RANK:
        current_rank = _rank(current_plan)
        bigger = _rank(target_plan) >= current_rank
    else:
        bigger = _yearly_at_least(target, then, current, now, weeks_per_year)
    return MoveKind.UPGRADE if bigger else MoveKind.DOWNGRADE


def _yearly_share(interval: Interval, weeks_per_year: WeeksPerYear) -> tuple[int, int]:
    """Periods a year as ``(numerator, denominator)``: 12/months, 365/days or 52/weeks."""
    if interval.unit is IntervalUnit.WEEK and weeks_per_year is WeeksPerYear.FIFTY_TWO:
        return 52, interval.count
    if interval.days is not None:
        return 365, interval.days
    return 12, interval.months or 12


def _yearly_at_least(
    a: Price, a_total: Money, b: Price, b_total: Money, weeks_per_year: WeeksPerYear
) -> bool:
    """Whether ``a_total`` every ``a`` costs at least ``b_total`` every ``b`` a year, exactly."""
    a_num, a_den = _yearly_share(a.interval, weeks_per_year)
    b_num, b_den = _yearly_share(b.interval, weeks_per_year)
    return a_total.minor * a_num * b_den >= b_total.minor * b_num * a_den
