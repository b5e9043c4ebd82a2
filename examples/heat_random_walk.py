"""Heat from a symmetric random walk: walkers, the PDE and the exact Gaussian.

A lazy symmetric walk on h Z (jump +h or -h with probability 1/4 each, stay with 1/2, one step
per dt) has diffusion coefficient D = (p + q) h^2 / (2 dt) (known result 10 with p = q). Its
density obeys the FTCS heat scheme with r = D dt/h^2 = 1/4 exactly (the scheme's weights are the
walk's probabilities), and both approach the heat kernel exp(-x^2/(4 D t))/sqrt(4 pi D t).

Run:  python examples/heat_random_walk.py   (add --small for a reduced size)
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np
import sympy as sp

from mcgen.model import JumpProcess
from mcgen.model.catalogue.linear import ftcs_heat
from mcgen.run import Grid, Simulation, error_norms
from mcgen.run.exact_solutions import gaussian

SMALL = os.environ.get("MCGEN_EXAMPLE_SMALL") == "1" or "--small" in sys.argv
walk = JumpProcess({1: sp.Rational(1, 4), -1: sp.Rational(1, 4)}, time="discrete",
                   name="lazy symmetric walk")
model = ftcs_heat()


def heat_kernel(x: np.ndarray, t: float, D: float) -> np.ndarray:
    s0 = 1e-12  # result 20 with a vanishing initial width and unit mass
    return gaussian(x, t, 0.0, s0, D, amplitude=1 / (math.sqrt(2 * math.pi) * s0))


# what `mcgen run examples/heat_random_walk.py` uses: the heat kernel started at t = 0.01
params, bounds, bc, t_end = {"D": 1.0}, (-3.0, 3.0), "outflow", 0.1


def initial(x: np.ndarray) -> np.ndarray:
    return heat_kernel(x, 0.01, params["D"])


def main(small: bool = SMALL) -> dict[str, float]:
    from mcgen.codegen.montecarlo import compile_walkers

    D, t_end = 1.0, 0.1
    h = 0.04 if small else 0.02
    walkers = 20_000 if small else 200_000
    dt = h**2 / (4 * D)                       # r = D dt/h^2 = 1/4
    steps = int(round(t_end / dt))
    n_cells = 2 * int(round(3.0 / h)) + 1     # odd: a cell centred at x = 0
    half = n_cells * h / 2
    grid = Grid((n_cells,), ((-half, half),))
    x = grid.centres()[0]

    sim_mc = compile_walkers(walk, backend="numba")
    res = sim_mc.run(walkers, steps=steps, h=h, dt=dt, seed=7)
    xs = res.x[:, 0]
    var_exact = 2 * D * t_end                 # = steps * (p + q) h^2 exactly
    var_se = var_exact * math.sqrt(2 / walkers)
    idx = np.round(xs / h).astype(int) + n_cells // 2
    mc_density = np.bincount(idx, minlength=n_cells)[:n_cells] / (walkers * h)

    u0 = np.zeros(n_cells)
    u0[n_cells // 2] = 1 / h                  # unit mass in the centre cell
    pde = Simulation(model, grid, u0, bc="outflow", params={"D": D}, dt=dt,
                     backend="numpy" if small else "auto")
    pde.run(t_end)
    exact = heat_kernel(x, t_end, D)

    out = {
        "walker_variance": float(np.var(xs)), "exact_variance": var_exact,
        "variance_se": var_se,
        "walkers_vs_pde_l1": error_norms(mc_density, pde.u, h).l1,
        "pde_vs_exact_l1": error_norms(pde.u, exact, h).l1,
        "mc_noise_l1": math.sqrt(2 / math.pi) * float(np.sum(np.sqrt(pde.u * h / walkers))),
        "pde_mass": pde.mass(), "condition": pde.condition.describe(),
    }
    print(f"walk: D = (p+q) h^2/(2 dt) = {D}; r = D dt/h^2 = {D * dt / h**2}")
    print(f"enforced: {out['condition']}")
    print(f"variance of {walkers} walkers after {steps} steps: {out['walker_variance']:.5f} "
          f"(exact 2 D t = {var_exact:.5f}, standard error {var_se:.5f})")
    print(f"L1(walkers, PDE) = {out['walkers_vs_pde_l1']:.4f} (expected noise "
          f"{out['mc_noise_l1']:.4f});  L1(PDE, heat kernel) = {out['pde_vs_exact_l1']:.2e}")
    return out


if __name__ == "__main__":
    main()
