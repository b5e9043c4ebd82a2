"""The particle catalogue declares the rules (rates, update, boundary) it says it does."""

import pytest
import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.catalogue.particles import asep, open_tasep, ssep, tasep, zero_range
from mcgen.model.symbols import N_FROM, N_TO


def test_tasep_rate_includes_exclusion():
    ps = tasep()
    assert ps.kind == "exclusion" and ps.max_occupancy == 1
    assert ps.rate(1, 1, 0) == 1 and ps.rate(1, 1, 1) == 0 and ps.rate(1, 0, 0) == 0


def test_update_rule_is_part_of_the_model():
    assert tasep("parallel").update == "parallel"
    assert tasep("parallel").hash != tasep().hash


def test_asep_and_ssep_rates():
    p, q = sp.symbols("p q", positive=True)
    ps = asep(p, q)
    assert sp.simplify(ps.rates[1] - p * (1 - N_TO)) == 0
    assert sp.simplify(ps.rates[-1] - q * (1 - N_TO)) == 0
    s = ssep()
    assert s.scaling == "diffusive" and s.rate(1, 1, 0) == sp.Rational(1, 2)
    assert s.rate(-1, 1, 0) == sp.Rational(1, 2)


def test_zero_range_rate_is_g_of_departure_site():
    b = sp.Symbol("b", positive=True)
    ps = zero_range(1 + b / N_FROM, p=1, q=0)
    assert sp.simplify(ps.rate(1, 2, 5) - (1 + b / 2)) == 0
    with pytest.raises(ModelError, match="p = q = 0"):
        zero_range(1, p=0, q=0)


def test_open_tasep_has_reservoirs():
    ps = open_tasep()
    assert ps.boundary == "open" and set(ps.reservoirs) == {"alpha", "beta"}
