"""Exact solutions to compare runs against (known results 15, 18, 19, 20).

* Riemann problems of scalar conservation laws u_t + f(u)_x = 0, entropy solutions for any flux
  (convex, concave or not) through the convex-hull construction: for u_L < u_R the solution
  follows the lower convex envelope of f on [u_L, u_R], for u_L > u_R the upper concave envelope
  on [u_R, u_L]. Equivalently (Legendre duality), at similarity coordinate xi = x/t

      u(xi) = argmin_{u in [u_L, u_R]} (f(u) - xi u)     if u_L < u_R,
      u(xi) = argmax_{u in [u_R, u_L]} (f(u) - xi u)     if u_L > u_R,

  which is what :class:`RiemannSolution` evaluates: the candidates are the end points and the
  real roots of f'(u) = xi (exact polynomial roots for polynomial or rational fluxes).
* Breaking time of smooth data and the smooth solution by characteristics before it.
* Heat / advection-diffusion Gaussians and the viscous Burgers travelling wave.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp

from mcgen.errors import ModelError

U = sp.Symbol("u", real=True)
XI = sp.Symbol("xi", real=True)


def _as_flux(flux: Any, var: sp.Symbol | None) -> tuple[sp.Expr, sp.Symbol]:
    """Accept a SymPy expression (in ``var`` or its only free symbol) or a scalar ``Law``."""
    if hasattr(flux, "flux") and hasattr(flux, "fields"):  # a mcgen Law
        law = flux
        if not law.is_scalar or law.dim != 1:
            raise ModelError("exact Riemann solutions are for scalar 1-D laws; got "
                             f"{law.fields} in {law.dim}-D")
        return sp.sympify(law.flux[0]), law.fields[0]
    f = sp.sympify(flux)
    if var is None:
        free = sorted(f.free_symbols, key=lambda s: s.name)
        if len(free) != 1:
            raise ModelError(f"flux {f} has symbols {free}: pass var= to say which is the "
                             "unknown and substitute numbers for the others")
        var = free[0]
    extra = f.free_symbols - {var}
    if extra:
        raise ModelError(f"flux {f} has parameters {sorted(map(str, extra))}: substitute "
                         "numbers for them first (flux.subs({...}))")
    return f, var


@dataclass(frozen=True)
class Wave:
    """One wave of a Riemann solution: a shock (``left``/``right`` states, ``speed``) or a fan
    (``left``/``right`` the states at its edges, ``speed`` the pair of edge speeds)."""

    kind: str  # "shock" | "fan" | "contact"
    left: float
    right: float
    speed: Any


@dataclass(frozen=True)
class RiemannSolution:
    """The entropy solution of u_t + f(u)_x = 0 with u(x, 0) = u_L (x < x0), u_R (x > x0).

    Call it as ``sol(x, t)`` (NumPy arrays). ``waves`` lists shocks and fans in order; for a
    convex or concave flux on the data range the speeds are exact SymPy numbers.

    Examples
    --------
    >>> import sympy as sp
    >>> rho = sp.Symbol("rho")
    >>> sol = riemann(rho * (1 - rho), 1, 0)       # TASEP step: rarefaction fan
    >>> float(sol(0.0, 1.0))                         # density 1/2 at the origin
    0.5
    """

    flux: sp.Expr
    var: sp.Symbol
    u_left: float
    u_right: float
    x0: float = 0.0
    _fprime: Callable[..., Any] = field(repr=False, default=None)  # type: ignore[assignment]
    _f: Callable[..., Any] = field(repr=False, default=None)  # type: ignore[assignment]
    _root_coeffs: Any = field(repr=False, default=None)

    def __post_init__(self) -> None:
        f = self.flux
        object.__setattr__(self, "_f", sp.lambdify(self.var, f, "numpy"))
        fp = sp.diff(f, self.var)
        object.__setattr__(self, "_fprime", sp.lambdify(self.var, fp, "numpy"))
        num = sp.numer(sp.together(fp - XI))
        try:
            poly = sp.Poly(sp.expand(num), self.var)
            coeffs = [sp.lambdify(XI, c, "numpy") for c in poly.all_coeffs()]
        except sp.PolynomialError:
            coeffs = None
        object.__setattr__(self, "_root_coeffs", coeffs)

    # ------------------------------------------------------------------ evaluation
    def profile(self, xi: Any) -> np.ndarray:
        """u as a function of the similarity variable xi = (x - x0)/t (vectorised)."""
        xi = np.atleast_1d(np.asarray(xi, dtype=float)).ravel()
        uL, uR = float(self.u_left), float(self.u_right)
        if uL == uR:
            return np.full_like(xi, uL)
        lo, hi = min(uL, uR), max(uL, uR)
        sign = 1.0 if uL < uR else -1.0  # minimise sign * (f(u) - xi u)
        cands = np.concatenate([np.full((xi.size, 1), lo), np.full((xi.size, 1), hi),
                                self._critical_points(xi, lo, hi)], axis=1)
        with np.errstate(invalid="ignore"):
            vals = sign * (self._f(cands) * np.ones_like(cands) - xi[:, None] * cands)
        vals = np.where(np.isnan(cands), np.inf, vals)
        return cands[np.arange(xi.size), np.argmin(vals, axis=1)]

    def _critical_points(self, xi: np.ndarray, lo: float, hi: float) -> np.ndarray:
        """Real roots of f'(u) = xi in [lo, hi], one row per xi (NaN where there are fewer)."""
        if self._root_coeffs is not None:
            c = np.stack([np.broadcast_to(np.asarray(k(xi), dtype=float), xi.shape)
                          for k in self._root_coeffs], axis=1)  # highest degree first
            # drop leading coefficients that vanish identically; rows with a vanishing leading
            # coefficient at a particular xi are solved one by one
            while c.shape[1] > 1 and np.all(c[:, 0] == 0):
                c = c[:, 1:]
            deg = c.shape[1] - 1
            out = np.full((xi.size, max(deg, 1)), np.nan)
            if deg == 0:
                return out
            ok = c[:, 0] != 0
            if np.any(ok):
                comp = np.zeros((int(ok.sum()), deg, deg))
                comp[:, 0, :] = -c[ok, 1:] / c[ok, :1]
                if deg > 1:
                    comp[:, np.arange(1, deg), np.arange(deg - 1)] = 1.0
                roots = np.linalg.eigvals(comp)
                real = np.abs(roots.imag) <= 1e-9 * (1 + np.abs(roots))
                r = np.where(real, roots.real, np.nan)
                r = np.where((r >= lo - 1e-12) & (r <= hi + 1e-12), np.clip(r, lo, hi), np.nan)
                out[ok] = r
            for i in np.flatnonzero(~ok):
                row = c[i]
                nz = np.flatnonzero(row != 0)
                if nz.size == 0 or nz[0] == deg:
                    continue
                candidates = np.roots(row[nz[0]:])
                rr = [float(v.real) for v in candidates if abs(v.imag) <= 1e-9 * (1 + abs(v))
                      and lo - 1e-12 <= v.real <= hi + 1e-12]
                out[i, :len(rr)] = np.clip(rr, lo, hi)
            return out
        # non-rational flux: dense sampling of f' - xi, then bisection on sign changes
        grid = np.linspace(lo, hi, 2001)
        fp = self._fprime(grid) * np.ones_like(grid)
        rows = []
        for s in xi:
            g = fp - s

            def speed_minus_s(v: float, s: float = s) -> float:
                return float(self._fprime(v)) - s
            found = [_bisect(speed_minus_s, grid[k], grid[k + 1])
                     for k in np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) <= 0)]
            rows.append(found)
        width = max((len(r) for r in rows), default=0) or 1
        out = np.full((xi.size, width), np.nan)
        for j, found_j in enumerate(rows):
            out[j, :len(found_j)] = found_j
        return out

    def __call__(self, x: Any, t: float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if t <= 0:
            return np.where(x < self.x0, float(self.u_left), float(self.u_right))
        return self.profile((x - self.x0) / t).reshape(x.shape)

    # ------------------------------------------------------------------ structure
    @cached_property
    def is_convex_case(self) -> bool:
        """True when f'' has one sign on the data range (a single shock or a single fan)."""
        return _one_signed_curvature(self.flux, self.var, self.u_left, self.u_right)

    @cached_property
    def waves(self) -> list[Wave]:
        uL, uR = sp.nsimplify(self.u_left), sp.nsimplify(self.u_right)
        f, v = self.flux, self.var
        if uL == uR:
            return []
        if self.is_convex_case:
            fpp = sp.diff(f, v, 2).subs(v, (uL + uR) / 2)
            convex = bool(fpp > 0) if fpp != 0 else None
            if convex is None:  # linear flux: a contact discontinuity
                return [Wave("contact", float(uL), float(uR), sp.diff(f, v).subs(v, uL))]
            shock = (uL > uR) if convex else (uL < uR)  # Lax entropy condition
            if shock:
                s = sp.nsimplify(sp.simplify((f.subs(v, uL) - f.subs(v, uR)) / (uL - uR)))
                return [Wave("shock", float(uL), float(uR), s)]
            fp = sp.diff(f, v)
            return [Wave("fan", float(uL), float(uR), (fp.subs(v, uL), fp.subs(v, uR)))]
        return self._waves_numeric()

    def _waves_numeric(self) -> list[Wave]:
        """Shocks and fans of a non-convex case, located from the exact profile to rounding."""
        grid = np.linspace(min(self.u_left, self.u_right), max(self.u_left, self.u_right), 4001)
        speeds = self._fprime(grid) * np.ones_like(grid)
        lo_s, hi_s = float(np.min(speeds)), float(np.max(speeds))
        pad = 1e-3 * (1 + hi_s - lo_s)
        xi = np.linspace(lo_s - pad, hi_s + pad, 4001)
        u = self.profile(xi)
        du = np.abs(np.diff(u))
        typical = np.median(du[du > 0]) if np.any(du > 0) else 0.0
        shocks: list[Wave] = []
        for k in np.flatnonzero(du > 50 * typical + 1e-12):
            a, b = xi[k], xi[k + 1]
            for _ in range(60):  # refine the jump location by bisection
                m = 0.5 * (a + b)
                um = self.profile(m)[0]
                if abs(um - u[k]) < abs(um - u[k + 1]):
                    a = m
                else:
                    b = m
            ul, ur = float(self.profile(a)[0]), float(self.profile(b)[0])
            s = (float(self._f(ul)) - float(self._f(ur))) / (ul - ur)
            shocks.append(Wave("shock", ul, ur, s))
        # fans fill the gaps between the constant states on either side of the shocks
        states = [float(self.u_left)]
        for sh in shocks:
            states += [sh.left, sh.right]
        states.append(float(self.u_right))
        waves: list[Wave] = []
        for i in range(0, len(states), 2):
            a, b = states[i], states[i + 1]
            if abs(a - b) > 1e-9 * (1 + abs(a)):
                waves.append(Wave("fan", a, b, (float(self._fprime(a)), float(self._fprime(b)))))
            if i // 2 < len(shocks):
                waves.append(shocks[i // 2])
        return waves


def riemann(flux: Any, u_left: float, u_right: float, x0: float = 0.0,
            var: sp.Symbol | None = None) -> RiemannSolution:
    """The entropy solution of a scalar Riemann problem (see :class:`RiemannSolution`).

    ``flux`` is a SymPy expression of one variable (parameters substituted) or a scalar 1-D Law.
    """
    f, v = _as_flux(flux, var)
    return RiemannSolution(f, v, float(u_left), float(u_right), float(x0))


def _bisect(g: Callable[[float], float], a: float, b: float) -> float:
    ga = g(a)
    for _ in range(100):
        m = 0.5 * (a + b)
        gm = g(m)
        if (gm <= 0) == (ga <= 0):
            a, ga = m, gm
        else:
            b = m
        if b - a <= 1e-15 * (1 + abs(a)):
            break
    return 0.5 * (a + b)


def _one_signed_curvature(f: sp.Expr, v: sp.Symbol, a: float, b: float) -> bool:
    """True when f'' keeps one sign on (a, b): decided from the exact real roots of the
    numerator of f'' (and the sign between them), numerically for non-rational fluxes."""
    lo, hi = sp.nsimplify(min(a, b)), sp.nsimplify(max(a, b))
    fpp = sp.together(sp.diff(f, v, 2))
    num, den = sp.fraction(fpp)
    try:
        pn, pd = sp.Poly(num, v), sp.Poly(den, v)
    except sp.PolynomialError:
        pn = pd = None
    if pn is not None and pd is not None:
        pts = sorted({lo, hi, *[r for r in pn.real_roots() + pd.real_roots() if lo < r < hi]},
                     key=float)
        mids = [(p + q) / 2 for p, q in zip(pts, pts[1:], strict=False)]
        signs = {sp.sign(fpp.subs(v, m)) for m in mids} - {0}
        return len(signs) <= 1
    grid = np.linspace(float(lo), float(hi), 1001)
    vals = sp.lambdify(v, fpp, "numpy")(grid) * np.ones_like(grid)
    return bool(np.all(vals >= 0) or np.all(vals <= 0))


# ---------------------------------------------------------------- smooth data, breaking


def breaking_time(flux: Any, u0: Any, x: sp.Symbol, interval: tuple[Any, Any] = (0, 2 * sp.pi),
                  var: sp.Symbol | None = None) -> sp.Expr:
    """First time a classical solution of u_t + f(u)_x = 0 with smooth data u0(x) breaks.

    t_b = -1 / min_x d/dx f'(u0(x)) (infinite when the characteristic speeds never decrease).
    Exact when SymPy finds the critical points of d/dx f'(u0(x)) on ``interval``.

    >>> import sympy as sp
    >>> u, x = sp.symbols("u x", real=True)
    >>> breaking_time(u**2 / 2, sp.sin(x), x, var=u)
    1
    """
    f, v = _as_flux(flux, var)
    u0 = sp.sympify(u0)
    g = sp.diff(sp.diff(f, v).subs(v, u0), x)  # rate of change of characteristic speed
    a, b = sp.sympify(interval[0]), sp.sympify(interval[1])
    cands = [a, b]
    try:
        crit = sp.solveset(sp.diff(g, x), x, sp.Interval(a, b))
        if isinstance(crit, sp.FiniteSet):
            cands += list(crit)
        else:
            raise NotImplementedError
        m = sp.Min(*[sp.simplify(g.subs(x, c)) for c in cands])
    except (NotImplementedError, TypeError, ValueError):
        grid = np.linspace(float(a), float(b), 20001)
        m = sp.Float(np.min(sp.lambdify(x, g, "numpy")(grid) * np.ones_like(grid)))
    if (m >= 0) is sp.true:
        return sp.oo
    return sp.nsimplify(-1 / m) if m.is_Rational else sp.simplify(-1 / m)


def characteristics_solution(flux: Any, u0: Callable[[np.ndarray], np.ndarray], x: Any, t: float,
                             var: sp.Symbol | None = None, tol: float = 1e-14) -> np.ndarray:
    """The classical solution before breaking: u(x, t) = u0(x0) where x = x0 + f'(u0(x0)) t.

    ``u0`` is a NumPy function with ``u0.derivative`` optional; x0 is found by Newton's method
    from x0 = x (converges for t below the breaking time).
    """
    f, v = _as_flux(flux, var)
    fp = sp.lambdify(v, sp.diff(f, v), "numpy")
    fpp = sp.lambdify(v, sp.diff(f, v, 2), "numpy")
    x = np.asarray(x, dtype=float)
    x0 = x.copy()
    h = 1e-7
    for _ in range(100):
        u = u0(x0)
        du = (u0(x0 + h) - u0(x0 - h)) / (2 * h)
        res = x0 + fp(u) * t - x
        jac = 1 + fpp(u) * np.ones_like(u) * du * t
        step = res / jac
        x0 = x0 - step
        if np.max(np.abs(step)) <= tol * (1 + np.max(np.abs(x))):
            break
    return u0(x0)


# ---------------------------------------------------------------- diffusion


def gaussian(x: Any, t: float, x0: float = 0.0, s0: float = 1.0, D: float = 1.0, a: float = 0.0,
             amplitude: float = 1.0) -> np.ndarray:
    """Known result 20: amplitude * exp(-(x - x0)^2/(2 s0^2)) advected at speed a and spread by
    u_t + a u_x = D u_xx; variance s0^2 + 2 D t, amplitude scaled by s0/sqrt(s0^2 + 2 D t).

    In 2-D or 3-D the solution is the product of 1-D ones (pass each coordinate separately).
    """
    var = s0**2 + 2 * D * t
    x = np.asarray(x, dtype=float)
    return amplitude * (s0 / math.sqrt(var)) * np.exp(-((x - x0 - a * t) ** 2) / (2 * var))


def viscous_burgers_wave(x: Any, t: float, u_left: float, u_right: float, eps: float,
                         x0: float = 0.0) -> np.ndarray:
    """Known result 19: the travelling wave of u_t + u u_x = eps u_xx joining u_L > u_R."""
    if u_left <= u_right:
        raise ModelError(f"a viscous Burgers travelling wave needs u_left > u_right; got "
                         f"{u_left} <= {u_right} (that data spreads as a fan instead)")
    s = 0.5 * (u_left + u_right)
    x = np.asarray(x, dtype=float)
    return s - 0.5 * (u_left - u_right) * np.tanh((u_left - u_right) * (x - x0 - s * t)
                                                  / (4 * eps))


def viscous_burgers_wave_expr(x: sp.Symbol, t: sp.Symbol, u_left: Any, u_right: Any,
                              eps: Any) -> sp.Expr:
    """The same travelling wave as a SymPy expression (for exact checks of the PDE)."""
    s = (u_left + u_right) / 2
    return s - (u_left - u_right) / 2 * sp.tanh((u_left - u_right) * (x - s * t) / (4 * eps))


def advected(u0: Callable[[np.ndarray], np.ndarray], x: Any, t: float, a: float,
             period: tuple[float, float] | None = None) -> np.ndarray:
    """Exact solution of u_t + a u_x = 0: u0(x - a t); ``period=(x_start, x_end)`` wraps the
    foot of the characteristic into a periodic domain."""
    y = np.asarray(x, dtype=float) - a * t
    if period is not None:
        lo, hi = period
        y = np.mod(y - lo, hi - lo) + lo
    return u0(y)
