"""Sweby's TVD region of a limiter and the exact TVD CFL bound of a high-resolution scheme.

**Sweby's region** (Sweby 1984; LeVeque 2002, section 6.12): a limiter phi is TVD-admissible
when phi(r) = 0 for r <= 0 and 0 <= phi(r) <= min(2 r, 2) for r > 0; the second-order part lies
between phi = r and phi = 1 (phi(1) = 1; for 0 < r <= 1: r <= phi <= min(2 r, 1); for r >= 1:
1 <= phi <= min(r, 2)). :func:`sweby_region` decides both exactly, piece by piece, and returns
the exact sets of r where they fail.

**TVD bound** (Harten 1983). Both the flux-limited and the MUSCL forward-Euler step can be
written u_j' = u_j + C_{j+1/2} D_{j+1/2} - D_{j-1/2} Dl_{j-1/2} with the incremental
coefficients carrying a factor ``1 + (phi(r_j)/r_j - phi(r_{j-1}))/2``. With
``a = sup phi(r)/r``, ``a0 = inf phi(r)/r`` (over r != 0), ``b = sup phi``, ``b0 = inf phi``
that factor lies in ``[1 + (a0 - b)/2, 1 + (a - b0)/2]`` and is linear in the increment, so
Harten's conditions C, D >= 0, C + D <= 1 hold for all data iff ``b - a0 <= 2`` and
``lam S (1 + (a - b0)/2) <= 1``, where S bounds the flux's wave speed:

- flux-limited with Lax-Friedrichs splitting f+- = (f +- alpha u)/2: the two parts share the
  secant slope of the same interface, so S = alpha = max |f'| on the data range (upwind
  splitting: S = max |f'| too);
- MUSCL with a two-point flux F: S = sup dF/du_L + sup (-dF/du_R) over [m, M]^2 (the two
  partials are taken at different points), which equals max |f'| for upwind-like data (f' of one
  sign) and can exceed it (Godunov for Burgers on [-1, 1]: S = 2).

The bound is sharp for a linear flux (data with phi(r_j)/r_j -> a next to a local extremum give
C -> lam S (1 + (a - b0)/2)), and for nonlinear fluxes by linearisation about a state where
|f'| = S. An explicit Runge-Kutta stepper with SSP coefficient C_ssp keeps the TVD property
under lam S <= C_ssp nu_FE (Shu-Osher; Gottlieb-Shu-Tadmor 2001): sufficient, and the status
says so when the stepper is not forward Euler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.analysis.flux_bounds import max_abs_derivative
from mcgen.analysis.ssp import ssp_derivation
from mcgen.errors import AnalysisError
from mcgen.model.catalogue.conservative import DATA_MAX, DATA_MIN, numerical_flux
from mcgen.model.catalogue.conservative import UL as C_UL
from mcgen.model.catalogue.conservative import UR as C_UR
from mcgen.model.highres_scheme import HighResScheme
from mcgen.model.limiter import Limiter, as_limiter
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import dx as DX
from mcgen.model.symbols import lam as LAM
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder, register_check, serialize
from mcgen.proof.interval_max import critical_points
from mcgen.proof.piecewise_max import (
    NotPiecewiseQuadratic,
    box_constraints,
    ess_sup,
    linear_pieces,
)
from mcgen.proof.piecewise_rational import NotPiecewiseRational, sign_failure_set, supremum

__all__ = ["sweby_region", "SwebyRegion", "limiter_bounds", "tvd_condition", "forward_euler_nu",
           "wave_speed_bound"]

NU = sp.Symbol("nu", nonnegative=True)
POS = sp.Interval.open(0, sp.oo)
NONPOS = sp.Interval(-sp.oo, 0)


@serialize.register_class("sweby_region")
@dataclass(frozen=True)
class SwebyRegion:
    """Where a limiter sits relative to Sweby's regions (exact sets of r)."""

    limiter: Limiter
    tvd_fails_on: sp.Set
    second_order_fails_on: sp.Set

    @property
    def tvd(self) -> bool:
        return self.tvd_fails_on is sp.S.EmptySet

    @property
    def second_order(self) -> bool:
        return self.second_order_fails_on is sp.S.EmptySet

    def describe(self) -> str:
        t = "in Sweby's TVD region" if self.tvd else \
            f"NOT in Sweby's TVD region: fails for r in {self.tvd_fails_on}"
        s = "inside the second-order region" if self.second_order else \
            f"outside the second-order region for r in {self.second_order_fails_on}"
        return f"{self.limiter.name}: {t}; {s}"

    def __str__(self) -> str:
        return self.describe()

    def to_data(self) -> dict[str, Any]:
        return {"limiter": serialize.to_data(self.limiter),
                "tvd_fails_on": serialize.to_data(self.tvd_fails_on),
                "second_order_fails_on": serialize.to_data(self.second_order_fails_on)}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> SwebyRegion:
        # each field checked against its type hint before the constructor parses anything
        return serialize.decode_dataclass(cls, d)  # type: ignore[no-any-return]


def _fail(b: DerivationBuilder, expr: sp.Expr, r: sp.Symbol, dom: sp.Interval, rel: str,
          words: str, uses: list[int]) -> tuple[int, sp.Set]:
    bad = sign_failure_set(expr, r, dom, rel)
    claim = f"{words} on {dom}: " + ("holds everywhere" if bad is sp.S.EmptySet
                                      else f"fails exactly for r in {bad}")
    i = b.step(claim, "exact piecewise decomposition (break points at real roots) and sign "
               "decision on each piece", Check("piecewise_failure_set",
                                               (expr, r, dom, sp.Symbol(rel), bad)), uses)
    return i, bad


def sweby_region(limiter: Any) -> Derivation:
    """Decide, exactly, whether ``limiter`` lies in Sweby's TVD region and in its second-order
    part. Result: a :class:`SwebyRegion` holding the exact sets of r where each fails."""
    lim = as_limiter(limiter)
    phi, r = lim.phi, lim.r
    b = DerivationBuilder(f"Sweby region of the {lim.name} limiter")
    i0 = b.define(sp.Eq(sp.Function("phi")(r), phi, evaluate=False), "the limiter")
    try:
        tvd_parts = [
            _fail(b, phi, r, NONPOS, "==", "phi(r) = 0 for r <= 0", [i0]),
            _fail(b, phi, r, POS, ">=", "phi(r) >= 0", [i0]),
            _fail(b, 2 * r - phi, r, POS, ">=", "phi(r) <= 2 r", [i0]),
            _fail(b, 2 - phi, r, POS, ">=", "phi(r) <= 2", [i0]),
        ]
        lo, hi = sp.Interval.Lopen(0, 1), sp.Interval(1, sp.oo)
        so_parts = [
            _fail(b, phi - r, r, lo, ">=", "phi(r) >= r", [i0]),
            _fail(b, sp.Min(2 * r, 1) - phi, r, lo, ">=", "phi(r) <= min(2 r, 1)", [i0]),
            _fail(b, phi - 1, r, hi, ">=", "phi(r) >= 1", [i0]),
            _fail(b, sp.Min(r, 2) - phi, r, hi, ">=", "phi(r) <= min(r, 2)", [i0]),
        ]
    except NotPiecewiseRational as err:
        raise AnalysisError(f"limiter {lim.name}: {err}; write phi with rational functions, "
                            "Max, Min, Abs or Piecewise") from None
    tvd_bad = sp.Union(*[s for _, s in tvd_parts])
    so_bad = sp.Union(tvd_bad, *[s for _, s in so_parts])
    p1 = sp.simplify(phi.subs(r, 1))
    i1 = b.step(sp.Eq(sp.Function("phi")(1), p1, evaluate=False),
                "second order needs phi(1) = 1", Check("truth", (sp.Eq(p1, 1),))
                if p1 == 1 else Check("truth", (sp.Ne(p1, 1),)), [i0])
    if p1 != 1:
        so_bad = sp.Union(so_bad, sp.FiniteSet(1))
    res = SwebyRegion(lim, tvd_bad, so_bad)
    b.step(res.describe(), "union of the failure sets (Sweby 1984)", Check("follows"),
           [i for i, _ in tvd_parts + so_parts] + [i1])
    b.conclude(res)
    return b.finish(res)


# ------------------------------------------------------------------ limiter bounds


def limiter_bounds(limiter: Any) -> dict[str, sp.Expr]:
    """Exact ``a = sup phi(r)/r``, ``a0 = inf phi(r)/r`` (r != 0), ``b = sup phi``,
    ``b0 = inf phi`` over the real line."""
    lim = as_limiter(limiter)
    phi, r = lim.phi, lim.r
    neg, pos = sp.Interval.open(-sp.oo, 0), POS
    q = phi / r
    a = sp.Max(supremum(q, r, neg), supremum(q, r, pos))
    a0 = -sp.Max(supremum(-q, r, neg), supremum(-q, r, pos))
    bb = supremum(phi, r, sp.Reals)
    b0 = -supremum(-phi, r, sp.Reals)
    return {k: sp.radsimp(sp.simplify(v)) for k, v in
            (("a", a), ("a0", a0), ("b", bb), ("b0", b0))}


def forward_euler_nu(bounds: dict[str, sp.Expr]) -> sp.Expr:
    """The largest nu = lam S with Harten's coefficients in [0, 1] for every increment:
    ``2/(2 + a - b0)`` when ``b - a0 <= 2``, else 0 (never TVD)."""
    if not bool(bounds["b"] - bounds["a0"] <= 2):
        return sp.Integer(0)
    return sp.nsimplify(2 / (2 + bounds["a"] - bounds["b0"]))


# ------------------------------------------------------------------ wave speed bound S


def _range(scheme: HighResScheme, data_range: tuple[Any, Any] | None) -> tuple[sp.Expr, sp.Expr]:
    rng = data_range if data_range is not None else scheme.data_range
    if rng is None:
        raise AnalysisError(f"{scheme.name}: give data_range=(min, max), the range the data "
                            "stay in (TVD schemes keep it invariant)")
    m, M = (sp.nsimplify(v) for v in rng)
    if not (m.is_number and M.is_number) or not m < M:
        raise AnalysisError(f"data_range ({m}, {M}): give numbers with min < max")
    return m, M


def muscl_flux(scheme: HighResScheme, m: sp.Expr, M: sp.Expr) -> sp.Expr:
    """The two-point flux F(u_L, u_R) of a MUSCL scheme on data in [m, M]."""
    F = numerical_flux(scheme.law, scheme.flux, data_range=(m, M))
    return sp.sympify(F).subs({DATA_MIN: m, DATA_MAX: M})


def partial_sups(F: sp.Expr, m: sp.Expr, M: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(ess sup dF/du_L, ess sup -dF/du_R) over [m, M]^2, exactly."""
    pcs = linear_pieces(F, (C_UL, C_UR), box_constraints((C_UL, C_UR), m, M))
    s1 = ess_sup([(sp.diff(e, C_UL), c) for e, c in pcs], (C_UL, C_UR))
    s2 = ess_sup([(-sp.diff(e, C_UR), c) for e, c in pcs], (C_UL, C_UR))
    if s1 is None or s2 is None:
        raise NotPiecewiseQuadratic("no full-dimensional piece")
    return sp.Rational(s1.numerator, s1.denominator), sp.Rational(s2.numerator, s2.denominator)


@register_check("numflux_partial_sups",
                "ess sup dF/du_L and ess sup -dF/du_R over [m, M]^2 equal the claimed values "
                "(exact piecewise-quadratic maximisation)")
def _partial_sups_check(F: Any, m: Any, M: Any, s1: Any, s2: Any) -> str:
    try:
        g1, g2 = partial_sups(F, m, M)
    except NotPiecewiseQuadratic:
        return "unknown"
    return "proved" if (g1, g2) == (s1, s2) else "refuted"


def wave_speed_bound(scheme: HighResScheme, data_range: tuple[Any, Any] | None = None
                     ) -> tuple[sp.Expr, sp.Expr, str]:
    """(S, B, how): S the speed in Harten's bound, B = max |f'| on the range."""
    m, M = _range(scheme, data_range)
    u, f = scheme.law.fields[0], scheme.law.flux[0]
    B = max_abs_derivative(f, u, m, M)
    if scheme.reconstruction == "muscl":
        try:
            s1, s2 = partial_sups(muscl_flux(scheme, m, M), m, M)
        except NotPiecewiseQuadratic as err:
            raise AnalysisError(
                f"{scheme.name}: no exact TVD bound: the two-point flux F(u_L, u_R) must be "
                f"piecewise polynomial of degree <= 2 on [{m}, {M}]^2 for its partial "
                f"derivatives' suprema to be decided ({err}); a rational flux such as "
                "Buckley-Leverett's is not: run with unsafe=True and an explicit dt") from err
        return s1 + s2, B, "muscl"
    if scheme.flux == "upwind":
        fp = sp.diff(f, u)
        vals = [fp.subs(u, c) for c in [m, M, *critical_points(fp, u)] if m <= c <= M]
        if min(vals) < 0 < max(vals):
            raise AnalysisError(f"{scheme.name}: f' changes sign on [{m}, {M}]; the upwind "
                                "splitting needs a sign-definite f' (use "
                                "splitting='lax_friedrichs')")
    return B, B, "split"


# ------------------------------------------------------------------ the TVD condition


def tvd_condition(scheme: HighResScheme, data_range: tuple[Any, Any] | None = None
                  ) -> Derivation:
    """The exact TVD CFL bound of a flux-limited or MUSCL scheme with its stepper, on data in
    ``data_range``. Result: a :class:`Condition` of kind ``tvd`` on lam = dt/dx."""
    if not isinstance(scheme, HighResScheme):
        raise AnalysisError(f"tvd_condition needs a HighResScheme, got {type(scheme).__name__}")
    if scheme.reconstruction == "weno5":
        raise AnalysisError(f"{scheme.name}: WENO5 is not TVD (its nonlinear weights are not "
                            "in Sweby's region); run it at a chosen CFL number with "
                            "unsafe=True, or use flux_limited/muscl for a proved bound")
    m, M = _range(scheme, data_range)
    lim = scheme.limiter
    assert lim is not None
    b = DerivationBuilder(f"TVD CFL bound of {scheme.name} on data in [{m}, {M}]",
                          meta={"model_hash": scheme.hash})
    i0 = b.define(scheme.describe(), "the scheme (method of lines, Harten's incremental form)")
    region = sweby_region(lim)
    i1 = b.step(region.result.describe(), f"Sweby region of {lim.name} (derivation "
                f"'{region.title}', status {region.status})",
                Check("follows"), [i0])
    try:
        bd = limiter_bounds(lim)
    except NotPiecewiseRational as err:
        raise AnalysisError(f"limiter {lim.name}: {err}") from None
    r = lim.r
    neg, pos = sp.Interval.open(-sp.oo, 0), POS
    ib = []
    for key, expr, sign, words in (("a", lim.phi / r, 1, "sup phi(r)/r"),
                                   ("a0", lim.phi / r, -1, "inf phi(r)/r"),
                                   ("b", lim.phi, 1, "sup phi(r)"),
                                   ("b0", lim.phi, -1, "inf phi(r)")):
        doms = (neg, pos) if key in ("a", "a0") else (sp.Reals,)
        parts = []
        for d in doms:
            sup = supremum(sign * expr, r, d)
            what = f"sup of {'-' if sign < 0 else ''}{sp.sstr(expr)} over {d}"
            parts.append((b.step(sp.Eq(sp.Symbol(what), sup, evaluate=False),
                                 "exact pieces, critical points and one-sided limits",
                                 Check("piecewise_supremum", (sign * expr, r, d, sup)), [i0]),
                          sup))
        combined = sign * sp.Max(*[v for _, v in parts])
        ib.append(b.identity(combined, bd[key], f"{key} = {words}",
                             [i for i, _ in parts],
                             claim=sp.Eq(sp.Symbol(key), bd[key], evaluate=False)))
    nu_fe = forward_euler_nu(bd)
    d0, d1 = 1 + (bd["a0"] - bd["b"]) / 2, 1 + (bd["a"] - bd["b0"]) / 2
    polys = (NU * d0, NU * d1, 1 - NU * d0, 1 - NU * d1)
    fe_set = sp.Interval(0, nu_fe) if nu_fe > 0 else sp.FiniteSet(0)
    i2 = b.step(f"0 <= nu (1 + t/2) <= 1 for every increment t in [a0 - b, a - b0] = "
                f"[{bd['a0'] - bd['b']}, {bd['a'] - bd['b0']}] iff nu in {fe_set} "
                "(linear in t: the two end points suffice)",
                "Harten's lemma: C, D >= 0 and C + D <= 1 give TVD; the set is exact",
                Check("nonneg_solution_set", (polys, NU, 0, sp.oo, fe_set)), ib)
    S, B, how = wave_speed_bound(scheme, (m, M))
    u, f = scheme.law.fields[0], scheme.law.flux[0]
    iB = b.step(sp.Eq(sp.Symbol("B"), B, evaluate=False), f"B = max |f'| over [{m}, {M}]",
                Check("max_abs_on_interval", (sp.diff(f, u), u, m, M, B)), [i0])
    if how == "muscl":
        F = muscl_flux(scheme, m, M)
        s1, s2 = partial_sups(F, m, M)
        iS = b.step(sp.Eq(sp.Symbol("S"), S, evaluate=False),
                    f"S = sup dF/du_L + sup(-dF/du_R) = {s1} + {s2} for F = {sp.sstr(F)} "
                    "(the partials enter Harten's C and D at different points)",
                    Check("numflux_partial_sups", (F, m, M, s1, s2)), [iB])
    else:
        iS = b.step(sp.Eq(sp.Symbol("S"), S, evaluate=False),
                    "S = alpha = max |f'|: f+ and f- share the secant slope of each interface, "
                    "so C_{j+1/2} + D_{j+1/2} <= lam alpha (1 + (a - b0)/2)",
                    Check("follows"), [iB])
    ssp = ssp_derivation(scheme.stepper)
    C = ssp.result
    i3 = b.step(sp.Eq(sp.Symbol("C_ssp"), C, evaluate=False),
                f"SSP coefficient of {scheme.stepper.name} (derivation '{ssp.title}')",
                Check("ssp_coefficient", (scheme.stepper.A, scheme.stepper.b, C)), [])
    bound = sp.nsimplify(C * nu_fe / S) if S != 0 else sp.oo
    expr = sp.true if bound == sp.oo else (sp.Le(LAM, bound) if bound > 0 else sp.false)
    sharp = scheme.stepper.stages == 1 and (S == B or bound == 0)
    nec = sp.Le(LAM, sp.nsimplify(nu_fe / B)) if B != 0 and nu_fe > 0 else expr
    status = "proved" if sharp else "unknown"
    if bound == 0:
        words = (f"no positive time step is proved: the SSP coefficient of "
                 f"{scheme.stepper.name} is {C}" if C == 0 else
                 "never TVD: the limiter's increments can make a Harten coefficient negative")
    else:
        words = (f"lam <= {bound} (= C_ssp nu_FE / S with C_ssp = {C}, nu_FE = {nu_fe}, "
                 f"S = {S})" + (": sharp, a linearised run breaks TVD above it" if sharp else
                                f"; sufficient (one forward-Euler step needs lam * {B} <= "
                                f"{nu_fe})"))
    cond = Condition(expr, (LAM,), "tvd", status, sufficient=expr,
                     necessary=expr if sharp else nec, name="TVD CFL", description=words,
                     definitions={LAM: DT / DX})
    b.step(cond, "the forward-Euler bound nu_FE / S times the SSP coefficient (Shu-Osher "
           "form: each stage is a convex combination of forward-Euler steps)",
           Check("follows"), [i1, i2, iS, i3])
    return b.finish(cond)

