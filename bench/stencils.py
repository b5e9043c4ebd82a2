"""Stencil benchmark: cell updates per second of mcgen's generated kernels against hand-written C
(gcc -O3 -march=native, compiled at run time from bench/hand_stencils.c), NumPy, and the STREAM
copy bandwidth measured in the same run; in cache and far out of cache.

    python bench/stencils.py            # default sizes (about a minute on 2 cores)
    python bench/stencils.py --quick    # smaller out-of-cache grids, fewer repetitions

Every kernel runs ``nsteps`` steps per call (two buffers, periodic ghost fill, pointer swap).
The numbers printed are the best of ``--reps`` timings. The benchmark never fails: a backend
that is not available prints "not available" (pystencils and Devito: "not installed").

pystencils and Devito live in a separate virtual environment (``bash bench/compare_env.sh``
makes ``bench/.venv``; ``$MCGEN_BENCH_VENV`` names another). When it exists, this script runs
``bench/competitors.py`` inside it in a subprocess, in the same run, and prints their rates and
the ratio of the best generated kernel to each; without it the output is as before.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from mcgen.model.read import Field  # noqa: E402
from mcgen.model.scheme import Scheme  # noqa: E402

u = Field("u")
u2 = Field("u", dim=2)
NU, LAM, R, CX, CY = sp.symbols("nu lam r cx cy")
PARAMS = {"nu": 0.5, "lam": 0.4, "r": 0.2, "cx": 0.3, "cy": 0.4}


def _rusanov(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    return (a**2 + b**2) / 4 - sp.Max(sp.Abs(a), sp.Abs(b)) * (b - a) / 2


def _godunov(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    # convex f = u^2/2: F(a, b) = max(f(max(a, 0)), f(min(b, 0)))
    return sp.Max(sp.Max(a, 0) ** 2, sp.Min(b, 0) ** 2) / 2


@dataclass(frozen=True)
class Case:
    name: str
    scheme: Scheme
    hand: str           # function in hand_stencils.c
    hand_params: tuple[str, ...]
    flux: bool          # the hand kernel takes a flux scratch array
    numpy_step: Callable[[np.ndarray], np.ndarray]


def _cases() -> list[Case]:
    p = PARAMS
    up = Scheme(("u",), 1, {"u": u[0] - NU * (u[0] - u[-1])}, params=(NU,), name="upwind")
    lw = Scheme(("u",), 1, {"u": u[0] - NU / 2 * (u[1] - u[-1])
                            + NU**2 / 2 * (u[1] - 2 * u[0] + u[-1])}, params=(NU,),
                name="lax_wendroff")
    rus = Scheme(("u",), 1, {"u": u[0] - LAM * (_rusanov(u[0], u[1]) - _rusanov(u[-1], u[0]))},
                 params=(LAM,), name="burgers_rusanov")
    god = Scheme(("u",), 1, {"u": u[0] - LAM * (_godunov(u[0], u[1]) - _godunov(u[-1], u[0]))},
                 params=(LAM,), name="burgers_godunov")
    v = u2
    heat = Scheme(("u",), 2, {"u": v[0, 0] + R * (v[1, 0] + v[-1, 0] + v[0, 1] + v[0, -1]
                                                  - 4 * v[0, 0])}, params=(R,), name="heat2d")
    donor = Scheme(("u",), 2, {"u": v[0, 0] - CX * (v[0, 0] - v[-1, 0])
                               - CY * (v[0, 0] - v[0, -1])}, params=(CX, CY), name="donor2d")

    def np_rus(v):
        w = np.roll(v, -1)
        f = (v * v + w * w) / 4 - np.maximum(np.abs(v), np.abs(w)) * (w - v) / 2
        return v - p["lam"] * (f - np.roll(f, 1))

    def np_god(v):
        a, b = np.maximum(v, 0.0), np.minimum(np.roll(v, -1), 0.0)
        f = np.maximum(a * a, b * b) / 2
        return v - p["lam"] * (f - np.roll(f, 1))

    def np_heat(v):
        return v + p["r"] * (np.roll(v, 1, 0) + np.roll(v, -1, 0) + np.roll(v, 1, 1)
                             + np.roll(v, -1, 1) - 4 * v)

    return [
        Case("1-D upwind", up, "upwind", ("nu",), False,
             lambda v: v - p["nu"] * (v - np.roll(v, 1))),
        Case("1-D Lax-Wendroff", lw, "lax_wendroff", ("nu",), False,
             lambda v: v - p["nu"] / 2 * (np.roll(v, -1) - np.roll(v, 1))
             + p["nu"] ** 2 / 2 * (np.roll(v, -1) - 2 * v + np.roll(v, 1))),
        Case("1-D Burgers Rusanov", rus, "burgers_rusanov", ("lam",), True, np_rus),
        Case("1-D Burgers Godunov", god, "burgers_godunov", ("lam",), True, np_god),
        Case("2-D heat (5-point)", heat, "heat2d", ("r",), False, np_heat),
        Case("2-D donor cell", donor, "donor2d", ("cx", "cy"), False,
             lambda v: v - p["cx"] * (v - np.roll(v, 1, 0)) - p["cy"] * (v - np.roll(v, 1, 1))),
    ]


# ---------------------------------------------------------------------- hand-written C

def build_hand_c(tmp: Path) -> ctypes.CDLL:
    lib = tmp / "libhand.so"
    cmd = ["gcc", "-O3", "-march=native", "-std=gnu99", "-fPIC", "-shared",
           str(HERE / "hand_stencils.c"), "-o", str(lib)]
    subprocess.run(cmd, check=True)
    return ctypes.CDLL(str(lib))


def _ptr(a: np.ndarray) -> ctypes.c_void_p:
    return ctypes.c_void_p(a.ctypes.data)


def stream_copy_bandwidth(lib: ctypes.CDLL, n: int, reps: int, seconds: float,
                          clock=time.perf_counter) -> float:
    """Bytes per second of a[i] = b[i] (STREAM convention: 16 bytes per element), by
    ``clock`` (``time.thread_time``: per second of CPU time, on a loaded machine)."""
    a, b = np.zeros(n), np.random.default_rng(0).random(n)
    fn = lib.stream_copy
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long, ctypes.c_long]
    inner = max(1, int(seconds * 1e9 / (16 * n)))  # about `seconds` per timing at 1 GB/s
    best = np.inf
    for _ in range(reps):
        t = clock()
        fn(_ptr(a), _ptr(b), n, inner)
        best = min(best, clock() - t)
    return 16 * n * inner / best


# ---------------------------------------------------------------------- runners

class Grid:
    """Padded buffers (one ghost cell per side) for a case at a size."""

    def __init__(self, case: Case, shape: tuple[int, ...], ghost: int = 1) -> None:
        self.shape, self.g = shape, ghost
        padded = tuple(s + 2 * ghost for s in shape)
        rng = np.random.default_rng(7)
        interior = 0.5 + 0.4 * np.sin(2 * np.pi * rng.random(shape))
        self.cur = np.zeros(padded)
        self.cur[tuple(slice(ghost, ghost + s) for s in shape)] = interior
        self.nxt = np.zeros(padded)
        self.flux = np.zeros(padded)
        self.initial = interior

    def interior(self, a: np.ndarray) -> np.ndarray:
        return a[tuple(slice(self.g, self.g + s) for s in self.shape)]

    @property
    def cells(self) -> int:
        return int(np.prod(self.shape))


def hand_runner(lib: ctypes.CDLL, case: Case, grid: Grid) -> Callable[[int], np.ndarray]:
    fn = getattr(lib, case.hand)
    ndim = len(grid.shape)
    fn.argtypes = ([ctypes.c_void_p] * (3 if case.flux else 2) + [ctypes.c_long] * (ndim + 1)
                   + [ctypes.c_double] * len(case.hand_params))
    fn.restype = None

    def run(nsteps: int) -> np.ndarray:
        arrays = [grid.cur, grid.nxt] + ([grid.flux] if case.flux else [])
        fn(*[_ptr(a) for a in arrays], *grid.shape, nsteps,
           *[PARAMS[p] for p in case.hand_params])
        return grid.interior(grid.cur if nsteps % 2 == 0 else grid.nxt)

    return run


def numpy_runner(case: Case, grid: Grid) -> Callable[[int], np.ndarray]:
    def run(nsteps: int) -> np.ndarray:
        v = grid.initial
        for _ in range(nsteps):
            v = case.numpy_step(v)
        return v

    return run


def one_sweep_config() -> Any:
    """The kernel options of the hand-C comparison: one sweep per step, as hand C does
    (``time_block=1``; the default lets temporal blocking fuse steps on large 1-D grids, which
    is another algorithm, timed on its own line)."""
    from mcgen.codegen.config import KernelConfig

    return KernelConfig(time_block=1)


def generated_runner(case: Case, grid: Grid, backend: str, config: Any = None,
                     kernels: dict | None = None
                     ) -> tuple[Callable[[int], np.ndarray] | None, str, float]:
    """A runner for mcgen's kernel on ``backend``: through ``mcgen.codegen.compile.compile``
    when the package has it, else the stencil front-end plus the LLVM backend directly.
    ``config`` defaults to :func:`one_sweep_config`; the compiled kernel goes to
    ``kernels[backend]`` when given (to read ``last_call``).
    Returns (runner or None, note, generation+compile seconds)."""
    t0 = time.perf_counter()
    compile_fn = _find_compile()
    if compile_fn is not None:
        try:
            kernel = compile_fn(case.scheme, backend=backend, bc="periodic", condition=False,
                                config=config if config is not None else one_sweep_config())
        except Exception as e:  # a benchmark never fails: report and go on
            print(f"# {case.name} {backend}: compile() failed: {type(e).__name__}: {e}"[:160])
            return None, "compile() failed", 0.0
        gen_time = time.perf_counter() - t0
        if kernels is not None:
            kernels[backend] = kernel
        if backend == "llvm" and config is None:
            LLVM_ONLY[case.name] = kernel.timings.get("build", float("nan"))
        bufs = kernel.prepare(grid.initial)
        params = {p: PARAMS[p] for p in case.hand_params}

        def run(nsteps: int) -> Callable[[], np.ndarray]:
            kernel.advance(bufs, nsteps, **params)
            # interior() copies the grid: fetched only for the correctness check, never timed
            return lambda: kernel.interior(bufs)

        return run, "mcgen.compile", gen_time
    if backend != "llvm":
        return None, "not available (no compile() yet)", 0.0
    from mcgen.codegen.backends.llvm_backend import build_llvm
    from mcgen.codegen.stencil_frontend import build_stencil

    program = build_stencil(case.scheme)
    compiled = build_llvm(program.module, cache=False)
    gen_time = time.perf_counter() - t0
    LLVM_ONLY[case.name] = compiled.timings["total"]
    kernel = compiled.kernels[program.module.kernels[0].name]
    layout = program.layout
    if layout.ghost != grid.g:
        return None, f"ghost width {layout.ghost} != 1", 0.0
    scratch = {s: np.zeros_like(grid.cur) for s in layout.scratch}

    def run_direct(nsteps: int) -> np.ndarray:
        values = {"cur": grid.cur, "nxt": grid.nxt, "nsteps": nsteps, "t0": 0.0, "dt": 0.0,
                  **scratch, **{f"n{d}": s for d, s in enumerate(grid.shape)},
                  **{arg: PARAMS[p] for p, arg in layout.params}}
        # kernels take flat arrays (a 2-D one is refused): pass views of the padded grids
        kernel(*[values[a].reshape(-1) if isinstance(values[a], np.ndarray) else values[a]
                 for a in layout.arg_names])
        return grid.interior(grid.cur if nsteps % 2 == 0 else grid.nxt)

    return run_direct, "front-end + build_llvm", gen_time


LLVM_ONLY: dict[str, float] = {}  # build_llvm alone (print, O3, codegen, load), per case


def _find_compile() -> Callable | None:
    if importlib.util.find_spec("mcgen.codegen.compile") is None:
        return None
    cmod = importlib.import_module("mcgen.codegen.compile")
    return getattr(cmod, "compile", None)


def warn_if_different(run: Callable[[int], Any], ref: np.ndarray, label: str) -> None:
    """Run two steps and print a WARNING line when the result is not hand C's (the runner
    returns the values, or a function that fetches them)."""
    got = run(2)
    got = got() if callable(got) else got
    if not np.allclose(got, ref, rtol=1e-12, atol=1e-12):
        print(f"# WARNING {label}: differs from hand C by {np.abs(got - ref).max():.2e}")


def time_interleaved(runners: dict[str, Callable[[int], np.ndarray]], cells: int,
                     target_s: float, reps: int, min_steps: int = 4,
                     block: int = 1) -> dict[str, float]:
    """Best cell updates per second of each runner over ``reps`` rounds, the runners taking
    turns within each round: on a shared machine, load that comes and goes then hits every
    column alike, so the ratios stay meaningful even when the absolute rates drop. Each call
    does at least ``min_steps`` steps. The first call of each runner is a warm-up (JIT
    compilation, thread start, first touch); the steps per call come from the second.
    ``block``: timed calls per turn (threaded columns: an OpenMP runtime keeps its idle threads
    spinning for a while after each region, and they take a core from a thread team timed
    right after it; the later calls of a block are clear of that)."""
    nsteps = {}
    for name, run in runners.items():
        run(2)  # warm up
        t = time.perf_counter()
        run(2)  # a rough rate
        first = max(time.perf_counter() - t, 1e-7) / 2
        # even: the result lands in cur
        nsteps[name] = max(min_steps, int(target_s / first)) & ~1
    best = dict.fromkeys(runners, np.inf)
    for _ in range(reps):
        for name, run in runners.items():
            for _ in range(block):
                t = time.perf_counter()
                run(nsteps[name])
                best[name] = min(best[name], (time.perf_counter() - t) / nsteps[name])
    return {name: cells / b for name, b in best.items()}


#: steps per call on the temporally blocked line (a blocked sweep fuses up to 32 steps, so a
#: call of 64 steps is two sweeps; with 4 steps, as the one-sweep columns get out of cache,
#: each sweep would fuse only 2 and lose to one sweep per step)
BLOCKED_STEPS = 64


def blocked_line(case: Case, shape: tuple[int, ...], backends: tuple[str, ...],
                 ref: np.ndarray, reps: int, target: float, np_rate: float,
                 bound: float) -> str:
    """Rates of the default kernels (``KernelConfig()``: temporal blocking on where the
    backend supports it, as users get them) at ``BLOCKED_STEPS`` steps per call, with what
    each ran (``last_call``), its ratio to the one-sweep NumPy rate and to the one-sweep bound
    (STREAM copy / 16 B per cell)."""
    from mcgen.codegen.config import KernelConfig

    runners: dict[str, Callable[[int], Any]] = {}
    kernels: dict[str, Any] = {}
    for b in backends:
        run, _, _ = generated_runner(case, Grid(case, shape), b, KernelConfig(), kernels)
        if run is None or b not in kernels:
            continue
        warn_if_different(run, ref, f"{case.name} {b} (default config)")
        runners[b] = run
    cells = int(np.prod(shape))
    measured = time_interleaved(runners, cells, target, reps, min_steps=BLOCKED_STEPS)
    parts = []
    for b, rate in measured.items():
        last = kernels[b].last_call
        how = (f"k={last['time_block']} B={last['tile']}" if last.get("time_block", 1) > 1
               else "not blocked")
        parts.append(f"{b} {rate / 1e6:.0f} ({how}; {rate / np_rate:.1f}x numpy, "
                     f"{rate / bound:.2f}x bound)")
    return (f"{'  temporally blocked':24s} {'x'.join(map(str, shape)):12s} default config, "
            f">= {BLOCKED_STEPS} steps/call, Mcell/s: " + ", ".join(parts))


# ---------------------------------------------------------------------- pystencils, Devito

COMPETITORS = ("pystencils", "devito")


def competitor_python() -> Path | None:
    """The venv's python made by bench/compare_env.sh, or None when there is none."""
    venv = Path(os.environ.get("MCGEN_BENCH_VENV", HERE / ".venv"))
    py = venv / "bin" / "python"
    return py if py.exists() else None


def run_competitors(py: Path, hand_lib: Path, sizes: dict, reps: int, target: float,
                    only: str) -> dict | None:
    """Run bench/competitors.py inside the venv (a separate process: pystencils and Devito pin
    their own SymPy/NumPy) and return its JSON, or None after printing why it failed. It times
    the same hand C library too, so rates can be compared across the two processes."""
    cmd = [str(py), str(HERE / "competitors.py"), "--reps", str(reps), "--target", str(target),
           "--hand-lib", str(hand_lib),
           "--sizes", json.dumps({k: [n1, list(n2)] for k, (n1, n2) in sizes.items()})]
    if only:
        cmd += ["--only", only]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    t = time.perf_counter()
    proc = None
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, env=env)
        lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
        out = json.loads(lines[-1])
    except Exception as e:  # a benchmark never fails: report and go on without the columns
        err = proc.stderr.strip().splitlines()[-3:] if proc is not None else []
        print(f"# competitors.py failed: {type(e).__name__}: {e} {' | '.join(err)}"[:400])
        return None
    for ln in proc.stderr.splitlines():
        if "WARNING" in ln:
            print(f"# competitors: {ln}"[:200])
    tools = ", ".join(f"{k} {v}" for k, v in out["tools"].items())
    print(f"# competitors ({py.parent.parent}, separate process, {time.perf_counter() - t:.0f} s,"
          f" load average {out['load_average'][0]:.1f}): {tools}")
    for row in out["rows"]:
        if "error" in row:
            print(f"# competitors: {row['case']} {row['size']} {row['tool']}: "
                  f"{row['error']}"[:200])
    return out


def competitor_columns(out: dict | None, case: str, label: str, best_gen: float,
                       hand: float) -> str:
    """Rates of pystencils and Devito (Mcell/s) and best generated / each. The ratio goes
    through hand C, timed in both processes: (best gen / hand C here) / (tool / hand C there),
    so a change of load between the two processes cancels to first order."""
    rows = {r["tool"]: r for r in (out or {}).get("rows", [])
            if r["case"] == case and r["size"] == label and "mcells" in r}
    hand_sub = rows.get("hand C", {}).get("mcells")
    cols, ratios = [], []
    for tool in COMPETITORS:
        rate = rows.get(tool, {}).get("mcells")
        cols.append(f"{rate:10.0f}" if rate else f"{'-':>10s}")
        if rate and best_gen and hand_sub:
            ratios.append(f"{(best_gen / hand) / (rate / hand_sub):.2f}")
        elif rate and best_gen:
            ratios.append(f"{best_gen / 1e6 / rate:.2f}")
        else:
            ratios.append("-")
    sub = f"{hand_sub:9.0f}" if hand_sub else f"{'-':>9s}"
    return f"{' '.join(cols)} {sub}  {'/'.join(ratios):>12s}"


# ---------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller grids, fewer repetitions")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--only", default="", help="substring of the case names to run")
    args = ap.parse_args(argv)
    reps = 4 if args.quick else args.reps
    target = 0.02 if args.quick else 0.04
    sizes = {"in cache": (10_000, (100, 100)),
             "out of cache": ((2_000_000, (1400, 1400)) if args.quick
                              else (10_000_000, (3200, 3200)))}

    print(f"# mcgen stencil benchmark  {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"load average {os.getloadavg()[0]:.1f}, python {platform.python_version()}")
    comp_py = competitor_python()
    if comp_py is None:
        for lib in COMPETITORS:
            if importlib.util.find_spec(lib) is None:
                print(f"# {lib}: not installed")
    with tempfile.TemporaryDirectory() as tmp:
        lib = build_hand_c(Path(tmp))
        bw_in = stream_copy_bandwidth(lib, 10_000, reps, target)
        bw_out = stream_copy_bandwidth(lib, sizes["out of cache"][0], reps, target)
        print(f"# STREAM copy: in cache (N=1e4) {bw_in / 1e9:.1f} GB/s, out of cache "
              f"(N={sizes['out of cache'][0]:.0e}) {bw_out / 1e9:.1f} GB/s; one-sweep bound "
              f"(16 B/cell) {bw_out / 16 / 1e6:.0f} Mcell/s")
        comp = (run_competitors(comp_py, Path(tmp) / "libhand.so", sizes, reps, target,
                                args.only) if comp_py is not None else None)
        backends = ("llvm", "numba", "c")
        comp_head = (f" {'pystencils':>10s} {'devito':>10s} {'hand C*':>9s}  gen/(ps/dv)"
                     if comp is not None else "")
        header = (f"{'case':24s} {'size':12s} {'hand C':>9s} " + " ".join(
            f"{b:>9s}" for b in backends) + f" {'numpy':>9s}  ratios to hand C ("
            + "/".join(backends) + ")  numpy/hand  %STREAM(best gen)" + comp_head
            + "  gen+compile s")
        print("# Mcell/s = million cell updates per second")
        print(header)
        for case in _cases():
            if args.only and args.only.lower() not in case.name.lower():
                continue
            for label, (n1, n2) in sizes.items():
                shape = (n1,) if case.scheme.dim == 1 else n2
                grid = Grid(case, shape)
                ref = hand_runner(lib, case, Grid(case, shape))(2)
                runners = {"hand": hand_runner(lib, case, grid)}
                gens = {}
                for b in backends:
                    g2 = Grid(case, shape)
                    run, note, gen = generated_runner(case, g2, b)
                    if run is None:
                        continue
                    warn_if_different(run, ref, f"{case.name} {b}")
                    runners[b], gens[b] = run, gen
                measured = time_interleaved(runners, grid.cells, target, reps)
                hand = measured["hand"]
                rates = {b: measured.get(b) for b in backends}
                np_rate = time_interleaved({"numpy": numpy_runner(case, grid)}, grid.cells,
                                           target / 2, 1)["numpy"]
                size = "x".join(map(str, shape))
                cells = " ".join(f"{(r or 0) / 1e6:9.0f}" if r else f"{'n/a':>9s}"
                                 for r in rates.values())
                ratios = "/".join(f"{r / hand:.2f}" if r else "-" for r in rates.values())
                best = max((r for r in rates.values() if r), default=0)
                stream = (f"{100 * best * 16 / bw_out:.0f}%" if label == "out of cache" and best
                          else "-")
                ctxt = (" " + competitor_columns(comp, case.name, label, best, hand)
                        if comp is not None else "")
                gtxt = " ".join(f"{b}={t:.3f}" for b, t in gens.items())
                if case.name in LLVM_ONLY:
                    gtxt += f" (llvm alone {LLVM_ONLY[case.name]:.3f})"
                print(f"{case.name:24s} {size:12s} {hand / 1e6:9.0f} {cells} "
                      f"{np_rate / 1e6:9.0f}  {ratios:>24s}  {np_rate / hand:10.3f}  "
                      f"{stream:>16s}{ctxt}  {gtxt}")
                if label == "out of cache" and case.scheme.dim == 1 \
                        and case.scheme.linear_weights() is not None:
                    print(blocked_line(case, shape, backends, ref, reps, target, np_rate,
                                       bw_out / 16))
    print("# n/a: backend not available in this checkout; gen+compile = front-end (SymPy) + "
          "backend, 'llvm alone' = build_llvm: print, O3, machine code, load")
    print("# generated columns: KernelConfig(time_block=1), one sweep per step like hand C; "
          "'temporally blocked': KernelConfig() (the default) at >= "
          f"{BLOCKED_STEPS} steps per call, x numpy against the one-sweep NumPy rate")
    if comp is not None:
        print("# pystencils, devito: Mcell/s in bench/competitors.py's process; hand C* = the "
              "same hand C timed there; gen/(ps/dv) = best generated / pystencils and / Devito "
              "through hand C: (best gen / hand C) / (tool / hand C*); > 1: mcgen faster")


if __name__ == "__main__":
    main()
