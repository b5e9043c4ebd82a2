"""Dense NumPy operators the implicit-positivity tests compare mcgen's exact regions with."""

import numpy as np


def circulant(w: dict, n: int) -> np.ndarray:
    """The n x n periodic matrix of the stencil ``w`` (offset -> weight): w[k] at (j, j + k)."""
    M = np.zeros((n, n))
    for k, v in w.items():
        for j in range(n):
            M[j, (j + k) % n] += float(v)
    return M
