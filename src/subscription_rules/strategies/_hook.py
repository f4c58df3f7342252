"""The Hypothesis plugin hook: registers a strategy for every public value type.

Hypothesis calls it through the ``hypothesis`` entry point in ``pyproject.toml``
while ``import hypothesis`` runs; this module imports nothing at its top that
could be half-imported then, and the hook imports what it needs when called.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Register a strategy for every public value type, so ``st.from_type`` finds it.

    Hypothesis calls this through the ``hypothesis`` entry point when it is
    imported; importing :mod:`subscription_rules.strategies` calls it too.
    Calling it again registers the same strategies again. Enums need no
    registration.

    >>> from hypothesis import find
    >>> from hypothesis import strategies as st
    >>> _hypothesis_setup_hook()
    >>> find(st.from_type(Currency), lambda currency: True)
    Currency('USD', 2)
    """
    from hypothesis import strategies as st  # noqa: PLC0415 - see the module's docstring

    from subscription_rules.strategies._results import registered  # noqa: PLC0415

    for kind, strategy in registered():
        st.register_type_strategy(kind, strategy)
