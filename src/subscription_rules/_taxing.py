"""Taxes on what an invoice bills: the customer's rate, per line or per invoice.

(Skeleton: the taxes work fills it in.) :func:`taxed` returns the lines with
their ``tax`` set (lines that already carry one, credits for time billed
before, keep it) and the invoice's legal mentions.
"""

from __future__ import annotations

from subscription_rules.invoices import Line
from subscription_rules.policy import BillingPolicy
from subscription_rules.subscription import Subscription


def taxed(
    sub: Subscription, lines: tuple[Line, ...], policy: BillingPolicy
) -> tuple[tuple[Line, ...], tuple[str, ...]]:
    """``lines`` with their tax, and the mentions the invoice must carry."""
    del policy
    if sub.tax is None:
        return lines, ()
    return lines, ()
