"""Straight-line SymPy programs for the Euler and shallow-water kernels: the limited slope of a
cell (MUSCL in conserved, primitive or characteristic variables, with the Zhang-Shu positivity
scaling) and the interface flux (HLL with Einfeldt speeds, Toro's HLLC, Roe with the
Harten-Hyman entropy fix), for 1-D and 2-D, in the frame of one sweep direction.

They restate, operation for operation, the NumPy formulas of
:class:`mcgen.run.system_stepper.SystemStepper` (the reference the kernels are tested against):
states are tuples of components in the frame (density or depth, normal momentum, transverse
momentum in 2-D, energy for Euler). Each quantity of the textbook formulas is named once
(``Program.let``), so SymPy cannot rewrite one into a costlier form (one big expression let it
re-derive a wave speed with ``pow(rho, 1.5)``): the kernel does the operations of hand-written C.
:mod:`mcgen.codegen.system_frontend` places these programs in loops.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sympy as sp

from mcgen.errors import CodegenError
from mcgen.model.system_scheme import SystemScheme

__all__ = ["Program", "SystemAlgebra", "POSITIVITY_EPS"]

#: the floor the Zhang-Shu scaling keeps interface density/depth and pressure above (the
#: reference stepper's default ``SystemStepper.eps``; a test holds the two equal)
POSITIVITY_EPS = 1e-13


@dataclass
class Program:
    """Assignments ``name = expr`` in order; each name is a fresh real symbol."""

    steps: list[tuple[sp.Symbol, sp.Expr]] = field(default_factory=list)

    def let(self, name: str, expr: sp.Expr) -> sp.Symbol:
        sym = sp.Symbol(f"h_{name}", real=True)
        if any(s == sym for s, _ in self.steps):
            raise CodegenError(f"internal error: {name} assigned twice in a system program")
        self.steps.append((sym, sp.sympify(expr)))
        return sym

    def get(self, name: str) -> sp.Symbol:
        """The symbol ``let`` gave ``name``."""
        sym = sp.Symbol(f"h_{name}", real=True)
        if not any(s == sym for s, _ in self.steps):
            raise CodegenError(f"internal error: {name} used before it is assigned")
        return sym


State = Sequence[sp.Expr]


@dataclass(frozen=True)
class SystemAlgebra:
    """The formulas of one :class:`SystemScheme` in ``dim`` dimensions (the frame of a sweep)."""

    scheme: SystemScheme

    @property
    def euler(self) -> bool:
        return self.scheme.system == "euler"

    @property
    def dim(self) -> int:
        return self.scheme.dim

    @property
    def k(self) -> int:
        return len(self.scheme.law.fields)

    @property
    def par(self) -> sp.Float:
        return sp.Float(float(self.scheme.parameter), 17)

    # ------------------------------------------------------------------ state algebra
    def primitive(self, p: Program, U: State, tag: str) -> list[sp.Expr]:
        """(rho, u[, v], p) or (h, u[, v]); velocities as momentum times 1/rho."""
        inv = p.let(f"i{tag}", 1 / U[0])
        vel = [p.let(f"u{i}{tag}", U[i] * inv) for i in range(1, 1 + self.dim)]
        if not self.euler:
            return [U[0], *vel]
        kin = sum((U[i] * v for i, v in enumerate(vel, 1)), sp.Integer(0)) / 2
        return [U[0], *vel, p.let(f"p{tag}", (self.par - 1) * (U[-1] - kin))]

    def sound(self, p: Program, W: State, tag: str) -> sp.Symbol:
        if self.euler:
            return p.let(f"c{tag}", sp.sqrt(self.par * W[-1] / W[0]))
        return p.let(f"c{tag}", sp.sqrt(self.par * W[0]))

    def flux(self, p: Program, U: State, W: State, tag: str) -> list[sp.Expr]:
        """The physical flux in the normal direction."""
        u = W[1]
        t = [p.let(f"F2{tag}", U[2] * u)] if self.dim == 2 else []
        if self.euler:
            return [U[1], p.let(f"F1{tag}", U[1] * u + W[-1]), *t,
                    p.let(f"F3{tag}", (U[-1] + W[-1]) * u)]
        return [U[1], p.let(f"F1{tag}", U[1] * u + self.par * W[0] ** 2 / 2), *t]

    # ------------------------------------------------------------------ reconstruction
    def slope(self, p: Program, Um: State, Uc: State, Up: State) -> list[sp.Expr]:
        """The limited conserved slope of the centre cell, positivity-scaled."""
        lim = self.scheme.limiter
        if lim is None:
            raise CodegenError("a first-order scheme has no slopes")

        phi0 = lim.phi.subs(lim.r, 0)
        if not phi0.is_finite:
            raise CodegenError(f"limiter {lim.name}: phi(0) = {phi0} is not finite (the "
                               "reference's slope is then infinite wherever D- = 0)")

        def limited(name: str, num: sp.Expr, den: sp.Expr) -> sp.Symbol:
            # phi(num/den) den, 0 where den = 0 (the reference's _limited): r is 0 there and
            # den phi(0) = +-0 (phi(0) finite), the reference's value. The select is on r, not
            # on the product: a slope known to be the constant 0 on one branch lets GCC fold
            # it into the Zhang-Shu tests below, and the mask of a mask it then needs keeps
            # the whole slope loop scalar (GCC 12, AVX-512)
            d = p.let(f"d{name}", den)
            r = p.let(f"r{name}", sp.Piecewise((num / d, sp.Ne(d, 0)), (0, True)))
            return p.let(f"l{name}", lim.phi.subs(lim.r, r) * d)

        k = self.k
        var = self.scheme.variables
        if var == "conserved":
            dm = [p.let(f"dm{c}", Uc[c] - Um[c]) for c in range(k)]
            dp = [p.let(f"dp{c}", Up[c] - Uc[c]) for c in range(k)]
            slope: list[sp.Expr] = [limited(f"{c}", dm[c], dp[c]) for c in range(k)]
        elif var == "primitive":
            Wc, Wm, Wp = (self.primitive(p, U, t) for U, t in ((Uc, "C"), (Um, "M"), (Up, "P")))
            sW = [limited(f"{c}", p.let(f"dm{c}", Wc[c] - Wm[c]), p.let(f"dp{c}", Wp[c] - Wc[c]))
                  for c in range(k)]
            slope = [sW[0]]
            slope += [Wc[i] * sW[0] + Wc[0] * sW[i] for i in range(1, 1 + self.dim)]
            if self.euler:
                q2 = sum((Wc[i] ** 2 for i in range(1, 1 + self.dim)), sp.Integer(0))
                slope.append(q2 / 2 * sW[0] + sum((Wc[0] * Wc[i] * sW[i]
                                                   for i in range(1, 1 + self.dim)),
                                                  sp.Integer(0)) + sW[-1] / (self.par - 1))
        else:
            R, L = self.eigenvectors(p, Uc)
            dm = [p.let(f"dm{c}", Uc[c] - Um[c]) for c in range(k)]
            dp = [p.let(f"dp{c}", Up[c] - Uc[c]) for c in range(k)]
            cm = [p.let(f"cm{a}", sum(L[a][c] * dm[c] for c in range(k))) for a in range(k)]
            cp = [p.let(f"cp{a}", sum(L[a][c] * dp[c] for c in range(k))) for a in range(k)]
            sc = [limited(f"{a}", cm[a], cp[a]) for a in range(k)]
            slope = [sum(R[c][a] * sc[a] for a in range(k)) for c in range(k)]
        slope = [p.let(f"sl{c}", e) for c, e in enumerate(slope)]
        return self._positivity_scaling(p, Uc, slope)

    def eigenvectors(self, p: Program, U: State) -> tuple[list[list[sp.Expr]],
                                                          list[list[sp.Expr]]]:
        """(R, R^-1) of the normal flux Jacobian at U, columns as in the reference (acoustic
        first and last, entropy and shear in between); R^-1 in closed form (SymPy's inverse of
        the same symbolic matrix, so it is the exact inverse of the reference's R)."""
        W = self.primitive(p, U, "E")
        c, u = self.sound(p, W, "E"), W[1]
        k = self.k
        s = sp.symbols("u_ c_ v_ H_ q_", real=True)
        us, cs, vs, Hs, qs = s
        R = sp.zeros(k, k)
        R[0, 0], R[0, k - 1] = 1, 1
        R[1, 0], R[1, k - 1] = us - cs, us + cs
        if self.dim == 2:
            R[2, 0], R[2, k - 1] = vs, vs
        if self.euler:
            R[k - 1, 0], R[k - 1, k - 1] = Hs - us * cs, Hs + us * cs
            R[0, 1], R[1, 1], R[k - 1, 1] = 1, us, qs / 2
            if self.dim == 2:
                R[2, 1] = vs
                R[2, 2], R[k - 1, 2] = 1, vs
        elif self.dim == 2:
            R[2, 1] = 1
        Linv = sp.simplify(R.inv())
        vals = {us: u, cs: c}
        if self.dim == 2:
            vals[vs] = W[2]
        if self.euler:
            vals[Hs] = p.let("HE", (U[-1] + W[-1]) * p.get("iE"))
            vals[qs] = p.let("qE", sum((W[i] ** 2 for i in range(1, 1 + self.dim)),
                                       sp.Integer(0)))
        Rn = [[R[i, j].subs(vals) for j in range(k)] for i in range(k)]
        Ln = [[p.let(f"L{i}{j}", Linv[i, j].subs(vals)) if Linv[i, j].free_symbols
               else Linv[i, j] for j in range(k)] for i in range(k)]
        return Rn, Ln

    def _positivity_scaling(self, p: Program, C: State, slope: list[sp.Expr]) -> list[sp.Expr]:
        """Zhang-Shu: shrink the slope until both interface states have density (depth) and
        pressure >= eps (the reference's _positivity_scaling)."""
        eps = sp.Float(POSITIVITY_EPS, 17)

        def theta(name: str, centre: sp.Expr, values: list[sp.Expr]) -> sp.Symbol:
            th: sp.Expr = sp.Integer(1)
            for j, v in enumerate(values):
                low = sp.And(v < eps, centre > v)
                den = p.let(f"{name}d{j}", sp.Piecewise((centre - v, low), (1, True)))
                t = p.let(f"{name}t{j}", sp.Piecewise(((centre - eps) / den, low), (1, True)))
                th = p.let(f"{name}m{j}", sp.Min(th, sp.Min(sp.Max(t, 0), 1)))
            return th  # type: ignore[return-value]

        r_sides = [p.let(f"zr{j}", C[0] + s * slope[0] / 2) for j, s in enumerate((1, -1))]
        t1 = theta("zh", C[0], r_sides)
        slope = [p.let(f"zs{c}", e * t1) for c, e in enumerate(slope)]
        if not self.euler:
            return slope
        pc = self.primitive(p, C, "Z")[-1]
        ps = []
        for j, s in enumerate((1, -1)):
            side = [p.let(f"zU{j}{c}", C[c] + s * slope[c] / 2) for c in range(self.k)]
            ps.append(self.primitive(p, side, f"Z{j}")[-1])
        t2 = theta("zp", pc, ps)
        return [p.let(f"zt{c}", e * t2) for c, e in enumerate(slope)]

    # ------------------------------------------------------------------ interface flux
    def interface_flux(self, p: Program, UL: State, UR: State
                       ) -> tuple[list[sp.Expr], sp.Expr]:
        """(the numerical flux components, max(|S_L|, |S_R|)) at one interface."""
        WL, WR = self.primitive(p, UL, "L"), self.primitive(p, UR, "R")
        FL, FR = self.flux(p, UL, WL, "L"), self.flux(p, UR, WR, "R")
        cL, cR = self.sound(p, WL, "L"), self.sound(p, WR, "R")
        sl, sr = p.let("sl", sp.sqrt(UL[0])), p.let("sr", sp.sqrt(UR[0]))
        isum = p.let("isum", 1 / (sl + sr))
        ut = p.let("ut", (sl * WL[1] + sr * WR[1]) * isum)
        vt = p.let("vt", (sl * WL[2] + sr * WR[2]) * isum) if self.dim == 2 else None
        q2 = ut * ut + (vt * vt if vt is not None else 0)
        if self.euler:
            iL, iR = p.get("iL"), p.get("iR")
            Ht: sp.Expr = p.let("Ht", (sl * (UL[-1] + WL[-1]) * iL + sr * (UR[-1] + WR[-1]) * iR)
                                * isum)
            ct = p.let("ct", sp.sqrt(sp.Max((self.par - 1) * (Ht - q2 / 2), 0)))
        else:
            Ht = sp.Integer(0)
            ct = p.let("ct", sp.sqrt(self.par * (UL[0] + UR[0]) / 2))
        SL = p.let("SL", sp.Min(WL[1] - cL, ut - ct))
        SR = p.let("SR", sp.Max(WR[1] + cR, ut + ct))
        speed = sp.Max(sp.Abs(SL), sp.Abs(SR))
        kind = self.scheme.flux
        if kind == "hll":
            iw = p.let("iw", 1 / (SR - SL))
            out = [sp.Piecewise((a, SL >= 0), (b, SR <= 0),
                                ((SR * a - SL * b + SL * SR * (ur - ul)) * iw, True))
                   for a, b, ul, ur in zip(FL, FR, UL, UR, strict=True)]
            return out, speed
        if kind == "hllc":
            return self._hllc(p, UL, UR, WL, WR, FL, FR, SL, SR), speed
        if kind == "roe":
            return self._roe(p, UL, UR, WL, WR, FL, FR, cL, cR, ut, ct, vt, Ht), speed
        raise CodegenError(f"flux={kind!r}: system kernels use 'hll', 'hllc' or 'roe'")

    def _hllc(self, p: Program, UL: State, UR: State, WL: State, WR: State, FL: State,
              FR: State, SL: sp.Symbol, SR: sp.Symbol) -> list[sp.Expr]:
        rL, uL, rR, uR = WL[0], WL[1], WR[0], WR[1]
        aL, aR = p.let("aL", rL * (SL - uL)), p.let("aR", rR * (SR - uR))
        if self.euler:
            Ss = p.let("Ss", (WR[-1] - WL[-1] + aL * uL - aR * uR) / (aL - aR))
        else:
            Ss = p.let("Ss", (SR * aL - SL * aR) / (aL - aR))

        # one star state, of the side the contact puts at x/t = 0 (selected before the
        # formula, so the branch-free kernel evaluates the star formula once, not per side)
        def pick(name: str, a: sp.Expr, b: sp.Expr) -> sp.Symbol:
            return p.let(name, sp.Piecewise((a, Ss >= 0), (b, True)))

        aK, uK, SK = pick("aK", aL, aR), pick("uK", uL, uR), pick("SK", SL, SR)
        UK = [pick(f"U{c}K", a, b) for c, (a, b) in enumerate(zip(UL, UR, strict=True))]
        FK = [pick(f"F{c}K", a, b) for c, (a, b) in enumerate(zip(FL, FR, strict=True))]
        f = p.let("fK", aK / (SK - Ss))  # rho* = rho_K (S_K - u_K)/(S_K - S*)
        star = [f, f * Ss]
        if self.dim == 2:
            star.append(f * pick("vK", WL[2], WR[2]))
        if self.euler:
            iK, pK, EK = pick("iK", p.get("iL"), p.get("iR")), pick("pK", WL[-1], WR[-1]), UK[-1]
            star.append(f * p.let("eK", EK * iK + (Ss - uK) * (Ss + pK / aK)))
        return [sp.Piecewise((a, SL >= 0), (b, SR <= 0), (fk + SK * (x - uk), True))
                for a, b, fk, x, uk in zip(FL, FR, FK, star, UK, strict=True)]

    def _roe(self, p: Program, UL: State, UR: State, WL: State, WR: State, FL: State,
             FR: State, cL: sp.Expr, cR: sp.Expr, ut: sp.Expr, ct: sp.Expr,
             vt: sp.Expr | None, Ht: sp.Expr) -> list[sp.Expr]:
        k = self.k
        dU = [p.let(f"dU{c}", UR[c] - UL[c]) for c in range(k)]
        tv = [vt] if vt is not None else []
        waves: list[tuple[sp.Expr, list[sp.Expr], sp.Expr, int | None]] = []
        if self.euler:
            dE = dU[-1] - ((dU[2] - vt * dU[0]) * vt if vt is not None else 0)
            a2 = p.let("a2", (self.par - 1) / ct**2 * ((Ht - ut**2) * dU[0] + ut * dU[1] - dE))
            a1 = p.let("a1", (dU[0] * (ut + ct) - dU[1] - ct * a2) / (2 * ct))
            a4 = p.let("a4", dU[0] - a1 - a2)
            q2 = ut * ut + (vt * vt if vt is not None else 0)
            waves = [(ut - ct, [1, ut - ct, *tv, Ht - ut * ct], a1, 0),
                     (ut, [1, ut, *tv, q2 / 2], a2, None),
                     (ut + ct, [1, ut + ct, *tv, Ht + ut * ct], a4, 1)]
            if vt is not None:
                waves.append((ut, [0, 0, 1, vt], dU[2] - vt * dU[0], None))
        else:
            a1 = p.let("a1", (dU[0] - (dU[1] - ut * dU[0]) / ct) / 2)
            a3 = p.let("a3", (dU[0] + (dU[1] - ut * dU[0]) / ct) / 2)
            waves = [(ut - ct, [1, ut - ct, *tv], a1, 0), (ut + ct, [1, ut + ct, *tv], a3, 1)]
            if vt is not None:
                waves.append((ut, [0, 0, 1], dU[2] - vt * dU[0], None))
        diss: list[sp.Expr] = [sp.Integer(0)] * k
        fix = bool(self.scheme.entropy_fix)
        for w, (lk, rk, ak, acoustic) in enumerate(waves):
            absl: sp.Expr = p.let(f"al{w}", sp.Abs(lk))
            if acoustic is not None and fix:
                # Harten-Hyman: smooth |lambda| inside a transonic fan
                sgn = -1 if acoustic == 0 else 1
                lamL, lamR = WL[1] + sgn * cL, WR[1] + sgn * cR
                delta = p.let(f"de{w}", sp.Max(0, sp.Max(lk - lamL, lamR - lk)))
                sd = sp.Piecewise((delta, delta > 0), (1, True))
                absl = p.let(f"af{w}", sp.Piecewise(((lk * lk / sd + delta) / 2, absl < delta),
                                                    (absl, True)))
            wa = p.let(f"wa{w}", absl * ak)
            diss = [d + wa * r for d, r in zip(diss, rk, strict=True)]
        return [(a + b) / 2 - d / 2 for a, b, d in zip(FL, FR, diss, strict=True)]
