"""Convergence tables of the high-resolution schemes on smooth advection (issue 14).

u_t + u_x = 0 on [0, 1], periodic, u0 = sin(2 pi x) (cell averages), t = 1 (WENO5: t = 1/2);
L1 error of the cell averages and observed order for N = 40 .. 640. WENO5 with SSPRK(3,3) at
dt = 0.5 dx^(5/3) (so the third-order time error stays below the space error, as in Jiang and
Shu 1996); the TVD schemes at their proved bound. Run: ``python bench/highres_convergence.py``
(``--quick``: N = 40 .. 160; ``--weno``: the WENO5 table only).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import sympy as sp

from mcgen.model import scalar_law
from mcgen.model.catalogue.highres import flux_limited, muscl, weno5
from mcgen.run.highres_stepper import HighResStepper

u = sp.Symbol("u")
ADV = scalar_law(u, u)
SIZES = (40, 80, 160, 320, 640)
SCHEMES = [
    ("MUSCL-minmod, Godunov, SSPRK(2,2)", muscl(ADV, "minmod", "godunov", "ssprk22"), None),
    ("MUSCL-van Leer, Godunov, SSPRK(2,2)", muscl(ADV, "van_leer", "godunov", "ssprk22"), None),
    ("MUSCL-MC, Godunov, SSPRK(2,2)", muscl(ADV, "mc", "godunov", "ssprk22"), None),
    ("MUSCL-Koren, Godunov, SSPRK(3,3)", muscl(ADV, "koren", "godunov", "ssprk33"), None),
    ("flux-limited superbee, SSPRK(3,3)", flux_limited(ADV, "superbee", "ssprk33"), None),
    ("flux-limited van Leer, SSPRK(10,4)", flux_limited(ADV, "van_leer", "ssprk104"), None),
    ("WENO5, SSPRK(3,3)", weno5(ADV), lambda h: 0.5 * h ** (5 / 3)),
]


def error(scheme, n: int, dt_of_dx, t_end: float = 1.0) -> float:
    st = HighResStepper(scheme, n, data_range=(-1, 1))
    u0 = st.cell_averages(lambda x: np.sin(2 * np.pi * x))
    uT = st.run(u0, t_end) if dt_of_dx is None else st.run(u0, t_end, dt=dt_of_dx(st.dx),
                                                           unsafe=True)
    exact = st.cell_averages(lambda x: np.sin(2 * np.pi * (x - t_end)))
    return float(np.abs(uT - exact).mean())


def main() -> None:
    sizes = SIZES if "--quick" not in sys.argv else SIZES[:3]
    only_weno = "--weno" in sys.argv
    for name, scheme, dt_of_dx in SCHEMES:
        if only_weno and dt_of_dx is None:
            continue
        t0 = time.perf_counter()
        t_end = 1.0 if dt_of_dx is None else 0.5
        errs = [error(scheme, n, dt_of_dx, t_end) for n in sizes]
        print(f"\n{name}, t = {t_end}  ({time.perf_counter() - t0:.1f} s)")
        print("| N | L1 error | order |\n|---|---|---|")
        for i, (n, e) in enumerate(zip(sizes, errs, strict=True)):
            order = "" if i == 0 else f"{np.log2(errs[i - 1] / e):.2f}"
            print(f"| {n} | {e:.3e} | {order} |")


if __name__ == "__main__":
    main()
