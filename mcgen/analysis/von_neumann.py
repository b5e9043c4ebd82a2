"""von Neumann (L2) stability of linear constant-coefficient schemes on the periodic/Cauchy problem.

Substituting u_j^n = G^n e^{i j theta} gives the amplification factor G(theta) = B/A (explicit
schemes: A = 1); L2 stability is |G| <= 1 for every theta. This module dispatches:

* 1-D, two levels: :mod:`mcgen.analysis.von_neumann_1d` (exact cells in one parameter);
* three levels: :mod:`mcgen.analysis.von_neumann_multilevel` (Miller's reduction);
* systems: :mod:`mcgen.analysis.von_neumann_system` (the amplification matrix);
* 2-D: :mod:`mcgen.analysis.von_neumann_2d`.

Symbols (G, |G|^2 in c = cos(theta), numeric growth) live in :mod:`mcgen.analysis.amplification`,
the presentation of regions in :mod:`mcgen.analysis.region_presentation`.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from mcgen.analysis.amplification import (
    abs2_in_c,
    amplification_factor,
    growth_factor,
    most_unstable_mode,
    scheme_levels,
    unstable_mode,
)
from mcgen.analysis.dimensionless import in_groups
from mcgen.analysis.region_presentation import present_polynomial_region
from mcgen.analysis.von_neumann_1d import inconsistent_input, two_level_1d
from mcgen.analysis.von_neumann_2d import decide_at_point, plane_polynomial, two_level_nd
from mcgen.analysis.von_neumann_multilevel import three_level
from mcgen.analysis.von_neumann_system import von_neumann_system
from mcgen.errors import AnalysisError
from mcgen.model.read import Field
from mcgen.model.scheme import Scheme
from mcgen.proof.derivation import Derivation
from mcgen.proof.sturm import nonneg_on_plane


def von_neumann(scheme: Scheme, rays: int = 16) -> Derivation:
    """L2 (von Neumann) stability region of a linear constant-coefficient scheme.

    Returns a Derivation whose result is a :class:`Condition` of kind ``l2`` with proved
    ``sufficient`` and ``necessary`` sets; ``status`` is ``proved`` only when they coincide.
    """
    key = (scheme.hash, rays)
    if key not in _RESULTS:  # derivations are immutable: analyse each scheme once
        # weights written in dt and the spacings: decided in their dimensionless groups
        _RESULTS[key] = in_groups(scheme, lambda s: von_neumann(s, rays)) or \
            _von_neumann(scheme, rays)
    return _RESULTS[key]


_RESULTS: dict[tuple[str, int], Derivation] = {}


def _parameter_denominator(lv: dict, params: tuple) -> sp.Expr | None:
    """The common denominator of an explicit two-level scheme's weights when it depends on the
    parameters (None otherwise, and for implicit or multi-level schemes)."""
    if set(lv) != {0, 1} or len(lv[1]) != 1 or set(lv[1].values()) != {1}:
        return None
    den = sp.Integer(1)
    for w in lv[0].values():
        den = sp.lcm(den, sp.fraction(sp.together(sp.sympify(w)))[1])
    den = sp.factor(den)
    return den if den.free_symbols & set(params) else None


def _multiplied_through(scheme: Scheme, lv: dict, den: sp.Expr) -> Scheme:
    """The scheme written as den u^{n+1} = sum (den w_k) u_k (the same update)."""
    f = scheme.fields[0]
    field = Field(f, dim=1)
    rhs = sum(sp.cancel(den * w) * field[k[0]] for k, w in lv[0].items())
    return Scheme(scheme.fields, 1, {f: sp.Eq(den * field.at(0, level=1), rhs)},
                  params=scheme.params, name=scheme.name, definitions=dict(scheme.definitions))


def _von_neumann(scheme: Scheme, rays: int) -> Derivation:
    if len(scheme.fields) > 1:
        return von_neumann_system(scheme)
    lv = scheme_levels(scheme)
    for w in (sp.sympify(w) for level in lv.values() for w in level.values()):
        bad = [f for f in w.atoms(sp.exp, sp.log, sp.Pow, sp.sin, sp.cos, sp.tan, sp.sinh,
                                  sp.cosh, sp.tanh)
               if f.free_symbols & set(scheme.params)
               and not (isinstance(f, sp.Pow) and f.exp.is_Rational)]
        if bad:
            raise AnalysisError(
                f"scheme {scheme.name!r}: weight {sp.sstr(w)} is transcendental in the "
                f"parameters ({sp.sstr(bad[0])}); exact regions are decided for polynomial, "
                "rational and piecewise (Min/Max/Abs) weights: declare the transcendental part "
                "as the parameter (e.g. w = exp(-nu), params=(w,), with its range)")
    denominator = _parameter_denominator(lv, scheme.params)
    if denominator is not None:
        if scheme.dim != 1:
            raise AnalysisError(
                f"scheme {scheme.name!r}: its weights are rational in the parameters (common "
                f"denominator {sp.sstr(denominator)}); 2-D and 3-D regions are decided for "
                "weights polynomial in them: name the ratio as the parameter (for "
                "r/(1 + 4 r) say s = r/(1 + 4 r), 1/(1 + 4 r) = 1 - 4 s, params=(s,)), or use "
                "positivity_region")
        # D u^{n+1} = sum (D w_k) u_k: the same scheme with a diagonal implicit operator,
        # whose |A|^2 - |B|^2 is a polynomial
        return two_level_1d(_multiplied_through(scheme, lv, denominator),
                            {1: {(0,): denominator},
                             0: {k: sp.cancel(denominator * w) for k, w in lv[0].items()}})
    if set(lv) <= {0, 1}:
        diagnosed = inconsistent_input(scheme, lv)
        if diagnosed is not None:
            return diagnosed
        G0 = sp.cancel(sp.Add(*lv.get(0, {}).values()) / sp.Add(*lv[1].values()))
        if sp.simplify(G0 - 1) != 0:  # analysed, and said to be inconsistent first
            out = two_level_1d(scheme, lv) if scheme.dim == 1 else two_level_nd(scheme, lv, rays)
            note = (f"inconsistent: G(0) = {sp.sstr(G0)}, not 1 (the weights do not preserve "
                    "constants); ")
            return replace(out, result=replace(out.result,
                                               description=note + out.result.description))
    if min(lv) < 0:
        if scheme.dim != 1 or min(lv) < -1:
            raise AnalysisError(f"multistep scheme {scheme.name!r}: only three-level 1-D "
                                "schemes are analysed (characteristic polynomial of degree 2)")
        return three_level(scheme, lv)
    if scheme.dim == 1:
        return two_level_1d(scheme, lv)
    return two_level_nd(scheme, lv, rays)


__all__ = ["von_neumann", "von_neumann_system", "amplification_factor", "abs2_in_c",
           "unstable_mode", "plane_polynomial", "decide_at_point",
           "present_polynomial_region", "growth_factor", "most_unstable_mode", "nonneg_on_plane"]

