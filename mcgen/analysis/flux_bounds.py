"""max |f'(u)| over a data range [m, M], in closed form (polynomial and rational fluxes).

The computation is the proof layer's :func:`mcgen.proof.interval_max.max_abs_on_interval`
applied to g = f' (so that the model catalogue, which needs it for the global Lax-Friedrichs
viscosity, does not import the analysis layer); this module adds the derivation.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.proof import Check, Derivation, DerivationBuilder
from mcgen.proof.interval_max import critical_points as _crit
from mcgen.proof.interval_max import max_abs_on_interval

__all__ = ["max_abs_derivative", "max_abs_derivative_derivation", "critical_points"]


def critical_points(flux: sp.Expr, u: sp.Symbol) -> list[sp.Expr]:
    """Real roots of f'' (numerator, for rational fluxes): interior extrema of f'."""
    return _crit(sp.diff(flux, u), u)


def max_abs_derivative(flux: sp.Expr, u: sp.Symbol, m: Any, M: Any) -> sp.Expr:
    """max over u in [m, M] of |f'(u)| (closed form; exact number for a numeric range)."""
    return max_abs_on_interval(sp.diff(sp.sympify(flux), u), u, m, M)


def max_abs_derivative_derivation(flux: sp.Expr, u: sp.Symbol, m: Any, M: Any) -> Derivation:
    """The bound with its proof: for a numeric range and polynomial f', B - f' >= 0 and
    B + f' >= 0 on [m, M] by exact root isolation, and the maximum recomputed as a check."""
    B = max_abs_derivative(flux, u, m, M)
    fp = sp.diff(flux, u)
    b = DerivationBuilder(f"max |f'| for f = {flux} on [{m}, {M}]")
    i0 = b.define(sp.Eq(sp.Symbol("f'"), fp, evaluate=False), "derivative of the flux")
    b.define(f"critical points of f' (roots of f''): {critical_points(flux, u)}",
             "interior extrema of f'")
    uses = [i0]
    if sp.sympify(m).is_number and sp.sympify(M).is_number and fp.is_polynomial(u):
        uses.append(b.step(f"{B} - f'(u) >= 0 on [{m}, {M}]", "upper bound",
                           Check("nonneg_on_interval", (B - fp, u, m, M)), [i0]))
        uses.append(b.step(f"{B} + f'(u) >= 0 on [{m}, {M}]", "lower bound",
                           Check("nonneg_on_interval", (B + fp, u, m, M)), [i0]))
    b.step(sp.Eq(sp.Symbol("B"), B, evaluate=False),
           "max of |f'| over the end points and the critical points in the range",
           Check("max_abs_on_interval", (fp, u, m, M, B)), uses)
    return b.finish(B)
