"""Adjustments: a credit against what an invoice billed for the current period's stretch."""

from __future__ import annotations

from datetime import datetime

import attrs

from subscription_rules._billing import issue_credit_note
from subscription_rules._checks import expect, identifier, names_what_was_passed
from subscription_rules._taxing import tax_credited_after, with_credit_tax
from subscription_rules.catalog import Catalog
from subscription_rules.catalog._catalog import _check_catalog
from subscription_rules.credits import CreditReason
from subscription_rules.effects import Decision, RefusalReason, Refused
from subscription_rules.invoices import Line, LineKind
from subscription_rules.lifecycle._common import _check_command_time
from subscription_rules.lifecycle._prepaid import checked_amount
from subscription_rules.lifecycle._scheduling import _next_wakeup
from subscription_rules.lifecycle._termination import _refundable
from subscription_rules.money import Money
from subscription_rules.policy import BillingPolicy, CreditDestination
from subscription_rules.subscription import Status, Subscription


@names_what_was_passed("at")
def adjust(
    subscription: Subscription,
    invoice_id: str,
    amount: Money,
    at: datetime,
    *,
    reason: str,
    catalog: Catalog,
    policy: BillingPolicy,
) -> Decision | Refused:
    """Credit ``amount`` against what ``invoice_id`` billed for the current period (Kill Bill's item adjustment).

    The target is the stretch of the current period billed by ``invoice_id``
    (``Stretch.invoice_id``) — the last one, still running, when a change
    without proration carried its paid time over to a stretch of its own. A
    credit note (``CreditReason.ADJUSTMENT``, one line of
    ``LineKind.ADJUSTMENT`` described with ``reason``) goes to the balance or is
    refunded by ``credit_destination`` (a refund never exceeds what was paid
    for the stretch net of earlier credits; an unpaid stretch's credit goes to
    the balance). The stretch records it as credited, covering no time, so
    later credits for unused time never exceed what is left: adjustments plus
    later credits never exceed what was billed. ``amount`` is before tax (an
    exclusive tax) or tax included (an inclusive one), like the stretch's
    billing: the credit note returns the tax billed with it in proportion.
    How a later credit is worked
    out from what is left is ``credit_cap``'s choice.

    Refused: an ended subscription, an invoice that billed no stretch of the
    current period (``NOT_ADJUSTABLE``), an amount above what is left
    creditable (``EXCEEDS_CREDITABLE``). A non-positive amount, or one in
    another currency, raises an error naming ``amount``.

    >>> from subscription_rules import MONTHLY, adjust, default_catalog, start_subscription
    >>> catalog = default_catalog()
    >>> sub = start_subscription("s", "c", "advanced", MONTHLY,
    ...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY).subscription
    >>> d = adjust(sub, "s-INV-0001", Money.of("10", "USD"), datetime(2026, 11, 2, tzinfo=UTC),
    ...     reason="outage on 1 Nov", catalog=catalog, policy=SEED_POLICY)
    >>> print(d.credit_notes[0].lines[0])
    Adjustment of s-INV-0001 (Advanced): outage on 1 Nov: USD -10.00
    >>> str(d.subscription.stretches[0].creditable), str(d.subscription.credit_balance)
    ('USD 140.00', 'USD 10.00')
    """
    expect(subscription, Subscription, "subscription")
    sub = subscription
    _check_catalog(catalog, sub.currency)
    expect(policy, BillingPolicy, "policy")
    identifier(invoice_id, "invoice_id")
    expect(reason, str, "reason")
    amount = checked_amount(sub, amount, "an adjustment must be positive")
    at = _check_command_time(sub, at)
    if sub.status is Status.ENDED:
        return Refused(RefusalReason.NOT_ALLOWED_IN_STATUS, "the subscription has ended")
    indices = [i for i, s in enumerate(sub.stretches) if s.invoice_id == invoice_id]
    if not indices:
        return Refused(
            RefusalReason.NOT_ADJUSTABLE,
            f"invoice {invoice_id!r} billed no stretch of the current period",
        )
    index = indices[-1]
    stretch = sub.stretches[index]
    if amount > stretch.creditable:
        return Refused(
            RefusalReason.EXCEEDS_CREDITABLE,
            f"{amount} is more than the {stretch.creditable.max(sub.zero)} left creditable "
            f"of what {invoice_id} billed",
        )
    plan = catalog.plan(stretch.plan_id)
    line = Line(
        LineKind.ADJUSTMENT,
        f"Adjustment of {invoice_id} ({plan.name}): {reason}"
        if reason
        else f"Adjustment of {invoice_id} ({plan.name})",
        -amount,
        at,
        at,
        plan.id,
    )
    line = with_credit_tax(line, stretch, policy.rounding)
    before = sub.stretches
    stretches = list(before)
    stretches[index] = attrs.evolve(
        stretch,
        credited=stretch.credited + amount,
        tax_credited=tax_credited_after(stretch, (line,)),
    )
    sub = sub.evolve(stretches=tuple(stretches))
    refundable = (
        None
        if policy.credit_destination is CreditDestination.BALANCE
        else _refundable(sub, before, sub.stretches)
    )
    sub, _note, effects = issue_credit_note(
        sub, CreditReason.ADJUSTMENT, (line,), at, refundable=refundable
    )
    return Decision(sub, effects, _next_wakeup(sub, policy))
