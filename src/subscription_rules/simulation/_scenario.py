r"""Scenario files: a subscription, timed commands and scripted payment outcomes, in TOML.

:func:`load_scenario` reads a file and :func:`parse_scenario` text into a
:class:`Scenario`, checked key by key; :meth:`Scenario.play` runs it through
:func:`~subscription_rules.simulation.simulate`. The format is described in
docs/cli.md ("The scenario file"). Every mistake raises a
:class:`~subscription_rules.errors.SubscriptionRulesError` whose message starts
with the file's name and the key at fault (``path`` for the file itself).

>>> scenario = parse_scenario('''
... until = "2026-12-15"
... [subscription]
... plan = "personal"
... start = "2026-11-01"
... ''')
>>> print(scenario.play().table())
2026-11-01  start                          trialing   charged USD 0.00
2026-11-12  trial ending                   trialing   charged USD 0.00
2026-11-15  trial converted                active     charged USD 50.00
2026-12-15  renewed                        active     charged USD 50.00
>>> parse_scenario('until = "2026-12-15"\n[subscription]\nplan = "personal"\nstart = 1')
Traceback (most recent call last):
subscription_rules.errors.SubscriptionRulesError: <scenario>: subscription.start: must be a date such as "2026-11-01" or a date-time, got integer 1
"""

from __future__ import annotations

import contextlib
import os
from datetime import date, datetime
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

import attrs

from subscription_rules import _toml as toml
from subscription_rules._checks import expect, shown
from subscription_rules._input import about, bad, localized, read_instant
from subscription_rules.catalog import Catalog, default_catalog
from subscription_rules.catalog._values import _plan_quantity
from subscription_rules.discounts import Coupon, CouponDuration
from subscription_rules.dunning import (
    Declined,
    DeclineKind,
    GatewayError,
    PaymentOutcome,
    Pending,
    Succeeded,
)
from subscription_rules.effects import Decision
from subscription_rules.errors import InvalidArgumentError, SubscriptionRulesError
from subscription_rules.lifecycle import start_subscription
from subscription_rules.money import Currency, Money
from subscription_rules.periods import Interval, require_aware, zone
from subscription_rules.policy import SEED_POLICY, BillingPolicy, preset
from subscription_rules.simulation._script import (
    Cancel,
    CancelPendingChange,
    ChangePlan,
    ChangeQuantity,
    Command,
    GrantCredit,
    RedeemCoupon,
    Reinstate,
    SetUsage,
    Step,
    Suspend,
    Timeline,
    TopUp,
    UndoCancel,
    UpdatePaymentMethod,
    UpdateTax,
    simulate,
)
from subscription_rules.taxes import CustomerTax, TaxRate
from subscription_rules.usage import Usage

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["MAX_SCENARIO_BYTES", "Scenario", "load_scenario", "parse_scenario"]

MAX_SCENARIO_BYTES: Final = 1024 * 1024
"""The largest scenario file accepted, in bytes of UTF-8 (1 MiB)."""

_SCENARIO_KEYS = ("until", "policy", "subscription", "usage", "steps", "outcomes")
_SUBSCRIPTION_KEYS = (
    "id",
    "customer",
    "plan",
    "interval",
    "start",
    "trial",
    "payment_method",
    "time_zone",
    "quantity",
    "currency",
)
_STEP_KEYS: dict[str, tuple[str, ...]] = {
    "change_plan": ("plan", "interval", "usage"),
    "change_quantity": ("quantity", "usage"),
    "cancel": (),
    "undo_cancel": (),
    "suspend": (),
    "reinstate": (),
    "update_payment_method": (),
    "cancel_pending_change": (),
    "set_usage": ("usage",),
    "redeem_coupon": (
        "coupon",
        "percent_off",
        "amount_off",
        "duration",
        "periods",
        "plans",
        "times_redeemed",
    ),
    "top_up": ("amount",),
    "grant_credit": ("amount", "reason", "expires_at"),
    "update_tax": ("name", "jurisdiction", "percent", "inclusive", "tax_id", "reverse_charge"),
}
_SIMPLE_COMMANDS: dict[str, Command] = {
    "cancel": Cancel(),
    "undo_cancel": UndoCancel(),
    "suspend": Suspend(),
    "reinstate": Reinstate(),
    "update_payment_method": UpdatePaymentMethod(),
    "cancel_pending_change": CancelPendingChange(),
}
_OUTCOME_KEYS = ("outcome", "invoice", "code")
_OUTCOMES = ("succeeded", "declined_soft", "declined_hard", "gateway_error")
_MAX_ID = 200
_OUTCOME_TYPES = (Succeeded, Pending, Declined, GatewayError)


@attrs.frozen
class Scenario:
    r"""A scenario file, checked: what :func:`~subscription_rules.simulation.simulate` needs.

    Args:
        name: The file's name (``"<scenario>"`` for text), as errors name it.
        catalog: The catalog its plans come from.
        policy: The billing policy: the file's ``policy``, unless overridden.
        time_zone: The billing time zone; dates without an offset are local there.
        start: The decision that starts the subscription.
        until: When the simulation ends.
        usage: The account's usage until a step changes it.
        steps: The timed commands.
        outcomes: Payment outcomes, in the order of the charges.
        outcomes_by_invoice: Payment outcomes of named invoices.

    >>> scenario = parse_scenario('until = 2026-11-20\n[subscription]\nplan = "pro"\nstart = 2026-11-01')
    >>> scenario.start.subscription.plan_id, scenario.until.isoformat(), scenario.policy.name
    ('pro', '2026-11-20T00:00:00+00:00', 'seed')
    """

    name: str = attrs.field(validator=lambda _s, a, value: expect(value, str, a.name))
    catalog: Catalog = attrs.field(validator=lambda _s, a, value: expect(value, Catalog, a.name))
    policy: BillingPolicy = attrs.field(
        validator=lambda _s, a, value: expect(value, BillingPolicy, a.name)
    )
    time_zone: ZoneInfo = attrs.field(
        validator=lambda _s, a, value: expect(value, ZoneInfo, a.name)
    )
    start: Decision = attrs.field(validator=lambda _s, a, value: expect(value, Decision, a.name))
    until: datetime = attrs.field(validator=lambda _s, _a, value: require_aware(value, "until"))
    usage: Usage = attrs.field(validator=lambda _s, a, value: expect(value, Usage, a.name))
    # the tuples' items are checked by simulate when the scenario is played
    steps: tuple[Step, ...] = attrs.field(
        validator=lambda _s, a, value: expect(value, tuple, a.name)
    )
    outcomes: tuple[PaymentOutcome, ...] = attrs.field(
        validator=lambda _s, a, value: expect(value, tuple, a.name)
    )
    outcomes_by_invoice: tuple[tuple[str, tuple[PaymentOutcome, ...]], ...] = attrs.field(
        validator=lambda _s, a, value: expect(value, tuple, a.name)
    )

    def __attrs_post_init__(self) -> None:
        for step in self.steps:
            expect(step, Step, "steps")
        for outcome in self.outcomes:
            expect(outcome, _OUTCOME_TYPES, "outcomes")
        pairs: tuple[object, ...] = self.outcomes_by_invoice  # checked at run time
        for pair in pairs:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise InvalidArgumentError(
                    f"expected (invoice id, outcomes) pairs, got {shown(pair)}",
                    argument="outcomes_by_invoice",
                    value=pair,
                )
            invoice, outcomes = pair
            expect(invoice, str, "outcomes_by_invoice")
            expect(outcomes, tuple, "outcomes_by_invoice")
            for outcome in outcomes:
                expect(outcome, _OUTCOME_TYPES, "outcomes_by_invoice")

    def play(self) -> Timeline:
        r"""Run the scenario offline: :func:`~subscription_rules.simulation.simulate` on its values.

        >>> parse_scenario('until = 2026-11-01\n[subscription]\nplan = "pro"\nstart = 2026-11-01').play().charged
        Money.of('0.00', 'USD')
        """
        return simulate(
            self.start,
            self.steps,
            self.until,
            catalog=self.catalog,
            outcomes=self.outcomes,
            outcomes_by_invoice=dict(self.outcomes_by_invoice),
            policy=self.policy,
            usage=self.usage,
        )


class _Reader:
    """Checks a scenario document key by key; each error names the file and the key."""

    def __init__(self, name: str, catalog: Catalog) -> None:
        self.name = name
        self.catalog = catalog
        self.time_zone = zone("UTC")
        self.currency: Currency | None = None

    def error(self, key: str, message: str, value: object = None) -> SubscriptionRulesError:
        return bad(f"{self.name}: {key}", message, value)

    def about(self, key: str) -> contextlib.AbstractContextManager[None]:
        """Report a library error raised inside the block as an error about ``key``."""
        return about(f"{self.name}: {key}")

    def keys(self, table: dict[str, object], allowed: Sequence[str], where: str) -> None:
        toml.refuse_unknown(table, allowed, where=f"{where}." if where else "", fail=self.error)

    def table(self, value: object, key: str) -> dict[str, object]:
        return toml.table(value, key, self.error)

    def tables(self, value: object, key: str) -> list[dict[str, object]]:
        items = toml.tables(value, key, self.error)
        return [self.table(item, f"{key}[{index}]") for index, item in enumerate(items)]

    def required(self, table: dict[str, object], key: str, where: str) -> object:
        return toml.required(table, key, where=f"{where}." if where else "", fail=self.error)

    def text(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value or len(value) > _MAX_ID:
            message = f"must be a non-empty string of at most {_MAX_ID} characters"
            raise self.error(key, f"{message}, got {toml.toml_type(value)}", value)
        return value

    def flag(self, value: object, key: str) -> bool:
        return toml.boolean(value, key, self.error)

    def instant(self, value: object, key: str) -> datetime:
        """A TOML date, date-time or ISO 8601 string; without an offset, local time."""
        argument = f"{self.name}: {key}"
        if isinstance(value, datetime):
            return localized(argument, value, self.time_zone, value.isoformat())
        if isinstance(value, date):
            midnight = datetime(value.year, value.month, value.day)  # noqa: DTZ001 - localized next
            return localized(argument, midnight, self.time_zone, value.isoformat())
        if isinstance(value, str):
            return read_instant(argument, value, self.time_zone)
        message = 'must be a date such as "2026-11-01" or a date-time'
        raise self.error(key, f"{message}, got {toml.toml_type(value)}", value)

    def usage(self, value: object, key: str) -> Usage:
        counts: dict[str, int] = {}
        known = [metric.name for metric in self.catalog.metrics]
        for name, raw in self.table(value, key).items():
            if name not in known:
                message = f"unknown metric; known metrics: {', '.join(known)}"
                raise self.error(f"{key}.{name}", message, name)
            count = toml.integer(raw, f"{key}.{name}", self.error)
            with self.about(f"{key}.{name}"):
                Usage.of({name: count})
            counts[name] = count
        return Usage.of(counts)

    def interval(self, value: object, key: str) -> Interval:
        with self.about(key):
            return Interval.parse(self.text(value, key))

    def policy(self, document: dict[str, object], override: BillingPolicy | None) -> BillingPolicy:
        named = None
        if "policy" in document:
            name = self.text(document["policy"], "policy")
            with self.about("policy"):
                named = preset(name)
        return override or named or SEED_POLICY

    def subscription(self, document: dict[str, object], policy: BillingPolicy) -> Decision:
        raw = self.table(self.required(document, "subscription", ""), "subscription")
        self.keys(raw, _SUBSCRIPTION_KEYS, "subscription")
        if "time_zone" in raw:
            name = self.text(raw["time_zone"], "subscription.time_zone")
            with self.about("subscription.time_zone"):
                self.time_zone = zone(name)
        plan_id = self.text(self.required(raw, "plan", "subscription"), "subscription.plan")
        with self.about("subscription.plan"):
            plan = self.catalog.plan(plan_id)
        interval = self.interval(raw.get("interval", "monthly"), "subscription.interval")
        with self.about("subscription.interval"):
            plan.price(interval)
        currency = plan.currency
        if "currency" in raw:
            code = self.text(raw["currency"], "subscription.currency")
            with self.about("subscription.currency"):
                currency = Currency.of(code)
                plan.price(interval, currency)
        quantity = toml.integer(raw.get("quantity", 1), "subscription.quantity", self.error)
        with self.about("subscription.quantity"):
            _plan_quantity(plan, quantity)
        start = self.instant(self.required(raw, "start", "subscription"), "subscription.start")
        subscription_id = self.text(raw.get("id", "sub_1"), "subscription.id")
        customer_id = self.text(raw.get("customer", "cus_1"), "subscription.customer")
        trial = self.flag(raw.get("trial", True), "subscription.trial")
        payment_method = self.flag(raw.get("payment_method", True), "subscription.payment_method")
        self.currency = currency
        with self.about("subscription.start"):  # its first period may lie beyond year 9999
            return start_subscription(
                subscription_id,
                customer_id,
                plan.id,
                interval,
                start,
                catalog=self.catalog,
                time_zone=self.time_zone.key,
                has_payment_method=payment_method,
                trial=trial,
                policy=policy,
                quantity=quantity,
                currency=currency,
            )

    def update_tax(self, raw: dict[str, object], key: str) -> UpdateTax:
        """An ``update_tax`` step: a rate (name, jurisdiction, percent as a string), or none."""
        if "percent" not in raw:
            return UpdateTax(None)
        name = self.text(self.required(raw, "name", key), f"{key}.name")
        jurisdiction = self.text(self.required(raw, "jurisdiction", key), f"{key}.jurisdiction")
        percent = self.text(raw["percent"], f"{key}.percent")
        inclusive = self.flag(raw.get("inclusive", False), f"{key}.inclusive")
        tax_id = self.text(raw["tax_id"], f"{key}.tax_id") if "tax_id" in raw else None
        reverse = self.flag(raw.get("reverse_charge", False), f"{key}.reverse_charge")
        with self.about(key):
            rate = TaxRate(name, jurisdiction, percent, inclusive=inclusive)
            return UpdateTax(CustomerTax(rate, tax_id=tax_id, reverse_charge=reverse))

    def special(self, name: str, raw: dict[str, object], key: str) -> Command | None:
        """The step ``name`` if it takes keys of its own besides ``change_plan``'s, else ``None``."""
        if name == "set_usage":
            return SetUsage(self.usage(self.required(raw, "usage", key), f"{key}.usage"))
        if name == "change_quantity":
            quantity = toml.integer(
                self.required(raw, "quantity", key), f"{key}.quantity", self.error
            )
            usage = self.usage(raw["usage"], f"{key}.usage") if "usage" in raw else None
            with self.about(f"{key}.quantity"):
                return ChangeQuantity(quantity, usage)
        if name == "redeem_coupon":
            return self.redeem(raw, key)
        if name == "update_tax":
            return self.update_tax(raw, key)
        if name in {"top_up", "grant_credit"}:
            return self.credit_command(name, raw, key)
        return None

    def command(self, raw: dict[str, object], key: str) -> Command:
        name = raw["command"]
        if not isinstance(name, str) or name not in _STEP_KEYS:
            message = f"unknown command {shown(name)}; known: {', '.join(_STEP_KEYS)}"
            raise self.error(f"{key}.command", message, name)
        allowed = ("at", "command", *_STEP_KEYS[name])
        for extra in raw:
            if extra not in allowed:
                message = f"unknown key for command {name!r}; allowed keys: {', '.join(allowed)}"
                raise self.error(f"{key}.{extra}", message, extra)
        special = self.special(name, raw, key)
        if special is not None:
            return special
        if name != "change_plan":
            return _SIMPLE_COMMANDS[name]
        plan_id = self.text(self.required(raw, "plan", key), f"{key}.plan")
        with self.about(f"{key}.plan"):
            plan = self.catalog.plan(plan_id)
        interval = None
        if "interval" in raw:
            interval = self.interval(raw["interval"], f"{key}.interval")
            with self.about(f"{key}.interval"):
                plan.price(interval)
        usage = self.usage(raw["usage"], f"{key}.usage") if "usage" in raw else None
        return ChangePlan(plan.id, interval, usage)

    def redeem(self, raw: dict[str, object], key: str) -> RedeemCoupon:
        """A ``redeem_coupon`` step: the coupon's terms, an amount off in the subscription's currency."""
        coupon_id = self.text(self.required(raw, "coupon", key), f"{key}.coupon")
        terms: dict[str, object] = {}
        if "percent_off" in raw:
            terms["percent_off"] = raw["percent_off"]
        if "amount_off" in raw:
            amount = self.text(raw["amount_off"], f"{key}.amount_off")
            with self.about(f"{key}.amount_off"):
                terms["amount_off"] = Money.of(amount, self.currency or "USD")
        if "duration" in raw:
            duration = self.text(raw["duration"], f"{key}.duration")
            known = [member.value for member in CouponDuration]
            if duration not in known:
                message = f"unknown duration {duration!r}; known: {', '.join(known)}"
                raise self.error(f"{key}.duration", message, duration)
            terms["duration"] = CouponDuration(duration)
        if "periods" in raw:
            terms["periods"] = toml.integer(raw["periods"], f"{key}.periods", self.error)
        if "plans" in raw:
            plans = raw["plans"]
            if not isinstance(plans, list):
                message = f"must be a list of plan ids, got {toml.toml_type(plans)}"
                raise self.error(f"{key}.plans", message, plans)
            terms["plans"] = tuple(
                self.text(plan, f"{key}.plans[{index}]") for index, plan in enumerate(plans)
            )
        times = toml.integer(raw.get("times_redeemed", 0), f"{key}.times_redeemed", self.error)
        try:
            coupon = Coupon(coupon_id, **terms)  # type: ignore[arg-type]
        except SubscriptionRulesError as err:  # named by the step's key of the term at fault
            where = f"{key}.{err.argument}" if err.argument in raw else key
            with self.about(where):
                raise
        with self.about(f"{key}.times_redeemed"):
            return RedeemCoupon(coupon, times_redeemed=times)

    def credit_command(self, name: str, raw: dict[str, object], key: str) -> Command:
        """A ``top_up`` or ``grant_credit`` step: an amount in the subscription's currency."""
        amount = self.text(self.required(raw, "amount", key), f"{key}.amount")
        with self.about(f"{key}.amount"):
            money = Money.of(amount, self.currency or "USD")
            if name == "top_up":
                return TopUp(money)
        reason = self.text(self.required(raw, "reason", key), f"{key}.reason")
        expires_at = None
        if "expires_at" in raw:
            expires_at = self.instant(raw["expires_at"], f"{key}.expires_at")
        with self.about(f"{key}.amount"):
            return GrantCredit(money, reason=reason, expires_at=expires_at)

    def steps(self, document: dict[str, object], start: datetime, until: datetime) -> list[Step]:
        steps: list[Step] = []
        for index, raw in enumerate(self.tables(document.get("steps", []), "steps")):
            key = f"steps[{index}]"
            at = self.instant(self.required(raw, "at", key), f"{key}.at")
            self.required(raw, "command", key)
            command = self.command(raw, key)
            if at < start:
                message = f"{at.isoformat()} is before subscription.start {start.isoformat()}"
                raise self.error(f"{key}.at", message, at)
            if at > until:
                raise self.error(
                    f"{key}.at", f"{at.isoformat()} is after until {until.isoformat()}"
                )
            steps.append(Step(at, command))
        return steps

    def outcome(self, raw: dict[str, object], key: str) -> PaymentOutcome:
        name = raw["outcome"]
        if not isinstance(name, str) or name not in _OUTCOMES:
            message = f"unknown outcome {shown(name)}; known: {', '.join(_OUTCOMES)}"
            raise self.error(f"{key}.outcome", message, name)
        code = ""
        if "code" in raw:
            if not name.startswith("declined"):
                message = f"only a declined outcome has a decline code, not {name!r}"
                raise self.error(f"{key}.code", message, raw["code"])
            code = self.text(raw["code"], f"{key}.code")
        if name == "succeeded":
            return Succeeded()
        if name == "gateway_error":
            return GatewayError("scripted")
        return Declined(DeclineKind.SOFT if name == "declined_soft" else DeclineKind.HARD, code)

    def outcomes(
        self, document: dict[str, object], subscription_id: str
    ) -> tuple[list[PaymentOutcome], dict[str, list[PaymentOutcome]]]:
        """The outcomes in order of charges, and the outcomes of named invoices."""
        in_order: list[PaymentOutcome] = []
        by_invoice: dict[str, list[PaymentOutcome]] = {}
        prefix = f"{subscription_id}-INV-"
        for index, raw in enumerate(self.tables(document.get("outcomes", []), "outcomes")):
            key = f"outcomes[{index}]"
            self.keys(raw, _OUTCOME_KEYS, key)
            self.required(raw, "outcome", key)
            outcome = self.outcome(raw, key)
            if "invoice" not in raw:
                in_order.append(outcome)
                continue
            invoice = self.text(raw["invoice"], f"{key}.invoice")
            if not (invoice.startswith(prefix) and invoice[len(prefix) :].isdigit()):
                message = (
                    f"expected an invoice id of subscription {subscription_id!r}, "
                    f"such as '{prefix}0002', got {invoice!r}"
                )
                raise self.error(f"{key}.invoice", message, invoice)
            by_invoice.setdefault(invoice, []).append(outcome)
        return in_order, by_invoice


def _check_options(catalog: object, policy: object) -> Catalog:
    if catalog is not None and not isinstance(catalog, Catalog):
        raise InvalidArgumentError(
            f"expected a Catalog or None, got {type(catalog).__name__} {shown(catalog)}",
            argument="catalog",
            value=catalog,
        )
    if policy is not None and not isinstance(policy, BillingPolicy):
        raise InvalidArgumentError(
            f"expected a BillingPolicy or None, got {type(policy).__name__} {shown(policy)}",
            argument="policy",
            value=policy,
        )
    return default_catalog() if catalog is None else catalog


def parse_scenario(
    text: str,
    *,
    name: str = "<scenario>",
    catalog: Catalog | None = None,
    policy: BillingPolicy | None = None,
) -> Scenario:
    """Parse and check a scenario from TOML text, in the order a reader meets its keys.

    Args:
        text: The TOML document, at most :data:`MAX_SCENARIO_BYTES` of UTF-8.
        name: What errors call the document (a file name).
        catalog: The catalog its plans come from (default: the built-in example).
        policy: A policy overriding the document's ``policy`` key.

    Returns:
        The scenario.

    Raises:
        SubscriptionRulesError: For any mistake, naming ``name`` and the key.
        InvalidArgumentError: If ``text``, ``catalog`` or ``policy`` is of the wrong type.
    """
    if not isinstance(text, str):
        raise InvalidArgumentError(
            f"expected the TOML text as a str, got {type(text).__name__}",
            argument="text",
            value=text,
        )
    if not isinstance(name, str):
        raise InvalidArgumentError(
            f"expected the scenario's name as a str, got {type(name).__name__}",
            argument="name",
            value=name,
        )
    checked = _check_options(catalog, policy)

    def fail(message: str, value: object) -> SubscriptionRulesError:
        return bad(name, message, value)

    document = toml.parse_document(text, limit=MAX_SCENARIO_BYTES, what="scenario", fail=fail)
    reader = _Reader(name, checked)
    reader.keys(document, _SCENARIO_KEYS, "")
    chosen = reader.policy(document, policy)
    start = reader.subscription(document, chosen)
    first = start.subscription
    until = reader.instant(reader.required(document, "until", ""), "until")
    if until < first.started_at:
        message = f"{until.isoformat()} is before subscription.start {first.started_at.isoformat()}"
        raise reader.error("until", message, until)
    usage = reader.usage(document["usage"], "usage") if "usage" in document else Usage()
    steps = reader.steps(document, first.started_at, until)
    in_order, by_invoice = reader.outcomes(document, first.id)
    return Scenario(
        name,
        checked,
        chosen,
        reader.time_zone,
        start,
        until,
        usage,
        tuple(steps),
        tuple(in_order),
        tuple((invoice, tuple(outcomes)) for invoice, outcomes in by_invoice.items()),
    )


def _path_fail(message: str, value: object) -> SubscriptionRulesError:
    return bad("path", message, value)


def load_scenario(
    path: str | os.PathLike[str],
    *,
    catalog: Catalog | None = None,
    policy: BillingPolicy | None = None,
) -> Scenario:
    """Read and check a scenario file (UTF-8 TOML); see :func:`parse_scenario`.

    Args:
        path: The file to read. Files over :data:`MAX_SCENARIO_BYTES` are refused
            without being read in full.
        catalog: The catalog its plans come from (default: the built-in example).
        policy: A policy overriding the file's ``policy`` key.

    Returns:
        The scenario; errors in it name the file and the key.

    Raises:
        SubscriptionRulesError: If the file is missing, unreadable, too large or
            not UTF-8 (``argument="path"``), or holds a malformed scenario.
        InvalidArgumentError: If ``path`` is not a ``str`` or a path-like object.

    >>> scenario = load_scenario("docs/examples/scenario.toml")
    >>> scenario.name, scenario.start.subscription.plan_id, len(scenario.steps)
    ('docs/examples/scenario.toml', 'personal', 7)
    >>> load_scenario("no/such/scenario.toml")
    Traceback (most recent call last):
    subscription_rules.errors.SubscriptionRulesError: path: cannot read scenario file 'no/such/scenario.toml': No such file or directory
    """
    name = toml.file_name(path)
    text = toml.read_text(name, limit=MAX_SCENARIO_BYTES, what="scenario", fail=_path_fail)
    return parse_scenario(text, name=name, catalog=catalog, policy=policy)
