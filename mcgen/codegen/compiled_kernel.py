"""The object users hold: a compiled stencil kernel with its IR, sources, timings and guards.

>>> import sympy as sp, numpy as np
>>> from mcgen.model import Field, Scheme
>>> from mcgen.codegen import compile
>>> u, nu = Field("u"), sp.Symbol("nu")
>>> k = compile(Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, name="upwind"),
...             backend="c", unsafe=True)
>>> k.run(np.eye(1, 8)[0], 1, nu=0.25)[:3]
array([0.75, 0.25, 0.  ])
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mcgen.codegen import ir
from mcgen.codegen.call_checks import check_buffers
from mcgen.codegen.config import DEFAULT_PARALLEL_THRESHOLD, KernelConfig, check_threads
from mcgen.codegen.ir import Module as IRModule  # the class has an `ir` attribute
from mcgen.codegen.stencil_frontend import StencilProgram
from mcgen.codegen.stencil_layout import BlockPosition, StencilLayout
from mcgen.codegen.thread_team import run_team, team_kernel_name
from mcgen.errors import CodegenError, StabilityError
from mcgen.model.boundary import Periodic, Reflecting
from mcgen.model.scheme import Scheme

_NP = {"f64": np.float64, "f32": np.float32}


def itemsize_of(dtype: str) -> int:
    """Bytes per value of a kernel dtype (``"f64"``, ``"f32"``)."""
    return np.dtype(_NP[dtype]).itemsize


#: interiors start on a cache-line (and AVX-512 vector) boundary
ALIGN_BYTES = 64


def aligned_zeros(size: int, dtype: Any, lead: int = 0) -> np.ndarray:
    """A flat zero array of ``size`` values whose element ``lead`` (the first interior cell,
    after the ghost cells) lies on an :data:`ALIGN_BYTES` boundary.

    numpy aligns only to 16 bytes, so the interior of a padded buffer started ``ghost`` values
    past wherever the allocation fell and in-cache timings moved 5-15 % with that luck. The
    result is a view of exactly ``size`` values into a slightly larger allocation, so the
    kernels' argument length checks see the same lengths as before.
    """
    dt = np.dtype(dtype)
    slack = ALIGN_BYTES // dt.itemsize
    raw = np.zeros(size + slack, dtype=dt)
    miss = (raw.ctypes.data + lead * dt.itemsize) % ALIGN_BYTES
    if miss % dt.itemsize:
        raise CodegenError(f"cannot align {dt} values to {ALIGN_BYTES} bytes")
    start = ((ALIGN_BYTES - miss) % ALIGN_BYTES) // dt.itemsize
    return raw[start:start + size]


@dataclass
class Buffers:
    """Padded work arrays of one grid: two buffers that are swapped every step, and scratch."""

    a: np.ndarray
    b: np.ndarray
    scratch: tuple[np.ndarray, ...]
    shape: tuple[int, ...]
    parity: int = 0  # 0: newest values in ``a``, 1: in ``b``
    #: tile buffers of the temporally blocked kernel, by (k, B, nchunk) (made on first use)
    tiles: dict = field(default_factory=dict)
    #: the layout of the kernel that prepared them (``advance`` refuses another kernel's)
    layout: Any = None

    @property
    def current(self) -> np.ndarray:
        return self.a if self.parity == 0 else self.b


class CompiledKernel:
    """A stencil kernel for one scheme, one backend and one set of boundary conditions.

    Attributes
    ----------
    scheme, config : what it was generated from (``config.bc`` is normalised).
    ir : the IR module every backend printed.
    condition : the enforced Condition, or None (for a conservative scheme without a given
        data range: stated on symbolic bounds m, M; each call checks the condition on the range
        of its data, asked from ``policy``).
    policy : the model's :class:`~mcgen.analysis.safety_policy.SafetyPolicy`, or None.
    sampled_region : True when the model's region is sampled and what is enforced is its proved
        part at the call's values (``allow_sampled=True``).
    timings : seconds per generation stage (``frontend`` and its sub-stages, ``render``,
        ``build``, ``jit``).

    Notes
    -----
    ``Reflecting()`` follows the scheme's reading. For a density (``reading="forward"``) or a
    conservative scheme (one with ``numerical_flux``) it is zero flux through the wall: the
    update runs as u_j + G(j) - G(j + e_d) and the wall's interface flux G is set to exactly 0
    every step, so the total mass is conserved to rounding with drift present
    (``program.sweeps.wall_zeros`` lists them; such kernels run without temporal
    blocking). For expectations (backward reading) it is the even mirror of the ghost cells,
    v_x = 0; a forward-reading update in which nothing telescopes into flux differences keeps
    the mirror alone.
    """

    def __init__(self, scheme: Scheme, config: KernelConfig, program: StencilProgram,
                 functions: dict[str, Any], artifact: Any, condition: Any, unsafe: bool,
                 timings: dict[str, float], policy: Any = None,
                 data_range: tuple[float, float] | None = None) -> None:
        self.scheme, self.config, self.program = scheme, config, program
        self.functions, self.artifact = functions, artifact
        self.condition, self.unsafe, self.timings = condition, unsafe, timings
        #: the model's SafetyPolicy (None when a condition was given or the kernel is unsafe):
        #: every check asks it, with the data range of the data being run
        self.policy = policy
        #: the data range given at compile time (None: taken from the data of each call)
        self.data_range = data_range
        self._blocked: dict[str, Any] | None = None
        #: what the last ``advance`` ran: kernel name, steps fused per sweep, tile, chunks
        self.last_call: dict[str, Any] = {}

    # ------------------------------------------------------------------ inspection
    @property
    def ir(self) -> ir.Module:
        return self.program.module

    @property
    def layout(self) -> StencilLayout:
        return self.program.layout

    @property
    def backend(self) -> str:
        return self.config.backend

    @property
    def parallel_threshold(self) -> int:
        """Cells from which ``threads > 1`` runs the threaded kernel (the configured value, or
        the backend's measured default)."""
        value = self.config.parallel_threshold
        return DEFAULT_PARALLEL_THRESHOLD[self.backend] if value is None else value

    def source(self, backend: str | None = None) -> str:
        """Generated source text for ``backend`` (default: the one this kernel runs on):
        the numba module, the C source, or the LLVM IR text."""
        backend = backend or self.backend
        if backend == "numba":
            from mcgen.codegen.backends.numba_backend import render_numba
            return render_numba(self.ir)
        if backend == "c":
            from mcgen.codegen.backends.c_backend import render_c
            return render_c(self.ir).source
        if backend in ("c_header", "h"):
            from mcgen.codegen.backends.c_backend import render_c
            return render_c(self.ir).header
        if backend == "llvm":
            from mcgen.codegen.backends import llvm_backend  # written alongside, optional
            for name in ("render_llvm", "llvm_ir_text", "module_text"):
                fn = getattr(llvm_backend, name, None)
                if fn is not None:
                    return str(fn(self.ir))
            raise CodegenError("the LLVM backend offers no source text")
        raise CodegenError(f"no source for backend {backend!r}: use 'numba', 'c', 'h' or "
                           "'llvm'")

    def argument_meanings(self) -> dict[str, str]:
        """What each argument of the serial kernel means (``nu = a*dt/dx``, ...)."""
        from mcgen.codegen.kernel_arguments import argument_meanings

        return argument_meanings(self.scheme, self.layout)

    @property
    def boundary_text(self) -> str:
        """The boundary conditions in words, with the meaning of the scheme's reading."""
        from mcgen.codegen.kernel_arguments import boundary_text

        return boundary_text(self.config.bc, self.scheme.reading)

    def export(self, directory: Any, **options: Any) -> Any:
        """Write a standalone folder (numba module, C source and header, LLVM ``.ll``/``.o``,
        README, manifest) with :func:`mcgen.codegen.export.export_kernel`; returns its path."""
        from mcgen.codegen.export import export_kernel

        return export_kernel(self, directory, **options)

    def __repr__(self) -> str:
        return (f"<CompiledKernel {self.ir.name} backend={self.backend} "
                f"fields={self.layout.fields} dim={self.layout.dim} dtype={self.layout.dtype}>")

    # ------------------------------------------------------------------ guards
    @property
    def sampled_region(self) -> bool:
        return self.policy is not None and self.policy.sampled

    def _given_range(self, values: dict[str, Any]) -> tuple[float, float] | None:
        """The compile-time data range, else ``m=``, ``M=`` passed by the caller."""
        if self.data_range is not None:
            return self.data_range
        if "m" in values and "M" in values:
            return (float(values["m"]), float(values["M"]))
        return None

    def check(self, dt: float | None = None, data_range: tuple[float, float] | None = None,
              **values: Any) -> None:
        """Raise StabilityError when the enforced condition fails for these values (and, for a
        conservative scheme, on ``data_range``)."""
        if self.unsafe or (self.condition is None and self.policy is None):
            return
        vals = {k: float(v) for k, v in values.items() if np.ndim(v) == 0}
        if dt is not None:
            vals[self.scheme.dt.name] = float(dt)
        if self.policy is not None:
            rng = data_range if data_range is not None else self._given_range(vals)
            if rng is not None:
                vals = {k: v for k, v in vals.items() if k not in ("m", "M")}
            self.policy.check(vals, rng)
            return
        try:
            ok = self.condition.holds(**vals)
        except ValueError as exc:
            raise StabilityError(f"the enforced condition {self.condition.describe()} needs "
                                 f"more values to be checked ({exc}): pass them to run() as "
                                 "keywords, or compile with unsafe=True") from None
        if not ok:
            shown = ", ".join(f"{k}={v:g}" for k, v in sorted(vals.items()))
            raise StabilityError(f"{shown} violates the enforced condition "
                                 f"{self.condition.describe()}: reduce the time step (see "
                                 "max_stable_dt) or pass unsafe=True to run anyway")

    def _data_range(self, bufs: Buffers, params: dict[str, Any], series: list[np.ndarray],
                    nsteps: int) -> tuple[float, float] | None:
        """The data range this call's condition is checked on (conservative schemes): the
        policy's rule, over the current data, the boundary values and the per-step boundary
        series; a range given at compile time (or as m=, M=) must contain them."""
        if self.unsafe or self.policy is None or not self.policy.needs_data_range:
            return None
        sides = [b for pair in self.config.bc for b in pair]
        extra = [v for arr in series if nsteps for v in (arr[:nsteps].min(), arr[:nsteps].max())]
        rng, _ = self.policy.data_range([self.interior(bufs)], sides,
                                        given=self._given_range(params), extra=extra)
        return rng

    def max_stable_dt(self, data_range: tuple[float, float] | None = None,
                      **values: float) -> float:
        """The largest time step the enforced condition allows (``values``: the other
        physical parameters; ``data_range`` for a conservative scheme, default the one given
        at compile time)."""
        if self.policy is not None:
            rng = data_range or self._given_range(values)
            vals = {k: v for k, v in values.items() if rng is None or k not in ("m", "M")}
            return self.policy.max_dt(vals, rng)
        if self.condition is None:
            raise StabilityError("this kernel enforces no condition: no stable dt is known")
        return float(self.condition.max_stable_dt(dt=self.scheme.dt.name, **values))

    # ------------------------------------------------------------------ running
    def prepare(self, u: np.ndarray | dict[str, np.ndarray]) -> Buffers:
        """Copy ``u`` (one field: an array of the grid's shape; several: a dict by field name
        or an array of shape (fields, *grid)) into padded work buffers."""
        lay = self.layout
        dtype = _NP[lay.dtype]
        if isinstance(u, dict):
            missing, extra = set(lay.fields) - set(u), set(u) - set(lay.fields)
            if missing or extra:
                raise CodegenError(f"u has keys {sorted(map(str, u))}: give one array per field "
                                   f"of the scheme, keyed {list(lay.fields)}")
            arrs = [np.asarray(u[f]) for f in lay.fields]
        elif len(lay.fields) == 1:
            arrs = [np.asarray(u)]
        else:
            arr = np.asarray(u)
            if arr.shape[0] != len(lay.fields):
                raise CodegenError(f"u has shape {arr.shape}: a system of {len(lay.fields)} "
                                   "fields needs shape (fields, *grid) or a dict")
            arrs = list(arr)
        for f, arr in zip(lay.fields, arrs, strict=True):
            if arr.dtype.kind not in "biuf":
                raise CodegenError(f"u[{f!r}] has dtype {arr.dtype}: give real numbers (the "
                                   f"kernel computes in {lay.dtype}; complex data: run the real "
                                   "and imaginary parts separately)")
        shape = arrs[0].shape
        if len(shape) != lay.dim or any(a.shape != shape for a in arrs):
            raise CodegenError(f"u has shape {shape} (per field): the scheme is {lay.dim}-D, "
                               "give every field an array of the same grid shape")
        g = lay.ghost
        for d, n in enumerate(shape):
            lo, hi = self.config.bc[d]
            if n < 1:
                raise CodegenError(f"u has {n} cells on axis {d}: give at least one cell")
            if (n < g and isinstance(lo, (Periodic, Reflecting))) or \
                    (n < g and isinstance(hi, (Periodic, Reflecting))):
                raise CodegenError(f"axis {d} has {n} cells: periodic and reflecting "
                                   f"boundaries need at least {g} (the stencil radius)")
        padded = tuple(n + 2 * g for n in shape)
        size = int(np.prod(padded))
        # the first interior cell: g along every axis of field 0
        lead = sum(g * int(np.prod(padded[d + 1:])) for d in range(len(padded)))
        flat_a, flat_b = (aligned_zeros(len(arrs) * size, dtype, lead) for _ in range(2))
        inner = (slice(None),) + tuple(slice(g, g + n) for n in shape)
        a = flat_a.reshape((len(arrs),) + padded)
        a[inner] = np.stack(arrs)
        flat_b[:] = flat_a
        scratch = tuple(aligned_zeros(size, dtype, lead) for _ in lay.scratch)
        return Buffers(flat_a, flat_b, scratch, tuple(shape), layout=lay)

    def interior(self, bufs: Buffers) -> np.ndarray:
        """The newest values, shaped like the ``u`` given to :meth:`prepare` (a copy)."""
        lay, g = self.layout, self.layout.ghost
        padded = (len(lay.fields),) + tuple(n + 2 * g for n in bufs.shape)
        cur = bufs.current.reshape(padded)
        inner = (slice(None),) + tuple(slice(g, g + n) for n in bufs.shape)
        out = cur[inner].copy()
        return out[0] if len(lay.fields) == 1 else out

    def advance(self, bufs: Buffers, nsteps: int, /, t0: float = 0.0, dt: float | None = None,
                threads: int | None = None, block: BlockPosition | None = None,
                **params: Any) -> Buffers:
        """Advance prepared buffers ``nsteps`` steps in place (no copies of the grid).

        ``block``: where these buffers lie in a larger grid's run, for a kernel generated with
        ``KernelConfig(grid_block=True)`` (default: they are the whole grid, from step 0)."""
        lay = self.layout
        check_buffers(lay, bufs)  # this kernel's buffers, of the sizes their grid needs
        if isinstance(nsteps, bool) or not isinstance(nsteps, (int, np.integer)):
            raise CodegenError(f"nsteps={nsteps!r} must be a whole number of steps (an int)")
        if nsteps < 0:
            raise CodegenError(f"nsteps={nsteps} must be >= 0")
        if lay.needs_dt and dt is None:
            raise CodegenError("this scheme (or a boundary value) uses dt: pass dt=...")
        dtype = _NP[lay.dtype]
        scalars: list[Any] = []
        by_name = dict(params)
        known = {arg for _, arg in lay.params + lay.spacings + lay.origins} | \
            {n for n, _ in lay.params + lay.spacings + lay.origins} | set(lay.series)
        cond_vars = {s.name for s in self.condition.expr.free_symbols} if self.condition \
            is not None else set()
        cond_vars |= {"m", "M"} if self.policy is not None and self.policy.needs_data_range \
            else set()
        extra = set(by_name) - known - cond_vars
        if extra:
            raise CodegenError(f"unknown keyword(s) {sorted(extra)}: the kernel takes "
                               f"{[n for n, _ in lay.params + lay.spacings + lay.origins]}")
        for name, arg in lay.params + lay.spacings + lay.origins:
            given = name if name in by_name else arg if arg in by_name else None
            if given is None:
                also = f" or {arg}=" if arg != name else ""
                raise CodegenError(f"run() needs a value for {name!r}: pass {name}=...{also}")
            value = by_name[given]
            try:
                if np.ndim(value) != 0 or np.iscomplexobj(value):
                    raise TypeError
                scalars.append(dtype(float(value)))
            except (TypeError, ValueError):
                raise CodegenError(f"{given}={value!r}: give a real number (one value for the "
                                   "whole grid)") from None
        if lay.block is not None:
            where = block or BlockPosition(0, (0,) * lay.dim, tuple(bufs.shape))
            scalars += [np.int64(v) for v in where.arguments(lay.block)]
        elif block is not None:
            raise CodegenError("block= is for kernels generated with "
                               "KernelConfig(grid_block=True)")
        series = []
        for s in lay.series:
            if s not in by_name:
                raise CodegenError(f"run() needs the per-step boundary values {s}=array")
            arr = np.ascontiguousarray(by_name[s], dtype=dtype)
            if arr.ndim != 1 or arr.shape[0] < nsteps:
                raise CodegenError(f"{s} must be a 1-D array of at least nsteps={nsteps} "
                                   "values")
            series.append(arr)
        if not self.unsafe:
            self.check(dt=dt, data_range=self._data_range(bufs, params, series, nsteps),
                       **params)
        threads = self.config.threads if threads is None else check_threads(threads)
        cells = int(np.prod(bufs.shape))
        k, tile = self.blocking_for(bufs.shape, nsteps, threads)
        if k > 1:
            self._advance_blocked(bufs, nsteps, t0, dt, threads, scalars, k, tile)
            return bufs
        name = self.ir.kernels[0].name
        fn = self.functions[name]
        self.last_call = {"kernel": name, "time_block": 1, "tile": 0, "nchunk": 1}
        first, second = (bufs.a, bufs.b) if bufs.parity == 0 else (bufs.b, bufs.a)
        sizes = [np.int64(n) for n in bufs.shape]
        tail = [dtype(t0), dtype(dt if dt is not None else 0.0), *scalars]
        args = [first, second, *bufs.scratch, *series, *sizes, np.int64(nsteps), *tail]
        team = team_kernel_name(name)
        threaded = threads > 1 and cells >= self.parallel_threshold
        if threaded and self.backend != "c" and team in self.functions:
            # numba/LLVM: a team of threads runs all steps in one region (see thread_team)
            warm = [first, second, *bufs.scratch, *series, *sizes, np.int64(0), *tail]
            run_team(self.functions[team], args, threads, warm)
            self.last_call.update(kernel=team, nchunk=threads)
        else:
            if threaded and f"{name}_par" in self.functions:
                fn = self.functions[f"{name}_par"]
                self.last_call.update(kernel=f"{name}_par", nchunk=threads)
                setter = self.functions.get("__set_threads__")
                if setter is not None:
                    setter(threads)
            fn(*args)
        bufs.parity ^= nsteps & 1
        return bufs

    # ------------------------------------------------------------------ temporal blocking
    @property
    def blocking_unsupported(self) -> str | None:
        """Why this kernel never runs temporally blocked (None when it can)."""
        from mcgen.codegen.temporal_blocking import blocking_unsupported

        return blocking_unsupported(self.program, self.config)

    def blocking_for(self, shape: tuple[int, ...], nsteps: int = 64,
                     threads: int | None = None) -> tuple[int, int]:
        """``(k, B)``: steps fused per sweep and cells per tile ``advance`` uses on a grid of
        ``shape`` for a call of ``nsteps`` steps on ``threads`` threads (default: the
        configured count; ``k = 1``: step by step). See
        :mod:`mcgen.codegen.temporal_blocking`."""
        from mcgen.codegen.temporal_blocking import (
            MIN_AUTO_STEPS,
            blocking_form,
            choose_blocking,
            choose_blocking_nd,
        )
        from mcgen.codegen.wavefront_blocking import choose_wavefront

        cfg = self.config
        if cfg.time_block == 1 or nsteps < 2 or self.blocking_unsupported is not None:
            return 1, 0
        if cfg.time_block == 0 and nsteps < MIN_AUTO_STEPS:
            return 1, 0
        lay = self.layout
        itemsize = itemsize_of(lay.dtype)
        rest = (lay.ghost, len(lay.fields), len(lay.scratch), itemsize, cfg.time_block, cfg.tile)
        dims = tuple(int(n) for n in shape)
        if blocking_form(self.program, cfg) == "wavefront":
            threads = cfg.threads if threads is None else threads
            chunks = threads if threads > 1 and int(np.prod(dims)) >= self.parallel_threshold \
                else 1
            return choose_wavefront(dims, lay.ghost, len(lay.fields), itemsize, cfg.time_block,
                                    cfg.tile, chunks)
        if lay.dim > 1:
            return choose_blocking_nd(dims, *rest)
        return choose_blocking(int(shape[0]), *rest)

    def with_blocking(self, time_block: int, tile: int = 0,
                      form: str | None = None) -> CompiledKernel:
        """The same kernel with other temporal-blocking options (``time_block=1``: off;
        ``form``: ``KernelConfig.blocking_form``, default unchanged); the compiled functions
        are shared when the blocked form is the same, so this compiles nothing new then."""
        cfg = replace(self.config, time_block=time_block, tile=tile,
                      blocking_form=form or self.config.blocking_form
                      ).validated(self.layout.dim)
        new = CompiledKernel(self.scheme, cfg, self.program, self.functions, self.artifact,
                             self.condition, self.unsafe, dict(self.timings), self.policy,
                             self.data_range)
        if time_block != 1 and self.blocking_unsupported is None and \
                new.blocked_form == self.blocked_form:
            new._blocked = self._blocked_functions()
        return new

    @property
    def blocked_form(self) -> str | None:
        """The blocked variant this kernel runs (``"wavefront"``, ``"tiles"`` in 2-D/3-D,
        ``"trapezoid"`` in 1-D; None when it is never blocked)."""
        from mcgen.codegen.temporal_blocking import blocking_form

        if self.blocking_unsupported is not None:
            return None
        return blocking_form(self.program, self.config)

    def blocked_ir(self) -> IRModule:
        """The IR module of the temporally blocked kernel(s), for ``export_kernel`` (refused
        with the reason when this kernel cannot be blocked)."""
        from mcgen.codegen.temporal_blocking import build_blocked

        why = self.blocking_unsupported
        if why is not None:
            raise CodegenError(f"this kernel has no temporally blocked form: {why}")
        return build_blocked(self.program, self.config)

    def _blocked_functions(self) -> dict[str, Any]:
        """Build (once) the blocked kernels with this kernel's backend."""
        if self._blocked is None:
            from mcgen.codegen.compile import load_backend_functions

            t = time.perf_counter()
            module = self.blocked_ir()
            stages: dict[str, float] = {}
            self._blocked, _ = load_backend_functions(module, self.config, stages)
            self.timings["blocked_build"] = time.perf_counter() - t
        return self._blocked

    def _advance_blocked(self, bufs: Buffers, nsteps: int, t0: float, dt: float | None,
                         threads: int, scalars: list[Any], k: int, tile: int) -> None:
        from mcgen.codegen.temporal_blocking import blocked_buffer_sizes, blocked_kernel_name

        lay = self.layout
        dtype = _NP[lay.dtype]
        fns = self._blocked_functions()
        name = blocked_kernel_name(self.program)
        nchunk = 1
        if threads > 1 and int(np.prod(bufs.shape)) >= self.parallel_threshold and \
                (f"{name}_par" in fns or team_kernel_name(name) in fns):
            name, nchunk = f"{name}_par", threads
            setter = fns.get("__set_threads__")
            if setter is not None:
                setter(threads)
        key = (k, tile, nchunk, self.blocked_form)
        if key not in bufs.tiles:
            bufs.tiles[key] = tuple(aligned_zeros(size, dtype) for size in blocked_buffer_sizes(
                self.program, self.config, k, tile, nchunk))
        first, second = (bufs.a, bufs.b) if bufs.parity == 0 else (bufs.b, bufs.a)
        head = [first, second, *bufs.tiles[key], *[np.int64(n) for n in bufs.shape]]
        tail = [dtype(t0), dtype(dt if dt is not None else 0.0), *scalars, np.int64(k),
                np.int64(tile), np.int64(nchunk)]
        team = team_kernel_name(name)
        if self.backend == "llvm" and nchunk > 1 and team in fns:
            # the JIT has no thread runtime: one member per chunk of tiles
            run_team(fns[team], [*head, np.int64(nsteps), *tail], nchunk,
                     [*head, np.int64(0), *tail])
            name = team
        else:
            fns[name](*head, np.int64(nsteps), *tail)
        bufs.parity ^= nsteps & 1
        self.last_call = {"kernel": name, "time_block": k, "tile": tile, "nchunk": nchunk,
                          "form": self.blocked_form}

    # u and nsteps are positional-only, so a model parameter named u or nsteps passes in **params
    def run(self, u: np.ndarray | dict[str, np.ndarray], nsteps: int, /, *, t0: float = 0.0,
            dt: float | None = None, threads: int | None = None,
            **params: Any) -> np.ndarray | dict[str, np.ndarray]:
        """Advance ``u`` by ``nsteps`` steps and return the new values (``u`` is not modified).

        Parameters
        ----------
        u : one field: an array of the grid's shape; a system: a dict by field name or an
            array of shape (fields, *grid).
        nsteps : number of steps (all done in one call of the compiled kernel).
        t0, dt : time of the first step and the time step (``dt`` is needed when the update
            or a boundary value depends on it; it is checked against the enforced condition).
        threads : override the configured thread count for this call.
        params : scheme parameters by name (``nu=0.5``; a Python keyword such as ``lambda``
            via ``**{"lambda": 0.5}``), spacings (``dx=...``) and origins (``x0=...``) when
            the update uses coordinates, DirichletSeries arrays, and values the enforced
            condition needs.
        """
        t = time.perf_counter()
        bufs = self.prepare(u)
        self.advance(bufs, nsteps, t0=t0, dt=dt, threads=threads, **params)
        out = self.interior(bufs)
        self.timings["last_run"] = time.perf_counter() - t
        if isinstance(u, dict):
            return {f: out[i] if len(self.layout.fields) > 1 else out
                    for i, f in enumerate(self.layout.fields)}
        return out
