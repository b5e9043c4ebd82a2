"""Scalar high-resolution schemes in 2-D and 3-D built dimension by dimension:

    du/dt = -sum_d (F^d_{+1/2} - F^d_{-1/2}) / dx_d

for u_t + sum_d f_d(u)_{x_d} = 0, the interface fluxes F^d of each axis those of a 1-D
flux-limited, MUSCL or WENO5 :class:`~mcgen.model.highres_scheme.HighResScheme` (its flux f_d,
limiter and data range), all advanced by one Runge-Kutta stepper. The analysis layer proves the
maximum-principle bound sum_d lam_d / c_d <= 1 from the 1-D bounds c_d
(:func:`mcgen.analysis.highres_nd.dimensional_condition`); with a WENO5 axis nothing is proved
(WENO5 has no 1-D bound) and runs need ``unsafe=True`` and a chosen dt, as in 1-D.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mcgen.errors import ModelError
from mcgen.model.highres_scheme import HighResScheme
from mcgen.model.law import Law
from mcgen.model.runge_kutta import ButcherTableau
from mcgen.proof import serialize

__all__ = ["HighResNDScheme"]


@serialize.register_class("highres_nd_scheme")
@dataclass(frozen=True)
class HighResNDScheme:
    """A 2-D or 3-D scalar scheme: one 1-D flux-limited, MUSCL or WENO5 ``HighResScheme`` per
    axis (axis d reads its law's flux as f_d), sharing one stepper."""

    axes: tuple[HighResScheme, ...]
    name: str = ""

    def __post_init__(self) -> None:
        axes = tuple(self.axes)
        object.__setattr__(self, "axes", axes)
        if not 2 <= len(axes) <= 3:
            raise ModelError(f"{len(axes)} axis schemes: give 2 (2-D) or 3 (3-D); a 1-D scheme "
                             "is a HighResScheme itself")
        for d, s in enumerate(axes):
            if not isinstance(s, HighResScheme):
                raise ModelError(f"axis {d}: a 1-D HighResScheme (mcgen.model.catalogue."
                                 f"highres.flux_limited, muscl or weno5), not "
                                 f"{type(s).__name__}")
        if len({s.law.fields for s in axes}) != 1:
            raise ModelError("the axis schemes must be laws of one field: got "
                             f"{[s.law.fields[0] for s in axes]}")
        if len({(str(s.stepper.A), str(s.stepper.b)) for s in axes}) != 1:
            raise ModelError("the axis schemes must share one Runge-Kutta stepper: give each "
                             "the same stepper=")
        if not self.name:
            names = {s.name for s in axes}
            what = names.pop() if len(names) == 1 else "; ".join(s.name for s in axes)
            object.__setattr__(self, "name", f"{len(axes)}-D dimension by dimension: {what}")

    @property
    def dim(self) -> int:
        return len(self.axes)

    @property
    def law(self) -> Law:
        """u_t + sum_d f_d(u)_{x_d} = 0, f_d the flux of axis d's law."""
        return Law(self.axes[0].law.fields, tuple(s.law.flux[0] for s in self.axes))

    @property
    def stepper(self) -> ButcherTableau:
        return self.axes[0].stepper

    def describe(self) -> str:
        return f"{self.name} for " + ", ".join(f"f_{d} = {s.law.flux[0]}"
                                               for d, s in enumerate(self.axes))

    def __str__(self) -> str:
        return self.describe()

    def to_data(self) -> dict[str, Any]:
        return {"axes": [serialize.to_data(s) for s in self.axes], "name": self.name}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> HighResNDScheme:
        return cls(tuple(serialize.from_data(v, f"$.axes[{i}]")
                         for i, v in enumerate(d["axes"])), d.get("name", ""))

    @property
    def hash(self) -> str:
        return serialize.stable_hash(self.to_data())
