"""The positivity-preserving CFL bound of finite-volume schemes for the Euler equations and
shallow water (Zhang-Shu type), with its derivation.

1. The admissible set G = {rho > 0, p > 0} (shallow water: {h > 0}) is convex: p(U) =
   (gamma - 1)(E - m^2/(2 rho)) is concave on rho > 0, its Hessian being -(gamma - 1)/rho^3 v v^T
   with v = (m, -rho, 0).
2. First order: U_j - lam (F_{j+1/2} - F_{j-1/2}) = (1/2)[U_j - 2 lam (F_{j+1/2} - f(U_j))] +
   (1/2)[U_j - 2 lam (f(U_j) - F_{j-1/2})]; each bracket is the cell average of one HLL/HLLC
   approximate Riemann fan, whose states lie in G with Einfeldt's wave speeds (Einfeldt, Munz,
   Roe, Sjogreen 1991; Batten, Clarke, Lambert, Causon 1997), as long as its waves stay in the
   cell: 2 lam S <= 1, S the largest |S_L|, |S_R|.
3. MUSCL: with U_j = (U^-_j + U^+_j)/2 (one slope per cell) the update is (1/2) of two
   first-order steps with mesh ratio 2 lam on interface states; those lie in G after the
   Zhang-Shu scaling, so 4 lam S <= 1.
4. 2-D (unsplit): with a = dt S_x/dx, b = dt S_y/dy, the update is a/(a + b) times an x-update
   with mesh ratio (a + b)/S_x plus b/(a + b) times a y-update: the 1-D bound holds for
   dt (S_x/dx + S_y/dy).
5. An SSP Runge-Kutta method with coefficient C keeps G invariant under C times the bound.

Roe's linearisation has no such property (it fails on the 1-2-3 problem): no bound is proved.
"""

from __future__ import annotations

import sympy as sp

from mcgen.analysis.ssp import ssp_derivation
from mcgen.errors import AnalysisError
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import dx as DX
from mcgen.model.symbols import lam as LAM
from mcgen.model.system_scheme import SystemScheme
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder

__all__ = ["positivity_condition", "positivity_bound"]

S_MAX = sp.Symbol("S", nonnegative=True)


def positivity_condition(scheme: SystemScheme) -> Derivation:
    """The positivity-preserving condition lam * S <= bound (S the largest wave-speed estimate
    at the interface states). Result: a :class:`Condition` of kind ``positivity``."""
    if not isinstance(scheme, SystemScheme):
        raise AnalysisError(f"positivity_condition needs a SystemScheme, got "
                            f"{type(scheme).__name__}")
    b = DerivationBuilder(f"Positivity-preserving bound of {scheme.name}",
                          meta={"model_hash": scheme.hash})
    i0 = b.define(scheme.describe(), "the scheme")
    law = scheme.law
    if scheme.system == "euler":
        rho, *mom, E = law.fields
        g = scheme.parameter
        p = (g - 1) * (E - sum(m**2 for m in mom) / (2 * rho))
        Hs = sp.hessian(p, law.fields)
        # -H = (gamma - 1)/rho^3 sum_i v_i v_i^T with v_i = (m_i, 0.., -rho (slot i), .., 0)
        vs = []
        for i, m in enumerate(mom):
            v = sp.zeros(len(law.fields), 1)
            v[0], v[1 + i] = m, -rho
            vs.append(v)
        gram = sum((v * v.T for v in vs), sp.zeros(len(law.fields), len(law.fields)))
        i1 = b.identity(sp.ImmutableMatrix(Hs), sp.ImmutableMatrix(-(g - 1) / rho**3 * gram),
                        "Hessian of the pressure: a negative multiple of a sum of rank-one "
                        "squares, so p is concave on rho > 0 and G = {rho > 0, p > 0} is "
                        "convex", [i0])
    else:
        i1 = b.define("G = {h > 0} is a half-space (convex)", "depth is linear in U")
    if scheme.flux == "roe":
        cond = Condition(sp.false, (LAM, S_MAX), "positivity", "unknown",
                         sufficient=sp.false, necessary=None, name="positivity",
                         description="no positivity bound: Roe's linearised solver can give "
                                     "negative density or pressure at any CFL number "
                                     "(Einfeldt et al. 1991); use hll or hllc",
                         definitions={LAM: DT / DX})
        b.step(cond, "Roe's intermediate states are not in G in general", Check("follows"),
               [i1])
        return b.finish(cond)
    F = sp.Function("F")
    f = sp.Function("f")
    Um, U, Up, Fl, Fr = sp.symbols("U_j-1 U_j U_j+1 F_l F_r")
    lam = LAM
    lhs = U - lam * (Fr - Fl)
    rhs = (U - 2 * lam * (Fr - f(U))) / 2 + (U - 2 * lam * (f(U) - Fl)) / 2
    i2 = b.identity(lhs, rhs, "first order: the update is the mean of two one-fan updates "
                    "with mesh ratio 2 lam", [i0])
    i3 = b.define("HLL with Einfeldt's speeds (and HLLC, Batten et al. 1997) is positively "
                  "conservative: a one-fan update U_j - mu (F(U_j, U_j+1) - f(U_j)) is a cell "
                  "average of states in G when mu S <= 1", "theorem (Einfeldt, Munz, Roe, "
                  "Sjogreen 1991)")
    weight = sp.Rational(1, 2)
    uses = [i1, i2, i3]
    if scheme.limiter is not None:
        Wm, Wp, Vm, Vp, Xm, Xp = sp.symbols("U^-_j U^+_j U^-_j+1 U^+_j+1 U^-_j-1 U^+_j-1")
        lhs2 = (Wm + Wp) / 2 - lam * (F(Wp, Vm) - F(Xp, Wm))
        rhs2 = (Wm - 2 * lam * (F(Wm, Wp) - F(Xp, Wm))) / 2 + \
            (Wp - 2 * lam * (F(Wp, Vm) - F(Wm, Wp))) / 2
        uses.append(b.identity(lhs2, rhs2, "MUSCL with one slope per cell (U_j = (U^-_j + "
                               "U^+_j)/2): the mean of two first-order updates with ratio "
                               "2 lam on the interface states", [i0]))
        uses.append(b.define("the Zhang-Shu scaling shrinks each slope until both interface "
                             "states are in G (p concave: the scaling factor is explicit)",
                             "enforced by the reconstruction"))
        weight = sp.Rational(1, 4)
    if scheme.dim == 2:
        a, bb, Ux, Uy, dF, dG = sp.symbols("a b U_x U_y dF dG", positive=True)
        lhs3 = U - a * dF - bb * dG
        rhs3 = a / (a + bb) * (U - (a + bb) * dF) + bb / (a + bb) * (U - (a + bb) * dG)
        uses.append(b.identity(lhs3, rhs3, "2-D unsplit: a convex combination of one x-update "
                               "and one y-update, each with the summed mesh ratio "
                               "(a = dt S_x/dx, b = dt S_y/dy; dF, dG the flux differences "
                               "over the speeds)", [i0]))
    ssp = ssp_derivation(scheme.stepper)
    C = ssp.result
    iC = b.step(sp.Eq(sp.Symbol("C_ssp"), C, evaluate=False),
                f"SSP coefficient of {scheme.stepper.name}",
                Check("ssp_coefficient", (scheme.stepper.A, scheme.stepper.b, C)), [])
    bound = sp.nsimplify(C * weight)
    expr = sp.Le(lam * S_MAX, bound) if bound > 0 else sp.false
    speeds = "S = max |S_L|, |S_R| over the interface states" if scheme.dim == 1 else \
        "lam S = dt (S_x/dx + S_y/dy), S_d the largest |S_L|, |S_R| of direction d"
    words = (f"lam * S <= {bound} ({speeds}; {weight} from the convex decomposition, times "
             f"C_ssp = {C}); sufficient")
    cond = Condition(expr, (LAM, S_MAX), "positivity", "unknown", sufficient=expr,
                     necessary=None, name="positivity-preserving CFL", description=words,
                     definitions={LAM: DT / DX})
    b.step(cond, "G convex and each stage a convex combination of forward-Euler steps in G",
           Check("follows"), [*uses, iC])
    return b.finish(cond)


def positivity_bound(scheme: SystemScheme) -> float | None:
    """The number bound in lam * S <= bound (None when nothing is proved)."""
    cond = positivity_condition(scheme).result
    if cond.expr is sp.false:
        return None
    return float(cond.expr.rhs)
