"""Order of accuracy of high-resolution schemes on smooth data away from extrema (issue 14),
proved by linearising the limiter at r = 1, and checked by runs on smooth monotone data."""

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.highres_order import order_of_accuracy, spatial_order
from mcgen.model import scalar_law
from mcgen.model.catalogue.highres import flux_limited, muscl, weno5
from mcgen.model.limiter import R
from mcgen.run.highres_stepper import HighResStepper

u = sp.Symbol("u")
ADV = scalar_law(u, u)


@pytest.mark.parametrize(("scheme", "space", "total"), [
    (muscl(ADV, "minmod"), 2, 1),                          # forward Euler is first order
    (muscl(ADV, "van_leer", stepper="ssprk22"), 2, 2),
    (muscl(ADV, "koren", stepper="ssprk33"), 3, 3),       # kappa = 1/3 face value
    (flux_limited(ADV, "superbee", "ssprk104"), 2, 2),
    (weno5(ADV), 5, 3),                                    # SSPRK(3,3) caps it at 3 in time
    (muscl(ADV, sp.Max(0, sp.Min(R, sp.Rational(1, 2)))), 1, 1),  # phi(1) != 1
])
def test_orders(scheme, space, total):
    d = spatial_order(scheme)
    assert d.status == "proved" and d.result == space
    assert order_of_accuracy(scheme).result == total


def test_koren_is_third_order_on_smooth_monotone_data():
    def f(x):
        return np.tanh(4 * (x - 0.4))

    errs = []
    for n in (40, 80, 160):
        st = HighResStepper(muscl(ADV, "koren", "godunov", "ssprk33"), n, boundary="outflow",
                            data_range=(-1, 1))
        uT = st.run(st.cell_averages(f), 0.25, cfl=0.5)
        exact = st.cell_averages(lambda x: f(x - 0.25))
        away = (st.x > 0.45) & (st.x < 0.95)  # away from the inflow boundary's influence
        errs.append(np.abs(uT - exact)[away].mean())
    assert np.all(np.log2(np.array(errs[:-1]) / errs[1:]) > 2.9), errs
