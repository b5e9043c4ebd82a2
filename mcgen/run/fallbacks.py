"""Stand-ins the run layer uses when an upstream stage is not importable.

Every function here first tries the real stage (``mcgen.model.catalogue.conservative``,
``mcgen.analysis.stability``, ``mcgen.analysis.monotonicity``) and only otherwise builds the
textbook object itself, saying so in the object's description. The fallbacks are kept because the
layers are developed in parallel; TODO(lead): once the upstream functions exist everywhere, the
fallback branches can be deleted.
"""

from __future__ import annotations

import importlib
from typing import Any

import sympy as sp

from mcgen.errors import AnalysisError, ModelError, StabilityError
from mcgen.model.law import Law
from mcgen.model.read import Field
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import dx as DX
from mcgen.model.symbols import lam as LAM
from mcgen.proof import Condition

FALLBACK_NOTE = "textbook result applied by mcgen.run (the analysis stage was not available)"


def optional(module: str, name: str) -> Any | None:
    """``module.name`` or None when the module (or the name) does not exist yet."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    return getattr(mod, name, None)


# ---------------------------------------------------------------- conservative schemes


def godunov_flux(law: Law) -> tuple[sp.Expr, sp.Symbol, sp.Symbol]:
    """The Godunov flux F(uL, uR) of a scalar law whose flux has at most one critical point
    (convex, concave or monotone), in closed form with Min/Max."""
    f = sp.sympify(law.flux[0])
    v = law.fields[0]
    uL, uR = sp.symbols("u_L u_R", real=True)
    crit = [c for c in sp.solve(sp.diff(f, v), v) if c.is_real]
    if len(crit) > 1:
        raise ModelError(f"flux {f} has several critical points {crit}: the closed-form Godunov "
                         "flux covers convex, concave and monotone fluxes only")
    fpp = sp.simplify(sp.diff(f, v, 2))
    if not crit:
        # monotone flux: Godunov is upwind in the sign of f'
        sign = sp.sign(sp.diff(f, v).subs(v, 0))
        return (f.subs(v, uL) if sign >= 0 else f.subs(v, uR)), uL, uR
    um = crit[0]
    if not fpp.is_number:
        raise ModelError(f"flux {f} is not uniformly convex or concave (f'' = {fpp}): the "
                         "closed-form Godunov flux needs a one-signed f''")
    if fpp < 0:  # concave: min(demand(uL), supply(uR))
        F = sp.Min(f.subs(v, sp.Min(uL, um)), f.subs(v, sp.Max(uR, um)))
    else:
        F = sp.Max(f.subs(v, sp.Max(uL, um)), f.subs(v, sp.Min(uR, um)))
    return F, uL, uR


def conservative_scheme(law: Law, flux: str = "godunov") -> Scheme:
    """``mcgen.model.catalogue.conservative.conservative_scheme`` when it exists, otherwise the
    Godunov scheme u_j - lambda (F(u_j, u_{j+1}) - F(u_{j-1}, u_j)), lambda = dt/dx."""
    real = optional("mcgen.model.catalogue.conservative", "conservative_scheme")
    if real is not None:
        return real(law, flux=flux)
    if flux != "godunov":
        raise ModelError(f"numerical flux {flux!r} needs mcgen.model.catalogue.conservative; the "
                         "run layer's fallback builds 'godunov' only")
    if not law.is_scalar or law.dim != 1:
        raise ModelError("the fallback conservative scheme is for scalar 1-D laws")
    F, uL, uR = godunov_flux(law)
    u = Field(law.fields[0].name if law.fields[0].name.isidentifier() else "u")
    name = u.name

    def flux_at(a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return F.subs({uL: a, uR: b}, simultaneous=True)

    update = u[0] - LAM * (flux_at(u[0], u[1]) - flux_at(u[-1], u[0]))
    return Scheme((name,), 1, {name: update}, params=(LAM,),
                  name=f"Godunov for {law.name or 'law'}",
                  definitions={LAM: DT / DX}, law=law, numerical_flux=(F, uL, uR),
                  reading="forward")


# ---------------------------------------------------------------- enforced conditions


def _max_abs_speed(law: Law, data_range: tuple[float, float]) -> sp.Expr:
    f = sp.sympify(law.flux[0])
    v = law.fields[0]
    fp = sp.diff(f, v)
    lo, hi = (sp.nsimplify(c) for c in data_range)
    cands = [lo, hi]
    try:
        crit = sp.solveset(sp.diff(fp, v), v, sp.Interval(lo, hi))
        if isinstance(crit, sp.FiniteSet):
            cands += list(crit)
    except NotImplementedError:
        pass
    return sp.Max(*[sp.Abs(fp.subs(v, c)) for c in cands])


def godunov_condition(law: Law, data_range: tuple[float, float]) -> Condition:
    """lambda max|f'| <= 1 over the data range: monotonicity of Godunov (Crandall-Majda)."""
    speed = _max_abs_speed(law, data_range)
    return Condition(LAM * speed <= 1, (LAM,), "monotone", "proved", name="CFL",
                     description=f"lambda * max|f'| <= 1 with max|f'| = {speed} on "
                                 f"[{data_range[0]}, {data_range[1]}] ({FALLBACK_NOTE})",
                     definitions={LAM: DT / DX})


def positivity_condition(scheme: Scheme) -> Condition:
    """Every weight non-negative: the update is a convex combination (maximum principle, and
    L2 stability for constant coefficients)."""
    w = scheme.linear_weights_full()
    if w is None:
        raise ModelError(f"scheme {scheme.name!r} is not linear: no weights to make non-negative")
    ineqs = [sp.simplify(wk) >= 0 for wk in w.values()]
    expr = sp.And(*[i for i in ineqs if i is not sp.true])
    return Condition(expr, tuple(sorted(scheme.params, key=lambda s: s.name)), "positivity",
                     "proved", name="positivity",
                     description=f"every weight non-negative ({FALLBACK_NOTE})",
                     definitions=dict(scheme.definitions))


_CONDITIONS: dict[tuple[str, Any], Condition] = {}


def enforced_condition(scheme: Scheme, data_range: tuple[float, float] | None = None
                       ) -> Condition:
    """The condition a simulation enforces: L2 for linear schemes, monotone for nonlinear
    conservative ones (DESIGN section 6), from the analysis layer when it is importable.

    Order of preference: ``mcgen.analysis.stability.enforced_condition``; for linear schemes
    the proved von Neumann (L2) condition, else the proved positivity region; for nonlinear
    schemes ``mcgen.analysis.monotonicity``, else the Godunov/Lax-Friedrichs CFL bound. Results
    are memoised per scheme hash (the analyses are exact and take a second or two).
    """
    key = (scheme.hash, tuple(data_range) if data_range is not None else None)
    if key not in _CONDITIONS:
        _CONDITIONS[key] = _enforced_condition(scheme, data_range)
    return _CONDITIONS[key]


def _enforced_condition(scheme: Scheme, data_range: tuple[float, float] | None) -> Condition:
    linear = scheme.linear_weights_full() is not None
    if not linear:
        mono = optional("mcgen.analysis.monotonicity", "monotonicity")
        if mono is not None and data_range is not None:
            cond = mono(scheme, data_range=tuple(sp.nsimplify(v) for v in data_range)).result
            if cond.status != "proved" and cond.sufficient not in (None, sp.false):
                from dataclasses import replace
                cond = replace(cond, expr=cond.sufficient, status="proved",
                               necessary=cond.sufficient,
                               description=f"proved sufficient part of the {cond.kind} region "
                                           f"({cond.description})")
            return cond
    real = optional("mcgen.analysis.stability", "enforced_condition")
    if real is not None:
        try:
            return real(scheme)
        except AnalysisError:
            pass  # a case the analysis does not cover (3-D von Neumann): try the positivity route
    if not linear:
        if scheme.law is not None and scheme.numerical_flux is not None and data_range:
            return godunov_condition(scheme.law, data_range)
        raise StabilityError(f"no stability condition is available for the nonlinear scheme "
                             f"{scheme.name!r}: give data_range=(min, max) of the data, or pass "
                             "unsafe=True with an explicit dt")
    for module, name in (("mcgen.analysis.von_neumann", "von_neumann"),
                         ("mcgen.analysis.positivity", "positivity_region")):
        fn = optional(module, name)
        if fn is None:
            continue
        try:
            cond = fn(scheme).result
        except Exception:  # noqa: BLE001 - e.g. a case the analysis does not cover yet
            continue
        if isinstance(cond, Condition) and cond.status == "proved":
            if not cond.definitions and scheme.definitions:
                from dataclasses import replace
                cond = replace(cond, definitions=dict(scheme.definitions))
            return cond
    return positivity_condition(scheme)
