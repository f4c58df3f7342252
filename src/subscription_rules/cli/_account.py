"""An account described on the command line (``quote``, ``summary``), processed up to ``--at``."""

from __future__ import annotations

import argparse
import re
from datetime import datetime
from typing import TYPE_CHECKING, assert_never
from zoneinfo import ZoneInfo

import attrs

from subscription_rules._input import about, bad, read_instant
from subscription_rules.catalog import MAX_COUNT, Catalog, Plan, check_quantity
from subscription_rules.catalog._values import _plan_quantity
from subscription_rules.cli._options import _load, _source
from subscription_rules.discounts import Coupon, CouponDuration
from subscription_rules.dunning import (
    Succeeded,
)
from subscription_rules.effects import ChargeInvoice, Decision, Refused
from subscription_rules.lifecycle import (
    MAX_PERIODS_PER_ADVANCE,
    advance,
    cancel,
    record_payment,
    start_subscription,
)
from subscription_rules.money import Currency, Money
from subscription_rules.periods import Interval, zone
from subscription_rules.policy import (
    BillingPolicy,
    preset,
)
from subscription_rules.subscription import Status, Subscription
from subscription_rules.taxes import CustomerTax, TaxRate
from subscription_rules.usage import Usage

if TYPE_CHECKING:
    from collections.abc import Sequence


_USAGE_ITEM = re.compile(r"\s*([^=\s]+)\s*=\s*([0-9]+(?:_[0-9]+)*)\s*")


_SUBSCRIPTION_ID = "sub_cli"

_MAX_DIGITS = len(str(MAX_COUNT))


_CUSTOMER_ID = "cus_cli"


def _usage(items: Sequence[str], catalog: Catalog) -> Usage:
    """Read ``METRIC=COUNT`` items into a usage, refusing metrics the catalog lacks."""
    known = [metric.name for metric in catalog.metrics]
    counts: dict[str, int] = {}
    for item in items:
        match = _USAGE_ITEM.fullmatch(item)
        if match is None:
            message = (
                f"expected METRIC=COUNT with a whole number, such as properties=10, got {item!r}"
            )
            raise bad("--usage", message, item)
        name, digits = match.group(1), match.group(2)
        if len(digits.lstrip("0")) > len(str(MAX_COUNT)):
            raise bad("--usage", f"count must be at most {MAX_COUNT:,}", item)
        count = int(digits)
        if name not in known:
            message = f"unknown metric {name!r}; known metrics: {', '.join(known)}"
            raise bad("--usage", message, item)
        if name in counts:
            raise bad("--usage", f"metric {name!r} given twice", item)
        counts[name] = count
    return Usage.of(counts)


def _count(option: str, text: str) -> int:
    """A whole number of units given on the command line (``--quantity 5``)."""
    digits = text.strip().replace("_", "")
    if not digits.isascii() or not digits.isdigit():
        raise bad(option, f"expected a whole number of units, such as 5, got {text!r}", text)
    if len(digits.lstrip("0")) > _MAX_DIGITS:
        raise bad(option, f"must be at most {MAX_COUNT:,}", text)
    with about(option):
        return check_quantity(int(digits))


def _units_for(option: str, plan: Plan, quantity: int) -> int:
    """``quantity`` if ``plan`` sells it: any count per unit, 1 on a flat plan."""
    with about(option):
        return _plan_quantity(plan, quantity)


def _coupon(percent: str | None, amount: str | None, currency: Currency) -> Coupon | None:
    """The coupon ``--coupon-percent`` or ``--coupon-amount`` describes, off every invoice."""
    if percent is not None and amount is not None:
        raise bad("--coupon-amount", "give --coupon-percent or --coupon-amount, not both", amount)
    if percent is not None:
        with about("--coupon-percent"):
            return Coupon("CLI", percent_off=percent.strip(), duration=CouponDuration.FOREVER)
    if amount is not None:
        with about("--coupon-amount"):
            off = Money.of(amount.strip(), currency)
            return Coupon("CLI", amount_off=off, duration=CouponDuration.FOREVER)
    return None


def _tax(text: str | None) -> CustomerTax | None:
    """The customer's tax from ``--tax-rate NAME:JURISDICTION:PERCENT[:inclusive]``."""
    if text is None:
        return None
    parts = [part.strip() for part in text.split(":")]
    kinds = {"inclusive": True, "exclusive": False}
    if len(parts) not in {3, 4} or (len(parts) == 4 and parts[3] not in kinds):
        message = (
            "expected NAME:JURISDICTION:PERCENT[:inclusive], such as 'VAT 20 %:FR:20' or "
            f"'MwSt. 19 %:DE:19:inclusive', got {text!r}"
        )
        raise bad("--tax-rate", message, text)
    name, jurisdiction, percent = parts[:3]
    with about("--tax-rate"):
        return CustomerTax(
            TaxRate(name, jurisdiction, percent, inclusive=len(parts) == 4 and kinds[parts[3]])
        )


@attrs.frozen
class _Account:
    """An account described on the command line, its subscription processed up to ``at``."""

    catalog: Catalog
    source: str
    policy: BillingPolicy
    time_zone: ZoneInfo
    plan_id: str
    interval: Interval
    quantity: int
    currency: Currency
    since: datetime
    at: datetime
    cancelled_at: datetime | None
    usage: Usage
    subscription: Subscription


def _paid(
    decision: Decision, at: datetime, catalog: Catalog, policy: BillingPolicy
) -> Subscription:
    """The decision's subscription with every invoice it charged paid at ``at``.

    The account described on the command line is in good standing: each
    charge succeeds when it is made.
    """
    sub = decision.subscription
    for effect in decision.effects:
        if isinstance(effect, ChargeInvoice) and sub.open_invoice(effect.invoice.id) is not None:
            key = effect.idempotency_key
            paid = record_payment(sub, key, Succeeded(), at, catalog=catalog, policy=policy)
            match paid:
                case Decision():
                    sub = paid.subscription
                case Refused():
                    pass
                case _:
                    assert_never(paid)
    return sub


def _advance(
    sub: Subscription, until: datetime, catalog: Catalog, policy: BillingPolicy
) -> Subscription:
    """Process ``sub`` up to ``until`` one period end at a time, paying each renewal.

    At most ``MAX_PERIODS_PER_ADVANCE`` periods: a longer span is refused up front.
    """
    periods = (
        sub.cycle.index_containing(until) - sub.period_index if until >= sub.cycle.anchor else 0
    )
    if periods > MAX_PERIODS_PER_ADVANCE:
        message = (
            f"{until.isoformat()} lies {periods:,} periods after the start; "
            f"at most {MAX_PERIODS_PER_ADVANCE:,} are replayed"
        )
        raise bad("--at", message, until.isoformat())
    while sub.processed_until < until:
        step = until
        if sub.status in {Status.ACTIVE, Status.PAST_DUE}:
            step = min(until, sub.current_period.end)
        sub = _paid(advance(sub, step, catalog=catalog, policy=policy), step, catalog, policy)
    return sub


def _account(args: argparse.Namespace) -> _Account:
    """Check the account options, in the order a reader meets them, and build the account."""
    path: str | None = args.catalog
    catalog = _load(path)
    with about("--policy"):
        policy = preset(args.policy)
    with about("--time-zone"):
        tz = zone(args.time_zone)
    with about("--plan"):
        plan = catalog.for_sale(args.plan)
    with about("--interval"):
        interval = Interval.parse(args.interval)
        plan.price(interval)
    quantity = _count("--quantity", args.quantity)
    with about("--currency"):
        currency = plan.currency if args.currency is None else Currency.of(args.currency)
        plan.price(interval, currency)
    _units_for("--quantity", plan, quantity)
    since = read_instant("--since", args.since, tz)
    at = read_instant("--at", args.at, tz)
    if at < since:
        message = f"{at.isoformat()} is before --since {since.isoformat()}"
        raise bad("--at", message, args.at)
    cancelled_at = None
    if args.cancelled_at is not None:
        cancelled_at = read_instant("--cancelled-at", args.cancelled_at, tz)
        if not since <= cancelled_at <= at:
            message = (
                f"{cancelled_at.isoformat()} must lie between --since {since.isoformat()} "
                f"and --at {at.isoformat()}"
            )
            raise bad("--cancelled-at", message, args.cancelled_at)
    usage = _usage(args.usage or (), catalog)
    coupon = _coupon(args.coupon_percent, args.coupon_amount, currency)
    tax = _tax(args.tax_rate)
    # Past validation, what can still go wrong is a period beyond year 9999.
    with about("--since"):
        started = start_subscription(
            _SUBSCRIPTION_ID,
            _CUSTOMER_ID,
            plan.id,
            interval,
            since,
            catalog=catalog,
            time_zone=tz.key,
            trial=False,
            policy=policy,
            quantity=quantity,
            currency=currency,
            coupon=coupon,
            tax=tax,
        )
    if isinstance(started, Refused):  # a coupon that cannot be redeemed
        option = "--coupon-percent" if args.coupon_percent is not None else "--coupon-amount"
        raise bad(option, started.message, args.coupon_percent or args.coupon_amount)
    sub = _paid(started, since, catalog, policy)
    if cancelled_at is not None:
        with about("--cancelled-at"):
            sub = _advance(sub, cancelled_at, catalog, policy)
            cancelled = cancel(sub, cancelled_at, policy=policy)
        match cancelled:
            case Refused():
                raise bad("--cancelled-at", cancelled.message, args.cancelled_at)
            case Decision():
                sub = cancelled.subscription
            case _:
                assert_never(cancelled)
    with about("--at"):
        sub = _advance(sub, at, catalog, policy)
    return _Account(
        catalog,
        _source(path),
        policy,
        tz,
        plan.id,
        interval,
        quantity,
        currency,
        since,
        at,
        cancelled_at,
        usage,
        sub,
    )


def _add_account_options(parser: argparse.ArgumentParser) -> None:
    """The options that describe an account, shared by ``quote`` and ``summary``."""
    account = parser.add_argument_group("the account")
    account.add_argument("--plan", metavar="ID", required=True, help="its current plan")
    account.add_argument(
        "--interval",
        default="monthly",
        help="its billing interval: monthly, yearly, quarterly, '2 weeks', ... (default: monthly)",
    )
    account.add_argument(
        "--quantity",
        metavar="N",
        default="1",
        help="its units (seats) on a plan sold per unit (default: 1, the only choice on a flat plan)",
    )
    account.add_argument(
        "--currency",
        metavar="CODE",
        help="the currency it is billed in, fixed when it starts (default: the plan's first)",
    )
    account.add_argument(
        "--since",
        metavar="DATE",
        required=True,
        help="when the subscription started, without a trial; its billing cycle is anchored there",
    )
    account.add_argument(
        "--at", metavar="DATE", required=True, help="the moment to look at, not before --since"
    )
    account.add_argument(
        "--usage",
        metavar="METRIC=COUNT",
        action="append",
        help="what the account uses, e.g. properties=10; repeat for each metric (default: none)",
    )
    account.add_argument(
        "--cancelled-at",
        metavar="DATE",
        help="when the customer cancelled (service runs to the period end); from --since to --at",
    )
    account.add_argument(
        "--coupon-percent",
        metavar="PERCENT",
        help="a coupon of PERCENT off every invoice from --since, e.g. 20 or 12.5",
    )
    account.add_argument(
        "--coupon-amount",
        metavar="AMOUNT",
        help="a coupon of AMOUNT (in its currency) off every invoice from --since, e.g. 10",
    )
    account.add_argument(
        "--tax-rate",
        metavar="RATE",
        help="the customer's tax from --since, NAME:JURISDICTION:PERCENT[:inclusive], e.g."
        " 'VAT 20 %%:FR:20' (added on top) or"
        " 'MwSt. 19 %%:DE:19:inclusive' (inside the prices)",
    )
    account.add_argument(
        "--time-zone",
        metavar="ZONE",
        default="UTC",
        help="IANA time zone of the billing calendar and of dates without an offset (default: UTC)",
    )
