"""Prepaid credit: top-ups paid into the balance, goodwill grants, expiry, spending order.

Anchors. Lago's wallets: a top-up is a ``credit`` invoice whose fee carries no
tax ("no taxes should be applied on as it can be considered as an advance",
lago-api app/services/fees/paid_credit_service.rb); the credits join the
wallet only when its payment succeeds, otherwise the wallet transaction is
marked failed (app/jobs/invoices/prepaid_credit_job.rb,
WalletTransactions::MarkAsFailedService); granted credits are consumed before
purchased ones (WalletTransaction.in_consumption_order,
app/models/wallet_transaction.rb). Stripe's customer credit balance "applies
toward the next invoice finalized" (docs.stripe.com/billing/customer/balance).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st

from subscription_rules import (
    MONTHLY,
    SEED_POLICY,
    CreditReason,
    Declined,
    DeclineKind,
    GatewayError,
    GrantCredit,
    InvoiceReason,
    LineKind,
    Money,
    NoticeKind,
    Pending,
    RefusalReason,
    Refused,
    Rulebook,
    Status,
    Subscription,
    Succeeded,
    TopUp,
    TrialCancellation,
    advance,
    cancel,
    default_catalog,
    grant_credit,
    next_wakeup,
    parse_catalog,
    record_payment,
    start_subscription,
    suspend,
    terminate,
    top_up,
)
from subscription_rules.effects import Decision

CATALOG = default_catalog()  # Personal: USD 50.00 a month
NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)
NOV_2 = datetime(2026, 11, 2, tzinfo=UTC)
DEC_1 = datetime(2026, 12, 1, tzinfo=UTC)
JAN_1 = datetime(2027, 1, 1, tzinfo=UTC)
FEB_1 = datetime(2027, 2, 1, tzinfo=UTC)


def usd(text: str) -> Money:
    return Money.of(text, "USD")


def _decided(result: Decision | Refused) -> Decision:
    assert isinstance(result, Decision), result
    return result


def _personal() -> Subscription:
    """On Personal from 1 Nov 2026, its first invoice paid."""
    start = start_subscription(
        "s", "c", "personal", MONTHLY, NOV_1, catalog=CATALOG, trial=False, policy=SEED_POLICY
    )
    key = start.effects[0].idempotency_key  # type: ignore[union-attr]
    paid = record_payment(
        start.subscription, key, Succeeded(), NOV_1, catalog=CATALOG, policy=SEED_POLICY
    )
    return _decided(paid).subscription


def _topped_up(sub: Subscription, amount: str, at: datetime = NOV_2) -> Subscription:
    decision = _decided(top_up(sub, usd(amount), at, policy=SEED_POLICY))
    key = decision.effects[0].idempotency_key  # type: ignore[union-attr]
    paid = record_payment(
        decision.subscription, key, Succeeded(), at, catalog=CATALOG, policy=SEED_POLICY
    )
    return _decided(paid).subscription


def test_a_top_up_is_an_untaxed_invoice_of_prepaid_credit_not_paid_from_the_balance() -> None:
    sub = _personal()
    granted = _decided(grant_credit(sub, usd("20"), NOV_2, reason="outage", policy=SEED_POLICY))
    decision = _decided(top_up(granted.subscription, usd("100"), NOV_2, policy=SEED_POLICY))
    (invoice,) = decision.invoices
    assert invoice.reason is InvoiceReason.TOP_UP
    assert [(line.kind, line.description, line.amount, line.tax) for line in invoice.lines] == [
        (LineKind.PREPAID_CREDIT, "Prepaid credit", usd("100"), None)
    ]
    # The 20.00 granted stays in the balance: a top-up is charged in full.
    assert invoice.credit_applied == usd("0")
    assert invoice.amount_due == usd("100")
    assert decision.effects[0].idempotency_key == "s:charge:s-INV-0003:due-10000:attempt-1"  # type: ignore[union-attr]
    assert decision.subscription.credit_balance == usd("20")


def test_a_top_up_joins_the_balance_when_its_payment_succeeds() -> None:
    decision = _decided(top_up(_personal(), usd("100"), NOV_2, policy=SEED_POLICY))
    key = decision.effects[0].idempotency_key  # type: ignore[union-attr]
    paid = _decided(
        record_payment(
            decision.subscription, key, Succeeded(), NOV_2, catalog=CATALOG, policy=SEED_POLICY
        )
    )
    assert paid.subscription.credit_balance == usd("100")
    assert paid.subscription.open_invoices == ()
    added = [n for n in paid.notices if n.kind is NoticeKind.CREDIT_ADDED]
    assert [(n.fact("amount"), n.fact("balance")) for n in added] == [(usd("100"), usd("100"))]
    again = record_payment(
        paid.subscription, key, Succeeded(), NOV_2, catalog=CATALOG, policy=SEED_POLICY
    )
    assert isinstance(again, Refused)
    assert again.reason is RefusalReason.ALREADY_PAID


def test_a_top_up_of_100_pays_two_invoices_of_50() -> None:
    """100.00 - 50.00 (1 Dec) = 50.00; 50.00 - 50.00 (1 Jan) = 0.00; 1 Feb is charged 50.00."""
    sub = _topped_up(_personal(), "100")
    renewals = advance(sub, FEB_1, catalog=CATALOG, policy=SEED_POLICY).invoices
    assert [(i.credit_applied, i.amount_due) for i in renewals] == [
        (usd("50"), usd("0")),
        (usd("50"), usd("0")),
        (usd("0"), usd("50")),
    ]


def test_a_top_up_of_100_pays_an_invoice_of_60_and_part_of_the_next() -> None:
    """100.00 - 60.00 = 40.00 left; the next 60.00 takes the 40.00 and 20.00 is charged."""
    catalog = parse_catalog(
        'currency = "USD"\n[[plans]]\nid = "plus"\nname = "Plus"\nprices = {monthly = 60}'
    )
    start = start_subscription(
        "s", "c", "plus", MONTHLY, NOV_1, catalog=catalog, trial=False, policy=SEED_POLICY
    )
    first = start.effects[0].idempotency_key  # type: ignore[union-attr]
    sub = _decided(
        record_payment(
            start.subscription, first, Succeeded(), NOV_1, catalog=catalog, policy=SEED_POLICY
        )
    ).subscription
    bought = _decided(top_up(sub, usd("100"), NOV_2, policy=SEED_POLICY))
    key = bought.effects[0].idempotency_key  # type: ignore[union-attr]
    sub = _decided(
        record_payment(
            bought.subscription, key, Succeeded(), NOV_2, catalog=catalog, policy=SEED_POLICY
        )
    ).subscription
    renewed = advance(sub, JAN_1, catalog=catalog, policy=SEED_POLICY)
    assert [(i.total, i.credit_applied, i.amount_due) for i in renewed.invoices] == [
        (usd("60"), usd("60"), usd("0")),
        (usd("60"), usd("40"), usd("20")),
    ]
    assert renewed.subscription.credit_balance == usd("0")


def test_a_declined_top_up_is_void_and_leaves_the_subscription_as_it_was() -> None:
    """No credit, no dunning: the subscription stays active, nothing is retried."""
    sub = _personal()
    decision = _decided(top_up(sub, usd("100"), NOV_2, policy=SEED_POLICY))
    key = decision.effects[0].idempotency_key  # type: ignore[union-attr]
    declined = _decided(
        record_payment(
            decision.subscription,
            key,
            Declined(DeclineKind.SOFT, "insufficient_funds"),
            NOV_2,
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
    )
    after = declined.subscription
    assert after.status is Status.ACTIVE
    assert after.open_invoices == ()
    assert after.credit_balance == usd("0")
    assert [n.kind for n in declined.notices] == [NoticeKind.TOP_UP_FAILED]
    assert declined.notices[0].fact("reason") == "insufficient_funds"
    assert declined.next_wakeup == DEC_1  # the renewal, no retry
    assert advance(after, DEC_1, catalog=CATALOG, policy=SEED_POLICY).invoices[0].amount_due == (
        usd("50")
    )


def test_a_top_up_lost_to_gateway_errors_is_void_and_its_late_money_refunded() -> None:
    """Gateway errors retry within minutes (same key); once the backoff is used up the
    top-up is void, and should that attempt collect after all, the money goes back."""
    decision = _decided(top_up(_personal(), usd("100"), NOV_2, policy=SEED_POLICY))
    key = decision.effects[0].idempotency_key  # type: ignore[union-attr]
    sub, at = decision.subscription, NOV_2
    for _ in range(10):
        result = record_payment(
            sub, key, GatewayError("timeout"), at, catalog=CATALOG, policy=SEED_POLICY
        )
        sub = _decided(result).subscription
        if not sub.open_invoices:
            break
        at = _decided(result).next_wakeup or at
        sub = advance(sub, at, catalog=CATALOG, policy=SEED_POLICY).subscription
    assert sub.open_invoices == ()
    assert sub.status is Status.ACTIVE
    late = _decided(record_payment(sub, key, Succeeded(), at, catalog=CATALOG, policy=SEED_POLICY))
    assert type(late.effects[0]).__name__ == "RefundPayment"
    assert late.effects[0].amount == usd("100")  # type: ignore[union-attr]
    assert late.subscription.credit_balance == usd("0")


def test_a_pending_top_up_waits_for_its_outcome() -> None:
    decision = _decided(top_up(_personal(), usd("100"), NOV_2, policy=SEED_POLICY))
    key = decision.effects[0].idempotency_key  # type: ignore[union-attr]
    pending = _decided(
        record_payment(
            decision.subscription, key, Pending(), NOV_2, catalog=CATALOG, policy=SEED_POLICY
        )
    )
    assert pending.subscription.status is Status.ACTIVE
    assert pending.subscription.credit_balance == usd("0")
    paid = _decided(
        record_payment(
            pending.subscription, key, Succeeded(), NOV_2, catalog=CATALOG, policy=SEED_POLICY
        )
    )
    assert paid.subscription.credit_balance == usd("100")


def test_a_top_up_on_an_ended_subscription_is_refused() -> None:
    ended = _decided(terminate(_personal(), NOV_2, catalog=CATALOG, policy=SEED_POLICY))
    refused = top_up(ended.subscription, usd("10"), NOV_2, policy=SEED_POLICY)
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.NOT_ALLOWED_IN_STATUS
    refused = grant_credit(ended.subscription, usd("10"), NOV_2, reason="x", policy=SEED_POLICY)
    assert isinstance(refused, Refused)


def test_a_grant_is_a_goodwill_credit_note_to_the_balance() -> None:
    decision = _decided(
        grant_credit(_personal(), usd("30"), NOV_2, reason="outage on 1 Nov", policy=SEED_POLICY)
    )
    (note,) = decision.credit_notes
    assert note.reason is CreditReason.GOODWILL
    assert [(line.kind, line.description, line.amount) for line in note.lines] == [
        (LineKind.GRANTED_CREDIT, "Granted credit: outage on 1 Nov", usd("-30"))
    ]
    assert decision.subscription.credit_balance == usd("30")
    assert decision.subscription.credit_grants == ()  # no expiry: not a CreditGrant


def test_a_grant_expiring_with_part_spent_leaves_the_rest_of_the_balance() -> None:
    """Top-up 100.00 + grant 80.00 (expiring 15 Dec) = 180.00. The 1 Dec renewal of 50.00
    is paid from the grant first: 30.00 of it left, balance 130.00. On 15 Dec the 30.00
    left expires: balance 100.00, the top-up untouched."""
    sub = _topped_up(_personal(), "100")
    dec_15 = datetime(2026, 12, 15, tzinfo=UTC)
    granted = _decided(
        grant_credit(sub, usd("80"), NOV_2, reason="launch", expires_at=dec_15, policy=SEED_POLICY)
    )
    assert granted.next_wakeup == DEC_1
    renewed = advance(granted.subscription, DEC_1, catalog=CATALOG, policy=SEED_POLICY)
    assert renewed.invoices[0].credit_applied == usd("50")
    assert renewed.subscription.credit_balance == usd("130")
    assert [g.left for g in renewed.subscription.credit_grants] == [usd("30")]
    assert renewed.next_wakeup == dec_15
    expired = advance(renewed.subscription, dec_15, catalog=CATALOG, policy=SEED_POLICY)
    assert expired.subscription.credit_balance == usd("100")
    assert expired.subscription.credit_grants == ()
    assert [(n.kind, n.fact("amount"), n.fact("balance")) for n in expired.notices] == [
        (NoticeKind.CREDIT_EXPIRED, usd("30"), usd("100"))
    ]


def test_two_grants_are_spent_soonest_expiry_first() -> None:
    """A: 40.00 expiring 15 Jan, granted first; B: 30.00 expiring 20 Dec. 1 Dec, 50.00:
    B's 30.00 then 20.00 of A. 20 Dec: B is spent, nothing expires. 1 Jan, 50.00: A's
    20.00, 30.00 charged. 15 Jan: nothing left to expire."""
    sub = _personal()
    a_expiry, b_expiry = datetime(2027, 1, 15, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC)
    sub = _decided(
        grant_credit(sub, usd("40"), NOV_2, reason="A", expires_at=a_expiry, policy=SEED_POLICY)
    ).subscription
    sub = _decided(
        grant_credit(sub, usd("30"), NOV_2, reason="B", expires_at=b_expiry, policy=SEED_POLICY)
    ).subscription
    december = advance(sub, DEC_1, catalog=CATALOG, policy=SEED_POLICY)
    assert [(g.id, g.left) for g in december.subscription.credit_grants] == [
        ("s-CN-0002", usd("20"))
    ]
    later = advance(december.subscription, FEB_1, catalog=CATALOG, policy=SEED_POLICY)
    assert [(i.credit_applied, i.amount_due) for i in later.invoices] == [
        (usd("20"), usd("30")),
        (usd("0"), usd("50")),
    ]
    assert NoticeKind.CREDIT_EXPIRED not in [n.kind for n in later.notices]
    assert later.subscription.credit_balance == usd("0")


def test_granted_credit_expires_by_policy_when_the_grant_does_not_say() -> None:
    """granted_credit_days = 10: granted 2 Nov, expires 12 Nov, before the renewal."""
    policy = attrs.evolve(SEED_POLICY, name="seed, grants expire", granted_credit_days=10)
    granted = _decided(grant_credit(_personal(), usd("25"), NOV_2, reason="x", policy=policy))
    (grant,) = granted.subscription.credit_grants
    assert grant.expires_at == datetime(2026, 11, 12, tzinfo=UTC)
    expired = advance(granted.subscription, DEC_1, catalog=CATALOG, policy=policy)
    assert expired.subscription.credit_balance == usd("0")
    assert expired.invoices[0].amount_due == usd("50")


def test_a_grant_expiring_at_a_renewal_is_gone_before_it() -> None:
    """Expiry happens first at one instant: the 1 Dec invoice is charged in full."""
    granted = _decided(
        grant_credit(
            _personal(), usd("25"), NOV_2, reason="x", expires_at=DEC_1, policy=SEED_POLICY
        )
    )
    renewed = advance(granted.subscription, DEC_1, catalog=CATALOG, policy=SEED_POLICY)
    assert renewed.invoices[0].amount_due == usd("50")
    assert renewed.notices[0].kind is NoticeKind.CREDIT_EXPIRED


def test_the_commands_go_through_handle() -> None:
    rules = Rulebook(CATALOG, SEED_POLICY)
    sub = _personal()
    bought = rules.handle(sub, TopUp(usd("10")), NOV_2)
    assert bought.refused is None
    assert bought.decision.invoices[0].reason is InvoiceReason.TOP_UP
    granted = rules.handle(
        bought.decision.subscription, GrantCredit(usd("5"), reason="sorry", expires_at=DEC_1), NOV_2
    )
    assert granted.decision.subscription.credit_balance == usd("5")
    assert granted.decision.subscription.credit_grants[0].expires_at == DEC_1


_STEP = st.one_of(
    st.tuples(st.just("top_up"), st.integers(1, 20_000), st.booleans()),
    st.tuples(st.just("grant"), st.integers(1, 20_000), st.integers(1, 90)),
    st.tuples(st.just("advance"), st.integers(1, 40), st.just(0)),
)


@given(st.lists(_STEP, max_size=12))
def test_the_balance_never_goes_negative_and_grants_stay_within_it(
    steps: list[tuple[str, int, int]],
) -> None:
    """Random top-ups (paid or declined), grants with expiries and the passing of time."""
    sub = _personal()
    at = NOV_2
    for kind, amount, extra in steps:
        money = Money.from_minor(amount, "USD")
        if kind == "top_up":
            decision = _decided(top_up(sub, money, at, policy=SEED_POLICY))
            key = decision.effects[0].idempotency_key  # type: ignore[union-attr]
            outcome = Succeeded() if extra else Declined(DeclineKind.HARD)
            sub = _decided(
                record_payment(
                    decision.subscription, key, outcome, at, catalog=CATALOG, policy=SEED_POLICY
                )
            ).subscription
        elif kind == "grant":
            expiry = at + timedelta(days=extra)
            sub = _decided(
                grant_credit(sub, money, at, reason="p", expires_at=expiry, policy=SEED_POLICY)
            ).subscription
        else:
            at = at + timedelta(days=amount)
            sub = advance(sub, at, catalog=CATALOG, policy=SEED_POLICY).subscription
            # Keep the subscription paid so commands keep applying.
            for item in sub.open_invoices:
                assert item.attempt_key is not None
                sub = _decided(
                    record_payment(
                        sub, item.attempt_key, Succeeded(), at, catalog=CATALOG, policy=SEED_POLICY
                    )
                ).subscription
        assert not sub.credit_balance.is_negative()
        left = sum((g.left for g in sub.credit_grants), usd("0"))
        assert left <= sub.credit_balance
        assert all(g.expires_at > sub.processed_until for g in sub.credit_grants)


def test_cancelling_a_suspended_subscription_still_wakes_for_its_grant_to_expire() -> None:
    """Found by the model-based lives: a grant of 1.00 expiring on 1 Dec, the subscription
    suspended on 2 Nov and cancelled on 3 Nov (it ends at once). The balance outlives the
    subscription, so the grant still expires on 1 Dec: the decision names that instant, as
    ``next_wakeup`` does (it said ``None``)."""
    granted = _decided(
        grant_credit(_personal(), usd("1"), NOV_2, reason="x", expires_at=DEC_1, policy=SEED_POLICY)
    )
    suspended = _decided(suspend(granted.subscription, NOV_2, policy=SEED_POLICY))
    ended = _decided(cancel(suspended.subscription, NOV_2 + timedelta(days=1), policy=SEED_POLICY))
    assert ended.subscription.status is Status.ENDED
    assert ended.next_wakeup == DEC_1
    assert next_wakeup(ended.subscription, policy=SEED_POLICY) == DEC_1
    expired = advance(ended.subscription, DEC_1, catalog=CATALOG, policy=SEED_POLICY)
    assert [n.kind for n in expired.notices] == [NoticeKind.CREDIT_EXPIRED]
    assert expired.subscription.credit_balance == usd("0")


def test_cancelling_a_trial_suspended_at_once_still_wakes_for_its_grant_to_expire() -> None:
    """Found by the model-based lives: under ``TrialCancellation.SUSPEND_NOW`` a trial
    cancelled on 1 Nov is suspended at once; its grant of 1.00 expiring on 2 Nov still
    expires then, so the decision names that instant (it said ``None``)."""
    policy = attrs.evolve(
        SEED_POLICY, name="seed, trial suspended", trial_cancellation=TrialCancellation.SUSPEND_NOW
    )
    trial = start_subscription(
        "s", "c", "personal", MONTHLY, NOV_1, catalog=CATALOG, trial=True, policy=policy
    ).subscription
    granted = _decided(
        grant_credit(trial, usd("1"), NOV_1, reason="x", expires_at=NOV_2, policy=policy)
    )
    cancelled = _decided(cancel(granted.subscription, NOV_1, policy=policy))
    assert cancelled.subscription.status is Status.SUSPENDED
    assert cancelled.next_wakeup == NOV_2 == next_wakeup(cancelled.subscription, policy=policy)
