"""NumPy reference for scalar high-resolution schemes in 2-D and 3-D, dimension by dimension:
one 1-D :class:`~mcgen.run.highres_stepper.HighResStepper` per axis gives that axis's flux
differences along every grid line, L(u) = sum_d L_d(u), and the shared Runge-Kutta stepper
advances it (the reference of :mod:`mcgen.codegen.highres_nd_frontend`; built without the IR).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mcgen.errors import ModelError
from mcgen.model.highres_boundary import highres_boundary, inflow_values
from mcgen.model.highres_scheme import HighResScheme
from mcgen.run.highres_stepper import HighResStepper, runge_kutta_step

__all__ = ["HighResNDStepper"]


@dataclass
class HighResNDStepper:
    """``axes``: one 1-D HighResScheme per axis; ``n`` cells and ``bounds`` (x0, x1) per axis;
    ``boundary``: ``periodic``, ``outflow`` or ``Dirichlet(v)`` (an inflow state), on every side
    or per axis and side (:func:`mcgen.model.highres_boundary.highres_boundary`)."""

    axes: Sequence[HighResScheme]
    n: Sequence[int]
    bounds: Sequence[tuple[float, float]]
    boundary: Any = "periodic"
    steppers: list[HighResStepper] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not (len(self.axes) == len(self.n) == len(self.bounds)) or len(self.axes) not in (2, 3):
            raise ModelError("give one axis scheme, cell count and bounds per axis (2-D or 3-D)")
        self.spec = spec = highres_boundary(self.boundary, len(self.axes))
        self.steppers = [HighResStepper(s, m, (float(b[0]), float(b[1])), side)
                         for s, m, b, side in zip(self.axes, self.n, self.bounds, spec,
                                                  strict=True)]
        self.spacing = tuple(st.dx for st in self.steppers)

    def prepare(self, u0: np.ndarray) -> None:
        for st in self.steppers:
            st._prepare(u0.reshape(-1))  # the data range is checked against all the data
            m, M = st.data_range or (-np.inf, np.inf)
            for v in inflow_values(self.spec):  # every inflow value crosses every axis
                if not m - 1e-12 * max(1.0, abs(m)) <= v <= M + 1e-12 * max(1.0, abs(M)):
                    raise ModelError(f"the inflow value {v} leaves {st.scheme.name}'s "
                                     f"data_range ({m}, {M}): the bound holds there only")

    def rhs(self, u: np.ndarray) -> np.ndarray:
        out = np.zeros_like(u)
        for d, st in enumerate(self.steppers):
            out += np.apply_along_axis(st.rhs, d, u)
        return out

    def step(self, u: np.ndarray, dt: float) -> np.ndarray:
        """One Runge-Kutta step (stage by stage, explicit), as HighResStepper.step."""
        return runge_kutta_step(self.rhs, self.axes[0].stepper, u, dt)
