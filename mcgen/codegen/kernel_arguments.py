"""What every argument of a stencil kernel means, and its boundary conditions in words: the
text an exported kernel's README, header and manifest give its caller (who owns dt and the
condition once the kernel leaves mcgen)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.codegen.stencil_layout import StencilLayout
from mcgen.model.scheme import Scheme

__all__ = ["argument_meanings", "boundary_text"]


def argument_meanings(scheme: Scheme, layout: StencilLayout) -> dict[str, str]:
    """``{argument name: meaning}`` for the serial kernel's arguments (``nu`` -> ``nu = a*dt/dx``
    from the scheme's definitions; ``lambda`` -> ``lambda = dt/dx`` for the argument
    ``p_lambda``)."""
    g = layout.ghost
    out = {"cur": f"the current values, padded by {g} ghost cell(s) per side (in: the state; "
                  "out: the newest state when nsteps is even)",
           "nxt": "the second buffer of the same shape (the newest state when nsteps is odd)"}
    for s in layout.scratch:
        out[s] = "scratch for interface fluxes (one padded field; contents ignored)"
    for s in layout.series:
        out[s] = f"Dirichlet boundary value of each step: {s}[n] during step n (>= nsteps values)"
    for d in range(layout.dim):
        out[f"n{d}"] = f"interior cells along axis {d}"
    out["nsteps"] = "number of time steps to advance"
    out["t0"] = "time of the first step (time-dependent boundary values)"
    out["dt"] = "time step" + ("" if layout.needs_dt else " (unused by this update)")
    defs = {k.name: v for k, v in scheme.definitions.items()}
    for name, arg in layout.params:
        what = f"{name} = {sp.sstr(defs[name])}" if name in defs else f"model parameter {name}"
        out[arg] = what if arg == name else f"{what} (argument {arg} holds {name})"
    for name, arg in layout.spacings:
        out[arg] = f"grid spacing {name}"
    for name, arg in layout.origins:
        out[arg] = f"coordinate {name} of the first interior cell centre"
    block = layout.block
    if block is not None:
        if block.step0 is not None:
            out[block.step0] = ("steps done before this call (step s has time t0 + (step0 + s) "
                                "dt)")
        for d, first, cells in block.axes:
            out[first] = (f"global index, along axis {d}, of this block's first interior cell "
                          "(the origin argument is the whole grid's)")
            out[cells] = f"cells of the whole grid along axis {d}"
    return out


def boundary_text(spec: Any, reading: str) -> str:
    """The boundary conditions of each side in words, with the meaning the scheme's reading
    gives them (``absorbing: rho = 0 at the boundary`` for a density)."""
    return "; ".join(f"axis {d} low: {lo.meaning(reading)}; axis {d} high: {hi.meaning(reading)}"
                     for d, (lo, hi) in enumerate(spec))
