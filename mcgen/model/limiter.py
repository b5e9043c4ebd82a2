"""Flux and slope limiters phi(r) written in SymPy, r the ratio of consecutive differences.

Convention: r_j = (u_j - u_{j-1})/(u_{j+1} - u_j) and the limited face value is
u_j + phi(r_j) (u_{j+1} - u_j)/2 (LeVeque 2002, section 6.12; Sweby 1984).

A limiter is a function of one real variable built from rational functions with ``Max``,
``Min``, ``Abs`` or ``Piecewise``. The catalogue holds the textbook ones (Sweby 1984, LeVeque
2002 section 6.12); a user's own is any such expression in :data:`R`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.proof import serialize

__all__ = ["Limiter", "LIMITERS", "R", "as_limiter"]

R = sp.Symbol("r", real=True)

_HALF = sp.Rational(1, 2)
LIMITERS: dict[str, sp.Expr] = {
    "minmod": sp.Max(0, sp.Min(1, R)),
    "superbee": sp.Max(0, sp.Min(2 * R, 1), sp.Min(R, 2)),
    "mc": sp.Max(0, sp.Min(2 * R, (1 + R) * _HALF, 2)),
    "van_leer": (R + sp.Abs(R)) / (1 + sp.Abs(R)),
    # Koren (1993) limits with r = D+/D-; in this module's r = D-/D+ his phi_K(r) reads
    # r phi_K(1/r): the kappa = 1/3 (third-order) face value on smooth monotone data
    "koren": sp.Max(0, sp.Min(2 * R, (2 + R) / 3, 2)),
    "van_albada": (R**2 + R) / (R**2 + 1),
}


@serialize.register_class("limiter")
@dataclass(frozen=True)
class Limiter:
    """phi(r): the limiter as a SymPy expression in ``r`` with a name."""

    phi: sp.Expr
    r: sp.Symbol = R
    name: str = ""

    def __post_init__(self) -> None:
        phi = sp.sympify(self.phi)
        extra = phi.free_symbols - {self.r}
        if extra:
            raise ModelError(f"limiter {self.name or phi}: symbols {sorted(map(str, extra))} "
                             f"besides {self.r}; a limiter is a function of r alone")
        object.__setattr__(self, "phi", phi)
        object.__setattr__(self, "name", self.name or sp.sstr(phi))

    def numpy(self) -> Any:
        """phi as a vectorised NumPy function."""
        return sp.lambdify(self.r, self.phi, "numpy")

    def describe(self) -> str:
        return f"limiter {self.name}: phi(r) = {sp.sstr(self.phi)}"

    def __str__(self) -> str:
        return self.describe()

    def to_data(self) -> dict[str, Any]:
        return {"phi": serialize.to_data(self.phi), "r": serialize.to_data(self.r),
                "name": self.name}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> Limiter:
        return serialize.construct_checked(cls, {  # type: ignore[no-any-return]
            "phi": serialize.from_data(d["phi"], "$.phi"), "r": serialize.from_data(d["r"], "$.r"),
            "name": d["name"]})


def as_limiter(limiter: Any) -> Limiter:
    """A catalogue name, a :class:`Limiter` or a SymPy expression in :data:`R` (the symbol
    ``r``, real)."""
    if isinstance(limiter, Limiter):
        return limiter
    if isinstance(limiter, str):
        if limiter not in LIMITERS:
            raise ModelError(f"limiter={limiter!r}: use one of {sorted(LIMITERS)} or a SymPy "
                             "expression in mcgen.model.limiter.R")
        return Limiter(LIMITERS[limiter], R, limiter)
    if isinstance(limiter, sp.Basic):
        syms = limiter.free_symbols
        if len(syms) > 1:
            raise ModelError(f"limiter {limiter} has several symbols {sorted(map(str, syms))}")
        r = next(iter(syms)) if syms else R
        return Limiter(limiter, r)
    raise ModelError(f"limiter {limiter!r}: give a name ({sorted(LIMITERS)}) or a SymPy "
                     "expression in r")
