"""Simulations: a law or scheme, a grid, initial data and boundary conditions tied to a stepper.

The condition, its data range and the time step come from the model's safety policy
(:class:`mcgen.analysis.safety_policy.SafetyPolicy`), as for ``compile`` and ``build``. The time
step is the largest the enforced stability condition allows, times a stated safety factor, unless
one is given; a given step that breaks the condition is refused (the message names the condition
and the largest allowed step) unless ``unsafe=True``. Runs watch for NaN/overflow and, for
conservative schemes, for data leaving the range the condition was proved on (reporting the first
bad step and cell), report mass drift for conservative schemes, show a progress bar
when they are long, and write/resume snapshots (``.npz`` or netCDF).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mcgen.analysis.highres_safety import HIGHRES_RUN_MODELS
from mcgen.analysis.safety_policy import safety_policy, warn_undecided
from mcgen.errors import AnalysisError, ModelError, StabilityError
from mcgen.model.expressions import check_evaluable
from mcgen.model.law import Law
from mcgen.model.scheme import Scheme
from mcgen.run.grid import Grid, as_grid
from mcgen.run.inputs import (
    STEPS_PER_CALL,
    check_data_range,
    check_dt,
    check_fits_in_memory,
    check_params,
    check_t_end,
    planned_steps,
)
from mcgen.run.numpy_stepper import NumpyStepper, normalize_boundary
from mcgen.run.pipeline import as_scheme
from mcgen.run.snapshots import Instant, numbered, snapshot_steps

OVERFLOW = 1e300  # |u| above this counts as overflow (the next products would be inf)
BACKENDS = ("auto", "numpy", "numba", "llvm", "c")


@dataclass
class RunRecord:
    """What one call of :meth:`Simulation.run` did."""

    t_start: float
    t_end: float
    steps: int
    dt: float
    seconds: float
    mass_start: float
    mass_end: float
    mass_scale: float = 0.0  # sum |u| dV at the start: the scale for data of zero mean

    @property
    def mass_drift(self) -> float:
        """Relative change of the total mass sum(u) dV over the run."""
        return (self.mass_end - self.mass_start) / max(abs(self.mass_start), self.mass_scale,
                                                       1e-300)


@dataclass
class Simulation:
    """Run a scheme (or a scalar conservation law, discretised conservatively) on a grid.

    Parameters
    ----------
    model : a :class:`~mcgen.model.scheme.Scheme`, or a scalar 1-D :class:`~mcgen.model.law.Law`
        (run with all its terms: Godunov flux, central diffusion, explicit source; the
        monotonicity condition of the whole update is enforced), or a high-resolution
        :class:`~mcgen.model.highres_scheme.HighResScheme` /
        :class:`~mcgen.model.system_scheme.SystemScheme` (the TVD / positivity-preserving
        condition is enforced; see :mod:`mcgen.run.highres_simulation`).
    grid : a :class:`~mcgen.run.grid.Grid` or ``(n, (a, b))``.
    initial : an array of the grid's shape, or a function of the cell-centre coordinates.
    bc : boundary condition(s): ``"periodic"``, ``"outflow"``, ``Dirichlet(1.0)``, ... one for
        every side, one per axis or ``(low, high)`` per axis.
    params : numbers for the physical parameters (``{"a": 1.0}``, ``{"D": 0.5}``).
    dt : the time step; None takes ``safety`` times the largest step the condition allows.
    safety : the fraction of the largest stable step taken when ``dt`` is None (0.9).
    unsafe : allow a ``dt`` that breaks the enforced condition (or a scheme without one).
    backend : ``"auto"`` (a compiled kernel when available, else NumPy), ``"numpy"``,
        ``"numba"``, ``"llvm"`` or ``"c"``.
    data_range : (min, max) of the data, for the monotonicity condition of conservative
        schemes: initial and boundary data outside it are refused before the run (default: the
        range of the initial data, of constant Dirichlet values and of the 0 of absorbing
        walls). The run stops, naming the step and cell, if the data leave it.
    allow_sampled : accept a stability region known only at sampled points; what is enforced
        is what is proved (the exact L2 region in dt at these values, else the positivity
        region), with a :class:`~mcgen.analysis.safety_policy.SampledRegionWarning` and
        ``sampled_region = True``.
    chunks, client : run on a chunked ``dask.array`` (one chunk shape, e.g. ``(64, 64)``) on
        ``client`` (a ``Client``, a scheduler address, or None: a local cluster of processes);
        ``field`` is then the dask array, ``u`` the gathered values
        (:mod:`mcgen.run.distributed`).

    Examples
    --------
    >>> from mcgen.model.catalogue.linear import upwind
    >>> sim = Simulation(upwind(), (100, (0.0, 1.0)), lambda x: np.sin(2 * np.pi * x),
    ...                  params={"a": 1.0})
    >>> round(sim.dt / (1.0 / 100), 6)   # 0.9 of the CFL limit nu <= 1
    0.9
    """

    model: Any
    grid: Any
    initial: Any
    bc: Any = "periodic"
    params: dict[str, float] = field(default_factory=dict)
    dt: float | None = None
    safety: float = 0.9
    unsafe: bool = False
    backend: str = "auto"
    data_range: tuple[float, float] | None = None
    progress: bool | None = None
    allow_sampled: bool = False
    chunks: Any = None  # a chunk shape: run on Dask (mcgen.run.distributed)
    client: Any = None  # with chunks: a Client, a scheduler address, or None (a local cluster)

    def __post_init__(self) -> None:
        self.grid = as_grid(self.grid)
        if not 0 < self.safety <= 1:
            raise ModelError(f"safety={self.safety}: choose a factor in (0, 1]")
        if self.backend not in BACKENDS:
            raise ModelError(f"backend={self.backend!r}: use one of {BACKENDS}")
        self.params, self.dt = check_params(self.params), check_dt(self.dt)
        self.data_range = check_data_range(self.data_range)
        self.law: Law | None = self.model if isinstance(self.model, Law) else None
        if isinstance(self.model, HIGHRES_RUN_MODELS):
            from mcgen.run.highres_simulation import setup_highres
            setup_highres(self)  # the TVD / positivity condition, kernels or NumPy steppers
            return
        if not isinstance(self.model, (Law, Scheme)):
            raise ModelError(f"Simulation needs a Scheme, a Law, a HighResScheme or a "
                             f"SystemScheme, not {type(self.model).__name__}"
                             "; for particle systems and walkers use mcgen.run.montecarlo")
        self.scheme: Scheme = as_scheme(self.model)
        check_evaluable(self.scheme.update)
        if self.law is None:
            self.law = self.scheme.law
        if self.grid.dim != self.scheme.dim:
            raise ModelError(f"the grid is {self.grid.dim}-D and {self.scheme.name or 'the scheme'}"
                             f" is {self.scheme.dim}-D: give a {self.scheme.dim}-D grid (one "
                             "cell count and one (a, b) per axis)")
        self.boundary = normalize_boundary(self.bc, self.grid.dim)
        self.fields = self.scheme.fields
        check_fits_in_memory(self.grid.shape, len(self.fields), max(self.scheme.radius, 1))
        self.now = Instant({f: self._initial_array(self.initial, f) for f in self.fields}, 0.0, 0)
        self.history: list[RunRecord] = []
        self.notes: list[str] = []
        self.policy = safety_policy(self.scheme, self.allow_sampled)
        given_range = self.data_range
        sides = [b for side in self.boundary for b in side]
        self.data_range, range_notes = self.policy.data_range(self.state.values(), sides,
                                                              given=given_range)
        self.notes += range_notes
        if self.data_range is not None and not self.data_range[0] < self.data_range[1] \
                and not self.unsafe:
            where = ("data_range" if given_range is not None else "the default data range "
                     "(taken from the initial data and boundary values)")
            raise ModelError(f"{where} is {self.data_range}: the monotonicity condition of a "
                             "conservative scheme is stated on a range min < max; give "
                             "data_range=(min, max) covering the values the run will see "
                             "(mcgen run: --data-range MIN MAX or data_range in the model file)")
        self.condition = self._enforced_condition()
        self._check_param_names()
        self.max_dt = self._max_dt()
        self.dt = self._choose_dt(self.dt)
        #: True when the model's region is sampled and its proved part is enforced
        self.sampled_region = self.policy.sampled and self.condition is not None
        if self.sampled_region:
            self.notes.append(f"the stability region is sampled: enforced is what is proved, "
                              f"{self.condition.describe()}")
        self.stepper, self.backend_used = self._make_stepper()
        self._dask: Any = None
        if self.chunks is not None:
            self.dask_grid()

    def dask_grid(self) -> Any:
        """The :class:`~mcgen.run.distributed.DaskGrid` of a run with ``chunks=``."""
        if self._dask is None:
            from mcgen.run.distributed import DaskGrid
            self._dask = DaskGrid(self, self.chunks, self.client)
        return self._dask

    # ------------------------------------------------------------------ set-up
    def _check_param_names(self) -> None:
        """Note the ``params`` names the model never uses (a shared dict may hold more), and
        keep the note for the error a missing value raises: a typo is then named there."""
        from mcgen.model.boundary import Dirichlet
        sc = self.scheme
        syms: set[Any] = set(sc.params) | set(sc.definitions)
        for e in (*sc.definitions.values(), *sc.update.values()):
            syms |= getattr(e, "free_symbols", set())
        syms |= set(getattr(self.law, "params", ()) or ())
        if self.condition is not None:
            syms |= self.condition.expr.free_symbols
        for b in (b for side in self.boundary for b in side if isinstance(b, Dirichlet)):
            syms |= getattr(b.value, "free_symbols", set())
        known = {getattr(s, "name", str(s)) for s in syms}
        known |= {"m", "M", "u_min", "u_max", "data_min", "data_max"}
        unknown = sorted(set(self.params) - known)
        self._unused_params = ""
        if unknown:
            import difflib
            takes = sorted({p.name for p in sc.params} - {d.name for d in sc.definitions} |
                           {s.name for e in sc.definitions.values() for s in e.free_symbols}
                           - {s.name for s in (sc.dt, *sc.spacing)})
            lower = {t.lower(): t for t in takes}  # 'A' for 'a' is a typo too
            close = [lower[m] for u in unknown
                     for m in difflib.get_close_matches(u.lower(), list(lower), n=1)]
            hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
            self._unused_params = (f"params {unknown} are not parameters of "
                                   f"{sc.name or 'the scheme'}{hint}: it takes {takes}")
            raise ModelError(f"{self._unused_params}: remove them from params=")

    def _initial_array(self, initial: Any, f: str) -> np.ndarray:
        if isinstance(initial, dict):
            if f not in initial:
                raise ModelError(f"initial data lack field {f!r}: give a dict keyed by the "
                                 f"scheme's fields {list(self.scheme.fields)}")
            initial = initial[f]
        what = "initial(x)" if callable(initial) else "the initial array"
        if callable(initial):
            import inspect
            mesh = self.grid.mesh()
            try:
                inspect.signature(initial).bind(*mesh)
            except TypeError:
                axes = ", ".join("xyz"[: self.grid.dim])
                raise ModelError(f"initial is called with the {self.grid.dim} cell-centre "
                                 f"coordinate array(s) ({axes}) of the {self.grid.dim}-D grid: "
                                 f"define it as a function of ({axes})") from None
            except ValueError:  # no signature (a builtin or ufunc): just call it
                pass
            raw = np.asarray(initial(*mesh))
        else:
            raw = np.asarray(initial)
        try:
            if raw.dtype.kind in "USVc":
                raise TypeError
            arr = np.asarray(raw, dtype=float)
        except (TypeError, ValueError):
            raise ModelError(f"{what} for field {f!r} has dtype {raw.dtype}: give real "
                             "numbers") from None
        try:
            arr = np.broadcast_to(arr, self.grid.shape).astype(float)
        except ValueError:
            several = ""
            if len(self.fields) > 1 and arr.shape[:1] == (len(self.fields),):
                several = (f"; the model has {len(self.fields)} fields {list(self.fields)}: give "
                           "one initial per field, a dict {" + ", ".join(
                               f"{g!r}: ..." for g in self.fields) + "}")
            raise ModelError(f"{what} for field {f!r} has shape {arr.shape}: give the grid's "
                             f"shape {self.grid.shape} (or a scalar){several}") from None
        if not np.all(np.isfinite(arr)):
            raise ModelError("initial data contain NaN or inf")
        return arr.copy()

    def _condition_values(self) -> dict[str, float]:
        vals = dict(self.params)
        for sym, h in zip(self.scheme.spacing, self.grid.spacing, strict=False):
            vals[sym.name] = h
        return vals

    def _enforced_condition(self) -> Any:
        try:
            return self.policy.condition(self.data_range, self._condition_values())
        except Exception as err:  # noqa: BLE001 - unsafe: an analysis failure never stops a run
            if self.unsafe:
                self.notes.append(warn_undecided(self.scheme.name, err, stacklevel=5))
                return None
            if isinstance(err, StabilityError) or not isinstance(err, AnalysisError):
                raise
            raise StabilityError(f"no stability condition for {self.scheme.name!r}: {err}; "
                                 "pass unsafe=True with an explicit dt to run anyway") from None

    def _max_dt(self) -> float:
        if self.condition is None:
            return math.inf
        try:
            return self.policy.max_dt(self._condition_values(), self.data_range)
        except StabilityError as err:
            if self.unsafe:
                self.notes.append(f"no stable time step: {err}")
                return math.inf
            raise
        except ModelError as err:
            typo = f" ({self._unused_params})" if self._unused_params else ""
            raise ModelError(f"{err}{typo}") from None  # the policy's words, and the typo

    def _choose_dt(self, dt: float | None) -> float:
        if dt is None:
            if not math.isfinite(self.max_dt):
                raise ModelError("the enforced condition does not bound the time step (or none "
                                 "applies): give dt= explicitly")
            return self.safety * self.max_dt
        dt = float(dt)
        if dt <= 0:
            raise ModelError(f"dt={dt}: the time step must be positive")
        if self.condition is not None and math.isfinite(self.max_dt) and not self.unsafe:
            try:
                self.policy.check({**self._condition_values(), self.scheme.dt.name: dt},
                                  self.data_range)
            except StabilityError:
                raise StabilityError(
                    f"dt={dt:.6g} breaks the enforced {self.condition.kind} condition "
                    f"{self.condition.describe()}; the largest allowed step is "
                    f"{self.max_dt:.6g}. Pass unsafe=True to run anyway.") from None
        return dt

    def _make_stepper(self) -> tuple[Any, str]:
        if self.backend in ("auto", "numba", "llvm", "c"):
            kernel_stepper = _compiled_stepper(self)
            if kernel_stepper is not None:
                return kernel_stepper
        values = {k: v for k, v in self.params.items()}
        return NumpyStepper(self.scheme, self.grid, self.boundary, values), "numpy"

    # ------------------------------------------------------------------ state
    # state, t and step_count live in one Instant, replaced in one assignment (see snapshots)
    @property
    def state(self) -> dict[str, np.ndarray]:
        return self.now.state

    @state.setter
    def state(self, value: dict[str, np.ndarray]) -> None:
        self.now = self.now._replace(state=value)

    @property
    def t(self) -> float:
        return self.now.t

    @t.setter
    def t(self, value: float) -> None:
        self.now = self.now._replace(t=value)

    @property
    def step_count(self) -> int:
        return self.now.step

    @step_count.setter
    def step_count(self, value: int) -> None:
        self.now = self.now._replace(step=value)

    @property
    def u(self) -> np.ndarray:
        """The (first) field."""
        return self.state[self.fields[0]]

    @property
    def field(self) -> Any:
        """The (first) field as a dask array (runs with ``chunks=``), else as ``u``."""
        return self.u if self.chunks is None else self.dask_grid().field()

    def mass(self) -> float:
        return float(sum(np.sum(a) for a in self.state.values()) * self.grid.cell_volume)

    @property
    def is_conservative(self) -> bool:
        """True when the run conserves mass: a periodic grid and a flux-difference update or
        weights that sum to one (other boundaries let mass in or out)."""
        from mcgen.model.boundary import Periodic
        if not all(isinstance(b, Periodic) for side in self.boundary for b in side):
            return False
        if isinstance(self.scheme, HIGHRES_RUN_MODELS):
            return True  # flux-difference form
        if self.scheme.numerical_flux is not None:
            return True
        w = self.scheme.linear_weights()
        if w is None:
            return False
        import sympy as sp
        return sp.simplify(sum(w.values()) - 1) == 0

    # ------------------------------------------------------------------ running
    def run(self, t_end: float, snapshot_every: float | None = None,
            snapshot_path: str | Path | None = None,
            callback: Callable[[Simulation], None] | None = None,
            max_steps: int | None = None) -> RunRecord:
        """Advance to ``t_end`` with steps no larger than ``dt`` (the last ones shortened so
        that ``t_end`` is hit exactly). Returns a :class:`RunRecord`. A run of more than
        ``max_steps`` steps (default ``mcgen.run.inputs.MAX_STEPS``) is refused before it
        starts."""
        t_end = check_t_end(t_end, self.t)
        if self.chunks is not None:
            if snapshot_every is not None or callback is not None:
                raise ModelError("runs with chunks= take no snapshot_every or callback: run "
                                 "to each time you want and call save()")
            from mcgen.run.distributed import run_distributed
            return run_distributed(self, t_end, max_steps)  # type: ignore[no-any-return]
        assert self.dt is not None  # __post_init__ chose it
        total = t_end - self.t
        nsteps = planned_steps(total, self.dt, max_steps)
        dt = total / nsteps if nsteps else self.dt
        m0, t0, wall0 = self.mass(), self.t, time.perf_counter()
        scale0 = float(sum(np.sum(np.abs(a)) for a in self.state.values()) * self.grid.cell_volume)
        every = nsteps if snapshot_every is None else \
            snapshot_steps(snapshot_every, dt, nsteps, snapshot_path)
        chunk = max(1, min(every, STEPS_PER_CALL))
        bar = None
        done = 0
        snap_no = 0
        while done < nsteps:
            k = min(chunk, nsteps - done)
            saved = {f: a.copy() for f, a in self.state.items()}
            new = self.stepper.run(self.state, self.t, dt, k)
            if not self._finite(new) or self._out_of_range(new):
                self._locate_blow_up(saved, dt, k)
            done += k
            self.now = Instant(new, t0 + done * dt, self.now.step + k)  # all three at once
            if callback is not None:
                callback(self)
            if snapshot_path is not None and snapshot_every is not None and done % every == 0:
                snap_no += 1
                self.save(numbered(snapshot_path, snap_no))
            bar = self._progress(bar, done, nsteps, wall0)
        if bar is not None:
            bar.close()
        self.t = t_end if nsteps else self.t
        rec = RunRecord(t0, self.t, nsteps, dt, time.perf_counter() - wall0, m0, self.mass(),
                        scale0)
        self.history.append(rec)
        return rec

    def _progress(self, bar: Any, done: int, nsteps: int, wall0: float) -> Any:
        elapsed = time.perf_counter() - wall0
        want = self.progress if self.progress is not None else \
            (done < nsteps and elapsed * nsteps / max(done, 1) > 2.0)
        if bar is None and want:
            from tqdm import tqdm
            bar = tqdm(total=nsteps, initial=done, unit="step", desc=self.scheme.name or "run",
                       leave=False)
        elif bar is not None:
            bar.update(done - bar.n)
        return bar

    @staticmethod
    def _finite(state: dict[str, np.ndarray]) -> bool:
        return all(np.all(np.isfinite(a)) and np.max(np.abs(a)) < OVERFLOW
                   for a in state.values())

    def _out_of_range(self, state: dict[str, np.ndarray]) -> tuple[str, tuple[int, ...]] | None:
        """(field, cell) of the first value outside the data range the condition was proved
        on (conservative schemes; a monotone scheme stays inside it), else None."""
        if self.unsafe or self.condition is None or isinstance(self.scheme, HIGHRES_RUN_MODELS) or \
                not self.policy.range_matters or self.data_range is None:
            return None
        for f, a in state.items():
            cell = self.policy.range_violation(a, self.data_range)
            if cell is not None:
                return f, cell
        return None

    def _locate_blow_up(self, saved: dict[str, np.ndarray], dt: float, k: int) -> None:
        """Re-run the chunk step by step to name the first step that went bad (NaN/overflow,
        or data leaving the range the condition was proved on)."""
        state, t = saved, self.t
        for i in range(k):
            state = self.stepper.run(state, t, dt, 1)
            t += dt
            out = self._out_of_range(state) if all(
                np.all(np.isfinite(a)) for a in state.values()) else None
            if out is not None:
                f, cell = out
                lo, hi = self.data_range  # type: ignore[misc]
                raise StabilityError(
                    f"field {f!r} left the data range [{lo:g}, {hi:g}] the condition was proved "
                    f"on at step {self.step_count + i + 1} (t = {t:.6g}, cell {cell}, value "
                    f"{float(state[f][cell]):.6g}) with dt = {dt:.6g}: the range does not hold "
                    "the data of this run (a source that grows them, or a time-dependent "
                    "boundary value); give data_range= covering the values the run reaches")
            bad = [f for f, a in state.items()
                   if not (np.all(np.isfinite(a)) and np.max(np.abs(a)) < OVERFLOW)]
            if bad:
                a = state[bad[0]]
                idx = np.unravel_index(int(np.argmax(~np.isfinite(a) | (np.abs(a) >= OVERFLOW))),
                                       a.shape)
                cond = f" under {self.condition.describe()}" if self.condition else ""
                raise StabilityError(
                    f"field {bad[0]!r} became NaN/overflow at step {self.step_count + i + 1} "
                    f"(t = {t:.6g}, cell {tuple(int(j) for j in idx)}) with dt = {dt:.6g}"
                    f"{cond}; max allowed dt = {self.max_dt:.6g}")
        raise StabilityError(f"non-finite values appeared after step {self.step_count + k}")

    # ------------------------------------------------------------------ snapshots
    def save(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write the state to ``.npz``, ``.nc`` (netCDF through xarray) or ``.zarr`` (for runs
        with ``chunks=``: the workers write their chunks in parallel); an existing file is
        replaced only with ``overwrite=True``."""
        if str(path).endswith(".zarr"):
            from mcgen.run.zarr_io import save_zarr
            grid = self.dask_grid() if self.chunks is not None else None
            data = {f: grid.field(f) for f in self.fields} if grid else dict(self.state)
            return save_zarr(path, data, self.grid, self.t, self.step_count,
                             attrs=self.metadata(), client=grid.client if grid else None,
                             overwrite=overwrite)
        from mcgen.run.snapshots import save_snapshot
        now = self.now  # one read: the state, its time and its step count belong together
        return save_snapshot(path, now.state, self.grid, now.t, now.step,
                             attrs=self.metadata(), overwrite=overwrite)

    def metadata(self) -> dict[str, Any]:
        meta = {"model": self.scheme.name or "scheme", "model_hash": self.scheme.hash,
                "dt": self.dt, "backend": self.backend_used,
                "boundary": repr(self.boundary), "params": repr(self.params)}
        if self.condition is not None:
            meta["condition"] = self.condition.describe()
            from mcgen.proof import stable_hash
            meta["condition_hash"] = stable_hash(self.condition.to_data())
        if self.law is not None:
            meta["law_hash"] = self.law.hash
        if self.data_range is not None:  # the range the condition was proved on
            meta["data_range"] = repr(tuple(float(v) for v in self.data_range))
        cfl = getattr(self.stepper, "cfl", None)
        if cfl is not None:  # a system stepper that takes the proved step of its data
            meta["adaptive_cfl"] = float(cfl)
            meta["safety"] = float(self.safety)
        return meta

    @classmethod
    def resume(cls, path: str | Path, model: Any, bc: Any = "periodic",
               params: dict[str, float] | None = None, **kw: Any) -> Simulation:
        """Continue from a snapshot written by :meth:`save` (the model must be the same one).

        ``params`` default to the ones the snapshot records; ``bc`` must be the boundary
        conditions of the run that wrote it (a different one is refused, not silently used)."""
        import ast

        from mcgen.run.snapshots import SnapshotError, load_snapshot
        snap = load_snapshot(path)
        written_by, scheme = snap.attrs.get("model_hash"), _identity(model)
        if written_by is None:
            raise SnapshotError(f"snapshot {path} records no model hash, so nothing shows which "
                                "model wrote it: resume only snapshots written by "
                                "Simulation.save (or start a new Simulation from its fields)")
        if written_by != scheme.hash:
            raise SnapshotError(f"snapshot {path} was written by model "
                                f"{snap.attrs.get('model')!r} (hash {str(written_by)[:12]}) but "
                                f"resume got {scheme.name!r} (hash {scheme.hash[:12]}): pass "
                                "the same model")
        if set(snap.fields) != set(scheme.fields):
            raise SnapshotError(f"snapshot {path} holds the fields {sorted(snap.fields)} and the "
                                f"model has {sorted(scheme.fields)}: the file was edited")
        if params is None and snap.attrs.get("params"):
            try:
                params = ast.literal_eval(str(snap.attrs["params"]))
            except (ValueError, SyntaxError):
                params = None
        # the condition is the one the writing run enforced: on its data range (not the
        # range of the snapshot's data), and a system run that took the proved step of its
        # data on every step goes on doing so, planning its chunks with the same dt
        if kw.get("data_range") is None and snap.attrs.get("data_range"):
            kw["data_range"] = _literal(snap.attrs["data_range"])
        adaptive = snap.attrs.get("adaptive_cfl") is not None and "dt" not in kw
        if adaptive:
            kw.setdefault("safety", float(snap.attrs.get("safety", 0.9)))
        sim = cls(model, snap.grid, snap.fields, bc=bc, params=params or {},
                  dt=None if adaptive else kw.pop("dt", snap.attrs.get("dt")), **kw)
        if adaptive and snap.attrs.get("dt") is not None:
            sim.dt = float(snap.attrs["dt"])
        written = snap.attrs.get("boundary")
        if written is not None and str(written) != repr(sim.boundary):
            raise ModelError(f"snapshot {path} was written with boundary conditions {written} "
                             f"but resume got {sim.boundary!r}: pass bc= the same conditions")
        enforced = sim.metadata().get("condition_hash")
        if snap.attrs.get("condition_hash") not in (None, enforced):
            now = sim.condition.describe() if sim.condition is not None else "none"
            raise SnapshotError(f"snapshot {path} was written by a run that enforced "
                                f"{snap.attrs.get('condition')!r}, and the resumed run would "
                                f"enforce {now!r}: pass the same params, data_range and unsafe "
                                "as the run that wrote it")
        sim.now = Instant(sim.state, snap.t, snap.step)
        return sim


def _identity(model: Any) -> Any:
    """What a snapshot's model hash and fields are compared with: a high-resolution scheme
    itself (fields: its law's), else the scheme the model runs with."""
    if isinstance(model, HIGHRES_RUN_MODELS):
        from types import SimpleNamespace
        return SimpleNamespace(name=model.name, hash=model.hash,
                               fields=tuple(f.name for f in model.law.fields))
    return as_scheme(model)


def _literal(text: Any) -> Any:
    import ast
    try:
        return ast.literal_eval(str(text))
    except (ValueError, SyntaxError):
        return None


def _compiled_stepper(sim: Simulation) -> tuple[Any, str] | None:
    """A stepper around ``mcgen.codegen.compile``; with ``backend="auto"`` a scheme the code
    generator refuses (an implicit update, say) runs on the NumPy stepper, with a note."""
    from mcgen.codegen import compile as compile_kernel
    from mcgen.run.kernel_stepper import KernelStepper
    backend = "numba" if sim.backend == "auto" else sim.backend
    try:
        return KernelStepper(compile_kernel, sim, backend), backend
    except Exception as err:  # noqa: BLE001 - any failure falls back, and is recorded
        if sim.backend != "auto":
            raise
        sim.notes.append(f"compiled {backend} kernel unavailable ({type(err).__name__}: {err}); "
                         "NumPy reference stepper used")
        return None


def run_to(model: Any, grid: Grid | tuple, initial: Any, t_end: float, **kw: Any) -> Simulation:
    """Make a :class:`Simulation`, run it to ``t_end`` and return it."""
    sim = Simulation(model, grid, initial, **kw)
    sim.run(t_end)
    return sim
