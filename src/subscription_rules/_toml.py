r"""Reading TOML in bounded time: regular files only, and keys refused by shape before parsing.

The standard library's ``tomllib`` takes time quadratic in the number of parts
of a dotted key or table header: an 80 KB key of 40,000 parts takes some
fifteen seconds, well inside any size limit. A pure library cannot put a
deadline on a read, so the shapes are refused before the parser sees them:
:func:`shape_problem` makes one linear pass over the text and finds any key
(a dotted key, a table header or an inline table's key) of more than
:data:`MAX_KEY_PARTS` parts or :data:`MAX_KEY_CHARS` characters as written.
:func:`read_bounded` opens a file without blocking (a named pipe would wait
forever for a writer), refuses anything but a regular file and reads at most
a given number of bytes.

:func:`read_text` and :func:`parse_document` add the size limit and the UTF-8
check; :func:`required`, :func:`string`, :func:`integer`, :func:`boolean`,
:func:`table`, :func:`tables` and :func:`refuse_unknown` check a document key
by key. Every problem is worded here once, and raised as the error its caller
makes of it (``fail``), so that a catalog and a scenario file say the same
thing about the same mistake. Shared by
:func:`subscription_rules.catalog.load_catalog` and
:func:`subscription_rules.simulation.load_scenario`.

>>> shape_problem('currency = "USD"\n[plans.limits]\\nproperties = 3\\n') is None
True
>>> shape_problem("a" + ".a" * 40 + " = 1")
'line 1: a dotted key of more than 16 parts refused'
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Final, TypeAlias

from subscription_rules._checks import shown
from subscription_rules.errors import InvalidArgumentError

__all__ = [
    "MAX_KEY_CHARS",
    "MAX_KEY_PARTS",
    "Fail",
    "NotRegularFileError",
    "boolean",
    "file_name",
    "integer",
    "parse_document",
    "read_bounded",
    "read_text",
    "refuse_unknown",
    "required",
    "shape_problem",
    "string",
    "table",
    "tables",
    "toml_type",
]

Fail: TypeAlias = Callable[[str, str, object], Exception]
"""Makes the error to raise from ``(key, message, value)``: each caller raises its own class."""

FileFail: TypeAlias = Callable[[str, object], Exception]
"""Makes the error to raise about a whole file or document from ``(message, value)``."""

#: Most parts of one key: a dotted key, a table header, an inline table's key.
MAX_KEY_PARTS: Final = 16

#: Most characters of one key as written (quotes, dots and spaces included).
MAX_KEY_CHARS: Final = 256

# One simple key (bare, "basic" or 'literal') with the spaces and tabs around it.
_SIMPLE_KEY: Final = re.compile(r"""[ \t]*(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')[ \t]*""")
# Text of a value with nothing to track: anything but a newline, comment, string or bracket.
_PLAIN: Final = re.compile(r"""[^\n#"'\[\]{},=]+""")
_BASIC: Final = re.compile(r'"(?:[^"\\\n]|\\.)*"?')
_LITERAL: Final = re.compile(r"'[^'\n]*'?")
_ML_BASIC: Final = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""""|""""|""")?', re.DOTALL)
_ML_LITERAL: Final = re.compile(r"'''(?:[^']|'(?!''))*(?:'''''|''''|''')?", re.DOTALL)
_BLANK: Final = re.compile(r"[ \t\r]*")


def _key(text: str, start: int) -> tuple[int, int]:
    """The end of the key starting at ``start`` and its number of parts (beyond the limit: stop)."""
    at = start
    parts = 0
    while parts <= MAX_KEY_PARTS and at - start <= MAX_KEY_CHARS:
        found = _SIMPLE_KEY.match(text, at)
        if found is None:
            break
        parts += 1
        at = found.end()
        if not text.startswith(".", at):
            break
        at += 1
    return at, parts


def _string(text: str, at: int) -> int:
    """The end of the string starting at ``at`` (the end of the text if it never closes)."""
    if text.startswith('"""', at):
        pattern = _ML_BASIC
    elif text.startswith("'''", at):
        pattern = _ML_LITERAL
    elif text[at] == '"':
        pattern = _BASIC
    else:
        pattern = _LITERAL
    found = pattern.match(text, at)
    return found.end() if found is not None else len(text)


def _header_or_key(text: str, at: int, *, top: bool) -> tuple[int, str | None]:
    """Read the key (or ``[header]`` when at the ``top`` level) at ``at``: its end, or a problem."""
    if top and text.startswith("[", at):
        at += 2 if text.startswith("[[", at) else 1
    end, parts = _key(text, at)
    if parts > MAX_KEY_PARTS:
        return end, f"a dotted key of more than {MAX_KEY_PARTS} parts refused"
    if end - at > MAX_KEY_CHARS:
        return end, f"a key of more than {MAX_KEY_CHARS} characters refused"
    return end, None


def _token(text: str, at: int, open_: list[str]) -> tuple[int, bool]:
    """Step over one token of a value; return where it ends and whether a key may come next."""
    char = text[at]
    if char in "\"'":
        return _string(text, at), False
    if char in "[{":
        open_.append(char)
        return at + 1, char == "{"
    if char in "]}":
        if open_:
            open_.pop()
        return at + 1, False
    if char == ",":
        return at + 1, bool(open_) and open_[-1] == "{"
    found = _PLAIN.match(text, at)
    return (found.end() if found is not None else at + 1), False


def shape_problem(text: str) -> str | None:
    """Why ``text`` is refused before parsing (a key too deep or too long), or ``None``.

    One pass, linear in the length of the text. Text that is not valid TOML is
    left to the parser, whatever this pass makes of it.

    >>> shape_problem('name = "' + "x" * 1000 + '"') is None
    True
    >>> shape_problem("[" + "k" * 300 + "]")
    'line 1: a key of more than 256 characters refused'
    """
    open_: list[str] = []  # the arrays ("[") and inline tables ("{") the current value is inside
    key_next = True  # a key may start here: a line's start at the top level, or in an inline table
    at = 0
    size = len(text)
    while at < size:
        blank = _BLANK.match(text, at)
        at = blank.end() if blank is not None else at
        if at >= size:
            break
        char = text[at]
        if char == "\n":
            at += 1
            key_next = key_next or not open_
        elif char == "#":
            end = text.find("\n", at)
            at = size if end < 0 else end
        elif key_next:
            key_next = False
            end, problem = _header_or_key(text, at, top=not open_)
            if problem is not None:
                return f"line {text.count(chr(10), 0, at) + 1}: {problem}"
            if end > at:
                at = end
            else:
                at, key_next = _token(text, at, open_)
        else:
            at, key_next = _token(text, at, open_)
    return None


class NotRegularFileError(OSError):
    """A path naming something other than a regular file: a pipe, a device, a directory."""


_KINDS: Final = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_bounded(name: str, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes of the regular file ``name``, never blocking on opening it.

    Raises:
        NotRegularFileError: ``name`` is a pipe, a device, a directory or a socket.
        OSError: The file cannot be opened or read.
        ValueError: ``name`` holds a NUL character.
    """
    # O_NONBLOCK: opening a named pipe for reading would otherwise wait for a writer.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(Path(name), flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            kind = next((what for test, what in _KINDS if test(mode)), "not a file")
            raise NotRegularFileError(errno.EINVAL, f"not a regular file ({kind}); refused")
        chunks: list[bytes] = []
        wanted = limit + 1
        while wanted > 0 and (chunk := os.read(descriptor, wanted)):
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


_MIB: Final = 1024 * 1024


def _size(limit: int) -> str:
    return f"{limit:,} bytes ({limit // _MIB} MiB)" if limit % _MIB == 0 else f"{limit:,} bytes"


def file_name(path: object) -> str:
    """The file name ``path`` gives, a ``str`` or path-like object naming a ``str`` path.

    Raises:
        InvalidArgumentError: For anything else (checked at run time: hosts call
            the loaders from untyped code).
    """
    name = os.fspath(path) if isinstance(path, str | os.PathLike) else None
    if not isinstance(name, str):
        raise InvalidArgumentError(
            "expected a file name as a str or os.PathLike,"
            f" got {type(path).__name__} {shown(path)}",
            argument="path",
            value=path,
        )
    return name


def read_text(name: str, *, limit: int, what: str, fail: FileFail) -> str:
    """Read the regular file ``name`` as UTF-8 text of at most ``limit`` bytes.

    ``what`` names the kind of file in the messages (``"catalog"``, ``"scenario"``);
    every problem is raised as ``fail(message, name)``.
    """
    try:
        data = read_bounded(name, limit)
    except (OSError, ValueError) as err:  # ValueError: a NUL character in the name
        reason = (err.strerror if isinstance(err, OSError) else str(err)) or type(err).__name__
        raise fail(f"cannot read {what} file {shown(name)}: {reason}", name) from err
    if len(data) > limit:
        raise fail(f"{what} file {shown(name)} is larger than {_size(limit)}; refused", name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        message = f"{what} file {shown(name)} is not UTF-8: {err.reason} at byte {err.start}"
        raise fail(message, name) from err


def parse_document(text: str, *, limit: int, what: str, fail: FileFail) -> dict[str, object]:
    """Parse TOML text of at most ``limit`` bytes of UTF-8, refusing keys too deep first.

    Every problem is raised as ``fail(message, value)``.
    """
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > limit:
        raise fail(f"{what} of {size:,} bytes refused; the limit is {_size(limit)}", size)
    problem = shape_problem(text)
    if problem is not None:  # a key tomllib would take minutes over
        raise fail(problem, size)
    import tomllib  # noqa: PLC0415 - only loading a document needs it: a faster import

    try:
        return tomllib.loads(text)
    except ValueError as err:  # TOMLDecodeError, or an integer of over 4,300 digits
        raise fail(f"invalid TOML: {err}", None) from err
    except RecursionError:  # arrays or inline tables nested hundreds deep
        raise fail("invalid TOML: arrays or inline tables nested too deeply", size) from None


_TOML_TYPES: Final[dict[type, str]] = {
    bool: "boolean",
    int: "integer",
    float: "float",
    str: "string",
    dict: "table",
    list: "array",
    datetime: "date-time",
    date: "date",
    time: "time",
}


def toml_type(value: object) -> str:
    """Describe a TOML value by its TOML type (and the value, when short).

    >>> toml_type(3), toml_type("x"), toml_type([1]), toml_type(True)
    ('integer 3', "string 'x'", 'array', 'boolean True')
    """
    name = _TOML_TYPES.get(type(value), type(value).__name__)
    return name if isinstance(value, dict | list) else f"{name} {shown(value)}"


def required(table: Mapping[str, object], key: str, *, where: str, fail: Fail) -> object:
    """``table[key]``, or ``fail`` naming ``where + key``: a missing required key."""
    if key not in table:
        raise fail(where + key, "missing required key", None)
    return table[key]


def string(value: object, key: str, fail: Fail) -> str:
    """``value`` if it is a TOML string."""
    if not isinstance(value, str):
        raise fail(key, f"must be a string, got {toml_type(value)}", value)
    return value


def integer(value: object, key: str, fail: Fail) -> int:
    """``value`` if it is a TOML integer (not a boolean)."""
    if type(value) is not int:
        raise fail(key, f"must be an integer, got {toml_type(value)}", value)
    return value


def boolean(value: object, key: str, fail: Fail) -> bool:
    """``value`` if it is a TOML boolean."""
    if not isinstance(value, bool):
        raise fail(key, f"must be true or false, got {toml_type(value)}", value)
    return value


def table(value: object, key: str, fail: Fail) -> dict[str, object]:
    """``value`` if it is a TOML table."""
    if not isinstance(value, dict):
        raise fail(key, f"must be a table, got {toml_type(value)}", value)
    return value


def tables(value: object, key: str, fail: Fail) -> list[object]:
    """``value`` if it is an array (of tables, each checked by the caller)."""
    if not isinstance(value, list):
        raise fail(key, f"must be an array of tables ([[{key}]]), got {toml_type(value)}", None)
    return value


def refuse_unknown(
    table: Mapping[str, object], allowed: Sequence[str], *, where: str, fail: Fail
) -> None:
    """Refuse any key of ``table`` not in ``allowed``, naming the first as ``where + key``."""
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        also = f" (also unknown: {', '.join(map(repr, unknown[1:]))})" if unknown[1:] else ""
        raise fail(
            where + unknown[0], f"unknown key{also}; allowed keys: {', '.join(allowed)}", unknown[0]
        )
