"""von Neumann analysis of three-level (multistep) 1-D schemes.

The amplification factors are the roots g of the characteristic polynomial g^2 - b(theta) g -
a(theta); when |a| = 1 and b + a conj(b) = 0 (leapfrog) Miller's reduction leaves the root of
g - b/2, so the scheme is stable iff |b| < 2 for every theta (strict: at |b| = 2 the root is double
on the unit circle and grows linearly; such points are flagged).
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from mcgen.analysis.amplification import THETA, C, Z, abs2_in_c, laurent
from mcgen.analysis.region_presentation import region_name
from mcgen.analysis.von_neumann_1d import analyse_Q, finish_1d
from mcgen.errors import AnalysisError
from mcgen.model.scheme import Scheme
from mcgen.proof.check import Check
from mcgen.proof.derivation import Derivation, DerivationBuilder
from mcgen.proof.sturm import negative_point


def three_level(scheme: Scheme, lv: dict) -> Derivation:
    name = scheme.name or "scheme"
    bld = DerivationBuilder(f"von Neumann analysis of {name} (three levels)",
                            meta={"scheme_hash": scheme.hash})
    bw = {k[0]: w for k, w in lv.get(0, {}).items()}
    aw = {k[0]: w for k, w in lv.get(-1, {}).items()}
    a1 = {k[0]: w for k, w in lv[1].items()}
    if set(a1) != {0} or a1[0] != 1:
        raise AnalysisError("three-level schemes must be explicit (u^{n+1} = ...)")
    g = sp.Symbol("g")
    bz = laurent({(k,): w for k, w in bw.items()}, (Z,))
    az = laurent({(k,): w for k, w in aw.items()}, (Z,))
    bzc = bz.subs(Z, 1 / Z)
    azc = az.subs(Z, 1 / Z)
    ex = sp.exp(sp.I * THETA)
    phi = g**2 - bz.subs(Z, ex) * g - az.subs(Z, ex)
    i_phi = bld.step(sp.Eq(phi, 0), "u_j^n = g^n e^{i j theta}: each amplification factor g is a "
                     "root of the characteristic polynomial phi(g) = g^2 - b g - a",
                     Check("definition"))
    abs_a = sp.cancel(az * azc)
    phi1 = sp.cancel(bz + az * bzc)
    i_a = bld.identity(abs_a, 1, "|a(theta)|^2 = 1 for every theta", uses=[i_phi],
                       claim="|a(theta)| = 1")
    if sp.simplify(abs_a - 1) != 0 or sp.simplify(phi1) != 0:
        raise AnalysisError(f"three-level scheme {name!r}: only the case |a| = 1, "
                            "b + a conj(b) = 0 (leapfrog type) is analysed; other cases need "
                            "the full Schur-Cohn recursion")
    i_m = bld.identity(phi1, 0, "Miller's reduced polynomial phi_1 = (phi*(0) phi - phi(0) phi*)"
                       "/g = (1 - |a|^2) g - (b + a conj(b)) vanishes identically",
                       uses=[i_a], claim="phi_1 = 0")
    b2 = abs2_in_c(bw)
    Qs = sp.expand(4 - b2)
    i_b = bld.step(sp.Eq(sp.Symbol("S"), Qs, evaluate=False),
                   "Miller's theorem: with phi_1 = 0, phi has its roots in the closed unit disc, "
                   "simple on the circle, iff phi'(g) = 2 g - b has its root inside the open "
                   "disc: |b|^2 < 4, i.e. S = 4 - |b|^2 > 0 on c in [-1, 1]",
                   Check("identity", (sp.expand(4 - bz * bzc), Qs.subs(C, (Z + 1 / Z) / 2))),
                   uses=[i_m])
    params = tuple(p for p in scheme.params if Qs.has(p))
    res = analyse_Q(Qs, params, strict=True)
    dbl = ""
    if res["method"] == "cells":
        p = params[0]
        s = res["set"]
        bnd = [x for x in (s.boundary if hasattr(s, "boundary") else []) if x.is_finite]
        dbl_pts = []
        for x in bnd:
            c0 = negative_point(Qs.subs(p, x), C, sp.Integer(-1), sp.Integer(1), True)
            if c0 is not None and Qs.subs({p: x, C: c0}) == 0:
                dbl_pts.append((x, sp.acos(c0)))
        if dbl_pts:
            dbl = "; double root on the unit circle at " + ", ".join(
                f"{p} = {x}, theta = {t}" for x, t in dbl_pts) + " (linear growth ~ n: unstable)"
            bld.step(f"at the boundary: S = 0, so g = b/2 is a double root with |g| = 1{dbl}",
                     "a double root on the unit circle gives solutions growing like n g^n",
                     Check("follows"), uses=[i_b])
    out = finish_1d(bld, scheme, Qs, res, i_b, strict=True)
    cond = out.result
    cond = replace(cond, description=cond.description + (dbl and " (strict" + dbl + ")"),
                   name=f"von Neumann {region_name(scheme)}")
    return replace(out, result=cond)

