"""Monotonicity of the whole-law scheme: numerical flux + central diffusion + explicit source.

For H(a, b, c) = b - lam (F(b, c) - F(a, b)) + mu (Phi(c) - 2 Phi(b) + Phi(a)) + dt s(b) on
data in [m, M] (lam = dt/dx, mu = dt/dx^2, d = Phi' the effective diffusivity):

- dH/da = lam dF/du_L(a, b) + mu d(a) and dH/dc = -lam dF/du_R(b, c) + mu d(c): non-negative
  when the flux part is monotone (dF/du_L >= 0 >= dF/du_R, from
  :func:`mcgen.analysis.monotonicity.monotonicity` of the flux alone) and d >= 0 on [m, M];
- dH/db = 1 - lam (dF/du_L(b, c) - dF/du_R(a, b)) - 2 mu d(b) + dt s'(b) >= 0 for all data
  when lam S + 2 mu max d + dt max(-s')^+ <= 1, with S the flux part's bound (max|f'| for
  Godunov, Engquist-Osher, Lax-Friedrichs).

For Godunov with constant D this is the classical lam max|f'| + 2 D dt/dx^2 <= 1; a linear decay
s = -k u adds dt k. The bound is also necessary (constant states) when at most one of |f'|, d and
-s' varies over the range; otherwise it is proved sufficient and the status says so. A monotone
H keeps [m, M] invariant when additionally s(m) >= 0 >= s(M) (then H(m, m, m) >= m and
H(M, M, M) <= M); otherwise the condition holds only while the data stay in [m, M], which the
run checks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sympy as sp

import mcgen.analysis.stability  # noqa: F401  (registers the "derivation" check)
from mcgen.errors import AnalysisError
from mcgen.model.catalogue.conservative import (
    DATA_MAX,
    DATA_MIN,
    MU,
    LawTerms,
    flux_kind,
    law_terms,
)
from mcgen.model.read import Field
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import dx as DX
from mcgen.model.symbols import lam as LAM
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder
from mcgen.proof.interval_max import critical_points

__all__ = ["is_whole_law", "law_monotonicity", "extremum_on_interval"]


def is_whole_law(scheme: Scheme) -> bool:
    """True for a conservative scheme whose law has diffusion or a source (the update is more
    than flux differences)."""
    if scheme.numerical_flux is None or scheme.law is None:
        return False
    terms = law_terms(scheme.law)
    return terms.has_diffusion or terms.has_source


def extremum_on_interval(g: sp.Expr, u: sp.Symbol, m: Any, M: Any, largest: bool = True
                         ) -> sp.Expr:
    """max (or min) of g(u) over [m, M] in closed form: end points and the real critical points
    inside (exact numbers for a numeric interval and numeric coefficients)."""
    g, m, M = sp.sympify(g), sp.sympify(m), sp.sympify(M)
    pick = sp.Max if largest else sp.Min
    if u not in g.free_symbols:
        return g
    cands = [g.subs(u, m), g.subs(u, M)]
    for c in critical_points(g, u):
        if m.is_number and M.is_number and c.is_number:
            if m <= c <= M:
                cands.append(g.subs(u, c))
        else:
            cands.append(sp.Piecewise((g.subs(u, c), sp.And(m <= c, c <= M)),
                                      (g.subs(u, m), True)))
    return pick(*[sp.nsimplify(x) if x.is_number else x for x in cands])


def _bounds_in_x(D: sp.Expr, x: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    """inf and sup of a coefficient D(x) over the real line (so the bound holds on any grid);
    an unbounded coefficient is refused."""
    from sympy.calculus.util import maximum, minimum
    try:
        lo, hi = minimum(D, x, sp.S.Reals), maximum(D, x, sp.S.Reals)
    except (NotImplementedError, ValueError, TypeError):
        lo = hi = sp.nan
    if not (lo.is_finite and hi.is_finite):
        raise AnalysisError(f"the diffusion coefficient D(x) = {D} has no finite bounds SymPy "
                            "can prove on the real line: the monotonicity bound 2 mu sup D <= "
                            "... needs them; give a bounded D(x) or write the scheme yourself")
    return sp.nsimplify(lo) if lo.is_Float else lo, sp.nsimplify(hi) if hi.is_Float else hi


def _flux_part(scheme: Scheme) -> Scheme:
    """The same scheme without diffusion and source (its numerical flux alone)."""
    assert scheme.law is not None and scheme.numerical_flux is not None
    F, uL, uR = scheme.numerical_flux
    u = scheme.law.fields[0]
    w = Field(u.name)
    lam = next((p for p in scheme.params if p.name == LAM.name), LAM)
    update = w[0] - lam * (F.subs({uL: w[0], uR: w[1]}, simultaneous=True)
                           - F.subs({uL: w[-1], uR: w[0]}, simultaneous=True))
    law = replace(scheme.law, diffusion=None, diffusion_form="none", source=0)
    head = scheme.name.split(" scheme for ")[0]
    return Scheme((u.name,), 1, {u.name: update}, reading="forward",
                  name=f"{head} scheme for {law.name or sp.sstr(law.flux[0])}",
                  definitions={lam: DT / DX}, law=law, numerical_flux=scheme.numerical_flux)


def _flux_bound(cond: Condition, lam: sp.Symbol) -> sp.Expr | None:
    """S in the flux part's condition lam S <= 1 (0 for ``true``, None for ``false``)."""
    e = cond.expr
    if e is sp.true:
        return sp.Integer(0)
    if e is sp.false:
        return None
    if isinstance(e, sp.LessThan) and e.rhs == 1 and lam in e.lhs.free_symbols:
        return sp.simplify(e.lhs / lam)
    raise AnalysisError(f"the flux part's monotonicity condition {e} is not of the form "
                        "lambda * S <= 1")


def law_monotonicity(scheme: Scheme, data_range: tuple[Any, Any]) -> Derivation:
    """Monotonicity of a whole-law scheme (flux + diffusion + source) on data in ``data_range``:
    a :class:`Condition` of kind ``monotone`` on (lambda, mu, dt)."""
    from mcgen.analysis.monotonicity import monotonicity

    assert scheme.law is not None
    terms: LawTerms = law_terms(scheme.law)
    u = terms.u
    m, M = (sp.nsimplify(v) for v in data_range)
    lam = next((p for p in scheme.params if p.name == LAM.name), LAM)
    b = DerivationBuilder(f"Monotonicity of {scheme.name}", meta={"model_hash": scheme.hash})
    a_, b_, c_ = sp.symbols("a b c", real=True)
    rest = terms.part(a_, b_, c_)
    sp_ = sp.diff(terms.source, u).subs(u, b_)
    if terms.coefficient != 0:
        D, x = sp.Lambda(terms.x, terms.coefficient), terms.x
        diag = (-2 * MU * D(x) if terms.form == "ito" else
                -MU * (D(x + DX / 2) + D(x - DX / 2))) + DT * sp_
        what = f"D(x) = {terms.coefficient} ({terms.form} form)"
    else:
        diag = -2 * MU * terms.diffusivity.subs(u, b_) + DT * sp_
        what = f"Phi(u) = {terms.potential} (diffusion Phi(u)_xx, {scheme.law.diffusion_form} " \
               "form)"
    i0 = b.define(f"H(a, b, c) = b - lambda (F(b, c) - F(a, b)) + {sp.sstr(rest)} with "
                  f"{what}, s(u) = {terms.source}, on data in [{m}, {M}]",
                  "the scheme's update (mcgen.model.catalogue.conservative)")
    i1 = b.step(sp.Eq(sp.Symbol("dR/db"), diag, evaluate=False),
                "derivative of the diffusion and source part in the centre value",
                Check("identity", (sp.diff(rest, b_), diag)), [i0])
    flux_scheme = _flux_part(scheme)
    F, uL, uR = scheme.numerical_flux  # type: ignore[misc]
    if sp.sympify(F).free_symbols - {uL, uR, DATA_MIN, DATA_MAX}:
        # a flux with parameters (a*u): the theorem on symbolic bounds, then the numbers
        flux_d = monotonicity(flux_scheme)
        fcond = flux_d.result
        fcond = replace(fcond, expr=fcond.expr.subs({DATA_MIN: m, DATA_MAX: M}))
    else:
        flux_d = monotonicity(flux_scheme, (m, M))
        fcond = flux_d.result
    i2 = b.step(fcond, f"monotonicity of the flux part alone ({flux_d.title})",
                Check("derivation", (flux_d,)))
    S = _flux_bound(fcond, lam)
    if S is None or fcond.status == "refuted":
        raise AnalysisError(f"the numerical flux of {scheme.name!r} is not monotone on "
                            f"[{m}, {M}] ({fcond.describe()}): the whole-law scheme needs a "
                            "monotone flux (godunov, engquist_osher, lax_friedrichs)")
    d, over = terms.diffusivity, f"[{m}, {M}]"
    if terms.coefficient != 0:  # D(x): its bounds over every position (any grid)
        d, over = terms.coefficient, "the real line"
        dmin, dmax = _bounds_in_x(d, terms.x)
    else:
        dmin = extremum_on_interval(d, u, m, M, largest=False)
        dmax = extremum_on_interval(d, u, m, M)
    K = sp.Max(extremum_on_interval(-sp.diff(terms.source, u), u, m, M), 0)
    i3 = b.step(f"min d = {dmin}, max d = {dmax} over {over} (d = {d}) and max(-s')^+ = {K} "
                f"on [{m}, {M}] (s' = {sp.diff(terms.source, u)})",
                "extrema over the end points and the interior critical points",
                Check("follows"), [i0])
    parts = []
    if terms.has_diffusion:
        nonneg = sp.simplify(dmin >= 0) if dmin.is_number else sp.Ge(dmin, 0)
        if nonneg is sp.false:
            raise AnalysisError(f"the effective diffusivity d = Phi'(u) = {d} of "
                                f"{scheme.name!r} is negative somewhere on [{m}, {M}] (min "
                                f"{dmin}): the diffusion term is backward (ill-posed) there; "
                                "no time step makes the scheme monotone")
        if nonneg is not sp.true:
            parts.append(nonneg)
    total = sp.expand(lam * S + 2 * MU * dmax + DT * K) if terms.has_diffusion else \
        sp.expand(lam * S + DT * K)
    bound = sp.Le(total, 1) if total != 0 else sp.true
    expr = sp.And(*parts, bound)
    varying = [name for name, g in (("|f'|", sp.diff(scheme.law.flux[0], u, 2)),
                                    ("d", sp.diff(d, terms.x or u)),
                                    ("-s'", sp.diff(terms.source, u, 2))) if g != 0]
    exact_flux = fcond.status == "proved" and fcond.name == "CFL"
    proved = exact_flux and len(varying) <= 1 and terms.coefficient == 0
    status = "proved" if proved else "unknown"
    how = ("also necessary: at most one term varies over the range, so the maximum of the "
           "sum is the sum of the maxima (constant states)" if proved else
           "proved sufficient on every grid (D at the grid's points is at most its sup over "
           "the real line)" if terms.coefficient != 0 else
           f"proved sufficient; {', '.join(varying)} vary over the range (or the flux bound is "
           "not the CFL bound), so the maxima may sit at different states")
    def shown(v: sp.Expr) -> str:
        return sp.sstr(sp.nsimplify(v) if v.is_number else v)

    words = [f"lambda * {shown(S)}"]
    if terms.has_diffusion:
        words.append(f"2 mu * {shown(dmax)}")
    if K != 0:
        words.append(f"dt * {shown(K)}")
    desc = (" + ".join(words) + f" <= 1 on [{m}, {M}] (lambda = dt/dx"
            + (", mu = dt/dx^2)" if terms.has_diffusion else ")"))
    name = "CFL with " + " and ".join(w for w, on in (("diffusion", terms.has_diffusion),
                                                        ("source", terms.has_source)) if on)
    definitions = {lam: DT / DX, **({MU: DT / DX**2} if terms.has_diffusion else {})}
    variables = tuple(v for v in (lam, MU, DT) if v in expr.free_symbols) or (lam,)
    cond = Condition(expr, variables, "monotone", status, sufficient=expr,
                     necessary=expr if proved else None,
                     name=name, description=desc,
                     definitions=definitions)
    i4 = b.step(cond, "dH/da, dH/dc >= 0 by the flux part and d >= 0; dH/db = 1 - lambda(dF/du_L"
                " - dF/du_R) - 2 mu d(b) + dt s'(b) >= 1 - (lambda S + 2 mu max d + dt max(-s')) "
                f"; {how}", Check("follows"), [i1, i2, i3])
    if terms.coefficient != 0 and terms.form == "ito":
        c = sp.Symbol("c", real=True)
        drift = sp.expand(sp.cancel(terms.part(c, c, c).subs(DT, 0) / c))
        b.step(f"H(c, c, c) - c = c * {sp.sstr(drift)} + dt s(c): the Ito form (D(x) u)_xx moves "
               "constant states (its weights sum to one by columns, not rows), so [m, M] is not "
               "invariant: monotonicity keeps u >= 0 and contracts in L1, without a maximum "
               "principle", "the forward (density) reading of a variable coefficient",
               Check("identity", (sp.expand(terms.part(c, c, c).subs(DT, 0)),
                                  sp.expand(c * drift))), [i4])
    s_lo, s_hi = sp.simplify(terms.source.subs(u, m)), sp.simplify(terms.source.subs(u, M))
    inv = sp.And(sp.Ge(s_lo, 0), sp.Le(s_hi, 0))
    invariant = inv is sp.true or (inv.is_Boolean and sp.simplify(inv) is sp.true)
    if terms.has_source:
        b.step(f"s(m) = {s_lo} >= 0 >= s(M) = {s_hi}: a monotone step maps [{m}, {M}] into "
               "itself (H(m, m, m) >= m, H(M, M, M) <= M)" if invariant else
               f"s(m) = {s_lo}, s(M) = {s_hi}: the source can leave [{m}, {M}]; the condition "
               "holds while the data stay in the range, which the run checks",
               "maximum principle of a monotone scheme with a source",
               Check("truth", (inv,)) if invariant else Check("follows"), [i4])
    out = b.finish(cond)
    return replace(out, meta={**out.meta, "S": S, "diffusivity_max": dmax, "source_rate": K,
                              "range_invariant": invariant, "flux_kind": flux_kind(scheme)})
