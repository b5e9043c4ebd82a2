"""The boundary conditions scalar high-resolution schemes run with, on the NumPy reference
(``mcgen.run.highres_stepper``) and in the generated kernels alike: periodic, outflow (zero
gradient) and Dirichlet of a constant value (an inflow state), chosen per side. Their ghost
cells are each condition's own rule (:meth:`~mcgen.model.boundary.BoundaryCondition.ghost`).

A wall (``Reflecting``) is refused: for a conservation law it means zero flux through the wall,
which the mirror ghost cells of these schemes do not give (an advective flux crosses a mirror),
and a time-dependent or per-step Dirichlet value is refused because the proved bound and the
flux splitting hold on the data range only, which a constant value is checked against.
"""

from __future__ import annotations

from typing import Any

from mcgen.errors import ModelError
from mcgen.model.boundary import BoundarySpec, Dirichlet, Outflow, Periodic, normalize_bc

__all__ = ["highres_boundary", "inflow_values", "boundary_words", "boundary_tag"]

_WORDS = {Periodic: "periodic", Outflow: "outflow"}


def highres_boundary(bc: Any, dim: int) -> BoundarySpec:
    """``bc`` (anything :func:`~mcgen.model.boundary.normalize_bc` takes) as one ``(low,
    high)`` pair per axis, each side periodic, outflow or a constant Dirichlet value (in 1-D a
    ``(low, high)`` pair may be given alone); anything else is refused with the reason."""
    if dim == 1 and isinstance(bc, (tuple, list)) and len(bc) == 2 and \
            not any(isinstance(b, (tuple, list)) for b in bc):
        bc = [tuple(bc)]
    spec = normalize_bc(bc, dim)
    for pair in spec:
        for b in pair:
            if isinstance(b, Dirichlet):
                if b.value.free_symbols or not b.value.is_real:
                    raise ModelError(f"{b!r}: scalar high-resolution schemes take a constant "
                                     "real inflow value (the proved bound holds on the data "
                                     "range, which the value is checked against)")
            elif type(b) not in _WORDS:
                raise ModelError(f"boundary {b!r}: scalar high-resolution schemes take "
                                 "'periodic', 'outflow' or Dirichlet(value) (an inflow state) "
                                 "on each side; a wall needs zero flux, which their mirror "
                                 "ghost cells do not give")
    return spec


def inflow_values(spec: BoundarySpec) -> list[float]:
    """The Dirichlet values of ``spec`` (they must lie in the data range)."""
    return [float(b.value) for pair in spec for b in pair if isinstance(b, Dirichlet)]


def _word(b: Any) -> str:
    if isinstance(b, Dirichlet):
        return f"Dirichlet {float(b.value)!r} (inflow)"
    return _WORDS[type(b)]


def boundary_words(spec: BoundarySpec) -> str:
    """The boundary in words: ``outflow`` when every side is outflow, else side by side."""
    kinds = {_word(b) for pair in spec for b in pair}
    if len(kinds) == 1:
        return next(iter(kinds))
    axes = "xyz"
    return "; ".join(f"{axes[d] if len(spec) > 1 else 'x'}: low {_word(lo)}, high {_word(hi)}"
                     for d, (lo, hi) in enumerate(spec))


def boundary_tag(spec: BoundarySpec) -> str:
    """A short, stable suffix for kernel names: '' when periodic everywhere (the first
    kernels' names), '_o' for outflow everywhere, else '_b' and a hash of the conditions."""
    words = boundary_words(spec)
    if words == "periodic":
        return ""
    if words == "outflow":
        return "_o"
    from mcgen.proof import stable_hash

    return "_b" + stable_hash(repr(spec))[:8]
