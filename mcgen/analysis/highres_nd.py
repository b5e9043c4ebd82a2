"""The maximum-principle CFL bound of a scalar high-resolution scheme in 2-D or 3-D built
dimension by dimension from 1-D flux-limited / MUSCL schemes (one per axis):

    sum_d lam_d / c_d <= 1,     lam_d = dt/dx_d,

c_d the proved 1-D bound of axis d (:func:`mcgen.analysis.tvd.tvd_condition`, SSP coefficient
included). The argument is checked step by step: with S = sum_e lam_e/c_e and
w_d = (lam_d/c_d)/S, the weights sum to one, the d-D forward-Euler update is
u + sum_d lam_d D_d = sum_d w_d (u + (lam_d/w_d) D_d), and lam_d/w_d = c_d S <= c_d; each bracket
is then a 1-D step within its proved bound, whose Harten incremental form (C, D >= 0,
C + D <= 1) is a convex combination of neighbours, so the sum is one too: no new extrema. The
SSP stepper keeps it (each stage a convex combination of forward-Euler steps). It is not a TVD
bound: in 2-D a TVD scheme is at most first order (Goodman and LeVeque 1985).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from mcgen.analysis.highres_safety import highres_condition
from mcgen.errors import AnalysisError
from mcgen.model.highres_scheme import HighResScheme
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import dx, dy, dz
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder

__all__ = ["axis_ratios", "dimensional_condition"]


def axis_ratios(dim: int) -> tuple[sp.Symbol, ...]:
    """The mesh ratios lam_d = dt/dx_d, d < dim (the variables of the condition; defined from
    ``dt`` and the spacings ``dx``, ``dy``, ``dz``)."""
    return tuple(sp.Symbol(f"lam{d}", positive=True) for d in range(dim))


def dimensional_condition(axes: Sequence[HighResScheme],
                          data_range: tuple[Any, Any] | None = None) -> Derivation:
    """Checked derivation of ``sum_d lam_d / c_d <= 1`` for the dimension-by-dimension scheme
    of ``axes`` (2 or 3 one-dimensional flux-limited or MUSCL schemes sharing one stepper).
    Result: a :class:`Condition` of kind ``maximum_principle`` on (lam0, lam1[, lam2]),
    sufficient (sharpness is not claimed)."""
    axes = tuple(axes)
    if not 2 <= len(axes) <= 3 or not all(isinstance(s, HighResScheme) for s in axes):
        raise AnalysisError("dimensional_condition needs 2 or 3 one-dimensional HighResSchemes "
                            "(one per axis)")
    dim = len(axes)
    lams = axis_ratios(dim)
    b = DerivationBuilder(f"maximum-principle CFL bound of the {dim}-D dimension-by-dimension "
                          f"scheme {'; '.join(s.name for s in axes)}",
                          meta={"model_hash": "_".join(s.hash[:12] for s in axes)})
    cs, ic = [], []
    for d, s in enumerate(axes):
        cond = highres_condition(s, data_range)  # raises where no 1-D bound is proved
        c = sp.nsimplify(cond.sufficient.rhs) if isinstance(cond.sufficient, sp.Le) else None
        if c is None or not (c.is_number and c > 0):
            raise AnalysisError(f"axis {d} ({s.name}): no positive 1-D bound lam <= c to build "
                                f"on ({cond.describe()})")
        cs.append(c)
        ic.append(b.step(sp.Eq(sp.Symbol(f"c{d}"), c, evaluate=False),
                         f"axis {d}: u_t + f_{d}(u)_x{d} = 0 by {s.name} is TVD, with Harten "
                         f"coefficients C, D >= 0, C + D <= 1, for lam <= {c} "
                         f"(tvd_condition: {cond.description})", Check("follows")))
    S = sp.Add(*[lam / c for lam, c in zip(lams, cs, strict=True)])
    w = [lam / c / S for lam, c in zip(lams, cs, strict=True)]
    i_w = b.identity(sp.Add(*w), sp.Integer(1),
                     f"w_d = (lam_d/c_d) / S with S = {S}: the weights sum to 1", ic,
                     claim=sp.Eq(sp.Symbol("sum_d w_d"), 1, evaluate=False))
    u = sp.Symbol("u")
    D = [sp.Symbol(f"D{d}") for d in range(dim)]  # dx_d (L_d u): the 1-D space operators
    lhs = u + sp.Add(*[lam * Dd for lam, Dd in zip(lams, D, strict=True)])
    rhs = sp.Add(*[wd * (u + lam / wd * Dd) for wd, lam, Dd in zip(w, lams, D, strict=True)])
    i_split = b.identity(lhs, rhs, "the forward-Euler step u + dt sum_d L_d(u) is the "
                         "w-weighted mean of 1-D steps u + (dt/w_d) L_d(u)", [i_w],
                         claim=sp.Eq(lhs, sp.Symbol("sum_d w_d (u + (lam_d/w_d) D_d)"),
                                     evaluate=False))
    S_sym = sp.Symbol("S")
    i_ratio = [b.identity(lam / wd, c * S, f"the 1-D step along axis {d} has mesh ratio "
                          f"lam_{d}/w_{d} = c_{d} S", [i_w],
                          claim=sp.Eq(sp.Symbol(f"lam{d}/w{d}"), c * S_sym, evaluate=False))
               for d, (lam, wd, c) in enumerate(zip(lams, w, cs, strict=True))]
    expr = sp.Le(S, 1)
    i_conv = b.step(sp.Implies(expr, sp.And(*[sp.Le(c * S, c) for c in cs])),
                    "S <= 1 puts every 1-D step within its proved bound: each is a convex "
                    "combination of neighbouring values, and so is their w-weighted mean (no "
                    "new extrema); the SSP stepper's stages are convex combinations of such "
                    "forward-Euler steps (the c_d include its SSP coefficient)",
                    Check("follows"), [i_split, *i_ratio])
    cond = Condition(expr, lams, "maximum_principle", "unknown", sufficient=expr,
                     name="maximum-principle CFL",
                     definitions={lam: DT / h for lam, h in zip(lams, (dx, dy, dz), strict=False)},
                     description=f"sum_d lam_d / c_d <= 1 with c = {tuple(cs)} (the proved "
                                 "1-D bounds); sufficient, not claimed sharp")
    b.step(cond, "the condition, from the steps above", Check("follows"), [i_conv, *ic])
    return b.finish(cond)
