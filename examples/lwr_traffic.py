"""LWR traffic at a red light: a queue grows backward, then dissolves as a fan.

Density rho in [0, 1] (1 = bumper to bumper), flux rho (1 - rho) (speed 1 - rho, units where the
free speed and the jam density are 1). Cars at density rho_0 meet a red light at x = 0, where the
density is 1: the entropy solution is a shock moving backward at speed 1 - rho_0 - 1 = -rho_0
(the end of the queue). When the light turns green the queue (1 on the left, 0 beyond the light)
opens as a fan rho = (1 - x/t)/2 (known result 15).

Run:  python examples/lwr_traffic.py            (add --small for a reduced size)
      mcgen run examples/lwr_traffic.py --plot traffic.png
"""

from __future__ import annotations

import os
import sys

import numpy as np
import sympy as sp

from mcgen.model import Dirichlet, Outflow, scalar_law
from mcgen.run import Simulation, error_norms
from mcgen.run.exact_solutions import riemann

SMALL = os.environ.get("MCGEN_EXAMPLE_SMALL") == "1" or "--small" in sys.argv
rho = sp.Symbol("rho", real=True)
model = scalar_law(rho, rho * (1 - rho), name="LWR traffic")
rho_0 = 0.3
bounds = (-2.0, 1.0)
t_end = 1.0
bc = ((Outflow(), Dirichlet(1)),)  # the red light: the road is full at the stop line


def initial(x: np.ndarray) -> np.ndarray:
    return np.where(x < 0, rho_0, 1.0)


def main(small: bool = SMALL) -> dict[str, float]:
    n = 150 if small else 600
    backend = "numpy" if small else "auto"
    sim = Simulation(model, (n, bounds), initial, bc=bc, data_range=(0.0, 1.0), backend=backend)
    sim.run(t_end)
    x = sim.grid.centres()[0]
    red = riemann(model, rho_0, 1.0)
    (shock,) = red.waves
    inside = (x > -1.8) & (x < -0.05)
    err_red = error_norms(sim.u, red(x, t_end), sim.grid.spacing[0], inside).l1
    # the end of the queue: the first cell (from the left) past the mid density
    queue_end = float(x[np.argmax(sim.u > (rho_0 + 1) / 2)])

    green = riemann(model, 1.0, 0.0)
    sim2 = Simulation(model, (n, (-1.5, 1.5)), lambda x: np.where(x < 0, 1.0, 0.0),
                      bc="outflow", data_range=(0.0, 1.0), backend=backend)
    sim2.run(0.5)
    x2 = sim2.grid.centres()[0]
    err_green = error_norms(sim2.u, green(x2, 0.5), sim2.grid.spacing[0]).l1
    out = {"shock_speed": float(shock.speed), "queue_end": queue_end,
           "queue_end_exact": float(shock.speed) * t_end, "red_l1": err_red,
           "green_l1": err_green, "dx": sim.grid.spacing[0]}
    print(f"enforced: {sim.condition.describe()}")
    print(f"red light: the end of the queue moves at {out['shock_speed']:+.3f} (exact "
          f"1 - rho_0 - 1 = {-rho_0}); at t = {t_end} it is at {queue_end:.3f} "
          f"(exact {out['queue_end_exact']:.3f}); L1 error {err_red:.4f}")
    print(f"green light: fan (1 - x/t)/2, L1 error at t = 0.5: {err_green:.4f}")
    return out


if __name__ == "__main__":
    main()
