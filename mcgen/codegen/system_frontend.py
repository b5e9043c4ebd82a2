"""Loop IR for the 2-D Euler equations with a first-order HLL or HLLC flux and Runge-Kutta stage
buffers (one kernel, ``nsteps`` steps per call, periodic).

Arrays are flat, component-major ``(4, ny + 2, nx + 2)`` (x fastest) with one ghost layer. Each
stage fills the ghosts of its state, computes the interface fluxes of each direction once into a
flux buffer, accumulates ``L = -(dt/dx) dF - (dt/dy) dG`` into its stage buffer and forms the
next stage state. The flux is one SymPy expression per component (the formulas of
:mod:`mcgen.run.system_stepper`: Einfeldt speeds from Roe averages, Toro's HLLC star states),
common subexpressions eliminated and translated by ``sympy_to_ir``. The kernel returns the
largest ``dt (S_x/dx + S_y/dy)`` met on any stage, which the wrapper compares with the proved
positivity bound: a run that left the proved region is reported, never returned silently.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from mcgen.analysis.highres_safety import highres_condition
from mcgen.analysis.positivity_systems import positivity_bound
from mcgen.codegen import ir
from mcgen.codegen.highres_frontend import build_step_function
from mcgen.codegen.sympy_to_ir import sympy_to_ir
from mcgen.errors import CodegenError, ModelError, StabilityError
from mcgen.model.system_scheme import SystemScheme

__all__ = ["build_euler2d", "Euler2DKernel", "interface_flux"]

I64 = "i64"
_L = sp.symbols("rL nL tL EL", real=True)
_R = sp.symbols("rR nR tR ER", real=True)


Program = list[tuple[sp.Symbol, sp.Expr]]


def interface_flux(gamma: sp.Expr, kind: str) -> tuple[Program, list[sp.Expr], sp.Expr]:
    """A straight-line program for the interface flux: (assignments ``h_name = expr`` in order,
    the four flux components in the (rho, normal, transverse, E) frame, max(|S_L|, |S_R|)), all
    in terms of the left and right states :data:`_L`, :data:`_R` and the assigned names.

    Each quantity of the textbook formulas (velocities, pressures, sound speeds, Roe averages,
    Einfeldt speeds, the contact speed, one star state) is named once, so SymPy cannot rewrite
    one into a costlier form (a single expression let it re-derive S_R with pow(rho, 1.5) for
    the speed, and divide by sqrt(rho) for the Roe averages): the kernel does the operations of
    the hand-written C."""
    g = sp.Float(float(gamma), 17)
    prog: Program = []

    def let(name: str, e: sp.Expr) -> sp.Symbol:
        sym = sp.Symbol(f"h_{name}", real=True)
        prog.append((sym, e))
        return sym

    def side(tag: str, r: sp.Expr, n: sp.Expr, t: sp.Expr, E: sp.Expr) -> tuple[sp.Symbol, ...]:
        inv = let(f"i{tag}", 1 / r)
        u, v = let(f"u{tag}", n * inv), let(f"v{tag}", t * inv)
        p = let(f"p{tag}", (g - 1) * (E - (n * u + t * v) / 2))
        return inv, u, v, p, let(f"c{tag}", sp.sqrt(g * p * inv))

    (rL, nL, tL, EL), (rR, nR, tR, ER) = _L, _R
    iL, uL, vL, pL, cL = side("L", *_L)
    iR, uR, vR, pR, cR = side("R", *_R)
    sl, sr = let("sl", sp.sqrt(rL)), let("sr", sp.sqrt(rR))
    isum = let("isum", 1 / (sl + sr))
    ut, vt = let("ut", (sl * uL + sr * uR) * isum), let("vt", (sl * vL + sr * vR) * isum)
    Ht = let("Ht", (sl * (EL + pL) * iL + sr * (ER + pR) * iR) * isum)
    ct = let("ct", sp.sqrt(sp.Max((g - 1) * (Ht - (ut * ut + vt * vt) / 2), 0)))
    SL, SR = let("SL", sp.Min(uL - cL, ut - ct)), let("SR", sp.Max(uR + cR, ut + ct))
    FL = [nL, let("FL1", nL * uL + pL), let("FL2", tL * uL), let("FL3", (EL + pL) * uL)]
    FR = [nR, let("FR1", nR * uR + pR), let("FR2", tR * uR), let("FR3", (ER + pR) * uR)]
    UL, UR = list(_L), list(_R)
    speed = sp.Max(sp.Abs(SL), sp.Abs(SR))
    if kind == "hll":
        iw = let("iw", 1 / (SR - SL))
        out = [sp.Piecewise((a, SL >= 0), (b, SR <= 0),
                            ((SR * a - SL * b + SL * SR * (ur - ul)) * iw, True))
               for a, b, ul, ur in zip(FL, FR, UL, UR, strict=True)]
        return prog, out, speed
    if kind != "hllc":
        raise CodegenError(f"flux={kind!r}: generated system kernels use 'hll' or 'hllc'")
    aL, aR = let("aL", rL * (SL - uL)), let("aR", rR * (SR - uR))
    Ss = let("Ss", (pR - pL + aL * uL - aR * uR) / (aL - aR))

    # one star state, of the side the contact puts at x/t = 0 (selected before the formula, so
    # the branch-free kernel evaluates the star formula once, not once per side)
    def pick(name: str, a: sp.Expr, b_: sp.Expr) -> sp.Symbol:
        return let(name, sp.Piecewise((a, Ss >= 0), (b_, True)))

    aK, iK, uK, vK, pK, EK, SK = (pick(f"{k}K", a, b_) for k, a, b_ in
                                  (("a", aL, aR), ("i", iL, iR), ("u", uL, uR), ("v", vL, vR),
                                   ("p", pL, pR), ("E", EL, ER), ("S", SL, SR)))
    UK = [pick(f"U{c}K", a, b_) for c, (a, b_) in enumerate(zip(UL, UR, strict=True))]
    FK = [pick(f"F{c}K", a, b_) for c, (a, b_) in enumerate(zip(FL, FR, strict=True))]
    f = let("fK", aK / (SK - Ss))  # rho* = rho_K (S_K - u_K)/(S_K - S*)
    eK = let("eK", EK * iK + (Ss - uK) * (Ss + pK / aK))
    sK = [f, f * Ss, f * vK, f * eK]
    out = [sp.Piecewise((a, SL >= 0), (b, SR <= 0), (fk + SK * (x - uk), True))
           for a, b, fk, x, uk in zip(FL, FR, FK, sK, UK, strict=True)]
    return prog, out, speed


def build_euler2d(scheme: SystemScheme) -> ir.Module:
    """Kernel ``step(q, w, L0.., f, nx, ny, nsteps, lx, ly) -> max dt sum S/dx``."""
    if scheme.system != "euler" or scheme.dim != 2 or scheme.limiter is not None:
        raise CodegenError(f"{scheme.name}: generated system kernels are first-order 2-D Euler "
                           "(limiter=None, dim=2); use mcgen.run.system_stepper for the rest")
    repl, flux, speed = interface_flux(scheme.parameter, scheme.flux)
    red = [*flux, speed]
    A = [[float(v) for v in row] for row in scheme.stepper.A.tolist()]
    b = [float(v) for v in scheme.stepper.b]
    stages = len(b)
    nx, ny, nsteps = ir.Var("nx", I64), ir.Var("ny", I64), ir.Var("nsteps", I64)
    lx, ly = ir.Var("lx"), ir.Var("ly")
    i, j = ir.Var("i", I64), ir.Var("j", I64)
    one, zero = ir.Const(1, I64), ir.Const(0, I64)

    def add(*xs: ir.Expr) -> ir.Expr:
        out = xs[0]
        for x in xs[1:]:
            out = ir.BinOp("+", out, x, I64)
        return out

    def mul(a: ir.Expr, c: ir.Expr) -> ir.Expr:
        return ir.BinOp("*", a, c, I64)

    W = add(nx, ir.Const(2, I64))
    P = mul(W, add(ny, ir.Const(2, I64)))

    def at(comp: int, jj: ir.Expr, ii: ir.Expr) -> ir.Expr:
        return add(mul(ir.Const(comp, I64), P), mul(jj, W), ii)

    def fill(arr: str) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for comp in range(4):
            out.append(ir.For(j, one, add(ny, one), (
                ir.Store(arr, at(comp, j, zero), ir.Load(arr, at(comp, j, nx))),
                ir.Store(arr, at(comp, j, add(nx, one)), ir.Load(arr, at(comp, j, one))))))
            out.append(ir.For(i, zero, W, (
                ir.Store(arr, at(comp, zero, i), ir.Load(arr, at(comp, ny, i))),
                ir.Store(arr, at(comp, add(ny, one), i), ir.Load(arr, at(comp, one, i))))))
        return out

    def flux_loop(src: str, axis: int) -> ir.Stmt:
        # x: interface i-1/2 between (j, i-1) and (j, i); normal momentum component 1
        # y: interface j-1/2 between (j-1, i) and (j, i); normal momentum component 2
        order = (0, 1, 2, 3) if axis == 0 else (0, 2, 1, 3)
        left = (j, ir.BinOp("-", i, one, I64)) if axis == 0 else (ir.BinOp("-", j, one, I64), i)
        sym = {**{s: ir.Load(src, at(order[c], *left)) for c, s in enumerate(_L)},
               **{s: ir.Load(src, at(order[c], j, i)) for c, s in enumerate(_R)}}
        local: dict[sp.Basic, ir.Expr] = {}

        def lookup(a: sp.Basic) -> ir.Expr:
            if a in sym:
                return sym[a]
            if a in local:
                return local[a]
            raise CodegenError(f"unknown symbol {a} in the interface flux")

        body: list[ir.Stmt] = []
        for s, val in repl:
            v = ir.Var(s.name)
            body.append(ir.Assign(v, sympy_to_ir(val, lookup)))
            local[s] = v
        for c in range(4):
            body.append(ir.Store("f", at(order[c], j, i), sympy_to_ir(red[c], lookup)))
        smax = ir.Var("smax_x" if axis == 0 else "smax_y")
        body.append(ir.Assign(smax, ir.BinOp("max", smax, sympy_to_ir(red[4], lookup))))
        inner = ir.For(i, one, add(nx, one if axis == 0 else zero, one), tuple(body))
        return ir.For(j, one, add(ny, one if axis == 1 else zero, one), (inner,))

    def accumulate(dst: str, axis: int, first: bool) -> ir.Stmt:
        lam = lx if axis == 0 else ly
        body = []
        for comp in range(4):
            hi = at(comp, j, add(i, one)) if axis == 0 else at(comp, add(j, one), i)
            d = ir.BinOp("-", ir.Load("f", hi), ir.Load("f", at(comp, j, i)))
            val = ir.BinOp("*", ir.UnOp("neg", lam), d)
            if not first:
                val = ir.BinOp("+", ir.Load(dst, at(comp, j, i)), val)
            body.append(ir.Store(dst, at(comp, j, i), val))
        return ir.For(j, one, add(ny, one), (ir.For(i, one, add(nx, one), tuple(body)),))

    def combine(dst: str, coeffs: list[float]) -> ir.Stmt:
        body = []
        for comp in range(4):
            val: ir.Expr = ir.Load("q", at(comp, j, i))
            for s_, a in enumerate(coeffs):
                if a:
                    val = ir.BinOp("+", val, ir.BinOp("*", ir.Const(a),
                                                      ir.Load(f"L{s_}", at(comp, j, i))))
            body.append(ir.Store(dst, at(comp, j, i), val))
        return ir.For(j, one, add(ny, one), (ir.For(i, one, add(nx, one), tuple(body)),))

    result = ir.Var("result")
    step: list[ir.Stmt] = []
    for s_ in range(stages):
        src = "q" if s_ == 0 else "w"
        if s_:
            step.append(combine("w", A[s_][:s_]))
        step += fill(src)
        step += [ir.Assign(ir.Var("smax_x"), ir.Const(0.0)),
                 ir.Assign(ir.Var("smax_y"), ir.Const(0.0))]
        step += [flux_loop(src, 0), accumulate(f"L{s_}", 0, True),
                 flux_loop(src, 1), accumulate(f"L{s_}", 1, False)]
        rate = ir.BinOp("+", ir.BinOp("*", ir.Var("smax_x"), lx),
                        ir.BinOp("*", ir.Var("smax_y"), ly))
        step.append(ir.Assign(result, ir.BinOp("max", result, rate)))
    step.append(combine("q", b))
    args = (ir.Arg("q", array=True, intent="inout"), ir.Arg("w", array=True, intent="inout"),
            *[ir.Arg(f"L{s_}", array=True, intent="inout") for s_ in range(stages)],
            ir.Arg("f", array=True, intent="inout"), ir.Arg("nx", I64), ir.Arg("ny", I64),
            ir.Arg("nsteps", I64), ir.Arg("lx"), ir.Arg("ly"))
    body = (ir.Assign(result, ir.Const(0.0)),
            ir.For(ir.Var("s", I64), zero, nsteps, tuple(step)))
    kernel = ir.Kernel("step", args, body, returns="f64",
                       doc=f"{scheme.name}: {stages} stage buffers, periodic",
                       meta={"model_hash": scheme.hash})
    return ir.Module("euler2d_" + scheme.hash[:12], (kernel,), meta={"model_hash": scheme.hash})


class Euler2DKernel:
    """A compiled 2-D Euler kernel; ``run`` checks the largest dt sum S_d/dx_d met on any stage
    against the proved positivity bound and refuses the result when it was exceeded (unless
    ``unsafe``)."""

    def __init__(self, scheme: SystemScheme, backend: str = "c", cache_dir: Any = None) -> None:
        self.scheme = scheme
        self.module = build_euler2d(scheme)
        self.bound = positivity_bound(scheme)
        self.condition = None if self.bound is None else highres_condition(scheme)  # for export
        self.unsafe = False  # compile(..., unsafe=True) sets it: run then refuses nothing
        self._fn = build_step_function(self.module, backend, cache_dir, "mcgen-euler2d-")

    def run(self, U0: np.ndarray, nsteps: int, dt: float, spacing: tuple[float, float],
            unsafe: bool = False) -> np.ndarray:
        """Advance conserved ``U0`` of shape (4, nx, ny) (the SystemStepper layout)."""
        if U0.ndim != 3 or U0.shape[0] != 4:
            raise ModelError(f"U0 of shape {U0.shape}: need (4, nx, ny)")
        _, nx, ny = U0.shape
        q = np.zeros((4, ny + 2, nx + 2))
        q[:, 1:-1, 1:-1] = np.transpose(U0, (0, 2, 1))
        bufs = [np.zeros_like(q) for _ in range(2 + self.scheme.stepper.stages)]
        rate = self._fn(q.reshape(-1), *[x.reshape(-1) for x in bufs], np.int64(nx),
                        np.int64(ny), np.int64(nsteps), dt / spacing[0], dt / spacing[1])
        if not (unsafe or self.unsafe) and self.bound is not None and \
                rate > self.bound * (1 + 1e-12):
            raise StabilityError(f"the run met dt (S_x/dx + S_y/dy) = {rate:.4g} > "
                                 f"{self.bound} (the proved positivity bound) on some stage; "
                                 "take a smaller dt or pass unsafe=True")
        return np.transpose(q[:, 1:-1, 1:-1], (0, 2, 1)).copy()
