"""Strategies for what pricing records: a subscription's recorded price, a catalog's version."""

from __future__ import annotations

from hypothesis import strategies as st

from subscription_rules import CatalogVersion, Currency, RecordedPrice
from subscription_rules.strategies._values import _plan_ids, instants, overages, prices


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
