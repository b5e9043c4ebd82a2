"""What expressions mean as numbers, and float evaluation of conditions over a closed list of
SymPy node types.

This is the one place that says what ``Heaviside(0)``, ``sign(0)`` and a ``Piecewise`` with no
branch that holds mean, and which elementary functions exist (:data:`FUNCTIONS`); the NumPy
evaluator of the models (:mod:`mcgen.model.numeric`) and through it the kernels build on it:

- ``Heaviside(x)`` is 0 for x < 0, 1 for x > 0 and SymPy's default 1/2 at x = 0, unless the
  expression gives its own value there (``Heaviside(x, 0)``): :func:`heaviside_at_zero`;
- ``sign(0) = 0`` (:data:`SIGN_AT_ZERO`); ``Abs``, ``Max`` and ``Min`` as in SymPy;
- ``Piecewise`` takes the first branch whose condition holds, NaN when none does
  (:data:`NO_BRANCH`, SymPy's value).

Why not ``lambdify``: it prints the expression as Python source and executes that text, so the
name of an undefined function or symbol read from a derivation file would become code. Here each
node is turned into a Python closure over ``math`` functions; a node outside the list (an
undefined function, a derivative, a complex constant) is refused when the predicate is built, and
nothing from the expression is ever executed as text.

A domain error (log of a negative number, 0 to a negative power) gives NaN, and a relation that
meets NaN raises :class:`~mcgen.errors.ConditionError`: a guard never answers "holds" by accident
(``Not(nu > 1)`` at NaN would).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import sympy as sp
from sympy.core.relational import Relational

from mcgen.errors import ConditionError

Values = Sequence[float]
RealFn = Callable[[Values], float]
Predicate = Callable[[float, Values], bool]

#: the value of ``sign`` at 0
SIGN_AT_ZERO = 0.0
#: the value of a ``Piecewise`` none of whose conditions holds (SymPy's ``nan``)
NO_BRANCH = math.nan


def heaviside_at_zero(e: sp.Heaviside) -> sp.Expr:
    """The value of ``e`` at 0: its second argument when given, else SymPy's default 1/2."""
    return sp.sympify(e.args[1]) if len(e.args) > 1 else sp.Rational(1, 2)


def _sign(x: float) -> float:
    return x if x != x else SIGN_AT_ZERO if x == 0 else math.copysign(1.0, x)


def _elliptic_k(m: float) -> float:
    """K(m), the complete elliptic integral of the first kind (parameter m = k^2), for real
    m <= 1: pi / (2 AGM(1, sqrt(1 - m))); NaN above 1 (complex), inf at 1."""
    if m != m or m > 1:
        return math.nan
    if m == 1:
        return math.inf
    a, b = 1.0, math.sqrt(1.0 - m)
    for _ in range(64):
        if abs(a - b) <= 4e-16 * a:
            break
        a, b = (a + b) / 2, math.sqrt(a * b)
    return math.pi / (a + b)


#: one-argument real functions, by SymPy class: the name the kernels' IR gives them and their
#: float value (the models and kernels use a subset, :data:`mcgen.model.numeric.UNARY_FUNCTIONS`)
FUNCTIONS: dict[type, tuple[str, Callable[[float], float]]] = {
    sp.exp: ("exp", math.exp), sp.log: ("log", math.log), sp.sin: ("sin", math.sin),
    sp.cos: ("cos", math.cos), sp.tan: ("tan", math.tan), sp.sinh: ("sinh", math.sinh),
    sp.cosh: ("cosh", math.cosh), sp.tanh: ("tanh", math.tanh), sp.asin: ("asin", math.asin),
    sp.acos: ("acos", math.acos), sp.atan: ("atan", math.atan), sp.Abs: ("abs", abs),
    sp.floor: ("floor", lambda x: float(math.floor(x))),
    sp.ceiling: ("ceil", lambda x: float(math.ceil(x))), sp.sign: ("sign", _sign),
    sp.re: ("re", lambda x: x), sp.conjugate: ("conjugate", lambda x: x),
    sp.im: ("im", lambda x: 0.0), sp.elliptic_k: ("elliptic_k", _elliptic_k),
}
_UNARY: dict[type, Callable[[float], float]] = {t: f for t, (_, f) in FUNCTIONS.items()}


def _guarded(f: Callable[..., float]) -> Callable[..., float]:
    def g(*a: float) -> float:
        try:
            return float(f(*a))
        except (ValueError, ZeroDivisionError):
            return math.nan
        except OverflowError:
            return math.inf

    return g


def compile_real(expr: sp.Basic, syms: tuple[sp.Symbol, ...]) -> RealFn:
    """``f(values) -> float`` for a real expression in ``syms`` (values in that order)."""
    if isinstance(expr, sp.Symbol):
        if expr not in syms:
            raise ConditionError(f"symbol {expr} has no value")
        i = syms.index(expr)
        return lambda v: v[i]
    if expr is sp.S.Infinity or expr is sp.S.NegativeInfinity:
        c = float(expr)
        return lambda v: c
    if expr.is_Number or isinstance(expr, sp.NumberSymbol):
        if not expr.is_extended_real:
            raise ConditionError(f"{sp.sstr(expr)[:80]} is not a real number")
        try:
            c = float(expr)
        except OverflowError:
            c = math.inf if expr > 0 else -math.inf
        return lambda v: c
    if isinstance(expr, sp.CRootOf):  # an exact algebraic endpoint: its value, to 30 digits
        if not expr.is_real:
            raise ConditionError(f"{sp.sstr(expr)[:80]} is not a real number")
        c = float(expr.evalf(30))
        return lambda v: c
    parts = [compile_real(a, syms) for a in expr.args] \
        if isinstance(expr, (sp.Add, sp.Mul, sp.Pow, sp.Max, sp.Min, sp.atan2)) else []
    if isinstance(expr, sp.Add):
        return lambda v: math.fsum(p(v) for p in parts)
    if isinstance(expr, sp.Mul):
        return lambda v: math.prod(p(v) for p in parts)
    if isinstance(expr, sp.Pow):
        pw, (b, e) = _guarded(math.pow), parts
        return lambda v: pw(b(v), e(v))
    if isinstance(expr, (sp.Max, sp.Min)):
        pick = max if isinstance(expr, sp.Max) else min
        return lambda v: _nan_or(pick, [p(v) for p in parts])
    if isinstance(expr, sp.atan2):
        at, (y, x) = _guarded(math.atan2), parts
        return lambda v: at(y(v), x(v))
    if isinstance(expr, sp.Heaviside):
        x = compile_real(expr.args[0], syms)
        h0 = compile_real(heaviside_at_zero(expr), syms)
        return lambda v: _heaviside(x(v), h0(v))
    if isinstance(expr, sp.Piecewise):
        pieces = [(compile_real(e, syms), compile_predicate(c, syms)) for e, c in expr.args]

        def piecewise(v: Values) -> float:
            for e, c in pieces:
                if c(0.0, v):
                    return e(v)
            return NO_BRANCH

        return piecewise
    if isinstance(expr, sp.Integral):
        return _integral(expr, syms)
    fn = _UNARY.get(type(expr)) or next((f for t, f in _UNARY.items() if isinstance(expr, t)),
                                        None)
    if fn is not None and len(expr.args) == 1:
        g, a = _guarded(fn), compile_real(expr.args[0], syms)
        return lambda v: g(a(v))
    raise ConditionError(f"cannot evaluate {type(expr).__name__} ({sp.sstr(expr)[:80]}) "
                         "numerically: conditions use arithmetic, powers, Abs, Max, Min, "
                         "Piecewise, Heaviside and elementary functions of real parameters")


def _integral(expr: sp.Integral, syms: tuple[sp.Symbol, ...]) -> RealFn:
    """A definite integral in one variable (finite limits), by adaptive Gauss-Kronrod
    quadrature to a relative 1e-13 (the 3-D lattice Green's function of
    :mod:`mcgen.analysis.resolvent_positivity` is one)."""
    from scipy.integrate import quad
    if len(expr.limits) != 1 or len(expr.limits[0]) != 3:
        raise ConditionError(f"cannot evaluate {sp.sstr(expr)[:80]} numerically: a definite "
                             "integral in one variable is needed")
    x, lo, hi = expr.limits[0]
    f = compile_real(expr.function, (*syms, x))
    a, b = compile_real(lo, syms), compile_real(hi, syms)

    def integral(v: Values) -> float:
        val, _ = quad(lambda t: f([*v, t]), a(v), b(v), epsabs=0.0, epsrel=1e-13, limit=200)
        return float(val)

    return integral


def compile_predicate(expr: sp.Basic, syms: tuple[sp.Symbol, ...]) -> Predicate:
    """``p(rtol, values) -> bool`` for a Boolean of relations, each relation accepted within a
    relative tolerance ``rtol`` of the larger side (absolute below 1)."""
    if expr is sp.true:
        return lambda rtol, v: True
    if expr is sp.false:
        return lambda rtol, v: False
    if isinstance(expr, (sp.And, sp.Or, sp.Xor)):
        fs = [compile_predicate(a, syms) for a in expr.args]
        if isinstance(expr, sp.And):
            return lambda rtol, v: all(f(rtol, v) for f in fs)
        if isinstance(expr, sp.Or):
            return lambda rtol, v: any(f(rtol, v) for f in fs)
        return lambda rtol, v: sum(f(rtol, v) for f in fs) % 2 == 1
    if isinstance(expr, sp.Not):
        f = compile_predicate(expr.args[0], syms)
        return lambda rtol, v: not f(rtol, v)
    if isinstance(expr, sp.Equivalent):
        fs = [compile_predicate(a, syms) for a in expr.args]
        return lambda rtol, v: len({f(rtol, v) for f in fs}) == 1
    if isinstance(expr, sp.Implies):
        a, b = (compile_predicate(x, syms) for x in expr.args)
        return lambda rtol, v: (not a(rtol, v)) or b(rtol, v)
    if isinstance(expr, sp.Contains):
        x, s = expr.args
        if isinstance(s, sp.FiniteSet):
            return compile_predicate(sp.Or(*[sp.Eq(x, e) for e in s]), syms)
        try:
            rel = s.as_relational(x)
        except (NotImplementedError, TypeError, AttributeError) as e:
            raise ConditionError(f"cannot test membership in {sp.sstr(s)[:80]}: {e}") from None
        return compile_predicate(rel, syms)
    if isinstance(expr, Relational):
        return _relation(expr, syms)
    raise ConditionError(f"cannot evaluate condition part {sp.sstr(expr)[:80]} numerically "
                         f"({type(expr).__name__} is not a relation or a Boolean of relations)")


def _relation(expr: Relational, syms: tuple[sp.Symbol, ...]) -> Predicate:
    lhs, rhs, op = compile_real(expr.lhs, syms), compile_real(expr.rhs, syms), expr.rel_op

    def rel(rtol: float, v: Values) -> bool:
        a, b = lhs(v), rhs(v)
        if math.isnan(a) or math.isnan(b):
            raise ConditionError(f"condition part {sp.sstr(expr)[:80]} is undefined at "
                                 f"{dict(zip((s.name for s in syms), v, strict=True))}")
        scale = max(abs(a), abs(b), 1.0)
        tol = rtol * scale if math.isfinite(scale) else 0.0  # never an infinite tolerance
        if op == "<=":
            return a <= b + tol
        if op == "<":
            return a < b + tol
        if op == ">=":
            return a >= b - tol
        if op == ">":
            return a > b - tol
        if op == "==":
            return abs(a - b) <= tol if math.isfinite(a - b) else a == b
        return not (abs(a - b) <= tol if math.isfinite(a - b) else a == b)

    return rel


def _nan_or(pick: Callable[..., float], xs: list[float]) -> float:
    return math.nan if any(x != x for x in xs) else pick(xs)


def _heaviside(x: float, h0: float) -> float:
    if x != x:
        return math.nan
    return 1.0 if x > 0 else 0.0 if x < 0 else h0
