"""Dense NumPy operators the implicit-positivity tests compare mcgen's exact regions with."""

import numpy as np


def circulant(w: dict, n: int) -> np.ndarray:
    """The n x n periodic matrix of the stencil ``w`` (offset -> weight): w[k] at (j, j + k)."""
    M = np.zeros((n, n))
    for k, v in w.items():
        for j in range(n):
            M[j, (j + k) % n] += float(v)
    return M


def periodic_row_mp(A: dict, B: dict, n: int, dps: int = 60) -> list:
    """Row 0 of A^{-1} B on n periodic cells in mpmath at ``dps`` digits (by the discrete
    Fourier transform: entry m is (1/n) sum_l B(w^l) / A(w^l) w^(-lm), w = e^(2 pi i / n)),
    so that entries far below double precision keep their signs; None when A is singular
    on the grid."""
    import mpmath

    with mpmath.workdps(dps):
        w = [mpmath.expjpi(mpmath.mpf(2 * k) / n) for k in range(n)]

        def sym(W: dict, l: int):
            return mpmath.fsum(mpmath.mpf(sp_rational(v)) * w[(k * l) % n] for k, v in W.items())

        ratio = []
        for l in range(n):
            a = sym(A, l)
            if abs(a) < mpmath.mpf(10)**(-dps // 2):
                return None
            ratio.append(sym(B, l) / a)
        return [+mpmath.re(mpmath.fsum(ratio[l] * w[(-l * m) % n] for l in range(n)) / n)
                for m in range(n)]


def sp_rational(v):
    """A SymPy rational (or int) as an mpmath number, exactly rounded."""
    import mpmath
    import sympy as sp

    v = sp.Rational(v)
    return mpmath.mpf(int(v.p)) / int(v.q)
