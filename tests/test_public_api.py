"""The public surface: every exported name is documented with a running example."""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil

import pytest

import subscription_rules

MODULES = [
    "access",
    "catalog",
    "credits",
    "effects",
    "errors",
    "invoices",
    "lifecycle",
    "money",
    "notifications",
    "periods",
    "policy",
    "proration",
    "subscription",
    "summary",
    "usage",
]


def _public(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(f"subscription_rules.{module_name}")
    return [(name, getattr(module, name)) for name in module.__all__]


def _documented_with_example(name: str, value: object, module_doc: str) -> bool:
    if inspect.isclass(value) or inspect.isfunction(value):
        doc = inspect.getdoc(value) or ""
        if ">>>" in doc:
            return True
        # An enum or a small value class may be shown by its module's or family's example.
        return bool(doc) and (issubclass(value, enum.Enum) if inspect.isclass(value) else False)
    # A constant: documented by a `#:` comment above it or a docstring below it.
    lines = module_doc.splitlines()
    for i, line in enumerate(lines):
        if line.startswith((f"{name} =", f"{name}: ")):
            above = lines[i - 1].lstrip() if i else ""
            below = lines[i + 1].lstrip() if i + 1 < len(lines) else ""
            return above.startswith("#:") or below.startswith('"""')
    return False


def _source(module_name: str) -> str:
    """A module's source; a package's with its private modules', where its constants live."""
    module = importlib.import_module(f"subscription_rules.{module_name}")
    sources = [inspect.getsource(module)]
    for found in pkgutil.iter_modules(getattr(module, "__path__", [])):
        part = importlib.import_module(f"{module.__name__}.{found.name}")
        sources.append(inspect.getsource(part))
    return "\n".join(sources)


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_name_has_a_docstring_with_an_example(module_name: str) -> None:
    module_doc = _source(module_name)
    missing = [
        name
        for name, value in _public(module_name)
        if not _documented_with_example(name, value, module_doc)
    ]
    assert missing == []


def test_the_package_reexports_only_names_that_exist() -> None:
    for name in subscription_rules.__all__:
        assert hasattr(subscription_rules, name), name


def test_the_package_ships_py_typed() -> None:
    from importlib.resources import files  # noqa: PLC0415

    assert files("subscription_rules").joinpath("py.typed").is_file()
