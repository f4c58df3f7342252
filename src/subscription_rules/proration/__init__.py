"""Plan, interval and timing of a change: what it costs, line by line, and the decision.

:func:`quote_change` previews a change without changing anything;
:func:`change_plan` applies the same arithmetic and returns a ``Decision``.
A mid-period change has two separately rounded lines: a credit for the unused
time on the current plan and a charge for the remaining time on the new one.
The credit is worked out from what was billed for that stretch of the period,
net of earlier credits, and never exceeds it, so no sequence of changes can
mint money. An interval change (monthly ↔ yearly) credits the unused time and
charges the new interval in full from the change, restarting the cycle there,
or (``IntervalChange.KEEP_ANNIVERSARY``) prorated to the next anniversary.

The help page's example: a customer on Advanced (USD 150.00 a month) moves to
Pro (USD 300.00) halfway through a 30-day November.

>>> catalog = default_catalog()
>>> started = start_subscription("sub_1", "cus_1", "advanced", MONTHLY,
...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, trial=False, policy=SEED_POLICY)
>>> quote = quote_change(started.subscription, "pro", MONTHLY,
...     datetime(2026, 11, 16, tzinfo=UTC), catalog=catalog, usage=Usage.of(properties=4), policy=SEED_POLICY)
>>> for line in quote.lines:
...     print(line)
Unused time on Advanced from 16 Nov 2026 to 1 Dec 2026: USD -75.00
Remaining time on Pro from 16 Nov 2026 to 1 Dec 2026: USD 150.00
>>> str(quote.amount_due_now)
'USD 75.00'
"""

from subscription_rules.proration._change import cancel_pending_change, change_plan, change_quantity
from subscription_rules.proration._quote import ChangeQuote, Timing, quote_change

__all__ = [
    "ChangeQuote",
    "Timing",
    "cancel_pending_change",
    "change_plan",
    "change_quantity",
    "quote_change",
]
