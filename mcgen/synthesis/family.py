"""Consistent families: every weight vector on a stencil support that meets the moment conditions.

The moment conditions ``sum_k w_k k^alpha = m_alpha`` (|alpha| <= order) are linear in the weights.
We complete them with further monomials (graded order) until the square system is invertible; the
values of those extra moments are the family's free parameters, so each parameter *means*
something: on three points, first order, the single parameter ``q = sum k^2 w_k`` is the second
moment, and ``q - nu^2`` is the numerical diffusion (second cumulant). Upwind is ``q = |nu|``,
Lax-Friedrichs ``q = 1``, Lax-Wendroff ``q = nu^2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, cast

import sympy as sp
from sympy.polys.matrices import DomainMatrix

from mcgen.errors import AnalysisError, ModelError
from mcgen.model.read import Field
from mcgen.model.scheme import Scheme
from mcgen.proof import Check, Derivation, DerivationBuilder
from mcgen.synthesis.moment_conditions import (
    MomentTarget,
    MultiIndex,
    moment_matrix,
    moment_target,
    monomial,
    multi_indices,
)


def normalize_support(support: Any) -> tuple[MultiIndex, ...]:
    """Offsets as sorted tuples of ints (1-D ints become 1-tuples); duplicates removed."""
    try:
        offs = {((int(k),) if isinstance(k, (int, sp.Integer)) else tuple(int(c) for c in k))
                for k in support}
    except TypeError as exc:
        raise ModelError(f"support {support!r} must be a finite collection of integer offsets "
                         "(ints in 1-D, tuples in 2-3 D)") from exc
    if not offs:
        raise ModelError("the stencil support is empty: give at least one offset")
    dims = {len(k) for k in offs}
    if len(dims) != 1 or not 1 <= next(iter(dims)) <= 3:
        raise ModelError(f"support offsets {sorted(offs)} must all have the same number (1-3) "
                         "of components")
    return tuple(sorted(offs))


def _offset_key(k: MultiIndex) -> int | MultiIndex:
    return k[0] if len(k) == 1 else k


def _independent_rows(M: sp.Matrix) -> list[int]:
    """Indices of a maximal set of linearly independent rows, earliest first."""
    _, pivots = M.T.rref()
    return list(pivots)


def _qq_inverse(M: sp.Matrix) -> sp.Matrix:
    dM = DomainMatrix.from_Matrix(sp.Matrix(M)).convert_to(sp.QQ)
    return dM.inv().to_Matrix()


def _moment_sum(support: tuple[MultiIndex, ...] | list[MultiIndex], alpha: MultiIndex,
                w: dict[MultiIndex, sp.Expr]) -> sp.Expr:
    """sum_k k^alpha w_k left unevaluated, so a derivation shows what is being summed."""
    terms = [sp.Mul(monomial(k, alpha), w[k], evaluate=False) for k in support
             if w[k] != 0 and monomial(k, alpha) != 0]
    return sp.Add(*terms, evaluate=False) if terms else sp.Integer(0)


def _param_name(alpha: MultiIndex, single: bool, prefix: str) -> str:
    if single:
        return prefix
    return prefix + "".join(str(a) for a in (alpha if len(alpha) > 1 else (sum(alpha),)))


@dataclass(frozen=True)
class Member:
    """One member of a family: its parameter values, its scheme and the derivation that checks
    the moment conditions for those values."""

    values: dict[sp.Symbol, sp.Expr]
    scheme: Scheme
    derivation: Derivation
    order: int

    @property
    def weights(self) -> dict[Any, sp.Expr]:
        # a member's scheme is built from its weights, so it is linear
        return cast(dict[Any, sp.Expr], self.scheme.linear_weights())


@dataclass(frozen=True)
class SchemeFamily:
    """All weights on ``support`` meeting the moment conditions to ``order``.

    Attributes
    ----------
    support : the offsets (tuples).
    weights : {offset: w_k}, linear in the free parameters.
    free : the free parameters; ``free_moments[q]`` is the multi-index alpha with
        ``q = sum_k k^alpha w_k``.
    target : the moment conditions (and the law they come from).
    constrained : the multi-indices whose moments are imposed (independent ones).
    derivation : checks, exactly, every moment condition and the meaning of every parameter.
    """

    support: tuple[MultiIndex, ...]
    weights: dict[MultiIndex, sp.Expr]
    free: tuple[sp.Symbol, ...]
    free_moments: dict[sp.Symbol, MultiIndex]
    target: MomentTarget
    order: int
    constrained: tuple[MultiIndex, ...]
    derivation: Derivation
    field: str = "u"
    name: str = ""
    meta: dict[str, Any] = dc_field(default_factory=dict)

    @property
    def dim(self) -> int:
        return len(self.support[0])

    @property
    def params(self) -> tuple[sp.Symbol, ...]:
        """Parameters other than the free ones (nu, r, x, dt ...)."""
        free = set().union(*[w.free_symbols for w in self.weights.values()]) - set(self.free)
        return tuple(sorted(free, key=lambda s: s.name))

    # ------------------------------------------------------------------ members
    def scheme_for(self, weights: dict[MultiIndex, sp.Expr], name: str) -> Scheme:
        u = Field(self.field, self.dim)
        update = sp.Add(*[w * u[_offset_key(k)] for k, w in weights.items() if w != 0])
        t = self.target
        return Scheme((self.field,), self.dim, {self.field: update}, name=name,
                      definitions=dict(t.definitions), law=t.law,
                      coords=t.coords or (), spacing=t.spacing or (), dt=t.dt)

    @property
    def scheme(self) -> Scheme:
        """The whole family as one scheme whose parameters include the free ones."""
        return self.scheme_for(self.weights, self.name or "consistent family")

    def weights_at(self, values: dict[Any, Any]) -> dict[MultiIndex, sp.Expr]:
        sub = self._subs(values)
        return {k: sp.simplify(w.subs(sub)) for k, w in self.weights.items()}

    def _subs(self, values: dict[Any, Any]) -> dict[sp.Symbol, sp.Expr]:
        names = {s.name: s for s in (*self.free, *self.params)}
        out = {}
        for k, v in values.items():
            key = k.name if isinstance(k, sp.Symbol) else k
            if key not in names:
                raise ModelError(f"{key!r} is not a parameter of this family; its parameters are "
                                 f"{sorted(names)}")
            out[names[key]] = sp.sympify(v)
        return out

    def member(self, name: str = "", **values: Any) -> Member:
        """The member with the given parameter values (free ones and, optionally, physical)."""
        sub = self._subs(values)
        w = {k: sp.simplify(wk.subs(sub)) for k, wk in self.weights.items()}
        label = ", ".join(f"{k}={v}" for k, v in sub.items())
        scheme = self.scheme_for(w, name or f"member {label}")
        deriv, order = self._member_derivation(w, sub, name)
        return Member(sub, scheme, deriv, order)

    def _member_derivation(self, w: dict[MultiIndex, sp.Expr], sub: dict[sp.Symbol, sp.Expr],
                           name: str) -> tuple[Derivation, int]:
        b = DerivationBuilder(f"moment conditions of {name or 'the member'}",
                              meta={"support": [list(k) for k in self.support]})
        b.define(sp.Eq(sp.Symbol("w"), sp.ImmutableMatrix([w[k] for k in self.support]),
                       evaluate=False), f"weights on support {list(self.support)} at {sub}")
        # the achieved order: how far the member's moments keep matching the exact ones
        order = -1
        top = max(self.order, 1)
        try:
            tgt = self.target.up_to(top + 2) if self.target.mean is not None else self.target
        except ModelError:
            tgt = self.target
        mismatch = None
        for deg in range(0, tgt.max_degree + 1):
            alphas = multi_indices(self.dim, deg, deg)
            sums = {a: _moment_sum(self.support, a, w) for a in alphas}
            bad = [a for a in alphas
                   if sp.cancel(sp.together(sp.expand(sums[a]) - tgt.moments[a].subs(sub))) != 0]
            if bad:
                mismatch = (bad[0], sums[bad[0]], tgt.moments[bad[0]].subs(sub))
                break
            for a in alphas:
                b.step(sp.Eq(sums[a], tgt.moments[a].subs(sub), evaluate=False),
                       f"moment {a}: sum_k k^{a} w_k equals the exact moment",
                       Check("polynomial_identity", (sums[a], tgt.moments[a].subs(sub))),
                       uses=[0])
            order = deg
        if mismatch is not None:
            a, m, goal = mismatch
            b.step(sp.Ne(m, goal, evaluate=False), f"moment {a} differs from the exact one "
                   f"({sp.sstr(sp.factor(sp.expand(m) - goal))} off), so the order is exactly "
                   f"{order}", Check("not_identically_equal", (m, goal)), uses=[0])
        b.step(f"consistent to order {order} (moments of degree <= {order} are exact)",
               "the moment identities above", Check("follows"), uses=list(range(len(b.steps))))
        return b.finish_concluded(order), order

    # ------------------------------------------------------------------ identification
    def identify(self, scheme_or_weights: Scheme | dict[Any, Any]) -> dict[sp.Symbol, sp.Expr]:
        """The free-parameter values at which the family gives this scheme (an error naming the
        violated moment condition when the scheme is not a member)."""
        if isinstance(scheme_or_weights, Scheme):
            w = scheme_or_weights.linear_weights()
            if w is None:
                raise ModelError(f"scheme {scheme_or_weights.name!r} is not a linear two-level "
                                 "scalar update, so it belongs to no weight family")
        else:
            w = scheme_or_weights
        wt = {((k,) if isinstance(k, (int, sp.Integer)) else tuple(k)): sp.sympify(v)
              for k, v in w.items()}
        outside = [k for k, v in wt.items() if k not in self.support and v != 0]
        if outside:
            raise ModelError(f"the scheme uses offsets {outside} outside the family's support "
                             f"{list(self.support)}")
        full = {k: wt.get(k, sp.Integer(0)) for k in self.support}
        for a in self.constrained:
            m = sp.Add(*[monomial(k, a) * full[k] for k in self.support])
            if sp.simplify(m - self.target.moments[a]) != 0:
                raise ModelError(f"the scheme's moment {a} is {sp.simplify(m)}, but consistency "
                                 f"to order {self.order} needs {self.target.moments[a]}: it is "
                                 "not a member of this family")
        vals = {q: sp.simplify(sp.Add(*[monomial(k, a) * full[k] for k in self.support]))
                for q, a in self.free_moments.items()}
        for k in self.support:
            if sp.simplify(self.weights[k].subs(vals) - full[k]) != 0:
                raise ModelError(f"weight at {k} differs from the family member at {vals}")
        return vals

    def describe(self) -> str:
        ws = ", ".join(f"{_offset_key(k)}: {sp.sstr(w)}" for k, w in self.weights.items())
        fr = ", ".join(f"{q} = sum k^{a if len(a) > 1 else a[0]} w"
                       for q, a in self.free_moments.items())
        return (f"{self.name or 'family'} (order {self.order}, free: {fr or 'none'}): "
                f"{{{ws}}}")

    def __str__(self) -> str:
        return self.describe()


def consistent_family(law_or_moments: Any, support: Any, order: int = 1, *,
                      field: str = "u", prefix: str = "q", name: str = "") -> SchemeFamily:
    """All weights on ``support`` that meet the moment conditions of a law to ``order``.

    Parameters
    ----------
    law_or_moments : a ``Law`` (linear flux with constant speed, or backward form with drift and
        diffusion, possibly depending on x), a dict ``{alpha: moment}`` or a ``MomentTarget``.
    support : finite offsets (ints in 1-D, tuples in 2-3 D); ``w_k`` multiplies u at offset +k.
    order : moments of total degree <= order are imposed.
    field : the field name of the schemes built.
    prefix : free parameters are named ``prefix`` (one) or ``prefix`` + moment index.

    Returns
    -------
    SchemeFamily, with a derivation that checks each moment condition exactly.

    Raises
    ------
    AnalysisError when no weights on the support (positive or not) meet the conditions, naming
    the dependent moment and the relation the parameters would have to satisfy.
    """
    if order < 0:
        raise ModelError(f"order={order}: give an order >= 0")
    supp = normalize_support(support)
    dim = len(supp[0])
    target = moment_target(law_or_moments, order, dim)
    if target.dim != dim:
        raise ModelError(f"the law is {target.dim}-D but the support offsets are {dim}-D")
    alphas = multi_indices(dim, order)
    A = sp.Matrix(moment_matrix(list(supp), alphas))
    rows = _independent_rows(A)
    # dependent moment rows must be met by the targets identically, otherwise no weights exist
    for i, a in enumerate(alphas):
        if i in rows:
            continue
        coeffs = A.extract(rows, list(range(A.cols))).T.solve_least_squares(A.row(i).T)
        implied = sp.Add(*[c * target.moments[alphas[j]] for c, j in zip(coeffs, rows,
                                                                           strict=True)])
        if sp.cancel(sp.together(implied - target.moments[a])) != 0:
            raise AnalysisError(
                f"on support {list(supp)} the moment {a} is fixed by lower ones (it equals "
                f"{sp.simplify(implied)}), but order {order} asks for {target.moments[a]}: no "
                f"weights on this support are consistent to order {order} unless "
                f"{sp.simplify(implied)} = {target.moments[a]}; widen the support or lower the "
                "order")
    constrained = [alphas[i] for i in rows]
    # complete with higher monomials until the system is square and invertible; one exact rref
    # per degree picks the earliest independent monomials (graded order)
    extra: list[MultiIndex] = []
    M = A.extract(rows, list(range(A.cols)))
    deg = order + 1
    while M.rows < len(supp):
        cands = multi_indices(dim, deg, deg)
        big = M.col_join(sp.Matrix(moment_matrix(list(supp), cands)))
        _, pivots = DomainMatrix.from_Matrix(big.T).convert_to(sp.QQ).rref()
        new = [cands[i - M.rows] for i in pivots if i >= M.rows][:len(supp) - M.rows]
        if new:
            M = M.col_join(sp.Matrix(moment_matrix(list(supp), new)))
            extra += new
        deg += 1
        if deg > order + len(supp) + 1:  # cannot happen: points are unisolvent at degree N - 1
            raise AnalysisError("could not complete the moment system (internal error)")
    single = len(extra) == 1
    free = tuple(sp.Symbol(_param_name(a, single, prefix), real=True) for a in extra)
    rhs = sp.Matrix([target.moments[a] for a in constrained] + list(free))
    W = _qq_inverse(M) * rhs
    weights = {k: sp.expand(W[i]) for i, k in enumerate(supp)}

    b = DerivationBuilder(f"consistent weights on {list(supp)} to order {order}",
                          meta={"support": [list(k) for k in supp], "order": order})
    b.define(target.description or "target moments", "the moments the law asks for")
    i_w = b.define(sp.Eq(sp.Symbol("w"), sp.ImmutableMatrix([weights[k] for k in supp]),
                         evaluate=False),
                   "solution of the completed moment system" +
                   (f"; free parameters {', '.join(map(str, free))}" if free else ""))
    b.step(f"the completed moment matrix on {len(supp)} offsets is invertible, so every "
                    "consistent weight vector is a member (for exactly one parameter value)",
                    "full rank of the integer moment matrix", Check("full_rank", (
                        sp.ImmutableMatrix(M),)))
    for a in constrained:
        m = _moment_sum(supp, a, weights)
        b.step(sp.Eq(m, target.moments[a], evaluate=False),
               f"moment {a} meets the consistency condition",
               Check("polynomial_identity", (m, target.moments[a])), [i_w])
    for q, a in zip(free, extra, strict=True):
        m = _moment_sum(supp, a, weights)
        b.step(sp.Eq(m, q, evaluate=False), f"free parameter {q} is the moment {a}",
               Check("polynomial_identity", (m, q)), [i_w])
    deriv = b.finish_concluded(sp.ImmutableMatrix([weights[k] for k in supp]))
    return SchemeFamily(supp, weights, free, dict(zip(free, extra, strict=True)), target, order,
                        tuple(constrained), deriv, field, name)
