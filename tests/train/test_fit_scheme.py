"""fit_scheme: catalogue schemes come back from their own data, constraints hold exactly, bad
data gets a clear error."""

import json

import numpy as np
import pytest
import sympy as sp
from train_data import heat_data, roll_run, rough_data

from mcgen.model.catalogue import linear as cat
from mcgen.model.symbols import r as R
from mcgen.proof import Derivation
from mcgen.train import DataError, InfeasibleFit, fit_scheme

X, T = sp.Symbol("x", real=True), sp.Symbol("t", nonnegative=True)


def _rel_err(fit: dict, true: dict) -> float:
    return max(abs(fit[k] - v) / max(abs(v), 1e-300) for k, v in true.items() if v != 0)


def test_ftcs_heat_is_named_ftcs_with_the_heat_equation():
    U, dx, dt = heat_data()
    res = fit_scheme(U, dx=dx, dt=dt, support=[-1, 0, 1])
    assert _rel_err(res.weights, {-1: 0.3, 0: 0.4, 1: 0.3}) < 1e-10
    assert res.exact == {-1: sp.Rational(3, 10), 0: sp.Rational(2, 5), 1: sp.Rational(3, 10)}
    assert res.match is not None and res.match.scheme.name == cat.ftcs_heat().name
    assert res.match.exact and res.match.values == {R: sp.Rational(3, 10)}
    assert res.match.physical["D"] == pytest.approx(1.0, rel=1e-12)
    assert res.match.law_name == "heat equation"
    # the modified equation: u_t = D u_xx + (r dx^2/dt)(dx^2/12)(1 - 6r)... at r = 3/10
    u = sp.Function("u")(X, T)
    rhs = res.pde.rhs
    assert rhs.coeff(sp.Derivative(u, (X, 2))) == 1           # D = r dx^2/dt = 1 exactly
    assert rhs.coeff(sp.Derivative(u, X)) == 0                  # no advection
    # the textbook fourth-order term of FTCS: D dx^2 (1 - 6 r)/12
    r = sp.Rational(3, 10)
    assert rhs.coeff(sp.Derivative(u, (X, 4))) == sp.Rational(1, 100) * (1 - 6 * r) / 12
    assert res.stable_at_data_step is True
    assert all(d.status == "proved" for d in res.derivations.values())


@pytest.mark.parametrize("make,weights,dt", [
    (lambda: cat.upwind(1), {-1: 0.4, 0: 0.6}, 0.04),
    (cat.lax_wendroff, {-1: 0.4 * 1.4 / 2, 0: 1 - 0.16, 1: 0.4 * (0.4 - 1) / 2}, 0.04),
    (cat.lax_friedrichs, {-1: 0.7, 1: 0.3}, 0.04),
])
def test_catalogue_weights_recovered_to_1e10(make, weights, dt):
    U = roll_run(weights, rough_data(), 25)
    res = fit_scheme(U, dx=0.1, dt=dt, support=[-1, 0, 1])
    assert _rel_err(res.weights, weights) < 1e-10
    assert res.match is not None and res.match.scheme.name == make().name
    assert res.match.physical["a"] == pytest.approx(1.0, rel=1e-10)   # nu = a dt/dx = 0.4


def test_moment_constraints_hold_exactly_and_recheck_from_json():
    rng = np.random.default_rng(3)
    U, dx, dt = heat_data()
    noisy = U + 1e-4 * rng.standard_normal(U.shape)
    res = fit_scheme(noisy, dx=dx, dt=dt, support=[-2, -1, 0, 1, 2], order=3, positive=True,
                     law="diffusion")
    w = res.exact
    assert sum(w.values()) == 1
    assert sum(k * v for k, v in w.items()) == 0
    assert sum(k ** 3 * v for k, v in w.items()) == 0
    assert all(v >= 0 for v in w.values())
    r_fit = res.law_values[R]
    assert sum(k ** 2 * v for k, v in w.items()) == 2 * r_fit     # the law's own variance
    d = res.derivations["constraints"]
    again = Derivation.from_json(json.dumps(json.loads(d.render("json")))).recheck()
    assert again.status == "proved"
    lo, hi = res.intervals[0]
    assert lo < 0.4 < hi


def test_positivity_makes_a_convex_combination_from_noisy_lax_wendroff():
    nu = 0.4
    U = roll_run({-1: nu * (1 + nu) / 2, 0: 1 - nu ** 2, 1: nu * (nu - 1) / 2}, rough_data(), 25)
    res = fit_scheme(U, dx=0.1, dt=0.04, support=[-1, 0, 1], positive=True, conservative=True)
    assert all(v >= 0 for v in res.exact.values()) and sum(res.exact.values()) == 1
    assert res.exact[1] == 0          # the negative weight of Lax-Wendroff is pinned at zero
    assert res.stable_at_data_step is True
    assert "inequalities active" in " ".join(res.solver_notes)


def test_godunov_barrier_gives_a_farkas_certificate():
    nu = 0.4
    U = roll_run({-1: nu * (1 + nu) / 2, 0: 1 - nu ** 2, 1: nu * (nu - 1) / 2}, rough_data(), 25)
    with pytest.raises(InfeasibleFit, match="Farkas certificate") as info:
        fit_scheme(U, dx=0.1, dt=0.04, support=[-1, 0, 1], order=2, law="advection",
                   positive=True)
    d = info.value.derivation
    assert d is not None and d.status == "proved" and d.result is sp.false
    assert "k*(k + 1)" in d.render("md")           # p(k) = k(k+1): Godunov's barrier


def test_lax_wendroff_with_its_order_constraints_is_exact():
    nu = 0.4
    U = roll_run({-1: nu * (1 + nu) / 2, 0: 1 - nu ** 2, 1: nu * (nu - 1) / 2}, rough_data(), 25)
    res = fit_scheme(U, dx=0.1, dt=0.04, support=[-1, 0, 1], order=2, law="advection")
    nu_s = sp.Symbol("nu", real=True)
    assert res.law_values[nu_s] == sp.Rational(2, 5)
    assert res.exact[0] == 1 - sp.Rational(2, 5) ** 2


def test_two_d_heat():
    rng = np.random.default_rng(1)
    w = {(0, 0): 0.4, (1, 0): 0.1, (-1, 0): 0.1, (0, 1): 0.2, (0, -1): 0.2}
    U = roll_run(w, rng.standard_normal((24, 24)), 4)
    res = fit_scheme(U, dx=(0.1, 0.1), dt=0.001, support=list(w), dims="xy", order=2,
                     positive=True)
    assert _rel_err(res.weights, w) < 1e-10
    assert res.match is not None and res.match.scheme.name == cat.ftcs_heat_2d().name
    assert res.match.physical == pytest.approx({"D_x": 1.0, "D_y": 2.0})


def test_godunov_burgers_flux_from_positive_data():
    n = 200
    x = np.arange(n) / n
    u = 1 + 0.5 * np.sin(2 * np.pi * x) + 0.2 * np.cos(6 * np.pi * x)
    dx = 1 / n
    dt = 0.4 * dx / 1.8
    us = [u]
    for _ in range(40):      # Godunov for Burgers with u > 0 is upwind in the flux u^2/2
        v = us[-1]
        us.append(v - dt / dx * (v ** 2 / 2 - np.roll(v, 1) ** 2 / 2))
    res = fit_scheme(np.array(us), dx=dx, dt=dt, flux_degree=2, positive=True)
    assert abs(res.weights[(2, 0)] - 0.5) < 1e-10 * 0.5
    assert max(abs(v) for k, v in res.weights.items() if k != (2, 0)) < 1e-10
    uL, uR = res.scheme.numerical_flux[1:]
    assert sp.expand(res.scheme.numerical_flux[0] - uL ** 2 / 2) == 0
    U_ = sp.Symbol("u", real=True)
    assert sp.expand(res.scheme.law.flux[0] - U_ ** 2 / 2) == 0
    assert res.stable_at_data_step is True
    assert res.derivations["stability"].status == "proved"


def test_x_dependent_weights():
    n = 100
    xi = (np.arange(n) - (n - 1) / 2) / ((n - 1) / 2)
    nu = 0.5 + 0.3 * xi
    rng = np.random.default_rng(2)
    us = [rng.standard_normal(n)]
    for _ in range(10):
        v = us[-1]
        us.append((1 - nu) * v + nu * np.roll(v, 1))
    res = fit_scheme(np.array(us), dx=0.02, dt=0.01, support=[-1, 0], x_degree=1, order=0,
                     positive=True)
    assert abs(res.weights[(-1, 0)] - 0.5) < 1e-10 and abs(res.weights[(-1, 1)] - 0.3) < 1e-10
    assert res.derivations["constraints"].status == "proved"
    assert res.scheme.is_variable_coefficient


def test_xarray_and_npz_inputs(tmp_path):
    import xarray as xr
    U, dx, dt = heat_data()
    da = xr.DataArray(U, dims=("t", "x"), coords={"t": np.arange(U.shape[0]) * dt,
                                                 "x": np.arange(U.shape[1]) * dx})
    assert fit_scheme(da, support=[-1, 0, 1]).exact[0] == sp.Rational(2, 5)
    p = tmp_path / "heat.npz"
    np.savez(p, u=U, dx=dx, dt=dt)
    assert fit_scheme(str(p), support=[-1, 0, 1]).exact[1] == sp.Rational(3, 10)
    with pytest.raises(DataError, match="grid does not match"):
        fit_scheme(da, dx=0.2, support=[-1, 0, 1])


def test_bad_data_errors():
    U, dx, dt = heat_data()
    bad = U.copy()
    bad[3, 7] = np.nan
    with pytest.raises(DataError, match="NaN"):
        fit_scheme(bad, dx=dx, dt=dt, support=[-1, 0, 1])
    with pytest.raises(DataError, match="too few snapshots"):
        fit_scheme(U[:2, :6], dx=dx, dt=dt, support=[-2, -1, 0, 1, 2])
    with pytest.raises(DataError, match="at least two"):
        fit_scheme(U[:1], dx=dx, dt=dt, support=[-1, 0, 1])
    with pytest.raises(DataError, match="does not match the support"):
        fit_scheme(U[:, :4], dx=dx, dt=dt, support=[-2, -1, 0, 1, 2])
    with pytest.raises(DataError, match="dims="):
        fit_scheme(U, dx=dx, dt=dt, support=[-1, 0, 1], dims="xy")
    with pytest.raises(DataError, match="rank"):
        fit_scheme(np.ones((10, 30)), dx=dx, dt=dt, support=[-1, 0, 1])


def test_learned_and_identified_schemes_run_in_simulation():
    from mcgen.run import Simulation
    U, dx, dt = heat_data()
    res = fit_scheme(U, dx=dx, dt=dt, support=[-1, 0, 1])
    n = U.shape[1]
    for scheme, params, backend in ((res.scheme, {}, "c"),
                                    (res.match.scheme, res.match.physical, "numpy")):
        sim = Simulation(scheme, (n, (0.0, n * dx)), U[0], params=params, dt=dt,
                         backend=backend)
        sim.run(10 * dt)
        assert sim.backend_used == backend      # a generated C kernel for the learned one
        assert sim.step_count == 10
        assert np.abs(sim.u - U[10]).max() < 1e-13


def test_instruments_remove_the_noise_bias_of_a_flux_fit():
    n, steps = 256, 600
    dx = 1 / n
    x = np.arange(n) * dx
    u = 1 + 0.3 * np.sin(2 * np.pi * x) + 0.15 * np.cos(6 * np.pi * x + 1)
    dt = 0.6 * dx / 1.5
    us = [u]
    for _ in range(steps):
        v = us[-1]
        us.append(v - dt / dx * (v ** 2 / 2 - np.roll(v, 1) ** 2 / 2))
    B = np.array(us)
    noisy = B + 1e-2 * B.std() * np.random.default_rng(0).standard_normal(B.shape)

    def uux(res):
        return 2 * sum(res.weights[k] for k in [(2, 0), (1, 1), (0, 2)])

    ols = fit_scheme(noisy, dx=dx, dt=dt, flux_degree=2)
    iv = fit_scheme(noisy, dx=dx, dt=dt, flux_degree=2, instruments=True)
    assert abs(uux(iv) - 1) < 3e-3 < abs(uux(ols) - 1)


def test_conservative_variable_coefficient_upwind_is_column_stochastic():
    # u_j' = u_j - lam (a_{j+1/2} u_j - a_{j-1/2} u_{j-1}), a(x) > 0 linear: a conservative
    # (forward-reading) update whose rows do NOT sum to one but whose columns do
    n, lam = 80, 0.5
    xi = (np.arange(n) - (n - 1) / 2) / ((n - 1) / 2)
    delta = 2 / (n - 1)
    a_half = 0.8 + 0.3 * (xi + delta / 2)           # a at j + 1/2
    rng = np.random.default_rng(4)
    us = [rng.standard_normal(n)]
    for _ in range(8):
        v = us[-1]
        flux = lam * a_half * v
        us.append(v - (flux - np.roll(flux, 1)))
    res = fit_scheme(np.array(us), dx=0.01, dt=0.005, support=[-1, 0], x_degree=1,
                     conservative=True, positive=True)
    # w_0(xi) = 1 - lam a(xi + delta/2), w_-1(xi) = lam a(xi - delta/2)
    assert abs(res.weights[(0, 1)] + lam * 0.3) < 1e-10
    assert abs(res.weights[(-1, 0)] - lam * (0.8 - 0.3 * delta / 2)) < 1e-10
    assert res.scheme.reading == "forward"
    assert res.derivations["constraints"].status == "proved"


def test_windowed_equations_are_exact_on_clean_data():
    U, dx, dt = heat_data()
    res = fit_scheme(U, dx=dx, dt=dt, support=[-1, 0, 1], window=5)
    assert _rel_err(res.weights, {-1: 0.3, 0: 0.4, 1: 0.3}) < 1e-10
    with pytest.raises(DataError, match="window"):
        fit_scheme(U[:4], dx=dx, dt=dt, support=[-1, 0, 1], window=5)


def test_unstable_data_is_named_and_placed_outside_the_l2_region():
    U = roll_run({-1: 0.8, 0: -0.6, 1: 0.8}, rough_data(), 6)     # FTCS heat at r = 4/5
    res = fit_scheme(U, dx=0.1, dt=0.008, support=[-1, 0, 1])
    assert res.match.values == {R: sp.Rational(4, 5)}
    assert res.stable_at_data_step is False
    ident = res.derivations["identification"]
    assert ident.status == "proved" and "OUTSIDE" in ident.render("md")


def test_clean_flux_rounds_to_the_exact_flux_despite_float_error():
    # a single smooth mode and few steps: the float fit is 0.4999999999995 (conditioning),
    # farther from 1/2 than its own tiny confidence interval; rounding must still find 1/2
    n = 200
    x = np.arange(n) / n
    dx = 1 / n
    dt = 0.4 * dx / 1.5
    us = [1 + 0.5 * np.sin(2 * np.pi * x)]
    for _ in range(30):
        v = us[-1]
        us.append(v - dt / dx * (v ** 2 / 2 - np.roll(v, 1) ** 2 / 2))
    res = fit_scheme(np.array(us), dx=dx, dt=dt, flux_degree=2)
    uL = res.scheme.numerical_flux[1]
    assert sp.expand(res.scheme.numerical_flux[0] - uL ** 2 / 2) == 0


# ---- 2-D end to end (dims="xy"): support of 2-D offsets, constraints, derivations, errors


def _u0_2d(n=24, seed=1):
    return np.random.default_rng(seed).standard_normal((n, n))


def test_two_d_radius_support_finds_the_five_point_heat_scheme_with_zero_corners():
    w = {(0, 0): 0.4, (1, 0): 0.1, (-1, 0): 0.1, (0, 1): 0.2, (0, -1): 0.2}
    U = roll_run(w, _u0_2d(), 4)
    res = fit_scheme(U, dx=0.1, dt=0.001, support=1, dims="xy", order=2, positive=True)
    assert len(res.exact) == 9
    for k in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
        assert res.exact[k] == 0                      # exact zeros, not 1e-17
    assert res.exact[(0, 1)] == sp.Rational(1, 5) and res.exact[(0, 0)] == sp.Rational(2, 5)
    assert all(d.status == "proved" for d in res.derivations.values())
    assert res.stable_at_data_step is True
    u = sp.Function("u")(sp.Symbol("x", real=True), sp.Symbol("y", real=True), T)
    assert res.pde.rhs.coeff(sp.Derivative(u, (sp.Symbol("y", real=True), 2))) == 2


def test_two_d_upwind_with_the_advection_law_fits_both_courant_numbers_exactly():
    nx, ny = 0.3, 0.2
    w = {(0, 0): 1 - nx - ny, (-1, 0): nx, (0, -1): ny}
    U = roll_run(w, _u0_2d(), 6)
    res = fit_scheme(U, dx=(0.1, 0.1), dt=0.01, support=[(0, 0), (-1, 0), (0, -1), (1, 0), (0, 1)],
                     dims="xy", order=1, law="advection", positive=True)
    assert {s.name: v for s, v in res.law_values.items()} == {"nu_x": sp.Rational(3, 10),
                                                               "nu_y": sp.Rational(1, 5)}
    assert res.exact[(1, 0)] == 0 and res.exact[(0, 1)] == 0
    assert res.match is not None and "upwind" in res.match.scheme.name
    assert res.match.physical == pytest.approx({"a": 3.0, "b": 2.0})


def test_two_d_lax_wendroff_with_positivity_gets_a_farkas_certificate():
    cx, cy = 0.3, 0.2
    w = {(0, 0): 1 - cx ** 2 - cy ** 2, (-1, 0): cx * (1 + cx) / 2, (1, 0): cx * (cx - 1) / 2,
         (0, -1): cy * (1 + cy) / 2, (0, 1): cy * (cy - 1) / 2, (-1, -1): cx * cy / 4,
         (1, 1): cx * cy / 4, (-1, 1): -cx * cy / 4, (1, -1): -cx * cy / 4}
    U = roll_run(w, _u0_2d(), 6)
    with pytest.raises(InfeasibleFit, match="Farkas") as err:
        fit_scheme(U, dx=0.1, dt=0.01, support=1, dims="xy", order=2, law="advection",
                   positive=True)
    assert err.value.derivation is not None and err.value.derivation.status == "proved"


def test_two_d_bad_data_errors():
    U = roll_run({(0, 0): 0.6, (1, 0): 0.2, (0, 1): 0.2}, _u0_2d(), 4)
    bad = U.copy()
    bad[2, 3, 4] = np.nan
    with pytest.raises(DataError, match="NaN"):
        fit_scheme(bad, dx=0.1, dt=0.01, support=1, dims="xy")
    with pytest.raises(DataError, match="too few snapshots"):
        fit_scheme(U[:2, :4, :4], dx=0.1, dt=0.01, support=1, dims="xy")
    with pytest.raises(DataError, match="does not match the support"):
        fit_scheme(U[:, :3, :], dx=0.1, dt=0.01, support=2, dims="xy")
    with pytest.raises(DataError, match="2-component offsets"):
        fit_scheme(U, dx=0.1, dt=0.01, support=[-1, 0, 1], dims="xy")
    with pytest.raises(DataError, match="use dims='xy'"):
        fit_scheme(U, dx=0.1, dt=0.01, support=1)


def test_inconsistent_learned_stencil_is_returned_with_the_reason_not_a_crash():
    # regression: an unconstrained fit whose weights do not sum to one (here noisy Burgers data,
    # which no linear stencil reproduces) raised AnalysisError from the modified equation
    n, lam = 64, 0.4
    x = np.arange(n) / n
    us = [1 + 0.3 * np.sin(2 * np.pi * x) + 0.1 * np.cos(6 * np.pi * x + 1)]
    for _ in range(40):
        v = us[-1]
        us.append(v - lam * (v ** 2 / 2 - np.roll(v, 1) ** 2 / 2))
    U = np.array(us) + 1e-3 * np.random.default_rng(0).standard_normal((41, n))
    res = fit_scheme(U, dx=1 / n, dt=lam / n, support=1)
    assert sum(res.exact.values()) != 1 and res.pde is None
    note = res.derivations["modified_equation_note"]
    assert "not 1" in note.title and "order=0" in note.title
    assert res.derivations["stability"].status == "proved"


# ---- errors-in-variables rollout fit (noise in the regressors too)


def _burgers_noisy(noise, seed=0, n=64, steps=120):
    x = np.arange(n) / n
    us = [1 + 0.3 * np.sin(2 * np.pi * x) + 0.15 * np.cos(6 * np.pi * x + 1)]
    lam = 0.4
    for _ in range(steps):
        v = us[-1]
        us.append(v - lam * (v ** 2 / 2 - np.roll(v, 1) ** 2 / 2))
    U = np.array(us)
    sigma = noise * U.std()
    return U + sigma * np.random.default_rng(seed).standard_normal(U.shape), 1 / n, lam / n, sigma


def test_rollout_normal_equations_match_finite_differences():
    from mcgen.train.design import flux_step
    from mcgen.train.rollout import _window_system
    rng = np.random.default_rng(0)
    n, s = 20, 4
    u = 1 + 0.3 * rng.random((1, s + 1, n))
    v, c = u[:, 0] + 0.01, np.array([0.01, 0.02, 0.5, 0.03, 0.01])
    step = flux_step(0.4, 2)
    Hb, Hvc, Hcc, gv, gc, rss, _ = _window_system(u, v, c, step, s)

    def res(x):
        st, out = x[:n], [x[:n] - u[0, 0]]
        for m in range(1, s + 1):
            st = step(st, x[n:])[0]
            out.append(st - u[0, m, m:n - m])
        return np.concatenate(out)
    x0 = np.concatenate([v[0], c])
    J = np.array([(res(x0 + e) - res(x0 - e)) / 2e-6 for e in 1e-6 * np.eye(x0.size)]).T
    H = J.T @ J
    dense = np.zeros((n, n))                     # upper banded storage -> dense
    for e in range(2 * s + 1):
        dense[np.arange(n - e), np.arange(e, n)] = Hb[0, 2 * s - e, e:]
    dense = np.triu(dense) + np.triu(dense, 1).T
    assert np.allclose(dense, H[:n, :n], atol=1e-7) and np.allclose(Hvc[0], H[:n, n:], atol=1e-7)
    assert np.allclose(Hcc[0], H[n:, n:], atol=1e-7)
    assert np.allclose(gc[0], J[:, n:].T @ res(x0), atol=1e-7) and rss == pytest.approx(
        res(x0) @ res(x0))


def test_rollout_is_exact_on_clean_data_and_tighter_than_instruments_on_noisy_data():
    U, dx, dt, _ = _burgers_noisy(0.0)
    clean = fit_scheme(U, dx=dx, dt=dt, flux_degree=2, rollout=8)
    assert clean.exact[(2, 0)] == sp.Rational(1, 2) and clean.exact[(1, 1)] == 0
    U, dx, dt, sigma = _burgers_noisy(1e-2)
    iv = fit_scheme(U, dx=dx, dt=dt, flux_degree=2, instruments=True)
    ro = fit_scheme(U, dx=dx, dt=dt, flux_degree=2, rollout=8)
    truth = {(1, 0): 0, (0, 1): 0, (2, 0): 0.5, (1, 1): 0, (0, 2): 0}
    width = {k: hi - lo for k, (lo, hi) in ro.intervals.items()}
    for k, v in truth.items():                               # the truth is inside the intervals
        lo, hi = ro.intervals[k]
        assert lo < v < hi
        assert width[k] < 0.5 * (iv.intervals[k][1] - iv.intervals[k][0])
    # the residuals of the rollout fit are the noise, not misfit: rss / dof estimates sigma^2
    assert ro.residual_rms * np.sqrt(ro.rows / ro.dof) == pytest.approx(sigma, rel=0.05)
    assert any("rollout fit" in n for n in ro.solver_notes)


def test_rollout_bad_requests():
    U, dx, dt, _ = _burgers_noisy(1e-2, steps=20)
    with pytest.raises(DataError, match="domain of dependence"):
        fit_scheme(U, dx=dx, dt=dt, flux_degree=2, rollout=40)
    with pytest.raises(DataError, match="needs at least 31 snapshots"):
        fit_scheme(U, dx=dx, dt=dt, flux_degree=2, rollout=30)
    with pytest.raises(DataError, match="flux fits"):
        fit_scheme(U, dx=dx, dt=dt, support=1, rollout=4)


def test_rollout_with_monotonicity_constraints():
    U, dx, dt, _ = _burgers_noisy(1e-2, seed=3)
    ro = fit_scheme(U, dx=dx, dt=dt, flux_degree=2, rollout=8, positive=True)
    assert ro.stable_at_data_step is True
    assert abs(2 * sum(ro.weights[k] for k in ((2, 0), (1, 1), (0, 2))) - 1) < 2e-2
