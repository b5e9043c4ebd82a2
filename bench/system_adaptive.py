"""Adaptive system kernels against the NumPy stepper on Sod's shock tube: 1-D Euler MUSCL-minmod
(primitive) HLLC SSPRK(2,2), outflow, to t = 0.2 with dt = 0.9 x the proved positivity bound
of each step's own data (restarts included), the run ``Simulation`` makes when it chooses dt.

Columns: the NumPy ``SystemStepper.run(cfl=...)``, the adaptive kernel
(``SystemKernel(adaptive=True).run_adaptive``) on C and LLVM, and the fixed-dt C kernel taking
the same number of steps at their mean dt (what choosing dt per step costs on top). The
functions take turns in every round and each keeps its best time; the machine may be shared,
so compare the ratios of one run. Run: ``python bench/system_adaptive.py [--n 200 1000]``.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np

from mcgen.codegen.system_frontend import SystemKernel
from mcgen.model.catalogue.euler import euler_equations
from mcgen.run.system_stepper import SystemStepper

SOD = euler_equations("hllc", "minmod", "primitive", "ssprk22")
T_END = 0.2


def interleaved(fns: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    best = {name: float("inf") for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[200, 1000])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    kernels = {b: SystemKernel(SOD, b, boundary="outflow", adaptive=True) for b in ("c", "llvm")}
    fixed = SystemKernel(SOD, "c", boundary="outflow")
    print(f"# load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}, "
          f"{os.cpu_count()} cpus; Sod, {SOD.describe()}, outflow, t = {T_END}, "
          "cfl = 0.9 x bound")
    print("| cells | steps (restarts) | NumPy s | C adaptive s | LLVM adaptive s | C fixed dt s "
          "| NumPy / C | NumPy / LLVM | C adaptive / fixed | max diff |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in args.n:
        st = SystemStepper(SOD, n, boundary="outflow")
        U0 = st.conserved(np.where(st.x < 0.5, [[1.0], [0.0], [1.0]],
                                   [[0.125], [0.0], [0.1]]))
        cfl = 0.9 * st.bound
        ref = st.run(U0, T_END, cfl=cfl)
        steps, restarts = st.stats["steps"], st.stats["restarts"]
        got = kernels["c"].run_adaptive(U0, T_END, cfl, st.spacing)
        assert len(kernels["c"].last_dts) == steps
        mean_dt = T_END / steps
        times = interleaved({
            "numpy": lambda st=st, U0=U0, cfl=cfl: st.run(U0, T_END, cfl=cfl),
            "c": lambda st=st, U0=U0, cfl=cfl: kernels["c"].run_adaptive(U0, T_END, cfl,
                                                                          st.spacing),
            "llvm": lambda st=st, U0=U0, cfl=cfl: kernels["llvm"].run_adaptive(U0, T_END, cfl,
                                                                                st.spacing),
            "fixed": lambda st=st, U0=U0, steps=steps, dt=mean_dt:
                fixed.run(U0, steps, dt, st.spacing, unsafe=True)}, args.rounds)
        print(f"| {n} | {steps} ({restarts}) | {times['numpy']:.3f} | {times['c']:.4f} | "
              f"{times['llvm']:.4f} | {times['fixed']:.4f} | "
              f"{times['numpy'] / times['c']:.0f}x | {times['numpy'] / times['llvm']:.0f}x | "
              f"{times['c'] / times['fixed']:.2f} | {np.abs(got - ref).max():.1e} |")


if __name__ == "__main__":
    main()
