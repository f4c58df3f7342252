"""Deterministic values of every document type, built by real rule calls, for the golden files.

``tools/storage_files.py --golden`` writes ``tests/golden/v1/<type>.json`` from these
once; ``tests/test_serialization.py`` loads each file and checks it equals the value
built here. A subscription in Paris, started on 31 January 2026 at 09:00 local time
(08:00 UTC) on the personal plan (USD 50.00 a month), without a trial.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import attrs

from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    Adjust,
    BillingPolicy,
    Cancel,
    CancelPendingChange,
    Catalog,
    ChangePlan,
    ChargeInvoice,
    CreditDestination,
    Currency,
    Decision,
    Declined,
    DeclineKind,
    EndAccess,
    GatewayError,
    IssueCreditNote,
    Money,
    OverdueAction,
    OverdueLadder,
    OverdueState,
    Pending,
    RecordPayment,
    RefundPayment,
    Refused,
    Reinstate,
    RestoreAccess,
    RetrySchedule,
    Rulebook,
    SendNotice,
    SetTrialEnd,
    Subscription,
    Succeeded,
    Suspend,
    SuspendAccess,
    SuspensionReason,
    Terminate,
    UndoCancel,
    UpdatePaymentMethod,
    Usage,
    advance,
    billing_summary,
    change_plan,
    default_catalog,
    quote_change,
    record_payment,
    start_subscription,
)

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2026, 1, 31, 9, tzinfo=PARIS)


def usd_only(catalog: Catalog) -> Catalog:
    """``catalog`` without its prices in other currencies than USD."""
    usd = Currency.of("USD")
    return attrs.evolve(
        catalog,
        plans=tuple(
            attrs.evolve(
                plan,
                prices=tuple(p for p in plan.prices if p.currency == usd),
                overage=tuple(o for o in plan.overage if o.currency == usd),
            )
            for plan in catalog
        ),
    )


#: The example catalog as version 1 stored it: in USD only (EUR came with issue 17).
CATALOG = usd_only(default_catalog())
#: A policy that refunds credits and has an overdue ladder, so both appear in documents.
POLICY = attrs.evolve(
    SEED_POLICY,
    name="golden",
    credit_destination=CreditDestination.REFUND,
    overdue_ladder=OverdueLadder(
        (
            OverdueState("warning", days=3, actions=frozenset({OverdueAction.NOTICE})),
            OverdueState(
                "blocked",
                days=10,
                actions=frozenset({OverdueAction.NOTICE, OverdueAction.BLOCK_CHANGES}),
            ),
        )
    ),
)
USAGE = Usage.of(properties=2, integrations=1)
_T = TypeVar("_T")


def _decision(result: Decision | Refused) -> Decision:
    assert isinstance(result, Decision), result
    return result


def _first(kind: type[_T], decision: Decision) -> _T:
    return next(effect for effect in decision.effects if isinstance(effect, kind))


def golden_values() -> dict[str, object]:
    """One value per document type, by its ``"type"`` name."""
    policy: BillingPolicy = POLICY
    started = start_subscription(
        "sub_golden",
        "cus_golden",
        "personal",
        MONTHLY,
        START,
        catalog=CATALOG,
        time_zone=PARIS,
        trial=False,
        policy=policy,
    )
    charge = _first(ChargeInvoice, started)
    paid = _decision(
        record_payment(
            started.subscription,
            charge.idempotency_key,
            Succeeded(),
            START + timedelta(minutes=5),
            catalog=CATALOG,
            policy=policy,
        )
    )
    upgraded = _decision(
        change_plan(
            paid.subscription,
            "advanced",
            MONTHLY,
            START + timedelta(days=10),
            catalog=CATALOG,
            usage=USAGE,
            policy=policy,
        )
    )
    renewal_charge = _first(ChargeInvoice, upgraded)
    declined = _decision(
        record_payment(
            upgraded.subscription,
            renewal_charge.idempotency_key,
            Declined(DeclineKind.SOFT, "insufficient_funds"),
            START + timedelta(days=10, minutes=1),
            catalog=CATALOG,
            policy=policy,
        )
    )
    later = advance(
        declined.subscription, START + timedelta(days=20), catalog=CATALOG, policy=policy
    )
    quote = quote_change(
        paid.subscription,
        "pro",
        MONTHLY,
        START + timedelta(days=10),
        catalog=CATALOG,
        usage=USAGE,
        policy=policy,
    )
    refused = change_plan(  # a downgrade that does not fit: the refusal names what to do
        upgraded.subscription,
        "personal",
        MONTHLY,
        START + timedelta(days=10, minutes=2),
        catalog=CATALOG,
        usage=Usage.of(properties=50, integrations=30),
        policy=policy,
    )
    credit = _first(IssueCreditNote, upgraded)
    return {
        "subscription": later.subscription,
        "invoice": renewal_charge.invoice,
        "credit_note": credit.credit_note,
        "notice": _first(SendNotice, declined).notice,
        "charge_invoice": renewal_charge,
        "issue_credit_note": credit,
        "refund_payment": _first(RefundPayment, upgraded),
        "send_notice": _first(SendNotice, upgraded),
        "suspend_access": SuspendAccess(SuspensionReason.PAYMENT_FAILED),
        "restore_access": RestoreAccess(),
        "end_access": EndAccess(),
        "decision": declined,
        "refused": refused,
        "change_quote": quote,
        "billing_summary": billing_summary(
            later.subscription, USAGE, START + timedelta(days=20), catalog=CATALOG, policy=policy
        ),
        "catalog": CATALOG,
        "billing_policy": policy,
        #: Retries 1, 4 and 9 days after the failure, each moved to the next 02:00 local time.
        "retry_schedule": RetrySchedule(
            "golden_retries",
            (timedelta(days=1), timedelta(days=4), timedelta(days=9)),
            local_hour=2,
        ),
        "succeeded": Succeeded(),
        "pending": Pending(),
        "declined": Declined(DeclineKind.HARD, "stolen_card"),
        "gateway_error": GatewayError("timeout after 30 s"),
        "usage": USAGE,
        **request_values(paid.subscription),
    }


def request_values(subscription: Subscription) -> dict[str, object]:
    """A queued request of each command type, and what ``Rulebook.handle`` made of one."""
    handled = Rulebook(CATALOG, POLICY).handle(  # 40 days in: a renewal, then a refusal
        subscription, UndoCancel(), START + timedelta(days=40)
    )
    assert handled.refused is not None
    return {
        "change_plan": ChangePlan("advanced", MONTHLY, USAGE),
        "cancel": Cancel(),
        "undo_cancel": UndoCancel(),
        "suspend": Suspend(),
        "reinstate": Reinstate(),
        "update_payment_method": UpdatePaymentMethod(),
        "cancel_pending_change": CancelPendingChange(),
        "set_trial_end": SetTrialEnd(datetime(2026, 2, 14, 9, tzinfo=PARIS)),
        "terminate": Terminate(),
        "adjust": Adjust("sub_golden-INV-0001", Money.of("5.00", "USD"), reason="goodwill"),
        "record_payment": RecordPayment(
            "sub_golden:charge:sub_golden-INV-0001:due-5000:attempt-1", Succeeded()
        ),
        "handled": handled,
    }
