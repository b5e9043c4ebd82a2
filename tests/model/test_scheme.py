"""Schemes: weights are derived from update expressions; bad schemes get clear errors."""

import pytest
import sympy as sp

from mcgen.errors import ModelError
from mcgen.model import Field, JumpProcess, Scheme

u = Field("u")
nu = sp.Symbol("nu", real=True)
r = sp.Symbol("r", nonnegative=True)


def test_weights_of_lax_wendroff_are_derived_from_its_update():
    upd = u[0] - nu / 2 * (u[1] - u[-1]) + nu**2 / 2 * (u[1] - 2 * u[0] + u[-1])
    w = Scheme(("u",), 1, {"u": upd}).linear_weights()
    expected = {-1: nu * (1 + nu) / 2, 0: 1 - nu**2, 1: nu * (nu - 1) / 2}
    assert set(w) == set(expected)
    assert all(sp.simplify(w[k] - expected[k]) == 0 for k in w)


def test_nonlinear_update_has_no_weights():
    s = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] ** 2 - u[-1] ** 2) / 2})
    assert s.linear_weights() is None


def test_as_chain_reads_weights_as_probabilities():
    s = Scheme(("u",), 1, {"u": r * u[-1] + (1 - 2 * r) * u[0] + r * u[1]})
    chain = s.as_chain(r=0.25)
    assert isinstance(chain, JumpProcess)
    assert chain.jumps[(1,)] == sp.Rational(1, 4) and chain.jumps[(0,)] == sp.Rational(1, 2)


def test_as_chain_names_the_negative_weight():
    s = Scheme(("u",), 1, {"u": r * u[-1] + (1 - 2 * r) * u[0] + r * u[1]})
    with pytest.raises(ModelError, match=r"w_0 = -1 .* negative"):
        s.as_chain(r=1)


def test_undefined_symbol_and_wrong_field_are_named():
    with pytest.raises(ModelError, match="v"):
        Scheme(("u",), 1, {"u": Field("v")[0]})
    with pytest.raises(ModelError, match="offsets"):
        Scheme(("u",), 2, {"u": u[0]})
    with pytest.raises(ModelError, match="identifier"):
        Field("u; import os")


def test_subs_returns_a_new_scheme():
    s = Scheme(("u",), 1, {"u": nu * u[-1] + (1 - nu) * u[0]})
    s2 = s.subs({"nu": sp.Rational(1, 2)})
    assert s.params == (nu,) and s2.params == ()
    assert s2.linear_weights() == {-1: sp.Rational(1, 2), 0: sp.Rational(1, 2)}


def test_json_round_trip_and_hash():
    s = Scheme(("u",), 1, {"u": nu * u[-1] + (1 - nu) * u[0]}, name="upwind")
    assert Scheme.from_data(s.to_data()) == s
    assert Scheme.from_data(s.to_data()).hash == s.hash
