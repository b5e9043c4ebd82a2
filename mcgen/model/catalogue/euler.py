"""The Euler equations of gas dynamics and the shallow-water equations in 1-D, as laws and as
high-resolution finite-volume schemes (HLL, HLLC, Roe; MUSCL in conserved, primitive or
characteristic variables; SSP Runge-Kutta steppers).

>>> s = euler_equations(flux="hllc", limiter="minmod", stepper="ssprk22")
>>> s.law.fields
(rho, m, E)
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.law import Law
from mcgen.model.limiter import as_limiter
from mcgen.model.runge_kutta import as_tableau
from mcgen.model.system_scheme import SystemScheme

__all__ = ["euler_law", "shallow_water_law", "euler_equations", "shallow_water"]

RHO, MOM, ENERGY = sp.symbols("rho m E", real=True)
MX, MY = sp.symbols("m_x m_y", real=True)
H, Q = sp.symbols("h q", real=True)
QX, QY = sp.symbols("q_x q_y", real=True)
AIR_GAMMA = sp.Rational(7, 5)


def euler_law(gamma: Any = AIR_GAMMA, dim: int = 1) -> Law:
    """rho_t + div(rho v) = 0, (rho v)_t + div(rho v v + p I) = 0, E_t + div((E + p) v) = 0
    with p = (gamma - 1)(E - rho |v|^2/2); fields (rho, m, E) in 1-D, (rho, m_x, m_y, E) in
    2-D."""
    g = sp.nsimplify(gamma)
    if dim == 1:
        p = (g - 1) * (ENERGY - MOM**2 / (2 * RHO))
        return Law((RHO, MOM, ENERGY), ((MOM, MOM**2 / RHO + p, (ENERGY + p) * MOM / RHO),),
                   name=f"Euler equations (gamma = {g})")
    if dim != 2:
        raise ModelError(f"dim={dim}: the Euler schemes are 1-D or 2-D")
    p = (g - 1) * (ENERGY - (MX**2 + MY**2) / (2 * RHO))
    u, v = MX / RHO, MY / RHO
    return Law((RHO, MX, MY, ENERGY),
               ((MX, MX * u + p, MY * u, (ENERGY + p) * u),
                (MY, MX * v, MY * v + p, (ENERGY + p) * v)),
               name=f"2-D Euler equations (gamma = {g})")


def shallow_water_law(g: Any = 1, dim: int = 1) -> Law:
    """h_t + div(q) = 0, q_t + div(q q/h + g h^2/2 I) = 0."""
    gg = sp.nsimplify(g)
    if dim == 1:
        return Law((H, Q), ((Q, Q**2 / H + gg * H**2 / 2),), name=f"shallow water (g = {gg})")
    if dim != 2:
        raise ModelError(f"dim={dim}: the shallow-water schemes are 1-D or 2-D")
    return Law((H, QX, QY), ((QX, QX**2 / H + gg * H**2 / 2, QX * QY / H),
                             (QY, QX * QY / H, QY**2 / H + gg * H**2 / 2)),
               name=f"2-D shallow water (g = {gg})")


def euler_equations(flux: str = "hllc", limiter: Any = "minmod", variables: str = "primitive",
                    stepper: Any = "ssprk22", gamma: Any = AIR_GAMMA, dim: int = 1
                    ) -> SystemScheme:
    """A scheme for the Euler equations in 1-D or 2-D (``limiter=None``: first order)."""
    return SystemScheme("euler", euler_law(gamma, dim), flux, as_tableau(stepper), gamma,
                        None if limiter is None else as_limiter(limiter), variables)


def shallow_water(flux: str = "hll", limiter: Any = "minmod", variables: str = "primitive",
                  stepper: Any = "ssprk22", g: Any = 1, dim: int = 1) -> SystemScheme:
    """A scheme for the shallow-water equations in 1-D or 2-D (``limiter=None``: first
    order)."""
    return SystemScheme("shallow_water", shallow_water_law(g, dim), flux, as_tableau(stepper),
                        g, None if limiter is None else as_limiter(limiter), variables)
