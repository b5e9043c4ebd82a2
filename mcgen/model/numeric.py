"""What a model's expressions mean as numbers: the functions a model may use, their values at
ties, and a NumPy evaluator built from the SymPy tree.

What ``Heaviside(0)``, ``sign(0)`` and a ``Piecewise`` with no branch that holds mean, and the
names of the elementary functions, are stated once, in :mod:`mcgen.proof.numeric` (the float
evaluator of conditions); this module adds the subset the kernels compile, the NumPy spelling,
and the rule for complex values (refused: mcgen computes with real numbers). The IR translator of
the kernels (``mcgen/codegen/sympy_to_ir.py``) and the NumPy reference
(``mcgen/run/numpy_stepper.py``) both follow it, and both agree with SymPy.

The evaluator walks the expression tree against an allow-list of node types (never ``lambdify``
or ``eval``: a function name taken from a model is never looked up as code).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp
from sympy.logic.boolalg import ITE

from mcgen.errors import ModelError
from mcgen.proof.numeric import FUNCTIONS, NO_BRANCH, SIGN_AT_ZERO, heaviside_at_zero

#: the IR names of the one-argument functions the kernels compile
KERNEL_FUNCTIONS = ("exp", "log", "sin", "cos", "tanh", "floor", "abs")
#: one-argument functions a model may use, by the name the kernels' IR gives them
UNARY_FUNCTIONS: dict[type[sp.Basic], str] = {
    t: name for t, (name, _) in FUNCTIONS.items() if name in KERNEL_FUNCTIONS}

#: the NumPy spelling of each IR function (the same allow-list, evaluated)
NUMPY_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
    "floor": np.floor, "abs": np.abs, "sqrt": np.sqrt}

RELATIONS: dict[str, str] = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==",
                             "!=": "!="}
_NUMPY_RELATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal}

SUPPORTED = ("+ - * /, powers, sqrt, exp, log, sin, cos, tanh, floor, Abs, sign, Max, Min, "
             "Heaviside, Piecewise and comparisons (And, Or, Not, ITE)")


def complex_part(expr: sp.Basic) -> sp.Basic | None:
    """The first sub-expression of ``expr`` that is a complex (non-real) number, or None."""
    for node in sp.preorder_traversal(expr):
        if node is sp.I or node is sp.zoo:
            return node
        if isinstance(node, sp.Pow) and not node.free_symbols and node.is_extended_real is False:
            return node
    return None


def complex_message(expr: sp.Basic, part: sp.Basic, where: str = "") -> str:
    place = f" in {where}" if where else ""
    return (f"{expr} has the complex value {part}{place}: mcgen computes with real numbers; "
            "split a complex field into its real and imaginary parts (two real fields)")


def finite_real(e: sp.Basic, where: str = "") -> float:
    """A number of an expression as a float; refuses complex, infinite and NaN constants."""
    part = complex_part(e)
    if part is not None:
        raise ModelError(complex_message(e, part, where))
    if e.is_finite is False or e is sp.nan:
        raise ModelError(f"the constant {e}{' in ' + where if where else ''} is not a finite "
                         "real number")
    return float(e)


def numpy_function(expr: sp.Basic, args: Sequence[sp.Basic], where: str = ""
                   ) -> Callable[..., Any]:
    """``f(*values)`` evaluating ``expr`` with NumPy, ``args[i]`` taking ``values[i]`` (numbers
    or arrays, broadcast). Like ``sympy.lambdify``, but built from the tree against the
    allow-list above, with the meanings stated in the module docstring.

    >>> x = sp.Symbol("x")
    >>> f = numpy_function(sp.Heaviside(x) + sp.sign(x), [x])
    >>> f(np.array([-2.0, 0.0, 3.0])).tolist()
    [-1.0, 0.5, 2.0]
    """
    e = sp.sympify(expr)
    part = complex_part(e)
    if part is not None:
        raise ModelError(complex_message(e, part, where))
    index = {a: i for i, a in enumerate(args)}
    fn = _Builder(index, where).go(e)
    return lambda *values: fn(values)


Compiled = Callable[[Sequence[Any]], Any]


class _Builder:
    def __init__(self, index: dict[sp.Basic, int], where: str) -> None:
        self.index, self.where = index, where

    def fold(self, op: Callable[[Any, Any], Any], parts: list[Compiled]) -> Compiled:
        return lambda v: functools.reduce(op, [p(v) for p in parts])

    def go(self, e: sp.Basic) -> Compiled:
        if isinstance(e, sp.Symbol):
            if e not in self.index:
                raise ModelError(f"symbol {e}{' in ' + self.where if self.where else ''} has "
                                 "no value: make it a parameter and give its value")
            i = self.index[e]
            return lambda v: v[i]
        if e is sp.true or e is sp.false:
            b = bool(e)
            return lambda v: b
        if e.is_Number or isinstance(e, (sp.NumberSymbol, sp.CRootOf)):
            c = finite_real(e, self.where)
            return lambda v: c
        if isinstance(e, sp.Add):
            return self.fold(operator.add, [self.go(a) for a in e.args])
        if isinstance(e, sp.Mul):
            return self.fold(operator.mul, [self.go(a) for a in e.args])
        if isinstance(e, sp.Pow):
            return self.pow(e.base, e.exp)
        if isinstance(e, (sp.Max, sp.Min)):
            extreme: Callable[[Any, Any], Any] = np.maximum if isinstance(e, sp.Max) \
                else np.minimum
            return self.fold(extreme, [self.go(a) for a in e.args])
        if isinstance(e, sp.sign):
            a = self.go(e.args[0])
            return lambda v: _sign(a(v))
        if isinstance(e, sp.Heaviside):
            a, h0 = self.go(e.args[0]), self.go(heaviside_at_zero(e))
            return lambda v: _heaviside(a(v), h0(v))
        if isinstance(e, sp.Piecewise):
            pieces = [(self.go(val), self.go(cond)) for val, cond in e.args]
            return lambda v: _piecewise(pieces, v)
        if isinstance(e, sp.core.relational.Relational) and e.rel_op in RELATIONS:
            rel, lhs, rhs = _NUMPY_RELATIONS[e.rel_op], self.go(e.lhs), self.go(e.rhs)
            return lambda v: rel(lhs(v), rhs(v))
        if isinstance(e, (sp.And, sp.Or)):
            logic: Callable[[Any, Any], Any] = np.logical_and if isinstance(e, sp.And) \
                else np.logical_or
            return self.fold(logic, [self.go(a) for a in e.args])
        if isinstance(e, sp.Not):
            a = self.go(e.args[0])
            return lambda v: np.logical_not(a(v))
        if isinstance(e, ITE):  # SymPy writes nested Piecewise conditions this way
            test, yes, no = (self.go(a) for a in e.args)
            return lambda v: np.where(test(v), yes(v), no(v))
        for cls, name in UNARY_FUNCTIONS.items():
            if isinstance(e, cls):
                f, a = NUMPY_FUNCTIONS[name], self.go(e.args[0])
                return lambda v: f(a(v))
        raise ModelError(f"{e} (a {type(e).__name__}){' in ' + self.where if self.where else ''}"
                         f" is not a function mcgen evaluates: write it with {SUPPORTED}")

    def pow(self, base: sp.Basic, ex: sp.Basic) -> Compiled:
        # the same grouping as the kernels: small integer powers are products
        b = self.go(base)
        if ex.is_Integer and 0 < abs(int(ex)) <= 8:
            n = abs(int(ex))

            def power(v: Sequence[Any]) -> Any:
                x = b(v)
                out = x
                for _ in range(n - 1):
                    out = out * x
                return out
            return power if int(ex) > 0 else (lambda v: 1.0 / power(v))
        if ex == 0:
            return lambda v: 1.0
        if ex == sp.Rational(1, 2):
            return lambda v: np.sqrt(b(v))
        if ex == -sp.Rational(1, 2):
            return lambda v: 1.0 / np.sqrt(b(v))
        p = self.go(ex)
        return lambda v: np.power(b(v), p(v))


def _sign(a: Any) -> Any:
    return np.where(a == 0, SIGN_AT_ZERO, np.sign(a))


def _heaviside(a: Any, h0: Any) -> Any:
    return np.where(a > 0, 1.0, np.where(a < 0, 0.0, h0))


def _piecewise(pieces: list[tuple[Compiled, Compiled]], v: Sequence[Any]) -> Any:
    out: Any = NO_BRANCH
    for val, cond in reversed(pieces):
        out = np.where(cond(v), val(v), out)
    return out
