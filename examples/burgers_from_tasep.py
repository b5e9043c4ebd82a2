"""Burgers from TASEP: the particle system's exact ring current, its hydrodynamic limit and the
fan of the step initial condition.

1. Monte Carlo on a small ring against the exact stationary current N(L - N)/(L(L - 1))
   (known result 21);
2. the hydrodynamic limit rho_t + (rho(1 - rho))_x = 0, derived with its proof (result 14);
   with u = 1 - 2 rho it is inviscid Burgers u_t + (u^2/2)_x = 0;
3. Monte Carlo from the step rho = 1 | 0 against the exact fan rho = (1 - x/t)/2 (result 15).

Run:  python examples/burgers_from_tasep.py      (add --small for a reduced size)
"""

from __future__ import annotations

import os
import sys

import numpy as np
import sympy as sp

from mcgen.model.catalogue.particles import tasep
from mcgen.run.exact_solutions import riemann
from mcgen.run.montecarlo import block_average, particle_profile, ring_current

SMALL = os.environ.get("MCGEN_EXAMPLE_SMALL") == "1" or "--small" in sys.argv
model = tasep()


def main(small: bool = SMALL) -> dict[str, float]:
    from mcgen.analysis.particle_limit import hydrodynamic_limit

    ring = ring_current(model, sites=12, particles=5, t_burn=20.0,
                        t_measure=100.0 if small else 1000.0, replicas=200)
    print(f"ring of {ring.sites} sites, {ring.particles} particles: current "
          f"{ring.measured:.4f} +- {ring.stderr:.4f} (exact N(L-N)/(L(L-1)) = {ring.exact:.4f})")

    d = hydrodynamic_limit(model)
    law = d.result
    print(d.render("md"))
    rho, u = law.fields[0], sp.Symbol("u")
    # u = 1 - 2 rho turns the flux into Burgers': check f(rho) = (1 - u^2)/4
    burgers = sp.simplify(law.flux[0].subs(rho, (1 - u) / 2) - (1 - u**2) / 4) == 0
    print(f"u = 1 - 2 rho maps the law to Burgers u_t + (u^2/2)_x = 0: {burgers}")

    n, reps, block, t = (100, 200, 10, 0.5) if small else (400, 400, 10, 0.5)
    prof = particle_profile(model, lambda x: (x < 0).astype(float), (-1.5, 1.5), t,
                            sites_per_unit=n, replicas=reps, block=block)
    exact = riemann(law, 1, 0)
    xs = -1.5 + (np.arange(3 * n) + 0.5) / n
    ex_blocks = block_average(exact(xs, t), block)
    win = np.abs(prof.x) <= 1
    l1 = float(np.sum(np.abs(prof.density - ex_blocks)[win]) * block / n)
    print(f"step 1|0 at t = {t}: L1(Monte Carlo, exact fan) = {l1:.4f} with {reps} replicas "
          f"and n = {n} ({prof.events_per_second:.3g} moves/s)")
    return {"ring_current": ring.measured, "ring_exact": ring.exact, "ring_se": ring.stderr,
            "burgers_map": float(burgers), "fan_l1": l1, "n": n, "t": t,
            "stderr": float(np.mean(prof.stderr[win]))}


if __name__ == "__main__":
    main()
