"""High-resolution conservative schemes: reconstruction + numerical flux + time stepper.

A :class:`HighResScheme` is the method of lines for u_t + f(u)_x = 0,

    du_j/dt = L(u)_j = -(F_{j+1/2} - F_{j-1/2}) / dx,

with ``F`` given by a reconstruction (Sweby's flux-limited form, MUSCL with a slope limiter,
WENO5) and a numerical flux, advanced by an explicit Runge-Kutta method. Its weights depend on
the solution, so it is not a :class:`~mcgen.model.scheme.Scheme` with linear weights; the
analysis layer (:mod:`mcgen.analysis.tvd`) proves its CFL bounds and the run layer
(:mod:`mcgen.run.highres_stepper`) advances it.
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

__all__ = ["HighResScheme", "RECONSTRUCTIONS"]

RECONSTRUCTIONS = ("flux_limited", "muscl", "weno5")


@serialize.register_class("highres_scheme")
@dataclass(frozen=True)
class HighResScheme:
    """A conservative high-resolution scheme for a 1-D scalar law.

    Attributes
    ----------
    law : the scalar conservation law.
    reconstruction : ``flux_limited`` (Sweby: flux splitting f = f+ + f-, each part upwinded
        with a limited second-order correction), ``muscl`` (interface values from limited
        slopes, then a two-point numerical flux) or ``weno5`` (Jiang-Shu on the split fluxes).
    flux : the two-point flux (``muscl``: ``godunov``, ``lax_friedrichs``, ``rusanov``,
        ``engquist_osher``) or the splitting (``flux_limited``/``weno5``: ``lax_friedrichs``,
        global alpha = max |f'| over the data range, or ``upwind`` for a sign-definite f').
    limiter : phi(r) (not used by ``weno5``).
    stepper : the explicit Runge-Kutta method.
    data_range : (m, M), the invariant range the global alpha is taken over (None: symbols).
    """

    law: Law
    reconstruction: str
    flux: str
    stepper: ButcherTableau
    limiter: Limiter | None = None
    data_range: tuple[Any, Any] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.reconstruction not in RECONSTRUCTIONS:
            raise ModelError(f"reconstruction={self.reconstruction!r}: use one of "
                             f"{RECONSTRUCTIONS}")
        if self.reconstruction != "weno5" and self.limiter is None:
            raise ModelError(f"a {self.reconstruction} scheme needs a limiter")
        if self.data_range is not None:
            m, M = (sp.nsimplify(v) for v in self.data_range)
            if m.is_number and M.is_number and not m < M:
                raise ModelError(f"data_range ({m}, {M}): give (min, max) with min < max")
            object.__setattr__(self, "data_range", (m, M))
        if not self.name:
            lim = f"-{self.limiter.name}" if self.limiter is not None and \
                self.reconstruction != "weno5" else ""
            object.__setattr__(self, "name", f"{self.reconstruction}{lim} with {self.flux} "
                                             f"flux, {self.stepper.name}")

    @property
    def order(self) -> int:
        """The design order in space on smooth data away from extrema."""
        return 5 if self.reconstruction == "weno5" else 2

    @property
    def radius(self) -> int:
        """Cells each side an update reads (per stage)."""
        return 3 if self.reconstruction == "weno5" else 2

    def describe(self) -> str:
        return f"{self.name} for {self.law.describe()}"

    def __str__(self) -> str:
        return self.describe()

    def to_data(self) -> dict[str, Any]:
        return {"law": serialize.to_data(self.law), "reconstruction": self.reconstruction,
                "flux": self.flux, "stepper": serialize.to_data(self.stepper),
                "limiter": serialize.to_data(self.limiter),
                "data_range": serialize.to_data(self.data_range), "name": self.name}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> HighResScheme:
        return serialize.construct_checked(cls, {  # type: ignore[no-any-return]
            k: serialize.from_data(v, "$." + k) if k not in ("reconstruction", "flux", "name")
            else v for k, v in d.items()})

    @property
    def hash(self) -> str:
        return serialize.stable_hash(self.to_data())
