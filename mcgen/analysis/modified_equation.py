"""The modified equation of a scheme, with time derivatives eliminated (Warming-Hyett).

Two routes (DESIGN sections 1 and 4):

* constant-coefficient scalar linear stencils: the cumulants of the offset under the weights,
  ``u_t = sum_alpha kappa_alpha h^alpha / (alpha! dt) d^alpha u`` (exact, fast);
* variable coefficients and nonlinear conservative schemes: Taylor expansion of the update in jet
  space and graded Warming-Hyett elimination (:mod:`mcgen.analysis.taylor_expansion`), which
  keeps the terms the cumulants miss, e.g. ``-(dt/2)(a (a u_x)_x)`` for upwind with ``a(x)``;
* implicit (``sp.Eq`` between levels +1 and 0: Crank-Nicolson, theta-method) and multistep
  (reads at level -1: leapfrog) schemes: the relation ``Phi = 0`` with every read ``u[k, l]``
  expanded as ``u(x + k dx, t + l dt)``, divided by dt, and every mixed derivative
  ``d_x^beta d_t^n u`` eliminated through ``u_t = F`` (Warming-Hyett). For multistep schemes the
  result describes the principal root only (the parasitic one has no modified equation).

The result is a dict: ``coefficients`` (derivative order -> coefficient; 1-D orders as ints,
multi-indices in 2-D/3-D) for linear schemes or ``terms`` (degree -> expression in the jets
``u, u_x, u_xx, ...``) for nonlinear ones, the ``pde`` ``u_t = ...``, the physical coefficients
(the scheme's ``definitions`` substituted), ``numerical_diffusion``, ``dispersion`` and, when the
scheme names its law, the ``order`` of accuracy.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.analysis.cumulants import (
    cumulants,
    cumulants_by_recursion,
    factorial,
    multi_indices,
    normalize_weights,
)
from mcgen.analysis.taylor_expansion import (
    EPS,
    JetSpace,
    algebraic_parts,
    collect_linear,
    eliminate_time_derivatives,
    eliminate_time_derivatives_in_relation,
    expand_relation,
    expand_update_with_signs,
    join,
    space_time_jets,
    split,
    truncate,
)
from mcgen.errors import AnalysisError
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import t as T_SYM
from mcgen.proof import Derivation, DerivationBuilder

MultiIndex = tuple[int, ...]


def modified_equation(scheme: Scheme, order: int = 3, route: str = "auto") -> Derivation:
    """The modified equation of ``scheme`` to derivative order ``order``.

    Parameters
    ----------
    scheme : a scalar scheme (linear or nonlinear): two-level explicit, implicit (``sp.Eq``
        between levels +1 and 0) or multistep (reads at level -1).
    order : highest total derivative order kept (a time derivative counts as one derivative
        while it is eliminated; Crank-Nicolson's dt^2 term sits at order 6).
    route : ``"auto"`` (cumulants for constant-coefficient linear two-level stencils, Taylor
        otherwise), ``"cumulant"`` or ``"taylor"`` (to compare the two where both apply);
        implicit and multistep schemes always take the Taylor route.

    Returns
    -------
    Derivation whose ``result`` is a dict (see the module docstring).
    """
    b = DerivationBuilder(f"Modified equation of {scheme.name or 'a scheme'}",
                          meta={"model_hash": scheme.hash, "order": order})
    res = derive_modified_equation(scheme, order, route, b)
    b.conclude(res, reason="the modified equation and its parts, as derived above")
    return b.finish(res)


def derive_modified_equation(scheme: Scheme, order: int, route: str, b: DerivationBuilder
                             ) -> dict[str, Any]:
    """Add the modified-equation steps to ``b`` and return the result dict (used by
    :func:`modified_equation` and by the consistency analysis, which continues the proof)."""
    if route not in ("auto", "cumulant", "taylor"):
        raise ValueError(f"route={route!r}: use 'auto', 'cumulant' or 'taylor'")
    if len(scheme.fields) != 1:
        raise AnalysisError(f"scheme {scheme.name!r} updates {len(scheme.fields)} fields: the "
                            "modified equation is derived for scalar schemes (systems need "
                            "their own analysis)")
    if not scheme.is_two_level:
        if route == "cumulant":
            raise AnalysisError(f"scheme {scheme.name!r} is implicit or multistep: it has no "
                                "single-step weights for the cumulant route; use route='taylor'")
        b.meta["route"] = "taylor"
        b.define(scheme, "the scheme's update")
        jets = JetSpace(scheme.fields[0], scheme.coords, T_SYM)
        ut, uses = _relation_route(scheme, order, jets, b)
        return _result(scheme, ut, jets, order, b, uses)
    weights = scheme.linear_weights()
    constant = weights is not None and not scheme.is_variable_coefficient
    if route == "auto":
        route = "cumulant" if constant else "taylor"
    if route == "cumulant" and not constant:
        raise AnalysisError(f"scheme {scheme.name!r} is not a constant-coefficient linear "
                            "stencil: the cumulant route would miss terms such as "
                            "(dt/2)(a a_x u)_x; use route='taylor'")
    b.meta["route"] = route
    b.define(scheme, "the scheme's update")
    jets = JetSpace(scheme.fields[0], scheme.coords, T_SYM)
    if route == "cumulant":
        ut, uses = _cumulant_route(scheme, weights, order, jets, b)  # type: ignore[arg-type]
    else:
        ut, uses = _taylor_route(scheme, order, jets, b)
    return _result(scheme, ut, jets, order, b, uses)


def _cumulant_route(scheme: Scheme, weights: dict[Any, sp.Expr], order: int, jets: JetSpace,
                    b: DerivationBuilder) -> tuple[sp.Expr, list[int]]:
    w, dim = normalize_weights(weights)
    z = sp.symbols(f"z1:{dim + 1}")
    m = sum((wk * sp.exp(sum((ki * zi for ki, zi in zip(k, z, strict=False)), sp.S.Zero))
             for k, wk in w.items()), sp.S.Zero)
    i0 = b.define(sp.Eq(sp.Symbol("M"), m, evaluate=False),
                  "symbol of the update: M(z) = sum_k w_k exp(k.z)")
    total = sp.cancel(sum(w.values()))
    i1 = b.identity(total, 1, "the weights sum to one (constants are reproduced)", uses=[i0]) \
        if total == 1 else None
    if i1 is None:
        raise AnalysisError(f"the weights of {scheme.name!r} sum to {total}, not 1: the update "
                            "does not reproduce constants (a source or an inconsistent scheme)")
    kap = cumulants(w, order)
    rec = cumulants_by_recursion(w, order)
    uses = []
    for a in multi_indices(dim, order):
        uses.append(b.identity(kap[a], rec[a],
                               f"cumulant kappa_{a} of the offset agrees with the moment-cumulant "
                               "recursion",
                               uses=[i0, i1]))
    i2 = b.define("exp(dt d_t) = M(h d_x) gives u_t = (1/dt) ln M(h d_x) u = sum_alpha "
                  "kappa_alpha h^alpha/(alpha! dt) d^alpha u: the modified equation with time "
                  "derivatives eliminated (Warming-Hyett), constant coefficients",
                  "cumulant expansion (Warming-Hyett)")
    ut = sp.S.Zero
    for a in multi_indices(dim, order):
        c = kap[a] * sp.Mul(*[hi ** ai for hi, ai in zip(scheme.spacing, a, strict=False)]) / \
            (factorial(a) * scheme.dt)
        ut += EPS ** sum(a) * c * jets.sym(a)
    return ut, uses + [i2]


def _taylor_route(scheme: Scheme, order: int, jets: JetSpace, b: DerivationBuilder
                  ) -> tuple[sp.Expr, list[int]]:
    upd = scheme.update[scheme.fields[0]]
    new, signs = expand_update_with_signs(jets, upd, scheme.spacing, order)
    b.meta["signs"] = signs
    if signs:
        b.define(sp.Tuple(*[sp.Eq(k, v, evaluate=False) for k, v in signs.items()]),
                 "non-smooth update: Max(a, b) = (a + b + |a - b|)/2 and |e| = s e with s the "
                 "sign of the leading term of e, constant where that term does not vanish (the "
                 "expansion holds away from sonic points and extrema)")
    i0 = b.define(sp.Eq(sp.Symbol("R"), new.subs(EPS, 1), evaluate=False),
                  "each read u[k] replaced by its Taylor polynomial about x (eps counts spatial "
                  "derivatives), truncated at the kept order")
    dt = scheme.dt
    ut, tds = eliminate_time_derivatives(jets, (new - jets.u) / dt, dt, order)
    lhs = ut + sum((dt ** (m - 1) / sp.factorial(m) * tds[m] for m in tds), sp.S.Zero)
    i1 = b.identity(join(split(lhs, order)), join(split((new - jets.u) / dt, order)),
                    "Warming-Hyett: u_t + sum_{m>=2} dt^(m-1)/m! d_t^m u = (R - u)/dt, each "
                    "d_t^m u written through u_t = F and its spatial derivatives", uses=[i0])
    return ut, [i1]


def scheme_relation(scheme: Scheme) -> sp.Expr:
    """``Phi`` with the scheme meaning ``Phi(reads) = 0``: ``lhs - rhs`` of an implicit
    ``sp.Eq``, ``u[0, +1] - update`` of an explicit (multistep) update."""
    f = scheme.fields[0]
    upd = scheme.update[f]
    if isinstance(upd, sp.Equality):
        return sp.sympify(upd.lhs - upd.rhs)
    from mcgen.model.read import Read
    return Read(f, (0,) * scheme.dim, 1) - upd


def _relation_route(scheme: Scheme, order: int, jets: JetSpace, b: DerivationBuilder
                    ) -> tuple[sp.Expr, list[int]]:
    """Implicit and multistep schemes: expand every read u[k, l] as u(x + k h, t + l dt),
    divide the relation by dt and eliminate the time derivatives (Warming-Hyett)."""
    from mcgen.model.read import reads_of
    phi = scheme_relation(scheme)
    levels = sorted({r.level for r in reads_of(phi)})
    i0 = b.define(sp.Eq(sp.Symbol("Phi"), phi, evaluate=False),
                  "the scheme as a relation Phi = 0 between the time levels "
                  f"{levels} (implicit: lhs - rhs; explicit: u^(n+1) - update)")
    dt = scheme.dt
    e = sp.expand(expand_relation(jets, phi, scheme.spacing, dt, order) / dt)
    i1 = b.define(sp.Eq(sp.Symbol("E"), e.subs(EPS, 1), evaluate=False),
                  "E = Phi/dt with each read u[k, l] replaced by the Taylor polynomial of "
                  "u(x + k dx, t + l dt) (mixed space-time derivatives), truncated at total "
                  f"derivative order {order}")
    ut, c, full = eliminate_time_derivatives_in_relation(jets, e, order)
    mixed_ut = space_time_jets(jets).sym((0,) * jets.dim + (1,))
    rest = truncate(sp.expand(e - c * EPS * mixed_ut).xreplace(full), order)
    i2 = b.identity(sp.expand(c * ut), sp.expand(-rest),
                    f"Warming-Hyett: with every d_x^beta d_t^n u replaced by D^beta D_t^n u "
                    f"computed from u_t = F, the relation E = {c} u_t + (rest) = 0 holds to "
                    f"order {order}, i.e. {c} F = -(rest)", uses=[i0, i1])
    uses = [i2]
    if min(levels) < 0:
        uses.append(b.define(
            "the modified equation describes the principal (physical) root of the multistep "
            "scheme, the solution branch with G -> 1 as the wave number -> 0; the parasitic "
            "root(s) (leapfrog: G -> -1, a mode alternating in sign every step) are not smooth "
            "in time and are not described by any modified equation",
            "multistep schemes: principal root only"))
        b.meta["principal_root_only"] = True
    return ut, uses


def _jet_functions(jets: JetSpace, signs: dict[sp.Symbol, sp.Expr]) -> dict[sp.Expr, sp.Expr]:
    # sign meanings are written in jets; show them with derivatives of u(x, t) like the rest
    out = {}
    for v in signs.values():
        for _a, s in jets.jets_in(v):
            out[s] = jets.to_functions(s)
    return out


def _physical(scheme: Scheme, expr: sp.Expr) -> sp.Expr:
    if not scheme.definitions:
        return expr
    return sp.expand(algebraic_parts(sp.sympify(expr).subs(scheme.definitions)))


def _result(scheme: Scheme, ut: sp.Expr, jets: JetSpace, order: int, b: DerivationBuilder,
            uses: list[int]) -> dict[str, Any]:
    dim = scheme.dim
    flat = ut.subs(EPS, 1)
    lin = collect_linear(jets, flat)
    out: dict[str, Any] = {"form": "u_t = F[u] (the update as written: backward reading of "
                                   "its weights)", "route": b.meta["route"], "order_kept": order}
    u = jets.u
    signs = b.meta.pop("signs", {}) or {}
    if b.meta.pop("principal_root_only", False):
        out["note"] = ("multistep scheme: the modified equation describes the principal root; "
                       "the parasitic root is not described by a modified equation")
    if signs:
        out["signs"] = signs
    pde_rhs = jets.to_functions(flat).xreplace({k: v.subs(EPS, 1) for k, v in signs.items()})
    pde_rhs = pde_rhs.xreplace(_jet_functions(jets, signs))
    fn = jets.to_functions(u)
    out["pde"] = sp.Eq(sp.Derivative(fn, T_SYM), pde_rhs, evaluate=False)
    out["jets"] = flat
    if lin is not None:
        key = (lambda a: a[0]) if dim == 1 else (lambda a: a)
        coeffs = {key(a): lin[a] for a in sorted(lin, key=lambda a: (sum(a), a))}
        out["coefficients"] = coeffs
        if scheme.definitions:
            out["coefficients_physical"] = {k: _physical(scheme, v) for k, v in coeffs.items()}
            out["pde_physical"] = sp.Eq(sp.Derivative(fn, T_SYM), jets.to_functions(
                _physical(scheme, flat)), evaluate=False)
        phys = out.get("coefficients_physical", coeffs)
        second = [a for a in multi_indices(dim, 2) if sum(a) == 2]
        third = [a for a in multi_indices(dim, 3) if sum(a) == 3]
        out["numerical_diffusion"] = _diffusion_part(scheme, phys, second, key)
        out["dispersion"] = {key(a): phys.get(key(a), sp.S.Zero) for a in third} \
            if dim > 1 else phys.get(3, sp.S.Zero)
        b.step(sp.Eq(sp.Derivative(fn, T_SYM), pde_rhs, evaluate=False),
               "modified equation (time derivatives eliminated)", uses=uses)
    else:
        terms = split(ut, order)
        out["terms"] = {d: sp.factor(v) if d < 2 else v for d, v in terms.items()}
        i = b.step(sp.Eq(sp.Derivative(fn, T_SYM), pde_rhs, evaluate=False),
                   "modified equation of the nonlinear update, expanded around smooth u",
                   uses=uses)
        if dim == 1 and 2 in terms:
            visc, conservative = _viscosity(jets, terms[2], scheme)
            if visc is not None:
                out["numerical_viscosity"] = _physical(scheme, visc).xreplace(signs)
                if conservative:
                    ux = jets.sym((1,))
                    b.identity(terms[2], sp.expand(jets.total_derivative(visc * ux, 0)),
                               "the second-order terms are a conservative viscosity "
                               "(nu(u) u_x)_x", uses=[i])
                    out["viscosity_form"] = "(nu(u) u_x)_x"
    if scheme.law is not None:
        try:
            from mcgen.analysis.consistency import truncation_orders
            out["order"] = truncation_orders(scheme, scheme.law, flat, jets)["order"]
        except AnalysisError as e:
            out["order"] = None
            out["order_note"] = str(e)
    return out


def _diffusion_part(scheme: Scheme, phys: dict[Any, sp.Expr], second: list[MultiIndex],
                    key: Any) -> Any:
    law = scheme.law
    dlaw = None
    if law is not None and law.is_scalar and law.diffusion is not None and \
            not any(e.free_symbols & set(law.fields) for e in law.diffusion):
        dlaw = law.diffusion
    vals = {}
    for a in second:
        c = phys.get(key(a), sp.S.Zero)
        if dlaw is not None:
            i = [j for j, x in enumerate(a) if x]
            ii, jj = (i[0], i[0]) if len(i) == 1 else (i[0], i[1])
            c = c - (dlaw[ii, jj] if ii == jj else dlaw[ii, jj] + dlaw[jj, ii])
        vals[key(a)] = sp.expand(c)
    return vals[2] if scheme.dim == 1 else vals


def _viscosity(jets: JetSpace, part2: sp.Expr, scheme: Scheme) -> tuple[Any, bool]:
    uxx, ux = jets.sym((2,)), jets.sym((1,))
    try:
        poly = sp.Poly(sp.expand(part2), ux, uxx)
    except sp.PolynomialError:
        return None, False
    a = poly.coeff_monomial(uxx)
    bcoef = poly.coeff_monomial(ux ** 2)
    rest = sp.expand(part2 - a * uxx - bcoef * ux ** 2)
    conservative = rest == 0 and sp.cancel(sp.diff(a, jets.u) - bcoef) == 0
    return sp.factor(a), conservative
