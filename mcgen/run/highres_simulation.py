"""``Simulation`` for high-resolution schemes: a scalar
:class:`~mcgen.model.highres_scheme.HighResScheme` (flux-limited, MUSCL, WENO5 with any explicit
Runge-Kutta stepper), its 2-D / 3-D dimension-by-dimension form
:class:`~mcgen.model.highres_nd_scheme.HighResNDScheme`, and the Euler / shallow-water
:class:`~mcgen.model.system_scheme.SystemScheme` in 1-D and 2-D.

The enforced condition and the largest dt are those of :mod:`mcgen.analysis.highres_safety` (the
TVD condition on the data range; the maximum-principle condition sum_d lam_d / c_d <= 1 in 2-D /
3-D; the positivity-preserving condition on the initial wave speeds, re-checked on every stage of
every step, so a step that would leave it stops the run). A larger dt is refused unless
``unsafe=True``. The steppers are the generated kernels where one exists (scalar flux-limited,
MUSCL and WENO5 in 1-D and flux-limited/MUSCL in 2-D and 3-D, periodic, outflow or inflow sides;
every system scheme, at a fixed dt or choosing each step from its own wave speeds) and the NumPy
references otherwise.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from mcgen.analysis.safety_policy import safety_policy
from mcgen.errors import AnalysisError, ModelError, StabilityError
from mcgen.model.boundary import Outflow, Periodic, Reflecting
from mcgen.model.highres_boundary import highres_boundary, inflow_values
from mcgen.model.highres_nd_scheme import HighResNDScheme
from mcgen.model.highres_scheme import HighResScheme
from mcgen.model.system_scheme import SystemScheme
from mcgen.run.highres_nd_stepper import HighResNDStepper
from mcgen.run.highres_stepper import HighResStepper
from mcgen.run.numpy_stepper import normalize_boundary
from mcgen.run.snapshots import Instant
from mcgen.run.system_stepper import SystemStepper

if TYPE_CHECKING:
    from mcgen.run.simulation import Simulation

__all__ = ["setup_highres", "HighResSimStepper", "HighResNDSimStepper", "SystemSimStepper"]


def _boundary_name(sim: Simulation) -> Any:
    """The boundary the high-resolution steppers take: for systems one kind, the same on every
    side (its name); for scalar schemes periodic, outflow or a constant Dirichlet (inflow)
    value on each side (the spec, :func:`~mcgen.model.highres_boundary.highres_boundary`)."""
    if isinstance(sim.scheme, (HighResScheme, HighResNDScheme)):
        return highres_boundary(sim.boundary, sim.grid.dim)
    kinds = {type(b) for side in sim.boundary for b in side}
    names = {Periodic: "periodic", Outflow: "outflow", Reflecting: "reflecting"}
    allowed = ("periodic", "outflow", "reflecting")
    if len(kinds) != 1 or next(iter(kinds)) not in names:
        raise ModelError(f"{sim.scheme.name}: boundary {sim.bc!r}: use one of {allowed} on "
                         "every side")
    return names[next(iter(kinds))]


def kernel_or_reference(sim: Simulation, build: Callable[[str], Any]) -> tuple[Any, str]:
    """(kernel, backend): ``build(backend)`` for the run's backend ("auto" takes C); under
    "auto" a kernel that cannot be built falls back to the NumPy reference stepper (kernel
    None, backend "numpy"), with a note saying why; an explicit backend raises."""
    backend = "c" if sim.backend == "auto" else sim.backend
    try:
        return build(backend), backend
    except Exception as err:  # noqa: BLE001 - auto falls back, and says why
        if sim.backend != "auto":
            raise
        sim.notes.append(f"no {backend} kernel ({type(err).__name__}: {err}); NumPy "
                         "reference stepper used")
        return None, "numpy"


class HighResSimStepper:
    """``run(state, t, dt, k)`` for a scalar HighResScheme: the compiled kernel (periodic,
    outflow or inflow sides; flux-limited, MUSCL or WENO5) or :class:`HighResStepper`."""

    def __init__(self, sim: Simulation, boundary: Any, data_range: tuple[float, float]) -> None:
        s = cast(HighResScheme, sim.scheme)
        g = sim.grid
        self.field = sim.fields[0]
        self.unsafe = sim.unsafe
        self.dx = g.spacing[0]
        self.ref = HighResStepper(s, g.shape[0], g.bounds[0], boundary, data_range)
        self.ref._prepare(sim.state[self.field])
        self.kernel: Any = None
        self.backend = "numpy"
        if sim.backend != "numpy":
            from mcgen.codegen.highres_frontend import HighResKernel
            ranged = s if s.data_range is not None else \
                dataclasses.replace(s, data_range=data_range)
            self.kernel, self.backend = kernel_or_reference(
                sim, lambda backend: HighResKernel(ranged, backend, boundary=boundary))

    def run(self, state: dict[str, np.ndarray], t: float, dt: float, k: int
            ) -> dict[str, np.ndarray]:
        u = state[self.field]
        if self.kernel is not None:
            return {self.field: self.kernel.run(u, k, dt / self.dx, unsafe=self.unsafe)}
        for _ in range(k):
            u = self.ref.step(u, dt)
        return {self.field: u}


class HighResNDSimStepper:
    """``run(state, t, dt, k)`` for a 2-D / 3-D HighResNDScheme: the compiled
    ``HighResNDKernel`` or :class:`HighResNDStepper` (NumPy); periodic, outflow or inflow
    sides."""

    def __init__(self, sim: Simulation, boundary: Any) -> None:
        s = cast(HighResNDScheme, sim.scheme)
        g = sim.grid
        self.field = sim.fields[0]
        self.unsafe = sim.unsafe
        self.spacing = g.spacing
        self.ref = HighResNDStepper(s.axes, g.shape, g.bounds, boundary)
        self.ref.prepare(sim.state[self.field])  # data inside every axis's data range
        self.kernel: Any = None
        self.backend = "numpy"
        if sim.backend != "numpy":
            from mcgen.codegen.highres_nd_frontend import HighResNDKernel
            self.kernel, self.backend = kernel_or_reference(
                sim, lambda backend: HighResNDKernel(s, backend, boundary=boundary))

    def run(self, state: dict[str, np.ndarray], t: float, dt: float, k: int
            ) -> dict[str, np.ndarray]:
        u = state[self.field]
        if self.kernel is not None:
            lams = [dt / h for h in self.spacing]
            return {self.field: self.kernel.run(u, k, lams, unsafe=self.unsafe)}
        for _ in range(k):
            u = self.ref.step(u, dt)
        return {self.field: u}


class SystemSimStepper:
    """``run(state, t, dt, k)`` for a SystemScheme: the compiled kernel (any system scheme and
    boundary) or :class:`SystemStepper`; both check every stage against the positivity bound
    (unless unsafe). A run without a given dt (``cfl`` set) advances each chunk of ``k * dt``
    with steps of ``cfl`` over the wave speeds of their own data, the last one clipped to the
    chunk's end: the adaptive kernel (:meth:`SystemKernel.run_adaptive`) or the NumPy
    stepper, with the same dt sequence."""

    def __init__(self, sim: Simulation, boundary: str) -> None:
        s = cast(SystemScheme, sim.scheme)
        g = sim.grid
        self.fields = sim.fields
        self.unsafe = sim.unsafe
        self.spacing = g.spacing
        n = g.shape[0] if g.dim == 1 else g.shape
        self.ref = SystemStepper(s, n, g.bounds[0] if g.dim == 1 else g.bounds, boundary)
        self.kernel: Any = None
        self.backend = "numpy"
        self.cfl: float | None = None  # set by setup_highres when the run chooses dt
        if sim.backend != "numpy":
            from mcgen.codegen.system_frontend import SystemKernel
            adaptive = sim.dt is None  # then each step takes the proved step of its own data
            self.kernel, self.backend = kernel_or_reference(
                sim, lambda backend: SystemKernel(s, backend, boundary=boundary,
                                                  adaptive=adaptive))

    def stack(self, state: dict[str, np.ndarray]) -> np.ndarray:
        return np.stack([state[f] for f in self.fields])

    def rate(self, state: dict[str, np.ndarray]) -> float:
        """sum_d S_d/dx_d of the data (the largest wave speeds at the interface states)."""
        return float(self.ref.rhs(self.stack(state))[1])

    def run(self, state: dict[str, np.ndarray], t: float, dt: float, k: int
            ) -> dict[str, np.ndarray]:
        U = self.stack(state)
        if self.cfl is not None:  # the proved step of the current data, every step
            if self.kernel is not None:
                U = self.kernel.run_adaptive(U, k * dt, self.cfl, self.spacing,
                                             unsafe=self.unsafe)
            else:
                U = self.ref.run(U, k * dt, cfl=self.cfl, unsafe=self.unsafe)
        elif self.kernel is not None:
            U = self.kernel.run(U, k, dt, self.spacing, unsafe=self.unsafe)
        else:
            U = self.ref.run(U, k * dt, dt=dt, unsafe=self.unsafe)
        return {f: np.ascontiguousarray(U[i]) for i, f in enumerate(self.fields)}


def _data_range(sim: Simulation) -> tuple[float, float]:
    """The scheme's declared range, else the given one, else the initial data's; the initial
    data must lie in it (the TVD bound and the flux splitting hold on that range only)."""
    u = sim.state[sim.fields[0]]
    lo, hi = float(u.min()), float(u.max())
    s = sim.scheme
    declared = getattr(s, "data_range", None)
    rng = declared if declared is not None else sim.data_range
    if rng is None:  # the initial data and the inflow values
        inflow = inflow_values(highres_boundary(sim.boundary, sim.grid.dim))
        lo_, hi_ = min([lo, *inflow]), max([hi, *inflow])
        rng = (lo_, hi_) if hi_ > lo_ else (lo_ - 1.0, hi_ + 1.0)
    m, M = (float(v) for v in rng)
    tol = 1e-12 * max(1.0, abs(m), abs(M))
    if lo < m - tol or hi > M + tol:
        raise ModelError(f"initial data span [{lo}, {hi}] leave the data range ({m}, {M}): "
                         "widen data_range (the proved bound holds on that range only)")
    return (m, M)


def setup_highres(sim: Simulation) -> None:
    """Fill in ``sim`` (condition, max_dt, dt, stepper) for a HighResScheme or SystemScheme;
    the condition and the largest dt are the safety policy's answers, as for every scheme."""
    s = sim.scheme = sim.model
    sim.law = s.law
    if sim.params:
        raise ModelError(f"{s.name} takes no params (the law's constants are part of the "
                         f"scheme): remove {sorted(sim.params)}")
    if sim.grid.dim != s.law.dim:
        raise ModelError(f"the grid is {sim.grid.dim}-D and {s.name} is {s.law.dim}-D")
    sim.boundary = normalize_boundary(sim.bc, sim.grid.dim)
    boundary = _boundary_name(sim)
    sim.fields = tuple(f.name for f in s.law.fields)
    sim.history, sim.notes = [], []
    sim.now = Instant({f: sim._initial_array(sim.initial, f) for f in sim.fields}, 0.0, 0)
    stepper: HighResSimStepper | HighResNDSimStepper | SystemSimStepper
    rate: float | None = None
    if isinstance(s, HighResNDScheme):
        if sim.data_range is not None:
            raise ModelError(f"{s.name}: declare data_range on each axis scheme (muscl(..., "
                             "data_range=...)), where its bound is proved; not on Simulation")
        stepper = HighResNDSimStepper(sim, boundary)
    elif isinstance(s, HighResScheme):
        sim.data_range = _data_range(sim)
        stepper = HighResSimStepper(sim, boundary, sim.data_range)
    else:
        stepper = SystemSimStepper(sim, boundary)
        stepper.ref._check_admissible(stepper.stack(sim.state), "initial data")
        rate = stepper.rate(sim.state)
    sim.policy = safety_policy(s)
    values = {k: h for k, h in zip(("dx", "dy", "dz"), sim.grid.spacing, strict=False)}
    if rate is not None:
        values["rate"] = rate
    try:
        sim.condition = sim.policy.condition(sim.data_range)
    except (StabilityError, AnalysisError) as err:
        if not sim.unsafe:
            if isinstance(err, StabilityError):
                raise
            raise StabilityError(f"{err}; or pass unsafe=True with an explicit dt") from None
        sim.notes.append(f"no proved condition ({err}): running unsafe")
        sim.condition = None
    sim.max_dt = math.inf if sim.condition is None else \
        sim.policy.max_dt(values, sim.data_range)
    if sim.dt is None:
        if not math.isfinite(sim.max_dt):
            raise ModelError(f"{s.name}: no proved bound on dt: give dt= (with unsafe=True)")
        sim.dt = sim.safety * sim.max_dt
        if isinstance(stepper, SystemSimStepper):
            # the wave speeds change: each step takes safety x the bound of its own data (and
            # restarts smaller when a later stage's speeds break it); dt is the initial step
            stepper.cfl = sim.safety * float(stepper.ref.bound or 0)
    elif sim.condition is not None and not sim.unsafe:
        sim.policy.check({**values, "dt": sim.dt}, sim.data_range)
    sim.stepper, sim.backend_used = stepper, stepper.backend
    sim.sampled_region = False
