"""MultiStateWalk: validation with clear errors, structure matrices, JSON round trip."""

import pytest
import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.catalogue.kinetic import OMEGA, R, persistent_random_walk, three_velocity
from mcgen.model.multistate_walk import MultiStateWalk
from mcgen.proof import dumps, loads

r = sp.Symbol("r", real=True)


def test_rows_must_sum_to_one():
    with pytest.raises(ModelError, match="sum to 3/4, not 1"):
        MultiStateWalk({"a": {(1, "a"): sp.Rational(3, 4)}})


def test_negative_probability_inside_declared_range_is_refused():
    table = {"right": {(1, "right"): 1 - r, (-1, "left"): r},
             "left": {(-1, "left"): 1 - r, (1, "right"): r}}
    MultiStateWalk(table, ranges={r: (0, 1)})
    with pytest.raises(ModelError, match=r"negative for r in Interval.Lopen\(1, 2\).*narrow"):
        MultiStateWalk(table, ranges={r: (0, 2)})


def test_d1q3_is_a_chain_only_up_to_omega_6_5():
    """The lattice-Boltzmann stability range omega < 2 is wider than the Markov-chain
    (positivity) range: 1 - 5 omega/6 < 0 beyond 6/5."""
    w = three_velocity()
    assert w.ranges[OMEGA] == sp.Interval.Lopen(0, sp.Rational(6, 5))
    with pytest.raises(ModelError, match="negative for omega"):
        MultiStateWalk(w.table, ranges={OMEGA: (0, 2)})


def test_undeclared_parameter_and_bad_moves():
    with pytest.raises(ModelError, match="without a declared range"):
        MultiStateWalk({"a": {(1, "a"): 1 - r, (0, "a"): r}})
    with pytest.raises(ModelError, match="new state one of"):
        MultiStateWalk({"a": {(1, "b"): 1}})
    with pytest.raises(ModelError, match="must be"):
        MultiStateWalk({"a": {1: 1}})
    with pytest.raises(ModelError, match="scaling"):
        MultiStateWalk({"a": {(1, "a"): 1}}, scaling="ballistic")
    with pytest.raises(ModelError, match="< 0"):
        MultiStateWalk({"a": {(1, "a"): 2, (0, "a"): -1}})


def test_matrices_of_the_persistent_walk():
    w = persistent_random_walk()
    assert w.state_matrix() == sp.Matrix([[1 - R, R], [R, 1 - R]])
    # M_1[s, s'] = sum_k k p(k, s'|s): the walker moves along its new velocity
    assert w.moment_matrix(1) == sp.Matrix([[1 - R, -R], [R, -(1 - R)]])
    assert w.moment_matrix(2) == w.state_matrix()


def test_json_round_trip():
    w = persistent_random_walk()
    back = loads(dumps(w))
    assert back == w and back.hash == w.hash
