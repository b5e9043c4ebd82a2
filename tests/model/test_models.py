"""Laws, jump processes and particle systems: validation and stated forms."""

import pytest
import sympy as sp

from mcgen.errors import ModelError
from mcgen.model import JumpProcess, Law, ParticleSystem, Reflecting, scalar_law
from mcgen.model.symbols import N_TO

rho, a, D = sp.symbols("rho a D")


def test_law_states_its_diffusion_form():
    with pytest.raises(ModelError, match="form"):
        Law((rho,), (a * rho,), D)
    ito = Law((rho,), (a * rho,), D, "ito")
    fick = Law((rho,), (a * rho,), D, "fick")
    assert ito.pde() != fick.pde()
    x = ito.coords[0]
    f = sp.Function("rho")(x, ito.t)
    assert sp.simplify(ito.pde().rhs.doit() - D * f.diff(x, 2)) == 0


def test_flux_must_depend_on_the_field():
    with pytest.raises(ModelError, match="not a function of the field"):
        scalar_law(rho, a)


def test_backward_equation_is_not_in_divergence_form():
    law = Law((rho,), drift=(a,), diffusion=D, diffusion_form="ito", form="backward")
    x = law.coords[0]
    v = sp.Function("rho")(x, law.t)
    assert sp.simplify(law.pde().rhs.doit() - (a * v.diff(x) + D * v.diff(x, 2))) == 0


def test_jump_process_fills_self_loop_and_rejects_bad_sums():
    p = sp.Rational(3, 5)
    jp = JumpProcess({1: p, -1: sp.Rational(1, 5)})
    assert jp.jumps[(0,)] == sp.Rational(1, 5)
    with pytest.raises(ModelError, match="negative"):
        JumpProcess({1: sp.Rational(7, 10), -1: sp.Rational(1, 2)})
    with pytest.raises(ModelError, match="sum to"):
        JumpProcess({1: sp.Rational(1, 2), 0: sp.Rational(1, 2), -1: sp.Rational(1, 2)})
    with pytest.raises(ModelError, match="reading"):
        JumpProcess({1: p}, reading="sideways")


def test_exclusion_rule_includes_the_target_empty_factor():
    ps = ParticleSystem("exclusion", {1: 1})
    assert ps.rate(1, 1, 0) == 1 and ps.rate(1, 1, 1) == 0
    assert sp.simplify(ps.rates[1] - (1 - N_TO)) == 0
    with pytest.raises(ModelError, match="update"):
        ParticleSystem("exclusion", {1: 1}, update="sometimes")
    with pytest.raises(ModelError, match="reservoirs"):
        ParticleSystem("exclusion", {1: 1}, boundary="open")


def test_reflecting_boundary_means_what_the_reading_says():
    assert "zero flux" in Reflecting().meaning("density")
    assert "v_x = 0" in Reflecting().meaning("expectation")
