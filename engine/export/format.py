"""Python source the way ``ruff format`` (and black) lay it out, for the few shapes an export uses.

An export is built from small expression nodes (calls, lists, dicts, subscripts, atoms) and laid out
here, so the code comes out already formatted without running ruff: a statement stays on one line
when it fits; otherwise it splits at its last bracket, keeping the contents on one indented line when
they fit (a list or dict with several items is always exploded), else one item per line with a
trailing comma, recursively. Imports are grouped and sorted the way ruff's isort rules want.
"""

from __future__ import annotations

import textwrap
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

LINE_LENGTH = 88  # ruff's default: the user's project may differ, but this is what `ruff format` does bare
INDENT = "    "


class Expr(ABC):
    """A node that can be rendered on one line or split over several."""

    @abstractmethod
    def flat(self) -> str:
        """The node on one line."""


@dataclass(frozen=True)
class Atom(Expr):
    """Text that never splits: a name, a literal, an attribute access."""

    text: str

    def flat(self) -> str:
        return self.text


@dataclass(frozen=True)
class Arg:
    value: Expr
    name: str | None = None  # keyword name; None for a positional argument

    def prefix(self) -> str:
        return f"{self.name}=" if self.name else ""

    def flat(self) -> str:
        return self.prefix() + self.value.flat()


@dataclass(frozen=True)
class Bracketed(Expr):
    """Anything of the form ``head(open) item, item (close)``: calls, lists, dicts, subscripts."""

    head: str
    opener: str
    closer: str
    items: tuple[tuple[str, Expr], ...] = field(default_factory=tuple)  # (prefix, value) per item
    collection: bool = False  # a list/dict display: several items always go one per line

    def flat(self) -> str:
        return self.head + self.opener + ", ".join(p + v.flat() for p, v in self.items) + self.closer


def call(func: str, *args: Arg) -> Bracketed:
    return Bracketed(func, "(", ")", tuple((a.prefix(), a.value) for a in args))


def subscript(base: str, key: Expr) -> Bracketed:
    return Bracketed(base, "[", "]", (("", key),))


def value(obj: object) -> Expr:
    """A Python literal for plain data: str, int, float, bool, None, list, tuple, dict."""
    if isinstance(obj, Expr):
        return obj
    if isinstance(obj, (list, tuple)):
        return Bracketed("", "[", "]", tuple(("", value(v)) for v in obj), collection=True)
    if isinstance(obj, Mapping):
        return Bracketed("", "{", "}", tuple((f"{string(str(k))}: ", value(v)) for k, v in obj.items()), True)
    if isinstance(obj, str):
        return Atom(string(obj))
    if obj is None or isinstance(obj, (bool, int, float)):
        return Atom(repr(obj))
    raise TypeError(f"cannot write a {type(obj).__name__} as a Python literal")


def string(text: str) -> str:
    """A string literal with ruff's quote preference: double quotes, unless the text holds more
    double quotes than single ones."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + "".join(_escape(ch, quote) for ch in text) + quote


def _escape(ch: str, quote: str) -> str:
    if ch == quote or ch == "\\":
        return "\\" + ch
    if ch.isprintable():
        return ch
    return repr(ch)[1:-1]  # \n, \t, \x00 ... exactly as Python writes them


def width(text: str) -> int:
    """Columns a line takes, counting wide (East Asian) characters twice, as ruff does."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fits(depth: int, text: str, line_length: int) -> bool:
    return width(INDENT * depth + text) <= line_length


def statement(
    prefix: str, expr: Expr, *, depth: int = 0, suffix: str = "", line_length: int = LINE_LENGTH
) -> list[str]:
    """``prefix + expr + suffix`` as formatted, indented lines."""
    return [INDENT * d + text for d, text in _layout(prefix, expr, suffix, depth, line_length)]


def _layout(prefix: str, expr: Expr, suffix: str, depth: int, line_length: int) -> list[tuple[int, str]]:
    flat = prefix + expr.flat() + suffix
    if _fits(depth, flat, line_length) or not isinstance(expr, Bracketed) or not expr.items:
        return [(depth, flat)]
    head, tail = prefix + expr.head + expr.opener, expr.closer + suffix
    body_flat = ", ".join(p + v.flat() for p, v in expr.items)
    exploded = expr.collection and len(expr.items) > 1
    if not exploded and _fits(depth + 1, body_flat, line_length):
        body = [(depth + 1, body_flat)]
    elif len(expr.items) == 1:
        ((item_prefix, item),) = expr.items
        body = _layout(item_prefix, item, "", depth + 1, line_length)
    else:
        body = [line for p, v in expr.items for line in _layout(p, v, ",", depth + 1, line_length)]
    return [(depth, head), *body, (depth, tail)]


def imports(
    plain: Iterable[str] = (), from_imports: Mapping[str, Iterable[str]] | None = None, *, stdlib: Iterable[str] = ()
) -> list[str]:
    """An import block as ruff's isort rules order it: standard library, a blank line, third party.

    ``plain`` are ``import x`` modules, ``from_imports`` map a module to the names taken from it;
    modules named in ``stdlib`` go in the first section.
    """
    stdlib = set(stdlib)
    from_imports = {m: sorted(set(names)) for m, names in (from_imports or {}).items() if names}
    sections: list[list[str]] = []
    for in_stdlib in (True, False):
        lines = [f"import {m}" for m in sorted(set(plain)) if (m.split(".")[0] in stdlib) == in_stdlib]
        for module in sorted(from_imports):
            if (module.split(".")[0] in stdlib) == in_stdlib:
                lines.extend(_from_import(module, from_imports[module]))
        if lines:
            sections.append(lines)
    return [line for i, section in enumerate(sections) for line in ([""] if i else []) + section]


def _from_import(module: str, names: Sequence[str]) -> list[str]:
    one_line = f"from {module} import {', '.join(names)}"
    if width(one_line) <= LINE_LENGTH:
        return [one_line]
    return [f"from {module} import (", *(f"{INDENT}{name}," for name in names), ")"]


def comment(text: str, *, depth: int = 0) -> list[str]:
    """``# text`` wrapped to the line length (ruff never wraps comments, so we keep them short)."""
    indent = INDENT * depth + "# "
    wrapped = textwrap.wrap(
        text,
        width=LINE_LENGTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_on_hyphens=False,  # keep package names and URLs whole
        break_long_words=False,
    )
    return wrapped or [indent.rstrip()]


def module(*blocks: Sequence[str]) -> str:
    """Join blocks of lines with one blank line between them, two around function definitions, and
    a single trailing newline."""
    out: list[str] = []
    previous_def = False
    for block in (b for b in blocks if b):
        is_def = block[0].startswith(("def ", "async def "))
        if out:
            out.extend([""] * (2 if is_def or previous_def else 1))
        out.extend(block)
        previous_def = is_def
    return "\n".join(out) + "\n"
