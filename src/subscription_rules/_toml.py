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

Shared by :func:`subscription_rules.catalog.load_catalog` and the command
line's scenario files.

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
from pathlib import Path
from typing import Final

__all__ = ["MAX_KEY_CHARS", "MAX_KEY_PARTS", "NotRegularFileError", "read_bounded", "shape_problem"]

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
