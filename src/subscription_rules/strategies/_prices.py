"""Strategies for what pricing records: a subscription's recorded price, a catalog's version."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import strategies as st

from subscription_rules import CatalogVersion, Currency, PriceMigration, RecordedPrice
from subscription_rules.strategies._base import _MAX_PRICE, _identifiers
from subscription_rules.strategies._values import (
    _money,
    _plan_ids,
    currencies,
    instants,
    overages,
    prices,
)


def recorded_prices(currency: str | Currency | None = None) -> st.SearchStrategy[RecordedPrice]:
    """Recorded prices: a price, maybe an overage price in its currency, maybe a version name.

    >>> from hypothesis import find
    >>> str(find(recorded_prices(), lambda recorded: True).price)
    'USD 0.00 monthly'
    """
    return prices(currency).flatmap(
        lambda price: st.builds(
            RecordedPrice,
            st.just(price),
            st.lists(overages(price.currency), max_size=1).map(tuple),
            st.none() | _plan_ids(),
        )
    )


def catalog_versions() -> st.SearchStrategy[CatalogVersion]:
    """Catalog versions: an identifier and an instant, shrinking toward ``'a'`` at the epoch."""
    return st.builds(CatalogVersion, _plan_ids(), instants())


@st.composite
def _migrations(draw: st.DrawFn, currency: Currency) -> PriceMigration:
    effective_at: datetime = draw(instants())
    return PriceMigration(
        draw(_identifiers()),
        draw(_plan_ids()),
        draw(st.integers(1, 1000)),
        draw(_money(currency, 0, _MAX_PRICE)),
        draw(_money(currency, 0, _MAX_PRICE)),
        effective_at,
        effective_at - timedelta(days=draw(st.integers(0, 366))),
    )


def migrations() -> st.SearchStrategy[PriceMigration]:
    """Price migrations: two amounts in one currency, the notice 0 to 366 days before the change.

    >>> from hypothesis import find
    >>> str(find(migrations(), lambda migration: True).increase)
    'USD 0.00'
    """
    return currencies().flatmap(_migrations)
