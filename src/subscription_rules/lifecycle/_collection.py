"""Collecting payment: recording outcomes, retries, the overdue ladder, and what a failure leads to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final, assert_never

import attrs

from subscription_rules._access import unchecked_has_access, unchecked_marked_unpaid
from subscription_rules._billing import (
    invoice_key,
)
from subscription_rules._checks import expect, names_what_was_passed, shown, trusted
from subscription_rules.catalog import Catalog
from subscription_rules.catalog._catalog import _check_catalog
from subscription_rules.dunning import (
    GATEWAY_BACKOFF,
    Declined,
    DeclineKind,
    GatewayError,
    OverdueAction,
    PaymentOutcome,
    Pending,
    Succeeded,
    overdue_state,
)
from subscription_rules.effects import (
    ChargeInvoice,
    Decision,
    Effect,
    EndAccess,
    RefundPayment,
    RefusalReason,
    Refused,
)
from subscription_rules.errors import InvalidArgumentError
from subscription_rules.lifecycle._bill import _resume_billing
from subscription_rules.lifecycle._common import (
    _BILLING,
    _access_change,
    _ladder_state,
    _notice,
    _payment_notice,
    _settle_pending,
    _unpaid,
    _with_invoice,
    _without_invoice,
)
from subscription_rules.lifecycle._prepaid import is_top_up, top_up_paid, top_up_void
from subscription_rules.lifecycle._scheduling import _next_wakeup
from subscription_rules.notifications import FactName, FactPair, NoticeKind
from subscription_rules.periods import utc_instant
from subscription_rules.policy import (
    BillingPolicy,
    RetriesExhausted,
    SuspendedTime,
)
from subscription_rules.subscription import (
    OpenInvoice,
    OutstandingAttempt,
    Payment,
    Status,
    Subscription,
    SuspensionReason,
)

_trusted_payment = trusted(Payment)
_trusted_outstanding = trusted(OutstandingAttempt)
_trusted_refund = trusted(RefundPayment)


def _retry_charge(sub: Subscription, item: OpenInvoice) -> tuple[Subscription, Effect]:
    """Charge ``item`` again: a new attempt with its own key, or the unanswered one resent.

    An attempt lost to a gateway error may have gone through: until an outcome
    answers it, it is sent again with the same idempotency key, so the gateway
    answers it instead of charging twice.
    """
    if item.attempt_key is not None:
        resent = attrs.evolve(item, next_retry_at=None, in_flight=True)
        return _with_invoice(sub, resent), ChargeInvoice(item.invoice, item.attempt_key)
    attempts = item.attempts + 1
    key = invoice_key(sub.id, item.id, item.invoice.amount_due, attempts)
    item = attrs.evolve(
        item, attempts=attempts, attempt_key=key, next_retry_at=None, in_flight=True
    )
    return _with_invoice(sub, item), ChargeInvoice(item.invoice, key)


def _retry_now(sub: Subscription, at: datetime) -> tuple[Subscription, tuple[Effect, ...]]:
    """Retry at once every invoice whose payment failed (a new payment method is on file)."""
    if sub.status is Status.ENDED:
        return sub, ()
    effects: list[Effect] = []
    for item in sub.open_invoices:
        # An attempt whose outcome is still awaited is left alone: no second charge in flight.
        if item.in_dunning and not item.in_flight:
            # `exhausted` stays until the invoice is paid: a new card's charge is not a
            # payment, so a subscription marked unpaid stays so (and without access).
            waiting = attrs.evolve(item, awaiting_payment_method=False)
            sub, charge = _retry_charge(_with_invoice(sub, waiting), waiting)
            effects.append(charge)
            retried = sub.open_invoice(item.id)
            assert retried is not None  # noqa: S101 - just recorded
            effects.append(
                _payment_notice(
                    sub, NoticeKind.RETRY_SCHEDULED, at, retried, (FactName.RETRY_AT, at)
                )
            )
    return sub, tuple(effects)


def _retry_due(sub: Subscription, at: datetime) -> tuple[Subscription, tuple[Effect, ...]]:
    """Every retry due at ``at``, in invoice order."""
    sub = sub.evolve(processed_until=at)
    effects: list[Effect] = []
    for item in sub.open_invoices:
        if item.next_retry_at is not None and item.next_retry_at <= at:
            sub, charge = _retry_charge(sub, item)
            effects.append(charge)
    return sub, tuple(effects)


def _collect(
    sub: Subscription, charge: Effect, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Charge a new invoice, or, while the subscription is marked unpaid, hold it.

    A held invoice is issued and open but not attempted (no ``ChargeInvoice``)
    and not in dunning; it is charged when the subscription stops being unpaid.
    """
    item = sub.open_invoice(charge.invoice.id) if isinstance(charge, ChargeInvoice) else None
    if item is None or not unchecked_marked_unpaid(sub, policy):
        return sub, (charge,)
    held = attrs.evolve(item, attempts=0, attempt_key=None, in_flight=False)
    return _with_invoice(sub, held), ()


def _charge_due(
    sub: Subscription, at: datetime, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Charge at once every retry whose time has come by ``at``, and what was held.

    A retry is never dropped for having fallen due while it could not be made;
    the invoices issued while the subscription was marked unpaid are charged
    (each its first attempt) once it is not. Nothing while it is still unpaid or
    not billing.
    """
    if sub.status not in _BILLING or unchecked_marked_unpaid(sub, policy):
        return sub, ()
    effects: list[Effect] = []
    for item in sub.open_invoices:
        due = item.next_retry_at is not None and item.next_retry_at <= at
        if item.attempts == 0 or due:
            sub, charge = _retry_charge(sub, item)
            effects.append(charge)
    return sub, tuple(effects)


def _end_now(
    sub: Subscription, at: datetime, catalog: Catalog, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """End the subscription at ``at`` because payment failed for good."""
    plan = catalog.plan(sub.plan_id)
    sub, settled = _settle_pending(sub, at, policy)
    sub = sub.evolve(
        status=Status.ENDED, ended_at=at, cancel_at_period_end=False, pending_change=None
    )
    facts: tuple[FactPair, ...] = ((FactName.PLAN, plan.name), (FactName.ENDED_AT, at))
    notice = _notice(sub, NoticeKind.SUBSCRIPTION_ENDED, at, facts, "end")
    return sub, (*settled, EndAccess(), notice)


def _suspend_for_payment(
    sub: Subscription, at: datetime, why: FactPair, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Suspend at ``at`` because payment failed (``why`` says which invoice or ladder state)."""
    had_access = unchecked_has_access(sub, policy)
    reason = SuspensionReason.PAYMENT_FAILED
    sub = sub.evolve(
        status=Status.SUSPENDED,
        suspension_reason=reason,
        suspended_at=at,
        suspended_from=Status.ACTIVE,
    )
    facts: tuple[FactPair, ...] = ((FactName.REASON, reason.value), why)
    notice = _notice(sub, NoticeKind.ACCOUNT_SUSPENDED, at, facts, f"suspended-{at.isoformat()}")
    return sub, (*_access_change(had_access, sub, policy, reason), notice)


def _exhaust(
    sub: Subscription,
    item: OpenInvoice,
    at: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Every retry of ``item`` failed: stop retrying and apply the policy's action."""
    had_access = unchecked_has_access(sub, policy)
    item = attrs.evolve(item, next_retry_at=None, awaiting_payment_method=False, exhausted=True)
    sub = _with_invoice(sub, item)
    effects: list[Effect] = [_payment_notice(sub, NoticeKind.FINAL_ATTEMPT_FAILED, at, item)]
    action = policy.retries_exhausted
    if sub.status not in _BILLING:
        return sub, tuple(effects)
    if action is RetriesExhausted.SUSPEND:
        sub, done = _suspend_for_payment(sub, at, (FactName.INVOICE, item.id), policy)
        effects.extend(done)
    elif action is RetriesExhausted.CANCEL:
        sub, done = _end_now(sub, at, catalog, policy)
        effects.extend(done)
    else:  # MARK_UNPAID withdraws access (unless RESTRICT did already); STAY_PAST_DUE keeps it
        effects.extend(_access_change(had_access, sub, policy))
    return sub, tuple(effects)


def _apply_overdue(
    sub: Subscription, at: datetime, catalog: Catalog, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Move the subscription on the overdue ladder, reporting every state entered."""
    ladder = policy.overdue_ladder
    if ladder is None:
        return sub, ()
    status = overdue_state(_unpaid(sub), at, ladder, _ladder_state(sub, ladder))
    sub = sub.evolve(overdue_state=status.state)
    effects: list[Effect] = []
    for state in status.entered:
        facts: tuple[FactPair, ...] = (
            (FactName.STATE, state.name),
            (FactName.ACTIONS, ", ".join(sorted(a.value for a in state.actions))),
        )
        if OverdueAction.NOTICE in state.actions:
            effects.append(
                _notice(
                    sub,
                    NoticeKind.OVERDUE_STATE_ENTERED,
                    at,
                    facts,
                    f"overdue-{state.name}-{at.isoformat()}",
                )
            )
        if OverdueAction.CANCEL in state.actions and sub.status in _BILLING:
            sub, done = _end_now(sub, at, catalog, policy)
            effects.extend(done)
        elif OverdueAction.SUSPEND in state.actions and sub.status in _BILLING:
            sub, done = _suspend_for_payment(sub, at, (FactName.OVERDUE_STATE, state.name), policy)
            effects.extend(done)
    return sub, tuple(effects)


def changes_blocked(subscription: Subscription, policy: BillingPolicy) -> bool:
    """Whether the overdue ladder's current state blocks plan changes.

    >>> from subscription_rules import (
    ...     MONTHLY, SEED_POLICY, changes_blocked, default_catalog, start_subscription,
    ... )
    >>> sub = start_subscription("s", "c", "personal", MONTHLY, datetime(2026, 11, 1, tzinfo=UTC),
    ...     catalog=default_catalog(), trial=False, policy=SEED_POLICY).subscription
    >>> changes_blocked(sub, SEED_POLICY)
    False
    """
    expect(subscription, Subscription, "subscription")
    expect(policy, BillingPolicy, "policy")
    ladder = policy.overdue_ladder
    if ladder is None:
        return False
    state = _ladder_state(subscription, ladder)
    return state is not None and OverdueAction.BLOCK_CHANGES in state.actions


def _late(occurred: datetime, at: datetime) -> tuple[FactPair, ...]:
    """The ``occurred_at`` fact of an outcome recorded after the time it happened, if it was."""
    return ((FactName.OCCURRED_AT, occurred),) if occurred < at else ()


def _with_payment(sub: Subscription, item: OpenInvoice, attempt: str) -> tuple[Payment, ...]:
    """``sub``'s payments with ``attempt``'s, if its invoice billed a stretch of the period.

    Only those can be refunded (refunds credit the current period's unused
    time); a late payment of an earlier period's invoice is not kept.
    """
    if not any(stretch.invoice_id == item.id for stretch in sub.stretches):
        return sub.payments
    amount = item.invoice.amount_due
    return (*sub.payments, _trusted_payment(attempt, item.id, amount, amount.with_minor(0)))


#: Outcomes of the last this many invoices paid are recognised as already paid; an older
#: attempt's is refused as unknown (a refusal all the same), so what is stored does not
#: grow with age. Money an attempt may still collect is kept apart: ``outstanding_attempts``.
PAID_INVOICES_REMEMBERED: Final = 24


def _remembered(paid: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The (attempt, invoice) pairs of the last :data:`PAID_INVOICES_REMEMBERED` invoices paid."""
    invoices = list(dict.fromkeys(invoice for _, invoice in paid))
    if len(invoices) <= PAID_INVOICES_REMEMBERED:
        return paid
    kept = set(invoices[-PAID_INVOICES_REMEMBERED:])
    return tuple(pair for pair in paid if pair[1] in kept)


def _still_collecting(item: OpenInvoice, attempt: str) -> tuple[OutstandingAttempt, ...]:
    """The attempts of ``item`` other than ``attempt`` (which paid it) that may still collect.

    An attempt given up at the pending timeout may yet collect, and so may the
    attempt made after it, unanswered (in flight, or lost to a gateway error);
    declined attempts cannot.
    """
    keys = (*item.timed_out, *(() if item.attempt_key is None else (item.attempt_key,)))
    amount = item.invoice.amount_due
    return tuple(
        _trusted_outstanding(key, item.id, amount)
        for key in dict.fromkeys(keys)
        if key != attempt and amount.is_positive()
    )


def _record_outstanding(
    sub: Subscription,
    stray: OutstandingAttempt,
    outcome: PaymentOutcome,
    at: datetime,
    occurred: datetime,
    policy: BillingPolicy,
) -> Decision | Refused:
    """An outcome of an attempt whose invoice another attempt already paid.

    A success collected the invoice a second time: that payment is refunded in
    full (naming it; no credit note, since no invoice is credited) and the
    customer told. A decline settles the attempt (nothing was collected). A
    pending answer or a gateway error leaves it outstanding, refused as a value.
    """
    rest = tuple(o for o in sub.outstanding_attempts if o is not stray)
    match outcome:
        case Succeeded():
            sub = sub.evolve(processed_until=at, outstanding_attempts=rest)
            refund = _trusted_refund(
                stray.amount,
                None,
                stray.attempt_key,
                stray.invoice_id,
                f"{sub.id}:refund:duplicate:{stray.attempt_key}",
            )
            facts: tuple[FactPair, ...] = (
                (FactName.INVOICE, stray.invoice_id),
                (FactName.AMOUNT, stray.amount),
                *_late(occurred, at),
            )
            notice = _notice(
                sub, NoticeKind.DUPLICATE_PAYMENT_REFUNDED, at, facts, stray.attempt_key
            )
            return Decision(sub, (refund, notice), _next_wakeup(sub, policy))
        case Declined():
            sub = sub.evolve(processed_until=at, outstanding_attempts=rest)
            return Decision(sub, (), _next_wakeup(sub, policy))
        case Pending() | GatewayError():
            return Refused(
                RefusalReason.ALREADY_PAID,
                f"charge attempt {stray.attempt_key!r} was for {stray.invoice_id}, already paid "
                "by another attempt; only its success or decline is recorded",
            )
        case _:
            assert_never(outcome)


def _record_success(
    sub: Subscription,
    item: OpenInvoice,
    attempt: str,
    at: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
    occurred: datetime,
) -> tuple[Subscription, tuple[Effect, ...]]:
    if is_top_up(item):  # the credit bought joins the balance; nothing else follows
        return top_up_paid(sub, item, attempt, at, _late(occurred, at))
    paid = tuple((key, item.id) for key in item.keys)
    had_access = unchecked_has_access(sub, policy)
    sub = _without_invoice(sub, item.id).evolve(
        paid_attempts=_remembered((*sub.paid_attempts, *paid)),
        payments=_with_payment(sub, item, attempt),
        outstanding_attempts=(*sub.outstanding_attempts, *_still_collecting(item, attempt)),
    )
    effects: list[Effect] = [
        _payment_notice(sub, NoticeKind.PAYMENT_SUCCEEDED, at, item, *_late(occurred, at))
    ]
    if item.in_dunning:
        effects.append(_payment_notice(sub, NoticeKind.PAYMENT_RECOVERED, at, item))
    if any(o.in_dunning for o in sub.open_invoices):
        # Still overdue; but paying the invoice whose retries ran out ends "unpaid".
        effects.extend(_access_change(had_access, sub, policy))
    elif sub.status is Status.PAST_DUE:
        sub = sub.evolve(status=Status.ACTIVE)
        if not item.in_dunning:  # past due without a failure (invoiced at a trial's end)
            effects.append(_payment_notice(sub, NoticeKind.PAYMENT_RECOVERED, at, item))
        effects.extend(_access_change(had_access, sub, policy))
    elif (
        sub.status is Status.SUSPENDED
        and sub.suspension_reason is SuspensionReason.PAYMENT_FAILED
        and sub.suspended_at is not None
    ):
        suspended_at = sub.suspended_at
        no_credit = attrs.evolve(
            policy,
            name=f"{policy.name}, suspended time not credited",
            suspended_time=SuspendedTime.NOT_CREDITED,
        )
        sub, done = _resume_billing(sub, suspended_at, at, catalog, no_credit)
        sub = sub.evolve(
            status=Status.ACTIVE,
            suspension_reason=None,
            suspended_at=None,
            suspended_from=None,
        )
        effects.extend(_access_change(had_access, sub, policy))
        effects.extend(done)
        effects.append(
            _notice(
                sub,
                NoticeKind.ACCOUNT_REINSTATED,
                at,
                ((FactName.SUSPENDED_AT, suspended_at), (FactName.REINSTATED_AT, at)),
                f"reinstated-{at.isoformat()}",
            )
        )
    return sub, tuple(effects)


def _record_decline(
    sub: Subscription,
    item: OpenInvoice,
    outcome: Declined,
    at: datetime,
    catalog: Catalog,
    policy: BillingPolicy,
    *,
    answered: bool = True,
    occurred: datetime | None = None,
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Count a decline of ``item``: a dunning attempt used, and what follows.

    ``answered``: the gateway declined the attempt (otherwise gateway errors
    outlasted the backoff, and the attempt stays unanswered, to be sent again).
    ``occurred``: when the decline happened, if before ``at`` (a late outcome):
    the retry schedule counts from it, and a retry whose time has already come
    is made at once, at ``at`` (one charge, however many retries fell due).
    """
    if is_top_up(item):  # void: a top-up never drives dunning
        return top_up_void(sub, item, outcome.code, at, answered=answered)
    occurred = at if occurred is None else occurred
    late = _late(occurred, at)
    had_access = unchecked_has_access(sub, policy)
    first = not item.in_dunning
    first_failed_at = item.first_failed_at or occurred.astimezone(UTC)
    item = attrs.evolve(
        item,
        declines=item.declines + 1,
        first_failed_at=first_failed_at,
        gateway_errors=0,
        in_flight=False,
        pending_since=None,
    )
    if answered and item.attempt_key is not None:
        item = attrs.evolve(item, attempt_key=None, answered=(*item.answered, item.attempt_key))
    if first and sub.status is Status.ACTIVE:
        sub = sub.evolve(status=Status.PAST_DUE)
    # RESTRICT withdraws access at the first failure (also of an invoice already past due).
    effects: list[Effect] = list(_access_change(had_access, _with_invoice(sub, item), policy))
    schedule = policy.retry_schedule
    if sub.status is Status.ENDED:
        # Recorded, never retried (no charge once ended).
        item = attrs.evolve(item, next_retry_at=None)
        return _with_invoice(sub, item), (
            _payment_notice(sub, NoticeKind.PAYMENT_FAILED, at, item, *late),
        )
    # Suspended: the schedule still runs, so the retry is made once billing resumes; nothing
    # is charged meanwhile (see _charge_due).
    if outcome.kind is DeclineKind.HARD:
        item = attrs.evolve(item, next_retry_at=None, awaiting_payment_method=True)
        sub = _with_invoice(sub, item)
        effects.append(_payment_notice(sub, NoticeKind.PAYMENT_FAILED, at, item, *late))
        effects.append(
            _payment_notice(
                sub,
                NoticeKind.PAYMENT_METHOD_NEEDED,
                at,
                item,
                (FactName.DEADLINE, schedule.deadline(first_failed_at)),
            )
        )
        if schedule.deadline(first_failed_at) <= at:
            sub, done = _exhaust(sub, item, at, catalog, policy)
            effects.extend(done)
        return sub, tuple(effects)
    index = item.declines - 1  # the retry that follows this many declines
    if index >= schedule.retries:
        sub, done = _exhaust(_with_invoice(sub, item), item, at, catalog, policy)
        return sub, (*effects, *done)
    # The notice shows the retry in the billing zone; the subscription keeps the instant in
    # UTC, since Python compares two times of one zone by their wall clocks, fold ignored.
    local_retry = schedule.retry_time(first_failed_at, index, sub.cycle.time_zone)
    retry_at = local_retry.astimezone(UTC)
    item = attrs.evolve(item, next_retry_at=retry_at, awaiting_payment_method=False)
    sub = _with_invoice(sub, item)
    effects.append(
        _payment_notice(
            sub, NoticeKind.PAYMENT_FAILED, at, item, (FactName.NEXT_RETRY, local_retry), *late
        )
    )
    if retry_at <= at and sub.status in _BILLING:  # reported late: its time has come
        sub, charge = _retry_charge(sub, item)
        effects.append(charge)
    return sub, tuple(effects)


def _record_gateway_error(
    sub: Subscription, item: OpenInvoice, at: datetime
) -> tuple[Subscription, tuple[Effect, ...]] | None:
    """Retry soon after a gateway error; ``None`` when the backoff is used up."""
    errors = item.gateway_errors + 1
    if errors > len(GATEWAY_BACKOFF) or sub.status not in _BILLING:
        return None
    # Minutes of elapsed time, in UTC: a wall clock would wait an extra hour across DST.
    retry_at = at.astimezone(UTC) + GATEWAY_BACKOFF[errors - 1]
    item = attrs.evolve(item, gateway_errors=errors, next_retry_at=retry_at, in_flight=False)
    return _with_invoice(sub, item), ()


@names_what_was_passed("at")
def record_payment(
    subscription: Subscription,
    attempt: str,
    outcome: PaymentOutcome,
    at: datetime,
    *,
    catalog: Catalog,
    policy: BillingPolicy,
) -> Decision | Refused:
    """Record the outcome of charge attempt ``attempt`` at ``at``, and decide what follows.

    ``attempt`` is the ``idempotency_key`` of the ``ChargeInvoice`` being
    answered, compared exactly. A success marks its invoice paid with a receipt
    notice, returns a past-due or payment-suspended subscription to active (the
    anchor unchanged). A first decline makes the subscription past due, with a
    payment-failed notice giving the next retry. Soft declines follow the
    policy's retry schedule; a hard decline waits for a new payment method (the
    attempt still counts); a gateway error is retried within minutes without
    using an attempt, and with the same key until an answer comes (the charge
    may have gone through). When the schedule runs out, the policy's action
    applies.

    A late outcome (``at`` before ``processed_until``: a webhook delivered after
    ``advance`` ran further) is accepted: its effects are decided at the
    processing time, ``max(at, processed_until)``, and its notices carry ``at``
    as the ``occurred_at`` fact. A late decline's retries count from ``at``; a
    retry whose time has passed is made at once (one charge), and a hard
    decline whose deadline has passed applies the policy's action at once.

    An outcome that cannot be counted is refused as a value and changes
    nothing: for an attempt already answered (``DUPLICATE_OUTCOME``: a webhook
    delivered twice, or a late one for an earlier attempt), for an attempt of
    an invoice already paid (``ALREADY_PAID``), or for a key no attempt has
    (``UNKNOWN_ATTEMPT``).

    >>> from subscription_rules import (
    ...     MONTHLY, advance, default_catalog, record_payment, start_subscription,
    ... )
    >>> from subscription_rules.dunning import Declined, DeclineKind, Succeeded
    >>> catalog = default_catalog()
    >>> start = start_subscription("s", "c", "personal", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY)
    >>> first = start.effects[0].idempotency_key
    >>> first
    's:charge:s-INV-0001:due-5000:attempt-1'
    >>> d = record_payment(start.subscription, first, Declined(DeclineKind.SOFT),
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
    >>> d.subscription.status.value, d.notices[0].fact("next_retry").date().isoformat()
    ('past_due', '2026-11-02')
    >>> record_payment(d.subscription, first, Declined(DeclineKind.SOFT),
    ...     datetime(2026, 11, 1, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY).reason.value
    'duplicate_outcome'
    >>> retry = advance(d.subscription, datetime(2026, 11, 2, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
    >>> second = retry.effects[0].idempotency_key
    >>> second
    's:charge:s-INV-0001:due-5000:attempt-2'
    >>> paid = record_payment(retry.subscription, second, Succeeded(),
    ...     datetime(2026, 11, 2, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
    >>> paid.subscription.status.value, [n.kind.value for n in paid.notices]
    ('active', ['payment_succeeded', 'payment_recovered'])
    >>> record_payment(paid.subscription, second, Succeeded(),
    ...     datetime(2026, 11, 2, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY).message
    "charge attempt 's:charge:s-INV-0001:due-5000:attempt-2' was for s-INV-0001, already paid"
    """
    expect(subscription, Subscription, "subscription")
    expect(attempt, str, "attempt")
    _check_catalog(catalog, subscription.currency)
    expect(policy, BillingPolicy, "policy")
    sub = subscription
    # A late outcome (a webhook delivered after `advance` processed time further) happened at
    # `occurred`; what follows from it is decided at the processing time, never before it.
    occurred = utc_instant(at, "at")
    at = max(occurred, sub.processed_until.astimezone(UTC))
    if not isinstance(outcome, (Succeeded, Pending, Declined, GatewayError)):
        raise InvalidArgumentError(
            f"expected Succeeded, Pending, Declined or GatewayError, got {shown(outcome)}",
            argument="outcome",
            value=outcome,
        )
    stray = next((o for o in sub.outstanding_attempts if o.attempt_key == attempt), None)
    if stray is not None:
        return _record_outstanding(sub, stray, outcome, at, occurred, policy)
    item = _awaiting(sub, attempt, outcome)
    if isinstance(item, Refused):
        return item
    sub = sub.evolve(processed_until=at)
    match outcome:
        case Succeeded():
            sub, effects = _record_success(sub, item, attempt, at, catalog, policy, occurred)
        case Pending():
            # Accepted, the result later: it stays in flight; no failure, so not past due.
            item = attrs.evolve(
                item, pending_since=occurred, in_flight=True, next_retry_at=None, gateway_errors=0
            )
            sub, effects = _with_invoice(sub, item), ()
        case GatewayError():
            retried = _record_gateway_error(sub, item, at)
            if retried is None:  # technical failures that persist count as a soft decline
                persisted = Declined(DeclineKind.SOFT, "gateway_error")
                sub, effects = _record_decline(
                    sub, item, persisted, at, catalog, policy, answered=False
                )
            else:
                sub, effects = retried
        case Declined():
            sub, effects = _record_decline(
                sub, item, outcome, at, catalog, policy, occurred=occurred
            )
        case _:
            assert_never(outcome)
    sub, overdue = _apply_overdue(sub, at, catalog, policy)
    # Retries that fell due before `at` (and, once no longer unpaid, what was held).
    sub, due = _charge_due(sub, at, policy)
    return Decision(sub, effects + overdue + due, _next_wakeup(sub, policy))


def _pending_timeouts(
    sub: Subscription, at: datetime, catalog: Catalog, policy: BillingPolicy
) -> tuple[Subscription, tuple[Effect, ...]]:
    """Every pending charge whose ``pending_timeout`` has run out by ``at``: a soft decline.

    The attempt is given up (answered, and kept in ``timed_out``): dunning starts
    with a new attempt; should the bank's money arrive after all, it pays the invoice.
    """
    sub = sub.evolve(processed_until=at)
    effects: list[Effect] = []
    for item in sub.open_invoices:
        since = item.pending_since
        if since is None or item.attempt_key is None or since + policy.pending_timeout > at:
            continue
        gave_up = attrs.evolve(item, timed_out=(*item.timed_out, item.attempt_key))
        timeout = Declined(DeclineKind.SOFT, "pending_timeout")
        sub, done = _record_decline(sub, gave_up, timeout, at, catalog, policy)
        effects.extend(done)
    return sub, tuple(effects)


def _awaiting(sub: Subscription, attempt: str, outcome: PaymentOutcome) -> OpenInvoice | Refused:
    """The open invoice whose attempt ``attempt`` this ``outcome`` answers, or why none."""
    item = next((o for o in sub.open_invoices if o.attempt_key == attempt), None)
    if item is None:
        timed_out = next((o for o in sub.open_invoices if attempt in o.timed_out), None)
        if timed_out is None or not isinstance(outcome, Succeeded):
            return _not_awaited(sub, attempt)
        # Given up at the pending timeout, but the money came after all: it pays the invoice.
        return timed_out
    if item.pending_since is not None and isinstance(outcome, (Pending, GatewayError)):
        return Refused(
            RefusalReason.DUPLICATE_OUTCOME,
            f"charge attempt {attempt!r} of {item.id} is already pending at the gateway",
        )
    if isinstance(outcome, GatewayError) and not item.in_flight:
        # Already reported as a gateway error, and not sent again since.
        return Refused(
            RefusalReason.DUPLICATE_OUTCOME,
            f"charge attempt {attempt!r} of {item.id} already failed at the gateway and "
            "has not been sent again since",
        )
    return item


def _not_awaited(sub: Subscription, attempt: str) -> Refused:
    """Why no open invoice awaits an outcome of ``attempt``, as a refusal naming it."""
    for item in sub.open_invoices:
        if attempt in item.answered:
            return Refused(
                RefusalReason.DUPLICATE_OUTCOME,
                f"charge attempt {attempt!r} of {item.id} was already answered",
            )
    for key, invoice_id in sub.paid_attempts:
        if key == attempt:
            return Refused(
                RefusalReason.ALREADY_PAID,
                f"charge attempt {attempt!r} was for {invoice_id}, already paid",
            )
    return Refused(
        RefusalReason.UNKNOWN_ATTEMPT,
        f"no charge attempt {shown(attempt)} awaits an outcome on {sub.id}",
    )
