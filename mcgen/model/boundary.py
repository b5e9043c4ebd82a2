"""Boundary conditions, with the meaning that fits the reading (DESIGN section 1).

Each condition owns its ghost-cell rule (:meth:`BoundaryCondition.ghost`): the stencil kernels'
IR fill (``mcgen/codegen/boundary_fill.py``) and the NumPy reference
(``mcgen/run/numpy_stepper.py``) both read it, so the two cannot drift apart. With ``n`` interior
cells and ghost layer ``k = 0 .. g-1`` counted outward from the face:

===============  ==========================  ==========================  ======================
condition        low-side ghost (cell -1-k)  high-side ghost (cell n+k)  meaning
===============  ==========================  ==========================  ======================
Periodic         interior ``n-1-k``          interior ``k``              a ring (torus)
Dirichlet(v)     ``v`` (number or ``v(t)``)  ``v``                       value held (cell-centred)
DirichletSeries  ``values[step]``            ``values[step]``            a value per step
Outflow          interior ``0``              interior ``n-1``            zero gradient
Reflecting       interior ``k``              interior ``n-1-k``          even mirror (odd fields
                                                                         negated); zero flux
                                                                         for densities
Absorbing        ``0``                       ``0``                       the value vanishes
Halo             given by the caller         given by the caller         a block's inner side
===============  ==========================  ==========================  ======================

``Halo`` is no physical condition: it marks the side of a block of a larger grid whose ghost
cells hold a neighbouring block's values, supplied by whoever runs the block
(``mcgen.run.distributed``); the kernel reads them and never writes them.
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.readings import FORWARD, normalize_reading

SIDES = ("low", "high")


@dataclass(frozen=True)
class GhostCopy:
    """Ghost layer ``k`` (0 next to the face, counting outward) holds interior cell
    ``offset + step * k + from_end * n`` of its line (``n`` interior cells), negated when
    ``negate``."""

    offset: int
    step: int
    from_end: int
    negate: bool = False

    def source(self, k: int, n: int) -> int:
        return self.offset + self.step * k + self.from_end * n


@dataclass(frozen=True)
class GhostValue:
    """Ghost cells hold ``value``: a SymPy number or an expression of ``t`` (the step's time)."""

    value: sp.Expr


@dataclass(frozen=True)
class GhostSeries:
    """Ghost cells hold ``values[step]`` of the array passed at run time under ``name``."""

    name: str


@dataclass(frozen=True)
class GhostGiven:
    """Ghost cells hold values supplied with the data (a neighbour's halo): nothing fills them."""


GhostRule = GhostCopy | GhostValue | GhostSeries | GhostGiven


@dataclass(frozen=True)
class BoundaryCondition:
    """Base class: one condition on one side of one axis (or all sides when used alone)."""

    def meaning(self, reading: str) -> str:
        raise NotImplementedError

    def ghost(self, side: str, field: str = "") -> GhostRule:
        """The ghost-cell rule of this condition on ``side`` ("low" or "high") for ``field``."""
        raise ModelError(f"boundary condition {self!r} has no ghost-cell rule")

    @property
    def zero_flux(self) -> bool:
        """Whether this side is a wall with zero flux through it (for densities and schemes in
        conservative form; see :func:`needs_zero_flux_walls`)."""
        return False


@dataclass(frozen=True)
class Periodic(BoundaryCondition):
    def meaning(self, reading: str) -> str:
        return "periodic: the lattice is a ring (torus)"

    def ghost(self, side: str, field: str = "") -> GhostRule:
        return GhostCopy(-1, -1, 1) if _side(side) == "low" else GhostCopy(0, 1, 0)


@dataclass(frozen=True)
class Dirichlet(BoundaryCondition):
    """A prescribed value: a number, or a SymPy expression of ``t``."""

    value: Any = 0

    def __post_init__(self) -> None:
        from mcgen.model.expressions import check_expression
        v = check_expression(self.value, "Dirichlet value")
        if v.free_symbols - {sp.Symbol("t", nonnegative=True), sp.Symbol("t")}:
            raise ModelError(f"Dirichlet value {v} may depend on t only")
        object.__setattr__(self, "value", v)

    def meaning(self, reading: str) -> str:
        return f"Dirichlet: the boundary value is {self.value}"

    def ghost(self, side: str, field: str = "") -> GhostRule:
        _side(side)
        return GhostValue(self.value)


@dataclass(frozen=True)
class DirichletSeries(BoundaryCondition):
    """A Dirichlet value given per step at run time: ``kernel.run(..., **{name: values})`` with
    ``values[n]`` the ghost value during step ``n`` (an array of at least ``nsteps`` numbers)."""

    name: str = "bc_values"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier() or \
                keyword.iskeyword(self.name):
            raise ModelError(f"DirichletSeries({self.name!r}): the name must be a Python "
                             "identifier (it becomes an argument name), e.g. 'left_values'")

    def meaning(self, reading: str) -> str:
        return f"Dirichlet: the boundary value at step n is {self.name}[n], given at run time"

    def ghost(self, side: str, field: str = "") -> GhostRule:
        _side(side)
        return GhostSeries(self.name)


@dataclass(frozen=True)
class Outflow(BoundaryCondition):
    def meaning(self, reading: str) -> str:
        return "zero-gradient outflow: ghost cells copy the nearest interior value"

    def ghost(self, side: str, field: str = "") -> GhostRule:
        return GhostCopy(0, 0, 0) if _side(side) == "low" else GhostCopy(-1, 0, 1)


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

    def ghost(self, side: str, field: str = "") -> GhostRule:
        odd = field in self.odd
        return GhostCopy(0, 1, 0, odd) if _side(side) == "low" else GhostCopy(-1, -1, 1, odd)

    @property
    def zero_flux(self) -> bool:
        # a solid wall (odd fields) is a mirror image whose own flux at the wall is right
        return not self.odd


@dataclass(frozen=True)
class Absorbing(BoundaryCondition):
    def meaning(self, reading: str) -> str:
        if normalize_reading(reading) == FORWARD:
            return "absorbing: rho = 0 at the boundary (mass leaves and is counted)"
        return "absorbing: v = the payoff at the boundary (the walker stops there)"

    def ghost(self, side: str, field: str = "") -> GhostRule:
        _side(side)
        return GhostValue(sp.Integer(0))


@dataclass(frozen=True)
class Halo(BoundaryCondition):
    """The inner side of a block of a larger grid: its ghost cells are given (the neighbouring
    block's values, a halo exchanged by ``mcgen.run.distributed``) and never filled."""

    def meaning(self, reading: str) -> str:
        return "halo: the ghost cells are a neighbouring block's values, given with the data"

    def ghost(self, side: str, field: str = "") -> GhostRule:
        _side(side)
        return GhostGiven()


def _side(side: str) -> str:
    if side not in SIDES:
        raise ModelError(f"boundary side {side!r}: use 'low' or 'high'")
    return side


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


BoundarySpec = tuple[tuple[BoundaryCondition, BoundaryCondition], ...]


def normalize_bc(bc: Any, dim: int) -> BoundarySpec:
    """One ``(low, high)`` pair of conditions per axis.

    Accepts a single condition or its name (every side), a sequence of ``dim`` entries (each a
    condition for both sides of that axis, or a ``(low, high)`` pair), or a dict keyed by axis
    number or ``(axis, "low"|"high")`` (unnamed sides default to periodic).
    """
    if isinstance(bc, dict):
        sides: list[list[BoundaryCondition]] = [[Periodic(), Periodic()] for _ in range(dim)]
        for key, val in bc.items():
            if isinstance(key, tuple):
                axis, side = key
                _check_axis(axis, dim)
                sides[axis][SIDES.index(_side(side))] = as_boundary(val)
            else:
                _check_axis(key, dim)
                sides[key] = [as_boundary(val), as_boundary(val)]
        spec = tuple((lo, hi) for lo, hi in sides)
    elif isinstance(bc, (str, BoundaryCondition)):
        b = as_boundary(bc)
        spec = tuple((b, b) for _ in range(dim))
    elif isinstance(bc, Sequence):
        if len(bc) != dim:
            raise ModelError(f"bc gives {len(bc)} entries for a {dim}-D scheme: give one "
                             "condition (or a (low, high) pair) per axis")
        out: list[tuple[BoundaryCondition, BoundaryCondition]] = []
        for entry in bc:
            if isinstance(entry, (tuple, list)):
                if len(entry) != 2:
                    raise ModelError(f"boundary pair {entry!r} must be (low, high)")
                out.append((as_boundary(entry[0]), as_boundary(entry[1])))
            else:
                out.append((as_boundary(entry), as_boundary(entry)))
        spec = tuple(out)
    else:
        raise ModelError(f"bc={bc!r} is not understood: give a condition, its name, one per "
                         "axis, or (low, high) pairs per axis")
    for d, (lo, hi) in enumerate(spec):
        if isinstance(lo, Periodic) != isinstance(hi, Periodic):
            raise ModelError(f"axis {d} is periodic on one side only ({lo}, {hi}): a ring "
                             "needs both sides periodic")
        for b in (lo, hi):
            if type(b).ghost is BoundaryCondition.ghost:
                raise ModelError(f"boundary condition {b!r} has no ghost-cell rule")
    return spec


def _check_axis(axis: Any, dim: int) -> None:
    if not isinstance(axis, int) or not 0 <= axis < dim:
        raise ModelError(f"boundary axis {axis!r} is not an axis of a {dim}-D scheme")


def needs_zero_flux_walls(reading: str, has_numerical_flux: bool, spec: BoundarySpec) -> bool:
    """Whether a Reflecting side of ``spec`` means zero flux through the wall (the wall's
    interface flux is 0) rather than the even mirror alone: densities (forward reading) and
    schemes in conservative form (a numerical flux); expectations keep v_x = 0."""
    if not any(b.zero_flux for pair in spec for b in pair):
        return False
    return has_numerical_flux or normalize_reading(reading) == FORWARD
