"""High-resolution schemes for scalar laws: flux-limited (Sweby), MUSCL and WENO5, each with a
time stepper (``euler``, ``ssprk22``, ``ssprk33``, ``ssprk104`` or a Butcher tableau).

>>> import sympy as sp
>>> from mcgen.model import scalar_law
>>> u = sp.Symbol("u")
>>> s = muscl(scalar_law(u, u**2 / 2), limiter="minmod", flux="godunov", stepper="ssprk22")
>>> s.name
'muscl-minmod with godunov flux, SSPRK(2,2)'
"""

from __future__ import annotations

from typing import Any

from mcgen.errors import ModelError
from mcgen.model.catalogue.conservative import FLUXES
from mcgen.model.highres_nd_scheme import HighResNDScheme
from mcgen.model.highres_scheme import HighResScheme
from mcgen.model.law import Law
from mcgen.model.limiter import as_limiter
from mcgen.model.runge_kutta import as_tableau

__all__ = ["flux_limited", "muscl", "weno5", "dimension_by_dimension", "SPLITTINGS",
           "MUSCL_FLUXES"]

SPLITTINGS = ("lax_friedrichs", "upwind")
MUSCL_FLUXES = tuple(f for f in FLUXES if f != "roe")  # monotone two-point fluxes


def _check_law(law: Law) -> None:
    if not isinstance(law, Law) or not law.is_scalar or law.dim != 1 or \
            law.form != "conservation":
        raise ModelError("high-resolution scalar schemes need a 1-D scalar Law in conservation "
                         "form (systems: mcgen.model.catalogue.euler)")
    if law.diffusion is not None and any(e != 0 for e in law.diffusion) or law.source != 0:
        raise ModelError(f"law {law.name!r} has diffusion or a source; these schemes discretise "
                         "u_t + f(u)_x = 0 only (a term would be dropped: refused)")
    if law.params:
        raise ModelError(f"law {law.name!r} has parameters {law.params}: substitute numbers")


def flux_limited(law: Law, limiter: Any = "minmod", stepper: Any = "euler",
                 splitting: str = "lax_friedrichs",
                 data_range: tuple[Any, Any] | None = None) -> HighResScheme:
    """Sweby's flux-limited scheme in semi-discrete form:
    F = f+(u_j) + phi(r+_j) Df+_{j+1/2}/2 + f-(u_{j+1}) - phi(r-_{j+1}) Df-_{j+1/2}/2 with
    r+_j = Df+_{j-1/2}/Df+_{j+1/2} and r-_{j+1} = Df-_{j+3/2}/Df-_{j+1/2}; the splitting is
    Lax-Friedrichs, f+- = (f +- alpha u)/2 with alpha = max |f'| on ``data_range``, or
    ``upwind`` (f+ = f where f' >= 0 on the range, f- = f where f' <= 0)."""
    _check_law(law)
    if splitting not in SPLITTINGS:
        raise ModelError(f"splitting={splitting!r}: use one of {SPLITTINGS}")
    return HighResScheme(law, "flux_limited", splitting, as_tableau(stepper),
                         as_limiter(limiter), data_range)


def muscl(law: Law, limiter: Any = "minmod", flux: str = "godunov", stepper: Any = "euler",
          data_range: tuple[Any, Any] | None = None) -> HighResScheme:
    """MUSCL: u^L_{j+1/2} = u_j + phi(r_j) D_{j+1/2}/2, u^R_{j-1/2} = u_j - phi(1/r_j)
    D_{j-1/2}/2 (r_j = D_{j-1/2}/D_{j+1/2}), then a monotone two-point flux F(u^L, u^R)."""
    _check_law(law)
    if flux not in MUSCL_FLUXES:
        raise ModelError(f"flux={flux!r}: MUSCL uses a monotone two-point flux, one of "
                         f"{MUSCL_FLUXES}")
    return HighResScheme(law, "muscl", flux, as_tableau(stepper), as_limiter(limiter),
                         data_range)


def weno5(law: Law, flux: str = "lax_friedrichs", stepper: Any = "ssprk33",
          data_range: tuple[Any, Any] | None = None) -> HighResScheme:
    """Jiang-Shu WENO5 (epsilon = 1e-6, p = 2) on the split fluxes f+- (Lax-Friedrichs
    splitting with the global alpha, or ``upwind`` for a sign-definite f')."""
    _check_law(law)
    if flux not in SPLITTINGS:
        raise ModelError(f"flux={flux!r}: WENO5 uses a flux splitting, one of {SPLITTINGS}")
    return HighResScheme(law, "weno5", flux, as_tableau(stepper), None, data_range)


def dimension_by_dimension(*axes: HighResScheme, name: str = "") -> HighResNDScheme:
    """The 2-D / 3-D scalar scheme du/dt = -sum_d (F^d_{+1/2} - F^d_{-1/2})/dx_d whose axis-d
    fluxes are those of the 1-D flux-limited, MUSCL or WENO5 scheme ``axes[d]`` (its law's
    flux is f_d; one stepper for all). ``compile`` and ``Simulation`` run it with the proved
    maximum-principle bound sum_d lam_d / c_d <= 1 enforced; with a WENO5 axis nothing is
    proved, and runs need ``unsafe=True`` and a dt."""
    return HighResNDScheme(tuple(axes), name)
