"""Catalogue of linear constant-coefficient schemes (advection, diffusion, both; 1-D and 2-D;
explicit two-level, implicit two-level and three-level).

Every function returns a :class:`~mcgen.model.scheme.Scheme` whose update is written in lattice
reads (weights are derived from it), with its ``definitions`` (``nu = a*dt/dx``,
``r = D*dt/dx**2``) and the ``law`` it approximates. Parameters carry the sign the scheme is
meant for: ``upwind(+1)`` uses a Courant number declared non-negative, ``upwind(-1)`` one declared
non-positive, and the sign-split ``upwind_sign_split`` a real one (its weights use ``Max``/``Min``
so that one update is valid for either sign of the speed).

>>> lax_wendroff().linear_weights()[0]
1 - nu**2
"""

from __future__ import annotations

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.law import Law, scalar_law
from mcgen.model.read import Field, Read
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import D, a, dt, dx, dy, nu, r

U = sp.Symbol("u", real=True)
b = sp.Symbol("b", real=True)                     # advection speed along y
D_x = sp.Symbol("D_x", positive=True)
D_y = sp.Symbol("D_y", positive=True)
q = sp.Symbol("q", real=True)                     # numerical-viscosity parameter of the family
theta = sp.Symbol("theta", nonnegative=True)      # implicitness of the theta-method
nu_pos = sp.Symbol("nu", nonnegative=True)        # Courant number of a scheme made for a >= 0
nu_neg = sp.Symbol("nu", nonpositive=True)        # ... for a <= 0
nu_x = sp.Symbol("nu_x", real=True)
nu_y = sp.Symbol("nu_y", real=True)
nu_x_pos = sp.Symbol("nu_x", nonnegative=True)
nu_y_pos = sp.Symbol("nu_y", nonnegative=True)
r_x = sp.Symbol("r_x", nonnegative=True)
r_y = sp.Symbol("r_y", nonnegative=True)

_u = Field("u")
_u2 = Field("u", dim=2)


def _advection() -> Law:
    return scalar_law(U, a * U, name="linear advection")


def _heat() -> Law:
    return scalar_law(U, 0, diffusion=D, diffusion_form="fick", name="heat equation")


def _advection_diffusion() -> Law:
    return scalar_law(U, a * U, diffusion=D, diffusion_form="fick", name="advection-diffusion")


def _advection_2d() -> Law:
    return scalar_law(U, (a * U, b * U), name="linear advection in 2-D")


def _nu_defs(sym: sp.Symbol = nu) -> dict[sp.Symbol, sp.Expr]:
    return {sym: a * dt / dx}


def _scheme(update: sp.Expr, name: str, law: Law, definitions: dict, params: tuple,
            dim: int = 1) -> Scheme:
    return Scheme(("u",), dim, {"u": update}, params=params, name=name, definitions=definitions,
                  law=law)


# ---------------------------------------------------------------- 1-D advection


def upwind(sign: int = 1) -> Scheme:
    """First-order upwind for u_t + a u_x = 0 with a of the given sign.

    ``sign=+1`` (a >= 0): weights {-1: nu, 0: 1 - nu} with nu declared non-negative;
    ``sign=-1`` (a <= 0): weights {0: 1 + nu, +1: -nu} = {0: 1 - |nu|, +1: |nu|}, nu non-positive.
    """
    u = _u
    if sign == 1:
        return _scheme(u[0] - nu_pos * (u[0] - u[-1]), "upwind (a > 0)", _advection(),
                       _nu_defs(nu_pos), (nu_pos,))
    if sign == -1:
        return _scheme(u[0] - nu_neg * (u[1] - u[0]), "upwind (a < 0)", _advection(),
                       _nu_defs(nu_neg), (nu_neg,))
    raise ModelError(f"upwind(sign={sign!r}): the sign of the speed is +1 or -1 "
                     "(use upwind_sign_split() for either sign)")


def upwind_sign_split() -> Scheme:
    """Sign-split upwind, valid for either sign of a: weights
    {-1: Max(nu, 0), 0: 1 - Abs(nu), +1: -Min(nu, 0)} (the flux a^+ u_{j-1} + a^- u_j)."""
    u = _u
    plus, minus = sp.Max(nu, 0), sp.Min(nu, 0)
    upd = u[0] - plus * (u[0] - u[-1]) - minus * (u[1] - u[0])
    return _scheme(upd, "sign-split upwind", _advection(), _nu_defs(), (nu,))


def lax_friedrichs() -> Scheme:
    """Lax-Friedrichs: weights {-1: (1 + nu)/2, +1: (1 - nu)/2}."""
    u = _u
    return _scheme((u[-1] + u[1]) / 2 - nu / 2 * (u[1] - u[-1]), "Lax-Friedrichs",
                   _advection(), _nu_defs(), (nu,))


def lax_wendroff() -> Scheme:
    """Lax-Wendroff: weights {-1: nu(1 + nu)/2, 0: 1 - nu^2, +1: nu(nu - 1)/2}."""
    u = _u
    upd = u[0] - nu / 2 * (u[1] - u[-1]) + nu**2 / 2 * (u[1] - 2 * u[0] + u[-1])
    return _scheme(upd, "Lax-Wendroff", _advection(), _nu_defs(), (nu,))


def beam_warming() -> Scheme:
    """Beam-Warming (second-order upwind, a > 0): weights {-2: nu(nu - 1)/2, -1: nu(2 - nu),
    0: (1 - nu)(2 - nu)/2}."""
    u, n = _u, nu_pos
    upd = u[0] - n / 2 * (3 * u[0] - 4 * u[-1] + u[-2]) + n**2 / 2 * (u[0] - 2 * u[-1] + u[-2])
    return _scheme(upd, "Beam-Warming", _advection(), _nu_defs(n), (n,))


def ftcs_advection() -> Scheme:
    """Forward time, centred space: weights {-1: nu/2, 0: 1, +1: -nu/2}."""
    u = _u
    return _scheme(u[0] - nu / 2 * (u[1] - u[-1]), "FTCS advection", _advection(),
                   _nu_defs(), (nu,))


def three_point_family() -> Scheme:
    """The one-parameter family {-1: (q + nu)/2, 0: 1 - q, +1: (q - nu)/2}: q = |nu| is upwind,
    q = 1 Lax-Friedrichs, q = nu^2 Lax-Wendroff, q = 0 FTCS."""
    u = _u
    upd = u[0] - nu / 2 * (u[1] - u[-1]) + q / 2 * (u[1] - 2 * u[0] + u[-1])
    return _scheme(upd, "three-point family", _advection(), _nu_defs(), (nu, q))


# ---------------------------------------------------------------- diffusion, advection-diffusion


def ftcs_heat() -> Scheme:
    """Explicit heat scheme: weights {-1: r, 0: 1 - 2r, +1: r}, r = D dt/dx^2."""
    u = _u
    return _scheme(u[0] + r * (u[1] - 2 * u[0] + u[-1]), "FTCS heat", _heat(),
                   {r: D * dt / dx**2}, (r,))


def central_advection_diffusion() -> Scheme:
    """Central advection + central diffusion: {-1: r + nu/2, 0: 1 - 2r, +1: r - nu/2}."""
    u = _u
    upd = u[0] - nu / 2 * (u[1] - u[-1]) + r * (u[1] - 2 * u[0] + u[-1])
    return _scheme(upd, "central advection-diffusion", _advection_diffusion(),
                   {nu: a * dt / dx, r: D * dt / dx**2}, (nu, r))


def upwind_advection_diffusion() -> Scheme:
    """Upwind advection (a > 0) + central diffusion: {-1: r + nu, 0: 1 - 2r - nu, +1: r}."""
    u, n = _u, nu_pos
    upd = u[0] - n * (u[0] - u[-1]) + r * (u[1] - 2 * u[0] + u[-1])
    return _scheme(upd, "upwind advection-diffusion", _advection_diffusion(),
                   {n: a * dt / dx, r: D * dt / dx**2}, (n, r))


# ---------------------------------------------------------------- 2-D


def donor_cell_2d() -> Scheme:
    """2-D donor-cell upwind for a, b >= 0: {(0,0): 1 - nu_x - nu_y, (-1,0): nu_x, (0,-1): nu_y}."""
    u, nx, ny = _u2, nu_x_pos, nu_y_pos
    upd = u[0, 0] - nx * (u[0, 0] - u[-1, 0]) - ny * (u[0, 0] - u[0, -1])
    return _scheme(upd, "2-D donor-cell upwind", _advection_2d(),
                   {nx: a * dt / dx, ny: b * dt / dy}, (nx, ny), dim=2)


def lax_friedrichs_2d() -> Scheme:
    """2-D Lax-Friedrichs: the average of the four neighbours minus central differences."""
    u = _u2
    avg = (u[1, 0] + u[-1, 0] + u[0, 1] + u[0, -1]) / 4
    upd = avg - nu_x / 2 * (u[1, 0] - u[-1, 0]) - nu_y / 2 * (u[0, 1] - u[0, -1])
    return _scheme(upd, "2-D Lax-Friedrichs", _advection_2d(),
                   {nu_x: a * dt / dx, nu_y: b * dt / dy}, (nu_x, nu_y), dim=2)


def ftcs_heat_2d() -> Scheme:
    """Five-point explicit heat scheme with r_x = D_x dt/dx^2, r_y = D_y dt/dy^2."""
    u = _u2
    upd = u[0, 0] + r_x * (u[1, 0] - 2 * u[0, 0] + u[-1, 0]) \
        + r_y * (u[0, 1] - 2 * u[0, 0] + u[0, -1])
    law = Law((U,), (0, 0), sp.diag(D_x, D_y), "fick", name="anisotropic heat equation")
    return _scheme(upd, "2-D five-point heat", law,
                   {r_x: D_x * dt / dx**2, r_y: D_y * dt / dy**2}, (r_x, r_y), dim=2)


def lax_wendroff_2d() -> Scheme:
    """Unsplit single-step 2-D Lax-Wendroff (with the mixed term nu_x nu_y u_xy)."""
    u, nx, ny = _u2, nu_x, nu_y
    upd = (u[0, 0] - nx / 2 * (u[1, 0] - u[-1, 0]) - ny / 2 * (u[0, 1] - u[0, -1])
           + nx**2 / 2 * (u[1, 0] - 2 * u[0, 0] + u[-1, 0])
           + ny**2 / 2 * (u[0, 1] - 2 * u[0, 0] + u[0, -1])
           + nx * ny / 4 * (u[1, 1] - u[1, -1] - u[-1, 1] + u[-1, -1]))
    return _scheme(upd, "unsplit 2-D Lax-Wendroff", _advection_2d(),
                   {nx: a * dt / dx, ny: b * dt / dy}, (nx, ny), dim=2)


# ---------------------------------------------------------------- three-level and implicit


def leapfrog() -> Scheme:
    """Leapfrog: u_j^{n+1} = u_j^{n-1} - nu (u_{j+1}^n - u_{j-1}^n) (three levels)."""
    u = _u
    upd = u.at(0, level=-1) - nu * (u[1] - u[-1])
    return _scheme(upd, "leapfrog", _advection(), _nu_defs(), (nu,))


def _new(k: int) -> Read:
    return _u.at(k, level=1)


def theta_method(theta_value: sp.Expr | None = None) -> Scheme:
    """The theta-method for the heat equation (implicit for theta > 0):
    u^{n+1} - theta r delta^2 u^{n+1} = u^n + (1 - theta) r delta^2 u^n, as ``sp.Eq``."""
    th = theta if theta_value is None else sp.sympify(theta_value)
    u = _u
    lhs = _new(0) - th * r * (_new(1) - 2 * _new(0) + _new(-1))
    rhs = u[0] + (1 - th) * r * (u[1] - 2 * u[0] + u[-1])
    params = (r,) if theta_value is not None else (r, theta)
    name = "Crank-Nicolson" if th == sp.Rational(1, 2) else "theta-method"
    return Scheme(("u",), 1, {"u": sp.Eq(lhs, rhs)}, params=params, name=name,
                  definitions={r: D * dt / dx**2}, law=_heat())


def crank_nicolson() -> Scheme:
    """Crank-Nicolson for the heat equation: the theta-method at theta = 1/2."""
    return theta_method(sp.Rational(1, 2))


LINEAR_SCHEMES = {
    "upwind": upwind, "upwind_negative": lambda: upwind(-1),
    "upwind_sign_split": upwind_sign_split, "lax_friedrichs": lax_friedrichs,
    "lax_wendroff": lax_wendroff, "beam_warming": beam_warming,
    "ftcs_advection": ftcs_advection, "three_point_family": three_point_family,
    "ftcs_heat": ftcs_heat, "central_advection_diffusion": central_advection_diffusion,
    "upwind_advection_diffusion": upwind_advection_diffusion, "donor_cell_2d": donor_cell_2d,
    "lax_friedrichs_2d": lax_friedrichs_2d, "ftcs_heat_2d": ftcs_heat_2d,
    "lax_wendroff_2d": lax_wendroff_2d, "leapfrog": leapfrog, "crank_nicolson": crank_nicolson,
    "theta_method": theta_method,
}
"""Every linear catalogue scheme by name (a function of no arguments returning the scheme)."""
