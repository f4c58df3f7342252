"""Payment outcomes as values: each names the charge attempt it answers, and its fields are typed.

Issue 12 (money safety). Personal costs USD 50.00 a month; the default schedule
(SMART_RETRIES_LIKE) retries 1, 3, 5, 7, 9, 11 and 14 days after the first failure.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from helpers import RENEWAL_KEY, decided, renewal_due, utc
from subscription_rules import (
    MONTHLY,
    ChargeInvoice,
    Decision,
    Money,
    NoticeKind,
    RefusalReason,
    Refused,
    Status,
    Subscription,
    advance,
    default_catalog,
    record_payment,
    reinstate,
    start_subscription,
    suspend,
    update_payment_method,
)
from subscription_rules.dunning import Declined, DeclineKind, GatewayError, Succeeded
from subscription_rules.errors import InvalidArgumentError
from subscription_rules.policy import SEED_POLICY

CATALOG = default_catalog()
START = datetime(2026, 11, 1, tzinfo=UTC)
WRONG: Any = "hard"
THREE: Any = 3
TWO: Any = 2

# --- bug 19: enum-typed fields refuse strings -------------------------------------------------


@pytest.mark.parametrize("kind", ["hard", "soft", "HARD", 1, None, True])
def test_declined_refuses_a_kind_that_is_not_a_decline_kind(kind: object) -> None:
    # Declined("hard") used to be accepted and then treated as a soft decline (it is not
    # DeclineKind.HARD), so a stolen card was retried on the schedule.
    with pytest.raises(InvalidArgumentError, match=r"^kind: expected DeclineKind, got ") as caught:
        Declined(kind)  # type: ignore[arg-type]
    assert caught.value.argument == "kind"
    assert caught.value.value == kind


def test_declined_and_gateway_error_refuse_text_fields_of_another_type() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^code: expected str, got int 5"):
        Declined(DeclineKind.SOFT, 5)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^message: expected str, got NoneType None"):
        GatewayError(None)  # type: ignore[arg-type]
    assert Declined(DeclineKind.HARD, "stolen_card").kind is DeclineKind.HARD


def test_refused_refuses_a_reason_that_is_not_a_refusal_reason() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^reason: expected RefusalReason, got str"):
        Refused(WRONG, "no")
    with pytest.raises(InvalidArgumentError, match=r"^message: expected str, got int 3"):
        Refused(RefusalReason.NO_CHANGE, THREE)


@pytest.mark.parametrize(
    ("field", "value"),
    [("suspension_reason", "payment_failed"), ("suspended_from", "active")],
)
def test_a_subscription_refuses_optional_enums_given_as_strings(field: str, value: Any) -> None:
    sub = start_subscription(
        "s", "c", "personal", MONTHLY, START, catalog=CATALOG, trial=False, policy=SEED_POLICY
    ).subscription
    with pytest.raises(InvalidArgumentError, match=rf"^{field}: expected ") as caught:
        attrs.evolve(sub, **{field: value})
    assert caught.value.value == value
    suspended = attrs.evolve(sub, status=Status.SUSPENDED, suspended_from=Status.ACTIVE)
    assert suspended.suspended_from is Status.ACTIVE


# --- bug 8: every outcome answers one charge attempt, named by its idempotency key ------------

SOFT = Declined(DeclineKind.SOFT, "insufficient_funds")


def keys(decision: Decision) -> list[str]:
    return [e.idempotency_key for e in decision.effects if isinstance(e, ChargeInvoice)]


def test_a_decline_delivered_twice_is_counted_once() -> None:
    # The 1 Dec renewal's decline webhook arrives twice. Counted twice, the first retry
    # (+1 day, 2 Dec) would be skipped for the second (+3 days, 4 Dec). The repeat is refused
    # as a duplicate and changes nothing: the retry stays on 2 Dec.
    sub, charge = renewal_due()
    first = decided(
        record_payment(
            sub, charge.idempotency_key, SOFT, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY
        )
    )
    again = record_payment(
        first.subscription,
        charge.idempotency_key,
        SOFT,
        utc(2026, 12, 1, 0, 1),
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert isinstance(again, Refused)
    assert again.reason is RefusalReason.DUPLICATE_OUTCOME
    assert charge.idempotency_key in again.message
    (item,) = first.subscription.open_invoices
    assert (item.declines, item.next_retry_at) == (1, utc(2026, 12, 2))
    retried = advance(first.subscription, utc(2026, 12, 2), catalog=CATALOG, policy=SEED_POLICY)
    assert keys(retried) == ["sub_1:charge:sub_1-INV-0002:due-5000:attempt-2"]


def test_a_retry_after_a_gateway_error_reuses_the_unanswered_attempts_key() -> None:
    # The renewal times out (GatewayError): nobody knows whether the card was charged. The
    # retry 5 minutes later sends the same idempotency key, so a charge that went through is
    # answered again by the gateway instead of being made a second time. Its success pays.
    sub, charge = renewal_due()
    errored = decided(
        record_payment(
            sub,
            charge.idempotency_key,
            GatewayError(),
            utc(2026, 12, 1),
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
    )
    retried = advance(
        errored.subscription, utc(2026, 12, 1, 0, 5), catalog=CATALOG, policy=SEED_POLICY
    )
    assert keys(retried) == [RENEWAL_KEY]
    (item,) = retried.subscription.open_invoices
    assert (item.attempts, item.attempt_key) == (1, RENEWAL_KEY)
    paid = decided(
        record_payment(
            retried.subscription,
            RENEWAL_KEY,
            Succeeded(),
            utc(2026, 12, 1, 0, 6),
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
    )
    assert paid.subscription.open_invoices == ()
    assert paid.subscription.status is Status.ACTIVE


def test_a_retry_after_a_gateway_error_on_a_later_attempt_reuses_that_attempts_key() -> None:
    # Declined on 1 Dec; the 2 Dec retry is attempt 2. It times out; the gateway retry
    # (5 minutes) and, after the backoff (5+10+20+40+80 minutes), the next scheduled retry
    # (4 Dec) all send attempt 2's key again until an answer comes.
    sub, charge = renewal_due()
    at = utc(2026, 12, 1)
    sub = decided(
        record_payment(sub, charge.idempotency_key, SOFT, at, catalog=CATALOG, policy=SEED_POLICY)
    ).subscription
    retry = advance(sub, utc(2026, 12, 2), catalog=CATALOG, policy=SEED_POLICY)
    attempt_2 = "sub_1:charge:sub_1-INV-0002:due-5000:attempt-2"
    assert keys(retry) == [attempt_2]
    sub, at = retry.subscription, utc(2026, 12, 2)
    sent = []
    for _ in range(6):  # five gateway retries, then the sixth error counts as a soft decline
        errored = decided(
            record_payment(sub, attempt_2, GatewayError(), at, catalog=CATALOG, policy=SEED_POLICY)
        )
        assert errored.next_wakeup is not None
        moved = advance(
            errored.subscription, errored.next_wakeup, catalog=CATALOG, policy=SEED_POLICY
        )
        sent.extend(keys(moved))
        sub, at = moved.subscription, errored.next_wakeup
    assert sent == [attempt_2] * 6
    assert at == utc(2026, 12, 4)  # the scheduled retry after two declines: 1 Dec + 3 days
    (item,) = sub.open_invoices
    assert (item.attempts, item.declines, item.attempt_key) == (2, 2, attempt_2)


def test_the_success_of_a_charge_lost_to_a_gateway_error_is_recorded_and_nothing_is_resent() -> (
    None
):
    # The timed-out renewal did go through: its success webhook arrives during the backoff.
    # The invoice is paid and the retry due at 00:05 is not sent.
    sub, charge = renewal_due()
    errored = decided(
        record_payment(
            sub,
            charge.idempotency_key,
            GatewayError(),
            utc(2026, 12, 1),
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
    )
    paid = decided(
        record_payment(
            errored.subscription,
            RENEWAL_KEY,
            Succeeded(),
            utc(2026, 12, 1, 0, 2),
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
    )
    assert paid.subscription.open_invoices == ()
    assert (
        keys(advance(paid.subscription, utc(2026, 12, 31), catalog=CATALOG, policy=SEED_POLICY))
        == []
    )


def test_an_outcome_for_an_earlier_attempt_is_stale_and_changes_nothing() -> None:
    # Attempt 1 declined, attempt 2 (2 Dec) in flight: a late copy of attempt 1's decline, or
    # of a gateway error for it, is stale. Attempt 2's own outcome still counts.
    sub, charge = renewal_due()
    declined = decided(
        record_payment(
            sub, charge.idempotency_key, SOFT, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY
        )
    )
    sub = advance(
        declined.subscription, utc(2026, 12, 2), catalog=CATALOG, policy=SEED_POLICY
    ).subscription
    for late in (SOFT, GatewayError(), Succeeded()):
        stale = record_payment(
            sub, RENEWAL_KEY, late, utc(2026, 12, 2, 1), catalog=CATALOG, policy=SEED_POLICY
        )
        assert isinstance(stale, Refused)
        assert stale.reason is RefusalReason.DUPLICATE_OUTCOME
    paid = record_payment(
        sub, "sub_1:charge:sub_1-INV-0002:due-5000:attempt-2", Succeeded(), utc(2026, 12, 2, 1),
        catalog=CATALOG, policy=SEED_POLICY,
    )  # fmt: skip
    assert decided(paid).subscription.status is Status.ACTIVE


def test_a_repeated_gateway_error_for_an_attempt_waiting_to_be_resent_is_a_duplicate() -> None:
    # A gateway error delivered twice would otherwise move the backoff on a step.
    sub, charge = renewal_due()
    errored = decided(
        record_payment(
            sub,
            charge.idempotency_key,
            GatewayError(),
            utc(2026, 12, 1),
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
    )
    again = record_payment(
        errored.subscription,
        RENEWAL_KEY,
        GatewayError(),
        utc(2026, 12, 1, 0, 1),
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert isinstance(again, Refused)
    assert again.reason is RefusalReason.DUPLICATE_OUTCOME
    assert errored.next_wakeup == utc(2026, 12, 1, 0, 5)


def test_a_gateway_error_repeated_while_nothing_was_resent_is_a_duplicate() -> None:
    # Suspended by support on 1 Dec 1:00 while the renewal's charge is in flight; its gateway
    # error arrives then: nothing is retried while suspended (it counts as a soft decline,
    # the attempt still unanswered). The same error delivered again is a duplicate, not a
    # second decline. (Found by the model-based test with its cost oracle.)
    sub, charge = renewal_due()
    suspended = decided(suspend(sub, utc(2026, 12, 1, 1), policy=SEED_POLICY))
    errored = decided(
        record_payment(
            suspended.subscription, RENEWAL_KEY, GatewayError(), utc(2026, 12, 1, 2),
            catalog=CATALOG, policy=SEED_POLICY,
        )
    )  # fmt: skip
    (item,) = errored.subscription.open_invoices
    assert (item.attempt_key, item.in_flight, item.declines) == (charge.idempotency_key, False, 1)
    again = record_payment(
        errored.subscription,
        RENEWAL_KEY,
        GatewayError(),
        utc(2026, 12, 1, 3),
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert isinstance(again, Refused)
    assert again.reason is RefusalReason.DUPLICATE_OUTCOME
    # A real answer for the attempt still counts: it went through after all.
    paid = record_payment(
        errored.subscription,
        RENEWAL_KEY,
        Succeeded(),
        utc(2026, 12, 1, 3),
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert decided(paid).subscription.open_invoices == ()


def test_every_attempt_of_a_paid_invoice_is_refused_as_already_paid() -> None:
    sub, charge = renewal_due()
    declined = decided(
        record_payment(
            sub, charge.idempotency_key, SOFT, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY
        )
    )
    sub = advance(
        declined.subscription, utc(2026, 12, 2), catalog=CATALOG, policy=SEED_POLICY
    ).subscription
    attempt_2 = "sub_1:charge:sub_1-INV-0002:due-5000:attempt-2"
    paid = decided(
        record_payment(
            sub, attempt_2, Succeeded(), utc(2026, 12, 2), catalog=CATALOG, policy=SEED_POLICY
        )
    )
    for key in (attempt_2, RENEWAL_KEY):
        again = record_payment(
            paid.subscription,
            key,
            Succeeded(),
            utc(2026, 12, 2),
            catalog=CATALOG,
            policy=SEED_POLICY,
        )
        assert isinstance(again, Refused)
        assert again.reason is RefusalReason.ALREADY_PAID
        assert again.message == f"charge attempt {key!r} was for sub_1-INV-0002, already paid"


def test_the_charge_of_an_invoice_paid_by_credit_is_refused_as_already_paid() -> None:
    # An invoice fully covered by the credit balance is never open; its ChargeInvoice is
    # carried out without a charge, and an outcome reported for it changes nothing.
    sub, _charge = renewal_due()
    credited = attrs.evolve(sub, credit_balance=Money.of("100", "USD"), open_invoices=())
    renewed = advance(credited, utc(2027, 1, 1), catalog=CATALOG, policy=SEED_POLICY)
    (free,) = [e for e in renewed.effects if isinstance(e, ChargeInvoice)]
    assert free.amount == Money.of("0", "USD")
    again = record_payment(
        renewed.subscription,
        free.idempotency_key,
        Succeeded(),
        utc(2027, 1, 1),
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert isinstance(again, Refused)
    assert again.reason is RefusalReason.ALREADY_PAID


def test_the_attempt_must_be_a_str() -> None:
    sub, _charge = renewal_due()
    with pytest.raises(InvalidArgumentError, match=r"^attempt: expected str, got int 2$"):
        record_payment(sub, TWO, Succeeded(), utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY)


# --- bug 16: ids are compared exactly ---------------------------------------------------------


@pytest.mark.parametrize(
    "attempt",
    [
        "sub_1-INV-0002",  # the invoice's id, not an attempt's key
        "sub_1:charge:sub_1-INV-2:due-5000:attempt-1",  # the number written without its zeros
        "sub_1:renewal:2026-12-01T00:00:00Z",  # the same instant written another way
        "sub_1-INV-2",
        "sub_1-CN-0002",  # a credit note's number
        "sub_1-INV-\u0660\u0660\u0660\u0662",  # Arabic-Indic digits: '٠٠٠٢'.isdigit() is True
        "sub_1-INV-" + "9" * 5000,  # int() of it raised a bare ValueError
        "",
    ],
)
def test_an_unknown_attempt_is_refused_naming_it_and_the_open_invoice_stays_open(
    attempt: str,
) -> None:
    # sub_1-INV-0002 (the 1 Dec renewal) is open; none of these names its attempt exactly.
    sub, charge = renewal_due()
    refused = record_payment(
        sub, attempt, Succeeded(), utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY
    )
    assert isinstance(refused, Refused)
    assert refused.reason is RefusalReason.UNKNOWN_ATTEMPT
    assert refused.message == f"no charge attempt {attempt!r} awaits an outcome on sub_1"
    paid = record_payment(
        sub,
        charge.idempotency_key,
        Succeeded(),
        utc(2026, 12, 1),
        catalog=CATALOG,
        policy=SEED_POLICY,
    )
    assert decided(paid).subscription.open_invoices == ()


# --- bug 12: the retry_scheduled notice names the attempt it announces -----------------------


def test_the_retry_scheduled_notice_names_the_attempt_it_announces() -> None:
    # A hard decline of the renewal (attempt 1); a new card on 5 Dec retries at once: the
    # charge is attempt 2, and so is the notice's "attempt" fact (it said 1).
    sub, charge = renewal_due()
    hard = Declined(DeclineKind.HARD, "stolen_card")
    declined = decided(
        record_payment(
            sub, charge.idempotency_key, hard, utc(2026, 12, 1), catalog=CATALOG, policy=SEED_POLICY
        )
    )
    card = update_payment_method(
        declined.subscription, utc(2026, 12, 5), catalog=CATALOG, policy=SEED_POLICY
    )
    assert keys(card) == ["sub_1:charge:sub_1-INV-0002:due-5000:attempt-2"]
    (notice,) = card.notices
    assert (notice.kind, notice.fact("attempt")) == (NoticeKind.RETRY_SCHEDULED, 2)
    assert notice.key == "sub_1:retry_scheduled:sub_1-INV-0002:2"


def test_a_decline_recorded_while_suspended_is_retried_after_reinstatement() -> None:
    # The 1 Dec renewal's charge is in flight when support suspends the account (1 Dec
    # 1:00); its decline arrives at 2:00. Nothing is charged while suspended, but the decline
    # still follows the schedule: the retry falls due 1 Dec + 1 day. Reinstated on 3 Dec, the
    # retry that fell due meanwhile is made at once (it used to get no retry at all, and the
    # invoice was never collected again).
    sub, charge = renewal_due()
    suspended = decided(suspend(sub, utc(2026, 12, 1, 1), policy=SEED_POLICY))
    declined = decided(
        record_payment(
            suspended.subscription, charge.idempotency_key, SOFT, utc(2026, 12, 1, 2),
            catalog=CATALOG, policy=SEED_POLICY,
        )
    )  # fmt: skip
    assert keys(declined) == []
    back = decided(
        reinstate(declined.subscription, utc(2026, 12, 3), catalog=CATALOG, policy=SEED_POLICY)
    )
    assert keys(back) == ["sub_1:charge:sub_1-INV-0002:due-5000:attempt-2"]


# --- issue 16: what is kept of paid attempts does not grow with age ----------------------------


def _paid_months(months: int) -> tuple[Subscription, list[str]]:
    """Personal from 1 Nov 2026, each invoice paid by its first attempt, for ``months`` periods."""
    decision = start_subscription(
        "s", "c", "personal", MONTHLY, START, catalog=CATALOG, trial=False, policy=SEED_POLICY
    )
    sub, keys = decision.subscription, []
    for _ in range(months):
        for charge in [e for e in decision.effects if isinstance(e, ChargeInvoice)]:
            keys.append(charge.idempotency_key)
            sub = decided(
                record_payment(
                    sub,
                    charge.idempotency_key,
                    Succeeded(),
                    sub.processed_until,
                    catalog=CATALOG,
                    policy=SEED_POLICY,
                )
            ).subscription
        decision = advance(sub, sub.current_period.end, catalog=CATALOG, policy=SEED_POLICY)
        sub = decision.subscription
    return sub, keys


def test_the_attempts_of_the_last_24_invoices_paid_are_kept_and_no_more() -> None:
    """Outcomes of paid invoices are recognised (ALREADY_PAID) for the last 24 invoices paid;
    an older attempt's outcome is refused as unknown — a refusal all the same, changing
    nothing — so a subscription paid for ten years stores what a two-year-old one does."""
    sub, keys = _paid_months(120)
    assert len(keys) == 120
    assert len(sub.paid_attempts) == 24
    assert [key for key, _ in sub.paid_attempts] == keys[-24:]
    recent = record_payment(
        sub, keys[-24], Succeeded(), sub.processed_until, catalog=CATALOG, policy=SEED_POLICY
    )
    old = record_payment(
        sub, keys[-25], Succeeded(), sub.processed_until, catalog=CATALOG, policy=SEED_POLICY
    )
    assert isinstance(recent, Refused)
    assert recent.reason is RefusalReason.ALREADY_PAID
    assert isinstance(old, Refused)
    assert old.reason is RefusalReason.UNKNOWN_ATTEMPT
