"""Monotonicity, TVD, the E-scheme property and entropy problems of conservative schemes.

For H(u_{j-1}, u_j, u_{j+1}) = u_j - lam (F(u_j, u_{j+1}) - F(u_{j-1}, u_j)) on data in [m, M]
(DESIGN section 1; the three properties are kept apart):

- **monotone**: H non-decreasing in each argument over [m, M]^3, i.e. dF/du_L >= 0, dF/du_R <= 0
  and lam S <= 1 with S = ess sup (dF/du_L(b, c) - dF/du_R(a, b)). For Lax-Friedrichs, Godunov
  and Engquist-Osher S = max|f'| (the CFL bound); local Rusanov has a larger S (Burgers on
  [-1, 1]: S = 3, lam <= 1/3).
- **TVD** (Harten): C = lam (f(u_L) - F)/(u_R - u_L) >= 0, D = lam (f(u_R) - F)/(u_R - u_L) >= 0,
  C + D <= 1 (sufficient); the CFL bound lam max|f'| <= 1 is necessary (linearisation about
  constant states), so the region is proved when the two coincide.
- **E-scheme** (Osher): sign(u_R - u_L)(F(u_L, u_R) - f(v)) <= 0 for v between u_L and u_R.
- **entropy**: a Roe/Murman flux without entropy fix keeps a stationary expansion shock at a
  sonic point; E-schemes satisfy a cell entropy inequality.

Numeric ranges are decided exactly (piecewise KKT enumeration, :mod:`mcgen.proof.numflux_checks`)
for fluxes that are quadratic with rational coefficients. Symbolic ranges: Lax-Friedrichs,
Godunov and Engquist-Osher by theorem (with max|f'| in closed form); other fluxes get the
necessary CFL condition and status ``unknown``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

import sympy as sp

from mcgen.analysis.flux_bounds import max_abs_derivative
from mcgen.errors import AnalysisError, ModelError
from mcgen.model.catalogue.conservative import DATA_MAX, DATA_MIN, flux_kind, sonic_point
from mcgen.model.law import Law
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import dx as DX
from mcgen.model.symbols import lam as LAM
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder
from mcgen.proof.numflux_checks import e_flux_violation, harten_data, monotone_data
from mcgen.proof.piecewise_max import NotPiecewiseQuadratic

__all__ = ["monotonicity", "tvd", "e_scheme", "entropy_check", "nonlinear_stability"]

_CFL_FLUXES = ("lax_friedrichs", "godunov", "engquist_osher")
_LOG = logging.getLogger(__name__)


class _Setup:
    """The pieces every analysis needs: F, u_L, u_R, f, u, lam, the range, B = max|f'|."""

    def __init__(self, scheme: Scheme, data_range: tuple[Any, Any]) -> None:
        if scheme.numerical_flux is None or scheme.law is None:
            raise AnalysisError(f"scheme {scheme.name!r} has no numerical flux and law: build "
                                "it with conservative_scheme(law, flux=...)")
        F, self.uL, self.uR = scheme.numerical_flux
        self.m, self.M = (sp.nsimplify(v) for v in data_range)
        self.F = sp.sympify(F).subs({DATA_MIN: self.m, DATA_MAX: self.M})
        self.u = scheme.law.fields[0]
        self.f = scheme.law.flux[0]
        self.lam = next((p for p in scheme.params if p.name == LAM.name), LAM)
        self.kind = flux_kind(scheme)
        self.numeric = self.m.is_number and self.M.is_number
        if self.numeric and self.m >= self.M:
            raise AnalysisError(f"data_range ({self.m}, {self.M}): give (min, max) with "
                                "min < max")
        extra = self.F.free_symbols - {self.uL, self.uR}
        if extra and self.numeric:
            raise AnalysisError(f"numerical flux depends on {sorted(map(str, extra))}: give "
                                "them values first (law with numbers, or scheme.subs)")
        self.B = max_abs_derivative(self.f, self.u, self.m, self.M)
        self.scheme = scheme

    def b_check(self) -> Check:
        """The check that B is max |f'| on the range (exact)."""
        return Check("max_abs_on_interval", (sp.diff(self.f, self.u), self.u, self.m, self.M,
                                             self.B))

    def bound(self, S: sp.Expr) -> sp.Boolean:
        S = sp.sympify(S)
        if S.is_number and S <= 0:
            return sp.true
        return sp.Le(self.lam * S, 1)

    def condition(self, expr: Any, kind: str, status: str, name: str, description: str,
                  sufficient: Any = None, necessary: Any = None) -> Condition:
        return Condition(expr, (self.lam,), kind, status,
                         sufficient=expr if sufficient is None else sufficient,
                         necessary=expr if necessary is None else necessary, name=name,
                         description=description, definitions={self.lam: DT / DX})


def _inv(S: Any) -> Any:
    S = sp.sympify(S)
    return sp.oo if S == 0 else 1 / S


def _header(b: DerivationBuilder, s: _Setup) -> int:
    return b.define(sp.Eq(sp.Symbol("F"), s.F, evaluate=False),
                    f"numerical flux of {s.scheme.name} on data in [{s.m}, {s.M}] "
                    "(H = u_j - lam (F(u_j, u_j+1) - F(u_j-1, u_j)))")


def _timed(d: Derivation, t0: float) -> Derivation:
    # the wall time goes to the log, not into the derivation (whose JSON stays deterministic)
    _LOG.debug("%s: %.4f s", d.title, time.perf_counter() - t0)
    return d


# ---------------------------------------------------------------- monotonicity


def monotonicity(scheme: Scheme, data_range: tuple[Any, Any] = (DATA_MIN, DATA_MAX)
                 ) -> Derivation:
    """Is the scheme monotone (update non-decreasing in each neighbour) on data in
    ``data_range``? Result: a :class:`Condition` of kind ``monotone`` on lambda (and on
    mu = dt/dx^2 and dt when the law has diffusion or a source:
    :func:`mcgen.analysis.law_monotonicity.law_monotonicity`)."""
    _require_scheme(scheme)
    from mcgen.analysis.law_monotonicity import is_whole_law, law_monotonicity
    if is_whole_law(scheme):
        return law_monotonicity(scheme, data_range)
    t0 = time.perf_counter()
    s = _Setup(scheme, data_range)
    b = DerivationBuilder(f"Monotonicity of {scheme.name}", meta={"model_hash": scheme.hash})
    i0 = _header(b, s)
    iB = b.step(sp.Eq(sp.Symbol("B"), s.B, evaluate=False),
                f"B = max |f'| over [{s.m}, {s.M}] (closed form: end points and roots of f'')",
                s.b_check(), [i0])
    if not s.numeric:
        return _timed(_monotone_symbolic(s, b, i0, iB), t0)
    try:
        il, sr, S = monotone_data(s.F, s.uL, s.uR, s.m, s.M)
    except NotPiecewiseQuadratic:
        # outside the exact class: the theorem for the CFL fluxes, sampling for the others
        if s.kind in _CFL_FLUXES:
            return _timed(_monotone_symbolic(s, b, i0, iB), t0)
        return _timed(_monotone_sampled(s, b, i0, iB), t0)
    args = (s.F, s.uL, s.uR, s.m, s.M)
    ok = il >= 0 and sr <= 0
    i1 = b.step(f"dF/du_L >= 0 and dF/du_R <= 0 a.e. on [{s.m}, {s.M}]^2 "
                f"(ess inf dF/du_L = {il}, ess sup dF/du_R = {sr})" if ok else
                f"NOT monotone for any lambda: ess inf dF/du_L = {il}, ess sup dF/du_R = {sr} "
                "(an off-diagonal coefficient of H has the wrong sign)",
                "dH/du_j-1 = lam dF/du_L(u_j-1, u_j), dH/du_j+1 = -lam dF/du_R(u_j, u_j+1)",
                Check("numflux_partials_signed", args) if ok else Check("follows"), [i0])
    if not ok:
        cond = s.condition(sp.false, "monotone", "proved", "monotonicity",
                           f"never monotone on [{s.m}, {s.M}]")
        b.step(cond, "a negative coefficient for every lambda > 0", Check("follows"), [i1])
        return _timed(b.finish(cond), t0)
    i2 = b.step(sp.Eq(sp.Symbol("S"), S, evaluate=False),
                "S = ess sup over [m, M]^3 of dF/du_L(u_j, u_j+1) - dF/du_R(u_j-1, u_j), so "
                "dH/du_j = 1 - lam (...) >= 0 iff lam S <= 1",
                Check("numflux_diagonal_sup", (*args, S)), [i0])
    expr = s.bound(S)
    rel = "equals" if S == s.B else ("exceeds" if S > s.B else "is below")
    name = "CFL" if S == s.B else "monotonicity bound (stricter than CFL)"
    if S == s.B:
        desc = f"lambda <= {_inv(S)} (the CFL condition lambda max|f'| <= 1)"
    else:
        desc = (f"lambda <= {_inv(S)} (S = {S} {rel} max|f'| = {s.B}: stricter than the CFL "
                "condition)")
    cond = s.condition(expr, "monotone", "proved", name, desc)
    b.step(cond, f"monotone iff all three partial derivatives are >= 0 (S {rel} B)",
           Check("follows"), [i1, i2, iB])
    d = b.finish(cond)
    return _timed(replace(d, meta={**d.meta, "S": S, "B": s.B}), t0)


def _monotone_sampled(s: _Setup, b: DerivationBuilder, i0: int, iB: int,
                      n: int = 41) -> Derivation:
    """S estimated on a grid of [m, M]^3 by central differences (status ``sampled``)."""
    import numpy as np

    F = sp.lambdify((s.uL, s.uR), s.F, "numpy")
    g = np.linspace(float(s.m), float(s.M), n)
    a, bb, c = np.meshgrid(g, g, g, indexing="ij")
    h = 1e-7 * (float(s.M) - float(s.m))
    # one-sided differences on both sides, so the limits at piece boundaries are seen
    f1 = [(F(bb + h, c) - F(bb, c)) / h, (F(bb, c) - F(bb - h, c)) / h]
    f2 = [(F(a, bb + h) - F(a, bb)) / h, (F(a, bb) - F(a, bb - h)) / h]
    d = np.max([x - y for x in f1 for y in f2], axis=0)
    off_l = np.minimum(*f1)
    off_r = np.maximum(*f2)
    S = sp.nsimplify(round(float(d.max()), 5), rational=True)
    if off_l.min() < -1e-6 or off_r.max() > 1e-6:
        expr, desc = sp.false, "never monotone (sampled: an off-diagonal coefficient < 0)"
    else:
        expr, desc = s.bound(S), f"lambda * {S} <= 1 (S sampled on a {n}^3 grid)"
    cond = s.condition(expr, "monotone", "sampled", "monotonicity bound (sampled)",
                       desc + "; not a proof: the flux is outside the exact class; proved "
                       "necessary: lambda max|f'| <= 1", sufficient=sp.false,
                       necessary=s.bound(s.B))
    b.step(cond, "sampled estimate of the partial derivatives of H (no proof)",
           Check("sampled"), [i0, iB])
    return b.finish(cond)


def _monotone_symbolic(s: _Setup, b: DerivationBuilder, i0: int, iB: int) -> Derivation:
    expr = s.bound(s.B)
    if s.kind in _CFL_FLUXES:
        theorem = {"lax_friedrichs": "dF/du_L = (f'(u_L) + alpha)/2, dF/du_R = (f'(u_R) - "
                                     "alpha)/2 with alpha = max|f'|: dH/du_j = 1 - lam alpha",
                   "godunov": "dF/du_L = f'(u_L)^+, dF/du_R = f'(u_R)^- a.e. (Godunov flux of a "
                              "convex/concave f): dH/du_j = 1 - lam |f'(u_j)|",
                   "engquist_osher": "dF/du_L = f'(u_L)^+, dF/du_R = f'(u_R)^- (by "
                                     "construction): dH/du_j = 1 - lam |f'(u_j)|"}[s.kind]
        i1 = b.step(theorem, "Crandall-Majda (1980); Harten-Hyman-Lax (1976)",
                    Check("follows"), [i0, iB])
        cond = s.condition(expr, "monotone", "proved", "CFL",
                           f"lambda * max|f'| <= 1 on [{s.m}, {s.M}]")
        b.step(cond, "monotone iff the diagonal coefficient is >= 0", Check("follows"), [i1])
        return b.finish(cond)
    cond = s.condition(expr, "monotone", "unknown", "CFL (necessary only)",
                       "necessary: lambda max|f'| <= 1; the sufficient bound depends on "
                       "the range: give a numeric data_range", sufficient=sp.false,
                       necessary=expr)
    b.step(cond, "symbolic range: only the necessary CFL condition is derived",
           Check("follows"), [iB])
    return b.finish(cond)


# ---------------------------------------------------------------- TVD


def tvd(scheme: Scheme, data_range: tuple[Any, Any] = (DATA_MIN, DATA_MAX)) -> Derivation:
    """Harten's incremental-coefficient test for TVD (kind ``tvd``)."""
    _require_scheme(scheme)
    _flux_only(scheme, "TVD (Harten)")
    t0 = time.perf_counter()
    s = _Setup(scheme, data_range)
    b = DerivationBuilder(f"TVD (Harten) for {scheme.name}", meta={"model_hash": scheme.hash})
    i0 = _header(b, s)
    iB = b.step(sp.Eq(sp.Symbol("B"), s.B, evaluate=False), "B = max |f'| on the range",
                s.b_check(), [i0])
    nec = s.bound(s.B)
    i_nec = b.step(f"necessary: lambda B <= 1 ({nec})",
                   "about a constant state a three-point TVD scheme linearises to a positive "
                   "linear scheme, which needs lam |f'(u)| <= 1 (Harten 1983)",
                   Check("follows"), [iB])
    if not s.numeric:
        return _timed(_tvd_theorem(s, b, i_nec, nec), t0)
    try:
        c_ok, d_ok, T = harten_data(s.F, s.f, s.u, s.uL, s.uR, s.m, s.M, fallback_T=s.B)
    except NotPiecewiseQuadratic:
        return _timed(_tvd_theorem(s, b, i_nec, nec), t0)
    return _timed(_tvd_exact(s, b, i0, i_nec, nec, c_ok, d_ok, T), t0)


def _theorem_applies(s: _Setup) -> bool:
    """LF, Godunov, EO: always; Rusanov: for convex or concave fluxes (then the local alpha
    bounds |f'| between the two states)."""
    if s.kind in _CFL_FLUXES:
        return True
    if s.kind != "rusanov":
        return False
    try:
        sonic_point(s.f, s.u)
    except Exception:  # noqa: BLE001 - f'' changes sign or several sonic points
        return False
    return True


def _tvd_theorem(s: _Setup, b: DerivationBuilder, i_nec: int, nec: Any) -> Derivation:
    known = _theorem_applies(s)
    cond = s.condition(nec, "tvd", "proved" if known else "unknown", "CFL",
                       "lambda max|f'| <= 1 (monotone => TVD; Rusanov: C + D = lam alpha)"
                       if known else "necessary only", sufficient=nec if known else sp.false,
                       necessary=nec)
    b.step(cond, "Harten's lemma for the catalogue fluxes (Harten 1983; monotone => TVD)",
           Check("follows"), [i_nec])
    return b.finish(cond)


def _tvd_exact(s: _Setup, b: DerivationBuilder, i0: int, i_nec: int, nec: Any, c_ok: bool,
               d_ok: bool, T: Any) -> Derivation:
    if not (c_ok and d_ok) or T is None:
        cond = s.condition(nec, "tvd", "unknown", "CFL (necessary only)",
                           "Harten's coefficients are not both non-negative: TVD not shown",
                           sufficient=sp.false, necessary=nec)
        b.step(cond, "Harten's sufficient conditions fail", Check("follows"), [i_nec])
        return b.finish(cond)
    suff = s.bound(T)
    i1 = b.step(f"C >= 0, D >= 0 and C + D <= lambda * {T} a.e. on [{s.m}, {s.M}]^2",
                "Harten's incremental form u_j + C_{j+1/2} du_{j+1/2} - D_{j-1/2} du_{j-1/2}",
                Check("harten_coefficients", (s.F, s.f, s.u, s.uL, s.uR, s.m, s.M, T)), [i0])
    status = "proved" if T == s.B else "unknown"
    rel = "equal to" if T == s.B else "gap to"
    cond = s.condition(suff, "tvd", status, "CFL" if T == s.B else "Harten bound",
                       f"lambda <= {_inv(T)} (Harten's lemma; {rel} the necessary "
                       f"lambda <= {_inv(s.B)})", sufficient=suff, necessary=nec)
    b.step(cond, "Harten's lemma: C, D >= 0 and C + D <= 1 imply TV(u^{n+1}) <= TV(u^n)",
           Check("follows"), [i1, i_nec])
    d = b.finish(cond)
    return replace(d, meta={**d.meta, "T": T, "B": s.B})


# ---------------------------------------------------------------- E-scheme


def e_scheme(scheme: Scheme, data_range: tuple[Any, Any] = (DATA_MIN, DATA_MAX)) -> Derivation:
    """Osher's E-flux property, with the CFL bound under which the scheme is an E-scheme
    (kind ``e-scheme``)."""
    _require_scheme(scheme)
    _flux_only(scheme, "the E-scheme property")
    t0 = time.perf_counter()
    s = _Setup(scheme, data_range)
    b = DerivationBuilder(f"E-scheme property of {scheme.name}", meta={"model_hash": scheme.hash})
    i0 = _header(b, s)
    cfl = s.bound(s.B)
    if not s.numeric:
        return _timed(_e_theorem(s, b, i0, cfl), t0)
    try:
        v = e_flux_violation(s.F, s.f, s.u, s.uL, s.uR, s.m, s.M)
    except NotPiecewiseQuadratic:
        return _timed(_e_theorem(s, b, i0, cfl), t0)
    return _timed(_e_exact(s, b, i0, cfl, v), t0)


def _e_theorem(s: _Setup, b: DerivationBuilder, i0: int, cfl: Any) -> Derivation:
    known = _theorem_applies(s)
    cond = s.condition(cfl, "e-scheme", "proved" if known else "unknown", "CFL",
                       "E-flux (Osher: Lax-Friedrichs, Godunov, Engquist-Osher; Tadmor: Rusanov "
                       "for convex fluxes); lambda max|f'| <= 1",
                       sufficient=cfl if known else sp.false, necessary=cfl)
    b.step(cond, "Osher (1984), Tadmor (1984)", Check("follows"), [i0])
    return b.finish(cond)


def _e_exact(s: _Setup, b: DerivationBuilder, i0: int, cfl: Any, v: Any) -> Derivation:
    args = (s.F, s.f, s.u, s.uL, s.uR, s.m, s.M)
    if v is None or v <= 0:
        i1 = b.step("sign(u_R - u_L) (F(u_L, u_R) - f(v)) <= 0 for every v between u_L and u_R",
                    "E-flux (Osher)", Check("e_flux", args), [i0])
        cond = s.condition(cfl, "e-scheme", "proved", "CFL",
                           f"E-flux; lambda <= {_inv(s.B)}")
        b.step(cond, "an E-flux under the CFL condition", Check("follows"), [i1])
    else:
        i1 = b.step(f"NOT an E-flux: sign(u_R - u_L)(F - f(v)) reaches {v} > 0",
                    "E-flux fails on the range", Check("follows"), [i0])
        cond = s.condition(sp.false, "e-scheme", "proved", "E-flux",
                           f"not an E-scheme on [{s.m}, {s.M}]")
        b.step(cond, "no lambda repairs a flux property", Check("follows"), [i1])
    return b.finish(cond)


# ---------------------------------------------------------------- entropy


def entropy_check(scheme: Scheme, data_range: tuple[Any, Any] = (DATA_MIN, DATA_MAX)
                  ) -> Derivation:
    """Flag entropy problems: a stationary expansion shock through a sonic point that the
    scheme keeps (Roe/Murman without entropy fix). ``meta['expansion_shock_kept']``."""
    _require_scheme(scheme)
    _flux_only(scheme, "the entropy check")
    t0 = time.perf_counter()
    s = _Setup(scheme, data_range)
    b = DerivationBuilder(f"Entropy check for {scheme.name}", meta={"model_hash": scheme.hash})
    _header(b, s)
    try:
        us, shape = sonic_point(s.f, s.u)
    except Exception:  # noqa: BLE001 - non-convex fluxes: no single sonic point to test
        us, shape = None, "other"
    inside = us is not None and s.numeric and s.m < us < s.M
    if not inside:
        b.define(f"no sonic point inside [{s.m}, {s.M}] (f' keeps one sign): no stationary "
                 "expansion shock can form", "sonic points are where expansion shocks sit")
        b.conclude("no entropy problem at a sonic point on this range")
        d = b.finish("no entropy problem at a sonic point on this range")
        return _timed(replace(d, meta={**d.meta, "expansion_shock_kept": False}), t0)
    dlt = min(us - s.m, s.M - us)
    # the expansion shock has characteristics leaving it: f'(u_L) < 0 < f'(u_R)
    uL, uR = (us - dlt, us + dlt) if shape == "convex" else (us + dlt, us - dlt)
    fL, fR = s.f.subs(s.u, uL), s.f.subs(s.u, uR)
    if sp.simplify(fL - fR) != 0:
        b.define("f(u_s - d) != f(u_s + d): the symmetric expansion shock is not stationary "
                 "for this flux; not tested", "test construction")
        b.conclude("not decided")
        d = b.finish("not decided")
        return _timed(replace(d, meta={**d.meta, "expansion_shock_kept": None}), t0)
    i1 = b.define(f"step data u_j = {uL} (j <= 0), {uR} (j > 0): an expansion shock through "
                  f"the sonic point u_s = {us}, f(u_L) = f(u_R) = {fL}", "test data")
    w = list(s.scheme.update.values())[0]
    reads = sorted({r for r in w.free_symbols if hasattr(r, "offset")}, key=lambda r: r.offset)

    def H(a: Any, c: Any, e: Any) -> sp.Expr:
        vals = dict(zip([r.offset[0] for r in reads], (a, c, e), strict=False))
        sub = {r: vals[r.offset[0]] for r in reads}
        sub.update({DATA_MIN: s.m, DATA_MAX: s.M})
        return w.subs(sub)

    h0, h1 = H(uL, uL, uR), H(uL, uR, uR)
    kept0 = sp.simplify(h0 - uL) == 0
    kept1 = sp.simplify(h1 - uR) == 0
    kept = kept0 and kept1
    i2 = b.step(f"one step maps the data to ({sp.simplify(h0)}, {sp.simplify(h1)}) at "
                f"j = 0, 1 (for every lambda)", "the update evaluated exactly",
                Check("identity", ((sp.simplify(h0), sp.simplify(h1)), (h0, h1))), [i1])
    fpl, fpr = sp.diff(s.f, s.u).subs(s.u, uL), sp.diff(s.f, s.u).subs(s.u, uR)
    i3 = b.step(f"f'(u_L) = {fpl} < 0 < f'(u_R) = {fpr}: characteristics leave the jump, so it "
                "violates the Lax entropy condition (the entropy solution is a rarefaction)",
                "Lax entropy condition", Check("truth", (sp.And(fpl < 0, fpr > 0),)), [i1])
    if kept:
        verdict = ("ENTROPY VIOLATION: the scheme keeps the stationary expansion shock "
                   f"({'Roe/Murman without entropy fix' if s.kind == 'roe' else s.scheme.name});"
                   " add an entropy fix (Harten-Hyman) or use Godunov/Engquist-Osher/Rusanov")
    else:
        verdict = "the expansion shock is not stationary for this scheme: it opens into a fan"
    b.step(verdict, "fixed point of the update vs entropy condition", Check("follows"), [i2, i3])
    d = b.finish(verdict)
    return _timed(replace(d, meta={**d.meta, "expansion_shock_kept": kept}), t0)


def _require_scheme(scheme: Any) -> None:
    if not isinstance(scheme, Scheme):
        hint = (": discretise the law first, e.g. monotonicity(conservative_scheme(law, "
                "flux='godunov')) (mcgen.model.catalogue.conservative)"
                if isinstance(scheme, Law) else "")
        raise ModelError(f"monotonicity() analyses a conservative Scheme, not a "
                         f"{type(scheme).__name__}{hint}")


def _flux_only(scheme: Scheme, what: str) -> None:
    from mcgen.analysis.law_monotonicity import is_whole_law
    if is_whole_law(scheme):
        raise AnalysisError(f"{what} is analysed for a numerical flux alone, and "
                            f"{scheme.name!r} also has diffusion or a source: its monotonicity "
                            "(which implies TVD for the whole update) is analysed instead")


def nonlinear_stability(scheme: Scheme, data_range: tuple[Any, Any]) -> dict[str, Derivation]:
    """All four analyses side by side: monotone, tvd, e-scheme, entropy (monotone alone for a
    scheme with diffusion or a source)."""
    from mcgen.analysis.law_monotonicity import is_whole_law
    if is_whole_law(scheme):
        return {"monotone": monotonicity(scheme, data_range)}
    return {"monotone": monotonicity(scheme, data_range), "tvd": tvd(scheme, data_range),
            "e-scheme": e_scheme(scheme, data_range),
            "entropy": entropy_check(scheme, data_range)}
