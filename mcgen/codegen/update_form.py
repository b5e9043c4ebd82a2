"""Stage 1 of the stencil front-end: how each update of a scheme is printed.

Either in **weight form** (``KernelConfig.linear_weights``, C and LLVM): an update linear in the
reads with parameter-only weights is printed as ``sum_k w_k u_k`` with the weights computed once
per call before the step loop (the kernel's *prologue*); or with its **interface quantities**
split out (``KernelConfig.interface_scratch``, or whenever a reflecting wall must be zero flux):
sub-expressions that reappear shifted by whole cells along an axis (a conservative flux
F(u_j, u_{j+1}) and F(u_{j-1}, u_j)) each become a scratch array computed once per step in its
own sweep, so each interface flux is evaluated once; or as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from mcgen.codegen.boundary_fill import needs_zero_flux_walls
from mcgen.codegen.config import KernelConfig
from mcgen.errors import CodegenError
from mcgen.model.flux_split import Interface, interface_quantities, is_large
from mcgen.model.numeric import complex_message, complex_part
from mcgen.model.read import Read, reads_of
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import t as T_SYM

#: one weight and the reads that share it (summed before the multiplication)
WeightTerm = tuple[sp.Expr, tuple[Read, ...]]
#: the weight form of one update: its terms and the read-free constant
WeightedUpdate = tuple[list[WeightTerm], sp.Expr]


@dataclass(frozen=True)
class UpdateForm:
    """The result of :func:`analyse_update`: what the sweeps of the kernel print."""

    #: each field's update, its interface quantities replaced by placeholder symbols
    updates: Mapping[str, sp.Expr]
    #: the weight form of every update (None: not printed in weight form)
    weights: Mapping[str, WeightedUpdate] | None
    #: the interface quantities, one scratch array (``flux<k>``) each
    interfaces: tuple[Interface, ...]
    #: placeholder symbol -> (interface index, cell offset along its axis)
    placeholders: Mapping[sp.Symbol, tuple[int, int]]
    #: a reflecting wall is zero flux: the update was put in flux form for the whole grid (so
    #: a block of the grid without that wall would be printed differently)
    zero_flux_walls: bool


def check_scheme(scheme: Scheme) -> None:
    """Refuse what the stencil front-end cannot lower, before any stage runs."""
    if not scheme.is_explicit or not scheme.is_two_level:
        raise CodegenError(f"scheme {scheme.name!r} is not an explicit two-level update: the "
                           "stencil front-end generates u^(n+1) = F(u^n) only (no implicit or "
                           "multistep schemes)")
    for f, e in scheme.update.items():
        part = complex_part(e)
        if part is not None:  # before any stage: the weight form would print float(w) too
            raise CodegenError(complex_message(e, part, f"the update of {f}"))


def per_call_symbols(scheme: Scheme) -> set[sp.Symbol]:
    """Symbols whose values are fixed for a whole kernel call (so expressions of them may be
    computed once, before the step loop): the parameters, spacings and dt, not the time t."""
    params = {p for p in scheme.params if p.name != T_SYM.name}
    return params | set(scheme.spacing) | {scheme.dt}


def analyse_update(scheme: Scheme, cfg: KernelConfig) -> UpdateForm:
    """Stage 1: the :class:`UpdateForm` of ``scheme`` under ``cfg`` (validated)."""
    updates = {f: scheme.update[f] for f in scheme.fields}
    # a reflecting wall of a density or a conservative scheme is zero flux: the update goes to
    # flux form (linear fluxes too) whatever cfg.interface_scratch says, and the wall flux is 0
    zero_walls = needs_zero_flux_walls(scheme.reading, scheme.numerical_flux is not None, cfg.bc)
    # Not for numba: its fastmath 'reassoc'/'contract' fuses one of the products w_k*u_k into
    # an FMA, and which one differs between the step-by-step and the temporally blocked kernel
    # (measured: 228 of 517 cells off by an ulp), which would break their bitwise equality;
    # numba's reassociation already shortens the written form itself.
    weights = (linear_weight_form(updates, scheme)
               if cfg.linear_weights and not zero_walls and cfg.backend != "numba" else None)
    if weights is None and (cfg.interface_scratch or zero_walls):
        updates, groups, placeholders = interface_quantities(updates, scheme, zero_walls)
    else:
        groups, placeholders = [], {}
    return UpdateForm(updates, weights, tuple(groups), placeholders, zero_walls)


def linear_weight_form(updates: dict[str, sp.Expr], scheme: Scheme
                       ) -> dict[str, WeightedUpdate] | None:
    """Each update as ``sum_k w_k * (sum of the reads with weight w_k) + c``, or None when one
    is not linear in the reads or a weight (or ``c``) depends on anything but the parameters,
    the spacings and ``dt`` (a weight that reads the coordinates would change per cell).

    Lax-Wendroff ``u - nu/2 (u+ - u-) + nu^2/2 (u+ - 2u + u-)`` (9 operations per cell as
    written) becomes ``w_m1*u- + w_0*u + w_p1*u+`` (3 multiplications, 2 additions, or FMAs),
    the weights computed once per call. Terms are ordered by field and offset so the printed
    sum does not depend on SymPy's term order. Values differ from the written form by rounding
    only.
    """
    allowed = per_call_symbols(scheme)
    order = {f: i for i, f in enumerate(scheme.fields)}
    out: dict[str, WeightedUpdate] = {}
    for f, e in updates.items():
        # a read inside Max/Min/Abs/Piecewise/sign makes the update nonlinear in the reads:
        # say so before expanding (expanding a two-stage limited Burgers update takes minutes)
        if any(reads_of(a) for a in e.atoms(sp.Max, sp.Min, sp.Abs, sp.Piecewise, sp.sign,
                                              sp.Heaviside)):
            return None
        e = sp.expand(e)
        rds = sorted(reads_of(e), key=lambda r: (order.get(r.field, len(order)), r.offset,
                                                 r.level))
        if not rds:
            return None
        try:
            poly = sp.Poly(e, *rds)
        except sp.PolynomialError:
            return None
        if poly.total_degree() > 1:
            return None
        const = poly.coeff_monomial(1)
        if not const.free_symbols <= allowed:
            return None
        terms: list[WeightTerm] = []
        for rd in rds:
            w = sp.expand(poly.coeff_monomial(rd))
            if not w.free_symbols <= allowed or w.has(sp.Piecewise, sp.Max, sp.Min, sp.Abs):
                return None
            if w == 0:
                continue
            for k, (wk, group) in enumerate(terms):
                if sp.expand(wk - w) == 0:
                    terms[k] = (wk, group + (rd,))
                    break
            else:
                terms.append((w, (rd,)))
        if not terms:
            return None
        out[f] = (terms, const)
    return out


def factored_interface_quantity(e: sp.Expr, scheme: Scheme) -> tuple[sp.Expr, sp.Expr]:
    """``(c, rest)`` with ``e = c * rest``, ``c`` depending on the parameters only (computed
    once per call) and ``rest`` collected over its nonlinear parts (Max, Abs, ...) when that
    takes fewer operations.

    :func:`interface_quantities` builds G from expanded terms: Rusanov's
    ``lam/4 a^2 + lam/4 b^2 + lam/2 M a - lam/2 M b`` (M = max(|a|, |b|)) costs 14 operations
    per interface after CSE; collected it is ``(lam/4) * (a^2 + b^2 + 2 (a - b) M)``, 10 with
    ``lam/4`` hoisted. Values differ by rounding only.
    """
    allowed = per_call_symbols(scheme)
    if is_large(e):    # a learned wide flux: expanding and collecting it takes minutes
        return _common_factor(e, scheme, allowed)
    nonlinear = sorted(e.atoms(sp.Max, sp.Min, sp.Abs, sp.Piecewise, sp.Function),
                       key=sp.default_sort_key)
    collected = sp.factor_terms(sp.collect(sp.expand(e), nonlinear, func=sp.factor_terms)
                                if nonlinear else e)
    if sp.count_ops(collected) > sp.count_ops(e):
        collected = sp.factor_terms(e)
    coef, rest = collected.as_independent(*sorted(reads_of(collected), key=str), *scheme.coords,
                                          as_Add=False)
    if coef == 1 or not coef.free_symbols <= allowed or not reads_of(rest):
        return sp.Integer(1), collected
    return coef, rest


def _common_factor(e: sp.Expr, scheme: Scheme, allowed: set[sp.Symbol]
                   ) -> tuple[sp.Expr, sp.Expr]:
    """``(c, e / c)`` with ``c`` the parameter-only factors common to every term of ``e``
    (``lam`` of ``lam f(u_j) + lam psi m``), found without expanding or collecting."""
    terms = sp.Add.make_args(e)
    common: set[sp.Expr] | None = None
    for t in terms:
        coef = t.as_independent(*sorted(reads_of(t), key=str), *scheme.coords, as_Add=False)[0]
        facs = {f for f in sp.Mul.make_args(coef) if not f.is_number
                and f.free_symbols <= allowed}
        common = facs if common is None else common & facs
    if not common:
        return sp.Integer(1), e
    c = sp.Mul(*sorted(common, key=sp.default_sort_key))
    return c, sp.Add(*[t / c for t in terms])
