"""SymPy expression -> IR expression: the one translator of stencil and Monte Carlo kernels
(and of boundary values), so every kernel gives a function the same meaning.

Integer powers become products (no ``pow`` call in the hot loop), ``Max``/``Min``/``Abs`` become
the IR's branch-free ``max``/``min``/``abs``, relations and ``And``/``Or``/``Not`` become boolean
IR, and anything the IR cannot express raises a CodegenError naming the sub-expression. What
``Heaviside(0)``, ``sign(0)`` and a ``Piecewise`` with no branch that holds mean, and which
functions are allowed, is stated once in :mod:`mcgen.model.numeric` (the NumPy reference follows
the same table); complex values are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy as sp
from sympy.logic.boolalg import ITE

from mcgen.codegen import ir
from mcgen.errors import CodegenError
from mcgen.model.numeric import (
    RELATIONS,
    SUPPORTED,
    UNARY_FUNCTIONS,
    complex_message,
    complex_part,
    heaviside_at_zero,
)


def sympy_to_ir(expr: sp.Expr, env: Mapping[sp.Basic, ir.Expr] | Callable[[sp.Basic], ir.Expr],
                dtype: str = "f64", reciprocal_constants: bool = False) -> ir.Expr:
    """Translate ``expr``; atoms (symbols, reads) are looked up in ``env`` (a mapping or a
    function that returns an IR expression or raises CodegenError).

    A rational coefficient p/q of a product is printed ``(p * x) / q`` (a real division: C
    without -freciprocal-math and LLVM keep it), so stencil kernels match their references bit
    for bit. ``reciprocal_constants`` prints it ``(p/q rounded) * x`` when q is not a power of
    two (where both are exact): one rounding more, no division; for kernels checked against
    their reference by a tolerance (the high-resolution ones)."""
    e = sp.sympify(expr)
    part = complex_part(e)
    if part is not None:
        raise CodegenError(complex_message(e, part))
    lookup = env if callable(env) else (lambda s: _lookup(env, s))
    return _Translator(lookup, dtype, reciprocal_constants).go(e)


def _lookup(env: Mapping[sp.Basic, ir.Expr], s: sp.Basic) -> ir.Expr:
    try:
        return env[s]
    except KeyError:
        raise CodegenError(f"symbol {s} has no value in the generated kernel: make it a "
                           "parameter of the scheme") from None


class _Translator:
    def __init__(self, lookup: Callable[[sp.Basic], ir.Expr], dtype: str,
                 reciprocal_constants: bool = False) -> None:
        self.lookup, self.t = lookup, dtype
        self.reciprocal_constants = reciprocal_constants

    def c(self, v: float) -> ir.Const:
        return ir.Const(float(v), self.t)

    def bin(self, op: str, a: ir.Expr, b: ir.Expr) -> ir.Expr:
        return ir.BinOp(op, a, b, self.t)

    def go(self, e: sp.Basic) -> ir.Expr:
        if isinstance(e, sp.Symbol):
            return self.lookup(e)
        if e is sp.true or e is sp.false:
            return ir.Const(bool(e), "bool")
        if e.is_Number or isinstance(e, (sp.NumberSymbol, sp.CRootOf)):
            if e.is_finite is False or e is sp.nan:
                raise CodegenError(f"the constant {e} is not a finite real number: it cannot "
                                   "appear in a kernel")
            return self.c(float(e))
        if isinstance(e, sp.Add):
            return self.add(e)
        if isinstance(e, sp.Mul):
            return self.mul(e)
        if isinstance(e, sp.Pow):
            return self.pow(e.base, e.exp)
        if isinstance(e, (sp.Max, sp.Min)):
            op = "max" if isinstance(e, sp.Max) else "min"
            args = [self.go(a) for a in e.args]
            out = args[0]
            for a in args[1:]:
                out = self.bin(op, out, a)
            return out
        if isinstance(e, sp.sign):
            a = self.go(e.args[0])
            zero = self.c(0.0)
            return ir.Select(ir.Cmp(">", a, zero), self.c(1.0),
                             ir.Select(ir.Cmp("<", a, zero), self.c(-1.0), zero, self.t), self.t)
        if isinstance(e, sp.Heaviside):
            a = self.go(e.args[0])
            zero = self.c(0.0)
            return ir.Select(ir.Cmp(">", a, zero), self.c(1.0),
                             ir.Select(ir.Cmp("<", a, zero), zero,
                                       self.go(heaviside_at_zero(e)), self.t), self.t)
        if isinstance(e, sp.Piecewise):
            return self.piecewise(e)
        if isinstance(e, (sp.core.relational.Relational, sp.And, sp.Or, sp.Not, ITE)):
            return self.cond(e)
        for cls, op in UNARY_FUNCTIONS.items():
            if isinstance(e, cls):
                return ir.UnOp(op, self.go(e.args[0]), self.t)
        raise CodegenError(f"cannot generate code for {e} (a {type(e).__name__}): write it with "
                           f"{SUPPORTED}")

    def add(self, e: sp.Add) -> ir.Expr:
        pos: list[ir.Expr] = []
        neg: list[ir.Expr] = []
        for term in e.args:
            coeff, rest = term.as_coeff_Mul()
            if coeff.is_negative:
                neg.append(self.go(-term))
            else:
                pos.append(self.go(term))
        out = pos[0] if pos else ir.UnOp("neg", neg.pop(0), self.t)
        for p in pos[1:]:
            out = self.bin("+", out, p)
        for n in neg:
            out = self.bin("-", out, n)
        return out

    def mul(self, e: sp.Mul) -> ir.Expr:
        coeff, rest = e.as_coeff_Mul()
        num: list[ir.Expr] = []
        den: list[ir.Expr] = []
        factors = sp.Mul.make_args(rest)
        if coeff.is_Rational and coeff.q != 1 and self.reciprocal_constants \
                and coeff.q & (coeff.q - 1):
            num.append(self.c(coeff))  # p/q rounded once: a product, no division
        elif coeff.is_Rational and coeff.q != 1:
            # p/q * x is printed (p * x) / q so that 1/2 stays exact in binary
            if coeff.p != 1:
                num.append(self.c(coeff.p))
            den.append(self.c(coeff.q))
        elif coeff != 1:
            num.append(self.c(coeff))
        for f in factors:
            if isinstance(f, sp.Pow) and f.exp.is_Number and f.exp.is_negative:
                den.append(self.pow(f.base, -f.exp))
            else:
                num.append(self.go(f))
        out = num[0] if num else self.c(1.0)
        for x in num[1:]:
            out = self.bin("*", out, x)
        if den:
            d = den[0]
            for x in den[1:]:
                d = self.bin("*", d, x)
            out = self.bin("/", out, d)
        return out

    def pow(self, base: sp.Basic, exp: sp.Basic) -> ir.Expr:
        if exp.is_Integer:
            n = int(exp)
            if n == 0:
                return self.c(1.0)
            if n < 0:
                return self.bin("/", self.c(1.0), self.pow(base, -exp))
            if n <= 8:
                b = self.go(base)
                out = b
                for _ in range(n - 1):
                    out = self.bin("*", out, b)
                return out
        if exp == sp.Rational(1, 2):
            return ir.UnOp("sqrt", self.go(base), self.t)
        if exp == -sp.Rational(1, 2):
            return self.bin("/", self.c(1.0), ir.UnOp("sqrt", self.go(base), self.t))
        return self.bin("pow", self.go(base), self.go(exp))

    def cond(self, c: sp.Basic) -> ir.Expr:
        """A boolean IR expression: a comparison, And, Or, Not, True or False."""
        if c is sp.true or c is sp.false:
            return ir.Const(bool(c), "bool")
        if isinstance(c, sp.Symbol):  # a condition named by common-subexpression elimination
            return self.lookup(c)
        if isinstance(c, sp.core.relational.Relational) and c.rel_op in RELATIONS:
            return ir.Cmp(RELATIONS[c.rel_op], self.go(c.lhs), self.go(c.rhs))
        if isinstance(c, (sp.And, sp.Or)):
            op = "&" if isinstance(c, sp.And) else "|"
            parts = [self.cond(a) for a in c.args]
            out = parts[0]
            for p in parts[1:]:
                out = ir.BinOp(op, out, p, "bool")
            return out
        if isinstance(c, sp.Not):
            return ir.UnOp("not", self.cond(c.args[0]), "bool")
        if isinstance(c, ITE):  # SymPy writes nested Piecewise conditions this way
            test, yes, no = (self.cond(a) for a in c.args)
            return ir.Select(test, yes, no, "bool")
        raise CodegenError(f"cannot generate a condition for {c}: use comparisons joined by "
                           "And, Or, Not (or ITE)")

    def piecewise(self, e: sp.Piecewise) -> ir.Expr:
        # the first branch whose condition holds; NaN when none does (SymPy's value)
        out: ir.Expr = self.c(float("nan"))
        for val, cond in reversed(e.args):
            out = self.go(val) if cond is sp.true else \
                ir.Select(self.cond(cond), self.go(val), out, self.t)
        return out
