"""High-resolution finite-volume schemes for hyperbolic systems in 1-D (Euler equations of gas
dynamics, shallow water): an approximate Riemann solver (HLL, HLLC, Roe with Harten's entropy
fix), MUSCL reconstruction in conserved, primitive or characteristic variables with a slope
limiter (or none: first order), and an explicit Runge-Kutta stepper.

Slopes are limited in the chosen variables and mapped to conserved slopes with the Jacobian
frozen at the cell centre, so the two interface states always average to the cell average
(what the Zhang-Shu positivity argument needs; :mod:`mcgen.analysis.positivity_systems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.law import Law
from mcgen.model.limiter import Limiter
from mcgen.model.runge_kutta import ButcherTableau
from mcgen.proof import serialize

__all__ = ["SystemScheme", "SYSTEM_FLUXES", "SYSTEM_VARIABLES", "SYSTEMS"]

SYSTEM_FLUXES = ("hll", "hllc", "roe")
SYSTEM_VARIABLES = ("conserved", "primitive", "characteristic")
SYSTEMS = ("euler", "shallow_water")


@serialize.register_class("system_scheme")
@dataclass(frozen=True)
class SystemScheme:
    """A 1-D finite-volume scheme for the Euler equations or shallow water.

    Attributes
    ----------
    system : ``euler`` (fields rho, m = rho u, E; parameter gamma) or ``shallow_water``
        (fields h, q = h u; parameter g).
    law : the system as a :class:`Law` (conservation form).
    flux : ``hll`` (Einfeldt's wave speeds), ``hllc`` (Toro), ``roe`` (Harten's entropy fix).
    limiter : slope limiter, None for the first-order scheme.
    variables : where slopes are limited: ``conserved``, ``primitive`` or ``characteristic``.
    stepper : explicit Runge-Kutta method.
    entropy_fix : Roe only: Harten-Hyman's fix (without it a transonic rarefaction keeps an
        expansion shock).
    parameter : gamma (Euler) or g (shallow water), exact.
    """

    system: str
    law: Law
    flux: str
    stepper: ButcherTableau
    parameter: sp.Expr
    limiter: Limiter | None = None
    variables: str = "conserved"
    entropy_fix: bool = True
    name: str = ""

    def __post_init__(self) -> None:
        if self.system not in SYSTEMS:
            raise ModelError(f"system={self.system!r}: use one of {SYSTEMS}")
        if self.flux not in SYSTEM_FLUXES:
            raise ModelError(f"flux={self.flux!r}: use one of {SYSTEM_FLUXES}")
        if self.variables not in SYSTEM_VARIABLES:
            raise ModelError(f"variables={self.variables!r}: use one of {SYSTEM_VARIABLES}")
        p = sp.nsimplify(self.parameter)
        if not (p.is_number and p > 0) or (self.system == "euler" and not p > 1):
            raise ModelError(f"{self.system}: parameter {p} must be a number "
                             f"{'> 1 (gamma)' if self.system == 'euler' else '> 0 (g)'}")
        object.__setattr__(self, "parameter", p)
        if not self.name:
            rec = f"MUSCL-{self.limiter.name} ({self.variables})" if self.limiter else \
                "first order"
            d = "" if self.law.dim == 1 else f"{self.law.dim}-D "
            object.__setattr__(self, "name", f"{d}{self.system} {self.flux.upper()} {rec}, "
                                             f"{self.stepper.name}")

    @property
    def dim(self) -> int:
        return self.law.dim

    @property
    def order(self) -> int:
        return 2 if self.limiter is not None else 1

    def describe(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name

    def to_data(self) -> dict[str, Any]:
        return {k: serialize.to_data(getattr(self, k)) for k in
                ("system", "law", "flux", "stepper", "parameter", "limiter", "variables",
                 "entropy_fix", "name")}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> SystemScheme:
        # each field checked against its type hint before the constructor parses anything
        return serialize.decode_dataclass(cls, d)  # type: ignore[no-any-return]

    @property
    def hash(self) -> str:
        return serialize.stable_hash(self.to_data())
