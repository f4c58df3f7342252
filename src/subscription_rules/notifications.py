"""Billing notices: what happened, as typed facts, never rendered email text.

A :class:`Notice` names its :class:`NoticeKind`, the subscription, the moment
and the facts a template needs (plan names, amounts, dates). Its ``key`` is
deterministic, so the same notice for the same subscription and occasion is
never sent twice. :func:`channels_for` decides where a notice goes from the
customer's :class:`Preferences`: every notice is logged (the help page: Stripe
"logs them on our servers"), appears on the dashboard, and is emailed unless the
customer unsubscribed — which billing notices ignore ("Unsubscribe from all
email notifications except billing emails").

>>> n = Notice(NoticeKind.UPGRADED, "sub_1", "cus_1", datetime(2026, 11, 16, tzinfo=UTC),
...            (("from_plan", "Personal"), ("to_plan", "Advanced")), occasion="change-1")
>>> n.key
'sub_1:upgraded:change-1'
>>> n.summary()
'2026-11-16 upgraded: from_plan=Personal, to_plan=Advanced'
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import NamedTuple, TypeAlias, cast

import attrs

from subscription_rules._checks import described, expect
from subscription_rules.errors import InvalidArgumentError
from subscription_rules.money import Money
from subscription_rules.periods import require_aware

__all__ = [
    "BILLING",
    "PRODUCT",
    "Category",
    "Channel",
    "Fact",
    "FactName",
    "FactPair",
    "FactValue",
    "Notice",
    "NoticeKind",
    "Preferences",
    "channels_for",
]


class NoticeKind(enum.Enum):
    """Every significant subscription event a customer is told about."""

    TRIAL_STARTED = "trial_started"
    TRIAL_ENDING = "trial_ending"
    TRIAL_CONVERTED = "trial_converted"
    TRIAL_CANCELLED = "trial_cancelled"
    TRIAL_END_CHANGED = "trial_end_changed"
    SUBSCRIPTION_STARTED = "subscription_started"
    UPGRADED = "upgraded"
    UPGRADE_SCHEDULED = "upgrade_scheduled"
    DOWNGRADE_SCHEDULED = "downgrade_scheduled"
    DOWNGRADE_CANCELLED = "downgrade_cancelled"
    DOWNGRADED = "downgraded"
    DOWNGRADE_BLOCKED = "downgrade_blocked"
    INTERVAL_CHANGED = "interval_changed"
    CANCELLATION_SCHEDULED = "cancellation_scheduled"
    CANCELLATION_UNDONE = "cancellation_undone"
    SUBSCRIPTION_ENDED = "subscription_ended"
    RENEWAL_UPCOMING = "renewal_upcoming"
    RENEWED = "renewed"
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    PAYMENT_METHOD_NEEDED = "payment_method_needed"
    RETRY_SCHEDULED = "retry_scheduled"
    FINAL_ATTEMPT_FAILED = "final_attempt_failed"
    PAYMENT_RECOVERED = "payment_recovered"
    OVERDUE_STATE_ENTERED = "overdue_state_entered"
    ACCOUNT_SUSPENDED = "account_suspended"
    ACCOUNT_REINSTATED = "account_reinstated"
    CREDIT_NOTE_ISSUED = "credit_note_issued"
    DUPLICATE_PAYMENT_REFUNDED = "duplicate_payment_refunded"
    PRICE_CHANGE_SCHEDULED = "price_change_scheduled"
    PRICE_CHANGED = "price_changed"
    CREDIT_ADDED = "credit_added"
    CREDIT_EXPIRED = "credit_expired"
    TOP_UP_FAILED = "top_up_failed"


#: A fact's value: text, an amount, an instant or a count.
FactValue: TypeAlias = str | Money | datetime | int


class FactName(enum.StrEnum):
    """The name of every fact the library's notices carry, for templates to rely on.

    A ``str`` enum: ``FactName.PLAN == "plan"``, so ``notice.fact("plan")``
    works as well as ``notice.fact(FactName.PLAN)``. A host's own notices may
    use other names.

    >>> FactName.NEXT_RETRY == "next_retry", FactName("trial_end") is FactName.TRIAL_END
    (True, True)
    """

    ACTIONS = "actions"
    AMOUNT = "amount"
    AMOUNT_DUE = "amount_due"
    ATTEMPT = "attempt"
    BALANCE = "balance"
    CANCELLED_AT = "cancelled_at"
    CREDIT_AFTER = "credit_after"
    CREDIT_NOTE = "credit_note"
    DEADLINE = "deadline"
    EFFECTIVE_AT = "effective_at"
    ENDED_AT = "ended_at"
    ENDS_AT = "ends_at"
    FROM_PLAN = "from_plan"
    FROM_QUANTITY = "from_quantity"
    HAS_PAYMENT_METHOD = "has_payment_method"
    INTERVAL = "interval"
    INVOICE = "invoice"
    NEW_AMOUNT = "new_amount"
    NEXT_RETRY = "next_retry"
    OCCURRED_AT = "occurred_at"
    OLD_AMOUNT = "old_amount"
    OVERDUE_STATE = "overdue_state"
    PERIOD_END = "period_end"
    PLAN = "plan"
    PREVIOUS_TRIAL_END = "previous_trial_end"
    QUANTITY = "quantity"
    REASON = "reason"
    REINSTATED_AT = "reinstated_at"
    RENEWS_AT = "renews_at"
    RETRY_AT = "retry_at"
    STATE = "state"
    SUSPENDED_AT = "suspended_at"
    TO_BALANCE = "to_balance"
    TO_INTERVAL = "to_interval"
    TO_PLAN = "to_plan"
    TO_QUANTITY = "to_quantity"
    TRIAL_DAYS = "trial_days"
    TRIAL_END = "trial_end"
    WAS_EFFECTIVE_AT = "was_effective_at"


class Fact(NamedTuple):
    """One named fact of a notice: a pair, so ``name, value = fact`` and ``fact == ("plan", "Pro")``.

    The name is a :class:`FactName` for every fact the library knows, the
    host's own ``str`` otherwise.

    >>> fact = Fact(FactName.PLAN, "Pro")
    >>> fact.name is FactName.PLAN, fact == ("plan", "Pro")
    (True, True)
    """

    name: str
    value: FactValue


#: A fact as the rules write it: a known name and its value.
FactPair: TypeAlias = tuple[FactName, FactValue]


def _fact_text(value: FactValue) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


class Channel(enum.Enum):
    """Where a notice is delivered."""

    EMAIL = "email"
    DASHBOARD = "dashboard"
    AUDIT_LOG = "audit_log"


def _check_bool(_instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    expect(value, bool, attribute.name)  # "no" is not False: nothing is coerced


def _check_name(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not (isinstance(value, str) and value and value.isascii() and value.isprintable()):
        raise InvalidArgumentError(
            f"expected a non-empty ASCII name, got {described(value)}",
            argument=attribute.name,
            value=value,
        )


def _check_unsubscribed(
    _instance: object, attribute: attrs.Attribute[frozenset[str]], value: object
) -> None:
    # A str would match its substrings ("product" in "product-news"): a set of names only.
    if not (isinstance(value, frozenset) and all(isinstance(name, str) for name in value)):
        raise InvalidArgumentError(
            f"expected a frozenset of category names such as frozenset({{'product'}}), got "
            f"{described(value)}",
            argument=attribute.name,
            value=value,
        )


@attrs.frozen
class Category:
    """A group of notices a customer may (or, if ``mandatory``, may not) unsubscribe from.

    Hosts add their own categories for their own notices.

    >>> Category("newsletter").mandatory, BILLING.mandatory
    (False, True)
    """

    name: str = attrs.field(validator=_check_name)
    mandatory: bool = attrs.field(default=False, validator=_check_bool)


#: Every notice of this library: money, access and plan changes. Cannot be unsubscribed from.
BILLING = Category("billing", mandatory=True)

#: An example of a host's optional category (product news); customers may unsubscribe.
PRODUCT = Category("product")


@attrs.frozen
class Preferences:
    """A customer's notification preferences.

    ``email_opt_out`` unsubscribes from all optional email;
    ``unsubscribed`` names optional categories unsubscribed from one by one.
    Neither stops billing email:

    >>> import attrs
    >>> from subscription_rules.notifications import (
    ...     PRODUCT, Notice, NoticeKind, Preferences, channels_for)
    >>> prefs = Preferences(unsubscribed=frozenset({"product"}))
    >>> renewed = Notice(NoticeKind.RENEWED, "s", "c", datetime(2026, 12, 1, tzinfo=UTC),
    ...                  (), "period-1")
    >>> [c.value for c in channels_for(renewed, prefs)]
    ['email', 'dashboard', 'audit_log']
    >>> [c.value for c in channels_for(attrs.evolve(renewed, category=PRODUCT), prefs)]
    ['dashboard', 'audit_log']
    """

    email_opt_out: bool = attrs.field(default=False, validator=_check_bool)
    unsubscribed: frozenset[str] = attrs.field(default=frozenset(), validator=_check_unsubscribed)


# The types a fact's value may have (FactValue).
_FACT_TYPES: tuple[type, ...] = (str, Money, datetime, int)

# The types of kind, subscription_id, customer_id, facts and occasion.
_FIELD_TYPES: tuple[type, ...] = (NoticeKind, str, str, tuple, str)


_NAMES: dict[str, FactName] = {name.value: name for name in FactName}


def _facts(value: tuple[tuple[str, FactValue], ...]) -> tuple[Fact, ...]:
    """``(name, value)`` pairs as :class:`Fact` values, known names as :class:`FactName`.

    Anything else is kept as given, for the notice's check to refuse by name.
    """
    given: object = value  # checked at run time: hosts build notices too
    if type(given) is not tuple:
        return value  # type: ignore[return-value]  # refused by __attrs_post_init__
    facts: list[Fact] = []
    for fact in given:
        if type(fact) is Fact:
            facts.append(fact)
        elif (
            type(fact) is tuple
            and len(fact) == 2
            and isinstance(fact[0], str)
            and isinstance(fact[1], _FACT_TYPES)
            and not isinstance(fact[1], bool)  # a count is an int, a flag is not one
        ):
            facts.append(Fact(_NAMES.get(fact[0], fact[0]), cast("FactValue", fact[1])))
        else:
            return value  # type: ignore[return-value]  # refused by __attrs_post_init__
    return tuple(facts)


@attrs.frozen
class Notice:
    """One notice to send: kind, subscription, moment, typed facts and a deterministic key.

    ``occasion`` distinguishes notices of one kind for one subscription (a
    period, an invoice, a change number); the key is built from the three.

    >>> from subscription_rules.notifications import Notice, NoticeKind
    >>> n = Notice(NoticeKind.PAYMENT_FAILED, "sub_1", "cus_1", datetime(2026, 12, 1, tzinfo=UTC),
    ...            (("amount", Money.of("150", "USD")),), occasion="sub_1-INV-0002")
    >>> n.key
    'sub_1:payment_failed:sub_1-INV-0002'
    >>> n.category.name, str(n.fact("amount"))
    ('billing', 'USD 150.00')
    >>> n.summary()
    '2026-12-01 payment_failed: amount=USD 150.00'
    """

    kind: NoticeKind
    subscription_id: str
    customer_id: str
    at: datetime
    facts: tuple[Fact, ...] = attrs.field(converter=_facts)
    occasion: str
    category: Category = BILLING

    def __attrs_post_init__(self) -> None:
        at: object = self.at
        fields = (self.kind, self.subscription_id, self.customer_id, self.facts, self.occasion)
        if not (
            isinstance(at, datetime)
            and at.utcoffset() is not None
            and tuple(map(type, fields)) == _FIELD_TYPES
        ):  # else the rules' own notices: their fields' types checked at once
            expect(self.kind, NoticeKind, "kind")
            expect(self.subscription_id, str, "subscription_id")
            expect(self.customer_id, str, "customer_id")
            require_aware(self.at, "at")
            expect(self.facts, tuple, "facts")
            expect(self.occasion, str, "occasion")
        facts: tuple[object, ...] = self.facts  # checked at run time: hosts build notices too
        for fact in facts:
            if type(fact) is not Fact:  # a pair of a name and a value of a fact's type
                raise InvalidArgumentError(
                    "expected (name, value) pairs with a str, Money, datetime or int value, got "
                    f"{described(fact)}",
                    argument="facts",
                    value=self.facts,
                )
        expect(self.category, Category, "category")

    @property
    def key(self) -> str:
        """The deduplication key: subscription, kind and occasion."""
        return f"{self.subscription_id}:{self.kind.value}:{self.occasion}"

    def fact(self, name: FactName | str) -> FactValue | None:
        """Return the fact called ``name``, or ``None``.

        >>> n = Notice(NoticeKind.RENEWED, "s", "c", datetime(2026, 1, 1, tzinfo=UTC),
        ...            (("plan", "Pro"),), "p1")
        >>> n.fact("plan"), n.fact("amount")
        ('Pro', None)
        """
        for key, value in self.facts:
            if key == name:
                return value
        return None

    def summary(self) -> str:
        """Return a plain one-line summary for the command line and logs."""
        facts = ", ".join(f"{name}={_fact_text(value)}" for name, value in self.facts)
        return f"{self.at.date().isoformat()} {self.kind.value}: {facts}"


def channels_for(notice: Notice, preferences: Preferences) -> tuple[Channel, ...]:
    """Return the channels ``notice`` goes to under ``preferences``.

    The audit log and the dashboard always; email unless the customer opted
    out of it or of the notice's category — ignored for mandatory (billing)
    notices.

    >>> failed = Notice(NoticeKind.PAYMENT_FAILED, "s", "c", datetime(2026, 1, 1, tzinfo=UTC),
    ...                 (), "inv-1")
    >>> [c.value for c in channels_for(failed, Preferences(email_opt_out=True))]
    ['email', 'dashboard', 'audit_log']
    >>> news = attrs.evolve(failed, category=PRODUCT)
    >>> [c.value for c in channels_for(news, Preferences(email_opt_out=True))]
    ['dashboard', 'audit_log']
    """
    expect(notice, Notice, "notice")
    expect(preferences, Preferences, "preferences")
    category = notice.category
    email = category.mandatory or not (
        preferences.email_opt_out or category.name in preferences.unsubscribed
    )
    if email:
        return (Channel.EMAIL, Channel.DASHBOARD, Channel.AUDIT_LOG)
    return (Channel.DASHBOARD, Channel.AUDIT_LOG)
