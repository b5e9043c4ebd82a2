"""Temporal blocking and threading of 1-D, 2-D and 3-D stencils, measured in one run.

For 1-D upwind and Lax-Wendroff, per backend (numba, C), prints:

* the STREAM copy bandwidth (hand C, ``bench/hand_stencils.c``) out of cache and the one-sweep
  bound it implies (16 bytes per cell update: read cur, write nxt);
* cell updates per second of the one-sweep-per-step kernel out of cache (N = 1e7) and in cache
  (N = 1e4), their ratio R, the temporally blocked kernel's rate out of cache (k, B from the
  rule in ``mcgen/codegen/temporal_blocking.py``), and blocked / one-sweep bound against the
  target min(2, 0.8 R) of issue 5 (blocked / measured one-sweep rate too);
* threaded (2 threads) against serial at N = 1e5, 1e6 and 1e7, for the kernel ``advance`` picks
  (blocked when the rule says so).

The columns of a table take turns within each round and the best of ``--reps`` rounds is kept,
so load that comes and goes hits every column alike; ``uptime`` is printed before and after.
Every blocked result is checked bitwise against the one-sweep kernel first.

Then the same table (one-sweep bound, R, blocked rate, target) for 2-D five-point heat, 2-D
donor cell and 3-D seven-point heat on square (cubic) periodic grids of ``--big`` and
``--small`` cells, each blocked in both 2-D/3-D forms (the wavefront along axis 0 and the
overlapped tiles, k and B as ``advance`` chooses them); each blocked row prints its ratio to the
one-sweep bound, to the one-sweep kernel, and its in-tile rate (recomputed halo cells counted)
to the in-cache one-sweep rate, and a TARGET line per scheme says whether the best blocked rate
reaches min(2, 0.8 R) x the bound. ``--nd-only`` runs only these rows.

    python bench/temporal_blocking.py            # about 1-2 min here
    python bench/temporal_blocking.py --reps 5 --backends c
    python bench/temporal_blocking.py --sweep    # rate at N = 1e7 for several (k, B) instead
    python bench/temporal_blocking.py --nd-only --backends c --big 3.6e7 --reps 2  # 6000^2
    python bench/temporal_blocking.py --quick --cpu-time   # loaded machine: CPU-time rates
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sympy as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from mcgen.codegen import compile  # noqa: E402
from mcgen.codegen.config import KernelConfig  # noqa: E402
from mcgen.model.read import Field  # noqa: E402
from mcgen.model.scheme import Scheme  # noqa: E402


def _stencils_module():
    spec = importlib.util.spec_from_file_location("bench_stencils", HERE / "stencils.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_stencils"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def schemes() -> list[tuple[Scheme, dict[str, float]]]:
    u, nu = Field("u"), sp.Symbol("nu")
    upwind = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, name="bench_tb_upwind")
    lw = Scheme(("u",), 1, {"u": u[0] - nu / 2 * (u[1] - u[-1])
                            + nu**2 / 2 * (u[1] - 2 * u[0] + u[-1])}, name="bench_tb_lw")
    return [(upwind, {"nu": 0.5}), (lw, {"nu": 0.5})]


def rate(kernel, bufs, nsteps: int, params: dict, threads: int, cpu: bool = False) -> float:
    """Cell updates per second of one advance() call of nsteps steps (``cpu``: per second of
    this thread's CPU time, which leaves out the time other processes held the core: serial
    calls on a loaded machine only)."""
    clock = time.thread_time if cpu else time.perf_counter
    t = clock()
    kernel.advance(bufs, nsteps, threads=threads, **params)
    return int(np.prod(bufs.shape)) * nsteps / (clock() - t)


def best_of(columns: dict[str, tuple], reps: int, cpu: bool = False) -> dict[str, float]:
    """columns: name -> (kernel, bufs, nsteps, params, threads); rounds take turns."""
    best = {name: 0.0 for name in columns}
    for _ in range(reps):
        for name, (k, b, n, p, th) in columns.items():
            best[name] = max(best[name], rate(k, b, n, p, th, cpu and th == 1))
    return best


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--big", type=float, default=1e7)
    ap.add_argument("--small", type=float, default=1e4)
    ap.add_argument("--backends", default="numba,c")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sweep", action="store_true", help="rate for several (k, B) at N=big")
    ap.add_argument("--nd-only", action="store_true", help="only the 2-D rows")
    ap.add_argument("--nd-tiles", default="",
                    help="extra 2-D rows for these k:B, e.g. 16:256,32:400 (with the chosen one)")
    ap.add_argument("--nd-wave", default="",
                    help="extra 2-D wavefront rows for these k:B, e.g. 32:958")
    ap.add_argument("--no-3d", action="store_true", help="leave out the 3-D heat rows")
    ap.add_argument("--nd-threads", type=int, default=0,
                    help="2-D rows also on this many threads (wavefront and one sweep, wall time)")
    ap.add_argument("--cpu-time", action="store_true",
                    help="serial rates per second of thread CPU time (a loaded machine)")
    ap.add_argument("--quick", action="store_true",
                    help="2-D rows only, C, 2000^2, 2 rounds (< 1 min)")
    opts = ap.parse_args()
    if opts.quick:
        opts.nd_only, opts.backends, opts.big, opts.reps = True, "c", 4e6, 2
    if opts.sweep:
        sweep(opts)
        return
    big, small = int(opts.big), int(opts.small)
    print(f"# load before: {uptime()}")
    st = _stencils_module()
    with tempfile.TemporaryDirectory() as tmp:
        lib = st.build_hand_c(Path(tmp))
        clock = time.thread_time if opts.cpu_time else time.perf_counter
        copy_out = st.stream_copy_bandwidth(lib, big, opts.reps, 0.3, clock)
        copy_in = st.stream_copy_bandwidth(lib, small, opts.reps, 0.3, clock)
    bound = copy_out / 16
    how = ", per second of CPU time" if opts.cpu_time else ""
    print(f"# STREAM copy (hand C{how}): out of cache (N={big:.0e}) {copy_out / 1e9:.1f} GB/s, in "
          f"cache (N={small:.0e}) {copy_in / 1e9:.1f} GB/s; one-sweep bound (16 B/cell) "
          f"{bound / 1e6:.0f} Mcell/s")
    cache = Path(tempfile.gettempdir()) / "mcgen_bench_tb"
    rng = np.random.default_rng(0)
    x_big, x_small = rng.random(big), rng.random(small)
    if opts.nd_only:
        nd_rows(opts, bound, cache)
        print(f"\n# load after: {uptime()}")
        return
    for scheme, params in schemes():
        for backend in opts.backends.split(","):
            kern = compile(scheme, backend=backend, unsafe=True, threads=opts.threads,
                           config=KernelConfig(cache_dir=cache))
            plain = kern.with_blocking(1)
            k, tile = kern.blocking_for((big,))
            # bitwise check first (and the JIT of the blocked kernel out of the timings)
            y = x_big[:200_003]
            ref = plain.run(y, 2 * k + 1, **params)
            blocked = kern.with_blocking(k, tile).run(y, 2 * k + 1, **params)
            same = np.array_equal(ref, blocked)
            nbig = 4 * k  # whole sweeps; ~0.3-0.5 s per call here
            nsmall = max(2, int(4e8 / small) // (2 * k) * 2 * k)
            cols = {
                "one-sweep N=big": (plain, plain.prepare(x_big), nbig, params, 1),
                "blocked N=big": (kern, kern.prepare(x_big), nbig, params, 1),
                "one-sweep N=small": (plain, plain.prepare(x_small), nsmall, params, 1),
            }
            for _, (kk, b, _, p, th) in cols.items():  # warm (JIT, first touch)
                kk.advance(b, 2, threads=th, **p)
            r = best_of(cols, opts.reps)
            ratio_r = r["one-sweep N=small"] / r["one-sweep N=big"]
            target = min(2.0, 0.8 * ratio_r)
            print(f"\n## {scheme.name} [{backend}]  k={k} B={tile}  bitwise equal: {same}")
            for name, val in r.items():
                print(f"  {name:<22} {val / 1e6:8.0f} Mcell/s")
            print(f"  R = in-cache / out-of-cache one-sweep = {ratio_r:.2f}; target min(2, 0.8R) "
                  f"= {target:.2f}")
            print(f"  blocked / one-sweep bound = {r['blocked N=big'] / bound:.2f}   "
                  f"(blocked / measured one-sweep = "
                  f"{r['blocked N=big'] / r['one-sweep N=big']:.2f}; one-sweep / bound = "
                  f"{r['one-sweep N=big'] / bound:.2f})")
            for n in (10**5, 10**6, big):
                x = x_big[:n]
                steps = max(2 * k, int(2e8 / n) // (2 * k) * 2 * k)
                tcols = {"serial": (kern, kern.prepare(x), steps, params, 1),
                         f"{opts.threads} threads": (kern, kern.prepare(x), steps, params,
                                                     opts.threads)}
                for _, (kk, b, _, p, th) in tcols.items():
                    kk.advance(b, 2, threads=th, **p)
                tr = best_of(tcols, opts.reps)
                kern.advance(tcols[f"{opts.threads} threads"][1], steps, threads=opts.threads,
                             **params)
                used = kern.last_call["kernel"]
                vals = list(tr.values())
                print(f"  threads N={n:.0e}: serial {vals[0] / 1e6:6.0f}, {opts.threads} threads "
                      f"{vals[1] / 1e6:6.0f} Mcell/s, ratio {vals[1] / vals[0]:.2f} "
                      f"(kernel {used})")
    nd_rows(opts, bound, cache)
    print(f"\n# load after: {uptime()}")


def _heat3():
    from mcgen.model.read import Field

    w, nu = Field("u", dim=3), sp.Symbol("nu")
    return Scheme(("u",), 3, {"u": w[0, 0, 0] + nu * (
        w[1, 0, 0] + w[-1, 0, 0] + w[0, 1, 0] + w[0, -1, 0] + w[0, 0, 1] + w[0, 0, -1]
        - 6 * w[0, 0, 0])}, name="bench_tb_heat3")


#: k of the 3-D rows (automatic blocking is off in 3-D; B by the rule for this k)
ND3_STEPS = {"wavefront": 8, "tiles": 2}


def halo_work(form: str, k: int, b: int, shape: tuple[int, ...], g: int = 1) -> float:
    """Cell updates a blocked sweep computes per useful one (the recomputed halos): sub-step
    s of k computes tiles (or strips) of b + 2 (k - 1 - s) g cells per cut axis; the
    wavefront also computes 2 (k - 1 - s) g extra rows of axis 0 when it is periodic."""
    cut = shape if form == "tiles" else shape[1:]
    total = 0.0
    for s in range(k):
        w = 2 * (k - 1 - s) * g
        cells = 1.0
        for n in cut:
            tiles = -(-n // b)
            cells *= (n + tiles * w) / n
        if form == "wavefront":
            cells *= (shape[0] + w) / shape[0]
        total += cells
    return total / k


def nd_rows(opts: argparse.Namespace, bound: float, cache: Path) -> None:
    """2-D heat, 2-D donor cell and 3-D heat, periodic: one-sweep out of / in cache, R, the
    blocked kernel out of cache in both forms (wavefront, overlapped tiles; (k, B) as
    ``advance`` chooses them, and any --nd-tiles / --nd-wave), the target min(2, 0.8 R) x the
    one-sweep bound, and per blocked row its ratios to the bound, to the one-sweep kernel and
    (in-tile rate, the recomputed halo cells counted) to the in-cache one-sweep rate."""
    from mcgen.codegen.temporal_blocking import ND_TILE_BYTES, blocked_buffer_sizes
    from mcgen.model.catalogue.linear import donor_cell_2d, ftcs_heat_2d

    rng = np.random.default_rng(0)
    extra_tiles = [tuple(int(v) for v in kb.split(":")) for kb in opts.nd_tiles.split(",") if kb]
    extra_wave = [tuple(int(v) for v in kb.split(":")) for kb in opts.nd_wave.split(",") if kb]
    cases = [(ftcs_heat_2d(), {"r_x": 0.2, "r_y": 0.2}),
             (donor_cell_2d(), {"nu_x": 0.3, "nu_y": 0.4})]
    if not opts.no_3d:
        cases.append((_heat3(), {"nu": 0.1}))
    for scheme, params in cases:
        dim = scheme.dim
        side_big, side_small = round(opts.big ** (1 / dim)), round(opts.small ** (1 / dim))
        x_big = rng.random((side_big,) * dim)
        x_small = rng.random((side_small,) * dim)
        for backend in opts.backends.split(","):
            kern = compile(scheme, backend=backend, unsafe=True, bc="periodic",
                           config=KernelConfig(cache_dir=cache))
            plain = kern.with_blocking(1)
            forms = {}
            for form in ("wavefront", "tiles"):
                kf = kern.with_blocking(0, 0, form)
                if dim == 3:  # automatic blocking is off in 3-D (AUTO_3D): the best k measured
                    kf = kern.with_blocking(ND3_STEPS[form], 0, form)
                forms[form] = (kf, *kf.blocking_for(x_big.shape))
            # bitwise check first (and the blocked kernels built out of the timings)
            y = x_big[tuple(slice(0, m) for m in ((61, 47) if dim == 2 else (19, 17, 15)))]
            same = {}
            for form, (kf, k, b) in forms.items():
                ref = plain.run(y, 2 * k + 1, **params)
                kk = kf.with_blocking(k, min(b, 5 if dim == 3 else 16), form)
                same[form] = np.array_equal(ref, kk.run(y, 2 * k + 1, **params))
            steps = 2 * max(k for _, k, _ in forms.values())
            nsmall = max(2, int(4e8 / x_small.size) // steps * steps)
            cols = {"one-sweep N=big": (plain, plain.prepare(x_big), steps, params, 1)}
            rows = [(form, k, b) for form, (_, k, b) in forms.items()]
            rows += [("tiles", k, b) for k, b in extra_tiles if dim == 2]
            rows += [("wavefront", k, b) for k, b in extra_wave if dim == 2]
            for form, k, b in rows:
                kf = kern.with_blocking(k, b, form)
                cols[f"{form} k={k} B={b}"] = (kf, kf.prepare(x_big), steps, params, 1)
            cols["one-sweep N=small"] = (plain, plain.prepare(x_small), nsmall, params, 1)
            nt = opts.nd_threads
            if nt > 1 and dim == 2:  # the wavefront and one sweep per step on nt threads
                kt = compile(scheme, backend=backend, unsafe=True, bc="periodic", threads=nt,
                             config=KernelConfig(cache_dir=cache, parallel_threshold=0))
                k_t, b_t = kt.blocking_for(x_big.shape, threads=nt)
                cols[f"one-sweep N=big, {nt} threads"] = (kt.with_blocking(1), kt.prepare(x_big),
                                                         steps, params, nt)
                cols[f"wavefront k={k_t} B={b_t}, {nt} threads"] = (kt, kt.prepare(x_big),
                                                                     steps, params, nt)
            for _, (kk, b, _, p, th) in cols.items():  # warm (JIT, first touch)
                kk.advance(b, 2, threads=th, **p)
            r = best_of(cols, opts.reps, opts.cpu_time)
            small_rate, big_rate = r["one-sweep N=small"], r["one-sweep N=big"]
            ratio_r = small_rate / big_rate
            target = min(2.0, 0.8 * ratio_r)
            print(f"\n## {scheme.name} [{backend}] {side_big}^{dim} (in cache {side_small}^{dim})"
                  f"  bitwise equal: " + ", ".join(f"{f} {v}" for f, v in same.items()))
            print(f"  {'one-sweep N=big':<26} {big_rate / 1e6:8.0f} Mcell/s  "
                  f"x{big_rate / bound:.2f} bound")
            print(f"  {'one-sweep N=small':<26} {small_rate / 1e6:8.0f} Mcell/s  "
                  f"(R = in-cache / out-of-cache = {ratio_r:.2f})")
            best = ("", 0.0)
            for form, k, b in rows:
                name = f"{form} k={k} B={b}"
                val = r[name]
                kf = cols[name][0]
                nbytes = sum(blocked_buffer_sizes(kf.program, kf.config, k, b, 1)) * 8
                in_tile = val * halo_work(form, k, b, x_big.shape) / small_rate
                print(f"  {name:<26} {val / 1e6:8.0f} Mcell/s  x{val / bound:.2f} bound, "
                      f"x{val / big_rate:.2f} one-sweep, in-tile x{in_tile:.2f} in-cache; "
                      f"buffers {nbytes / 2**20:.2f} MiB ({nbytes / ND_TILE_BYTES:.2f} x budget)")
                if val > best[1]:
                    best = (name, val)
            threaded = [name for name in r if name.endswith(" threads")]
            for name in threaded:
                print(f"  {name:<38} {r[name] / 1e6:8.0f} Mcell/s  x{r[name] / bound:.2f} bound "
                      f"(one thread's STREAM), x{r[name] / r[threaded[0]]:.2f} {threaded[0]}")
            met = "MET" if best[1] >= target * bound else "NOT MET"
            print(f"  TARGET blocked >= min(2, 0.8 R) x bound = {target:.2f} x {bound / 1e6:.0f} "
                  f"= {target * bound / 1e6:.0f} Mcell/s; best blocked ({best[0]}) "
                  f"{best[1] / 1e6:.0f} = x{best[1] / bound:.2f} bound: {met} "
                  f"(in-cache one-sweep {small_rate / 1e6:.0f} = x{small_rate / bound:.2f} bound)")


SWEEP = ((1, 0), (8, 2030), (16, 2030), (16, 16000), (32, 4000), (32, 8000), (32, 16000),
         (32, 32000), (64, 32000))


def sweep(opts: argparse.Namespace) -> None:
    """Mcell/s at N = big for each (k, B) of SWEEP ((1, 0): one sweep per step)."""
    print(f"# load before: {uptime()}")
    cache = Path(tempfile.gettempdir()) / "mcgen_bench_tb"
    x = np.random.default_rng(0).random(int(opts.big))
    for scheme, params in schemes():
        for backend in opts.backends.split(","):
            kern = compile(scheme, backend=backend, unsafe=True,
                           config=KernelConfig(cache_dir=cache))
            cols = {}
            for k, b in SWEEP:
                kk = kern.with_blocking(k, b)
                bufs = kk.prepare(x)
                kk.advance(bufs, 2, **params)
                cols[f"k={k} B={b}"] = (kk, bufs, 64, params, 1)
            r = best_of(cols, opts.reps)
            print(f"{scheme.name} [{backend}]: " + ", ".join(f"{n} {v / 1e6:.0f}"
                                                           for n, v in r.items()))
    print(f"# load after: {uptime()}")


if __name__ == "__main__":
    main()
