"""Kushner-Dupuis chains: known result 13, exact local-consistency residuals, validity conditions,
the fixed-dt bound, and the 2-D aspect-ratio range with its refusal."""

import pytest
import sympy as sp

from mcgen.analysis.jump_limit import jump_process_limit
from mcgen.analysis.kushner_dupuis import kushner_dupuis_consistency
from mcgen.errors import ModelError
from mcgen.model.catalogue.kushner_dupuis import (
    aspect_ratio_range,
    kushner_dupuis_1d,
    kushner_dupuis_2d,
)

h, dt = sp.symbols("h dt", positive=True)
h1, h2 = sp.symbols("h1 h2", positive=True)
sigma = sp.Symbol("sigma", positive=True)
b = sp.Symbol("b", real=True)
x = sp.Symbol("x", real=True)


def test_known_result_13_exact():
    jp = kushner_dupuis_1d(1, 1, h=sp.Rational(1, 10))
    assert jp.jumps[(1,)] == sp.Rational(6, 11) and jp.jumps[(-1,)] == sp.Rational(5, 11)
    assert jp.time_step == sp.Rational(1, 110)


def test_one_dimensional_residuals_are_exact_for_either_sign_of_the_drift():
    jp = kushner_dupuis_1d(b, sigma)
    d = kushner_dupuis_consistency(jp, b, sigma ** 2)
    assert d.status == "proved" and d.result["locally_consistent"]
    dtt = h ** 2 / (sigma ** 2 + h * sp.Abs(b))
    assert sp.simplify(d.result["interval"] - dtt) == 0
    assert d.result["mean_residual"][0] == 0  # E[step] = b dt exactly
    # E[step^2] = (sigma^2 + h|b|) dt
    assert sp.simplify(d.result["second_moment_residual"][0] - h * sp.Abs(b) * dtt) == 0
    assert all(c.expr is sp.true for c in d.result["conditions"])  # positive for every h


def test_state_dependent_drift_and_its_backward_limit():
    bx = sp.sin(x)
    jp = kushner_dupuis_1d(bx, 1)
    d = kushner_dupuis_consistency(jp, bx, 1)
    assert d.status == "proved" and d.result["mean_residual"][0] == 0
    law = jump_process_limit(jp).result
    assert law.form == "backward"
    assert sp.simplify(law.drift[0] - bx) == 0 and law.diffusion[0, 0] == sp.Rational(1, 2)


def test_fixed_dt_variant_and_its_time_step_bound():
    jp = kushner_dupuis_1d(b, sigma, fixed_dt=True)
    d = kushner_dupuis_consistency(jp, b, sigma ** 2)
    assert d.status == "proved"
    bound = [c for c in d.result["conditions"] if c.name == "fixed-dt bound"][0]
    assert bound.max_stable_dt(b=1, sigma=1, h=0.1) == pytest.approx(1 / 110, rel=1e-12)
    assert bound.holds(dt=1 / 110, b=1, sigma=1, h=0.1)
    assert not bound.holds(dt=1 / 100, b=1, sigma=1, h=0.1)
    law = jump_process_limit(jp).result
    assert sp.simplify(law.drift[0] - b) == 0
    assert sp.simplify(law.diffusion[0, 0] - sigma ** 2 / 2) == 0


def test_two_dimensional_chain_residuals_and_aspect_ratio_condition():
    a11, a22, a12 = sp.symbols("a11 a22 a12", positive=True)
    b1, b2 = sp.symbols("b1 b2", real=True)
    amat = [[a11, a12], [a12, a22]]
    jp = kushner_dupuis_2d((b1, b2), amat)
    d = kushner_dupuis_consistency(jp, (b1, b2), amat)
    assert d.status == "proved"
    dtt = d.result["interval"]
    assert list(d.result["mean_residual"]) == [0, 0]
    res = d.result["second_moment_residual"]
    assert sp.simplify(res[0, 0] - h1 * sp.Abs(b1) * dtt) == 0
    assert sp.simplify(res[1, 1] - h2 * sp.Abs(b2) * dtt) == 0 and res[0, 1] == 0
    cond = d.result["aspect_ratio"]
    vals = {"a11": 2, "a12": 1, "a22": 2}
    assert cond.holds(**{"h2/h1": 1}, **vals) and cond.holds(**{"h2/h1": 2}, **vals)
    assert not cond.holds(**{"h2/h1": 2.01}, **vals) and not cond.holds(**{"h2/h1": 0.49}, **vals)
    assert cond.holds(h1=1, h2=2, **vals)  # through the definition h2/h1


def test_aspect_ratio_refusal_names_the_inequality_and_the_range():
    amat = [[1, sp.Rational(1, 2)], [sp.Rational(1, 2), 1]]
    assert aspect_ratio_range(amat) == (sp.Rational(1, 2), 2)
    with pytest.raises(ModelError) as err:
        kushner_dupuis_2d((0, 0), amat, h=(1, 3))
    msg = str(err.value)
    assert "h2/h1 <= a22/|a12|" in msg and "[1/2, 2]" in msg
    jp = kushner_dupuis_2d((0, 0), amat, h=(1, sp.Rational(3, 2)))
    assert all(v >= 0 for v in jp.jumps.values())
    assert sum(jp.jumps.values()) == 1
    # on the edge h2/h1 = a22/|a12| the axis move in y disappears
    edge = kushner_dupuis_2d((0, 0), amat, h=(1, 2))
    assert edge.jumps.get((0, 1), 0) == 0 and edge.jumps[(1, 0)] > 0


def test_limits_of_kushner_dupuis_chains_recover_the_diffusion():
    amat = [[2, 1], [1, 2]]
    law = jump_process_limit(kushner_dupuis_2d((1, -1), amat)).result
    assert law.form == "backward" and list(law.drift) == [1, -1]
    assert law.diffusion == sp.ImmutableMatrix(amat) / 2
    one_d = kushner_dupuis_1d(b, sigma)
    a = jump_process_limit(one_d, route="cumulant")
    t = jump_process_limit(one_d, route="taylor")
    assert a.status == t.status == "proved"
    assert sp.simplify(a.result.pde().rhs - t.result.pde().rhs) == 0
