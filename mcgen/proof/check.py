"""Checks: data that says how a claim is verified, re-runnable after a JSON round trip.

A check is a kind (a registered decision procedure) and SymPy arguments. Procedures return
``proved``, ``refuted``, ``sampled`` or ``unknown``; one that cannot decide says ``unknown``,
never ``refuted``. Later layers add procedures with :func:`register_check`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from mcgen.errors import DerivationFileError
from mcgen.proof import serialize

STATUSES = ("proved", "sampled", "unknown", "refuted")
# a derivation is as strong as its weakest step
_RANK = {"proved": 0, "sampled": 1, "unknown": 2, "refuted": 3}

_PROCEDURES: dict[str, tuple[Callable[..., str], str]] = {}
# argument positions where a procedure takes a word (a relation such as ">="), not an expression
_TEXT_ARGS: dict[str, frozenset[int]] = {}


def register_check(kind: str, description: str, text_args: tuple[int, ...] = ()
                   ) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Decorator registering a decision procedure ``f(*args) -> status`` under ``kind``.

    ``text_args`` are the positions of arguments that are words the procedure checks itself
    (never ``sympify``): only there may a derivation file hold a plain string.
    """

    def deco(fn: Callable[..., str]) -> Callable[..., str]:
        _PROCEDURES[kind] = (fn, description)
        _TEXT_ARGS[kind] = frozenset(text_args)
        return fn

    return deco


def weakest(statuses: Any) -> str:
    """The weakest of several statuses (``proved`` when there are none)."""
    worst = "proved"
    for s in statuses:
        if _RANK[s] > _RANK[worst]:
            worst = s
    return worst


@dataclass(frozen=True)
class Check:
    """How a step's claim is verified: a registered procedure and its (SymPy) arguments."""

    kind: str
    args: tuple[Any, ...] = field(default_factory=tuple)
    _notes: list[str] = field(default_factory=list, compare=False, repr=False)

    def run(self) -> str:
        if self.kind not in _PROCEDURES:
            serialize.load_registrations()
        if self.kind not in _PROCEDURES:
            raise DerivationFileError(f"no check procedure {self.kind!r} is registered; import "
                                      "the module that defines it (mcgen registers all of its "
                                      "own on import)")
        try:
            status = _PROCEDURES[self.kind][0](*self.args)
        except DerivationFileError:  # a nested derivation failed its integrity check
            raise
        except Exception as err:  # noqa: BLE001
            # a procedure outside its class (or given arguments from an edited file) cannot
            # decide: whatever it raised, that is never a proof, and never a crash of the caller
            self._notes.append(f"{self.kind}: {type(err).__name__}: {str(err)[:200]}")
            return "unknown"
        if status not in STATUSES:
            raise DerivationFileError(f"check procedure {self.kind!r} returned {status!r}")
        return status

    @property
    def description(self) -> str:
        return _PROCEDURES[self.kind][1] if self.kind in _PROCEDURES else self.kind

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "args": serialize.to_data(tuple(self.args))}

    @classmethod
    def from_data(cls, d: Any, path: str = "$", depth: int = 0) -> Check:
        """Rebuild from :meth:`to_data` output read from a file (see :mod:`serialize`).

        The kind must be a registered procedure, and no argument may be a plain string:
        procedures ``sympify`` their arguments, and a string would be parsed as Python.
        """
        if not isinstance(d, dict):
            raise DerivationFileError(f"{path}: expected a check object")
        serialize.expect_keys(d, ("kind", "args"), (), path)
        kind = serialize.text(d["kind"], path + ".kind", 64)
        if kind not in _PROCEDURES:
            serialize.load_registrations()
        if kind not in _PROCEDURES:
            raise DerivationFileError(f"{path}.kind: no check procedure {kind[:64]!r} (known: "
                                      f"{', '.join(sorted(_PROCEDURES))})")
        args = serialize.from_data(d["args"], path + ".args", depth + 1)
        if not isinstance(args, tuple):
            raise DerivationFileError(f"{path}.args: expected a list of arguments")
        for i, a in enumerate(args):
            if serialize.has_text(a) and not (i in _TEXT_ARGS[kind] and isinstance(a, str)):
                raise DerivationFileError(f"{path}.args.list[{i}]: a plain string among the "
                                          f"arguments of check {kind!r} (arguments are "
                                          "expressions)")
        return cls(kind, args)


# ---------------------------------------------------------------- built-in procedures


def is_zero(expr: sp.Expr) -> str:
    """Decide expr == 0 exactly: cancel first, then simplify; a nonzero number refutes."""
    expr = sp.sympify(expr)
    if isinstance(expr, sp.MatrixBase):
        return weakest(is_zero(e) for e in expr)
    try:
        c = sp.cancel(sp.together(expr))
    except (sp.PolynomialError, TypeError, ValueError):
        c = expr
    if c == 0:
        return "proved"
    if c.is_rational_function() and not c.atoms(sp.Function, sp.Derivative):
        return "refuted"  # a nonzero rational function is not identically zero
    s = sp.simplify(c)
    if s == 0:
        return "proved"
    if s.is_number and s.is_zero is False:
        return "refuted"
    if s.is_zero is False:
        return "refuted"
    return "unknown"


@register_check("identity", "rational identity, decided by cancel (simplify as fallback)")
def _identity(lhs: Any, rhs: Any) -> str:
    if isinstance(lhs, tuple) and isinstance(rhs, tuple):
        if len(lhs) != len(rhs):
            return "refuted"
        return weakest(_identity(a, b) for a, b in zip(lhs, rhs, strict=True))
    if isinstance(lhs, sp.Equality) and isinstance(rhs, sp.Equality):
        return _identity(lhs.lhs - lhs.rhs, rhs.lhs - rhs.rhs)
    return is_zero(sp.sympify(lhs) - sp.sympify(rhs))


@register_check("definition", "definition or declared hypothesis (true by fiat)")
def _definition(*_: Any) -> str:
    return "proved"


@register_check("follows", "follows from the steps it uses (their statuses propagate)")
def _follows(*_: Any) -> str:
    return "proved"


@register_check("truth", "a closed boolean statement evaluated exactly")
def _truth(statement: Any) -> str:
    v = sp.simplify(statement)
    if v is sp.true:
        return "proved"
    if v is sp.false:
        return "refuted"
    return "unknown"


def _univariate_set(cond: Any, var: sp.Symbol, domain: sp.Set) -> sp.Set | None:
    cond = sp.sympify(cond)
    if not cond.free_symbols <= {var}:
        return None
    try:
        return cond.as_set().intersect(domain)
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return None


@register_check("equivalent", "two conditions on one real variable define the same set")
def _equivalent(a: Any, b: Any, var: sp.Symbol, domain: sp.Set = sp.S.Reals) -> str:
    if a == b:
        return "proved"
    sa, sb = _univariate_set(a, var, domain), _univariate_set(b, var, domain)
    if sa is None or sb is None:
        return "unknown"
    diff = sp.Union(sp.Complement(sa, sb), sp.Complement(sb, sa))
    if diff is sp.S.EmptySet or diff.is_empty:
        return "proved"
    if diff.is_empty is False:
        return "refuted"
    return "unknown"


@register_check("implies", "a condition on one real variable implies another (set inclusion)")
def _implies(a: Any, b: Any, var: sp.Symbol, domain: sp.Set = sp.S.Reals) -> str:
    sa, sb = _univariate_set(a, var, domain), _univariate_set(b, var, domain)
    if sa is None or sb is None:
        return "unknown"
    rest = sp.Complement(sa, sb)
    if rest is sp.S.EmptySet or rest.is_empty:
        return "proved"
    if rest.is_empty is False:
        return "refuted"
    return "unknown"


@register_check("nonneg_on_interval",
                "a univariate polynomial is >= 0 on [a, b] (exact real-root isolation)")
def _nonneg_on_interval(poly: sp.Expr, var: sp.Symbol, a: sp.Expr, b: sp.Expr) -> str:
    p = sp.Poly(sp.expand(poly), var)
    if p.free_symbols - {var}:
        return "unknown"
    a, b = sp.nsimplify(a), sp.nsimplify(b)
    if p.is_zero:
        return "proved"
    try:
        pts = [a, b] + _real_roots_in(p, a, b)
    except (sp.PolynomialError, NotImplementedError, sp.DomainError):
        return "unknown"
    pts = sorted(set(pts))
    tests = list(pts) + [(pts[i] + pts[i + 1]) / 2 for i in range(len(pts) - 1)]
    return "proved" if all(p.eval(t) >= 0 for t in tests) else "refuted"


def _real_roots_in(p: sp.Poly, a: sp.Expr, b: sp.Expr) -> list[sp.Expr]:
    # isolating intervals with rational endpoints; their midpoints are separated by the roots
    out = []
    for (lo, hi), _ in p.intervals():
        if hi < a or lo > b:
            continue
        out.extend([max(lo, a), min(hi, b)])
    return out


@register_check("sampled", "checked numerically at sample points only (not a proof)")
def _sampled(*_: Any) -> str:
    return "sampled"
