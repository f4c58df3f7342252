"""Deterministic values of every document type, built by real rule calls, for the golden files.

``tools/storage_files.py --golden`` writes ``tests/golden/v<SCHEMA_VERSION>/<type>.json``
from these, once per schema version (``GOLDEN_VALUES``); ``tests/test_serialization.py``
loads each file and checks it equals the value built here. A subscription in Paris,
started on 31 January 2026 at 09:00 local time (08:00 UTC), without a trial:

- version 1 (``golden_values``): on the personal plan (USD 50.00 a month);
- version 2 (``golden_values_v2``): 3 seats of a per-seat plan (EUR 11.00 a seat a
  month, a recorded price), upgraded to a graduated plan, in a versioned catalog.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import attrs

from subscription_rules import (
    DEFAULT_METRICS,
    MONTHLY,
    SEED_POLICY,
    YEARLY,
    Adjust,
    BillingPolicy,
    Cancel,
    CancelPendingChange,
    Catalog,
    CatalogVersion,
    ChangePlan,
    ChangeQuantity,
    ChargeInvoice,
    Coupon,
    CouponDuration,
    CreditDestination,
    Currency,
    CustomerTax,
    Decision,
    Declined,
    DeclineKind,
    EndAccess,
    GatewayError,
    GrantCredit,
    IssueCreditNote,
    Limits,
    Metric,
    MetricKind,
    MigratePrice,
    Money,
    Overage,
    OverdueAction,
    OverdueLadder,
    OverdueState,
    PackagePrice,
    Pending,
    Plan,
    Price,
    RecordPayment,
    RedeemCoupon,
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
    TaxRate,
    Terminate,
    Tier,
    TierMode,
    TierTable,
    TopUp,
    UndoCancel,
    UpdatePaymentMethod,
    UpdateTax,
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
    """One value per document type, by its ``"type"`` name: version 1's."""
    return _golden(GOLDEN_V1)


def golden_values_v2() -> dict[str, object]:
    """One value per document type, by its ``"type"`` name: version 2's (seats, tiers, EUR)."""
    return _golden(GOLDEN_V2)


FIVE_DOLLARS = Money.of("5.00", "USD")


@attrs.frozen
class _Story:
    """What the golden values are made of: the catalog, the plans and the usage."""

    catalog: Catalog
    start_plan: str
    upgrade_plan: str
    usage: Usage
    quantity: int = 1
    currency: str | None = None
    #: the quote: to this plan, at this quantity (None: keep the subscription's)
    quote_plan: str = "pro"
    quote_quantity: int | None = None
    adjustment: Money = FIVE_DOLLARS


def _golden(story: _Story) -> dict[str, object]:
    policy: BillingPolicy = POLICY
    catalog, usage = story.catalog, story.usage
    started = start_subscription(
        "sub_golden",
        "cus_golden",
        story.start_plan,
        MONTHLY,
        START,
        catalog=catalog,
        time_zone=PARIS,
        trial=False,
        policy=policy,
        quantity=story.quantity,
        currency=story.currency,
    )
    charge = _first(ChargeInvoice, started)
    paid = _decision(
        record_payment(
            started.subscription,
            charge.idempotency_key,
            Succeeded(),
            START + timedelta(minutes=5),
            catalog=catalog,
            policy=policy,
        )
    )
    upgraded = _decision(
        change_plan(
            paid.subscription,
            story.upgrade_plan,
            MONTHLY,
            START + timedelta(days=10),
            catalog=catalog,
            usage=usage,
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
            catalog=catalog,
            policy=policy,
        )
    )
    later = advance(
        declined.subscription, START + timedelta(days=20), catalog=catalog, policy=policy
    )
    quote = quote_change(
        paid.subscription,
        story.quote_plan,
        MONTHLY,
        START + timedelta(days=10),
        catalog=catalog,
        usage=usage,
        policy=policy,
        quantity=story.quote_quantity,
    )
    refused = change_plan(  # a downgrade that does not fit: the refusal names what to do
        upgraded.subscription,
        story.start_plan,
        MONTHLY,
        START + timedelta(days=10, minutes=2),
        catalog=catalog,
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
            later.subscription, usage, START + timedelta(days=20), catalog=catalog, policy=policy
        ),
        "catalog": catalog,
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
        "usage": usage,
        **request_values(paid.subscription, story),
    }


def request_values(subscription: Subscription, story: _Story) -> dict[str, object]:
    """A queued request of each command type, and what ``Rulebook.handle`` made of one."""
    handled = Rulebook(story.catalog, POLICY).handle(  # 40 days in: a renewal, then a refusal
        subscription, UndoCancel(), START + timedelta(days=40)
    )
    assert handled.refused is not None
    return {
        "change_plan": ChangePlan(story.upgrade_plan, MONTHLY, story.usage),
        "change_quantity": ChangeQuantity(5, story.usage),
        "cancel": Cancel(),
        "undo_cancel": UndoCancel(),
        "suspend": Suspend(),
        "reinstate": Reinstate(),
        "update_payment_method": UpdatePaymentMethod(),
        "cancel_pending_change": CancelPendingChange(),
        "set_trial_end": SetTrialEnd(datetime(2026, 2, 14, 9, tzinfo=PARIS)),
        "terminate": Terminate(),
        "migrate_price": MigratePrice(datetime(2026, 3, 31, 9, tzinfo=PARIS)),
        "redeem_coupon": RedeemCoupon(
            Coupon(
                "LAUNCH20",
                percent_off="12.5",
                duration=CouponDuration.REPEATING,
                periods=3,
                plans=("personal",),
                max_redemptions=100,
                redeem_by=datetime(2026, 6, 30, tzinfo=PARIS),
                name="Launch",
            ),
            times_redeemed=7,
        ),
        "update_tax": UpdateTax(
            CustomerTax(
                TaxRate("VAT 20 %", "FR", "20"), tax_id="FR40303265045", reverse_charge=True
            )
        ),
        "adjust": Adjust("sub_golden-INV-0001", story.adjustment, reason="goodwill"),
        "top_up": TopUp(story.adjustment),
        "grant_credit": GrantCredit(
            story.adjustment, reason="goodwill", expires_at=datetime(2026, 3, 31, 9, tzinfo=PARIS)
        ),
        "record_payment": RecordPayment(
            "sub_golden:charge:sub_golden-INV-0001:due-5000:attempt-1", Succeeded()
        ),
        "handled": handled,
    }


def _tiers(currency: str, *rows: tuple[int | None, str, str | None]) -> TierTable:
    return TierTable(
        TierMode.GRADUATED,
        tuple(
            Tier(
                up_to, Money.of(unit, currency), None if flat is None else Money.of(flat, currency)
            )
            for up_to, unit, flat in rows
        ),
    )


SEATS = Metric("seats", MetricKind.STOCK, "seat", "seats", "remove")
#: Version 2's catalog, versioned: Team per seat (USD 12.00, EUR 11.00 a month) with overage
#: per started package of 10,000 sessions; Scale graduated per seat (1–10 at USD 16.00 /
#: EUR 15.00, 11+ at 13.00 / 12.00 plus a flat fee) with tiered overage; Legacy retired.
CATALOG_V2 = Catalog(
    (
        Plan(
            "team",
            "Team",
            (
                Price.of("12.00", "USD", MONTHLY, unit="seats"),
                Price.of("120.00", "USD", YEARLY, unit="seats"),
                Price.of("11.00", "EUR", MONTHLY, unit="seats"),
                Price.of("110.00", "EUR", YEARLY, unit="seats"),
            ),
            Limits.of(properties=10, integrations=10, billable_sessions=100_000),
            trial_days=14,
            overage=tuple(
                Overage.in_packages(
                    "billable_sessions", PackagePrice(Money.of(amount, code), 10_000)
                )
                for code, amount in (("USD", "5.00"), ("EUR", "4.50"))
            ),
        ),
        Plan(
            "scale",
            "Scale",
            tuple(
                Price.tiered(table, interval, unit="seats")
                for table, interval in (
                    (_tiers("USD", (10, "16.00", None), (None, "13.00", "20.00")), MONTHLY),
                    (_tiers("USD", (10, "160.00", None), (None, "130.00", "200.00")), YEARLY),
                    (_tiers("EUR", (10, "15.00", None), (None, "12.00", "18.00")), MONTHLY),
                    (_tiers("EUR", (10, "150.00", None), (None, "120.00", "180.00")), YEARLY),
                )
            ),
            Limits.of(properties=50, billable_sessions=1_000_000),
            overage=tuple(
                Overage.tiered(
                    "billable_sessions", _tiers(code, (100_000, first, None), (None, rest, None))
                )
                for code, first, rest in (("USD", "0.02", "0.01"), ("EUR", "0.02", "0.01"))
            ),
        ),
        Plan(
            "legacy",
            "Legacy",
            (
                Price.of("10.00", "USD", MONTHLY, unit="seats"),
                Price.of("9.50", "EUR", MONTHLY, unit="seats"),
            ),
            retired=True,
        ),
    ),
    (*DEFAULT_METRICS, SEATS),
    version=CatalogVersion("2026-01", datetime(2026, 1, 1, tzinfo=UTC)),
)

GOLDEN_V1 = _Story(CATALOG, "personal", "advanced", USAGE)
GOLDEN_V2 = _Story(
    CATALOG_V2,
    "team",
    "scale",
    Usage.of(seats=3, properties=2, integrations=1),
    quantity=3,
    currency="EUR",
    quote_plan="team",
    quote_quantity=5,  # a change of seats: 3 to 5
    adjustment=Money.of("5.00", "EUR"),
)

#: The golden values of each schema version, by version.
GOLDEN_VALUES = {1: golden_values, 2: golden_values_v2}
