"""Backends print the loop IR (``mcgen.codegen.ir``) and nothing else.

Each printer is a class with one ``_print_<Node>`` method per IR node; :meth:`IRPrinter.emit`
dispatches on the node's class name and an unknown node raises (never "unhandled, carry on").
This module also holds what the textual backends share: atomic writes and the template loader.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from mcgen.atomic_io import write_bytes_atomically
from mcgen.codegen import ir
from mcgen.errors import CodegenError

# The C backend's compiler flags (one place: build_c, KernelConfig and the build lines printed in
# generated sources). -fno-trapping-math and -fno-math-errno change no computed value (only the
# floating-point exception flags and errno): the first lets GCC turn ``a > b ? a : b`` into vector
# max, the second lets it inline sqrt without the errno call path, which otherwise keeps every
# loop with a sqrt (Riemann solvers' sound speeds) scalar. Multiply-adds are never contracted into
# FMAs (-ffp-contract=off, said explicitly so that a user's build line without -std=c99 gives
# the same bits): GCC contracts differently in a temporally blocked tile than in one sweep per
# step, and blocking must stay bitwise identical to one sweep. GCC vectorises a loop whose
# accesses to one array it cannot tell apart at compile time (the components of a system,
# c * plane + cell) behind run-time overlap checks, at most 10 by default: the 2-D shallow-water
# flux loop needs 14 and stayed scalar (0.5x of its vectorised speed); 32 also covers the 2-D
# Euler loops. A vectorised loop computes the same values (no reassociation without fast-math).
DEFAULT_CFLAGS: tuple[str, ...] = ("-O3", "-march=native", "-fPIC", "-shared",
                                   "-fno-trapping-math", "-fno-math-errno", "-ffp-contract=off",
                                   "--param=vect-max-version-for-alias-checks=32")


class IRPrinter:
    """Dispatch ``node -> self._print_<type(node).__name__>(node, ...)``; unknown nodes raise."""

    language = "IR"

    def emit(self, node: Any, *args: Any) -> Any:
        method = getattr(self, f"_print_{type(node).__name__}", None)
        if method is None:
            return self.empty_printer(node)
        return method(node, *args)

    def expr(self, node: Any) -> str:
        """Source text of an expression node (printers return ``(text, precedence)``)."""
        return self.emit(node)[0]

    def wrap(self, node: Any, prec: int) -> str:
        """Text of ``node``, parenthesised when it binds more loosely than ``prec``."""
        text, p = self.emit(node)
        return f"({text})" if p < prec else text

    def empty_printer(self, node: Any) -> Any:
        raise CodegenError(f"the {self.language} printer has no rule for IR node "
                           f"{type(node).__name__} ({node!r}): add a _print_"
                           f"{type(node).__name__} method")


def split_terms(expr: str) -> list[str]:
    """Split printed expression text before each top-level `` + `` / `` - `` (outside
    parentheses and brackets), so a long line can be broken without changing its meaning."""
    parts: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(expr):
        ch = expr[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and i > start and expr[i:i + 3] in (" + ", " - "):
            parts.append(expr[start:i])
            start = i + 1
            i += 2
        i += 1
    parts.append(expr[start:])
    return parts


def wrap_assignment(lead: str, rhs: str, tail: str, indent: str, width: int = 100,
                    paren: bool = True) -> list[str]:
    """``lead + rhs + tail`` on one line if it fits, else broken before top-level + and -,
    continuation lines indented once more (inside parentheses when ``paren``, for Python)."""
    if len(lead) + len(rhs) + len(tail) <= width:
        return [lead + rhs + tail]
    terms = split_terms(rhs)
    if len(terms) == 1:
        return [lead + rhs + tail]
    base = len(lead) - len(lead.lstrip())
    cont = " " * base + indent
    lines: list[str] = []
    cur = lead + ("(" if paren else "") + terms[0]
    for term in terms[1:]:
        if len(cur) + 1 + len(term) > width:
            lines.append(cur)
            cur = cont + term
        else:
            cur += " " + term
    lines.append(cur + (")" if paren else "") + tail)
    return lines


def atomic_write(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file and a rename, so a reader never sees
    a half-written file and two writers both succeed. Returns False (and leaves the file, and
    its modification time, alone) when the file already holds exactly ``data``: numba's cache
    is keyed on the source file's time stamp, so rewriting identical bytes would invalidate it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_bytes_atomically(path, data, suffix=".tmp")
    return True


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def template_env() -> Any:
    """The jinja2 environment over mcgen's templates, found the same way from a wheel (package
    ``mcgen._templates``) and from a source tree or editable install (top-level ``templates/``).
    """
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True, autoescape=False)


def templates_dir() -> Path:
    """Where the jinja2 templates are: the installed package ``mcgen._templates`` first, then
    the source tree's ``templates/`` next to the ``mcgen`` package."""
    import importlib.util

    try:
        # a namespace package (no __init__.py): its folders are the search locations (a
        # wheel's site-packages/mcgen/_templates, or templates/ through an editable mapping)
        spec = importlib.util.find_spec("mcgen._templates")
    except (ImportError, ValueError):
        spec = None
    for loc in (spec.submodule_search_locations or []) if spec is not None else []:
        p = Path(loc)
        if p.is_dir() and any(p.glob("*.jinja")):
            return p
    src = Path(__file__).resolve().parents[3] / "templates"  # mcgen/codegen/backends/ -> root
    if src.is_dir():
        return src
    raise CodegenError("mcgen's code templates are missing: neither the package "
                       "mcgen._templates nor a templates/ folder beside mcgen/ was found "
                       "(reinstall mcgen)")


def c_type(t: str) -> str:
    """The C99 type of an IR scalar type."""
    return {"f64": "double", "f32": "float", "i64": "int64_t", "i32": "int32_t",
            "u64": "uint64_t", "u32": "uint32_t", "bool": "bool"}[t]


def is_float(t: str) -> bool:
    return t in ir.FLOATS
