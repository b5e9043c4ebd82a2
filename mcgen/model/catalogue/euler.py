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

from mcgen.model.law import Law
from mcgen.model.limiter import as_limiter
from mcgen.model.runge_kutta import as_tableau
from mcgen.model.system_scheme import SystemScheme

__all__ = ["euler_law", "shallow_water_law", "euler_equations", "shallow_water"]

RHO, MOM, ENERGY = sp.symbols("rho m E", real=True)
H, Q = sp.symbols("h q", real=True)
AIR_GAMMA = sp.Rational(7, 5)


def euler_law(gamma: Any = AIR_GAMMA) -> Law:
    """rho_t + m_x = 0, m_t + (m^2/rho + p)_x = 0, E_t + ((E + p) m/rho)_x = 0 with
    p = (gamma - 1)(E - m^2/(2 rho))."""
    g = sp.nsimplify(gamma)
    p = (g - 1) * (ENERGY - MOM**2 / (2 * RHO))
    return Law((RHO, MOM, ENERGY), ((MOM, MOM**2 / RHO + p, (ENERGY + p) * MOM / RHO),),
               name=f"Euler equations (gamma = {g})")


def shallow_water_law(g: Any = 1) -> Law:
    """h_t + q_x = 0, q_t + (q^2/h + g h^2/2)_x = 0."""
    gg = sp.nsimplify(g)
    return Law((H, Q), ((Q, Q**2 / H + gg * H**2 / 2),), name=f"shallow water (g = {gg})")


def euler_equations(flux: str = "hllc", limiter: Any = "minmod", variables: str = "primitive",
                    stepper: Any = "ssprk22", gamma: Any = AIR_GAMMA) -> SystemScheme:
    """A scheme for the 1-D Euler equations (``limiter=None``: first order)."""
    return SystemScheme("euler", euler_law(gamma), flux, as_tableau(stepper), gamma,
                        None if limiter is None else as_limiter(limiter), variables)


def shallow_water(flux: str = "hll", limiter: Any = "minmod", variables: str = "primitive",
                  stepper: Any = "ssprk22", g: Any = 1) -> SystemScheme:
    """A scheme for the 1-D shallow-water equations (``limiter=None``: first order)."""
    return SystemScheme("shallow_water", shallow_water_law(g), flux, as_tableau(stepper), g,
                        None if limiter is None else as_limiter(limiter), variables)
