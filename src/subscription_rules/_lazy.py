"""Names a package exports but loads on first use, to keep ``import subscription_rules`` light.

A package lists the names of its rare paths (loading a catalog file, the
commands and the rulebook that dispatches them, the billing summary, legal
numbering) with the module that defines each; its module ``__getattr__``
imports that module when one of them is first read and keeps the value, so
``from subscription_rules import Rulebook`` works as before and costs the
import only then. Type checkers see the names through ``if TYPE_CHECKING``
imports beside the table.

>>> import sys
>>> from subscription_rules._lazy import lazy_names
>>> getter = lazy_names("subscription_rules", {"subscription_rules.numbering": ("InvoiceSequence",)})
>>> getter("InvoiceSequence").__name__
'InvoiceSequence'
>>> getter("Nothing")
Traceback (most recent call last):
AttributeError: module 'subscription_rules' has no attribute 'Nothing'
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module


def lazy_names(package: str, modules: Mapping[str, tuple[str, ...]]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package``: each name of ``modules[module]`` from ``module``."""
    where = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> object:  # noqa: N807 - a module's __getattr__ (PEP 562)
        module = where.get(name)
        if module is None:
            msg = f"module {package!r} has no attribute {name!r}"
            raise AttributeError(msg)
        value = getattr(import_module(module), name)
        setattr(sys.modules[package], name, value)  # read once; plain attribute from then on
        return value

    return __getattr__
