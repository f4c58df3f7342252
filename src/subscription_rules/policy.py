"""Billing conventions as named policies, with the help page's rules as the default.

Billing engines disagree on conventions and most leave them implicit. Here each
one is a field of :class:`BillingPolicy` with a documented default, and four
presets bundle them: :data:`SEED_POLICY` (the help page, the default),
:data:`STRIPE_LIKE`, :data:`KILL_BILL_LIKE` and :data:`LAGO_LIKE`. A preset is
data: copy one and change a field with :func:`attrs.evolve`.

>>> import attrs
>>> from subscription_rules.policy import SEED_POLICY, DowngradeTiming
>>> SEED_POLICY.downgrade_timing
<DowngradeTiming.PERIOD_END: 'period_end'>
>>> mine = attrs.evolve(SEED_POLICY, name="mine", downgrade_timing=DowngradeTiming.IMMEDIATELY)
>>> mine.downgrade_timing is DowngradeTiming.IMMEDIATELY
True
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import TypeVar

import attrs

from subscription_rules._checks import described, instance_of, shown
from subscription_rules.catalog import Comparison, WeeksPerYear
from subscription_rules.dunning import (
    KILL_BILL_EXAMPLE,
    SMART_RETRIES_LIKE,
    THREE_RETRIES,
    OverdueLadder,
    RetrySchedule,
)
from subscription_rules.errors import InvalidPolicyError
from subscription_rules.money import RoundingMode
from subscription_rules.periods import IntervalUnit

__all__ = [
    "KILL_BILL_LIKE",
    "LAGO_LIKE",
    "PRESETS",
    "SEED_POLICY",
    "STRIPE_LIKE",
    "BillingPolicy",
    "ChangeDay",
    "CouponExcess",
    "CreditBasis",
    "CreditCap",
    "CreditDestination",
    "DayCount",
    "DowngradeTiming",
    "IntervalChange",
    "MissingPaymentMethod",
    "PastDueAccess",
    "ProrationBilling",
    "ProrationUnit",
    "RetriesExhausted",
    "SuspendedTime",
    "TaxRounding",
    "TrialCancellation",
    "TrialPlanChange",
    "UpgradeTiming",
    "preset",
]


class ProrationUnit(enum.Enum):
    """What a proration counts: elapsed seconds (Stripe) or calendar days in the cycle's zone."""

    SECOND = "second"
    DAY = "day"


class DayCount(enum.Enum):
    """How calendar days are counted when the unit is ``DAY``.

    ``HALF_OPEN`` counts the days of ``[start, end)`` by their local dates
    (Kill Bill). ``BOTH_ENDS`` is Lago's reading: a period runs from local
    midnight of its first day to 23:59:59 of its last, both counted, whatever
    the time of day it started — the same count for every span the rules
    prorate today (a change, a resumption, suspended time), so a period
    anchored at 12:12 holds its calendar days either way. The counts differ
    for an immediate termination (``terminate``): ``BOTH_ENDS`` counts its day
    as used and credits from the day after (Lago), ``HALF_OPEN`` credits it
    (Kill Bill).
    """

    HALF_OPEN = "half_open"
    BOTH_ENDS = "both_ends"


class ChangeDay(enum.Enum):
    """Which plan pays for the day of a change when the unit is ``DAY``."""

    NEW_PLAN = "new_plan"
    OLD_PLAN = "old_plan"


class CreditBasis(enum.Enum):
    """What the credit for unused time is worked out from.

    ``BILLED``: what was actually billed for that stretch, net of credits
    already given (Stripe's flexible mode, Kill Bill, Lago). ``LIST_PRICE``:
    the current list price for the unused time (Stripe's classic mode). Either
    way the credit is capped at what was billed for the stretch minus credits
    already given, so no sequence of changes can mint money.
    """

    BILLED = "billed"
    LIST_PRICE = "list_price"


class CreditCap(enum.Enum):
    """How a credit for unused time is bounded by what was billed for the stretch.

    ``REMAINING`` (the default): what is left of the stretch's billing
    (billed net of earlier credits and adjustments) is prorated over the units
    not yet credited, so an earlier credit or adjustment lowers the rate of
    every later credit. ``BILLED_MINUS_ADJUSTMENTS`` (Kill Bill's repair): the
    billed amount is prorated over the stretch's units, then capped at what was
    billed minus earlier adjustments and credits, so an adjustment only bites
    when the prorated figure would exceed what is left. Either way a credit
    never exceeds what is left creditable. Under ``CreditBasis.LIST_PRICE``
    the credit is always the list price prorated, capped at what is left.
    """

    REMAINING = "remaining"
    BILLED_MINUS_ADJUSTMENTS = "billed_minus_adjustments"


class ProrationBilling(enum.Enum):
    """When the charge for a mid-period change is billed.

    ``NOW``: on a new invoice at once (Stripe's ``always_invoice``).
    ``NEXT_INVOICE``: the charge lines wait for the next renewal invoice; the
    credit for unused time is a credit note at once. ``NONE``: no proration at
    all; the change takes effect and the next renewal bills the new price.
    ``PENDING_ITEMS``: both lines, the credit too, wait as pending items for
    the next invoice (the renewal, or a final invoice when the subscription
    ends), and nothing reaches the balance until then (Stripe's default
    ``create_prorations``); the stretch records the credit at the change, so
    no later change credits that time again. A next invoice whose lines net
    negative bills the non-negative ones, and its credit lines go on a credit
    note to the balance that pays them: the excess stays in the balance, as
    Stripe's negative invoice total does.
    """

    NOW = "now"
    NEXT_INVOICE = "next_invoice"
    NONE = "none"
    PENDING_ITEMS = "pending_items"


class UpgradeTiming(enum.Enum):
    """When an upgrade takes effect."""

    IMMEDIATELY = "immediately"
    PERIOD_END = "period_end"


class DowngradeTiming(enum.Enum):
    """When a downgrade takes effect: at the end of the period, or at once with a credit note."""

    PERIOD_END = "period_end"
    IMMEDIATELY = "immediately"


class CreditDestination(enum.Enum):
    """Where a credit note's amount goes.

    ``BALANCE``: the customer's credit balance, applied to the next invoices
    (the help page; Stripe; Kill Bill). ``REFUND``: paid back to the payment
    method, never more than was paid for the credited stretch; any remainder
    goes to the balance (Lago's refund option). ``NET_THEN_REFUND``: as
    ``REFUND``, but the credit for unused time first pays the change's charge
    for the new plan, and only the remainder is paid back (one card
    transaction instead of a refund and a charge): an upgrade whose charge
    exceeds the credit refunds nothing, and a downgrade whose credit exceeds
    the charge refunds the difference, never more than was paid.
    """

    BALANCE = "balance"
    REFUND = "refund"
    NET_THEN_REFUND = "net_then_refund"


class TrialCancellation(enum.Enum):
    """What cancelling during a free trial does.

    ``SUSPEND_NOW``: the help page, "If you're in a free trial, cancellation
    immediately suspends your account", with no charge. ``KEEP_ACCESS``: access
    continues to the trial's end, which then ends the subscription, with no
    charge (Stripe's and Lago's behaviour for a trial cancelled at period end).
    """

    SUSPEND_NOW = "suspend_now"
    KEEP_ACCESS = "keep_access"


class TrialPlanChange(enum.Enum):
    """What a plan change during a free trial does to the trial's end.

    ``KEEP_TRIAL_END`` (the seed, Kill Bill and Stripe: the trial ends when it
    was going to, on the new plan). ``FROM_START`` (Lago: the trial's end is
    counted again from the subscription's first start with the new plan's trial
    length, ``started_at + trial_days``; when that is not after the change, as
    for a plan with no trial, the trial ends at the change and converts at once,
    exactly as at its end). Source: getlago/lago-api app/models/subscription.rb
    (``trial_end_datetime``: ``initial_started_at + plan.trial_period.days``;
    ``in_trial_period?`` is false once it is past).
    """

    KEEP_TRIAL_END = "keep_trial_end"
    FROM_START = "from_start"


class MissingPaymentMethod(enum.Enum):
    """What happens when a trial ends and no payment method is on file.

    ``SUSPEND`` (the seed's rule: no service without a way to pay; adding a
    payment method later restarts billing), ``CANCEL`` (end the subscription),
    or ``INVOICE`` (issue the first invoice anyway and go past due; Stripe's
    ``create_invoice``).
    """

    SUSPEND = "suspend"
    CANCEL = "cancel"
    INVOICE = "invoice"


class RetriesExhausted(enum.Enum):
    """What happens when every retry of an invoice has failed.

    ``SUSPEND`` (the seed: "Accounts suspend due to failed payments"),
    ``CANCEL`` (end the subscription; Stripe's default), ``MARK_UNPAID`` (stay
    past due with access withdrawn, like Stripe's ``unpaid``: later invoices
    are issued but not attempted, until paying the oldest unpaid invoice
    restores access and charges them), or ``STAY_PAST_DUE`` (leave it past due
    with access).
    """

    SUSPEND = "suspend"
    CANCEL = "cancel"
    MARK_UNPAID = "mark_unpaid"
    STAY_PAST_DUE = "stay_past_due"


class PastDueAccess(enum.Enum):
    """Whether a past-due customer keeps access while retries run (``KEEP`` by default)."""

    KEEP = "keep"
    RESTRICT = "restrict"


class SuspendedTime(enum.Enum):
    """Whether support's reinstatement credits the time the account was suspended."""

    NOT_CREDITED = "not_credited"
    CREDITED = "credited"


class IntervalChange(enum.Enum):
    """What a change of interval (monthly ↔ yearly) does to the billing cycle.

    ``RESTART`` (the seed, Stripe): the cycle restarts at the change, and the
    new interval is charged in full from there. ``KEEP_ANNIVERSARY`` (Lago):
    the new cycle keeps the original anchor's day and time in the new
    interval, and the new interval is charged prorated from the change to the
    end of the new-interval period holding it; a change at the period end
    bills that first, partial period prorated up to the next anniversary.
    Sources: getlago/lago-api spec/scenarios/subscriptions/upgrade_spec.rb and
    downgrade_spec.rb (monthly to yearly, charged ``days × yearly / 366`` to
    the next anniversary).
    """

    RESTART = "restart"
    KEEP_ANNIVERSARY = "keep_anniversary"


class TaxRounding(enum.Enum):
    """Where tax is rounded to the minor unit.

    ``PER_LINE``: each line's tax is rounded on its own and the invoice's tax
    is their sum (Stripe taxes each line item; Kill Bill's tax plugins add a
    TAX item per taxed item). ``PER_INVOICE``: the tax of all the lines at one
    rate is rounded once, then shared out over the lines (largest remainder),
    as Lago sums the unrounded tax of every fee at a rate and rounds the sum
    (lago-api ``Invoices::ApplyTaxesService#compute_tax_amount_cents``).
    Either way a line's taxable amount is its amount net of its discount
    lines, and lines that already carry a tax (credits) keep it.
    """

    PER_LINE = "per_line"
    PER_INVOICE = "per_invoice"


class CouponExcess(enum.Enum):
    """What becomes of an amount off larger than the invoice it discounts.

    ``FORFEIT``: the invoice stops at zero and the rest is lost (Stripe).
    ``CARRY``: the rest of a coupon applied once carries to the next invoices
    until spent (Lago).
    """

    FORFEIT = "forfeit"
    CARRY = "carry"


_MAX_FIXED_DAYS = 366
_MAX_REMINDER_DAYS = 60
_MAX_NOTICE_DAYS = 366


def _check_reminder_days(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or not 0 <= value <= _MAX_REMINDER_DAYS:
        raise InvalidPolicyError(
            f"must be an int from 0 (no reminder) to {_MAX_REMINDER_DAYS}, got {shown(value)}",
            argument=attribute.name,
            value=value,
        )


def _renewal_reminders(value: object) -> tuple[tuple[IntervalUnit, int], ...]:
    pairs = tuple(value) if isinstance(value, (tuple, list)) else None
    if pairs is None or not all(
        isinstance(pair, tuple)
        and len(pair) == 2
        and isinstance(pair[0], IntervalUnit)
        and type(pair[1]) is int
        and 1 <= pair[1] <= _MAX_REMINDER_DAYS
        for pair in pairs
    ):
        raise InvalidPolicyError(
            "must be (IntervalUnit, days) pairs with days from 1 to "
            f"{_MAX_REMINDER_DAYS}, got {shown(value)}",
            argument="renewal_reminder_days",
            value=value,
        )
    return pairs


def _check_fixed_days(_instance: object, _attribute: object, value: int | None) -> None:
    if value is None:
        return
    if type(value) is not int or not 1 <= value <= _MAX_FIXED_DAYS:
        raise InvalidPolicyError(
            f"must be None (the actual period length) or an int from 1 to {_MAX_FIXED_DAYS}, "
            f"got {shown(value)}",
            argument="fixed_denominator_days",
            value=value,
        )


def _check_notice_days(_instance: object, _attribute: object, value: object) -> None:
    if type(value) is not int or not 0 <= value <= _MAX_NOTICE_DAYS:
        raise InvalidPolicyError(
            f"must be an int from 0 (no lead time) to {_MAX_NOTICE_DAYS} days, got {shown(value)}",
            argument="price_change_notice_days",
            value=value,
        )


def _check_grant_days(_instance: object, _attribute: object, value: int | None) -> None:
    if value is not None and (type(value) is not int or not 1 <= value <= _MAX_FIXED_DAYS):
        raise InvalidPolicyError(
            "must be None (granted credit does not expire) or an int from 1 to"
            f" {_MAX_FIXED_DAYS} days, got {shown(value)}",
            argument="granted_credit_days",
            value=value,
        )


_MAX_PENDING_TIMEOUT = timedelta(days=366)


def _check_pending_timeout(_instance: object, _attribute: object, value: object) -> None:
    if not (isinstance(value, timedelta) and timedelta(0) < value <= _MAX_PENDING_TIMEOUT):
        raise InvalidPolicyError(
            f"must be a positive timedelta of at most {_MAX_PENDING_TIMEOUT.days} days, "
            f"got {shown(value)}",
            argument="pending_timeout",
            value=value,
        )


_E = TypeVar("_E", bound=enum.Enum)


def _enum_field(kind: type[_E], default: _E) -> _E:
    """A field holding one ``kind`` of choice, ``default`` unless given."""
    validator = instance_of(kind, what=f"a {kind.__name__}", error=InvalidPolicyError, typed=False)
    return attrs.field(default=default, validator=validator)


def _check_name(_instance: object, _attribute: object, value: object) -> None:
    if not (isinstance(value, str) and value and value.isascii() and value.isprintable()):
        raise InvalidPolicyError(
            f"must be a non-empty ASCII name, got {described(value)}",
            argument="name",
            value=value,
        )


@attrs.frozen
class BillingPolicy:
    """Every billing convention as a named field; the defaults are the help page's rules.

    Fields, with their choices (default first):

    - ``proration_unit``: ``SECOND`` (elapsed seconds over the period's
      seconds, Stripe) or ``DAY`` (calendar days in the cycle's time zone,
      Kill Bill and Lago).
    - ``day_count``: ``HALF_OPEN`` or ``BOTH_ENDS`` (``DAY`` unit only).
    - ``change_day``: ``NEW_PLAN`` or ``OLD_PLAN`` pays for the day of a
      change (``DAY`` unit only).
    - ``fixed_denominator_days``: ``None`` (the actual length of the period
      holding the change) or a fixed number of days, as Kill Bill allows.
    - ``rounding``: rounding mode of every line, once, to the minor unit
      (``HALF_UP``).
    - ``credit_basis``: ``BILLED`` or ``LIST_PRICE`` (see :class:`CreditBasis`).
    - ``proration_billing``: ``NOW``, ``NEXT_INVOICE``, ``NONE`` or
      ``PENDING_ITEMS`` (the credit waits for the next invoice too; Stripe).
    - ``upgrade_timing``: ``IMMEDIATELY`` or ``PERIOD_END``.
    - ``downgrade_timing``: ``PERIOD_END`` (the help page: "takes effect at
      the start of your next billing cycle with no additional charges") or
      ``IMMEDIATELY`` (a credit note for the unused time).
    - ``classify_by``: ``ANNUALISED_PRICE`` (a tie counts as an upgrade) or
      ``RANK`` (the catalog's explicit ranks).
    - ``credit_destination``: ``BALANCE``, ``REFUND`` or ``NET_THEN_REFUND``
      (the credit pays the change's charge first; the rest is refunded).
    - ``trial_cancellation``: ``SUSPEND_NOW`` (the help page) or ``KEEP_ACCESS``.
    - ``missing_payment_method``: at the trial's end without a payment method,
      ``SUSPEND`` (the seed), ``CANCEL`` or ``INVOICE`` (past due).
    - ``trial_plan_change``: a plan change during a trial ``KEEP_TRIAL_END``
      (the seed, Stripe, Kill Bill) or counts it ``FROM_START`` with the new
      plan's trial length (Lago; a trial already that long ends at the change).
    - ``trial_reminder_days``: days before the trial's end that the
      trial-ending notice goes out (3, as Stripe's ``trial_will_end``); 0 for
      none.
    - ``renewal_reminder_days``: ``(unit, days)`` pairs: a renewal reminder
      ``days`` before each period end of cycles in that unit (7 days before a
      yearly renewal by default; none for monthly).
    - ``suspended_time``: whether reinstating a suspended account credits the
      suspended time (``NOT_CREDITED`` by default).
    - ``retry_schedule``: when a declined invoice is retried
      (``SMART_RETRIES_LIKE``: 8 tries within 2 weeks).
    - ``retries_exhausted``: ``SUSPEND`` (the seed), ``CANCEL``,
      ``MARK_UNPAID`` or ``STAY_PAST_DUE``.
    - ``past_due_access``: ``KEEP`` access while retries run, or ``RESTRICT``.
    - ``pending_timeout``: how long a charge answered ``Pending`` (a bank
      debit) may wait for its result, 21 days by default (Stripe: a SEPA Direct
      Debit "can take up to 14 business days" to report success or failure,
      docs.stripe.com/payments/sepa-debit); then it counts as a soft decline
      and dunning starts. A positive ``timedelta`` of at most 366 days.
    - ``overdue_ladder``: an optional :class:`~subscription_rules.dunning.OverdueLadder`.
    - ``weeks_per_year``: how a weekly price is annualised when comparing
      plans: ``EXACT`` (365/7 weeks, so prices compare by their daily rate)
      or ``FIFTY_TWO`` (Lago: €10 a week ties €520 a year, an upgrade).
    - ``credit_cap``: ``REMAINING`` (prorate what is left after earlier
      credits) or ``BILLED_MINUS_ADJUSTMENTS`` (Kill Bill: prorate what was
      billed, capped at billed minus earlier adjustments); see :class:`CreditCap`.
    - ``interval_change``: an interval change (monthly ↔ yearly) restarts the
      cycle at the change and charges the new interval in full (``RESTART``:
      the seed, Stripe), or keeps the anniversary and charges the new interval
      prorated to the next anniversary (``KEEP_ANNIVERSARY``: Lago).
    - ``price_change_notice_days``: the lead time of a price-change notice
      (``migrate_price``): a subscription moves to a new catalog version's
      price at a period end at least this many calendar days (in the cycle's
      time zone) after the notice is sent; 30 by default, 0 to 366. No engine
      publishes a number (Kill Bill leaves the gap to the operator, "existing
      customers will need a notice period"; Stripe prescribes none; Lago
      reprices from the next invoice); EU rules for electronic communications
      services (EECC art. 105(4)) ask for one month, so every preset uses 30.
    - ``tax_rounding``: tax rounded ``PER_LINE`` (Stripe, Kill Bill's tax
      items) or ``PER_INVOICE`` (Lago: the invoice's tax at a rate is the sum
      of its fees' unrounded taxes, rounded once, lago-api
      ``app/services/invoices/apply_taxes_service.rb``); see :class:`TaxRounding`.
    - ``coupon_excess``: an amount off larger than its invoice is ``FORFEIT``
      (Stripe) or, for a coupon applied once, ``CARRY``-ed to the next
      invoices (Lago); see :class:`CouponExcess`.
    - ``granted_credit_days``: ``None`` (granted credit does not expire unless
      the grant says so) or the days after which granted credit expires.

    An interval change alone (same plan) always takes effect at once,
    crediting the unused time.

    >>> BillingPolicy(fixed_denominator_days=0)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidPolicyError: fixed_denominator_days: must be None (the actual period length) or an int from 1 to 366, got 0
    """

    name: str = attrs.field(default="custom", validator=_check_name)
    proration_unit: ProrationUnit = _enum_field(ProrationUnit, ProrationUnit.SECOND)
    day_count: DayCount = _enum_field(DayCount, DayCount.HALF_OPEN)
    change_day: ChangeDay = _enum_field(ChangeDay, ChangeDay.NEW_PLAN)
    fixed_denominator_days: int | None = attrs.field(default=None, validator=_check_fixed_days)
    rounding: RoundingMode = _enum_field(RoundingMode, RoundingMode.HALF_UP)
    credit_basis: CreditBasis = _enum_field(CreditBasis, CreditBasis.BILLED)
    proration_billing: ProrationBilling = _enum_field(ProrationBilling, ProrationBilling.NOW)
    upgrade_timing: UpgradeTiming = _enum_field(UpgradeTiming, UpgradeTiming.IMMEDIATELY)
    downgrade_timing: DowngradeTiming = _enum_field(DowngradeTiming, DowngradeTiming.PERIOD_END)
    classify_by: Comparison = _enum_field(Comparison, Comparison.ANNUALISED_PRICE)
    credit_destination: CreditDestination = _enum_field(
        CreditDestination, CreditDestination.BALANCE
    )
    trial_cancellation: TrialCancellation = _enum_field(
        TrialCancellation, TrialCancellation.SUSPEND_NOW
    )
    missing_payment_method: MissingPaymentMethod = _enum_field(
        MissingPaymentMethod, MissingPaymentMethod.SUSPEND
    )
    trial_plan_change: TrialPlanChange = _enum_field(
        TrialPlanChange, TrialPlanChange.KEEP_TRIAL_END
    )
    trial_reminder_days: int = attrs.field(default=3, validator=_check_reminder_days)
    renewal_reminder_days: tuple[tuple[IntervalUnit, int], ...] = attrs.field(
        default=((IntervalUnit.YEAR, 7),), converter=_renewal_reminders
    )
    suspended_time: SuspendedTime = _enum_field(SuspendedTime, SuspendedTime.NOT_CREDITED)
    retry_schedule: RetrySchedule = attrs.field(
        default=SMART_RETRIES_LIKE,
        validator=instance_of(RetrySchedule, error=InvalidPolicyError, typed=False),
    )
    retries_exhausted: RetriesExhausted = _enum_field(RetriesExhausted, RetriesExhausted.SUSPEND)
    past_due_access: PastDueAccess = _enum_field(PastDueAccess, PastDueAccess.KEEP)
    overdue_ladder: OverdueLadder | None = attrs.field(
        default=None,
        validator=instance_of(
            (OverdueLadder, type(None)),
            what="OverdueLadder or None",
            error=InvalidPolicyError,
            typed=False,
        ),
    )

    weeks_per_year: WeeksPerYear = _enum_field(WeeksPerYear, WeeksPerYear.EXACT)
    pending_timeout: timedelta = attrs.field(
        default=timedelta(days=21), validator=_check_pending_timeout
    )
    credit_cap: CreditCap = _enum_field(CreditCap, CreditCap.REMAINING)
    interval_change: IntervalChange = _enum_field(IntervalChange, IntervalChange.RESTART)
    price_change_notice_days: int = attrs.field(default=30, validator=_check_notice_days)
    tax_rounding: TaxRounding = _enum_field(TaxRounding, TaxRounding.PER_LINE)
    coupon_excess: CouponExcess = _enum_field(CouponExcess, CouponExcess.FORFEIT)
    granted_credit_days: int | None = attrs.field(default=None, validator=_check_grant_days)

    def __attrs_post_init__(self) -> None:
        # Refused combinations: a convention the rules would otherwise silently ignore.
        if self.proration_billing is ProrationBilling.PENDING_ITEMS and (
            self.credit_destination is not CreditDestination.BALANCE
        ):
            raise InvalidPolicyError(
                f"{self.credit_destination} cannot apply under ProrationBilling.PENDING_ITEMS: "
                "the credit for unused time waits on the next invoice, so nothing is refunded "
                "at the change; use CreditDestination.BALANCE",
                argument="credit_destination",
                value=self.credit_destination,
            )
        self._check_preset_name()

    def _check_preset_name(self) -> None:
        """Refuse a preset's name on other rules: a host storing the name would reload the preset.

        ``PRESETS`` does not exist yet while the presets themselves are built.
        """
        presets: Mapping[str, BillingPolicy] = globals().get("PRESETS", {})
        reserved = presets.get(self.name)
        if reserved is None or reserved == self:
            return
        changed = [
            field.name
            for field in attrs.fields(BillingPolicy)
            if getattr(self, field.name) != getattr(reserved, field.name)
        ]
        raise InvalidPolicyError(
            f"{self.name!r} is the name of a preset, and this policy changes its "
            f"{', '.join(changed)}; give the changed policy a name of its own "
            "(attrs.evolve(preset, name=..., ...))",
            argument="name",
            value=self.name,
        )

    def renewal_reminder(self, unit: IntervalUnit) -> int | None:
        """Days before a period end of a cycle in ``unit`` to send the renewal reminder.

        >>> from subscription_rules.periods import IntervalUnit
        >>> SEED_POLICY.renewal_reminder(IntervalUnit.YEAR), SEED_POLICY.renewal_reminder(
        ...     IntervalUnit.MONTH)
        (7, None)
        """
        for reminder_unit, days in self.renewal_reminder_days:
            if reminder_unit is unit:
                return days
        return None


#: The help page's own rules: per-second proration billed at once, upgrades
#: immediate, downgrades at the end of the period, credit to the balance.
SEED_POLICY = BillingPolicy(name="seed")

#: Stripe's published behaviour: per-second proration over the current
#: period's length, each line rounded on its own; credit for unused time from
#: what was billed ("flexible" billing mode, the default for new accounts since
#: 2025); both proration lines, the credit too, wait as pending items for
#: the next invoice (``create_prorations``);
#: upgrades and downgrades both immediate; credit to the customer balance; a
#: trial cancelled at period end keeps access to its end; a trial ending
#: without a payment method creates an invoice (``missing_payment_method:
#: create_invoice``); ``customer.subscription.trial_will_end`` 3 days before.
#: Sources: docs.stripe.com/billing/subscriptions/prorations,
#: docs.stripe.com/billing/subscriptions/billing-mode and
#: docs.stripe.com/billing/subscriptions/trials.
STRIPE_LIKE = BillingPolicy(
    name="stripe",
    proration_billing=ProrationBilling.PENDING_ITEMS,
    downgrade_timing=DowngradeTiming.IMMEDIATELY,
    trial_cancellation=TrialCancellation.KEEP_ACCESS,
    missing_payment_method=MissingPaymentMethod.INVOICE,
    retries_exhausted=RetriesExhausted.CANCEL,
)

#: Kill Bill's documented defaults: proration in days, half-open, the change
#: day billed to the new plan; rounding half-up to the currency; credit capped
#: at the item net of earlier adjustments, to the account credit; upgrades
#: immediate and downgrades at the end of the term (its default catalog's
#: change rules). Source: docs.killbill.io, "Subscription Billing" and
#: "Catalog" (plan change policy, proration).
KILL_BILL_LIKE = BillingPolicy(
    name="killbill",
    proration_unit=ProrationUnit.DAY,
    day_count=DayCount.HALF_OPEN,
    change_day=ChangeDay.NEW_PLAN,
    missing_payment_method=MissingPaymentMethod.INVOICE,
    retry_schedule=KILL_BILL_EXAMPLE,
    retries_exhausted=RetriesExhausted.STAY_PAST_DUE,
    credit_cap=CreditCap.BILLED_MINUS_ADJUSTMENTS,
)

#: Lago's documented behaviour: proration in days with both end days counted,
#: in the customer's time zone (give the cycle that zone); the upgrade day paid
#: by the new plan; amounts rounded to the currency; credit notes capped at the
#: fee net of earlier credit notes; upgrades immediate, downgrades at the end
#: of the period; annualised price decides, a tie counts as an upgrade, a
#: week counting 1/52 of a year (``Plan#yearly_amount_cents``); a plan
#: change during a trial counts the trial from the first start with the new
#: plan's length (``app/models/subscription.rb``).
#: Source: getlago.com/docs, "Upgrades and downgrades" and "Credit notes";
#: getlago/lago-api ``app/models/plan.rb`` and ``app/models/subscription.rb``.
LAGO_LIKE = BillingPolicy(
    name="lago",
    proration_unit=ProrationUnit.DAY,
    day_count=DayCount.BOTH_ENDS,
    change_day=ChangeDay.NEW_PLAN,
    missing_payment_method=MissingPaymentMethod.INVOICE,
    retry_schedule=THREE_RETRIES,
    retries_exhausted=RetriesExhausted.STAY_PAST_DUE,
    weeks_per_year=WeeksPerYear.FIFTY_TWO,
    trial_plan_change=TrialPlanChange.FROM_START,
    interval_change=IntervalChange.KEEP_ANNIVERSARY,
    tax_rounding=TaxRounding.PER_INVOICE,
    coupon_excess=CouponExcess.CARRY,
)

#: The presets by name, for the command line's ``--policy``.
PRESETS: Mapping[str, BillingPolicy] = MappingProxyType(
    {p.name: p for p in (SEED_POLICY, STRIPE_LIKE, KILL_BILL_LIKE, LAGO_LIKE)}
)


def preset(policy: str) -> BillingPolicy:
    """Return the preset called ``policy`` (``seed``, ``stripe``, ``killbill``, ``lago``).

    >>> preset("lago").day_count
    <DayCount.BOTH_ENDS: 'both_ends'>
    >>> preset("chargebee")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidPolicyError: policy: unknown preset 'chargebee'; known presets: 'seed', 'stripe', 'killbill', 'lago'
    """
    given: object = policy  # checked at run time: the command line passes user text
    found = PRESETS.get(given) if isinstance(given, str) else None
    if found is None:
        known = ", ".join(repr(key) for key in PRESETS)
        raise InvalidPolicyError(
            f"unknown preset {shown(policy)}; known presets: {known}",
            argument="policy",
            value=policy,
        )
    return found
