"""A Kushner-Dupuis chain for the Ornstein-Uhlenbeck process dX = -theta X dt + sigma dW.

The chain (known result 13, fixed-dt variant: p(+-h) = (sigma^2/2 + h b^{+-}) dt/h^2, a
self-loop for the rest, dt <= h^2/max Q) is simulated by a generated walker kernel. Its
time-weighted stationary variance is compared with

* the chain's own exact stationary variance (detailed balance of the birth-death chain:
  pi_{k+1}/pi_k = p_+(k)/p_-(k+1)), which the Monte Carlo must match to sampling error, and
* sigma^2/(2 theta), the variance of the diffusion, which the chain approaches as h -> 0
  (first order in h: the upwind drift adds numerical diffusion h|b|/2).

Run:  python examples/ou_kushner_dupuis.py     (add --small for a reduced size)
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np

from mcgen.model.catalogue.kushner_dupuis import kushner_dupuis_1d
from mcgen.model.symbols import x as X

SMALL = os.environ.get("MCGEN_EXAMPLE_SMALL") == "1" or "--small" in sys.argv
theta, sigma = 1.0, 1.0
model = kushner_dupuis_1d(-theta * X, sigma, fixed_dt=True)
HALF_WIDTH = 4.0  # reflecting walls at +-4 (5.7 stationary standard deviations)


def chain_variance(h: float) -> float:
    """Exact stationary variance of the chain on the lattice h*[-K, K] (reflecting)."""
    K = int(round(HALF_WIDTH / h))
    k = np.arange(-K, K + 1)
    x = k * h
    up = sigma**2 / 2 + h * np.maximum(-theta * x, 0)     # times dt/h^2, which cancels
    down = sigma**2 / 2 + h * np.maximum(theta * x, 0)
    logpi = np.concatenate([[0.0], np.cumsum(np.log(up[:-1]) - np.log(down[1:]))])
    pi = np.exp(logpi - logpi.max())
    pi /= pi.sum()
    mean = float(np.sum(pi * x))
    return float(np.sum(pi * (x - mean) ** 2))


def main(small: bool = SMALL) -> dict[str, float]:
    from mcgen.codegen.montecarlo import compile_walkers

    sim = compile_walkers(model, boundary="reflecting")
    h = 0.1
    q_max = sigma**2 + h * theta * HALF_WIDTH
    dt = h**2 / q_max                     # the largest step with a non-negative self-loop
    walkers, steps = (1000, 10_000) if small else (4000, 40_000)
    burn = 5.0 / theta
    K = int(round(HALF_WIDTH / h))
    res = sim.run(walkers, steps=steps, h=h, dt=dt, lo=-K, hi=K, seed=11, burn_in=burn)
    mc_var = float(res.time_variance()[0])
    # sampling error: each walker gives about (T - burn) * 2 theta independent samples
    n_eff = walkers * (steps * dt - burn) * 2 * theta
    se = chain_variance(h) * math.sqrt(2 / n_eff)
    target = sigma**2 / (2 * theta)
    biases = {hh: chain_variance(hh) - target for hh in (0.2, 0.1, 0.05, 0.025)}
    order = math.log(biases[0.05] / biases[0.025]) / math.log(2)
    print(f"chain: {model.describe()}")
    print(f"h = {h}, dt = {dt:.5f} = h^2/max Q; {walkers} walkers x {steps} steps")
    print(f"time-weighted variance (Monte Carlo) {mc_var:.5f} +- {se:.5f}; chain exact "
          f"{chain_variance(h):.5f}; sigma^2/(2 theta) = {target}")
    for hh, b in biases.items():
        print(f"  h = {hh:<6} chain variance - sigma^2/(2 theta) = {b:+.5f}")
    print(f"observed order of the chain's bias in h: {order:.3f}")
    return {"mc_variance": mc_var, "se": se, "chain_variance": chain_variance(h),
            "target": target, "bias_order": order, "bias_h": biases[h]}


if __name__ == "__main__":
    main()
