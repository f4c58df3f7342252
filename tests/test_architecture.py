"""The house keeps its shape: layers, private names, exhaustive dispatch and module sizes.

The layers are read from docs/design.md (the fenced block after the
``layers`` marker), so the drawing and this test cannot drift apart. Each line
of the block is one layer, highest first; a module imports only from layers
below its own, and modules named on one line (separated by ``|``) do not
import each other. A package counts as one module: its private modules import
each other as the package's own ``__init__`` documents.
"""

from __future__ import annotations

import ast
import pathlib
import re
from collections.abc import Iterator

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "subscription_rules"
DESIGN = ROOT / "docs" / "design.md"

#: The most lines a module may have; larger ones are split into a package.
MAX_LINES = 800

#: Modules over the limit because they are data or generated, and why.
LARGE_MODULES: dict[str, str] = {}


def _layers() -> list[list[str]]:
    text = DESIGN.read_text(encoding="utf-8")
    marker = text.index("<!-- layers: read by tests/test_architecture.py -->")
    block = re.search(r"```text\n(.*?)```", text[marker:], re.DOTALL)
    assert block is not None, "docs/design.md: no ```text block after the layers marker"
    layers = []
    for line in block.group(1).splitlines():
        names = line.split("#", 1)[0].split(":", 1)[-1]
        units = [name.strip() for name in names.split("|") if name.strip()]
        if units:
            layers.append(units)
    return layers


LAYERS = _layers()
LEVEL = {unit: len(LAYERS) - i for i, line in enumerate(LAYERS) for unit in line}
SIBLINGS = {unit: set(line) - {unit} for line in LAYERS for unit in line}


def _unit(path: pathlib.Path) -> str:
    """The top-level module a file belongs to (a package's files all belong to it)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _sources() -> Iterator[tuple[pathlib.Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name / "__init__.py").is_file()


def _imports(tree: ast.Module) -> Iterator[tuple[int, str, list[str]]]:
    """``(line, module, names)`` of every import of the package, at any depth.

    ``from subscription_rules import _toml`` imports the module ``_toml``.
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "subscription_rules":
                names = [alias.name for alias in node.names]
                for name in filter(_is_module, names):
                    yield node.lineno, f"subscription_rules.{name}", []
                rest = [name for name in names if not _is_module(name)]
                if rest:
                    yield node.lineno, node.module, rest
            elif node.module.split(".")[0] == "subscription_rules":
                yield node.lineno, node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "subscription_rules":
                    yield node.lineno, alias.name, []


def _target(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_is_drawn_in_exactly_one_layer() -> None:
    units = {_unit(path) for path, _ in _sources()}
    drawn = [unit for line in LAYERS for unit in line]
    assert sorted(drawn) == sorted(set(drawn)), "a module drawn twice"
    assert units == set(drawn)


def test_no_import_goes_against_the_layers() -> None:
    wrong = []
    for path, tree in _sources():
        unit = _unit(path)
        for line, module, _names in _imports(tree):
            target = _target(module)
            if target == unit:
                continue
            if LEVEL[target] >= LEVEL[unit] or target in SIBLINGS[unit]:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {unit} imports {module}")
    assert wrong == []


def test_no_private_name_is_imported_across_modules_but_from_a_private_module() -> None:
    wrong = []
    for path, tree in _sources():
        for line, module, names in _imports(tree):
            private_module = any(part.startswith("_") for part in module.split(".")[1:])
            own = module == ".".join(("subscription_rules", *path.relative_to(PACKAGE).parts[:-1]))
            if private_module or own:
                continue
            wrong += [
                f"{path.relative_to(ROOT)}:{line}: {name} from {module}"
                for name in names
                if name.startswith("_") and not name.startswith("__")
            ]
    assert wrong == []


def _isinstance_subject(test: ast.expr) -> str | None:
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and test.args
    ):
        return ast.unparse(test.args[0])
    return None


def test_no_isinstance_chain_dispatches_over_a_union() -> None:
    """``if isinstance(x, A) … elif isinstance(x, B)`` is a ``match`` ending in ``assert_never``."""
    chains = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.If):
                continue
            subject = _isinstance_subject(node.test)
            rest = node.orelse
            if (
                subject is not None
                and len(rest) == 1
                and isinstance(rest[0], ast.If)
                and _isinstance_subject(rest[0].test) == subject
            ):
                chains.append(f"{path.relative_to(ROOT)}:{node.lineno}: {subject}")
    assert chains == []


def _ends_exhaustively(match: ast.Match) -> bool:
    last = match.cases[-1]
    if not (isinstance(last.pattern, ast.MatchAs) and last.pattern.pattern is None):
        return False
    body = last.body
    return len(body) == 1 and (
        isinstance(body[0], ast.Raise)
        or (
            isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Call)
            and isinstance(body[0].value.func, ast.Name)
            and body[0].value.func.id == "assert_never"
        )
    )


def _over_types(match: ast.Match) -> bool:
    return any(
        isinstance(case.pattern, ast.MatchClass)
        or (
            isinstance(case.pattern, ast.MatchOr)
            and any(isinstance(p, ast.MatchClass) for p in case.pattern.patterns)
        )
        for case in match.cases
    )


def test_every_match_over_types_ends_in_assert_never_or_a_refusal() -> None:
    loose = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Match) and _over_types(node) and not _ends_exhaustively(node)
    ]
    assert loose == []


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_module_is_over_800_lines(path: pathlib.Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    name = str(path.relative_to(PACKAGE))
    assert lines <= MAX_LINES or name in LARGE_MODULES, f"{name}: {lines} lines"
