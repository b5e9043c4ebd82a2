"""Runs designed from the proofs (NumPy reference with np.roll, periodic grid).

* outside a positivity region, data built from the violated inequality (ones where the weight
  is positive, zeros where it is negative) makes a new maximum 1 - sum of the negative weights;
* inside, the maximum principle holds over many steps;
* outside an L2 region, the mode theta* the analysis names grows like |G(theta*)|^n;
* inside, the L2 norm never grows.
"""

import math

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.positivity import positivity_region
from mcgen.analysis.von_neumann import growth_factor, unstable_mode, von_neumann
from mcgen.model.catalogue import linear as cat


def _weights(scheme, **vals):
    subs = {p: vals[p.name] for p in scheme.params}
    return {k: float(w.subs(subs)) for k, w in scheme.linear_weights().items()}


def _step(u, w):
    # u_j^{n+1} = sum_k w_k u_{j+k}: np.roll(u, -k)[j] = u[j + k]
    return sum(wk * np.roll(u, tuple(-np.array(k)) if isinstance(k, tuple) else -k,
                            axis=tuple(range(u.ndim)) if isinstance(k, tuple) else 0)
               for k, wk in w.items())


@pytest.mark.parametrize("name, inside, outside", [
    ("upwind", {"nu": 0.8}, {"nu": 1.2}),
    ("lax_friedrichs", {"nu": -0.9}, {"nu": 1.1}),
    ("lax_wendroff", {"nu": 1.0}, {"nu": 0.5}),
    ("ftcs_heat", {"r": 0.5}, {"r": 0.6}),
    ("central_advection_diffusion", {"nu": 0.4, "r": 0.25}, {"nu": 0.6, "r": 0.2}),
    ("upwind_advection_diffusion", {"nu": 0.5, "r": 0.25}, {"nu": 0.5, "r": 0.3}),
    ("ftcs_heat_2d", {"r_x": 0.2, "r_y": 0.3}, {"r_x": 0.3, "r_y": 0.3}),
    ("donor_cell_2d", {"nu_x": 0.5, "nu_y": 0.5}, {"nu_x": 0.6, "nu_y": 0.5}),
])
def test_positivity_new_extremum_outside_maximum_principle_inside(name, inside, outside):
    s = cat.LINEAR_SCHEMES[name]()
    cond = positivity_region(s).result
    assert cond.holds(**inside) and not cond.holds(**outside)
    # outside: data from the violated inequality w_k < 0
    w = _weights(s, **outside)
    shape = (32,) * s.dim
    u = np.zeros(shape)
    centre = (16,) * s.dim
    for k, wk in w.items():
        kk = (k,) if s.dim == 1 else k
        if wk > 0:
            u[tuple(c + d for c, d in zip(centre, kk, strict=False))] = 1.0
    u1 = _step(u, w)
    expected = 1.0 - sum(wk for wk in w.values() if wk < 0)
    assert u1[centre] == pytest.approx(expected, rel=1e-12) and u1[centre] > 1.0 + 1e-9
    # inside: random data in [0, 1] stays in [0, 1] for many steps
    w = _weights(s, **inside)
    rng = np.random.default_rng(1)
    u = rng.random(shape)
    lo, hi = u.min(), u.max()
    for _ in range(300):
        u = _step(u, w)
    assert lo - 1e-12 <= u.min() and u.max() <= hi + 1e-12


@pytest.mark.parametrize("name, inside, outside", [
    ("upwind", {"nu": 1.0}, {"nu": 1.3}),
    ("ftcs_advection", {"nu": 0.0}, {"nu": 0.4}),
    ("lax_friedrichs", {"nu": 0.95}, {"nu": 1.1}),
    ("lax_wendroff", {"nu": 0.9}, {"nu": 1.05}),
    ("beam_warming", {"nu": 1.9}, {"nu": 2.1}),
    ("ftcs_heat", {"r": 0.5}, {"r": 0.55}),
    ("central_advection_diffusion", {"nu": 0.6, "r": 0.2}, {"nu": 0.7, "r": 0.2}),
    ("three_point_family", {"nu": 0.5, "q": 0.3}, {"nu": 0.5, "q": 0.2}),
])
def test_l2_named_mode_grows_like_g_to_the_n(name, inside, outside):
    s = cat.LINEAR_SCHEMES[name]()
    cond = von_neumann(s).result
    assert cond.holds(**inside) and not cond.holds(**outside)
    theta, g = unstable_mode(s, **outside)
    assert g > 1
    N = 256  # snap theta* to a grid frequency 2 pi m / N, away from 0 (long waves grow slowly)
    m = min(max(round(theta * N / (2 * math.pi)), 1), N // 2)
    th = 2 * math.pi * m / N
    g_grid = growth_factor(s, th, **outside)
    assert g_grid > 1
    j = np.arange(N)
    u0 = np.cos(th * j)
    w = _weights(s, **outside)
    u, n = u0.copy(), 40
    for _ in range(n):
        u = _step(u, w)
    ratio = np.linalg.norm(u) / np.linalg.norm(u0)
    if m == N // 2:  # theta = pi: a single real mode, cos(pi j) * G(pi)^n exactly
        assert ratio == pytest.approx(g_grid**n, rel=1e-9)
    else:  # e^{+-i theta j} both grow by |G|: ||Re(G^n e^{i theta j})|| = |G|^n ||u0||
        assert ratio == pytest.approx(g_grid**n, rel=1e-6)
    # inside: no growth over many steps from random data
    w = _weights(s, **inside)
    u = np.random.default_rng(2).standard_normal(N)
    n0 = np.linalg.norm(u)
    for _ in range(2000):
        u = _step(u, w)
    assert np.linalg.norm(u) <= n0 * (1 + 1e-9)


def test_two_d_lax_wendroff_mode_inside_the_disc_grows():
    s = cat.lax_wendroff_2d()
    vals = {"nu_x": 0.5, "nu_y": 0.5}  # inside the necessary disc, outside the true region
    (tx, ty), g = unstable_mode(s, **vals)
    assert g > 1.01
    N = 64
    mx, my = (round(t * N / (2 * math.pi)) for t in (tx, ty))
    thx, thy = 2 * math.pi * mx / N, 2 * math.pi * my / N
    gg = growth_factor(s, (thx, thy), **vals)
    assert gg > 1
    J, K = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
    u0 = np.cos(thx * J + thy * K)
    w = _weights(s, **vals)
    u, n = u0.copy(), 30
    for _ in range(n):
        u = _step(u, w)
    assert np.linalg.norm(u) / np.linalg.norm(u0) == pytest.approx(gg**n, rel=1e-6)


def test_leapfrog_strict_bound_and_linear_growth_at_the_double_root():
    def norms(nu, n, theta=math.pi / 2, N=64):
        j = np.arange(N)
        # start on the mode: u^{-1} = u^0 excites both roots of g^2 + 2 i nu sin(theta) g - 1
        old, cur = np.cos(theta * j), np.cos(theta * j)
        out = [np.linalg.norm(cur)]
        for _ in range(n):
            old, cur = cur, old - nu * (np.roll(cur, -1) - np.roll(cur, 1))
            out.append(np.linalg.norm(cur))
        return np.array(out)
    at_one = norms(1.0, 400)
    assert at_one[400] / at_one[200] == pytest.approx(2.0, rel=0.02)  # double root: ~ n
    inside = norms(0.9, 4000)  # |nu| < 1: simple roots on the circle, no growth trend
    assert inside[3600:].max() <= inside[:400].max() * 1.01  # quasi-periodic, bounded


def test_theta_method_outside_grows_by_fft_reference():
    s = cat.theta_method(sp.Rational(1, 4))  # stable iff r <= 1/(2(1 - 1/2)) = 1
    cond = von_neumann(s).result
    assert cond.holds(r=1.0) and not cond.holds(r=1.2)
    N = 64
    k = np.fft.fftfreq(N) * 2 * np.pi

    def G(r):
        lam = 2 * (np.cos(k) - 1)
        return (1 + 0.75 * r * lam) / (1 - 0.25 * r * lam)
    u = np.cos(np.pi * np.arange(N))     # theta* = pi, the mode the analysis names (Q(-1) < 0)
    for r, grows in ((1.2, True), (1.0, False)):
        v = u.copy()
        for _ in range(50):
            v = np.real(np.fft.ifft(G(r) * np.fft.fft(v)))
        g_pi = abs((1 - 3 * r) / (1 + r))
        assert np.linalg.norm(v) / np.linalg.norm(u) == pytest.approx(g_pi**50, rel=1e-8)
        assert (g_pi > 1) == grows
