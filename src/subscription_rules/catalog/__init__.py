r"""The catalog: metrics, limits, prices and plans, and how to load one from TOML.

A :class:`Catalog` is an immutable list of :class:`Plan` values, sold in one
or several currencies, plus the :class:`Metric` values their :class:`Limits`
refer to. It also answers the question every plan change starts with: is this
move an upgrade, a downgrade or an interval change (:func:`classify_move`)?

The built-in :func:`default_catalog` is shaped like the help page the library
implements (Personal, Advanced, Pro); its prices are illustrative.

Every malformed value raises :class:`~subscription_rules.errors.CatalogError`,
whose message starts with the plan and key at fault (``plan`` and ``key`` are
also attributes).

>>> from subscription_rules.periods import MONTHLY
>>> catalog = default_catalog()
>>> catalog.ids
('personal', 'advanced', 'pro')
>>> catalog.plan("advanced").limit("properties") - catalog.plan("personal").limit("properties")
7
>>> catalog.classify("advanced", MONTHLY, "personal", MONTHLY)
<MoveKind.DOWNGRADE: 'downgrade'>

TOML format
-----------

:func:`parse_catalog` reads a TOML document and :func:`load_catalog` a TOML
file (UTF-8)::

    currency = "USD"            # required: an ISO 4217 code, the catalog's default
                                # currency: amounts written directly in a plan's
                                # prices and overage are in it

    [version]                   # optional: the catalog's version (CatalogVersion)
    name = "2027-01"            # required: an identifier (a-z, 0-9, ".", "_", "-")
    effective = 2027-01-01      # required: a date (00:00 UTC) or a date-time with
                                # an offset (2027-01-01T09:00:00+01:00)

    [[metrics]]                 # optional; when present it replaces the default
    name = "seats"              # metrics (properties, integrations,
    kind = "stock"              # billable_sessions). kind: "stock" or "per_period"
    singular = "seat"           # all five keys are required
    plural = "seats"
    verb = "remove"

    [[plans]]                   # required: one table per plan, at least one
    id = "personal"             # required: a lower-case slug (a-z, 0-9, ".", "_", "-")
    name = "Personal"           # required: the display name
    trial_days = 14             # optional, default 0: an integer from 0 to 730
    rank = 1                    # optional: on every plan or on none, unique;
                                # a higher rank is a bigger plan
    unit = "seats"              # optional: every price is per unit of this stock
                                # metric (a subscription holds a quantity of it)
    retired = false             # optional, default false: true = no longer sold;
                                # its subscriptions keep renewing

    [plans.prices]              # required, at least one: interval = amount, in
    monthly = "50.00"           # the catalog's currency. Amounts in major units,
    yearly = "500.00"           # as a string ("50.00") or an integer (50); floats
                                # are refused

    [plans.prices.EUR]          # optional, one per other currency: the same
    monthly = "45.00"           # intervals, priced in that currency
    yearly = "450.00"

    # A tiered price (the plan needs a unit) is a table in place of an amount:
    #   [plans.prices.monthly]
    #   mode = "graduated"      # or "volume"
    #   tiers = [{ up_to = 5, unit_amount = "7.00" },
    #            { unit_amount = "6.00", flat_amount = "10.00" }]
    # up_to is the last unit of a tier (only the last tier leaves it out); a
    # tier has a unit_amount, a flat_amount (a fee once reached) or both.

    [plans.limits]              # optional: metric = integer >= 0 or "unlimited";
    properties = 3              # an omitted metric is unlimited
    integrations = "unlimited"
    billable_sessions = 100_000

    [plans.overage.billable_sessions]   # optional, one table per metric: what usage
    price = "5.00"              # over the limit costs, billed in arrears. Either
    per = 1000                  # price (per: optional, default 1, from 1 to
                                # 10**9), charged pro rata per unit (price ×
                                # excess / per, rounded once), never in whole
                                # blocks; or package = {price, size, free_units}
                                # (per started package of size units, after
                                # free_units, default 0); or mode and tiers, as
                                # for a tiered price. Only for a per-period metric
                                # with a finite limit.

    [plans.overage.billable_sessions.EUR]   # the same, in each other currency
    price = "4.50"                          # the plan is sold in (required)
    per = 1000

Price keys are anything :meth:`Interval.parse <subscription_rules.periods.Interval.parse>`
accepts: ``monthly``/``month``, ``quarterly``, ``yearly``/``annual``/``year``,
``weekly``, ``daily``, ``"6 months"`` (quoted, since it holds a space), ...;
one price per interval and currency, every currency at the same intervals. A
key of ``[plans.prices]`` that is not an interval and holds a table names a
currency (an ISO 4217 code, ``EUR`` or ``eur``).

Every mistake raises :class:`~subscription_rules.errors.CatalogError` naming
where it is, as ``plans[<index>] ('<id>').<key>`` (``plans[<index>]`` while the
id is unknown), ``metrics[<index>].<key>`` or the top-level key: a TOML syntax
error (with tomllib's line and column), a missing key, a value of the wrong
type, a float, negative or too precise amount, an unknown currency, interval or
metric, a duplicate plan id, interval or currency, a plan without a price in
the catalog's currency or missing an interval in another, a ``unit`` that is
not a stock metric, a tiered price without a ``unit``, tiers out of order or
with a bound on the last one, an overage for a stock metric or for a metric
without a finite limit or without a price in one of the plan's currencies (as
``plans[<index>] ('<id>').overage.<metric>``), a version's date-time without an
offset, and any key not listed above (so that a typo never passes silently).

Limits: a document larger than :data:`MAX_CATALOG_BYTES` (1 MiB) or with more
than :data:`MAX_PLANS` (1,000) plans is refused, and so is a limit above
:data:`MAX_COUNT` (10**15), an integer of more than 4,300 digits and arrays or
inline tables nested hundreds deep (as invalid TOML). Loading a file is the only
I/O this library does, and only when asked.

>>> parse_catalog('currency = "USD"\n[[plans]]\nid = "a"\nname = "A"\nprices = {monthly = 9.99}')
Traceback (most recent call last):
subscription_rules.errors.CatalogError: plans[0] ('a').prices.monthly: floats are refused for money, got 9.99; write the amount as a string such as '9.99'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from subscription_rules._lazy import lazy_names
from subscription_rules.catalog._catalog import (
    Catalog,
    CatalogVersion,
    check_new_version,
    default_catalog,
)
from subscription_rules.catalog._checks import MAX_COUNT
from subscription_rules.catalog._moves import (
    Comparison,
    MoveKind,
    WeeksPerYear,
    annualised,
    classify_move,
)
from subscription_rules.catalog._prices import (
    MAX_OVERAGE_PER as MAX_OVERAGE_PER,
)
from subscription_rules.catalog._prices import Overage, Price, check_quantity
from subscription_rules.catalog._tiers import PackagePrice, Tier, TierMode, TierTable
from subscription_rules.catalog._values import (
    BILLABLE_SESSIONS,
    DEFAULT_METRICS,
    INTEGRATIONS,
    MAX_CATALOG_BYTES,
    MAX_PLANS,
    PROPERTIES,
    Limits,
    Metric,
    MetricKind,
    Plan,
)
from subscription_rules.catalog._values import (
    MAX_TRIAL_DAYS as MAX_TRIAL_DAYS,
)

if TYPE_CHECKING:
    from subscription_rules.catalog._loading import load_catalog, parse_catalog
else:  # the TOML reader, loaded when a catalog is first parsed (``_lazy``)
    __getattr__ = lazy_names(
        __name__, {"subscription_rules.catalog._loading": ("load_catalog", "parse_catalog")}
    )

__all__ = [
    "BILLABLE_SESSIONS",
    "DEFAULT_METRICS",
    "INTEGRATIONS",
    "MAX_CATALOG_BYTES",
    "MAX_COUNT",
    "MAX_PLANS",
    "PROPERTIES",
    "Catalog",
    "CatalogVersion",
    "Comparison",
    "Limits",
    "Metric",
    "MetricKind",
    "MoveKind",
    "Overage",
    "PackagePrice",
    "Plan",
    "Price",
    "Tier",
    "TierMode",
    "TierTable",
    "WeeksPerYear",
    "annualised",
    "check_new_version",
    "check_quantity",
    "classify_move",
    "default_catalog",
    "load_catalog",
    "parse_catalog",
]
