"""Data for the training tests: snapshots made by independent NumPy updates (np.roll)."""

import numpy as np


def roll_run(weights: dict, u0: np.ndarray, steps: int) -> np.ndarray:
    """Snapshots of u^{n+1}_j = sum_k w_k u^n_{j+k} on a periodic grid (time first)."""
    us = [np.asarray(u0, dtype=float)]
    for _ in range(steps):
        u = us[-1]
        us.append(sum(w * np.roll(u, -np.array(k), axis=tuple(range(u.ndim)))
                      if isinstance(k, tuple) else w * np.roll(u, -k) for k, w in weights.items()))
    return np.array(us)


def rough_data(n: int = 120, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.arange(n) / n
    return np.sin(2 * np.pi * x) + 0.5 * np.sin(6 * np.pi * x + 1) + 0.2 * rng.standard_normal(n)


def heat_data() -> tuple[np.ndarray, float, float]:
    """FTCS heat snapshots with r = 3/10, D = 1 (dx = 0.1)."""
    dx, D, r = 0.1, 1.0, 0.3
    dt = r * dx ** 2 / D
    return roll_run({-1: r, 0: 1 - 2 * r, 1: r}, rough_data(), 30), dx, dt
