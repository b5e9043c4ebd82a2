"""Malformed models: the error names the offending part and the fix."""

import pytest
import sympy as sp

from mcgen.errors import ModelError
from mcgen.model import Field, JumpProcess, Scheme
from mcgen.model.boundary import Periodic, as_boundary
from mcgen.model.symbols import nu


def test_probabilities_summing_past_one_name_the_sum_not_a_self_loop():
    with pytest.raises(ModelError, match=r"sum to 6/5 > 1.*self-loop 1 - sum would be -1/5"):
        JumpProcess({1: sp.Rational(3, 5), -1: sp.Rational(3, 5)})


def test_probabilities_summing_to_one_keep_an_exact_zero_self_loop():
    walk = JumpProcess({1: sp.Rational(1, 2), -1: sp.Rational(1, 2)})
    assert walk.jumps[(0,)] == 0


def test_a_given_negative_probability_is_named():
    with pytest.raises(ModelError, match=r"jump \(-1,\) is -1/5, which is negative"):
        JumpProcess({1: sp.Rational(6, 5), -1: sp.Rational(-1, 5)})


def test_rates_may_sum_past_one_in_continuous_time():
    walk = JumpProcess({1: 3, -1: 2}, time="continuous")
    assert sum(walk.jumps.values()) == 5


def test_too_many_offsets_say_how_to_declare_the_field():
    with pytest.raises(ModelError, match=r"give 1 offsets, not \(0, 0\).*Field\('u', dim=2\)"):
        Field("u")[0, 0]


def test_undefined_symbol_in_an_unnamed_scheme_is_named():
    u, k = Field("u"), sp.Symbol("k")
    with pytest.raises(ModelError, match=r"undefined symbols \['k'\] in the scheme: list them "
                                         r"in params="):
        Scheme(("u",), 1, {"u": u[0] - k * (u[0] - u[-1])}, params=(nu,))


def test_unknown_boundary_name_suggests_the_closest():
    with pytest.raises(ModelError, match=r"'periodc' is not known \(did you mean 'periodic'\?\)"):
        as_boundary("periodc")
    with pytest.raises(ModelError, match=r"'banana' is not known: use one of"):
        as_boundary("banana")
    assert isinstance(as_boundary("Periodic"), Periodic)
