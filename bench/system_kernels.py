"""Generated Euler / shallow-water kernels (C, LLVM, numba; stage buffers in the IR) against the
hand-written C of bench/hand_systems.c (gcc -O3 -march=native) on the same data, for the same
scheme: 1-D Euler MUSCL-minmod (primitive) HLLC SSPRK(2,2) and 2-D shallow water MUSCL-minmod
(primitive) HLL SSPRK(2,2), both periodic with the Zhang-Shu scaling and the wave-speed maximum
(the results agree to rounding: tests/codegen/test_system_kernels_hand_c.py); and the 3-D
dimension-by-dimension scalar kernel (HighResNDKernel) against bench/hand_highres3d.c.

The machine may be shared: compare the ratios of one run, and repeat. Small default sizes (the
run takes well under a minute once the kernels are cached); ``--n``, ``--n2``, ``--steps`` change
them. Every kernel is serial and runs in the calling thread, so by default each call is timed
by that thread's CPU time (``--clock cpu``): on a loaded machine a call that is preempted is
not charged for the time it waited, where wall time (``--clock wall``) is. On a quiet machine
the two agree. Run: ``python bench/system_kernels.py``.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sympy as sp

from mcgen.codegen.highres_nd_frontend import HighResNDKernel
from mcgen.codegen.system_frontend import SystemKernel
from mcgen.model import scalar_law
from mcgen.model.catalogue.euler import euler_equations, shallow_water
from mcgen.model.catalogue.highres import muscl
from mcgen.run.system_stepper import SystemStepper

HERE = Path(__file__).resolve().parent
D = ctypes.POINTER(ctypes.c_double)
CACHE = Path(tempfile.gettempdir()) / "mcgen-bench-system-kernels"  # numba/C reuse it


def build() -> ctypes.CDLL:
    lib = Path(tempfile.mkdtemp()) / "hand_systems.so"
    subprocess.run(["gcc", "-O3", "-march=native", "-shared", "-fPIC",
                    str(HERE / "hand_systems.c"), "-o", str(lib), "-lm"], check=True)
    out = ctypes.CDLL(str(lib))
    out.euler1d_muscl_hllc_ssprk2.restype = ctypes.c_double
    out.sw2d_muscl_hll_ssprk2.restype = ctypes.c_double
    return out


CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.thread_time, "wall": time.perf_counter}
CLOCK = CLOCKS["cpu"]
TARGET = 0.9  # issue 14: generated kernels at >= 0.9x the hand-written C of the same scheme
RATIOS: list[tuple[str, str, float]] = []  # (scheme, backend, generated / hand C speed)


def interleaved(fns: dict[str, object], rounds: int) -> dict[str, float]:
    """The best of ``rounds`` timings of each function, the functions taking turns in every
    round (so a change in the machine's load hits all of them alike)."""
    best = {name: float("inf") for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = CLOCK()
            fn()  # type: ignore[operator]
            best[name] = min(best[name], CLOCK() - t0)
    return best


def report(label: str, size: str, cells: int, times: dict[str, float]) -> None:
    hand = times["hand C"]
    for name, t in times.items():
        ratio = "1" if name == "hand C" else f"{hand / t:.2f}"
        if name != "hand C":
            RATIOS.append((label.split(" (")[0], name, hand / t))
            ratio += "" if hand / t >= TARGET else " !"
        print(f"| {label} | {size} | {name} | {cells / t / 1e6:.2f} | {ratio} |")


def summary() -> None:
    """One line per backend: its speed relative to hand C on each scheme."""
    print(f"\n# generated / hand C speed (target >= {TARGET}; ! = below):")
    for backend in dict.fromkeys(b for _, b, _ in RATIOS):
        cells = [f"{scheme.split(' MUSCL')[0]} {r:.2f}{'' if r >= TARGET else ' !'}"
                 for scheme, b, r in RATIOS if b == backend]
        print(f"#   {backend:5s}: " + "; ".join(cells))


def euler1d(n: int) -> tuple[SystemStepper, np.ndarray]:
    st = SystemStepper(euler_equations("hllc", "minmod", "primitive", "ssprk22"), n,
                       boundary="periodic")
    x = st.x
    return st, st.conserved(np.array([1 + 0.2 * np.sin(2 * np.pi * x), 0.5 + 0 * x,
                                      1 + 0.1 * np.cos(2 * np.pi * x)]))


def sw2d(n: int) -> tuple[SystemStepper, np.ndarray]:
    st = SystemStepper(shallow_water("hll", "minmod", "primitive", "ssprk22", dim=2), (n, n),
                       ((0.0, 1.0), (0.0, 1.0)), boundary="periodic")
    X, Y = np.meshgrid(*st.axes, indexing="ij")
    return st, st.conserved(np.array([1 + 0.2 * np.sin(2 * np.pi * (X + Y)),
                                      0.3 * np.cos(2 * np.pi * Y), 0.2 + 0 * X]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="cells of the 1-D Euler run")
    ap.add_argument("--n2", type=int, default=256, help="cells per axis of the 2-D run")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--backends", default="c,llvm,numba")
    ap.add_argument("--n3", type=int, default=64, help="cells per axis of the 3-D run")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="cpu",
                    help="cpu: the calling thread's CPU time (default); wall: elapsed time")
    a = ap.parse_args()
    global CLOCK
    CLOCK = CLOCKS[a.clock]
    lib = build()
    backends = a.backends.split(",")
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    print(f"# mcgen system kernels vs hand C  {stamp}"
          f"\n# {platform.machine()}, {os.cpu_count()} cpus, load average "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}; clock: {a.clock} "
          f"({'thread CPU time' if a.clock == 'cpu' else 'elapsed time'}), best of {a.rounds} "
          "interleaved rounds")
    print("| scheme | size | backend | Mcell-steps/s | generated / hand C speed |\n"
          "|---|---|---|---|---|")

    st, U0 = euler1d(a.n)
    lam = 0.1
    dt = lam * st.dx
    bufs = [np.zeros((3, a.n + 4)) for _ in range(4)]

    def hand1() -> None:
        bufs[0][:, 2:-2] = U0
        lib.euler1d_muscl_hllc_ssprk2(*[b.ctypes.data_as(D) for b in bufs], ctypes.c_long(a.n),
                                      ctypes.c_long(a.steps), ctypes.c_double(lam))

    fns: dict[str, object] = {"hand C": hand1}
    for backend in backends:
        k = SystemKernel(st.scheme, backend, CACHE)
        k.run(U0[:, :64], 1, dt, (st.dx,))  # JIT / load outside the timing
        fns[backend] = lambda k=k: k.run(U0, a.steps, dt, (st.dx,))
    report("1-D Euler MUSCL-minmod HLLC SSPRK(2,2)", f"{a.n} x {a.steps}", a.n * a.steps,
           interleaved(fns, a.rounds))

    st2, V0 = sw2d(a.n2)
    n2 = a.n2
    dt2 = 0.08 * st2.spacing[0]
    bufs2 = [np.zeros((3, n2 + 4, n2 + 4)) for _ in range(5)]

    def hand2() -> None:
        bufs2[0][:, 2:-2, 2:-2] = V0.transpose(0, 2, 1)
        lib.sw2d_muscl_hll_ssprk2(*[b.ctypes.data_as(D) for b in bufs2], ctypes.c_long(n2),
                                  ctypes.c_long(n2), ctypes.c_long(a.steps),
                                  ctypes.c_double(dt2 / st2.spacing[0]),
                                  ctypes.c_double(dt2 / st2.spacing[1]))

    fns = {"hand C": hand2}
    for backend in backends:
        k = SystemKernel(st2.scheme, backend, CACHE)
        k.run(V0[:, :16, :16], 1, dt2, st2.spacing)
        fns[backend] = lambda k=k: k.run(V0, a.steps, dt2, st2.spacing)
    report("2-D shallow water MUSCL-minmod HLL SSPRK(2,2)", f"{n2}x{n2} x {a.steps}",
           n2 * n2 * a.steps, interleaved(fns, a.rounds))
    scalar3d(a, backends)
    summary()
    print(f"# load average at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def scalar3d(a: argparse.Namespace, backends: list[str]) -> None:
    """3-D MUSCL-minmod SSPRK(2,2) advection, dimension by dimension, vs bench/hand_highres3d.c."""
    lib = Path(tempfile.mkdtemp()) / "hand_highres3d.so"
    subprocess.run(["gcc", "-O3", "-march=native", "-shared", "-fPIC",
                    str(HERE / "hand_highres3d.c"), "-o", str(lib), "-lm"], check=True)
    fn = ctypes.CDLL(str(lib)).muscl3d_minmod_ssprk2
    u = sp.Symbol("u")
    axis = muscl(scalar_law(u, u), "minmod", "godunov", "ssprk22", data_range=(0, 1))
    n = a.n3
    x = (np.arange(n) + 0.5) / n
    X, Y, Z = np.meshgrid(x, x, x, indexing="ij")
    u0 = 0.5 + 0.4 * np.sin(2 * np.pi * X) * np.cos(2 * np.pi * (Y + Z))
    lam = 0.2
    buf, s1, s2 = (np.zeros((n + 4,) * 3) for _ in range(3))

    def hand() -> None:
        buf[2:-2, 2:-2, 2:-2] = u0.T
        fn(buf.ctypes.data_as(D), s1.ctypes.data_as(D), s2.ctypes.data_as(D),
           *[ctypes.c_long(n)] * 3,
           ctypes.c_long(a.steps), *[ctypes.c_double(lam)] * 3)

    fns: dict[str, object] = {"hand C": hand}
    for backend in backends:
        k = HighResNDKernel([axis] * 3, backend, CACHE)
        k.run(u0[:8, :8, :8], 1, [lam] * 3)
        fns[backend] = lambda k=k: k.run(u0, a.steps, [lam] * 3)
    report("3-D MUSCL-minmod SSPRK(2,2) advection (dim by dim)", f"{n}^3 x {a.steps}",
           n**3 * a.steps, interleaved(fns, a.rounds))


if __name__ == "__main__":
    main()
