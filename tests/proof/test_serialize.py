"""Safe JSON round trips and stable hashes."""

import json
import os
import subprocess
import sys

import pytest
import sympy as sp

from mcgen.errors import McgenError
from mcgen.proof import dumps, loads, stable_hash

x, nu = sp.symbols("x nu", real=True)
u = sp.Function("u")

CASES = [
    sp.Abs(nu) <= 1,
    sp.And(nu >= 0, nu <= 1),
    sp.Derivative(u(x), (x, 2)) + sp.Rational(1, 3) * nu**2,
    sp.Matrix([[1, nu], [0, 2]]),
    sp.Piecewise((1, x > 0), (0, True)),
    sp.FiniteSet(-1, 0, 1),
    sp.Interval.Lopen(0, 1),
    sp.Max(x, 0) + sp.sqrt(x) * sp.exp(x),
    sp.Float("0.1"),
    sp.oo,
    sp.Lambda(x, x**2),
]


@pytest.mark.parametrize("expr", CASES, ids=[str(c) for c in CASES])
def test_round_trip_is_exact(expr):
    assert loads(dumps(expr)) == expr


def test_unknown_class_is_refused_not_evaluated():
    payload = json.dumps({"f": "os.system", "args": [{"str": "echo hacked"}]})
    with pytest.raises(McgenError, match="not an allowed node type"):
        loads(payload)


def test_hash_independent_of_hash_seed():
    code = ("import sympy as sp; from mcgen.proof import stable_hash; "
            "a,b,c=sp.symbols('a b c'); print(stable_hash({a: b+c, b: a*c}, {c, a, b}))")
    outs = set()
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outs.add(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                text=True, check=True).stdout.strip())
    assert len(outs) == 1
    a, b, c = sp.symbols("a b c")
    assert outs.pop() == stable_hash({a: b + c, b: a * c}, {c, a, b})


def test_sets_singletons_and_label_symbols_round_trip_but_quotes_are_refused():
    # regression (merge of the safe loader with the high-resolution analyses): Eq of sets,
    # EmptySet/Reals and label-like symbol names were refused, so TVD/SSP derivations did not
    # re-check from JSON
    from mcgen.errors import DerivationFileError
    from mcgen.proof import serialize

    r = sp.Symbol("r")
    label = sp.Symbol("sup of Max(0, Min(2, 2*r))/r over Interval.open(-oo, 0)")
    for obj in (sp.Eq(sp.Interval(0, 1), sp.Interval(0, 1)), sp.S.EmptySet, sp.S.Reals,
                sp.Eq(sp.Symbol("(I + r K)^{-1}"), label), sp.Symbol("=="),
                sp.Union(sp.Interval.open(-sp.oo, -1), sp.Interval.open(-1, 0)) - sp.S.EmptySet):
        assert serialize.from_data(serialize.to_data(obj)) == obj
    with pytest.raises(DerivationFileError, match="symbol name"):
        serialize.from_data({"sym": "a'); import os; ('", "assume": {}})
    with pytest.raises(DerivationFileError, match="symbol name"):
        serialize.from_data({"sym": "x" * 161, "assume": {}})
    assert r == serialize.from_data(serialize.to_data(r))


def test_algebraic_endpoints_round_trip_and_evaluate():
    # regression: complete 1-D decisions give CRootOf endpoints; Condition.holds() raised
    # NameError on them and the loader refused them, so such a derivation could not be re-checked
    from mcgen.errors import DerivationFileError
    from mcgen.proof import Condition, serialize

    nu = sp.Symbol("nu")
    root = sp.CRootOf(nu**3 - nu - 1, 0)                 # 1.3247...
    cond = Condition(sp.And(nu >= 0, nu <= root), (nu,), "l2", "proved")
    back = serialize.from_data(serialize.to_data(cond))
    assert back.expr == cond.expr
    assert back.holds(nu=1.3247) and not back.holds(nu=1.3248)
    with pytest.raises(DerivationFileError, match="CRootOf"):
        serialize.from_data({"f": "ComplexRootOf",
                             "args": [{"sym": "nu", "assume": {}}, {"int": "3"}]})
