"""Issue 11, defect 6: Heaviside(0) was 0 in stencil kernels but 1/2 in Monte Carlo kernels, the
NumPy reference and SymPy; an update using t saw the current time in the NumPy reference but a
constant in the kernels; a complex-valued update lost its imaginary part on the NumPy path
without a word (now refused by the model, with the evaluator and the translator
refusing too). One translator (codegen/sympy_to_ir.py) and one table of meanings
(model/numeric.py) now hold every path to SymPy's values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import compile as compile_kernel
from mcgen.codegen import ir
from mcgen.codegen.montecarlo import compile_walkers
from mcgen.codegen.sympy_to_ir import sympy_to_ir
from mcgen.errors import CodegenError, ModelError
from mcgen.model import Field, JumpProcess, Scheme
from mcgen.model.numeric import numpy_function
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import t as T
from mcgen.model.symbols import x as X
from mcgen.run.numpy_stepper import oracle_run
from mcgen.run.simulation import Simulation

BACKENDS = ("numba", "llvm", "c")
u = Field("u")
#: at u = 0 every Heaviside sits on its tie: 1/2 (SymPy's default), 0 and 1 given explicitly
HEAVISIDES = sp.Heaviside(u[1] - u[0]) + 2 * sp.Heaviside(u[0], 0) + 4 * sp.Heaviside(u[-1], 1)
STEP = Scheme(("u",), 1, {"u": HEAVISIDES}, name="heavisides")


def test_sympy_states_the_meaning_the_kernels_follow():
    assert HEAVISIDES.xreplace({r: 0 for r in HEAVISIDES.atoms(type(u[0]))}) == sp.Rational(9, 2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_heaviside_at_zero_is_sympys_value_in_stencil_kernels(backend):
    k = compile_kernel(STEP, backend=backend, condition=False)
    np.testing.assert_array_equal(k.run(np.zeros(5), 1), np.full(5, 4.5))


def test_heaviside_at_zero_is_sympys_value_in_the_numpy_reference():
    np.testing.assert_array_equal(oracle_run(STEP, np.zeros(5), 1), np.full(5, 4.5))
    x = sp.Symbol("x")
    f = numpy_function(sp.Heaviside(x) + sp.sign(x) + sp.Abs(x) + sp.Max(x, x), [x])
    assert f(0.0) == 0.5


def test_heaviside_at_zero_is_sympys_value_in_monte_carlo_kernels():
    # every walker starts at x = 0, where the jump probabilities are 0.8 H(0) = 0.4 to the
    # right and 0.4 H(0, 1) = 0.4 to the left (0.8 * 0 and 0.4 * 1/2 with other readings)
    walk = JumpProcess({(1,): sp.Rational(4, 5) * sp.Heaviside(X),
                        (-1,): sp.Rational(2, 5) * sp.Heaviside(X, 1)}, coords=(X,))
    n = 20_000
    res = compile_walkers(walk, moments=False, backend="llvm").run(n, steps=1, seed=5)
    k = res.positions[:, 0]
    sd = np.sqrt(0.4 * 0.6 / n)
    assert abs((k == 1).mean() - 0.4) < 5 * sd
    assert abs((k == -1).mean() - 0.4) < 5 * sd


# ---------------------------------------------------------------------- the time t

CLOCK = Scheme(("u",), 1, {"u": u[0] + DT * T}, name="clock")


def exact_clock(u0: np.ndarray, t0: float, dt: float, n: int) -> np.ndarray:
    """u + dt * sum_{k<n} (t0 + k dt): the update sees the time of each step."""
    return u0 + n * dt * t0 + dt * dt * n * (n - 1) / 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_t_is_the_time_of_each_step_in_stencil_kernels(backend):
    k = compile_kernel(CLOCK, backend=backend, condition=False)
    assert "t" not in dict(k.layout.params)  # the time is no argument that could hold a constant
    u0 = np.linspace(0.0, 1.0, 7)
    np.testing.assert_allclose(k.run(u0, 6, t0=0.25, dt=0.125), exact_clock(u0, 0.25, 0.125, 6),
                               rtol=1e-15)


def test_t_is_the_time_of_each_step_in_the_numpy_reference_and_simulations():
    u0 = np.linspace(0.0, 1.0, 7)
    want = exact_clock(u0, 0.25, 0.125, 6)
    np.testing.assert_allclose(oracle_run(CLOCK, u0, 6, t0=0.25, dt=0.125), want, rtol=1e-15)
    for backend in ("numpy", "llvm"):
        sim = Simulation(CLOCK, (7, (0.0, 1.0)), u0, dt=0.125, unsafe=True, backend=backend)
        sim.run(0.75)
        np.testing.assert_allclose(sim.state["u"], exact_clock(u0, 0.0, 0.125, 6), rtol=1e-14)


# ---------------------------------------------------------------------- complex values

def test_a_complex_update_is_refused_by_the_model_before_any_path_sees_it():
    with pytest.raises(ModelError, match="complex value I .*real numbers"):
        Scheme(("u",), 1, {"u": u[0] + sp.I * (u[1] - u[0])})
    with pytest.raises(ModelError, match="complex"):
        JumpProcess({(1,): sp.Rational(1, 4) + sp.sqrt(-1) * X / 8}, coords=(X,))


def test_a_complex_expression_is_refused_by_the_numpy_evaluator_and_the_translator():
    # the second line of defence, for expressions that come from no Scheme (boundary values,
    # rates given to the IR directly); (-1)**(1/3) is complex for SymPy, NaN for C's pow
    y = sp.Symbol("y", real=True)
    for e in (y + sp.I * y, y * sp.Pow(-1, sp.Rational(1, 3), evaluate=False)):
        with pytest.raises(ModelError, match="complex"):
            numpy_function(e, [y])
        with pytest.raises(CodegenError, match="complex"):
            sympy_to_ir(e, {y: ir.Var("y")})


def test_a_piecewise_with_no_branch_that_holds_is_nan_everywhere():
    s = Scheme(("u",), 1, {"u": sp.Piecewise((u[0] + 1, u[0] > 0))}, name="half")
    u0 = np.array([-1.0, 0.0, 2.0])
    want = [float(sp.Piecewise((v + 1, sp.Float(v) > 0)).subs({})) for v in u0]
    np.testing.assert_array_equal(oracle_run(s, u0, 1), want)
    np.testing.assert_array_equal(compile_kernel(s, backend="c", condition=False).run(u0, 1),
                                  want)


def test_the_numpy_and_the_condition_evaluators_share_one_table():
    """Issue 10: Heaviside(0), sign(0), Piecewise without a branch and the function names are
    stated once (mcgen.proof.numeric) and both evaluators give the same numbers."""
    from mcgen.model.numeric import UNARY_FUNCTIONS
    from mcgen.proof.numeric import FUNCTIONS, compile_real

    x = sp.Symbol("x", real=True)
    assert set(UNARY_FUNCTIONS) <= set(FUNCTIONS)
    assert all(UNARY_FUNCTIONS[t] == FUNCTIONS[t][0] for t in UNARY_FUNCTIONS)
    exprs = [sp.Heaviside(x), sp.Heaviside(x, 1), sp.sign(x), sp.Abs(x), sp.floor(x),
             sp.Piecewise((1, x > 1), (2, x < -1)), *[t(x) for t in UNARY_FUNCTIONS]]
    for e in exprs:
        for v in (-2.0, 0.0, 0.5, 3.0):
            if isinstance(e, sp.log) and v <= 0:
                continue
            a = float(numpy_function(e, [x])(np.float64(v)))
            b = compile_real(e, (x,))([v])
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b), (e, v)
            s = e.subs(x, v)
            assert s is sp.nan and math.isnan(b) or float(s) == pytest.approx(b), (e, v)


def test_rational_coefficients_divide_unless_reciprocals_are_asked_for():
    """(p x) / q by default (stencil kernels match their references bit for bit); with
    reciprocal_constants, p/q rounded times x when q is not a power of two."""
    y = sp.Symbol("y")
    env = {y: ir.Var("y")}
    third, half = sp.Rational(2, 3) * y, y / 2
    assert sympy_to_ir(third, env) == ir.BinOp("/", ir.BinOp("*", ir.Const(2.0), ir.Var("y")),
                                               ir.Const(3.0))
    assert sympy_to_ir(third, env, reciprocal_constants=True) == \
        ir.BinOp("*", ir.Const(2 / 3), ir.Var("y"))
    for flag in (False, True):
        assert sympy_to_ir(half, env, reciprocal_constants=flag) == \
            ir.BinOp("/", ir.Var("y"), ir.Const(2.0))
