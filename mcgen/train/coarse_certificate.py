"""The certificate of a learned coarse scheme: conservative, TVD and a local maximum principle
by Harten's theorem, for every feature value, under lam max f' <= 1 on the data range.

With F_{j+1/2} = f(u_j) + psi_{j+1/2} m_{j+1/2} (:mod:`mcgen.train.coarse_basis`), write
m_{j+1/2} = mu_+ (1 - nu) D_{j-1/2} / lam and m_{j-1/2} = mu_- a_{j-1/2} D_{j-1/2}, nu =
lam a_{j-1/2}; minmod(x, y) / y lies in [0, 1], so mu_+- in [0, 1]. Then (checked identity)

    u_j' = u_j - D D_{j-1/2},   D = nu + (1 - nu) psi_+ mu_+ - nu psi_- mu_-,

Harten's incremental form with C = 0. D is multilinear in (nu, psi_+, mu_+, psi_-, mu_-) on the
box [0, 1]^5, so it takes its extremes at the 32 vertices, where 0 <= D <= 1 is checked exactly.
psi in [0, 1] holds because every learned coefficient lies in [0, 1] (checked exactly on the
rounded rationals) and psi is an average of hat-tensor interpolants (non-negative weights summing
to at most 1). nu in [0, 1] is the CFL condition: the Roe speed is a mean of f' over the segment,
so 0 <= a <= B = max f' on [m, M] when f' >= 0 there. u_j' = (1 - D) u_j + D u_{j-1} is then a
convex combination: TVD (Harten 1983) and the range [m, M] is invariant, so the certificate's
hypotheses hold at every later step.
"""

from __future__ import annotations

import itertools

import sympy as sp

from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import dx as DX
from mcgen.model.symbols import lam as LAM
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder
from mcgen.train.coarse_basis import CoarseBasis, U

__all__ = ["coarse_certificate"]


def coarse_certificate(basis: CoarseBasis, coeffs: tuple[sp.Rational, ...], lam: sp.Rational,
                       B: sp.Expr, m: sp.Rational, M: sp.Rational, factor: int) -> Derivation:
    f = sp.sympify(basis.flux)
    b = DerivationBuilder(f"Learned coarse scheme (factor {factor}, {basis.width} points per "
                          "side) is conservative and TVD", meta={"data_range": (m, M)})
    i0 = b.define("F_(j+1/2) = f(u_j) + psi_(j+1/2) m_(j+1/2), m_(j+1/2) = minmod(a_(j+1/2) "
                  "D_(j+1/2), (1 - lam a_(j-1/2)) D_(j-1/2) / lam), D_(j+1/2) = u_(j+1) - u_j, "
                  f"a the Roe speed of f = {sp.sstr(f)}; psi: {basis.describe()}",
                  "the learned scheme (upwind flux plus a bounded anti-diffusive flux)")
    i1 = b.step("sum_j (F_(j+1/2) - F_(j-1/2)) = 0 on a periodic grid: mass is conserved",
                "flux form: the sum telescopes", Check("follows"), uses=[i0])
    # unevaluated relations: the coefficients stay in the check, so a recheck (also after a
    # JSON round trip) decides them again
    inside = sp.And(*[sp.And(sp.Le(0, c, evaluate=False), sp.Le(c, 1, evaluate=False))
                      for c in coeffs])
    i2 = b.step(f"0 <= c <= 1 for all {len(coeffs)} learned coefficients",
                "checked exactly on the rounded rational coefficients", Check("truth", (inside,)),
                uses=[i0])
    i3 = b.step("0 <= psi <= 1 for every value of the features",
                f"psi is the mean of {basis.blocks} tensor-product hat interpolants (hats >= 0, "
                "summing to at most 1 in each factor) of coefficients in [0, 1]",
                Check("follows"), uses=[i2])
    fp = sp.diff(f, U)
    i4 = b.step(sp.Ge(fp, 0), f"f' >= 0 on the data range [{m}, {M}]: the upwind side is the "
                "left one", Check("nonneg_on_interval", (fp, U, m, M)) if fp.is_polynomial(U)
                else Check("sampled"), uses=[i0])
    i5 = b.step(sp.Eq(sp.Symbol("B"), B), f"B = max |f'| on [{m}, {M}]",
                Check("max_abs_on_interval", (fp, U, m, M, B)), uses=[i0])
    i6 = b.step("lam B <= 1 implies nu = lam a in [0, 1] at every interface",
                "the Roe speed is the mean of f' over the segment between two values in "
                "[m, M] (f' >= 0 there)", Check("follows"), uses=[i4, i5])
    nu, pp, mp, pm, mm, lam_s, dm, am = sp.symbols("nu psi_p mu_p psi_m mu_m lam D a",
                                                   positive=True)
    fj_minus_fjm1 = am * dm                                # Roe speed definition
    Fp = mp * (1 - lam_s * am) * dm / lam_s * pp           # F_(j+1/2) - f(u_j)
    Fm = mm * am * dm * pm                                 # F_(j-1/2) - f(u_(j-1))
    D = nu + (1 - nu) * pp * mp - nu * pm * mm
    i7 = b.identity(lam_s * (fj_minus_fjm1 + Fp - Fm), (D * dm).subs(nu, lam_s * am),
                    "lam (F_(j+1/2) - F_(j-1/2)) = D D_(j-1/2) with m_(j+1/2) = mu_p (1 - nu) "
                    "D_(j-1/2) / lam, m_(j-1/2) = mu_m a D_(j-1/2), nu = lam a (Harten's D, "
                    "C = 0)", uses=[i0])
    verts = [D.subs(dict(zip((nu, pp, mp, pm, mm), v, strict=True)))
             for v in itertools.product((0, 1), repeat=5)]
    i8 = b.step("0 <= D <= 1 for nu, psi_p, mu_p, psi_m, mu_m in [0, 1]",
                "D is multilinear on the box, so its extremes are at the 32 vertices, checked "
                "exactly; mu in [0, 1] because minmod(x, y) / y lies in [0, 1]",
                Check("truth", (sp.And(*[sp.And(sp.Le(0, v, evaluate=False),
                                                 sp.Le(v, 1, evaluate=False)) for v in verts]),)),
                uses=[i3, i6, i7])
    cond = Condition(sp.Le(LAM * B, 1), (LAM,), "tvd", "proved", name="CFL (certified TVD)",
                     description=f"lambda * {B} <= 1: conservative, TVD and a local maximum "
                     f"principle for data in [{m}, {M}] (Harten's theorem, every feature value)",
                     definitions={LAM: DT / DX})
    b.step(cond, "Harten's theorem (1983): u_j' = u_j - D D_(j-1/2) with 0 <= D <= 1 is TVD; "
           "u_j' = (1 - D) u_j + D u_(j-1) is a convex combination, so [m, M] is invariant and "
           "the hypotheses hold at every later step", Check("follows"), uses=[i1, i8])
    b.step(sp.Le(lam * B, 1), f"the data's own step lies in the region: lambda = {lam}",
           Check("truth", (sp.Le(lam * B, 1),)), uses=[i5])
    return b.finish(cond)
