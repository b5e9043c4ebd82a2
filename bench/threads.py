"""Threaded stencil benchmark (issue #5): mcgen's kernels run on several threads against
hand-written C with OpenMP (bench/hand_stencils_omp.c, gcc -O3 -march=native -fopenmp) and
against their own serial run, at sizes from in cache to far out of cache.

    python bench/threads.py                  # full run (about 3 minutes on 2 cores)
    python bench/threads.py --quick          # fewer sizes and repetitions (under a minute warm)
    python bench/threads.py --only heat --backends c,llvm --threads 2

Targets (issue #5): threaded >= 0.9x hand C with OpenMP on grids of 1e6 cells or more; never
slower than the serial kernel at any size (threads are used only above a measured threshold).

Every generated kernel is compiled with ``threads=N`` and run through the public API
(``compile``, ``KernelConfig``, ``prepare``, ``advance(..., threads=t)``, ``last_call``), once
with ``threads=1`` and once with ``threads=N``; which variant ran is read from ``last_call``.
The main table turns temporal blocking off (``time_block=1``) so one-sweep kernels are compared
with one-sweep hand code; a second table shows the 1-D linear stencils with the default options
(blocking on). The crossover table forces the parallel variant at every size
(``parallel_threshold=0``) to measure from which size threads pay, and the summary compares
that with each backend's default ``parallel_threshold``.

Columns take turns (``stencils.time_interleaved``, ``--reps`` rounds, best call kept), each turn
a block of ``BLOCK`` timed calls: after a parallel region libgomp keeps its idle threads spinning
(GOMP_SPINCOUNT, 300000 polls by default), and they take a core from the column timed right after
(measured: a numba thread team run right after hand OpenMP C took 7.3 instead of 3.3 us per step
at 1e4 cells); the later calls of a block are clear of that. On a shared 2-core machine threaded
numbers suffer more than serial ones (a descheduled thread stalls the whole step): read them with
the load average printed at the top and the bottom.
"""

from __future__ import annotations

import argparse
import ctypes
import dataclasses
import os
import platform
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import stencils as S  # noqa: E402

from mcgen.codegen import CompiledKernel, KernelConfig, compile  # noqa: E402

BACKENDS = ("numba", "c", "llvm")
OMP_TARGET = 0.90      # threaded / hand OpenMP, on grids of at least OMP_TARGET_CELLS
OMP_TARGET_CELLS = 1_000_000
SERIAL_TARGET = 0.95   # threaded / serial at every size: "never slower", within timing noise
GAIN = 1.05            # the crossover: threads beat serial by more than 5 %
TOL = 1e-12            # rtol = atol of the check against hand C

Runner = Callable[[int], Any]


# ---------------------------------------------------------------------- sizes

#: timed calls per turn of a column (the first may still share a core with OpenMP's spinners)
BLOCK = 3


def main_sizes(dim: int, quick: bool) -> list[tuple[int, ...]]:
    if dim == 1:
        return [(n,) for n in ((10**4, 10**5, 10**6) if quick
                               else (10**4, 10**5, 10**6, 10**7))]
    return [(n, n) for n in ((100, 316, 1000) if quick else (100, 316, 1000, 3200))]


def ladder_sizes(dim: int, quick: bool) -> list[tuple[int, ...]]:
    """Sizes of the crossover measurement: half decades up to 1e6 cells."""
    if dim == 1:
        return [(n,) for n in ((10**4, 10**5, 10**6) if quick
                               else (10**4, 30_000, 10**5, 300_000, 10**6))]
    return [(n, n) for n in ((100, 316, 1000) if quick else (100, 178, 316, 562, 1000))]


def size_label(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        n = shape[0]
        e = len(str(n)) - 1
        return f"{n // 10**e}e{e}" if n % 10**e == 0 else f"{n / 10**e:.0f}e{e}"
    return "x".join(map(str, shape))


def cells_of(shape: tuple[int, ...]) -> int:
    return int(np.prod(shape))


# ---------------------------------------------------------------------- hand OpenMP C

def build_omp_c(tmp: Path, threads: int) -> ctypes.CDLL:
    lib = tmp / "libhand_omp.so"
    cmd = ["gcc", "-O3", "-march=native", "-std=gnu99", "-fPIC", "-shared", "-fopenmp",
           str(HERE / "hand_stencils_omp.c"), "-o", str(lib)]
    subprocess.run(cmd, check=True)
    dll = ctypes.CDLL(str(lib))
    dll.hand_set_threads.argtypes = [ctypes.c_int]
    dll.hand_set_threads(threads)
    return dll


def omp_case(case: S.Case) -> S.Case:
    """The same case run by its ``<hand>_omp`` function (same arguments)."""
    return dataclasses.replace(case, hand=case.hand + "_omp")


def stream_bandwidths(serial: ctypes.CDLL, omp: ctypes.CDLL, n: int, reps: int,
                      seconds: float) -> tuple[float, float]:
    """STREAM copy (bytes/s) out of cache on one thread and on the OpenMP threads; the OpenMP
    copy goes through stencils.stream_copy_bandwidth under the name it looks up."""
    one = S.stream_copy_bandwidth(serial, n, reps, seconds)
    alias = types.SimpleNamespace(stream_copy=omp.stream_copy_omp)
    many = S.stream_copy_bandwidth(alias, n, reps, seconds)  # type: ignore[arg-type]
    return one, many


# ---------------------------------------------------------------------- generated kernels

@dataclasses.dataclass
class Built:
    """A compiled kernel with the name of its plain serial variant (to name what ran)."""

    kernel: CompiledKernel
    serial_name: str


def compile_all(case: S.Case, backends: list[str], config: KernelConfig, label: str
                ) -> dict[str, Built]:
    """Compile ``case`` on each backend; a failure prints one line and drops that backend."""
    out = {}
    params = {p: S.PARAMS[p] for p in case.hand_params}
    for b in backends:
        try:
            k = compile(case.scheme, backend=b, condition=False, threads=config.threads,
                        config=config)
            # a zero-step serial call names the plain serial variant
            tiny = k.prepare(np.zeros((4,) * case.scheme.dim))
            k.advance(tiny, 0, threads=1, **params)
            out[b] = Built(k, str(k.last_call.get("kernel", "")))
        except Exception as e:  # a benchmark never fails: report and go on
            print(f"# {case.name} {b} ({label}): compile failed: {type(e).__name__}: "
                  f"{e}"[:200], flush=True)
    return out


def variant(built: Built, call: dict) -> str:
    """What ``last_call`` says ran, relative to the serial kernel: ``serial``, ``_par``,
    ``_tb_par/k4``, ..."""
    name = str(call.get("kernel", "?"))
    if name == built.serial_name:
        text = "serial"
    elif name.startswith(built.serial_name):
        text = name[len(built.serial_name):]
    else:
        text = name
    k = call.get("time_block", 1)
    return f"{text}/k{k}" if k and k > 1 else text


def kernel_runner(built: Built, bufs: Any, threads: int, params: dict[str, float],
                  seen: dict[str, dict], key: str) -> Runner:
    """Advance shared buffers (the threads=1 and threads=N runners of one kernel advance the
    same data: values do not matter for timing) and remember what ran."""
    k = built.kernel

    def run(nsteps: int) -> None:
        k.advance(bufs, nsteps, threads=threads, **params)
        seen[key] = dict(k.last_call)

    return run


def shared_buffers(built: Built, grid: S.Grid) -> Any:
    """The kernel's buffers on the very arrays the hand C columns use (same padded layout: one
    ghost cell per side), so every column streams the same physical memory: with separately
    allocated arrays, out of cache with two threads, even the C kernel (the hand OpenMP code
    printed from IR) read 0.85-1.15x of hand OpenMP from run to run."""
    bufs = built.kernel.prepare(grid.initial)
    if built.kernel.layout.ghost != grid.g or len(bufs.scratch) > 1:
        return bufs
    bufs.a, bufs.b = grid.cur.reshape(-1), grid.nxt.reshape(-1)
    if bufs.scratch:
        bufs.scratch = (grid.flux.reshape(-1),)
    return bufs


def without(built: dict[str, Built], failed: set[str]) -> dict[str, Built]:
    return {b: k for b, k in built.items() if b not in failed}


def reset(grid: S.Grid) -> None:
    grid.interior(grid.cur)[...] = grid.initial


def check(case: S.Case, grid: S.Grid, lib: ctypes.CDLL, omp_lib: ctypes.CDLL,
          kernels: dict[str, dict[str, Built]], threads: int, check_omp: bool) -> set[str]:
    """Each kernel (run with ``threads``) and the hand OpenMP code against serial hand C after
    2 steps; prints a WARNING per mismatch. Leaves ``grid`` at its initial state. Returns the
    backends whose run raised (they are not timed)."""
    failed = set()
    params = {p: S.PARAMS[p] for p in case.hand_params}
    ref = S.hand_runner(lib, case, grid)(2).copy()
    reset(grid)
    if check_omp:
        got = S.hand_runner(omp_lib, omp_case(case), grid)(2)
        if not np.allclose(got, ref, rtol=TOL, atol=TOL):
            print(f"# WARNING {case.name} {size_label(grid.shape)} hand OpenMP differs from "
                  f"hand C by {np.abs(got - ref).max():.2e}")
        reset(grid)
    for label, built in kernels.items():
        for b, bk in built.items():
            try:
                got = bk.kernel.run(grid.initial, 2, threads=threads, **params)
                diff = np.abs(np.asarray(got) - ref).max()
                ok = np.allclose(got, ref, rtol=TOL, atol=TOL)
            except Exception as e:  # report and go on
                ok, diff = False, float("nan")
                failed.add(b)
                print(f"# WARNING {case.name} {size_label(grid.shape)} {b} ({label}): run "
                      f"failed: {type(e).__name__}: {e}; not timed"[:200])
                continue
            if not ok:
                print(f"# WARNING {case.name} {size_label(grid.shape)} {b} ({label}, "
                      f"threads={threads}, {variant(bk, bk.kernel.last_call)}): differs from "
                      f"hand C by {diff:.2e}")
    return failed


# ---------------------------------------------------------------------- rows

@dataclasses.dataclass
class Row:
    case: str
    shape: tuple[int, ...]
    hand: float
    omp: float
    serial: dict[str, float]     # backend -> Mcell/s with threads=1
    threaded: dict[str, float]   # backend -> Mcell/s with threads=N
    ran: dict[str, str]          # backend -> variant at threads=N


def time_columns(case: S.Case, grid: S.Grid, lib: ctypes.CDLL, omp_lib: ctypes.CDLL,
                 built: dict[str, Built], threads: int, target: float, reps: int
                 ) -> tuple[dict[str, float], dict[str, str]]:
    """Mcell/s of hand C (``hand``), hand OpenMP (``omp``) and each kernel at threads=1 and
    threads=N (``<backend><t>``), all on the grid's arrays; and what each kernel ran at N."""
    params = {p: S.PARAMS[p] for p in case.hand_params}
    runners: dict[str, Runner] = {"hand": S.hand_runner(lib, case, grid),
                                  "omp": S.hand_runner(omp_lib, omp_case(case), grid)}
    seen: dict[str, dict] = {}
    for b, bk in built.items():
        bufs = shared_buffers(bk, grid)
        for t in (1, threads):
            runners[f"{b}{t}"] = kernel_runner(bk, bufs, t, params, seen, f"{b}{t}")
    rates = S.time_interleaved(runners, grid.cells, target, reps, block=BLOCK)
    return rates, {b: variant(bk, seen.get(f"{b}{threads}", {})) for b, bk in built.items()}


def measure(case: S.Case, grid: S.Grid, lib: ctypes.CDLL, omp_lib: ctypes.CDLL,
            built: dict[str, Built], threads: int, target: float, reps: int) -> Row:
    """Hand C, hand OpenMP, and each kernel at threads=1 and threads=N."""
    r, ran = time_columns(case, grid, lib, omp_lib, built, threads, target, reps)
    return Row(case.name, grid.shape, r["hand"], r["omp"],
               {b: r[f"{b}1"] for b in built}, {b: r[f"{b}{threads}"] for b in built}, ran)


def ratio_text(ratio: float) -> str:
    """Five characters whatever the size (a stalled OpenMP run can make a ratio 1000)."""
    if ratio < 10:
        return f"{ratio:5.2f}"
    return f"{ratio:5.1f}" if ratio < 100 else f"{ratio:5.0f}"


def mark(ratio: float, target: float | None) -> str:
    """``ratio`` with ``!`` when it misses ``target`` (blank when no target applies)."""
    flag = "!" if target is not None and ratio < target else " "
    return f"{ratio_text(ratio)}{flag}"


def print_header(backends: list[str], threads: int) -> None:
    cols = "".join(f" | {b + '1':>7s} {b + str(threads):>7s} {'t/omp':>6s} {'t/s':>6s} "
                   f"{'ran':11s}" for b in backends)
    print(f"{'case':20s} {'size':>9s} {'hand C':>7s} {'omp':>7s}{cols}")


def print_row(row: Row, backends: list[str], omp_target: bool = True) -> None:
    big = cells_of(row.shape) >= OMP_TARGET_CELLS and omp_target
    cols = ""
    for b in backends:
        if b not in row.threaded:
            cols += f" | {'n/a':>7s} {'':7s} {'':6s} {'':6s} {'':11s}"
            continue
        t1, tn = row.serial[b], row.threaded[b]
        cols += (f" | {t1 / 1e6:7.0f} {tn / 1e6:7.0f} "
                 f"{mark(tn / row.omp, OMP_TARGET if big else None)} "
                 f"{mark(tn / t1, SERIAL_TARGET)} {row.ran[b]:11s}")
    print(f"{row.case:20s} {size_label(row.shape):>9s} {row.hand / 1e6:7.0f} "
          f"{row.omp / 1e6:7.0f}{cols}", flush=True)


# ---------------------------------------------------------------------- crossover

@dataclasses.dataclass
class Ladder:
    case: str
    dim: int
    shapes: list[tuple[int, ...]]
    gains: dict[str, list[float]]  # "omp" or backend -> threads=N / threads=1 per size


def measure_ladder(case: S.Case, shapes: list[tuple[int, ...]], lib: ctypes.CDLL,
                   omp_lib: ctypes.CDLL, forced: dict[str, Built], threads: int,
                   target: float, reps: int) -> Ladder:
    """threads=N / threads=1 of the forced-parallel kernels (and hand OpenMP / hand C) at
    each size of the ladder."""
    gains: dict[str, list[float]] = {k: [] for k in ("omp", *forced)}
    for shape in shapes:
        r, ran = time_columns(case, S.Grid(case, shape), lib, omp_lib, forced, threads,
                              target, reps)
        gains["omp"].append(r["omp"] / r["hand"])
        for b in forced:
            gains[b].append(r[f"{b}{threads}"] / r[f"{b}1"])
            if ran[b] == "serial":
                print(f"# NOTE {case.name} {size_label(shape)} {b}: parallel_threshold=0 and "
                      "threads>1 still ran the serial kernel (no threaded variant)")
    return Ladder(case.name, len(shapes[0]), shapes, gains)


def crossover(shapes: list[tuple[int, ...]], gains: list[float]) -> int | None:
    """Index of the smallest size from which on every larger ladder size gains > 5 %
    (None: not even the largest)."""
    idx = None
    for i in range(len(gains) - 1, -1, -1):
        if gains[i] > GAIN:
            idx = i
        else:
            break
    return idx


def ladder_width(shapes: list[tuple[int, ...]]) -> int:
    return max(7, *(len(size_label(s)) for s in shapes))


def print_ladder(lad: Ladder) -> None:
    w = ladder_width(lad.shapes)
    for who, gains in lad.gains.items():
        i = crossover(lad.shapes, gains)
        cells = "".join(f" {g:{w - 1}.2f}{'>' if g > GAIN else ' '}" if g >= 0.1
                        else f" {g:{w - 1}.3f} " for g in gains)
        where = size_label(lad.shapes[i]) if i is not None else f"> {size_label(lad.shapes[-1])}"
        name = "hand OpenMP" if who == "omp" else who
        print(f"{lad.case:20s} {name:11s}{cells}  {where:>9s}", flush=True)


# ---------------------------------------------------------------------- summary

def summary(rows: list[Row], ladders: list[Ladder], backends: list[str], threads: int,
            quick: bool) -> None:
    defaults = {b: KernelConfig(backend=b).validated(1).parallel_threshold for b in backends}
    print(f"\n# summary (threads={threads}; targets of issue #5; ! = missed)")
    print(f"{'backend':8s} {'worst t/omp, >= 1e6 cells':>40s} {'worst t/s, where threaded':>40s}   "
          f"{'crossover 1-D':>13s} {'crossover 2-D':>13s}")
    suggestions: dict[str, dict[int, tuple[int | None, int | None]]] = {}
    for b in backends:
        big = [(r.threaded[b] / r.omp, r) for r in rows
               if b in r.threaded and cells_of(r.shape) >= OMP_TARGET_CELLS]
        # where the threaded variant ran (below the threshold both columns run the same
        # serial function, and their ratio is timing noise)
        every = [(r.threaded[b] / r.serial[b], r) for r in rows
                 if b in r.threaded and r.ran.get(b, "serial") != "serial"]
        texts = []
        for pairs, tgt in ((big, OMP_TARGET), (every, SERIAL_TARGET)):
            if not pairs:
                texts.append("n/a")
                continue
            v, r = min(pairs, key=lambda p: p[0])
            verdict = "PASS" if v >= tgt else "FAIL"
            texts.append(f"{v:.2f} {verdict} ({r.case.split(' ', 1)[1]} "
                         f"{size_label(r.shape)})")
        suggestions[b] = {}
        cross = []
        for dim in (1, 2):
            lads = [lad for lad in ladders if lad.dim == dim and b in lad.gains]
            if not lads:
                cross.append("n/a")
                continue
            # the threshold must hold for every stencil: the largest crossover of the dim
            idx = [crossover(lad.shapes, lad.gains[b]) for lad in lads]
            shapes = lads[0].shapes
            worst = None if any(i is None for i in idx) else max(idx)  # type: ignore[type-var]
            below = cells_of(shapes[worst - 1]) if worst else None
            at = cells_of(shapes[worst]) if worst is not None else None
            suggestions[b][dim] = (below, at)
            cross.append(size_label(shapes[worst]) if worst is not None
                         else f"> {size_label(shapes[-1])}")
        print(f"{b:8s} {texts[0]:>40s} {texts[1]:>40s}   {cross[0]:>13s} {cross[1]:>13s}")
    ref = [r.omp / r.hand for r in rows if cells_of(r.shape) >= OMP_TARGET_CELLS]
    if ref:
        slow = sum(x < 1 for x in ref)
        print(f"# reference: hand OpenMP / hand C at >= 1e6 cells {min(ref):.2f} .. "
              f"{max(ref):.2f}, below 1 on {slow} of {len(ref)} rows (below 1: the other cores "
              "were busy then, and threaded numbers of that row mean little)")
    print(f"# t/omp target >= {OMP_TARGET}, t/s target >= {SERIAL_TARGET}; crossover: the "
          f"smallest ladder size from which on threads={threads} (parallel variant forced) "
          f"beats threads=1 by > {100 * (GAIN - 1):.0f} %, largest over the stencils of a dim")
    print("# parallel_threshold: configured defaults "
          + ", ".join(f"{b} {v}" for b, v in defaults.items()) + " cells; suggested by this run:")
    for b in backends:
        default = defaults[b]
        assert default is not None
        parts = []
        for dim in (1, 2):
            if dim not in suggestions[b]:
                continue
            below, at = suggestions[b][dim]
            if at is None:
                parts.append(f"{dim}-D: above the largest ladder size (threads never paid "
                             "> 5 % up to it)")
                continue
            lo = below or 0
            rng = f"({lo}, {at}]" if lo else f"<= {at}"
            if default > at:
                verdict = f"default higher: gains > 5 % between {at} and {default} unused"
            elif default <= lo:
                verdict = "default lower: threads also run where they gain < 5 %"
            else:
                verdict = "default consistent"
            parts.append(f"{dim}-D {rng} cells, {verdict}")
        print(f"#   {b:6s} " + ("; ".join(parts) or "no crossover measured"))
    if quick:
        print("# --quick: coarse ladder (decades), so the crossover is known to a decade only")


# ---------------------------------------------------------------------- main

def numba_layer(threads: int) -> str:
    """numba's threading layer, found by running one tiny parallel function."""
    try:
        import numba

        @numba.njit(parallel=True, cache=False)
        def _probe(a):  # pragma: no cover - numba-compiled
            for i in numba.prange(a.shape[0]):
                a[i] = i
            return a

        _probe(np.zeros(4))
        return (f"numba {numba.__version__} threading layer {numba.threading_layer()}, "
                f"NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS}")
    except Exception as e:  # report and go on
        return f"numba threading layer unknown ({type(e).__name__}: {e})"[:120]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer sizes and repetitions")
    ap.add_argument("--only", default="", help="substring of the case names to run")
    ap.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=0, help="rounds (default 4; quick 2)")
    args = ap.parse_args(argv)
    backends = [b for b in args.backends.split(",") if b]
    for b in backends:
        if b not in BACKENDS:
            ap.error(f"unknown backend {b!r}: use {','.join(BACKENDS)}")
    nt = args.threads
    reps = args.reps or (2 if args.quick else 4)
    target = 0.015 if args.quick else 0.06
    ladder_target = 0.015 if args.quick else 0.03
    cases = [c for c in S._cases() if args.only.lower() in c.name.lower()]
    t_start = time.perf_counter()

    print(f"# mcgen threads benchmark  {time.strftime('%Y-%m-%d %H:%M:%S %Z')}  "
          f"threads={nt}")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, load average "
          f"{load}, python {platform.python_version()}, {numba_layer(nt)}")
    # thread placement and spin-waiting change threaded timings: say when they were set
    env = " ".join(f"{k}={v}" for k, v in sorted(os.environ.items())
                   if k.startswith(("OMP_", "GOMP_", "NUMBA_", "MCGEN_THREAD")))
    if env:
        print(f"# environment: {env}")
    with tempfile.TemporaryDirectory() as tmp:
        lib = S.build_hand_c(Path(tmp))
        omp_lib = build_omp_c(Path(tmp), nt)
        n_stream = 2_000_000 if args.quick else 10_000_000
        one, many = stream_bandwidths(lib, omp_lib, n_stream, reps, target)
        print(f"# STREAM copy out of cache (N={n_stream:.0e}): 1 thread {one / 1e9:.1f} GB/s, "
              f"{nt} threads (OpenMP) {many / 1e9:.1f} GB/s ({many / one:.2f}x); one-sweep "
              f"bound (16 B/cell) {one / 16e6:.0f} / {many / 16e6:.0f} Mcell/s")

        one_sweep = KernelConfig(time_block=1, threads=nt)
        forced_cfg = KernelConfig(threads=nt, parallel_threshold=0, time_block=1)
        default_cfg = KernelConfig(threads=nt)
        rows: list[Row] = []
        blocked_rows: list[Row] = []
        ladders: list[Ladder] = []
        kernels: dict[str, dict[str, dict[str, Built]]] = {}
        print(f"\n# one sweep per step (time_block=1). Mcell/s = million cell updates per "
              f"second; hand C = serial, omp = hand C with OpenMP on {nt} threads; <backend>1 "
              f"and <backend>{nt} = the kernel compiled with threads={nt} run with threads=1 "
              f"and {nt};")
        print(f"# t/omp = <backend>{nt} / omp (target >= {OMP_TARGET} at >= 1e6 cells, ! = "
              f"missed); t/s = <backend>{nt} / <backend>1 (target >= {SERIAL_TARGET}); ran = "
              f"last_call['kernel'] at threads={nt}, relative to the serial kernel")
        print_header(backends, nt)
        for case in cases:
            ks = {"one-sweep": compile_all(case, backends, one_sweep, "time_block=1"),
                  "forced": compile_all(case, backends, forced_cfg, "parallel_threshold=0")}
            if case.scheme.dim == 1 and not case.flux:
                ks["default"] = compile_all(case, backends, default_cfg, "default config")
            kernels[case.name] = ks
            for shape in main_sizes(case.scheme.dim, args.quick):
                grid = S.Grid(case, shape)
                bad = check(case, grid, lib, omp_lib, {"time_block=1": ks["one-sweep"]}, nt,
                            True)
                row = measure(case, grid, lib, omp_lib, without(ks["one-sweep"], bad), nt,
                              target, reps)
                rows.append(row)
                print_row(row, backends)

        blocked_cases = [c for c in cases if c.scheme.dim == 1 and not c.flux]
        if blocked_cases:
            print(f"\n# default options (temporal blocking on where chosen), 1-D linear "
                  f"stencils: a blocked kernel does several steps per sweep, so t/omp here "
                  f"is NOT the one-sweep target (shown unmarked); t/s = blocked threads={nt} / "
                  f"blocked threads=1")
            print_header(backends, nt)
            for case in blocked_cases:
                for shape in [(10**6,), (10**7,)]:
                    built = kernels[case.name]["default"]
                    grid = S.Grid(case, shape)
                    bad = check(case, grid, lib, omp_lib, {"default": built}, nt, False)
                    row = measure(case, grid, lib, omp_lib, without(built, bad), nt, target,
                                  reps)
                    blocked_rows.append(row)
                    print_row(row, backends, omp_target=False)

        print(f"\n# crossover: threads={nt} / threads=1 with the parallel variant forced "
              f"(parallel_threshold=0, time_block=1); hand OpenMP = omp / hand C; > marks a "
              f"gain > {100 * (GAIN - 1):.0f} %")
        for dim in (1, 2):
            dim_cases = [c for c in cases if c.scheme.dim == dim]
            if not dim_cases:
                continue
            shapes = ladder_sizes(dim, args.quick)
            w = ladder_width(shapes)
            print(f"{'case':20s} {'who':11s}" + "".join(f" {size_label(s):>{w}s} "
                                                         for s in shapes)
                  + f" {'crossover':>9s}")
            for case in dim_cases:
                forced = kernels[case.name]["forced"]
                for shape in shapes:
                    bad = check(case, S.Grid(case, shape), lib, omp_lib,
                                {"parallel_threshold=0": forced}, nt, False)
                    forced = without(forced, bad)
                lad = measure_ladder(case, shapes, lib, omp_lib, forced, nt, ladder_target,
                                     reps)
                ladders.append(lad)
                print_ladder(lad)

    summary(rows, ladders, backends, nt, args.quick)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# load average at the end {load}; wall {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
