"""What a model expression may hold: finite real numbers a double can carry, bounded integer
powers, defined functions. Checked once, when a model is declared, so a value that no kernel
can compute (``zoo``, ``nan``, ``10**400``, ``I``) is named there instead of surfacing later as a
raw SymPy, NumPy or compiler error, or as a silently dropped imaginary part (complex values by
the rule of :mod:`mcgen.model.numeric`); and so that huge
rationals or powers are refused before exact arithmetic on them runs for hours.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from mcgen.errors import ModelError
from mcgen.model.names import check_name
from mcgen.model.numeric import complex_message, complex_part

MAX_BITS = 1024       # integers, numerators and denominators: a double's exponent range
MAX_FLOAT_BITS = 4096  # precision of a Float (sp.Float("1e300") carries about 1000 bits)
MAX_EXPONENT = 1000   # integer powers u**k: beyond, expansion and exact arithmetic do not end
_NOT_FINITE = {sp.nan: "nan", sp.zoo: "zoo (complex infinity)", sp.oo: "oo",
               -sp.oo: "-oo"}


def _digits(n: int) -> int:
    """About how many decimal digits ``n`` has (without converting it to a string, which
    Python refuses beyond 4300 digits)."""
    return int(abs(n).bit_length() * 0.30103) + 1


def check_expression(expr: Any, where: str, allow_undefined: bool = True) -> sp.Expr:
    """``sympify(expr)``, refused with a :class:`ModelError` naming ``where`` and the offending
    part when it holds a non-finite or complex number, a number no double holds, an integer
    power above ``MAX_EXPONENT`` or (with ``allow_undefined=False``) an undefined function.

    Undefined functions are allowed by default: a model may keep a generic coefficient
    ``a(x)`` for analysis; :func:`check_evaluable` refuses them where the model is run."""
    if isinstance(expr, dict):
        raise ModelError(f"{where} is a dict {expr!r}: give one expression")
    try:
        e = expr if isinstance(expr, sp.Basic) else sp.sympify(expr, strict=True)
        if isinstance(expr, str) or not isinstance(e, sp.Basic):
            raise TypeError
    except (sp.SympifyError, TypeError, ValueError):
        raise ModelError(f"{where} = {expr!r} ({type(expr).__name__}) is not a SymPy "
                         "expression or a number: write it with SymPy symbols and "
                         "numbers") from None
    if isinstance(e, sp.MatrixBase):
        for entry in e:
            check_expression(entry, where, allow_undefined)
        return e
    for node in sp.preorder_traversal(e):
        _check_node(node, where, allow_undefined)
    part = complex_part(e)  # the one rule for complex values (mcgen.model.numeric)
    if part is not None:
        raise ModelError(complex_message(e, part, where))
    return e


def check_evaluable(updates: dict[str, Any]) -> None:
    """Refuse updates that no kernel can evaluate: an undefined function ``f(u)`` (fine for
    analysis, but there is nothing to compute)."""
    for f, e in updates.items():
        check_expression(e, f"update of {f!r}", allow_undefined=False)


def _check_node(node: sp.Basic, where: str, allow_undefined: bool) -> None:
    if node in _NOT_FINITE:
        raise ModelError(f"{where} holds {_NOT_FINITE[node]}, which is not a finite number: a "
                         "kernel cannot compute with it; check the division or limit that made it")
    if isinstance(node, sp.Float):
        if not sp.Abs(node) < sp.Float(1.7976931348623157e308):
            raise ModelError(f"{where} holds the number {sp.Float(node, 3)}, which does not "
                             "fit in a double (max 1.8e308): rescale the model")
        if node._prec > MAX_FLOAT_BITS:  # a Float('0.1', 10**6): every operation on it crawls
            raise ModelError(f"{where} holds a number of {node._prec} bits of precision: a "
                             f"kernel computes in doubles (53 bits); give at most "
                             f"{MAX_FLOAT_BITS}")
    elif isinstance(node, sp.Rational):
        for part, what in ((node.p, "numerator"), (node.q, "denominator")):
            if abs(part).bit_length() > MAX_BITS:
                raise ModelError(f"{where} holds a number whose {what} has about "
                                 f"{_digits(part)} digits: no double holds it (max 1.8e308) "
                                 "and exact arithmetic on it would not end in time; round or "
                                 "rescale it")
    elif isinstance(node, sp.Pow) and node.exp.is_Integer and abs(int(node.exp)) > MAX_EXPONENT:
        raise ModelError(f"{where} holds a power with exponent {_short(node.exp)}: mcgen "
                         f"expands powers up to exponent {MAX_EXPONENT}; write it with a "
                         "smaller exponent (or as exp(k*log(u)))")
    elif isinstance(node, AppliedUndef) and not allow_undefined:
        raise ModelError(f"{where} calls the undefined function {node.func}: there is nothing "
                         f"to compute for {node}; to run the model, write it out as an "
                         f"expression (define {node.func} as a Python function returning a "
                         "SymPy expression)")
    elif isinstance(node, sp.Symbol):
        check_name(node.name, "symbol name")


def _short(n: sp.Integer) -> str:
    d = _digits(int(n))
    return str(n) if d < 30 else f"an integer of about {d} digits"
