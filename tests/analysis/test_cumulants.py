"""Cumulants of lattice jumps: textbook values, the direct Taylor expansion of ln M, symmetry,
and the row/column sums of the two readings."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcgen.analysis.cumulants import (
    cumulant_coefficients,
    cumulants,
    cumulants_by_recursion,
    log_mgf_derivative,
    multi_indices,
)
from mcgen.errors import ModelError

p, q, nu = sp.symbols("p q nu")
dt, h = sp.symbols("dt h", positive=True)


def test_walk_cumulants_are_mean_and_variance():
    k = cumulants({1: p, -1: q, 0: 1 - p - q}, 3)
    assert sp.expand(k[(1,)] - (p - q)) == 0
    assert sp.expand(k[(2,)] - (p + q - (p - q) ** 2)) == 0
    # third cumulant = E[(X - m)^3] for a three-point law
    m = p - q
    third = p * (1 - m) ** 3 + q * (-1 - m) ** 3 + (1 - p - q) * (-m) ** 3
    assert sp.expand(k[(3,)] - third) == 0


def test_upwind_coefficients_are_the_textbook_modified_equation():
    a, dx = sp.symbols("a dx", positive=True)
    c = cumulant_coefficients({-1: nu, 0: 1 - nu}, dt, dx, 3)
    c = {m: sp.simplify(v.subs(nu, a * dt / dx)) for m, v in c.items()}
    assert sp.simplify(c[1] + a) == 0
    assert sp.simplify(c[2] - a * dx / 2 * (1 - a * dt / dx)) == 0
    n = a * dt / dx
    assert sp.simplify(c[3] + a * dx ** 2 / 6 * (1 - n) * (1 - 2 * n)) == 0


def test_non_normalised_weights_give_a_zeroth_order_term_and_zero_sum_is_refused():
    k = cumulants({1: sp.Rational(1, 4), -1: sp.Rational(1, 4)}, 2)
    assert k[(0,)] == sp.log(sp.Rational(1, 2))
    with pytest.raises(ModelError, match="sum to zero"):
        cumulants({1: 1, -1: -1}, 2)


@st.composite
def random_weights(draw, max_dim=3):
    dim = draw(st.integers(1, max_dim))
    n = draw(st.integers(1, 4))
    offs = draw(st.lists(st.tuples(*[st.integers(-3, 3)] * dim), min_size=n, max_size=n,
                         unique=True))
    raw = draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
    total = sum(raw)
    return {k: sp.Rational(r, total) for k, r in zip(offs, raw, strict=False)}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_weights(), st.randoms(use_true_random=False))
def test_cumulants_match_direct_taylor_expansion_of_log_mgf(w, rnd):
    dim = len(next(iter(w)))
    order = 3 if dim > 1 else 4
    k = cumulants(w, order)
    # differentiating ln M directly is slow: check three multi-indices per example, always
    # including the highest order
    idx = multi_indices(dim, order)
    for a in {idx[-1], *rnd.sample(idx, min(2, len(idx)))}:
        assert k[a] == log_mgf_derivative(w, a), a
    rec = cumulants_by_recursion(w, order)
    assert all(sp.expand(k[a] - rec[a]) == 0 for a in rec)


@settings(max_examples=15, deadline=None)
@given(random_weights())
def test_reflection_flips_odd_cumulants_and_forward_reading_is_the_reflection(w):
    dim = len(next(iter(w)))
    reflected = {tuple(-c for c in k): v for k, v in w.items()}
    k, kr = cumulants(w, 3), cumulants(reflected, 3)
    for a in multi_indices(dim, 3):
        assert kr[a] == (-1) ** sum(a) * k[a]
    hs = sp.symbols(f"h1:{dim + 1}", positive=True)
    fwd = cumulant_coefficients(w, dt, hs, 3, reading="forward")
    back_of_reflection = cumulant_coefficients(reflected, dt, hs, 3, reading="backward")
    assert all(sp.expand(fwd[a] - back_of_reflection[a]) == 0 for a in fwd)


@settings(max_examples=12, deadline=None)
@given(random_weights(max_dim=1))
def test_row_and_column_sums_by_reading_on_a_ring(w):
    """Backward reading: rows sum to one (constants kept); forward reading: columns sum to one
    (mass kept). With constant coefficients both hold, and the coefficients have no zeroth-order
    term."""
    n = 11
    mat = np.zeros((n, n))
    for (k,), v in w.items():
        for j in range(n):
            mat[j, (j + k) % n] += float(v)
    assert np.allclose(mat.sum(axis=1), 1.0)  # rows: u^{n+1}_j = sum_k w_k u_{j+k}
    assert np.allclose(mat.sum(axis=0), 1.0)  # columns: rho^{n+1} = P^T rho keeps mass
    rho = np.random.default_rng(0).random(n)
    assert np.isclose((mat.T @ rho).sum(), rho.sum())
    for reading in ("backward", "forward"):
        c = cumulant_coefficients({k[0]: v for k, v in w.items()}, dt, h, 2, reading=reading)
        assert 0 not in c


def test_forward_first_coefficient_is_minus_the_velocity():
    c = cumulant_coefficients({1: p, -1: q, 0: 1 - p - q}, dt, h, 2, reading="forward")
    assert sp.expand(c[1] + (p - q) * h / dt) == 0
