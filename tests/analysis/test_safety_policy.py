"""The safety policy, questioned like a nodepy method; sampled regions enforce only what is
proved (issue 11, defect 3)."""

import warnings

import pytest
import sympy as sp

from mcgen.analysis.safety_policy import SampledRegionWarning, safety_policy
from mcgen.analysis.von_neumann import von_neumann
from mcgen.errors import ModelError, StabilityError
from mcgen.model import Field, Scheme, scalar_law
from mcgen.model.boundary import Absorbing, Dirichlet
from mcgen.model.catalogue import linear as cat

nu = sp.Symbol("nu", real=True)
r = sp.Symbol("r", nonnegative=True)
a, D, dt, dx = sp.symbols("a D dt dx", positive=True)
w = Field("u")
# fourth-order central advection + second-order diffusion: its L2 region is only sampled
FIVE = Scheme(("u",), 1, {"u": w[0] - nu / 12 * (-w[2] + 8 * w[1] - 8 * w[-1] + w[-2])
                          + r * (w[1] - 2 * w[0] + w[-1])}, params=(nu, r), name="five-point",
              definitions={nu: a * dt / dx, r: D * dt / dx**2})


def test_the_policy_answers_each_question_once():
    p = safety_policy(cat.lax_wendroff())
    assert p is safety_policy(cat.lax_wendroff())  # one object per model
    assert p.positivity.description.startswith("measure zero")  # nu in {-1, 0, 1}
    assert p.l2.status == "proved" and p.condition() is p.l2  # |nu| <= 1
    assert p.max_dt({"a": 2.0, "dx": 0.1}) == pytest.approx(0.05, rel=1e-12)
    with pytest.raises(StabilityError, match="violates the enforced l2"):
        p.check({"a": 2.0, "dx": 0.1, "dt": 0.06})


def test_the_data_range_includes_walls_and_refuses_data_outside_a_given_one():
    import numpy as np
    U = sp.Symbol("U", real=True)
    p = safety_policy(scalar_law(U, U * (1 - U)))
    data = [np.array([0.6, 0.9])]
    assert p.data_range(data, [Absorbing()])[0] == (0.0, 0.9)
    assert p.data_range(data, [Dirichlet(1.5)])[0] == (0.6, 1.5)
    with pytest.raises(ModelError, match="outside data_range"):
        p.data_range(data, [], given=(0.0, 0.8))
    assert not p.admissible(data, [], (0.0, 0.8)) and p.admissible(data, [], (0.0, 1.0))
    lam = sp.Symbol("lambda", positive=True)
    assert p.condition((0.0, 0.9)).expr == sp.Le(lam, 1)   # |f'(0)| = 1
    assert p.condition((0.6, 0.9)).expr == sp.Le(4 * lam / 5, 1)


# sixth-order central advection instead: a radius-3 stencil (Q of degree 5 in cos(theta)) whose
# plane decomposition (issue 12) is out of reach, so its L2 region stays sampled (FIVE's is now
# proved, and so is every radius-2 stencil's, by the closed form of degree <= 3)
SEVEN = Scheme(("u",), 1, {"u": w[0] - nu / 60 * (w[3] - 9 * w[2] + 45 * w[1] - 45 * w[-1]
                                                  + 9 * w[-2] - w[-3])
                           + r * (w[1] - 2 * w[0] + w[-1])},
               params=(nu, r), name="seven-point, second-order diffusion",
               definitions={nu: a * dt / dx, r: D * dt / dx**2})


def test_defect3_a_sampled_region_enforces_what_is_proved_never_the_necessary_set():
    from mcgen.analysis.von_neumann import growth_factor
    l2 = von_neumann(SEVEN)
    assert l2.result.status == "sampled"
    with pytest.raises(StabilityError, match="allow_sampled=True"):
        safety_policy(SEVEN).condition()
    p = safety_policy(SEVEN, allow_sampled=True)
    # points of the necessary set nu^2 <= 2 r <= 1 where a mode grows
    unstable = [((sp.Rational(-37, 40), sp.Rational(9, 20)), None),
                ((sp.Rational(-17, 20), sp.Rational(3, 8)), None)]
    for (nu0, r0), _ in unstable:
        assert growth_factor(SEVEN, 1.2, nu=float(nu0), r=float(r0)) > 1.05
    with pytest.warns(SampledRegionWarning):
        for (nu0, r0), _ in unstable:
            values = {"nu": float(nu0), "r": float(r0)}
            assert l2.result.holds(**values)  # the sampled set lets them in ...
            assert not p.condition(values=values).holds()  # ... the policy does not
    assert p.sampled


def test_defect3_the_largest_dt_of_a_sampled_region_is_decided_exactly_at_the_values():
    p = safety_policy(FIVE, allow_sampled=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SampledRegionWarning)
        dt_max = p.max_dt({"a": 1.0, "D": 0.1, "dx": 0.05})
        cond = p.condition(values={"a": 1.0, "D": 0.1, "dx": 0.05})
    assert cond.status == "proved" and cond.kind == "l2"
    # exact: r = 40 dt <= 1/2 binds (nu = 20 dt = 1/4 there, nu^2/2 <= r holds)
    assert dt_max == pytest.approx(0.0125, rel=1e-12)
    from mcgen.analysis.von_neumann import growth_factor
    for k in range(1, 200):  # |G| <= 1 at the largest step, every mode
        assert growth_factor(FIVE, 2 * 3.14159 * k / 200, nu=0.25, r=0.5) <= 1 + 1e-12
