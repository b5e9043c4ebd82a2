"""Monte Carlo kernels a user calls: ``compile_walkers(process)`` and ``compile_particles(system)``.

Pipeline (each stage public): model -> IR (:func:`~mcgen.codegen.montecarlo_frontend.walker_kernel`,
:func:`~mcgen.codegen.particle_frontend.particle_kernel`) -> a backend -> a simulator whose
``.run(...)`` validates the run-time values (probabilities in [0, 1] over the lattice, a
uniformisation rate that bounds every rate), calls the kernel and reports attempted moves per
second.

Backends (:func:`build_kernel`): ``"numba"``, ``"c"`` and ``"llvm"`` are the shared backends of
``mcgen.codegen.backends``; ``"numba_ieee"`` prints the IR with the small printer in this file
(:class:`MCNumbaPrinter`: no fast-math flags, unsigned array indices) as a numba module on disk;
``"ir"`` runs the pure-Python reference interpreter. All print (or run) only the IR. Positions,
occupations and currents agree bit for bit across backends because the RNG is integer arithmetic;
floating-point accumulations agree to rounding (the shared numba backend allows contraction into
fused multiply-adds), and bit for bit between ``numba_ieee``, ``c``, ``llvm`` and ``ir``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from mcgen._version import __version__
from mcgen.atomic_io import write_text_atomically
from mcgen.codegen import ir
from mcgen.codegen.cache import cache_dir as shared_cache_dir
from mcgen.codegen.montecarlo_frontend import WalkerKernelPlan, probability_table, walker_kernel
from mcgen.errors import CodegenError, ModelError, StabilityError
from mcgen.model.jump_process import JumpProcess
from mcgen.model.numeric import numpy_function
from mcgen.model.symbols import N_AHEAD, N_BEHIND, N_FROM, N_TO

BACKENDS = ("numba", "c", "llvm", "numba_ieee", "ir")

# ===================================================================== numba printer

_NP_TYPE = {"f64": "float64", "f32": "float32", "i64": "int64", "i32": "int32",
            "u64": "uint64", "u32": "uint32", "bool": "bool_"}
_NP_DTYPE = {k: np.dtype(v if v != "bool_" else "bool") for k, v in _NP_TYPE.items()}


class MCNumbaPrinter:
    """Print an :class:`ir.Module` as a numba module: one ``_print_<Node>`` per IR node; an
    unknown node raises. Integer locals and constants carry their NumPy type so numba never
    mixes u64 with i64 (which it would promote to float64)."""

    def __init__(self, parallel_ok: bool = True) -> None:
        self.parallel_ok = parallel_ok

    # -- expressions
    def expr(self, e: ir.Expr) -> str:
        meth = getattr(self, f"_print_{type(e).__name__}", None)
        if meth is None:
            raise CodegenError(f"the numba printer has no rule for IR node {type(e).__name__}")
        return meth(e)

    def _print_Const(self, e: ir.Const) -> str:
        if e.type == "bool":
            return "True" if e.value else "False"
        if e.type in ir.FLOATS:
            v = float(e.value)
            if math.isnan(v):
                return "np.nan"
            if math.isinf(v):
                return "np.inf" if v > 0 else "(-np.inf)"
            s = repr(v)
            return s if e.type == "f64" else f"np.float32({s})"
        return f"np.{_NP_TYPE[e.type]}({int(e.value)})"

    def _print_Var(self, e: ir.Var) -> str:
        return e.name

    def _print_Load(self, e: ir.Load) -> str:
        # front-ends emit non-negative indices: an unsigned index spares numba's wraparound
        # test for negative indices on every access
        return f"{e.array}[np.uint64({self.expr(e.index)})]"

    def _print_BinOp(self, e: ir.BinOp) -> str:
        a, b = self.expr(e.a), self.expr(e.b)
        if e.op in ("min", "max"):
            # a < b ? a : b, the convention shared with the LLVM and C backends
            return f"({a} if {a} {'<' if e.op == 'min' else '>'} {b} else {b})"
        if e.op == "pow":
            return f"({a} ** {b})"
        if e.op == "mulhi":
            raise CodegenError("the Monte Carlo numba printer does not emit mulhi: the RNG "
                               "uses the 32-bit multiply-shift instead")
        if e.op == "/" and e.type in ir.INTS:
            return f"({a} // {b})"
        return f"({a} {e.op} {b})"

    def _print_UnOp(self, e: ir.UnOp) -> str:
        a = self.expr(e.a)
        if e.op == "neg":
            return f"(-{a})"
        if e.op == "not":
            return f"(not {a})"
        if e.op == "abs":
            return f"abs({a})"
        if e.op == "floor":
            return f"np.floor({a})"
        return f"math.{e.op}({a})"

    def _print_Cmp(self, e: ir.Cmp) -> str:
        return f"({self.expr(e.a)} {e.op} {self.expr(e.b)})"

    def _print_Select(self, e: ir.Select) -> str:
        return f"({self.expr(e.a)} if {self.expr(e.cond)} else {self.expr(e.b)})"

    def _print_Cast(self, e: ir.Cast) -> str:
        return f"np.{_NP_TYPE[e.type]}({self.expr(e.a)})"

    # -- statements
    def stmts(self, body: Sequence[ir.Stmt], indent: int) -> list[str]:
        out: list[str] = []
        for s in body:
            meth = getattr(self, f"_stmt_{type(s).__name__}", None)
            if meth is None:
                raise CodegenError(f"the numba printer has no rule for IR statement "
                                   f"{type(s).__name__}")
            out += meth(s, indent)
        return out or ["    " * indent + "pass"]

    def _stmt_Assign(self, s: ir.Assign, i: int) -> list[str]:
        return ["    " * i + f"{s.var.name} = np.{_NP_TYPE[s.var.type]}({self.expr(s.value)})"]

    def _stmt_Store(self, s: ir.Store, i: int) -> list[str]:
        return ["    " * i + f"{s.array}[np.uint64({self.expr(s.index)})] = {self.expr(s.value)}"]

    def _stmt_For(self, s: ir.For, i: int) -> list[str]:
        rng = "prange" if s.parallel and self.parallel_ok else "range"
        head = "    " * i + f"for {s.var.name} in {rng}({self.expr(s.start)}, {self.expr(s.stop)}):"
        return [head] + self.stmts(s.body, i + 1)

    def _stmt_If(self, s: ir.If, i: int) -> list[str]:
        out = ["    " * i + f"if {self.expr(s.cond)}:"] + self.stmts(s.then, i + 1)
        if s.orelse:
            out += ["    " * i + "else:"] + self.stmts(s.orelse, i + 1)
        return out

    def _stmt_SwapArrays(self, s: ir.SwapArrays, i: int) -> list[str]:
        return ["    " * i + f"{s.a}, {s.b} = {s.b}, {s.a}"]

    def _stmt_Comment(self, s: ir.Comment, i: int) -> list[str]:
        return ["    " * i + f"# {s.text}"]

    # -- kernels and modules
    def kernel(self, k: ir.Kernel) -> str:
        parallel = self.parallel_ok and ir.has_parallel_loop(k.body)
        lines = [f"@nb.njit(cache=True, nogil=True, parallel={parallel})",
                 f"def {k.name}({', '.join(a.name for a in k.args)}):",
                 f'    """{k.doc.replace(chr(34) * 3, "")}"""']
        for a in k.args:
            if not a.array:  # fix each scalar's type whatever Python number the caller passed
                lines.append(f"    {a.name} = np.{_NP_TYPE[a.type]}({a.name})")
        lines += self.stmts(k.body, 1)
        if k.returns:
            lines.append("    return result")
        return "\n".join(lines) + "\n"

    def module(self, m: ir.Module) -> str:
        head = [f'"""Generated by mcgen {__version__}: Monte Carlo kernels of {m.name}.',
                ""]
        head += [f"{k}: {v}" for k, v in sorted(m.meta.items())]
        head += ['Do not edit: regenerate with mcgen."""', "",
                 "import math  # noqa: F401", "", "import numba as nb",
                 "import numpy as np", "from numba import prange  # noqa: F401", "", ""]
        return "\n".join(head) + "\n\n".join(self.kernel(k) for k in m.kernels)


def cache_dir() -> Path:
    """Where the IEEE numba printer writes its modules: ``montecarlo/`` in the shared cache
    (``$MCGEN_CACHE_DIR`` or ``~/.cache/mcgen``)."""
    d = shared_cache_dir() / "montecarlo"
    d.mkdir(parents=True, exist_ok=True)
    return d


def load_numba_module(module: ir.Module) -> tuple[Any, str, Path]:
    """Print ``module``, write it (atomically, named by the hash of its text) and import it."""
    src = MCNumbaPrinter().module(module)
    digest = hashlib.sha256(src.encode()).hexdigest()[:20]
    modname = f"mcgen_mc_{module.name}_{digest}"
    path = cache_dir() / f"{modname}.py"
    if not path.exists() or path.read_text() != src:
        write_text_atomically(path, src)
    if modname in sys.modules:
        return sys.modules[modname], src, path
    spec = importlib.util.spec_from_file_location(modname, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    spec.loader.exec_module(mod)
    return mod, src, path


def build_kernel(kernel: ir.Kernel, backend: str) -> tuple[Any, str]:
    """A callable for ``kernel`` on ``backend`` and its printed source (text).

    ``"numba"``, ``"c"`` and ``"llvm"`` are the shared backends (``mcgen.codegen.backends``);
    ``"numba_ieee"`` is this module's printer: numba without fast-math flags, so floating-point
    results agree bit for bit with the LLVM and C backends. ``"ir"`` is the pure-Python
    reference interpreter (:mod:`mcgen.codegen.ir_interpreter`): slow, for small checks.
    """
    module = ir.Module(kernel.name, (kernel,), meta=dict(kernel.meta))
    if backend == "ir":
        from mcgen.codegen.ir_interpreter import IRInterpreter

        return IRInterpreter(kernel), repr(kernel)
    if backend == "numba_ieee":
        from mcgen.codegen.call_checks import checked

        mod, src, _ = load_numba_module(module)
        return checked(kernel, getattr(mod, kernel.name)), src
    if backend == "numba":
        from mcgen.codegen.backends import numba_backend

        art = numba_backend.build_numba(module, shared_cache_dir())
        return art.function(kernel.name), art.source
    if backend == "c":
        from mcgen.codegen.backends import c_backend

        c_art = c_backend.build_c(module, shared_cache_dir())
        return c_art.function(kernel.name), c_art.source.source
    if backend == "llvm":
        from mcgen.codegen.backends import llvm_backend

        built = llvm_backend.build_llvm(module)
        return built.kernels[kernel.name], getattr(built, "llvm_ir", "")
    raise CodegenError(f"backend={backend!r}: Monte Carlo kernels run on {BACKENDS}")


def _param_values(params: tuple[tuple[sp.Symbol, str], ...],
                  given: Mapping[Any, float] | None) -> dict[sp.Symbol, float]:
    given = dict(given or {})
    by_name = {(k.name if isinstance(k, sp.Symbol) else str(k)): float(v)
               for k, v in given.items()}
    out = {}
    for s, _ in params:
        if s.name not in by_name:
            raise ModelError(f"parameter {s.name} has no value: pass params={{'{s.name}': ...}}")
        out[s] = by_name.pop(s.name)
    if by_name:
        raise ModelError(f"unknown parameters {sorted(by_name)}: the model declares "
                         f"{[s.name for s, _ in params]}")
    return out


@dataclass
class _KernelClock:
    cpu: float = 0.0


def _seed_of(state: dict[str, np.ndarray], seed: int | None) -> int:
    """The run's seed, recorded in ``state`` so a continued run keeps drawing the same streams."""
    if seed is None:
        seed = int(state["seed"][0]) if "seed" in state else 0
    if not 0 <= int(seed) < 2 ** 64:
        raise ModelError(f"seed {seed}: use an integer in [0, 2**64)")
    state["seed"] = np.array([seed], dtype=np.uint64)
    return int(seed)


def _per_axis(value: Any, dim: int, what: str, cast: type = float) -> tuple:
    if np.ndim(value) == 0:
        return (cast(value),) * dim
    v = tuple(cast(c) for c in value)
    if len(v) != dim:
        raise ModelError(f"{what} has {len(v)} entries: give one per axis ({dim})")
    return v


# ===================================================================== walkers

class _EventRates:
    """Event counters shared by walker and particle results."""

    events: int
    seconds: float
    cpu_seconds: float

    @property
    def events_per_second(self) -> float:
        """Attempted moves (steps or uniformised events) per second of kernel (wall) time."""
        return self.events / self.seconds if self.seconds > 0 else float("inf")

    @property
    def events_per_cpu_second(self) -> float:
        """Attempted moves per second of the calling thread's CPU time (a serial kernel's
        speed on a machine shared with other work)."""
        return self.events / self.cpu_seconds if self.cpu_seconds > 0 else float("inf")


@dataclass
class WalkerResult(_EventRates):
    """Walkers after a run. ``positions`` are lattice indices (n, dim); ``x`` physical."""

    positions: np.ndarray
    x: np.ndarray
    alive: np.ndarray
    time: np.ndarray
    events: int
    seconds: float
    state: dict[str, np.ndarray]
    h: tuple[float, ...]
    x0: tuple[float, ...]
    cpu_seconds: float = 0.0

    def time_mean(self) -> np.ndarray:
        """Time-weighted mean of x over all walkers after the burn-in (one per axis)."""
        return self.state["tsum"].sum(0) / self.state["ttime"].sum()

    def time_variance(self) -> np.ndarray:
        """Time-weighted variance of x about :meth:`time_mean` (the stationary variance of an
        ergodic chain, weighted by time spent)."""
        m = self.time_mean()
        return self.state["tsum2"].sum(0) / self.state["ttime"].sum() - m * m

    def histogram(self, lo: Sequence[int] | int, hi: Sequence[int] | int,
                  alive_only: bool = True) -> np.ndarray:
        """Density of the final positions on the sites ``lo..hi`` (inclusive, per axis):
        counts / (number of walkers * cell volume), so it integrates to the surviving mass."""
        dim = self.positions.shape[1]
        lo_, hi_ = _per_axis(lo, dim, "lo", int), _per_axis(hi, dim, "hi", int)
        pos = self.positions[self.alive] if alive_only else self.positions
        edges = [np.arange(lo_[a], hi_[a] + 2) - 0.5 for a in range(dim)]
        counts, _ = np.histogramdd(pos.astype(float), bins=edges)
        return counts / (len(self.positions) * float(np.prod(self.h)))


@dataclass
class WalkerSimulator:
    """A compiled walker kernel; call :meth:`run`."""

    plan: WalkerKernelPlan
    backend: str
    func: Any
    source: str
    compile_seconds: float
    times: dict[str, float] = field(default_factory=dict)

    @property
    def ir(self) -> ir.Kernel:
        return self.plan.kernel

    def _values(self, vals: dict[sp.Symbol, float], h: tuple, dt: float) -> dict:
        """Values of every non-coordinate symbol the probabilities or rates use."""
        proc = self.plan.process
        allv = dict(vals)
        allv[proc.dt] = dt
        for a in range(proc.dim):
            allv[proc.h[a]] = h[a]
        free = set().union(*[v.free_symbols for v in proc.jumps.values()])
        return {s: v for s, v in allv.items() if s in free and s not in proc.coords
                and s != proc.t}

    def _rate_bound(self, vals: dict[sp.Symbol, float], lo: tuple, hi: tuple, h: tuple,
                    x0: tuple, t: float) -> float:
        proc = self.plan.process
        allv = self._values(vals, h, 0.0)
        if not proc.is_state_dependent:
            tab = probability_table(self.plan, allv, [np.zeros(1)] * proc.dim, 0.0)
            return float(sum(v.max() for v in tab.values()))
        if proc.t in set().union(*[v.free_symbols for v in proc.jumps.values()]):
            raise ModelError("time-dependent rates: pass rate_bound= (a bound on the total "
                             "rate over the run) to run by uniformisation")
        sites = self._sites(lo, hi, h, x0)
        if sites is None:
            raise ModelError("state-dependent rates on an unbounded lattice: give lo= and hi= "
                             "or rate_bound= (a bound on the total jump rate)")
        tab = probability_table(self.plan, allv, sites, t)
        return float(np.max(sum(tab.values())))

    @staticmethod
    def _sites(lo: tuple, hi: tuple, h: tuple, x0: tuple) -> list | None:
        if any(v is None for v in lo + hi):
            return None
        axes = [x0[a] + h[a] * np.arange(lo[a], hi[a] + 1) for a in range(len(lo))]
        if np.prod([len(ax) for ax in axes]) > 4_000_000:
            return None
        return list(np.meshgrid(*axes, indexing="ij"))

    def _check_probabilities(self, vals: dict, lo: tuple, hi: tuple, h: tuple, x0: tuple,
                             dt: float, t: float) -> None:
        proc = self.plan.process
        sites = self._sites(lo, hi, h, x0) if proc.is_state_dependent else \
            [np.zeros(1)] * proc.dim
        if sites is None:
            return  # unbounded lattice with state-dependent probabilities: checked nowhere
        allv = self._values(vals, h, dt)
        tab = probability_table(self.plan, allv, sites, t)
        # the zero start keeps ``total`` an array (it would be the int 0 for no jumps)
        total = sum(tab.values(), np.zeros(np.shape(sites[0])))
        for k, p in tab.items():
            bad = np.argwhere(~(p >= 0))
            if len(bad):
                where = tuple(float(s[tuple(bad[0])]) for s in sites)
                raise StabilityError(f"probability of jump {k} is {p[tuple(bad[0])]} < 0 at "
                                     f"x = {where}: reduce dt (or h) so every probability is "
                                     "non-negative")
        bad = np.argwhere(~(total <= 1 + 1e-12))
        if len(bad):
            where = tuple(float(s[tuple(bad[0])]) for s in sites)
            raise StabilityError(f"jump probabilities sum to {total[tuple(bad[0])]} > 1 at "
                                 f"x = {where}: the self-loop would be negative; reduce dt")

    def run(self, n_walkers: int | None = None, steps: int | None = None,
            t: float | None = None, *, params: Mapping[Any, float] | None = None,
            h: Any = 1.0, dt: float = 1.0, x0: Any = 0.0, start: Any = 0,
            lo: Any = None, hi: Any = None, seed: int | None = None, burn_in: float = 0.0,
            rate_bound: float | None = None,
            state: Mapping[str, np.ndarray] | None = None) -> WalkerResult:
        """Advance ``n_walkers`` walkers by ``steps`` steps (discrete time) or to time ``t``
        (continuous time), or continue a previous run's ``state``.

        Parameters
        ----------
        params : values of the model's parameters, by symbol or name.
        h, x0 : lattice spacing and origin per axis (x = x0 + h * index).
        dt : the time step of a discrete-time chain.
        start : starting lattice index per axis (or an (n, dim) array).
        lo, hi : the lattice is ``lo..hi`` per axis (needed by every boundary but "none").
        seed : the RNG seed (default 0, or the seed of the continued ``state``); results
            depend only on it (not on threads or on how a run is split into calls).
        burn_in : time-weighted moments count time after this.
        rate_bound : uniformisation rate for continuous time (default: the maximum total rate
            over the lattice, computed here).
        """
        plan = self.plan
        dim = plan.dim
        vals = _param_values(plan.param_args, params)
        h_, x0_ = _per_axis(h, dim, "h"), _per_axis(x0, dim, "x0")
        lo_ = _per_axis(lo, dim, "lo", int) if lo is not None else (None,) * dim
        hi_ = _per_axis(hi, dim, "hi", int) if hi is not None else (None,) * dim
        for a, (left, right) in enumerate(plan.boundary):
            if left != "none" and lo_[a] is None or right != "none" and hi_[a] is None:
                raise ModelError(f"boundary {plan.boundary[a]} on axis {a} needs lo= and hi= "
                                 "(the first and last lattice index)")
            if left == "periodic":
                first, last = lo_[a], hi_[a]
                assert first is not None and last is not None  # checked just above
                span = last - first + 1
                if max(abs(k[a]) for k in plan.offsets) > span:
                    raise ModelError(f"a jump is longer than the periodic axis {a} ({span} "
                                     "sites): enlarge the lattice")
        if state is None:
            if n_walkers is None:
                raise ModelError("give n_walkers (or the state of a previous run)")
            pos = np.empty((n_walkers, dim), dtype=np.int64)
            pos[:] = np.asarray(start, dtype=np.int64)
            st = {"pos": pos, "alive": np.ones(n_walkers, np.int64),
                  "clock": np.zeros(n_walkers), "ctr": np.zeros(n_walkers, np.int64),
                  "nev": np.zeros(n_walkers, np.int64), "tsum": np.zeros((n_walkers, dim)),
                  "tsum2": np.zeros((n_walkers, dim)),
                  "ttime": np.zeros(n_walkers)}
        else:
            st = {k: np.array(v, copy=True) for k, v in state.items()}
        seed = _seed_of(st, seed)
        n = len(st["pos"])
        if n >= 2 ** 62:
            raise ModelError("too many walkers")
        big = np.iinfo(np.int64).max // 4
        lo_i = [big * -1 if v is None else v for v in lo_]
        hi_i = [big if v is None else v for v in hi_]
        axis_args: list[Any] = []
        for a in range(dim):
            axis_args += [h_[a], x0_[a], lo_i[a], hi_i[a]]
        pargs = [vals[s] for s, _ in plan.param_args]
        ev0 = int(st["nev"].sum())

        clock = _KernelClock()

        def call(n_iter: int, t_end: float, lam: float) -> float:
            t0, c0 = time.perf_counter(), time.thread_time()
            self.func(st["pos"].reshape(-1), st["alive"], st["clock"], st["ctr"], st["nev"],
                      st["tsum"].reshape(-1), st["tsum2"].reshape(-1), st["ttime"],
                      np.int64(n), np.int64(n_iter), float(t_end), float(burn_in),
                      np.uint64(seed), float(lam), float(dt), *axis_args, *pargs)
            clock.cpu += time.thread_time() - c0
            return time.perf_counter() - t0

        seconds = 0.0
        if not plan.continuous:
            if steps is None:
                raise ModelError("a discrete-time chain runs a number of steps: pass steps=")
            self._check_probabilities(vals, lo_, hi_, h_, x0_, dt, float(st["clock"].max()))
            seconds = call(int(steps), math.inf, 1.0)
        else:
            if t is None:
                raise ModelError("a continuous-time process runs to a time: pass t=")
            lam = float(rate_bound) if rate_bound is not None else \
                self._rate_bound(vals, lo_, hi_, h_, x0_, 0.0)
            if not lam > 0:
                raise ModelError("every rate is zero: nothing moves")
            while True:
                active = (st["clock"] < t) & (st["alive"] == 1)
                if not active.any():
                    break
                remaining = t - float(st["clock"][active].min())
                m = lam * remaining
                seconds += call(int(m + 6 * math.sqrt(m) + 16), t, lam)
        events = int(st["nev"].sum()) - ev0
        return WalkerResult(st["pos"].copy(), x0_ + st["pos"] * np.asarray(h_),
                            st["alive"] == 1, st["clock"].copy(), events, seconds, st,
                            h_, x0_, clock.cpu)


def compile_walkers(process: JumpProcess, boundary: Any = "none", *, backend: str = "numba",
                    moments: bool = True, parallel: bool = False,
                    name: str = "walkers") -> WalkerSimulator:
    """Generate and compile a kernel for independent walkers of ``process``.

    Parameters
    ----------
    process : discrete-time probabilities or continuous-time rates, possibly depending on the
        position (``process.coords``) and time.
    boundary : "none" | "periodic" | "reflecting" | "absorbing", per axis or (left, right).
    backend : "numba" or "llvm".
    moments : accumulate time-weighted moments (off for the fastest kernel).
    parallel : thread over walkers (numba); results are identical to a serial run.

    Examples
    --------
    >>> from mcgen.model import JumpProcess
    >>> sim = compile_walkers(JumpProcess({1: 0.5, -1: 0.5}))  # doctest: +SKIP
    >>> sim.run(1000, steps=100, seed=1).positions.mean()      # doctest: +SKIP
    """
    t0 = time.perf_counter()
    plan = walker_kernel(process, boundary, moments=moments, parallel=parallel, name=name)
    t1 = time.perf_counter()
    func, src = build_kernel(plan.kernel, backend)
    t2 = time.perf_counter()
    # compile now (numba compiles at the first call) so run() times only the simulation
    z_i, z_f = np.zeros(0, np.int64), np.zeros(0)
    func(z_i, z_i, z_f, z_i, z_i, z_f, z_f, z_f, np.int64(0), np.int64(0), 0.0, 0.0, np.uint64(0),
         1.0, 1.0, *([1.0, 0.0, np.int64(0), np.int64(0)] * plan.dim),
         *([1.0] * len(plan.param_args)))
    t3 = time.perf_counter()
    return WalkerSimulator(plan, backend, func, src, t3 - t0,
                           {"front_end": t1 - t0, "backend": t2 - t1, "jit": t3 - t2})


# ===================================================================== particle systems

@dataclass
class ParticleResult(_EventRates):
    """Replica averages at the requested ``times``.

    ``profile[k, i]``: mean occupation of site i at ``times[k]``; ``occupied[k, i]``: fraction of
    replicas with site i occupied; ``current[k, m]``: integrated current through bond m (bond m
    separates sites m-1 and m) from time 0 to ``times[k]``, averaged over replicas.
    """

    times: np.ndarray
    profile: np.ndarray
    occupied: np.ndarray
    current: np.ndarray
    events: int
    seconds: float
    state: dict[str, np.ndarray]
    cpu_seconds: float = 0.0

    def current_rate(self, k0: int = 0, k1: int = -1) -> np.ndarray:
        """Mean current per bond per unit time between ``times[k0]`` and ``times[k1]``."""
        return (self.current[k1] - self.current[k0]) / (self.times[k1] - self.times[k0])


@dataclass
class ParticleSimulator:
    """A compiled particle-system kernel; call :meth:`run`."""

    plan: Any
    backend: str
    func: Any
    source: str
    compile_seconds: float
    times: dict[str, float] = field(default_factory=dict)

    @property
    def ir(self) -> ir.Kernel:
        return self.plan.kernel

    def _numeric(self, expr: sp.Expr, vals: dict, nf: Any = 1, nto: Any = 0) -> np.ndarray:
        f = numpy_function(expr, [N_FROM, N_TO, N_BEHIND, N_AHEAD, *vals],
                           where="a particle rate")
        # neighbour occupations (nearest-neighbour rules): every value up to the capacity
        top = int(self.plan.system.max_occupancy or 1)
        nb = np.arange(top + 1).reshape(-1, 1, 1, 1) if N_BEHIND in expr.free_symbols else 0
        na = np.arange(top + 1).reshape(1, -1, 1, 1) if N_AHEAD in expr.free_symbols else 0
        a, b = np.asarray(nf)[None, None], np.asarray(nto)[None, None]
        shape = np.broadcast(a, b, np.asarray(nb), np.asarray(na)).shape
        return np.broadcast_to(np.asarray(f(a, b, nb, na, *vals.values()), dtype=float), shape)

    def _rates_table(self, vals: dict, nmax: int) -> list[np.ndarray]:
        plan = self.plan
        out = []
        for expr in plan.site_rates:
            if plan.system.kind == "exclusion" or not expr.free_symbols & {N_FROM, N_TO}:
                out.append(self._numeric(expr, vals).ravel())
                continue
            n = np.arange(1, nmax + 1)[:, None]
            m = np.arange(0, nmax + 1)[None, :] if N_TO in expr.free_symbols else 0
            out.append(self._numeric(expr, vals, n, m).ravel())
        out += [self._numeric(e, vals).ravel() for _, e in plan.reservoirs]
        return out

    def run(self, replicas: int | None = None, times: Sequence[float] = (1.0,), *,
            L: int | None = None, initial: Any = None, params: Mapping[Any, float] | None = None,
            seed: int | None = None, rate_bound: float | None = None,
            state: Mapping[str, np.ndarray] | None = None, first_replica: int = 0
            ) -> ParticleResult:
        """Run ``replicas`` independent copies on ``L`` sites and record replica averages at
        ``times`` (increasing; measured from the start of the first run, so a continued
        ``state`` keeps its clock).

        Parameters
        ----------
        initial : occupations (length L, or replicas x L), or an integer N: exclusion fills
            sites 0..N-1, zero-range deals N particles round-robin from site 0.
        rate_bound : the uniformisation bound rmax on every rate (default: computed from the
            rates over the occupations that can occur).
        seed : the RNG seed (default 0, or the seed of the continued ``state``); results
            depend only on it (not on threads or on how a run is split into calls).
        first_replica : the global index of the first replica here: replica ``r`` draws from
            stream ``first_replica + r``, so an ensemble split into parts (one call per part,
            ``mcgen.run.ensembles``) draws exactly what one call for all replicas draws.
        """
        plan = self.plan
        if isinstance(first_replica, bool) or not isinstance(first_replica, (int, np.integer)) \
                or first_replica < 0:
            raise ModelError(f"first_replica={first_replica!r}: give a whole number >= 0")
        vals = _param_values(plan.param_args, params)
        if state is None:
            if replicas is None or L is None or initial is None:
                raise ModelError("give replicas=, L= and initial= (or a previous run's state)")
            L = int(L)
            if L < 2 or any(abs(k) >= L for k in plan.offsets):
                raise ModelError(f"a lattice of {L} sites is too short for moves {plan.offsets}")
            occ = np.zeros((replicas, L), dtype=np.int64)
            if np.ndim(initial) == 0:
                nparticles = int(initial)
                if plan.system.kind == "exclusion":
                    if nparticles > L:
                        raise ModelError(f"{nparticles} particles do not fit on {L} sites under "
                                         "exclusion")
                    occ[:, :nparticles] = 1
                else:
                    sites = np.arange(nparticles) % L
                    # NumPy's stubs reject a slice inside ufunc.at's index tuple (NumPy takes it)
                    np.add.at(occ, (slice(None), sites), 1)  # type: ignore[arg-type]
            else:
                occ[:] = np.asarray(initial, dtype=np.int64)
            cap = plan.system.max_occupancy
            if (occ < 0).any() or cap is not None and (occ > cap).any():
                raise ModelError(f"initial occupations must be >= 0 and <= max_occupancy "
                                 f"({cap})")
            st = {"occ": occ, "clock": np.zeros(replicas), "ctr": np.zeros(replicas, np.int64),
                  "att": np.zeros(replicas, np.int64),
                  "cur": np.zeros((replicas, plan.n_bonds(L)), np.int64),
                  "viol": np.zeros(replicas, np.int64)}
        else:
            st = {k: np.array(v, copy=True) for k, v in state.items()}
        seed = _seed_of(st, seed)
        R, L = st["occ"].shape
        ns, nbond = plan.n_slots(L), plan.n_bonds(L)
        old = np.zeros(R * L if plan.update == "parallel" else 1, np.int64)

        nmax = int(st["occ"].sum(1).max()) if plan.periodic else int(st["occ"].max()) + 256
        if plan.system.max_occupancy is not None:
            # no site holds more than the capacity: a bound over larger occupations inflates
            # rmax and with it the number of rejected attempts (a capacity-2 rule ran 10x slow)
            nmax = min(nmax, int(plan.system.max_occupancy))
        tab = self._rates_table(vals, max(nmax, 1))
        for tb in tab:
            if (tb < 0).any() or not np.isfinite(tb).all():
                raise ModelError(f"a rate evaluates to {tb.min()} (negative or not finite) with "
                                 f"params {params}: rates must be finite and >= 0")
        if plan.update == "parallel":
            if any((tb > 1).any() for tb in tab):
                raise StabilityError("under parallel update the rates are probabilities per "
                                     "step: one exceeds 1; lower the rates")
            rmax = 1.0
        elif rate_bound is not None:
            rmax = float(rate_bound)
        elif plan.constant_rate is not None:
            rmax = plan.constant_rate
        else:
            rmax = float(max(tb.max() for tb in tab))
        if not rmax > 0:
            raise ModelError("every rate is zero: nothing moves")
        lam = ns * rmax
        pargs = [vals[s] for s, _ in plan.param_args]

        clock = _KernelClock()

        def call(n_iter: int, t_end: float) -> float:
            t0, c0 = time.perf_counter(), time.thread_time()
            self.func(st["occ"].reshape(-1), old, st["clock"], st["ctr"], st["att"],
                      st["cur"].reshape(-1), st["viol"], np.int64(R), np.int64(L),
                      np.int64(nbond), np.int64(n_iter), float(t_end), np.uint64(seed),
                      float(rmax), np.int64(ns), np.int64(first_replica), *pargs)
            clock.cpu += time.thread_time() - c0
            return time.perf_counter() - t0

        times_ = np.asarray(times, dtype=float)
        if (np.diff(times_) < 0).any() or (times_ < st["clock"].max() - 1e-12).any():
            raise ModelError(f"times {list(times_)} must increase from the current time "
                             f"{st['clock'].max()}")
        att0, seconds = int(st["att"].sum()), 0.0
        prof, occd, cur = [], [], []
        for T in times_:
            if plan.update == "continuous":
                while (st["clock"] < T).any():
                    m = lam * (T - float(st["clock"].min()))
                    seconds += call(int(m + 6 * math.sqrt(m) + 16), T)
            else:
                per_unit = lam if plan.update == "random_sequential" else 1.0
                done = int(round(float(st["clock"][0]) * per_unit))
                todo = int(round(T * per_unit)) - done
                if todo > 0:
                    seconds += call(todo, T)
                st["clock"][:] = (done + max(todo, 0)) / per_unit
            prof.append(st["occ"].mean(0))
            occd.append((st["occ"] > 0).mean(0))
            cur.append(st["cur"].mean(0))
        if st["viol"].any():
            what = ("the move probabilities at a site sum above 1" if plan.update == "parallel"
                    else f"a rate exceeded the uniformisation bound rmax = {rmax}")
            raise StabilityError(f"{what} in {int(st['viol'].sum())} attempts: pass a larger "
                                 "rate_bound= (or smaller rates)")
        return ParticleResult(times_, np.array(prof), np.array(occd), np.array(cur),
                              int(st["att"].sum()) - att0, seconds, st, clock.cpu)


def compile_particles(system: Any, *, backend: str = "numba", currents: bool = True,
                      parallel: bool = False, name: str = "particles") -> ParticleSimulator:
    """Generate and compile a kernel for replicas of the particle system ``system``.

    Parameters
    ----------
    system : a :class:`~mcgen.model.ParticleSystem` (exclusion, zero-range or local rates;
        random-sequential, parallel or continuous-time update; periodic or open boundary).
    backend : "numba" or "llvm".
    currents : accumulate integrated currents through every bond.
    parallel : thread over replicas (numba); results are identical to a serial run.
    """
    from mcgen.codegen.particle_frontend import particle_kernel

    t0 = time.perf_counter()
    plan = particle_kernel(system, currents=currents, parallel=parallel, name=name)
    t1 = time.perf_counter()
    func, src = build_kernel(plan.kernel, backend)
    t2 = time.perf_counter()
    z_i, z_f = np.zeros(0, np.int64), np.zeros(0)
    func(z_i, z_i, z_f, z_i, z_i, z_i, z_i, np.int64(0), np.int64(2), np.int64(plan.n_bonds(2)),
         np.int64(0), 0.0, np.uint64(0), 1.0, np.int64(plan.n_slots(2)), np.int64(0),
         *([1.0] * len(plan.param_args)))
    t3 = time.perf_counter()
    return ParticleSimulator(plan, backend, func, src, t3 - t0,
                             {"front_end": t1 - t0, "backend": t2 - t1, "jit": t3 - t2})
