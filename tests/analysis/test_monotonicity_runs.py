"""Runs designed from the monotonicity proofs (NumPy reference).

Outside the proved region the violated inequality names the data: a negative dH/du_j at a
state. Inside, ordered data stay ordered and no new extrema appear over many steps.
"""

import numpy as np
import sympy as sp

from mcgen.model.catalogue.conservative import UL, UR, conservative_scheme
from mcgen.model.law import scalar_law

u = sp.Symbol("u", real=True)
BURGERS = scalar_law(u, u ** 2 / 2)


def _stepper(kind, rng=(-1, 1)):
    F = sp.lambdify((UL, UR), conservative_scheme(BURGERS, kind, data_range=rng)
                    .numerical_flux[0], "numpy")

    def step(v, lam):
        Fr = F(v, np.roll(v, -1))  # periodic
        return v - lam * (Fr - np.roll(Fr, 1))
    return step


def test_godunov_outside_cfl_creates_new_maximum():
    # dH/du_j = 1 - lam |f'(u_j)| < 0 at u_j = 1 for lam > 1: lower u_j a little below the
    # constant state 1 and the update overshoots above 1
    step = _stepper("godunov")
    v = np.ones(32)
    v[10] = 1 - 0.01
    assert step(v, 1.2).max() > 1 + 1e-4
    assert step(v, 1.0).max() <= 1 + 1e-14


def test_rusanov_between_one_third_and_one_breaks_order():
    # proof: S = 3 is approached at (a, b, c) = (-1, 1, -1) from the piece |b| > |c|, where
    # dH/du_j = 1 - lam (4b - c - a)/2. Take a = c = -0.9, b near 1: dH/du_j ~ 1 - 2.9 lam < 0
    # for lam = 1/2. Two ordered data sets, w = v - u >= 0, get w < 0 after one step: a new
    # (negative) extremum of the difference -- the comparison principle fails.
    step = _stepper("rusanov")
    base = np.full(32, -0.9)
    u0 = base.copy()
    v0 = base.copy()
    u0[10], v0[10] = 1 - 0.01, 1.0
    assert np.all(v0 - u0 >= 0)
    w = step(v0, 0.5) - step(u0, 0.5)
    assert w.min() < -1e-3
    # at the monotone bound the same data stay ordered
    w13 = step(v0, 1 / 3) - step(u0, 1 / 3)
    assert w13.min() >= -1e-15


def test_inside_monotone_region_no_new_extrema_many_steps():
    rng = np.random.default_rng(7)
    for kind, lam in (("rusanov", 1 / 3), ("godunov", 1.0), ("engquist_osher", 1.0),
                      ("lax_friedrichs", 1.0)):
        step = _stepper(kind)
        u0 = rng.uniform(-1, 1, 200)
        v0 = np.minimum(u0 + rng.uniform(0, 0.3, 200), 1.0)
        a, b = u0.copy(), v0.copy()
        lo, hi = u0.min(), v0.max()
        for _ in range(300):
            a, b = step(a, lam), step(b, lam)
            assert a.min() >= lo - 1e-12 and b.max() <= hi + 1e-12, kind
            assert np.all(b - a >= -1e-12), kind


def test_tasep_step_data_godunov_fan_roe_keeps_expansion_shock():
    # particle system -> derived law -> Godunov scheme -> run: the entropy solution of step
    # data (1, 0) is the fan rho = (1 - x/t)/2 with current 1/4 through the origin (known
    # result 15); Roe/Murman keeps the stationary expansion shock (current 0)
    from mcgen.analysis.particle_limit import RHO, hydrodynamic_limit
    from mcgen.model.catalogue.particles import tasep

    law = hydrodynamic_limit(tasep()).result
    n, lam, T = 400, 0.5, 0.5
    dx = 4.0 / n
    xs = -2 + dx * (np.arange(n) + 0.5)
    out = {}
    for kind in ("godunov", "roe"):
        F = sp.lambdify((UL, UR), conservative_scheme(law, kind, data_range=(0, 1))
                        .numerical_flux[0], "numpy")
        r = (xs < 0).astype(float)
        steps = int(round(T / (lam * dx)))
        for _ in range(steps):
            Fr = F(r[:-1], r[1:])
            r[1:-1] -= lam * (Fr[1:] - Fr[:-1])  # end cells keep the far-field states
        out[kind] = (r, F(r[n // 2 - 1], r[n // 2]))
    exact = np.clip((1 - xs / T) / 2, 0, 1)
    r, cur = out["godunov"]
    assert np.abs(r - exact).sum() * dx < 0.05 and abs(cur - 0.25) < 1e-2
    r_roe, cur_roe = out["roe"]
    assert cur_roe == 0 and np.abs(r_roe - (xs < 0)).max() == 0
    assert RHO in law.fields
