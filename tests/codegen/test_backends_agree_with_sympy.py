"""Every backend (numba, LLVM, C), the NumPy reference and SymPy itself give the same value to
random expressions built from the functions mcgen allows, on inputs full of ties and zeros
(Heaviside(0), Max(a, a), Abs(0), sign(0), Piecewise boundaries, t-dependence).

One kernel is compiled per backend: a system whose fields e_i are each one expression of the
reads u[-1], u[0], u[1], two parameters and the time t. Hypothesis varies the *inputs* (values
k/4, so every product and sum is exact in binary and ties are frequent); one step of each
kernel, the reference and an exact SymPy evaluation must agree cell by cell (NaN where SymPy's
Piecewise has no branch that holds). MCGEN_SLOW=1 compiles more random expressions and tries
more inputs.
"""

from __future__ import annotations

import functools
import os
import random

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcgen.codegen import compile as compile_kernel
from mcgen.model import Field, Scheme
from mcgen.model.symbols import t as T
from mcgen.run.numpy_stepper import oracle_run

SLOW = os.environ.get("MCGEN_SLOW") == "1"
BACKENDS = ("numba", "llvm", "c")
u = Field("u")
A, B, C = u[-1], u[0], u[1]
P, Q = sp.Symbol("p", real=True), sp.Symbol("q", real=True)
LEAVES = (A, B, C, P, Q, T, sp.Integer(0), sp.Integer(1), sp.Integer(-1), sp.Rational(1, 2))
RELATIONS = (sp.Lt, sp.Le, sp.Gt, sp.Ge, sp.Eq)

#: chosen to sit on ties for inputs drawn below: each is compared everywhere anyway
HAND_PICKED = (
    sp.Heaviside(A - B),                      # 1/2 where u[-1] == u[0]
    sp.Heaviside(B, 0) + 2 * sp.Heaviside(C - P, 1),   # values at 0 given explicitly
    sp.Max(A, B, P) - sp.Min(B, C, Q),
    sp.Abs(A - C) + sp.sign(B - P) + sp.sign(T - Q),
    sp.Piecewise((A, B < P), (C, B <= Q), (P * T, True)),
    sp.Piecewise((B, sp.And(A >= 0, C < P)), (A * C, sp.Or(A < Q, sp.Not(C > 0))), (Q, True)),
    sp.Piecewise((A + 1, sp.Eq(B, C))),       # NaN where no branch holds (as in SymPy)
    T * B + sp.Heaviside(T - P),
)


def random_expression(rng: random.Random, depth: int) -> sp.Expr:
    """A random tree of +, *, Max, Min, Abs, sign, Heaviside (three values at 0) and
    Piecewise over the reads, the parameters, t and small constants (no division)."""
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(LEAVES)
    kind = rng.choice(("add", "mul", "max", "min", "abs", "sign", "heaviside", "piecewise"))
    sub = functools.partial(random_expression, rng, depth - 1)
    if kind == "add":
        return sub() + sub()
    if kind == "mul":
        return sub() * sub()
    if kind in ("max", "min"):
        return (sp.Max if kind == "max" else sp.Min)(sub(), sub(), sub())
    if kind == "abs":
        return sp.Abs(sub())
    if kind == "sign":
        return sp.sign(sub())
    if kind == "heaviside":
        h0 = rng.choice((None, 0, 1))
        return sp.Heaviside(sub()) if h0 is None else sp.Heaviside(sub(), h0)
    rel = rng.choice(RELATIONS)
    return sp.Piecewise((sub(), rel(sub(), sub())), (sub(), True))


def expressions() -> tuple[sp.Expr, ...]:
    rng = random.Random(2026)
    count = 40 if SLOW else 8
    out = list(HAND_PICKED)
    while len(out) < len(HAND_PICKED) + count:
        e = random_expression(rng, 4)
        if e.free_symbols & {A, B, C}:  # something that varies from cell to cell
            out.append(e)
    return tuple(out)


EXPRS = expressions()
FIELDS = ("u", *[f"e{i}" for i in range(len(EXPRS))])
SYSTEM = Scheme(FIELDS, 1, {"u": B, **{f"e{i}": e for i, e in enumerate(EXPRS)}},
                params=(P, Q, T), name="random_expressions")
CELLS = 6


@pytest.fixture(scope="module")
def kernels():
    return {be: compile_kernel(SYSTEM, backend=be, condition=False) for be in BACKENDS}


def sympy_values(u0: list[float], p: float, q: float, t0: float) -> np.ndarray:
    """Exact SymPy values of every expression in every cell (periodic neighbours)."""
    exact = [sp.Rational(v) for v in u0]
    out = np.empty((len(EXPRS), CELLS))
    for j in range(CELLS):
        env = {A: exact[j - 1], B: exact[j], C: exact[(j + 1) % CELLS], P: sp.Rational(p),
               Q: sp.Rational(q), T: sp.Rational(t0)}
        for i, e in enumerate(EXPRS):
            out[i, j] = float(e.xreplace(env))
    return out


quarter = st.integers(-8, 8).map(lambda k: k / 4)


def check(kernels, u0: list[float], p: float, q: float, t0: float) -> None:
    state = {f: np.zeros(CELLS) for f in FIELDS}
    state["u"] = np.array(u0)
    want = sympy_values(u0, p, q, t0)
    runs = {be: k.run(state, 1, t0=t0, dt=0.5, p=p, q=q) for be, k in kernels.items()}
    runs["numpy reference"] = oracle_run(SYSTEM, state, 1, t0=t0, dt=0.5, p=p, q=q)
    for who, got in runs.items():
        for i, e in enumerate(EXPRS):
            np.testing.assert_array_equal(
                got[f"e{i}"], want[i], err_msg=f"{who} disagrees with SymPy on {e} at "
                f"u={u0}, p={p}, q={q}, t={t0}")


@settings(max_examples=300 if SLOW else 25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(u0=st.lists(quarter, min_size=CELLS, max_size=CELLS), p=quarter, q=quarter, t0=quarter)
def test_every_backend_the_reference_and_sympy_agree(kernels, u0, p, q, t0):
    check(kernels, u0, p, q, t0)


def test_all_ties_at_zero(kernels):
    # everything 0: Heaviside(0) = 1/2 (or its given value), sign(0) = Abs(0) = 0, Max(0, 0)
    check(kernels, [0.0] * CELLS, 0.0, 0.0, 0.0)
