"""Upwind, Lax-Friedrichs and Lax-Wendroff for u_t + a u_x = 0: proofs, runs, errors.

For each scheme mcgen proves its stability region (von Neumann, L2) and its positivity region,
then runs it at 0.9 of the largest stable step on smooth data (observed order beside the proved
one) and on a step (where first-order linear schemes converge at about 1/2 in L1).

Run:  python examples/advection_schemes.py          (add --small for a reduced size)
      mcgen derive examples/advection_schemes.py    (the proofs for `model`, the upwind scheme)
"""

from __future__ import annotations

import os
import sys

import numpy as np

from mcgen.model.catalogue.linear import lax_friedrichs, lax_wendroff, upwind
from mcgen.run import Simulation, refinement_study
from mcgen.run.errors import proved_order
from mcgen.run.exact_solutions import advected

SMALL = os.environ.get("MCGEN_EXAMPLE_SMALL") == "1" or "--small" in sys.argv
model = upwind()  # what `mcgen derive/generate/run` pick up from this file
params = {"a": 1.0}
bounds = (0.0, 1.0)
t_end = 0.5


def initial(x: np.ndarray) -> np.ndarray:
    return np.sin(2 * np.pi * x)


def step(x: np.ndarray) -> np.ndarray:
    return (np.abs(x - 0.5) < 0.25).astype(float)


def solver(scheme, u0, backend: str = "auto"):
    def solve(n: int):
        sim = Simulation(scheme, (n, bounds), u0, params=params, backend=backend)
        sim.run(t_end)
        x = sim.grid.centres()[0]
        return sim.u, advected(u0, x, t_end, params["a"], period=bounds), 1.0 / n
    return solve


def main(small: bool = SMALL) -> dict[str, dict[str, float]]:
    from mcgen.analysis.positivity import positivity_region
    from mcgen.analysis.von_neumann import von_neumann

    backend = "numpy" if small else "auto"  # small runs skip kernel compilation
    smooth_n = [32, 64, 128] if small else [64, 128, 256, 512]
    step_n = [100, 200, 400] if small else [200, 400, 800, 1600]
    out: dict[str, dict[str, float]] = {}
    for scheme in (upwind(), lax_friedrichs(), lax_wendroff()):
        order, _ = proved_order(scheme)       # from the modified equation (consistency)
        l2 = von_neumann(scheme).result
        pos = positivity_region(scheme).result
        print(f"\n== {scheme.name}")
        print(f"   L2 stability : {l2.describe()}")
        print(f"   positivity   : {pos.describe()}")
        print(f"   proved order : {order}")
        smooth = refinement_study(solver(scheme, initial, backend), smooth_n,
                                  name=f"{scheme.name}, sine",
                                  expected_order=order, expected_reason="proved order")
        disc = refinement_study(solver(scheme, step, backend), step_n, name=f"{scheme.name}, step",
                                expected_order=0.5 if order == 1 else 2 / 3,
                                expected_reason="discontinuous data")
        print(smooth.markdown())
        print(disc.markdown())
        out[scheme.name] = {"smooth_order": smooth.final_order, "step_order": disc.final_order,
                            "proved_order": order, "smooth_error": smooth.rows[-1].errors.l1}
    return out


if __name__ == "__main__":
    main()
