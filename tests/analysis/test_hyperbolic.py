"""Characteristic speeds, hyperbolicity and the local CFL condition of 1-D systems."""

import time

import pytest
import sympy as sp

from mcgen.analysis.hyperbolic import cfl_condition, characteristic_speeds, hyperbolicity
from mcgen.model.law import Law


def _same(a, b):
    return len(a) == len(b) and all(any(sp.simplify(x - y) == 0 for y in b) for x in a)


def test_shallow_water():
    h, q, g = sp.symbols("h q g", positive=True)
    law = Law((h, q), ((q, q ** 2 / h + g * h ** 2 / 2),), name="shallow water")
    d = hyperbolicity(law)
    res = d.result
    assert _same(res["eigenvalues"], [q / h - sp.sqrt(g * h), q / h + sp.sqrt(g * h)])
    assert res["hyperbolic"] == "strict" and d.status == "proved"
    c = cfl_condition(law)
    # still water of depth 1, g = 9.81: speed sqrt(9.81) = 3.132...
    assert c.holds(**{"lambda": 0.31, "h": 1, "q": 0, "g": 9.81})
    assert not c.holds(**{"lambda": 0.33, "h": 1, "q": 0, "g": 9.81})
    assert c.max_stable_dt(dt="dt", dx=0.1, h=1, q=0, g=9.81) == \
        pytest.approx(0.1 / 9.81 ** 0.5, rel=1e-9)


def test_euler_in_primitive_variables():
    rho, m, E, gam = sp.symbols("rho m E gamma", positive=True)
    v = sp.Symbol("v", real=True)
    p = sp.Symbol("p", positive=True)
    pres = (gam - 1) * (E - m ** 2 / (2 * rho))
    law = Law((rho, m, E), ((m, m ** 2 / rho + pres, m / rho * (E + pres)),), name="Euler")
    state = {m: rho * v, E: p / (gam - 1) + rho * v ** 2 / 2}
    t0 = time.perf_counter()
    d = hyperbolicity(law, state)
    elapsed = time.perf_counter() - t0
    c = sp.sqrt(gam * p / rho)
    assert _same(d.result["eigenvalues"], [v - c, v, v + c])
    assert d.result["hyperbolic"] == "strict"
    assert elapsed < 10


def test_linear_systems():
    u, w = sp.symbols("u w", real=True)
    # wave equation as a system: speeds +-c, strictly hyperbolic
    c = sp.Symbol("c", positive=True)
    wave = Law((u, w), ((c * w, c * u),))
    assert _same(characteristic_speeds(wave), [-c, c])
    assert hyperbolicity(wave).result["hyperbolic"] == "strict"
    # Jordan block: real double speed, no eigenvector basis -> weakly hyperbolic
    jordan = Law((u, w), ((u + w, w),))
    assert hyperbolicity(jordan).result["hyperbolic"] == "weak"
    # rotation: complex speeds -> not hyperbolic
    rot = Law((u, w), ((w, -u),))
    d = hyperbolicity(rot)
    assert d.result["hyperbolic"] == "no" and d.result["condition"].expr is sp.false


def test_json_round_trip():
    from mcgen.proof import Derivation

    h, q, g = sp.symbols("h q g", positive=True)
    d = hyperbolicity(Law((h, q), ((q, q ** 2 / h + g * h ** 2 / 2),)))
    d2 = Derivation.from_json(d.render("json")).recheck()
    assert d2.status == "proved" and d2.result["hyperbolic"] == "strict"
