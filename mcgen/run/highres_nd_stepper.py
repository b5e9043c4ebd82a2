"""NumPy reference for scalar high-resolution schemes in 2-D and 3-D, dimension by dimension:
one 1-D :class:`~mcgen.run.highres_stepper.HighResStepper` per axis gives that axis's flux
differences along every grid line, L(u) = sum_d L_d(u), and the shared Runge-Kutta stepper
advances it (the reference of :mod:`mcgen.codegen.highres_nd_frontend`; built without the IR).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from mcgen.errors import ModelError
from mcgen.model.highres_scheme import HighResScheme
from mcgen.run.highres_stepper import HighResStepper, runge_kutta_step

__all__ = ["HighResNDStepper"]


@dataclass
class HighResNDStepper:
    """``axes``: one 1-D HighResScheme per axis; ``n`` cells and ``bounds`` (x0, x1) per axis;
    ``boundary``: ``periodic`` or ``outflow`` on every side."""

    axes: Sequence[HighResScheme]
    n: Sequence[int]
    bounds: Sequence[tuple[float, float]]
    boundary: str = "periodic"
    steppers: list[HighResStepper] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not (len(self.axes) == len(self.n) == len(self.bounds)) or len(self.axes) not in (2, 3):
            raise ModelError("give one axis scheme, cell count and bounds per axis (2-D or 3-D)")
        self.steppers = [HighResStepper(s, m, (float(b[0]), float(b[1])), self.boundary)
                         for s, m, b in zip(self.axes, self.n, self.bounds, strict=True)]
        self.spacing = tuple(st.dx for st in self.steppers)

    def prepare(self, u0: np.ndarray) -> None:
        for st in self.steppers:
            st._prepare(u0.reshape(-1))  # the data range is checked against all the data

    def rhs(self, u: np.ndarray) -> np.ndarray:
        out = np.zeros_like(u)
        for d, st in enumerate(self.steppers):
            out += np.apply_along_axis(st.rhs, d, u)
        return out

    def step(self, u: np.ndarray, dt: float) -> np.ndarray:
        """One Runge-Kutta step (stage by stage, explicit), as HighResStepper.step."""
        return runge_kutta_step(self.rhs, self.axes[0].stepper, u, dt)
