"""Runs of high-resolution schemes designed from their proofs (issue 14, item 5): convergence
orders on smooth data, TVD and no new extrema at the proved bound, a violation just above it,
and Burgers' Riemann problem against the exact entropy solution."""

import numpy as np
import pytest
import sympy as sp

from mcgen.errors import ModelError, StabilityError
from mcgen.model import scalar_law
from mcgen.model.catalogue.highres import flux_limited, muscl, weno5
from mcgen.run.exact_solutions import riemann
from mcgen.run.highres_stepper import HighResStepper, total_variation

u = sp.Symbol("u")
ADV = scalar_law(u, u)
BURGERS = scalar_law(u, u**2 / 2)


def _orders(errs):
    e = np.asarray(errs)
    return np.log2(e[:-1] / e[1:])


def _smooth_error(scheme, n, t_end=1.0, dt_of_dx=None):
    st = HighResStepper(scheme, n, data_range=(-1, 1))
    u0 = st.cell_averages(lambda x: np.sin(2 * np.pi * x))
    if dt_of_dx is None:
        uT = st.run(u0, t_end)
    else:
        uT = st.run(u0, t_end, dt=dt_of_dx(st.dx), unsafe=True)
    exact = st.cell_averages(lambda x: np.sin(2 * np.pi * (x - t_end)))
    return float(np.abs(uT - exact).mean())


@pytest.mark.parametrize("scheme", [muscl(ADV, "van_leer", "godunov", "ssprk22"),
                                    muscl(ADV, "mc", "lax_friedrichs", "ssprk33"),
                                    flux_limited(ADV, "van_leer", "ssprk22")])
def test_second_order_on_smooth_advection(scheme):
    errs = [_smooth_error(scheme, n) for n in (80, 160, 320)]
    assert min(_orders(errs)) >= 1.9, errs


def test_weno5_fifth_order():
    # dt ~ dx^(5/3) so that SSPRK(3,3)'s O(dt^3) error stays below the O(dx^5) space error
    errs = [_smooth_error(weno5(ADV), n, t_end=0.25, dt_of_dx=lambda h: 0.5 * h ** (5 / 3))
            for n in (40, 80, 160)]
    assert min(_orders(errs)) >= 4.8, errs


def _square(x):
    return np.where((x > 0.25) & (x < 0.55), 1.0, 0.0)


@pytest.mark.parametrize("scheme", [
    muscl(ADV, "minmod", "godunov"), muscl(ADV, "superbee", "godunov", "ssprk22"),
    flux_limited(ADV, "mc", "euler"), flux_limited(ADV, "koren", "ssprk33"),
    flux_limited(ADV, "van_leer", "ssprk104"),
    flux_limited(scalar_law(u, -u), "superbee", "euler", splitting="upwind"),  # left-going
    muscl(BURGERS, "minmod", "godunov", "ssprk22")])
def test_at_the_proved_bound_tv_never_grows_and_no_new_extrema(scheme):
    st = HighResStepper(scheme, 100, data_range=(0, 1))
    u0 = _square(st.x)
    tv = [total_variation(u0)]
    lo, hi = [], []

    def watch(t, v):
        tv.append(total_variation(v))
        lo.append(v.min())
        hi.append(v.max())

    dt = st.max_dt()
    st.run(u0, 60 * dt, dt=dt, callback=watch)
    assert np.all(np.diff(tv) <= 1e-12), max(np.diff(tv))
    assert min(lo) >= -1e-14 and max(hi) <= 1 + 1e-14


@pytest.mark.parametrize(("scheme", "data", "bound"), [
    # minmod: phi(r)/r = 1 at r = 2/3 next to a minimum gives C = 3 nu / 2 > 1 for nu > 2/3
    (muscl(ADV, "minmod", "godunov"), [1.0, 0.0, 0.4, 1.0], 2 / 3),
    # superbee: phi(r)/r = 2 at r = 1/4 gives C = 2 nu > 1 for nu > 1/2
    (flux_limited(ADV, "superbee", "euler"), [1.0, 0.0, 0.2, 1.0], 1 / 2),
])
def test_just_above_the_bound_a_designed_run_breaks_tvd(scheme, data, bound):
    n = 16
    u0 = np.ones(n)
    u0[4:8] = data
    st = HighResStepper(scheme, n, data_range=(0, 1))
    assert abs(st.max_dt() / st.dx - bound) < 1e-12
    nu = 1.05 * bound
    with pytest.raises(StabilityError, match="breaks the proved condition"):
        st.run(u0, nu * st.dx, dt=nu * st.dx)
    one = st.run(u0, nu * st.dx, dt=nu * st.dx, unsafe=True)
    assert one.min() < 0  # a new minimum below the data range
    assert total_variation(one) > total_variation(u0) + 1e-3
    ok = st.run(u0, bound * st.dx, dt=bound * st.dx)
    assert ok.min() >= -1e-15 and total_variation(ok) <= total_variation(u0) + 1e-12


def test_burgers_riemann_against_the_exact_entropy_solution():
    # a shock (1 -> -1/2, speed 1/4) and a transonic rarefaction (-1 -> 1), each against the
    # exact entropy solution, at the proved bound
    exact = riemann(u**2 / 2, 1.0, -0.5, x0=0.0)
    st = HighResStepper(muscl(BURGERS, "minmod", "godunov", "ssprk22"), 200, (-1.0, 1.0),
                        boundary="outflow", data_range=(-0.5, 1))
    u0 = np.where(st.x < 0, 1.0, -0.5)
    uT = st.run(u0, 0.5)
    err = np.abs(uT - exact(st.x, 0.5)).mean() * 2.0
    assert err < 0.01, err
    rare = riemann(u**2 / 2, -1.0, 1.0, x0=0.0)
    st = HighResStepper(muscl(BURGERS, "minmod", "godunov", "ssprk22"), 200, (-1.0, 1.0),
                        boundary="outflow", data_range=(-1, 1))
    uT = st.run(np.where(st.x < 0, -1.0, 1.0), 0.5)
    assert np.abs(uT - rare(st.x, 0.5)).mean() * 2.0 < 0.01  # no expansion shock


def test_data_outside_the_declared_range_is_refused():
    st = HighResStepper(muscl(ADV, "minmod", "godunov"), 32, data_range=(0, 1))
    with pytest.raises(ModelError, match="data_range"):
        st.run(np.full(32, 2.0), 0.1)
    with pytest.raises(StabilityError, match="unsafe=True"):
        HighResStepper(weno5(ADV), 32).run(np.zeros(32), 0.1)
