"""Lattice reads ``u[field, offset, level]``: the atoms that scheme updates are written in."""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.proof import serialize


def _offset_name(offset: tuple[int, ...]) -> str:
    return ",".join(("+" if k > 0 else "") + str(k) if k else "0" for k in offset)


class Read(sp.Symbol):
    """The value of ``field`` at lattice offset ``offset`` (a tuple, one entry per dimension)
    and time level ``level`` (0 = current, -1 = previous, +1 = new, for implicit schemes).

    A Read is a real SymPy symbol, so updates written in reads can be differentiated, collected
    and solved with ordinary SymPy tools.
    """

    __slots__ = ("field", "offset", "level")
    field: str
    offset: tuple[int, ...]
    level: int

    def __new__(cls, field: str, offset: int | tuple[int, ...], level: int = 0) -> Read:
        if not isinstance(field, str) or not field.isidentifier():
            raise ModelError(f"field name {field!r} is not an identifier: use letters, digits "
                             "and underscores, starting with a letter")
        off = (offset,) if isinstance(offset, int) else tuple(offset)
        if not all(isinstance(k, int) or (isinstance(k, sp.Integer)) for k in off):
            raise ModelError(f"offset {offset!r} of field {field!r} must be integers")
        off = tuple(int(k) for k in off)
        name = f"{field}[{_offset_name(off)}]^{int(level)}"
        obj = sp.Symbol.__xnew__(cls, name, real=True)
        obj.field, obj.offset, obj.level = field, off, int(level)
        return obj

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.field, self.offset, self.level)

    def __getnewargs_ex__(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return ((self.field, self.offset, self.level), {})

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def _hashable_content(self) -> tuple[Any, ...]:
        return sp.Symbol._hashable_content(self) + (self.field, self.offset, self.level)

    @property
    def dim(self) -> int:
        return len(self.offset)

    def shifted(self, by: tuple[int, ...]) -> Read:
        moved = tuple(a + b for a, b in zip(self.offset, by, strict=True))
        return Read(self.field, moved, self.level)

    def _latex(self, printer: Any = None) -> str:
        idx = ",".join(_latex_index(k, v) for k, v in zip(self.offset, "jklm", strict=False))
        lev = {0: "n", 1: "n+1", -1: "n-1"}.get(self.level, f"n{self.level:+d}")
        return f"{self.field}_{{{idx}}}^{{{lev}}}"


def _latex_index(k: int, v: str) -> str:
    return v if k == 0 else f"{v}{k:+d}"


serialize.register_atom("read", Read, lambda r: [r.field, list(r.offset), r.level],
                        lambda d: Read(d[0], tuple(d[1]), d[2]))


class Field:
    """``u = Field("u")``; ``u[-1]`` is the current value at offset -1, ``u[-1, 1]`` in 2-D
    (when ``dim=2``), ``u.at(-1, level=-1)`` the previous level.

    >>> u = Field("u")
    >>> u[-1] + u[1]
    u[+1]^0 + u[-1]^0
    """

    def __init__(self, name: str, dim: int = 1) -> None:
        if not name.isidentifier():
            raise ModelError(f"field name {name!r} is not an identifier")
        self.name, self.dim = name, dim

    def __getitem__(self, offset: int | tuple[int, ...]) -> Read:
        off = (offset,) if isinstance(offset, int) else tuple(offset)
        if len(off) != self.dim:
            raise ModelError(f"field {self.name!r} is {self.dim}-D: give {self.dim} offsets, "
                             f"not {off} (declare Field({self.name!r}, dim={len(off)}) for a "
                             f"{len(off)}-D field)")
        return Read(self.name, off, 0)

    def at(self, *offset: int, level: int = 0) -> Read:
        if len(offset) != self.dim:
            raise ModelError(f"field {self.name!r} is {self.dim}-D: give {self.dim} offsets")
        return Read(self.name, tuple(offset), level)

    @property
    def new(self) -> Read:
        """The new value at the centre (level n+1), for implicit schemes."""
        return Read(self.name, (0,) * self.dim, 1)

    def __repr__(self) -> str:
        return f"Field({self.name!r}, dim={self.dim})"


def reads_of(expr: sp.Expr) -> set[Read]:
    """The lattice reads an expression depends on."""
    return {s for s in sp.sympify(expr).free_symbols if isinstance(s, Read)}
