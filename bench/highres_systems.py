"""Euler-equation benchmarks of the system schemes (issue 14): Sod (N = 100, t = 0.2) L1 errors
against the exact Riemann solution per flux and reconstruction; minimum density and pressure on
the 1-2-3 (Einfeldt) and LeBlanc problems at the proved positivity bound; the Shu-Osher problem
against a fine-grid reference. Run: ``python bench/highres_systems.py [--no-shu-osher]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from mcgen.model.catalogue.euler import euler_equations
from mcgen.run.euler_exact import EulerRiemann
from mcgen.run.system_stepper import SystemStepper

RECON = [(None, "conserved", "first order"), ("minmod", "primitive", "MUSCL-minmod, primitive"),
         ("minmod", "characteristic", "MUSCL-minmod, characteristic"),
         ("mc", "characteristic", "MUSCL-MC, characteristic")]


def riemann_run(flux, lim, var, L, R, x0, t, n, bounds=(0.0, 1.0), gamma=1.4):
    st = SystemStepper(euler_equations(flux, lim, var, "ssprk22", gamma=gamma), n, bounds)
    W0 = np.where(st.x[None, :] < x0, np.array(L, float)[:, None], np.array(R, float)[:, None])
    extra = {"unsafe": True, "cfl": 0.5} if flux == "roe" else {}
    U = st.run(st.conserved(W0), t, **extra)
    return st, U


def sod() -> None:
    L, R, x0, t = (1.0, 0.0, 1.0), (0.125, 0.0, 0.1), 0.5, 0.2
    ref = EulerRiemann(L, R, 1.4, x0)
    print("\nSod, N = 100, t = 0.2, SSPRK(2,2); L1 error of the cell averages (rho, m, E)")
    print("| flux | reconstruction | rho | m | E | steps |\n|---|---|---|---|---|---|")
    for flux in ("hll", "hllc", "roe"):
        for lim, var, words in RECON:
            st, U = riemann_run(flux, lim, var, L, R, x0, t, 100)
            e = np.abs(U - ref.cell_averages(st.edges, t)).mean(axis=1)
            cfl = "CFL 0.5 (no proved bound)" if flux == "roe" else "proved bound"
            print(f"| {flux.upper()} | {words} | {e[0]:.3e} | {e[1]:.3e} | {e[2]:.3e} | "
                  f"{st.stats['steps']} ({cfl}) |")


def positivity() -> None:
    g = 5 / 3
    cases = [("1-2-3", (1.0, -2.0, 0.4), (1.0, 2.0, 0.4), 0.5, 0.15, (0.0, 1.0), 1.4, 100),
             ("LeBlanc", (1.0, 0.0, (g - 1) * 0.1), (1e-3, 0.0, (g - 1) * 1e-10), 3.0, 6.0,
              (0.0, 9.0), g, 400)]
    print("\nPositivity at the proved bound (SSPRK(2,2)): minimum density / pressure over the run")
    print("| problem | flux | reconstruction | min rho | min p |\n|---|---|---|---|---|")
    for name, L, R, x0, t, bd, gamma, n in cases:
        for flux in ("hll", "hllc", "roe"):
            for lim, var, words in RECON[::3]:
                try:
                    st, _ = riemann_run(flux, lim, var, L, R, x0, t, n, bd, gamma)
                    print(f"| {name} | {flux.upper()} | {words} | "
                          f"{st.stats['min_density']:.3e} | {st.stats['min_pressure']:.3e} |")
                except Exception as err:  # Roe on 1-2-3: negative pressure, reported
                    print(f"| {name} | {flux.upper()} | {words} | fails: "
                          f"{str(err).split(':')[-1].strip()} | |")


def shu_osher() -> None:
    def init(st):
        x = st.x
        W = np.where(x[None, :] < -4, np.array([[3.857143], [2.629369], [10.33333]]),
                     np.array([1 + 0.2 * np.sin(5 * x), 0 * x, 1 + 0 * x]))
        return st.conserved(W)

    t0 = time.perf_counter()
    fine = SystemStepper(euler_equations("hllc", "mc", "characteristic"), 1600, (-5.0, 5.0))
    Uf = fine.run(init(fine), 1.8)
    print(f"\nShu-Osher, t = 1.8; reference: HLLC MUSCL-MC characteristic, N = 1600 "
          f"({time.perf_counter() - t0:.0f} s)")
    print("| scheme | N | L1(rho) vs reference |\n|---|---|---|")
    for flux in ("hll", "hllc"):
        for lim, var, words in RECON:
            for n in (200, 400):
                st = SystemStepper(euler_equations(flux, lim, var), n, (-5.0, 5.0))
                U = st.run(init(st), 1.8)
                ref = Uf[0].reshape(n, -1).mean(axis=1)
                print(f"| {flux.upper()} {words} | {n} | "
                      f"{np.abs(U[0] - ref).mean() * 10:.3e} |")


if __name__ == "__main__":
    sod()
    positivity()
    if "--no-shu-osher" not in sys.argv:
        shu_osher()
