"""The public surface: every exported name is documented with a running example."""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil

import pytest

import subscription_rules

MODULES = [
    "access",
    "billing_run",
    "catalog",
    "commands",
    "credits",
    "effects",
    "errors",
    "invoices",
    "lifecycle",
    "money",
    "notifications",
    "periods",
    "policy",
    "proration",
    "rulebook",
    "subscription",
    "summary",
    "usage",
]


def _public(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(f"subscription_rules.{module_name}")
    return [(name, getattr(module, name)) for name in module.__all__]


def _documented_with_example(name: str, value: object, module_doc: str) -> bool:
    if inspect.isclass(value) or inspect.isfunction(value):
        doc = inspect.getdoc(value) or ""
        if ">>>" in doc:
            return True
        # An enum or a small value class may be shown by its module's or family's example.
        return bool(doc) and (issubclass(value, enum.Enum) if inspect.isclass(value) else False)
    # A constant: documented by a `#:` comment above it or a docstring below it.
    lines = module_doc.splitlines()
    for i, line in enumerate(lines):
        if line.startswith((f"{name} =", f"{name}: ")):
            above = lines[i - 1].lstrip() if i else ""
            below = lines[i + 1].lstrip() if i + 1 < len(lines) else ""
            return above.startswith("#:") or below.startswith('"""')
    return False


def _source(module_name: str) -> str:
    """A module's source; a package's with its private modules', where its constants live."""
    module = importlib.import_module(f"subscription_rules.{module_name}")
    sources = [inspect.getsource(module)]
    for found in pkgutil.iter_modules(getattr(module, "__path__", [])):
        part = importlib.import_module(f"{module.__name__}.{found.name}")
        sources.append(inspect.getsource(part))
    return "\n".join(sources)


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_name_has_a_docstring_with_an_example(module_name: str) -> None:
    module_doc = _source(module_name)
    missing = [
        name
        for name, value in _public(module_name)
        if not _documented_with_example(name, value, module_doc)
    ]
    assert missing == []


#: The package root's public names: what a host needs. A change here is a change of the
#: public API, to be made on purpose (and noted in CHANGELOG.md).
ROOT_NAMES = (
    "BILLABLE_SESSIONS",
    "BILLING",
    "DAILY",
    "DEFAULT_METRICS",
    "INTEGRATIONS",
    "KILL_BILL_EXAMPLE",
    "KILL_BILL_LIKE",
    "LAGO_LIKE",
    "MAX_PERIODS_PER_ADVANCE",
    "MONTHLY",
    "PROPERTIES",
    "QUARTERLY",
    "SEED_POLICY",
    "SMART_RETRIES_LIKE",
    "STRIPE_LIKE",
    "THREE_RETRIES",
    "WEEKLY",
    "YEARLY",
    "Adjust",
    "BillingCycle",
    "BillingPeriod",
    "BillingPolicy",
    "BillingSummary",
    "Cancel",
    "CancelPendingChange",
    "Catalog",
    "CatalogVersion",
    "Category",
    "ChangeDay",
    "ChangePlan",
    "ChangeQuantity",
    "ChangeQuote",
    "Channel",
    "ChargeInvoice",
    "Command",
    "Comparison",
    "Coupon",
    "CouponDuration",
    "CouponExcess",
    "CreditBasis",
    "CreditCap",
    "CreditDestination",
    "CreditGrant",
    "CreditNote",
    "CreditReason",
    "Currency",
    "CustomerTax",
    "DayCount",
    "Decision",
    "DeclineKind",
    "Declined",
    "Discount",
    "DowngradeTiming",
    "Effect",
    "EndAccess",
    "Explanation",
    "Fact",
    "FactName",
    "FactValue",
    "Feasible",
    "GatewayError",
    "GrantCredit",
    "Handled",
    "Infeasible",
    "Interval",
    "IntervalChange",
    "IntervalUnit",
    "Invoice",
    "InvoiceReason",
    "InvoiceSequence",
    "IssueCreditNote",
    "Limits",
    "Line",
    "LineKind",
    "LineTax",
    "Metric",
    "MetricKind",
    "MetricUsage",
    "MigratePrice",
    "MissingPaymentMethod",
    "Money",
    "MoveKind",
    "Notice",
    "NoticeKind",
    "OpenInvoice",
    "OutstandingAttempt",
    "Overage",
    "OverdueAction",
    "OverdueLadder",
    "OverdueState",
    "PackagePrice",
    "PastDueAccess",
    "Payment",
    "PaymentOutcome",
    "Pending",
    "PendingChange",
    "Plan",
    "Preferences",
    "Price",
    "PriceMigration",
    "ProrationBilling",
    "ProrationUnit",
    "RecordPayment",
    "RecordedPrice",
    "RedeemCoupon",
    "RefundPayment",
    "RefusalReason",
    "Refused",
    "Reinstate",
    "RequiredAction",
    "RestoreAccess",
    "RetriesExhausted",
    "RetrySchedule",
    "RoundingMode",
    "Rulebook",
    "SendNotice",
    "SetTrialEnd",
    "Status",
    "Stretch",
    "Subscription",
    "SubscriptionRulesError",
    "Succeeded",
    "Suspend",
    "SuspendAccess",
    "SuspendedTime",
    "SuspensionReason",
    "TaxRate",
    "TaxRounding",
    "TaxSummary",
    "Terminate",
    "Tier",
    "TierMode",
    "TierTable",
    "Timing",
    "TopUp",
    "TrialCancellation",
    "TrialPlanChange",
    "UndoCancel",
    "UpdatePaymentMethod",
    "UpdateTax",
    "UpgradeTiming",
    "Usage",
    "UsageReport",
    "WeeksPerYear",
    "adjust",
    "advance",
    "annualised",
    "billing_summary",
    "cancel",
    "cancel_pending_change",
    "change_plan",
    "change_quantity",
    "changes_blocked",
    "channels_for",
    "check_downgrade",
    "check_new_version",
    "classify_move",
    "default_catalog",
    "grant_credit",
    "has_access",
    "load_catalog",
    "marked_unpaid",
    "migrate_price",
    "next_wakeup",
    "number_documents",
    "parse_catalog",
    "preset",
    "price_migrations",
    "quote_change",
    "record_payment",
    "redeem_coupon",
    "reinstate",
    "set_trial_end",
    "start_subscription",
    "suspend",
    "terminate",
    "top_up",
    "undo_cancel",
    "upcoming_invoice",
    "update_payment_method",
    "update_tax",
    "usage_report",
)


def test_the_package_root_exports_exactly_the_curated_names() -> None:
    assert tuple(subscription_rules.__all__) == ROOT_NAMES


def test_building_blocks_are_not_exported_from_the_root() -> None:
    blocks = {"divide", "allocate", "days_between", "seconds_between", "apply_credit"}
    blocks |= {"overage_lines", "prorated_line", "sum_lines", "format_date"}
    assert blocks.isdisjoint(subscription_rules.__all__)
    assert blocks.isdisjoint(vars(subscription_rules))


def test_the_package_reexports_only_names_that_exist() -> None:
    for name in subscription_rules.__all__:
        assert hasattr(subscription_rules, name), name


def test_the_package_ships_py_typed() -> None:
    from importlib.resources import files  # noqa: PLC0415

    assert files("subscription_rules").joinpath("py.typed").is_file()


def _functions_taking_a_policy() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for module_name in [*MODULES, "ports", "simulation"]:
        module = importlib.import_module(f"subscription_rules.{module_name}")
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isfunction(value) and "policy" in inspect.signature(value).parameters:
                found.append((f"{module_name}.{name}", value))
    return found


def test_the_functions_taking_a_policy_are_the_rules() -> None:
    """The check below is not vacuous: the rules that decide take a policy."""
    names = {name for name, _ in _functions_taking_a_policy()}
    assert {"lifecycle.advance", "proration.change_plan", "ports.execute"} <= names


@pytest.mark.parametrize(("name", "function"), _functions_taking_a_policy())
def test_no_public_function_has_a_silent_default_policy(name: str, function: object) -> None:
    """Forgetting ``policy=`` must fail loudly, not apply the seed's rules (issue 16)."""
    assert callable(function)
    parameter = inspect.signature(function).parameters["policy"]
    if name in OVERRIDES:
        # A scenario file names its policy (docs/cli.md: the seed when it names none);
        # ``policy=`` overrides the file's.
        assert parameter.default is None, name
        return
    assert parameter.default is inspect.Parameter.empty, name


#: Functions whose ``policy`` overrides the policy a scenario file names.
OVERRIDES = ("simulation.load_scenario", "simulation.parse_scenario")
