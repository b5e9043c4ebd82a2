"""The parameters the analyses decide over: a scheme's weights written in dt and the grid steps are
analysed through their dimensionless groups, and the region is stated back in dt and the steps.

A scheme may write its weights with the time step and the spacings themselves
(``u[0] - dt/dx*(u[0] - u[-1])``) instead of a declared parameter ``nu`` with
``definitions={nu: dt/dx}``. The exact deciders (Sturm counts, cell decompositions, the LP) work
over declared parameters, so such a scheme is first brought to dimensionless form:

* **dimensional analysis.** The weights are invariant under every scaling
  ``x -> lam**s_x * x`` (lam > 0) of dt, the spacings and the parameters whose exponent vector s is
  orthogonal to the exponents of the groups they are made of. Writing each update over a common
  denominator, the differences of the exponent vectors of its terms span the group lattice (an
  integer linear algebra problem; arguments of functions such as ``exp`` or ``Max`` are analysed
  the same way). Its rank is the number of parameters to decide over: one for ``dt/dx``,
  ``dt/dx**2`` or ``a*dt/dx``; two for ``dt/dx`` beside ``D*dt/dx**2``.
* **substitution, checked.** Each group becomes a symbol (``nu`` for ``.../dx``, ``r`` for
  ``.../dx**2``, positive when the group is), the update is rewritten in the groups, and the
  rewriting is checked as an identity: the new update with the groups put back is the old one.
* **the region, stated back.** The analysis decides the region in the groups with the existing
  machinery (one parameter: exact cells; two: the two-parameter procedures) and the region is
  substituted back (``dt/dx <= 1``), a checked step. Since the substitution is an identity of
  the weights, the region in dt, dx is exact: it is the preimage of the region in the groups.

The run layer then enforces the condition in dt (it knows the spacings from the grid).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import reduce
from typing import Any

import sympy as sp

from mcgen.errors import AnalysisError
from mcgen.model.read import reads_of
from mcgen.model.scheme import Scheme
from mcgen.proof.check import Check, register_check, weakest
from mcgen.proof.condition import Condition
from mcgen.proof.derivation import Derivation, DerivationBuilder

__all__ = ["DimensionlessForm", "dimensionless_form", "analysis_parameters", "in_groups"]

Vector = tuple[Fraction, ...]


@dataclass(frozen=True)
class DimensionlessForm:
    """A scheme whose update uses dt or the spacings, rewritten in its dimensionless groups.

    Attributes
    ----------
    scheme : the scheme as declared.
    reduced : the same scheme with each group replaced by a parameter (and defined by it).
    groups : ``{symbol: monomial}`` (``{nu: dt/dx}``), in the order of the reduced parameters.
    """

    scheme: Scheme
    reduced: Scheme
    groups: dict[sp.Symbol, sp.Expr]

    @property
    def physical(self) -> tuple[sp.Symbol, ...]:
        """The symbols the groups are made of (parameters, then dt, then the spacings)."""
        used = set().union(*[g.free_symbols for g in self.groups.values()])
        return tuple(s for s in _scaled_symbols(self.scheme) if s in used)

    def words(self) -> str:
        """``nu = dt/dx`` (and so on), for titles and descriptions."""
        return ", ".join(f"{g} = {sp.sstr(e)}" for g, e in self.groups.items())

    def lift(self, value: Any) -> Any:
        """``value`` (a Condition, a tuple or dict of them, an expression) with each group
        replaced by its monomial; conditions then constrain the physical symbols."""
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, Condition):
            return self._lift_condition(value)
        if isinstance(value, tuple):
            return tuple(self.lift(v) for v in value)
        if isinstance(value, dict):
            return {k: self.lift(v) for k, v in value.items()}
        if isinstance(value, sp.Basic):
            return value.subs(self.groups)
        return value

    def _lift_condition(self, c: Condition) -> Condition:
        def back(b: Any) -> Any:
            return None if b is None else b.subs(self.groups)
        kept = tuple(v for v in c.variables if v not in self.groups)
        expr = back(c.expr)
        inner = c.description or sp.sstr(c.expr)
        return replace(c, expr=expr, sufficient=back(c.sufficient),
                       necessary=back(c.necessary),
                       variables=tuple(dict.fromkeys((*kept, *self.physical))),
                       description=f"{sp.sstr(expr)} ({inner}, with {self.words()})",
                       definitions=dict(self.scheme.definitions))


def _scaled_symbols(scheme: Scheme) -> tuple[sp.Symbol, ...]:
    """The symbols dimensional analysis scales: the parameters, dt and the spacings."""
    return tuple(dict.fromkeys((*scheme.params, scheme.dt, *scheme.spacing)))


def _updates(scheme: Scheme) -> list[sp.Expr]:
    return [e.lhs - e.rhs if isinstance(e, sp.Equality) else e for e in scheme.update.values()]


def _uses_steps(scheme: Scheme) -> bool:
    steps = {scheme.dt, *scheme.spacing}
    return any(e.free_symbols & steps for e in _updates(scheme))


# ---------------------------------------------------------------- dimensional analysis


def _term_vectors(expr: sp.Expr, xs: tuple[sp.Symbol, ...], out: list[Vector]) -> None:
    """Append the exponent differences whose orthogonal scalings leave ``expr`` unchanged: the
    terms of its numerator and denominator relative to one of them, and (recursively) those of
    the arguments of functions of the scaled symbols."""
    num, den = sp.fraction(sp.together(expr))
    terms: list[Vector] = []
    for poly in (sp.expand(den), sp.expand(num)):
        for term in sp.Add.make_args(poly):
            vec = [Fraction(0)] * len(xs)
            for factor in sp.Mul.make_args(term):
                base, exp = factor.as_base_exp()
                if base in xs and exp.is_Rational:
                    vec[xs.index(base)] += Fraction(int(exp.p), int(exp.q))
                elif factor.free_symbols & set(xs):
                    # a function of the scaled symbols (exp, Max, a non-integer power of a sum):
                    # invariant when its arguments are
                    for arg in (factor.args if not factor.is_Pow else (base, exp)):
                        _term_vectors(arg, xs, out)
            terms.append(tuple(vec))
    if not terms:
        return
    # denominator terms first: for a Laurent polynomial (one denominator term) the differences
    # are the monomials themselves (dt/dx, D*dt/dx**2), the natural groups
    for t in terms[1:]:
        d = tuple(a - b for a, b in zip(t, terms[0], strict=True))
        if any(d):
            out.append(d)


def _primitive(v: Vector) -> tuple[int, ...]:
    """The primitive integer vector along ``v`` (the caller orients it)."""
    den = reduce(math.lcm, (f.denominator for f in v), 1)
    ints = [int(f * den) for f in v]
    g = reduce(math.gcd, (abs(i) for i in ints), 0) or 1
    return tuple(i // g for i in ints)


def _group_exponents(scheme: Scheme, xs: tuple[sp.Symbol, ...]) -> list[tuple[int, ...]]:
    """A basis of the group lattice: integer exponent vectors over ``xs``, the natural monomials
    first (a group with dt to the first power, then the smallest)."""
    vecs: list[Vector] = []
    for e in _updates(scheme):
        # the reads are coefficients: every weight must be invariant
        _term_vectors(e, xs, vecs)
    i_dt = xs.index(scheme.dt)
    cands = []
    for v in {_primitive(v) for v in vecs}:
        lead = v[i_dt] if v[i_dt] else next(x for x in v if x)
        cands.append(v if lead > 0 else tuple(-x for x in v))
    cands = sorted(set(cands), key=lambda v: (v[i_dt] != 1, sum(map(abs, v)), v))
    basis: list[tuple[int, ...]] = []
    for v in cands:
        if sp.Matrix([*basis, v]).rank() > len(basis):
            basis.append(v)
    return basis


def _group_names(scheme: Scheme, basis: list[tuple[int, ...]], xs: tuple[sp.Symbol, ...]
                 ) -> list[str]:
    """nu for a group with dt over a spacing (a Courant number), r over a spacing squared (a
    diffusion number), sigma otherwise; subscripted by the axis in several dimensions, and never
    the name of anything the scheme already uses."""
    taken = {s.name for e in _updates(scheme) for s in e.free_symbols} | set(scheme.fields)
    taken |= {c.name for c in scheme.coords}
    names = []
    for v in basis:
        steps = [(xs.index(h), h) for h in scheme.spacing if v[xs.index(h)]]
        base = "sigma"
        if v[xs.index(scheme.dt)] == 1 and len(steps) == 1:
            base = {-1: "nu", -2: "r"}.get(v[steps[0][0]], "sigma")
            if scheme.dim > 1:
                base += "_" + steps[0][1].name.lstrip("d")
        name, k = base, 1
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        names.append(name)
    return names


def _rewrite(scheme: Scheme, basis: list[tuple[int, ...]], xs: tuple[sp.Symbol, ...],
             gs: list[sp.Symbol]) -> dict[str, sp.Expr] | None:
    """The updates in the groups ``gs`` (None when some scaled symbol does not cancel)."""
    r = len(basis)
    B = sp.Matrix(basis)
    order = [scheme.dt, *scheme.spacing, *scheme.params]
    cols = [xs.index(s) for s in dict.fromkeys(order) if s in xs and any(B[:, xs.index(s)])]
    pivots = None
    for combo in itertools.combinations(cols, r):
        det = B[:, list(combo)].det()
        if det in (1, -1):
            pivots = combo
            break
        if det != 0 and pivots is None:
            pivots = combo
    if pivots is None:
        return None
    others = [j for j in range(len(xs)) if j not in pivots]
    inv = B[:, list(pivots)].inv()
    rest = inv * B[:, others] if others else sp.zeros(r, 0)
    subs = {}
    for k, j in enumerate(pivots):
        val = sp.Mul(*[gs[i] ** inv[k, i] for i in range(r)])
        val *= sp.Mul(*[xs[o] ** (-rest[k, m]) for m, o in enumerate(others)])
        subs[xs[j]] = val
    out = {}
    for f, e in scheme.update.items():
        new = e.subs(subs, simultaneous=True)
        new = _tidy(new)
        if new.free_symbols & set(xs):
            return None
        out[f] = new
    return out


def _tidy(e: Any) -> Any:
    if isinstance(e, sp.Equality):
        return sp.Eq(_tidy(e.lhs), _tidy(e.rhs), evaluate=False)
    reads = sorted(reads_of(e), key=lambda rd: rd.name)
    e = sp.expand(sp.powsimp(sp.expand(e), force=False))
    if reads:
        e = sp.collect(e, reads, evaluate=True)
    return e


def dimensionless_form(scheme: Scheme) -> DimensionlessForm | None:
    """The scheme rewritten in the dimensionless groups of its dt and spacings; None when its
    update uses neither.

    Raises
    ------
    AnalysisError : the update depends on dt or the spacings in a way that is not a function
        of monomial groups (the message names the symbols and the fix: declare the groups).
    """
    if not _uses_steps(scheme):
        return None
    occurring = set().union(*[e.free_symbols for e in _updates(scheme)])
    # dt and every spacing always have a column (zero when absent): the names look them up
    xs = tuple(s for s in _scaled_symbols(scheme)
               if s in occurring or s in {scheme.dt, *scheme.spacing})
    basis = _group_exponents(scheme, xs)
    names = _group_names(scheme, basis, xs)
    groups: dict[sp.Symbol, sp.Expr] = {}
    for v, name in zip(basis, names, strict=True):
        mono = sp.Mul(*[x ** k for x, k in zip(xs, v, strict=True)])
        single = [x for x, k in zip(xs, v, strict=True) if k]
        if len(single) == 1 and mono == single[0] and single[0] in scheme.params:
            groups[single[0]] = mono  # a declared parameter on its own stays itself
            continue
        sign = ({"positive": True} if mono.is_positive else
                {"nonnegative": True} if mono.is_nonnegative else {"real": True})
        groups[sp.Symbol(name, **sign)] = mono
    gs = list(groups)
    update = _rewrite(scheme, basis, xs, gs)
    steps = sorted(s.name for s in occurring & {scheme.dt, *scheme.spacing})
    if update is None:
        who = repr(scheme.name) if scheme.name else "the scheme"
        raise AnalysisError(
            f"the update of {who} depends on {steps} in a way mcgen "
            "cannot write in dimensionless groups (monomials such as dt/dx): declare the "
            "groups as parameters, e.g. params=(nu,), definitions={nu: dt/dx}, and write the "
            "update in them")
    new_groups = {g: e for g, e in groups.items() if g != e}
    params = tuple(p for p in scheme.params if p not in xs) + tuple(gs)
    reduced = replace(scheme, update=update, params=params,
                      definitions={**scheme.definitions, **new_groups})
    return DimensionlessForm(scheme, reduced, new_groups)


def analysis_parameters(scheme: Scheme) -> tuple[sp.Symbol, ...]:
    """The parameters the analyses decide over: the declared parameters, with dt, the spacings
    and the parameters they combine with replaced by their dimensionless groups (each with its
    sign: ``nu`` positive for ``dt/dx``, real for ``a*dt/dx``).

    >>> from mcgen.model import Field, Scheme
    >>> from mcgen.model.symbols import dt, dx
    >>> u = Field("u")
    >>> analysis_parameters(Scheme(("u",), 1, {"u": u[0] - dt/dx*(u[0] - u[-1])}))
    (nu,)
    """
    form = dimensionless_form(scheme)
    return scheme.params if form is None else form.reduced.params


# ---------------------------------------------------------------- derivations in the groups


@register_check("region_in_groups",
                "a result derived in dimensionless groups, stated in physical quantities: the "
                "nested derivation re-checked, each group replaced by its monomial (exact)")
def _region_in_groups(stated: Any, inner: Any, definitions: Any) -> str:
    subs = {d.lhs: d.rhs for d in definitions}
    grouped = _parts(inner.result)
    stated = stated if isinstance(stated, tuple) else (stated,)
    if len(grouped) != len(stated):
        return "refuted"
    same = all(sp.sympify(b).subs(subs) == sp.sympify(a)
               for a, b in zip(stated, grouped, strict=True))
    # structurally different forms may still be equivalent: undecided, not refuted
    return weakest([inner.recheck().status, "proved" if same else "unknown"])


def in_groups(scheme: Scheme, analyse: Callable[[Scheme], Derivation]) -> Derivation | None:
    """``analyse`` of a scheme whose update uses dt or the spacings, decided in its groups and
    stated back in dt and the spacings; None when the update uses neither (analyse it as it is).

    Two steps: the rewriting in the groups (an identity), then the result stated in the
    physical quantities, checked by re-checking the analysis of the dimensionless scheme (a
    nested derivation) and substituting the groups back.
    """
    form = dimensionless_form(scheme)
    if form is None:
        return None
    inner = analyse(form.reduced)
    b = DerivationBuilder(inner.title, meta={**inner.meta, "scheme_hash": scheme.hash,
                                             "groups": form.words()})
    orig, new = tuple(_updates(scheme)), tuple(_updates(form.reduced))
    back = tuple(e.subs(form.groups) for e in new)
    steps = [s.name for s in form.physical if s in {scheme.dt, *scheme.spacing}]
    i_sub = b.step(
        f"the update uses {', '.join(steps)} only through {form.words()}: "
        + "; ".join(f"{f}^(n+1) = {sp.sstr(e)}" for f, e in form.reduced.update.items()),
        "dimensional analysis: the weights are unchanged by every scaling of "
        f"{', '.join(s.name for s in form.physical)} that leaves the groups unchanged; the "
        "update rewritten in the groups, with the groups put back, is the declared one",
        Check("identity", (orig, back)))
    result = form.lift(inner.result)
    defs = tuple(sp.Eq(g, e) for g, e in form.groups.items())
    b.step(result, f"{inner.title}, decided over {', '.join(map(str, form.reduced.params))} "
           f"(nested derivation, {inner.status}), stated in "
           f"{', '.join(s.name for s in form.physical)} with {form.words()} substituted: the "
           "rewriting is an identity, so this region is exactly the preimage of the region "
           "in the groups", Check("region_in_groups", (_parts(result), inner, defs)),
           uses=[i_sub])
    return b.finish(result)


def _parts(value: Any) -> tuple[Any, ...]:
    """The expressions of a result, in a fixed order (each part of each condition)."""
    if isinstance(value, Condition):
        return tuple(sp.sympify(p) if p is not None else sp.S.Zero
                     for p in (value.expr, value.sufficient, value.necessary))
    if isinstance(value, tuple):
        return tuple(x for v in value for x in _parts(v))
    if isinstance(value, dict):
        return tuple(x for k in sorted(value, key=str) for x in _parts(value[k]))
    if value is None or isinstance(value, str):
        return ()
    return (sp.sympify(value),)
