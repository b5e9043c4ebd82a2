"""Monte Carlo kernels: attempted moves per second, generated vs hand-written C vs NumPy.

Two workloads, each the same algorithm everywhere (the same counter-based SplitMix64 streams, so
the generated kernels and the hand-written C produce identical results, which is checked):

- independent walkers: a discrete-time walk, +1 with probability 0.3, -1 with 0.3, one jump
  attempt per step, one RNG stream per walker;
- random-sequential TASEP on a ring (L sites, N = L/2 particles, rate 1): one attempt picks a
  site uniformly and moves its particle right if the site ahead is empty.

Generated kernels: the shared numba, C and LLVM backends and the IEEE numba printer of
``mcgen.codegen.montecarlo``. Hand-written C: compiled at run time with ``gcc -O3
-march=native``. NumPy: vectorised over walkers (one step at a time) and over replicas (one
attempt at a time), with NumPy's own generator. Timings are the best of several interleaved
repeats, in wall time and in the calling thread's CPU time (the kernels are serial; on a
machine shared with other work CPU time is the steadier measure); ratios are against the best
hand-written C of the same run.

Run: ``python bench/montecarlo.py`` (``--quick`` for a smaller run).
"""

from __future__ import annotations

import argparse
import ctypes
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mcgen.codegen import rng  # noqa: E402
from mcgen.codegen.montecarlo import compile_particles, compile_walkers  # noqa: E402
from mcgen.model import JumpProcess, ParticleSystem  # noqa: E402

HAND_C = r"""
#include <stdint.h>
#define GOLDEN 0x9E3779B97F4A7C15ULL
#define STREAM_OFFSET 0x632BE59BD9B4E019ULL
static inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static inline uint64_t key_of(uint64_t seed, uint64_t stream) {
    return mix64(seed ^ mix64(stream + STREAM_OFFSET));
}
void walkers(int64_t *restrict pos, int64_t n, int64_t steps, uint64_t seed,
             double p_up, double p_down) {
    const double c0 = p_up, c1 = p_up + p_down;
    for (int64_t w = 0; w < n; w++) {
        uint64_t s = key_of(seed, (uint64_t)w);
        int64_t q = pos[w];
        for (int64_t k = 0; k < steps; k++) {
            s += GOLDEN;
            double u = (double)(mix64(s) >> 11) * 0x1p-53;
            q += (u < c0) ? 1 : ((u < c1) ? -1 : 0);
        }
        pos[w] = q;
    }
}
/* the same walk with the choice written branch-free by hand (gcc keeps the ternary a branch) */
void walkers_branchfree(int64_t *restrict pos, int64_t n, int64_t steps, uint64_t seed,
                        double p_up, double p_down) {
    const double c0 = p_up, c1 = p_up + p_down;
    for (int64_t w = 0; w < n; w++) {
        uint64_t s = key_of(seed, (uint64_t)w);
        int64_t q = pos[w];
        for (int64_t k = 0; k < steps; k++) {
            s += GOLDEN;
            double u = (double)(mix64(s) >> 11) * 0x1p-53;
            q += (int64_t)(u < c0) - (int64_t)((u >= c0) & (u < c1));
        }
        pos[w] = q;
    }
}
void tasep(int64_t *restrict occ, int64_t R, int64_t L, int64_t attempts, uint64_t seed) {
    for (int64_t r = 0; r < R; r++) {
        uint64_t s = key_of(seed, (uint64_t)r);
        int64_t *o = occ + r * L;
        for (int64_t a = 0; a < attempts; a++) {
            s += GOLDEN;
            int64_t i = (int64_t)(((mix64(s) >> 32) * (uint64_t)L) >> 32);
            int64_t j = i + 1 == L ? 0 : i + 1;
            if (o[i] == 1 && o[j] == 0) { o[i] = 0; o[j] = 1; }
        }
    }
}
/* the same TASEP with the update written branch-free by hand (m = 0 or 1) */
void tasep_branchfree(int64_t *restrict occ, int64_t R, int64_t L, int64_t attempts,
                      uint64_t seed) {
    for (int64_t r = 0; r < R; r++) {
        uint64_t s = key_of(seed, (uint64_t)r);
        int64_t *o = occ + r * L;
        for (int64_t a = 0; a < attempts; a++) {
            s += GOLDEN;
            int64_t i = (int64_t)(((mix64(s) >> 32) * (uint64_t)L) >> 32);
            int64_t j = i + 1 == L ? 0 : i + 1;
            int64_t ni = o[i], nj = o[j];
            int64_t m = (ni == 1) & (nj == 0);
            o[i] = ni - m;
            o[j] = nj + m;
        }
    }
}
"""


def build_hand_c(folder: Path) -> ctypes.CDLL:
    src, lib = folder / "hand_mc.c", folder / "hand_mc.so"
    src.write_text(HAND_C)
    subprocess.run(["gcc", "-O3", "-march=native", "-std=c99", "-fPIC", "-shared", "-o",
                    str(lib), str(src)], check=True)
    dll = ctypes.CDLL(str(lib))
    dll.walkers.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint64,
                            ctypes.c_double, ctypes.c_double]
    dll.walkers_branchfree.argtypes = dll.walkers.argtypes
    dll.tasep.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                          ctypes.c_uint64]
    dll.tasep_branchfree.argtypes = dll.tasep.argtypes
    return dll


def numpy_walkers(n: int, steps: int, seed: int) -> np.ndarray:
    g = np.random.default_rng(seed)
    pos = np.zeros(n, np.int64)
    for _ in range(steps):
        u = g.random(n)
        pos += (u < 0.3).astype(np.int64) - ((u >= 0.3) & (u < 0.6))
    return pos


def numpy_tasep(R: int, L: int, attempts: int, seed: int) -> np.ndarray:
    g = np.random.default_rng(seed)
    occ = np.zeros((R, L), np.int8)
    occ[:, : L // 2] = 1
    rows = np.arange(R)
    block = 256
    for start in range(0, attempts, block):
        sites = g.integers(0, L, size=(min(block, attempts - start), R))
        for i in sites:
            j = i + 1
            j[j == L] = 0
            move = (occ[rows, i] == 1) & (occ[rows, j] == 0)
            occ[rows[move], i[move]] = 0
            occ[rows[move], j[move]] = 1
    return occ


def timed(fn) -> tuple[float, float]:
    """(wall, thread CPU) seconds of fn()."""
    t0, c0 = time.perf_counter(), time.thread_time()
    fn()
    return time.perf_counter() - t0, time.thread_time() - c0


def keep_best(rates: dict[str, list[float]], name: str, moves: int, wall: float,
              cpu: float) -> None:
    old = rates.setdefault(name, [0.0, 0.0])
    old[0] = max(old[0], moves / wall)
    old[1] = max(old[1], moves / cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    n_walk, steps = (20_000, 200) if args.quick else (100_000, 500)
    R, L, T = (2, 1000, 1000) if args.quick else (4, 1000, 5000)
    seed = 12345
    backends = ("numba", "c", "llvm", "numba_ieee")

    with tempfile.TemporaryDirectory() as tmp:
        dll = build_hand_c(Path(tmp))

        # ------------------------------------------------------------ walkers
        walk = JumpProcess({1: 0.3, -1: 0.3})
        sims = {b: compile_walkers(walk, moments=False, backend=b) for b in backends}
        ref = None
        for b, sim in sims.items():
            got = sim.run(n_walk, steps=steps, seed=seed).positions[:, 0]
            ref = got if ref is None else ref
            assert np.array_equal(got, ref), f"walkers on {b} differ"
        pos = np.zeros(n_walk, np.int64)
        dll.walkers(pos.ctypes.data, n_walk, steps, seed, 0.3, 0.3)
        same_walk = np.array_equal(pos, ref)
        rate: dict[str, list[float]] = {}
        moves = n_walk * steps
        for _ in range(args.repeats):
            for b, sim in sims.items():
                r = sim.run(n_walk, steps=steps, seed=seed)
                keep_best(rate, b, r.events, r.seconds, r.cpu_seconds)
            for name, fn in (("hand C", dll.walkers),
                             ("hand C, branch-free", dll.walkers_branchfree)):
                pos[:] = 0
                keep_best(rate, name, moves, *timed(
                    lambda fn=fn: fn(pos.ctypes.data, n_walk, steps, seed, 0.3, 0.3)))
                same_walk &= np.array_equal(pos, ref)
        few = max(steps // 10, 1)
        keep_best(rate, "NumPy", n_walk * few, *timed(lambda: numpy_walkers(n_walk, few, seed)))
        report("independent walkers", f"{n_walk} walkers x {steps} steps", rate, same_walk)

        # ------------------------------------------------------------ TASEP
        tasep = ParticleSystem("exclusion", {1: 1}, update="random_sequential")
        psims = {b: compile_particles(tasep, currents=False, backend=b) for b in backends}
        psims["numba (with currents)"] = compile_particles(tasep, currents=True)
        ref = None
        for b, sim in psims.items():
            got = sim.run(R, times=[T], L=L, initial=L // 2, seed=seed).state["occ"]
            ref = got if ref is None else ref
            assert np.array_equal(got, ref), f"TASEP on {b} differs"
        occ = np.zeros((R, L), np.int64)
        occ[:, : L // 2] = 1
        dll.tasep(occ.ctypes.data, R, L, L * T, seed)
        same_tasep = np.array_equal(occ, ref)
        prate: dict[str, list[float]] = {}
        for _ in range(args.repeats):
            for b, sim in psims.items():
                r = sim.run(R, times=[T], L=L, initial=L // 2, seed=seed)
                keep_best(prate, b, r.events, r.seconds, r.cpu_seconds)
            for name, fn in (("hand C", dll.tasep), ("hand C, branch-free", dll.tasep_branchfree)):
                occ[:] = 0
                occ[:, : L // 2] = 1
                keep_best(prate, name, R * L * T,
                          *timed(lambda fn=fn: fn(occ.ctypes.data, R, L, L * T, seed)))
                same_tasep &= np.array_equal(occ, ref)
        Rn, att = 1000, 200 if args.quick else 1000
        keep_best(prate, "NumPy", Rn * att, *timed(lambda: numpy_tasep(Rn, L, att, seed)))
        report("random-sequential TASEP, ring", f"{R} replicas x L={L} x {T} sweeps", prate,
               same_tasep)
    print(f"\nRNG: SplitMix64 counter-based, {rng.__name__}; numpy {np.__version__}")


def report(title: str, size: str, rate: dict[str, list[float]], same: bool) -> None:
    cw = max(v[0] for k, v in rate.items() if k.startswith("hand C"))
    cc = max(v[1] for k, v in rate.items() if k.startswith("hand C"))
    print(f"\n{title} ({size}); generated == hand C bit for bit: {same}")
    print(f"  {'kernel':26s} {'Mmoves/s wall':>14s} {'vs C':>6s} {'Mmoves/s CPU':>13s} "
          f"{'vs C':>6s}")
    for k, (w, c) in rate.items():
        print(f"  {k:26s} {w / 1e6:14.1f} {w / cw:5.2f}x {c / 1e6:13.1f} {c / cc:5.2f}x")


if __name__ == "__main__":
    main()
