"""The order of accuracy of a high-resolution scheme on smooth data away from extrema.

On smooth monotone data the ratio r_j = D_{j-1/2}/D_{j+1/2} is 1 + O(dx), so a limiter that is
differentiable from each side at r = 1 acts like its linearisation phi(1) + phi'(1+-)(r - 1),
and phi(r) D_{j+1/2} = phi(1) D_{j+1/2} + phi'(1+-) (D_{j-1/2} - D_{j+1/2}) is *linear* in u: the
scheme becomes a linear stencil (one per side of r = 1) whose truncation error is computed here
exactly by Taylor expansion of -(F_{j+1/2} - F_{j-1/2})/dx + u_x for u_t + u_x = 0 (the
linearisation of any flux about a state with f' > 0 has the same form). ``phi(1) = 1`` gives
second order whatever the slopes; Koren's phi'(1) = 2/3 gives third. WENO5's ideal weights
reproduce the fifth-order upwind reconstruction (checked the same way); its nonlinear weights
differ from them by O(dx^2) away from critical points (Jiang and Shu 1996), which keeps fifth
order there. The time order is the classical order of the tableau (exact order conditions); the
scheme's order is the smaller of the two.
"""

from __future__ import annotations

import sympy as sp

from mcgen.errors import AnalysisError
from mcgen.model.highres_scheme import HighResScheme
from mcgen.proof import Check, Derivation, DerivationBuilder
from mcgen.proof.piecewise_rational import decompose

__all__ = ["order_of_accuracy", "spatial_order"]

_H = sp.Symbol("h", positive=True)
_MAX_ORDER = 7


def _one_sided(phi: sp.Expr, r: sp.Symbol) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(phi(1), phi'(1-), phi'(1+)) from the exact pieces."""
    pieces = decompose(phi, r)
    left = next(e for lo, hi, e in pieces if bool(lo < 1) and bool(hi >= 1))
    right = next(e for lo, hi, e in pieces if bool(lo <= 1) and bool(hi > 1))
    v1 = sp.nsimplify(phi.subs(r, 1))
    if sp.simplify(left.subs(r, 1) - v1) != 0 or sp.simplify(right.subs(r, 1) - v1) != 0:
        raise AnalysisError(f"limiter {phi} is discontinuous at r = 1")
    return v1, sp.diff(left, r).subs(r, 1), sp.diff(right, r).subs(r, 1)


def _truncation(face: sp.Expr, us: dict[int, sp.Symbol]) -> tuple[sp.Expr, int]:
    """Leading term and order p of -(F_{j+1/2} - F_{j-1/2})/h + u_x for a linear face value
    F_{j+1/2} = sum c_m u_{j+m} (Taylor expansion of smooth u)."""
    x = sp.Symbol("x")
    u = sp.Function("u")
    shift = {us[m]: us[m - 1] for m in sorted(us) if m - 1 in us}
    left_face = face.subs(shift, simultaneous=True)
    taylor = {us[m]: sum((m * _H) ** n / sp.factorial(n) * sp.Derivative(u(x), (x, n))
                         if n else u(x) for n in range(_MAX_ORDER + 3)) for m in us}
    err = sp.expand(-(face - left_face).subs(taylor) / _H + sp.Derivative(u(x), x))
    for p in range(0, _MAX_ORDER + 1):
        c = err.coeff(_H, p)
        if sp.simplify(c) != 0:
            return c * _H**p, p
    return sp.Integer(0), _MAX_ORDER + 1


def spatial_order(scheme: HighResScheme) -> Derivation:
    """The spatial order on smooth monotone data (result: an int), with the truncation errors
    of the linearised schemes."""
    b = DerivationBuilder(f"Spatial order of {scheme.name} on smooth data away from extrema")
    us = {m: sp.Symbol(f"u_{m}") for m in range(-4, 4)}
    if scheme.reconstruction == "weno5":
        v = [us[m] for m in range(-2, 3)]
        q = [(2 * v[0] - 7 * v[1] + 11 * v[2]) / 6, (-v[1] + 5 * v[2] + 2 * v[3]) / 6,
             (2 * v[2] + 5 * v[3] - v[4]) / 6]
        face = sp.Rational(1, 10) * q[0] + sp.Rational(3, 5) * q[1] + sp.Rational(3, 10) * q[2]
        i0 = b.identity(face, (2 * v[0] - 13 * v[1] + 47 * v[2] + 27 * v[3] - 3 * v[4]) / 60,
                        "ideal weights (1/10, 3/5, 3/10): the fifth-order upwind face value")
        lead, p = _truncation(face, us)
        i1 = b.step(f"truncation error {sp.sstr(lead)}: order {p}", "Taylor expansion of "
                    "smooth u", Check("follows"), [i0])
        b.step(f"nonlinear weights = ideal + O(h^2) where u' != 0 (Jiang-Shu 1996): order {p}",
               "theorem (smoothness indicators differ by O(h^4) away from critical points)",
               Check("follows"), [i1])
        b.conclude(p)
        return b.finish(p)
    lim = scheme.limiter
    assert lim is not None
    v1, dl, dr = _one_sided(lim.phi, lim.r)
    i0 = b.step(f"phi(1) = {v1}, phi'(1-) = {dl}, phi'(1+) = {dr}",
                "exact pieces of the limiter at r = 1", Check("identity", (lim.phi.subs(
                    lim.r, 1), v1)))
    orders, terms = [], []
    for k in sorted({dl, dr}, key=sp.default_sort_key):
        dm, dp = us[0] - us[-1], us[1] - us[0]
        face = us[0] + (v1 * dp + k * (dm - dp)) / 2  # upwind face value (speed > 0)
        lead, p = _truncation(face, us)
        orders.append(p)
        terms.append(lead)
        b.step(f"linearised with phi'(1) = {k}: face value {sp.sstr(sp.expand(face))}, "
               f"truncation error {sp.sstr(lead)}: order {p}",
               "Taylor expansion of smooth u", Check("follows"), [i0])
    p = min(orders)
    b.conclude(p, reason="the smallest order of the linearisations", uses=range(len(b.steps)))
    return b.finish(p)


def order_of_accuracy(scheme: HighResScheme) -> Derivation:
    """min(spatial order, classical order of the stepper); result: an int."""
    sd = spatial_order(scheme)
    t = scheme.stepper
    q = max((k for k in range(1, 5) if t.order_conditions(k)), default=0)
    b = DerivationBuilder(f"Order of accuracy of {scheme.name} on smooth data away from "
                          "extrema")
    i0 = b.step(f"space: order {sd.result}", f"derivation '{sd.title}' ({sd.status})",
                Check("follows"))
    i1 = b.step(f"time: {t.name} satisfies the order conditions up to order {q}",
                "exact order conditions of the tableau", Check("follows"))
    b.step(f"order min({sd.result}, {q})", "the smaller of the two", Check("follows"), [i0, i1])
    b.conclude(min(sd.result, q))
    return b.finish(min(sd.result, q))
