"""Every public function and constructor, given an argument of the wrong type or shape.

For each public function and each constructor of a value a host builds, one
argument at a time is replaced by a value drawn from a "wrong type or wrong
shape" strategy (``None``, a bool for an int, a float, text, bytes, naive and
extreme datetimes, containers holding the wrong things, values of the
library's other types), keeping only values that do not fit the parameter's
annotation. The other arguments are valid. The call must then either return a
documented refusal value (``Refused``, ``Infeasible``) or raise a
:class:`SubscriptionRulesError` whose ``argument`` is one of the function's
parameters (or a key inside one: ``limits.properties``, ``plans[0] ('a').id``)
- never any other exception, never a silent acceptance, and within a bounded
number of steps (function calls, counted by a trace hook, so a hang fails
instead of hanging).

The values the rules build and return (``Decision``, ``Invoice``,
``ChangeQuote``, ``BillingSummary``, ...) are listed in ``RESULTS``: a host
reads them, it does not construct them, so they are not checked field by
field. Every public name is either a target here or in ``RESULTS``, so a new
public function cannot slip past this test.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import enum
import importlib
import inspect
import os
import re
import sys
import types
import typing
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import subscription_rules
from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    YEARLY,
    BillingPeriod,
    Currency,
    IntervalUnit,
    Money,
    Price,
    RoundingMode,
    SubscriptionRulesError,
    Usage,
    default_catalog,
    start_subscription,
)
from subscription_rules._checks import shown as _shown
from subscription_rules.dunning import THREE_RETRIES, OverdueLadder, OverdueState, UnpaidInvoice
from subscription_rules.effects import Refused
from subscription_rules.errors import CatalogError
from subscription_rules.invoices import LineKind
from subscription_rules.notifications import BILLING, Notice, NoticeKind, Preferences
from subscription_rules.simulation import Cancel, Step
from subscription_rules.usage import Infeasible

MODULES = (
    "billing_run",
    "catalog",
    "commands",
    "credits",
    "dunning",
    "effects",
    "invoices",
    "lifecycle",
    "money",
    "notifications",
    "periods",
    "policy",
    "proration",
    "rulebook",
    "simulation",
    "subscription",
    "summary",
    "usage",
)

#: Values the rules build and hand back; a host does not construct them.
RESULTS = frozenset(
    {
        "BillingSummary",
        "ChangeQuote",
        "ChargeInvoice",
        "CreditNote",
        "Decision",
        "EndAccess",
        "Explanation",
        "Feasible",
        "Handled",
        "Infeasible",
        "Invoice",
        "IssueCreditNote",
        "Line",
        "MetricUsage",
        "OpenInvoice",
        "OverdueStatus",
        "OutstandingAttempt",
        "Payment",
        "PendingChange",
        "RefundPayment",
        "Refused",
        "RequiredAction",
        "RestoreAccess",
        "SendNotice",
        "Stretch",
        "Subscription",
        "SuspendAccess",
        "Timeline",
        "TimelineEntry",
        "UsageReport",
        "Billed",
        "BillingProgress",
        "Failed",
        # Building blocks of the rules' own lines, exported for hosts' adapters.
        "prorated_line",
        "sum_lines",
    }
)

#: Constructors whose errors speak of the value they build, as catalogs write it.
ALIASES: dict[str, frozenset[str]] = {
    "Limits": frozenset({"limits"}),
    "CatalogVersion": frozenset({"version"}),
}

#: Alternative constructors: the class methods a host builds values with.
CLASS_CONSTRUCTORS = ("of", "parse", "from_minor", "zero", "from_gaps")

#: Validators that name the argument their caller gives them in ``argument`` (the library's
#: own vocabulary: that parameter is the name to report, not a value to check).
NAMING_VALIDATORS = frozenset({"require_aware", "utc_instant", "check_quantity"})

#: Function calls one call may make before it counts as unbounded.
MAX_CALLS = 300_000

CATALOG = default_catalog()
NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)
NOV_10 = datetime(2026, 11, 10, tzinfo=UTC)
DEC_1 = datetime(2026, 12, 1, tzinfo=UTC)
START = start_subscription(
    "sub_1", "cus_1", "personal", MONTHLY, NOV_1, catalog=CATALOG, trial=False, policy=SEED_POLICY
)
SUB = START.subscription
USD = Currency.of("USD")
ONE = Money.of("1.00", "USD")
PLAN = CATALOG.plan("personal")
NOTICE = Notice(NoticeKind.RENEWED, "s", "c", NOV_1, (), "p1")
STATE = OverdueState("warning", days=7)

# --------------------------------------------------------------------------- the targets


@dataclass(frozen=True)
class Target:
    """One public function or constructor: its name, the callable and its parameters."""

    name: str
    call: Callable[..., object]
    parameters: tuple[inspect.Parameter, ...]
    hints: dict[str, Any]


_NAMESPACE: dict[str, Any] = {
    **vars(typing),
    **vars(collections.abc),
    **vars(dt),
    "Decimal": Decimal,
    "ZoneInfo": zoneinfo.ZoneInfo,
    "os": os,
    "Path": Path,
}


def _hints(function: Callable[..., object], module: types.ModuleType) -> dict[str, Any]:
    """The parameter annotations of ``function``, resolved (``TYPE_CHECKING`` names too)."""
    names = dict(_NAMESPACE)
    for name in MODULES:
        names.update(vars(importlib.import_module(f"subscription_rules.{name}")))
    names.update(vars(module))
    raw = getattr(function, "__annotations__", {})
    return {
        key: eval(value, names) if isinstance(value, str) else value  # noqa: S307 - our own annotations
        for key, value in raw.items()
        if key != "return"
    }


def _class_hints(cls: type, module: types.ModuleType) -> dict[str, Any]:
    """What a constructor accepts: its ``__init__``'s annotations (a converter's argument)."""
    hints = _hints(typing.cast("Any", cls).__init__, module)
    fields = _hints(cls, module)
    for field in attrs.fields(cls):
        if field.init and hints.get(field.alias) is object and field.name in fields:
            hints[field.alias] = fields[field.name]  # a converter that checks any object
    return hints


def _targets() -> list[Target]:
    found: dict[str, Target] = {}
    for module_name in MODULES:
        module = importlib.import_module(f"subscription_rules.{module_name}")
        for name in module.__all__:
            value = getattr(module, name)
            if name in RESULTS:
                continue
            if inspect.isfunction(value):
                parameters = tuple(inspect.signature(value).parameters.values())
                found[name] = Target(name, value, parameters, _hints(value, module))
            elif (
                inspect.isclass(value)
                and attrs.has(value)
                and not issubclass(value, BaseException | enum.Enum)
            ):
                parameters = tuple(inspect.signature(value).parameters.values())
                found[name] = Target(name, value, parameters, _class_hints(value, module))
                for method in CLASS_CONSTRUCTORS:
                    if isinstance(inspect.getattr_static(value, method, None), classmethod):
                        bound = getattr(value, method)
                        found[f"{name}.{method}"] = Target(
                            f"{name}.{method}",
                            bound,
                            tuple(inspect.signature(bound).parameters.values()),
                            _hints(bound.__func__, module),
                        )
    return [found[name] for name in sorted(found)]


TARGETS = _targets()

# --------------------------------------------------------------------------- valid arguments

VAT = subscription_rules.TaxRate("VAT 20 %", "FR", "20")

#: A valid value for a parameter, by the target's name and the parameter's, then by name alone.
VALID: dict[str, object] = {
    # by target and parameter
    "Catalog.plans": (PLAN,),
    "Currency.code": "USD",
    "Currency.of.currency": "usd",
    "Money.from_minor.minor": 150,
    "overage_lines.plan": PLAN,
    "overage_lines.start": NOV_1,
    "overage_lines.end": DEC_1,
    "overage_lines.rounding": RoundingMode.HALF_UP,
    "Currency.exponent": 2,
    "Money.minor": 100,
    "Money.currency": USD,
    "Metric.name": "seats",
    "Metric.kind": subscription_rules.MetricKind.STOCK,
    "Overage.metric": "billable_sessions",
    "Overage.of.metric": "billable_sessions",
    "Overage.of.price": "1.00",
    "Overage.unit_price": ONE,
    "Plan.id": "solo",
    "PackagePrice.package_amount": ONE,
    "PackagePrice.size": 5,
    "Tier.up_to": None,
    "Tier.unit_amount": ONE,
    "TierTable.mode": subscription_rules.TierMode.GRADUATED,
    "TierTable.tiers": (subscription_rules.Tier(None, ONE),),
    "Plan.prices": (Price(ONE, MONTHLY),),
    "BillingPeriod.start": NOV_1,
    "BillingPeriod.end": DEC_1,
    "BillingPeriod.index": 0,
    "BillingCycle.anchor": NOV_1,
    "Interval.unit": IntervalUnit.MONTH,
    "Interval.parse.interval": "monthly",
    "Limits.pairs": (("properties", 3),),
    "Limits.of.limits": {"properties": 3},
    "Usage.counts": (("properties", 1),),
    "Usage.of.counts": {"properties": 1},
    "Price.amount": ONE,
    "Price.of.amount": "1.00",
    "Declined.kind": subscription_rules.dunning.DeclineKind.SOFT,
    "OverdueLadder.states": (STATE,),
    "OverdueState.name": "warning",
    "OverdueState.days": 7,
    "RetrySchedule.name": "r",
    "RetrySchedule.offsets": (timedelta(days=1),),
    "RetrySchedule.from_gaps.name": "r",
    "RetrySchedule.from_gaps.days": (1, 2),
    "UnpaidInvoice.issued_at": NOV_1,
    "UnpaidInvoice.amount": ONE,
    "overdue_state.unpaid": (UnpaidInvoice(NOV_1, ONE),),
    "overdue_state.ladder": OverdueLadder((STATE,)),
    "Notice.kind": NoticeKind.RENEWED,
    "Notice.facts": (),
    "Notice.occasion": "p1",
    "Category.name": "news",
    "ChangePlan.plan_id": "advanced",
    "SetUsage.usage": Usage(),
    "Step.at": NOV_10,
    "Step.command": Cancel(),
    "simulate.start": SUB,
    "simulate.script": (Step(NOV_10, Cancel()),),
    "simulate.until": DEC_1,
    "start_subscription.at": NOV_1,
    "record_payment.attempt": "sub_1:charge:sub_1-INV-0001:due-5000:attempt-1",
    "record_payment.outcome": subscription_rules.dunning.Succeeded(),
    "quote_change.plan_id": "advanced",
    "change_plan.plan_id": "advanced",
    "change_quantity.quantity": 1,  # the example plan is flat: 1 is its only quantity
    "ChangeQuantity.quantity": 3,
    "set_trial_end.trial_end": DEC_1,
    "adjust.invoice_id": "sub_1-INV-0001",
    "adjust.amount": ONE,
    "adjust.reason": "goodwill",
    "Adjust.invoice_id": "sub_1-INV-0001",
    "Adjust.amount": ONE,
    "Adjust.reason": "goodwill",
    "CreditGrant.id": "sub_1-CN-0002",
    "CreditGrant.left": ONE,
    "CreditGrant.expires_at": DEC_1,
    "top_up.amount": ONE,
    "TopUp.amount": ONE,
    "grant_credit.amount": ONE,
    "grant_credit.reason": "goodwill",
    "GrantCredit.amount": ONE,
    "GrantCredit.reason": "goodwill",
    "InvoiceSequence.prefix": "ACME-2026-",
    "InvoiceSequence.next_number": 1,
    "number_documents.effects_or_decision": START,
    "number_documents.sequence": subscription_rules.InvoiceSequence("ACME-", 1),
    "RecordPayment.attempt": "sub_1:charge:sub_1-INV-0001:due-5000:attempt-1",
    "RecordPayment.outcome": subscription_rules.dunning.Succeeded(),
    "SetTrialEnd.trial_end": DEC_1,
    "classify_move.current_plan": PLAN,
    "CatalogVersion.name": "v1",
    "CatalogVersion.effective_at": NOV_1,
    "check_new_version.current": attrs.evolve(
        CATALOG, version=subscription_rules.CatalogVersion("v1", NOV_1)
    ),
    "check_new_version.new": attrs.evolve(
        CATALOG, version=subscription_rules.CatalogVersion("v2", DEC_1)
    ),
    "check_quantity.quantity": 3,
    "PriceMigration.quantity": 1,
    "PriceMigration.old_amount": ONE,
    "PriceMigration.new_amount": ONE * 2,
    "PriceMigration.effective_at": DEC_1,
    "PriceMigration.notice_by": NOV_1,
    "price_migrations.subscriptions": (SUB,),
    "classify_move.target_plan": CATALOG.plan("pro"),
    "check_downgrade.plan": PLAN,
    "usage_report.plan": PLAN,
    "days_between.start": NOV_1,
    "days_between.end": DEC_1,
    "seconds_between.start": NOV_1,
    "seconds_between.end": DEC_1,
    "divide.numerator": 7,
    "divide.denominator": 2,
    "allocate.weights": (1, 1),
    "apply_credit.balance": ONE,
    "apply_credit.subtotal": ONE * 3,
    "format_date.at": NOV_1,
    "load_catalog.path": "no/such/catalog.toml",
    "load_scenario.path": "docs/examples/scenario.toml",
    "parse_scenario.text": 'until = 2026-12-01\n[subscription]\nplan = "personal"\nstart = 2026-11-01',
    "Scenario.time_zone": zoneinfo.ZoneInfo("UTC"),
    "Scenario.start": START,
    "Scenario.steps": (),
    "Scenario.outcomes": (),
    "Scenario.outcomes_by_invoice": (),
    "parse_catalog.text": 'currency = "USD"\n[[plans]]\nid = "a"\nname = "A"\nprices = {monthly = 1}',
    "preset.policy": "seed",
    "require_aware.value": NOV_1,
    "utc_instant.value": NOV_1,
    "require_aware.argument": "at",
    "utc_instant.argument": "at",
    "zone.time_zone": "Europe/Paris",
    "Coupon.id": "LAUNCH20",
    "Coupon.percent_off": 20,
    "RedeemCoupon.coupon": subscription_rules.Coupon("LAUNCH20", percent_off=20),
    "redeem_coupon.coupon": subscription_rules.Coupon("LAUNCH20", percent_off=20),
    "redeem_coupon.times_redeemed": 0,
    "Discount.coupon": subscription_rules.Coupon("LAUNCH20", percent_off=20),
    "Discount.start": NOV_1,
    "Discount.end": DEC_1,
    "TaxRate.jurisdiction": "FR",
    "TaxRate.percent": "20",
    "CustomerTax.rate": VAT,
    "LineTax.rate": VAT,
    "LineTax.taxable": ONE,
    "LineTax.amount": ONE,
    "TaxSummary.rate": VAT,
    "TaxSummary.taxable": ONE,
    "TaxSummary.amount": ONE,
    "update_tax.tax": subscription_rules.CustomerTax(VAT),
    "UpdateTax.tax": subscription_rules.CustomerTax(VAT),
    "bill_partition.documents": (),
    "run_billing.partitions": ((),),
    "run_billing.total": 10,
    "batches.documents": (),
    "batches.size": 2,
    "partition_of.partitions": 4,
    "load_entry.document": {
        "key": "k",
        "subscription_id": "s",
        "customer_id": "c",
        "effect": {"schema_version": 2, "type": "restore_access"},
    },
    # by parameter alone
    "subscription": SUB,
    "catalog": CATALOG,
    "policy": SEED_POLICY,
    "at": NOV_10,
    "until": DEC_1,
    "interval": MONTHLY,
    "current_interval": MONTHLY,
    "target_interval": YEARLY,
    "plan_id": "personal",
    "subscription_id": "s",
    "customer_id": "c",
    "usage": Usage.of(properties=1),
    "price": Price(ONE, MONTHLY),
    "currency": "USD",
    "amount": "1.00",
    "total": ONE,
    "mode": RoundingMode.HALF_UP,
    "notice": NOTICE,
    "preferences": Preferences(),
    "name": "x",
    "singular": "seat",
    "plural": "seats",
    "verb": "remove",
}


def valid(target: Target, parameter: inspect.Parameter) -> object:
    """A valid value for ``parameter`` of ``target``: its default, or one from ``VALID``."""
    for key in (f"{target.name}.{parameter.name}", parameter.name):
        if key in VALID:
            return VALID[key]
    if parameter.default is not inspect.Parameter.empty:
        return parameter.default
    pytest.fail(f"no valid value for {target.name}({parameter.name}=...): add one to VALID")


# --------------------------------------------------------------------------- wrong values


class _Odd:
    """An object of no type the library knows, whose repr works."""

    def __repr__(self) -> str:
        return "<odd>"


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.sampled_from([0, -1]),
    st.just(5000).map(lambda digits: 10**digits + 1),  # too long to print
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(["", " ", "\u017fek", "localtime", "1__0", "monthly", "USD", "personal"]),
    st.binary(max_size=4),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.datetimes(  # naive on purpose
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001
        max_value=datetime(2027, 1, 1),  # noqa: DTZ001
    ),
    st.sampled_from(
        [
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
            datetime(9999, 12, 31, 23, tzinfo=UTC),
            date(2026, 11, 10),
            timedelta(days=-1),
            timedelta(0),
        ]
    ),
    st.sampled_from(
        [
            ONE,
            USD,
            MONTHLY,
            PLAN,
            CATALOG,
            SUB,
            Usage.of(properties=1),
            SEED_POLICY,
            BillingPeriod(NOV_1, DEC_1, 0),
            NOTICE,
            BILLING,
            THREE_RETRIES,
            LineKind.OVERAGE,
            RoundingMode.DOWN,
            IntervalUnit.DAY,
            Cancel(),
            Refused(subscription_rules.RefusalReason.NO_CHANGE, "x"),
        ]
    ),
    st.builds(_Odd),
)
WRONG: st.SearchStrategy[object] = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.frozensets(st.sampled_from(["a", 1, None]), max_size=2),
        st.dictionaries(st.sampled_from(["properties", "seats", "", 1]), inner, max_size=2),
        st.tuples(st.sampled_from(["properties", "seats"]), inner),
    ),
    max_leaves=6,
)


def conforms(value: object, hint: Any) -> bool:  # noqa: C901, PLR0911, PLR0912 - one branch per form
    """Whether ``value`` fits the annotation ``hint`` (a bool is not an int here)."""
    if hint is Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arg) for arg in args)
    if origin is typing.Literal:
        return value in args
    if hint is int:
        return type(value) is int
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:  # a list is the same sequence: it fits too
            return isinstance(value, tuple | list) and all(conforms(v, args[0]) for v in value)
        if not isinstance(value, tuple):
            return False
        return len(value) == len(args) and all(map(conforms, value, args))
    if origin in (list, frozenset, set):
        return isinstance(value, origin) and all(conforms(item, args[0]) for item in value)
    if origin in (Mapping, dict):
        return isinstance(value, Mapping) and all(
            conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items()
        )
    if origin in (Sequence, collections.abc.Sequence):
        return isinstance(value, tuple | list) and all(conforms(item, args[0]) for item in value)
    if origin in (Iterable, collections.abc.Iterable):
        return (
            isinstance(value, Iterable)
            and not isinstance(value, str | bytes | Mapping)
            and all(conforms(item, args[0]) for item in value)
        )
    if origin in (Callable, collections.abc.Callable):
        return callable(value) and not isinstance(value, type)
    if origin is os.PathLike:
        return isinstance(value, os.PathLike)
    if isinstance(hint, typing.TypeAliasType if hasattr(typing, "TypeAliasType") else ()):
        return conforms(value, hint.__value__)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True  # a form this checker does not know: anything may fit


# --------------------------------------------------------------------------- bounded steps


class Unbounded(BaseException):
    """Raised inside a call that made more than MAX_CALLS function calls."""


def bounded(call: Callable[[], object]) -> object:
    """Run ``call``, raising Unbounded once it has made MAX_CALLS function calls."""
    calls = 0

    def count(_frame: types.FrameType, event: str, _arg: object) -> None:
        nonlocal calls
        if event == "call":
            calls += 1
            if calls > MAX_CALLS:
                raise Unbounded

    previous = sys.gettrace()
    sys.settrace(count)
    try:
        return call()
    finally:
        sys.settrace(previous)


# --------------------------------------------------------------------------- the property


def _outcome(call: Callable[[], object]) -> object:
    """What ``call`` returns, or the library error or Unbounded it raises (anything else escapes)."""
    try:
        return bounded(call)
    except (SubscriptionRulesError, Unbounded) as err:
        return err


def _root(argument: str) -> str:
    """The parameter an error's ``argument`` is about: ``plans`` of ``plans[0] ('a').id``."""
    return re.split(r"[.\[ ]", argument, maxsplit=1)[0]


def _call(target: Target, values: dict[str, object]) -> object:
    args: list[object] = []
    kwargs: dict[str, object] = {}
    for parameter in target.parameters:
        if parameter.name not in values:
            continue
        value = values[parameter.name]
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            args.append(value)
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            kwargs.update(typing.cast("dict[str, object]", value))
        else:
            kwargs[parameter.name] = value
    result = target.call(*args, **kwargs)
    # A lazy result (the billing run's partitions) is checked as its caller reads it.
    return list(result) if isinstance(result, types.GeneratorType) else result


def _wrongable(target: Target) -> list[inspect.Parameter]:
    return [
        p
        for p in target.parameters
        if p.kind is not inspect.Parameter.VAR_POSITIONAL
        and p.name in target.hints
        and not (target.name in NAMING_VALIDATORS and p.name == "argument")
    ]


def _names(target: Target, values: dict[str, object]) -> set[str]:
    """What an error may name: a parameter, or a key inside a mapping or usage passed."""
    names = {p.name for p in target.parameters} | ALIASES.get(target.name, frozenset())
    for value in values.values():
        if isinstance(value, Mapping):
            names |= {key for key in value if isinstance(key, str)}
        if isinstance(value, tuple | list):  # (name, value) pairs: a mapping written out
            names |= {
                item[0]
                for item in value
                if isinstance(item, tuple) and item and isinstance(item[0], str)
            }
        if isinstance(value, Usage):
            names |= {name for name, _ in value.counts}
    if target.name in NAMING_VALIDATORS and isinstance(values["argument"], str):
        names.add(values["argument"])
    return names


WRONGABLE = [(t, p) for t in TARGETS for p in _wrongable(t)]


def test_every_public_name_is_a_target_or_a_result() -> None:
    names = {target.name.split(".")[0] for target in TARGETS}
    for module_name in MODULES:
        module = importlib.import_module(f"subscription_rules.{module_name}")
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isfunction(value) or (
                inspect.isclass(value)
                and attrs.has(value)
                and not issubclass(value, BaseException | enum.Enum)
            ):
                assert name in names or name in RESULTS, name
    assert len(TARGETS) >= 60, len(TARGETS)


@pytest.mark.parametrize("target", TARGETS, ids=[target.name for target in TARGETS])
def test_the_valid_arguments_are_accepted(target: Target) -> None:
    # The baseline: with every argument valid the call goes through (or refuses a value
    # on purpose: a missing catalog file), so a refusal below is the wrong argument's.
    values = {
        p.name: valid(target, p)
        for p in target.parameters
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    }
    outcome = _outcome(lambda: _call(target, values))
    if isinstance(outcome, SubscriptionRulesError):
        assert target.name == "load_catalog", outcome  # the valid path names no file


@settings(max_examples=3000)
@given(st.sampled_from(WRONGABLE), WRONG, st.data())
def test_a_wrong_type_or_shape_is_refused_naming_a_parameter(
    chosen: tuple[Target, inspect.Parameter], wrong: object, data: st.DataObject
) -> None:
    target, parameter = chosen
    hint = target.hints[parameter.name]
    if parameter.kind is inspect.Parameter.VAR_KEYWORD:
        key = data.draw(st.sampled_from(["properties", "seats", "billable_sessions"]))
        wrong = {key: wrong}
        assume(not conforms(wrong[key], hint))
    else:
        assume(not conforms(wrong, hint))
    values = {
        p.name: valid(target, p)
        for p in target.parameters
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    }
    values[parameter.name] = wrong
    names = _names(target, values)
    outcome = _outcome(lambda: _call(target, values))
    shown = f"{target.name}({parameter.name}={_shown(wrong)})"
    if isinstance(outcome, Unbounded):
        pytest.fail(f"{shown} made over {MAX_CALLS} calls")
    if isinstance(outcome, SubscriptionRulesError):
        assert outcome.argument is not None, f"{shown}: {outcome!r}"
        named = {_root(outcome.argument)}
        if isinstance(outcome, CatalogError) and outcome.key:
            named.add(_root(outcome.key))  # Plan("solo", ...): "solo.limits" is key "limits"
        assert named & names, f"{shown}: {outcome}"
    else:  # a value of the wrong type is never accepted silently: only a refusal may return
        assert isinstance(outcome, Refused | Infeasible), f"{shown} accepted: {type(outcome)}"


def test_the_step_bound_stops_a_call_that_never_ends() -> None:
    def spin() -> None:
        def step() -> None:
            return None

        while True:
            step()

    assert isinstance(_outcome(spin), Unbounded)
