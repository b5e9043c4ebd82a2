"""Conservative schemes of a whole scalar law u_t + f(u)_x = (diffusion)_xx + s(u).

The update is H(u_{j-1}, u_j, u_{j+1}) = u_j - lam (F(u_j, u_{j+1}) - F(u_{j-1}, u_j))
+ mu (Phi(u_{j+1}) - 2 Phi(u_j) + Phi(u_{j-1})) + dt s(u_j), with lam = dt/dx, mu = dt/dx^2:
a monotone numerical flux F, a conservative central diffusion written through the potential Phi
(Fick (D(u) u_x)_x = Phi(u)_xx with Phi(u) = int_0^u D; Ito (D(u) u)_xx with Phi(u) = D(u) u; a
coefficient D(x) of position: D at the interfaces x +- dx/2 (Fick) or D(x) u differenced (Ito))
and the source explicitly. Every term of the law is discretised; a term the scheme cannot handle
(a coefficient of time, or of both u and x; a source of x or t) is refused with its name, never
dropped.

Numerical fluxes (branch-free forms with Max/Min/Abs):

- ``lax_friedrichs`` (global): F = (f(uL) + f(uR))/2 - alpha (uR - uL)/2 with alpha = max|f'|
  over the data range [m, M] (closed form; symbols ``m``, ``M`` when no range is given).
- ``rusanov`` (local Lax-Friedrichs): alpha = Max(|f'(uL)|, |f'(uR)|).
- ``godunov`` (convex or concave flux, sonic point u_s with f'(u_s) = 0):
  convex F = Max(f(Max(uL, u_s)), f(Min(uR, u_s))), concave F = Min(f(Min(uL, u_s)),
  f(Max(uR, u_s))); a linear flux gives upwind.
- ``engquist_osher``: F = f^+(uL) + f^-(uR) with f^+- the integrals of f'^+ and f'^-: convex
  F = f(Max(uL, u_s)) + f(Min(uR, u_s)) - f(u_s), concave F = f(Min(uL, u_s)) +
  f(Max(uR, u_s)) - f(u_s); for a polynomial flux with several sonic points (non-convex, e.g. a
  learned two-humped flux) the general form over the pieces between the exact sonic points.
- ``roe`` (Murman-Roe): F = (f(uL) + f(uR))/2 - |a_hat| (uR - uL)/2 with the Roe speed
  a_hat = (f(uR) - f(uL))/(uR - uL) (cancelled; no entropy fix).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.law import Law
from mcgen.model.read import Field
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import dx as DX
from mcgen.model.symbols import lam as LAM
from mcgen.proof.interval_max import max_abs_on_interval

UL = sp.Symbol("u_L", real=True)
UR = sp.Symbol("u_R", real=True)
DATA_MIN = sp.Symbol("m", real=True)
DATA_MAX = sp.Symbol("M", real=True)
MU = sp.Symbol("mu", positive=True)  # dt/dx^2, the diffusion number of the central diffusion
FLUXES = ("lax_friedrichs", "rusanov", "godunov", "engquist_osher", "roe")

__all__ = ["conservative_scheme", "numerical_flux", "sonic_point", "FLUXES", "UL", "UR",
           "DATA_MIN", "DATA_MAX", "MU", "flux_kind", "LawTerms", "law_terms", "law_scheme"]


def _scalar_flux(law: Law) -> tuple[sp.Symbol, sp.Expr]:
    if not isinstance(law, Law):
        raise ModelError(f"conservative_scheme needs a Law, got {type(law).__name__}")
    if not law.is_scalar or law.dim != 1:
        raise ModelError(f"law {law.name!r}: conservative_scheme builds 1-D scalar schemes; "
                         "systems: see mcgen.analysis.hyperbolic for their characteristic speeds")
    u = law.fields[0]
    f = law.flux[0]
    if law.form != "conservation":
        raise ModelError("a conservative scheme needs a law in conservation form")
    return u, f


def sonic_point(f: sp.Expr, u: sp.Symbol) -> tuple[sp.Expr | None, str]:
    """(u_s, shape) with shape ``convex``, ``concave`` or ``linear``; raises for fluxes whose
    f'' changes sign or that have several real sonic points."""
    fpp = sp.simplify(sp.diff(f, u, 2))
    if fpp == 0:
        return None, "linear"
    if fpp.is_nonnegative or (fpp.is_number and fpp > 0):
        shape = "convex"
    elif fpp.is_nonpositive or (fpp.is_number and fpp < 0):
        shape = "concave"
    else:
        raise ModelError(f"f'' = {fpp} has no known sign: Godunov/Engquist-Osher in closed form "
                         "need a convex or concave flux (give parameter signs, e.g. "
                         "sp.Symbol('p', positive=True), or use 'rusanov')")
    roots = [r for r in sp.solve(sp.diff(f, u), u) if r.is_real is not False]
    if len(roots) != 1:
        raise ModelError(f"f' = {sp.diff(f, u)} has sonic points {roots}: the closed form needs "
                         "exactly one")
    return roots[0], shape


def _outside_closed_form(f: sp.Expr, u: sp.Symbol) -> bool:
    """A polynomial flux with numeric coefficients that :func:`sonic_point` refuses (f'' changes
    sign, several sonic points): the general Engquist-Osher flux still applies."""
    if not f.is_polynomial(u) or (f.free_symbols - {u}):
        return False
    try:
        sonic_point(f, u)
    except ModelError:
        return True
    return False


def _engquist_osher_general(f: sp.Expr, u: sp.Symbol) -> sp.Expr:
    """Engquist-Osher F = f(s_1) + f^+(u_L) + f^-(u_R) for a polynomial flux with sonic points
    s_1 < ... < s_n (the exact real roots of f', algebraic numbers ``CRootOf``): f^+ (f^-) sums
    the increments of f over the pieces between sonic points where f increases (decreases),
    each f(clamp(u, a, b)) - f(a), so f^+(u) + f^-(u) = f(u) - f(s_1) telescopes and
    dF/du_L = f'(u_L)^+, dF/du_R = f'(u_R)^- hold exactly."""
    fp = sp.Poly(sp.diff(f, u), u)
    roots = sorted(set(fp.real_roots()), key=float)
    if not roots:  # f' keeps one sign: upwind
        return f.subs(u, UL) if fp.eval(0) > 0 else f.subs(u, UR)
    fl = sp.Lambda(u, f)
    ends: list[sp.Expr | None] = [None, *roots, None]
    out = fl(roots[0])
    for a, b in zip(ends[:-1], ends[1:], strict=True):
        # the sign of f' on the open piece, at a rational point strictly inside it
        lo = roots[0] - 1 if a is None else a
        hi = roots[-1] + 1 if b is None else b
        probe = sp.nsimplify((float(lo) + float(hi)) / 2, rational=True)
        if not (lo < probe < hi):
            probe = sp.Rational(sp.Poly(fp, u).refine_root(float(lo), float(hi))[0])
        v = UL if fp.eval(probe) > 0 else UR
        c = v if a is None else sp.Max(v, a)
        c = c if b is None else sp.Min(c, b)
        out += fl(c) - fl(b if a is None else a)
    return out


def numerical_flux(law: Law, flux: str = "lax_friedrichs", lam: sp.Symbol = LAM,
                   data_range: tuple[Any, Any] | None = None, alpha: Any = None) -> sp.Expr:
    """The interface flux F(u_L, u_R) of the named scheme (symbols :data:`UL`, :data:`UR`)."""
    u, f0 = _scalar_flux(law)
    f = sp.Lambda(u, f0)
    fL, fR = f(UL), f(UR)
    if flux == "lax_friedrichs":
        if alpha is None:
            m, M = data_range or (DATA_MIN, DATA_MAX)
            alpha = max_abs_on_interval(sp.diff(f0, u), u, m, M)
        return (fL + fR) / 2 - sp.sympify(alpha) * (UR - UL) / 2
    if flux == "rusanov":
        fp = sp.Lambda(u, sp.diff(f0, u))
        return (fL + fR) / 2 - sp.Max(sp.Abs(fp(UL)), sp.Abs(fp(UR))) * (UR - UL) / 2
    if flux == "roe":
        a_hat = sp.cancel((fR - fL) / (UR - UL))
        return (fL + fR) / 2 - sp.Abs(a_hat) * (UR - UL) / 2
    if flux == "engquist_osher" and _outside_closed_form(f0, u):
        return _engquist_osher_general(f0, u)
    if flux in ("godunov", "engquist_osher"):
        us, shape = sonic_point(f0, u)
        if shape == "linear":
            a = sp.diff(f0, u)
            return sp.Max(a, 0) * UL + sp.Min(a, 0) * UR + f0.subs(u, 0)
        hi, lo = (sp.Max, sp.Min) if shape == "convex" else (sp.Min, sp.Max)
        if flux == "godunov":
            return hi(f(hi(UL, us)), f(lo(UR, us)))
        return f(hi(UL, us)) + f(lo(UR, us)) - f(us)
    raise ModelError(f"flux={flux!r}: use one of {FLUXES}")


@dataclass(frozen=True)
class LawTerms:
    """The non-flux terms of a scalar 1-D law as the scheme discretises them.

    ``potential`` Phi(u) with diffusion term Phi(u)_xx and its derivative ``diffusivity``
    d(u) = Phi'(u) (the effective diffusion coefficient; the scheme is monotone only where
    d >= 0), or, for a coefficient of position, ``coefficient`` D(x) with the ``form`` (Fick
    (D(x) u_x)_x or Ito (D(x) u)_xx); and the ``source`` s(u). All zero when the law has none.
    """

    u: sp.Symbol
    potential: sp.Expr
    diffusivity: sp.Expr
    source: sp.Expr
    coefficient: sp.Expr = sp.Integer(0)
    x: sp.Symbol | None = None
    form: str = "none"

    @property
    def has_diffusion(self) -> bool:
        return self.potential != 0 or self.coefficient != 0

    @property
    def has_source(self) -> bool:
        return self.source != 0

    def part(self, left: Any, centre: Any, right: Any) -> sp.Expr:
        """The diffusion and source part of the update at a cell (values ``left``, ``centre``,
        ``right``; position x, spacing dx), without the flux differences."""
        out = DT * self.source.subs(self.u, centre) if self.has_source else sp.Integer(0)
        if self.coefficient != 0:
            x, D = self.x, sp.Lambda(self.x, self.coefficient)
            if self.form == "ito":  # (D u)_xx: central second difference of D u
                out += MU * (D(x + DX) * right - 2 * D(x) * centre + D(x - DX) * left)
            else:  # (D u_x)_x: D at the interfaces x +- dx/2 times the differences
                out += MU * (D(x + DX / 2) * (right - centre) - D(x - DX / 2) * (centre - left))
        elif self.potential != 0:
            phi = sp.Lambda(self.u, self.potential)
            out += MU * (phi(right) - 2 * phi(centre) + phi(left))
        return out


def law_terms(law: Law) -> LawTerms:
    """Diffusion and source of ``law`` as the conservative scheme discretises them, or a
    ModelError naming the term it cannot discretise (a coefficient depending on t, on both u
    and x, or a source depending on x or t)."""
    u, _ = _scalar_flux(law)
    x, t = law.coords[0], law.t
    what = law.name or "the law"
    d = law.diffusion[0, 0] if law.diffusion is not None else sp.Integer(0)
    if d != 0 and (t in d.free_symbols or {u, x} <= d.free_symbols):
        raise ModelError(f"diffusion coefficient {d} of {what} depends on "
                         f"{sorted(map(str, d.free_symbols & {u, x, t}))}: the conservative "
                         "scheme discretises D(u) or D(x) (Fick or Ito); write the scheme for a "
                         "coefficient of time, or of both u and x, as a Scheme")
    s = sp.sympify(law.source)
    if s.free_symbols & {x, t}:
        raise ModelError(f"source {s} of {what} depends on "
                         f"{sorted(map(str, s.free_symbols & {x, t}))}: the conservative "
                         "scheme discretises a source s(u) only; write the scheme for s(u, x, t) "
                         "as a Scheme")
    if d != 0 and x in d.free_symbols:
        return LawTerms(u, sp.Integer(0), sp.Integer(0), s, d, x, law.diffusion_form)
    if d == 0:
        phi = sp.Integer(0)
    elif law.diffusion_form == "ito":
        phi = sp.expand(d * u)
    else:
        v = sp.Dummy("v", real=True)
        phi = sp.integrate(d.subs(u, v), (v, 0, u))
        if phi.has(sp.Integral):
            raise ModelError(f"the Fick diffusion (D(u) u_x)_x of {what} with D = {d} needs "
                             "Phi(u) = int_0^u D in closed form, and SymPy finds none: give D as "
                             "a polynomial or rational function of u")
    return LawTerms(u, phi, sp.simplify(sp.diff(phi, u)), s)


def law_scheme(law: Law, flux: str = "godunov") -> Scheme:
    """The scheme a :class:`~mcgen.model.law.Law` runs with: its conservative scheme with the
    named monotone numerical flux (Godunov by default), central diffusion and the source (see
    :func:`conservative_scheme`)."""
    return conservative_scheme(law, flux=flux)


def conservative_scheme(law: Law, flux: str = "lax_friedrichs", lam: sp.Symbol = LAM,
                        data_range: tuple[Any, Any] | None = None, alpha: Any = None) -> Scheme:
    """The conservative scheme of ``law`` with the named numerical flux, with every other
    term of the law: the diffusion as a central difference of its potential Phi (``mu``
    = dt/dx^2) and the source explicitly (see :func:`law_terms`).

    Parameters
    ----------
    law : a 1-D scalar law in conservation form.
    flux : ``lax_friedrichs`` | ``rusanov`` | ``godunov`` | ``engquist_osher`` | ``roe``.
    lam : the mesh ratio dt/dx.
    data_range : (m, M), numeric or symbolic, for the global Lax-Friedrichs alpha.
    alpha : override the Lax-Friedrichs viscosity (``1/lam`` gives the classical scheme).
    """
    if flux not in FLUXES:
        raise ModelError(f"flux={flux!r}: use one of {FLUXES}")
    u, _ = _scalar_flux(law)
    terms = law_terms(law)
    F = numerical_flux(law, flux, lam, data_range, alpha)
    w = Field(u.name)
    Fr = F.subs({UL: w[0], UR: w[1]}, simultaneous=True)
    Fl = F.subs({UL: w[-1], UR: w[0]}, simultaneous=True)
    update = w[0] - lam * (Fr - Fl)
    definitions = {lam: DT / DX}
    name = f"{flux} scheme for {law.name or sp.sstr(law.flux[0])}"
    update += terms.part(w[-1], w[0], w[1])
    if terms.has_diffusion:
        definitions[MU] = DT / DX**2
        name += " with central diffusion"
    if terms.has_source:
        name += " and explicit source" if terms.has_diffusion else " with explicit source"
    return Scheme((u.name,), 1, {u.name: update}, reading="forward", name=name,
                  definitions=definitions, law=law, numerical_flux=(F, UL, UR))


def flux_kind(scheme: Scheme) -> str | None:
    """The catalogue flux a scheme was built with (None for user schemes)."""
    head = scheme.name.split(" scheme for ")[0]
    return head if head in FLUXES else None
