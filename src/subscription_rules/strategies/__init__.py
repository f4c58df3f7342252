"""Hypothesis strategies for every public value, registered so ``st.from_type`` finds them.

Needs the ``hypothesis`` extra (``pip install "subscription-rules[hypothesis]"``);
the core never imports this module.

Every value is made by the library's own constructors and commands: a
subscription is started with ``start_subscription`` and taken where it is
going by ``advance``, ``cancel``, ``suspend``, ``change_plan`` and the other
commands, at later and later instants. So every value passes its type's own
validation, and a subscription is one a host could really hold. Each strategy
shrinks toward the simplest value it has: USD, monthly, UTC, midnight on
1 January 2000, the seed policy, a subscription with no history.

Installed, the package registers these strategies through Hypothesis'
``hypothesis`` entry point, so ``st.from_type(Subscription)`` (and
``@given`` with a type annotation) works in a host's tests with no set-up:

>>> from hypothesis import given, settings
>>> from hypothesis import strategies as st
>>> from subscription_rules import Subscription
>>> @settings(max_examples=5)
... @given(st.from_type(Subscription))
... def test_a_balance_is_never_negative(sub: Subscription) -> None:
...     assert not sub.credit_balance.is_negative()
>>> test_a_balance_is_never_negative()
"""

from __future__ import annotations

# Hypothesis first: importing it runs its entry points, and the hook they call
# (``_hook``) imports the modules below, none of which may be half-imported then.
import hypothesis  # noqa: F401 - imported for its side effect, as said above

from subscription_rules.strategies._commands import commands
from subscription_rules.strategies._coupons import coupons, discounts
from subscription_rules.strategies._hook import _hypothesis_setup_hook as _hypothesis_setup_hook
from subscription_rules.strategies._lives import decisions, subscriptions
from subscription_rules.strategies._policies import (
    overdue_ladders,
    overdue_states,
    policies,
    retry_schedules,
)
from subscription_rules.strategies._values import (
    catalogs,
    currencies,
    cycles,
    instants,
    intervals,
    limits,
    metrics,
    money,
    offset_changes,
    overages,
    periods,
    plans,
    prices,
    time_zones,
    usages,
)

__all__ = [
    "catalogs",
    "commands",
    "coupons",
    "currencies",
    "cycles",
    "decisions",
    "discounts",
    "instants",
    "intervals",
    "limits",
    "metrics",
    "money",
    "offset_changes",
    "overages",
    "overdue_ladders",
    "overdue_states",
    "periods",
    "plans",
    "policies",
    "prices",
    "retry_schedules",
    "subscriptions",
    "time_zones",
    "usages",
]

# Importing this package registers the strategies even where its entry point is
# not installed (a vendored copy, HYPOTHESIS_NO_PLUGINS set).
_hypothesis_setup_hook()
