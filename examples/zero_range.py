"""A totally asymmetric zero-range process (g = 1): exact ring current, flux rho/(1 + rho) and
the fan it opens.

1. Monte Carlo on a ring against the exact stationary current N/(N + L - 1) (the uniform measure
   on compositions: P(site occupied) = N/(N + L - 1));
2. the hydrodynamic limit with its proof: rho_t + (rho/(1 + rho))_x = 0 (known result 17);
3. Monte Carlo from the step rho = 2 | 1/2 (geometric local equilibrium) against the exact
   fan between speeds f'(2) = 1/9 and f'(1/2) = 4/9.

Run:  python examples/zero_range.py      (add --small for a reduced size)
"""

from __future__ import annotations

import os
import sys

import numpy as np
import sympy as sp

from mcgen.model.catalogue.particles import zero_range
from mcgen.run.exact_solutions import riemann
from mcgen.run.montecarlo import block_average, particle_profile, ring_current

SMALL = os.environ.get("MCGEN_EXAMPLE_SMALL") == "1" or "--small" in sys.argv
model = zero_range()


def main(small: bool = SMALL) -> dict[str, float]:
    from mcgen.analysis.particle_limit import hydrodynamic_limit

    ring = ring_current(model, sites=10, particles=8, t_burn=20.0,
                        t_measure=200.0 if small else 2000.0, replicas=200)
    print(f"ring L = {ring.sites}, N = {ring.particles}: current {ring.measured:.4f} +- "
          f"{ring.stderr:.4f} (exact N/(N+L-1) = {ring.exact:.4f})")
    d = hydrodynamic_limit(model)
    law = d.result
    rho = law.fields[0]
    flux_ok = sp.simplify(law.flux[0] - rho / (1 + rho)) == 0
    print(f"derived flux {law.flux[0]} (status {d.status}); equals rho/(1+rho): {flux_ok}")

    n, reps, block, t = (100, 400, 10, 2.0) if small else (300, 1000, 10, 2.0)
    left, right = 2.0, 0.5
    prof = particle_profile(model, lambda x: np.where(x < 0, left, right), (-1.0, 2.0), t,
                            sites_per_unit=n, replicas=reps, block=block)
    exact = riemann(law, left, right)
    xs = -1.0 + (np.arange(3 * n) + 0.5) / n
    ex_blocks = block_average(exact(xs, t), block)
    win = (prof.x > -0.3) & (prof.x < 1.6)  # the ring's wrap-around shock stays left
    l1 = float(np.sum(np.abs(prof.density - ex_blocks)[win]) * block / n)
    moved = float(np.sum(np.abs(block_average(exact(xs, 0.0), block) - ex_blocks)[win])
                  * block / n)
    print(f"step {left}|{right} at t = {t}: L1(Monte Carlo, exact fan) = {l1:.4f} "
          f"(the fan itself moves {moved:.4f} of mass; {reps} replicas, n = {n})")
    return {"ring_current": ring.measured, "ring_exact": ring.exact, "ring_se": ring.stderr,
            "flux_ok": float(flux_ok), "fan_l1": l1, "moved": moved,
            "stderr": float(np.mean(prof.stderr[win])), "window": 1.9, "n": n, "t": t}


if __name__ == "__main__":
    main()
