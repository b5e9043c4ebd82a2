"""Boundary conditions, with the meaning that fits the reading (DESIGN section 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.readings import FORWARD, normalize_reading


@dataclass(frozen=True)
class BoundaryCondition:
    """Base class: one condition on one side of one axis (or all sides when used alone)."""

    def meaning(self, reading: str) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Periodic(BoundaryCondition):
    def meaning(self, reading: str) -> str:
        return "periodic: the lattice is a ring (torus)"


@dataclass(frozen=True)
class Dirichlet(BoundaryCondition):
    """A prescribed value: a number, or a SymPy expression of ``t``."""

    value: Any = 0

    def __post_init__(self) -> None:
        v = sp.sympify(self.value)
        if v.free_symbols - {sp.Symbol("t", nonnegative=True), sp.Symbol("t")}:
            raise ModelError(f"Dirichlet value {v} may depend on t only")
        object.__setattr__(self, "value", v)

    def meaning(self, reading: str) -> str:
        return f"Dirichlet: the boundary value is {self.value}"


@dataclass(frozen=True)
class Outflow(BoundaryCondition):
    def meaning(self, reading: str) -> str:
        return "zero-gradient outflow: ghost cells copy the nearest interior value"


@dataclass(frozen=True)
class Reflecting(BoundaryCondition):
    """A wall. For densities (forward reading) and conservative schemes: zero flux, the scheme's
    interface flux through the wall is set to 0 (mass is conserved, drift included); the ghost
    cells beyond it are the even mirror for the interfaces near it. For expectations (backward
    reading): the even mirror, v_x = 0. A forward update with no flux-difference part keeps the
    mirror alone (see ``mcgen.codegen.boundary_fill``).

    ``odd``: for systems, the fields that change sign in the mirror (the momentum or velocity
    component normal to the wall: ``Reflecting(odd=("hu",))`` for shallow water). Such a wall is
    a solid wall: the ghost cells are the mirror image with those fields negated, and the
    scheme's own numerical flux is computed at the wall (its mass flux vanishes by symmetry,
    its momentum flux carries the wall's pressure), the wall of Clawpack's ``wall`` boundary.
    """

    odd: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        odd = (self.odd,) if isinstance(self.odd, str) else tuple(self.odd)
        for name in odd:
            if not isinstance(name, str) or not name.isidentifier():
                raise ModelError(f"Reflecting(odd={self.odd!r}): give field names, e.g. "
                                 "odd=('hu',) for the momentum normal to the wall")
        object.__setattr__(self, "odd", odd)

    def meaning(self, reading: str) -> str:
        if self.odd:
            return (f"solid wall: mirror image with {', '.join(self.odd)} negated; the scheme's "
                    "flux at the wall (no mass through it)")
        if normalize_reading(reading) == FORWARD:
            return "reflecting: zero flux b rho - (D rho)_x = 0 (mass is conserved)"
        return "reflecting: v_x = 0 (the walker is pushed back; Neumann for expectations)"


@dataclass(frozen=True)
class Absorbing(BoundaryCondition):
    def meaning(self, reading: str) -> str:
        if normalize_reading(reading) == FORWARD:
            return "absorbing: rho = 0 at the boundary (mass leaves and is counted)"
        return "absorbing: v = the payoff at the boundary (the walker stops there)"


def as_boundary(bc: Any) -> BoundaryCondition:
    """Accept a BoundaryCondition or its name (``"periodic"``, ``"outflow"`` ...)."""
    if isinstance(bc, BoundaryCondition):
        return bc
    names = {"periodic": Periodic, "dirichlet": Dirichlet, "outflow": Outflow,
             "zero_gradient": Outflow, "reflecting": Reflecting, "absorbing": Absorbing}
    if isinstance(bc, str) and bc.lower() in names:
        return names[bc.lower()]()
    import difflib

    close = difflib.get_close_matches(str(bc).lower(), names, n=1) if isinstance(bc, str) else []
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ModelError(f"boundary condition {bc!r} is not known{hint}: use one of {sorted(names)} "
                     "or a mcgen.model.boundary class such as Dirichlet(1.0)")
