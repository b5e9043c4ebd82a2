"""Loop IR for the Euler and shallow-water schemes (:class:`SystemScheme`) in 1-D and 2-D:
MUSCL (conserved, primitive or characteristic slopes, Zhang-Shu scaling) or first order, HLL,
HLLC or Roe fluxes, any explicit Runge-Kutta stepper with its stage buffers in the IR; one
kernel call advances ``nsteps`` steps of a fixed dt, or (``adaptive``) steps chosen from the
wave speeds of their own data until a final time, as the NumPy ``SystemStepper`` chooses them.

Arrays are flat and component-major, ``(k, n + 2g)`` in 1-D and ``(k, ny + 2g, nx + 2g)`` in 2-D
(x fastest), with ``g`` ghost layers (2 with slopes, 1 without). Each stage fills the ghosts of
its state (periodic, outflow = zero gradient, or reflecting = mirror with the normal momentum
negated: the boundary conditions' own ghost rules, lowered by the stencil kernels' fill through
:func:`~mcgen.codegen.highres_frontend.ghost_fill`), then for each direction stores the limited
slope of every cell the interfaces need (``sl``), the interface fluxes (``f``) and accumulates
``L = -(dt/dx) dF - (dt/dy) dG`` into its stage buffer; the next stage state and the step's end
are the tableau's combinations. The formulas are the straight-line programs of
:mod:`mcgen.codegen.system_programs` (one place for the reference's mathematics), translated by
``sympy_to_ir``; a sweep in y reads the same program with the momentum components swapped.

The fixed-dt kernel returns the largest ``dt sum_d S_d/dx_d`` met on any stage; the wrapper
compares it with the proved positivity bound, so a run that left the proved region is reported,
never returned silently. The adaptive kernel checks every stage itself and redoes a step
smaller when a stage breaks the bound (:func:`build_system`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from mcgen.analysis.highres_safety import highres_condition
from mcgen.analysis.positivity_systems import positivity_bound
from mcgen.codegen import ir
from mcgen.codegen.highres_frontend import build_step_function, ghost_fill
from mcgen.codegen.ir import index_const as _c
from mcgen.codegen.ir import index_product as _mul
from mcgen.codegen.ir import index_sum as _add
from mcgen.codegen.sympy_to_ir import sympy_to_ir
from mcgen.codegen.system_programs import POSITIVITY_EPS, Program, SystemAlgebra
from mcgen.errors import CodegenError, ModelError, StabilityError
from mcgen.model.boundary import Reflecting
from mcgen.model.system_scheme import SystemScheme

__all__ = ["build_system", "SystemKernel", "compile_system", "SYSTEM_BOUNDARIES", "build_euler2d",
           "Euler2DKernel"]

I64 = "i64"
SYSTEM_BOUNDARIES = ("periodic", "outflow", "reflecting")


def _translate(program: Program, env: dict[sp.Basic, ir.Expr]) -> tuple[list[ir.Stmt],
                                                                         Callable[[sp.Expr],
                                                                                  ir.Expr]]:
    """The program's assignments as IR and a translator of expressions over its names."""
    local: dict[sp.Basic, ir.Expr] = {}

    def lookup(a: sp.Basic) -> ir.Expr:
        if a in env:
            return env[a]
        if a in local:
            return local[a]
        raise CodegenError(f"unknown symbol {a} in a system program")

    body: list[ir.Stmt] = []
    for sym, val in program.steps:
        v = ir.Var(sym.name)
        body.append(ir.Assign(v, sympy_to_ir(val, lookup)))
        local[sym] = v
    return body, lambda e: sympy_to_ir(e, lookup)


class _Layout:
    """Index arithmetic of the padded, component-major arrays."""

    def __init__(self, dim: int, g: int) -> None:
        self.dim, self.g = dim, g
        self.n = [ir.Var("nx", I64)] + ([ir.Var("ny", I64)] if dim == 2 else [])
        self.var = [ir.Var("i", I64)] + ([ir.Var("j", I64)] if dim == 2 else [])
        self.W = _add(self.n[0], _c(2 * g))
        self.P = self.W if dim == 1 else _mul(self.W, _add(self.n[1], _c(2 * g)))

    def at(self, comp: int, idx: Sequence[ir.Expr]) -> ir.Expr:
        """Flat index of component ``comp`` at padded cell ``idx`` = (i[, j])."""
        cell = idx[0] if self.dim == 1 else _add(_mul(idx[1], self.W), idx[0])
        return _add(_mul(_c(comp), self.P), cell) if comp else cell

    def shifted(self, axis: int, off: int) -> list[ir.Expr]:
        out: list[ir.Expr] = list(self.var)
        if off:
            out[axis] = _add(out[axis], _c(off)) if off > 0 else \
                ir.BinOp("-", out[axis], _c(-off), I64)
        return out

    def interior(self, axis: int) -> tuple[ir.Expr, ir.Expr]:
        return _c(self.g), _add(self.n[axis], _c(self.g))

    def loops(self, ranges: Sequence[tuple[ir.Expr, ir.Expr]], body: Sequence[ir.Stmt],
              parallel: bool) -> ir.Stmt:
        """Nested loops, x innermost; the outermost one threaded when ``parallel``."""
        stmt: ir.Stmt = ir.For(self.var[0], *ranges[0], tuple(body),
                               parallel=parallel and self.dim == 1)
        if self.dim == 2:
            stmt = ir.For(self.var[1], *ranges[1], (stmt,), parallel=parallel)
        return stmt


def build_system(scheme: SystemScheme, boundary: str = "periodic", parallel: bool = False,
                 eps: float = POSITIVITY_EPS, adaptive: bool = False) -> ir.Module:
    """Kernel ``step(q, w, L0.., sl, f, nx[, ny], nsteps, lx[, ly]) -> max dt sum S_d/dx_d``.

    ``parallel`` threads the cell loops (OpenMP in C, ``prange`` in numba; the LLVM JIT runs
    them serially). The wave speeds are stored per interface in the last plane of ``f`` and
    their maximum reduced serially (so the flux loop vectorises and threads). ``eps`` is the
    floor of the Zhang-Shu scaling (the reference stepper's).

    ``adaptive``: the kernel chooses each step as the NumPy ``SystemStepper.run(cfl=...)``
    does, ``step(q, w, L0.., sl, f, dts, info, nx[, ny], maxsteps, t0, t_end, cfl, limit,
    rdx[, rdy]) -> t``: from time ``t0`` it takes dt = min(cfl / sum_d S_d/dx_d, t_end - t)
    with the speeds of the step's own data (stage 0), redoes the step with
    dt = min(0.9 dt, 0.999 cfl / rate) while some stage's ``dt * rate`` exceeds ``limit`` (at
    most 60 tries), and stops at ``t_end`` (the last step clipped to it) or after ``maxsteps``
    steps, whichever comes first; ``dts`` receives the steps taken, ``info`` = (steps,
    restarts, 1 if no admissible step was found), and it returns the time reached. The stage
    buffers then hold ``-div F`` (``rdx`` = 1/dx) and the combinations carry dt, as in the
    reference."""
    if not isinstance(scheme, SystemScheme):
        raise CodegenError(f"build_system needs a SystemScheme, got {type(scheme).__name__}")
    if boundary not in SYSTEM_BOUNDARIES:
        raise CodegenError(f"boundary={boundary!r}: system kernels take one of "
                           f"{SYSTEM_BOUNDARIES} (the same on every side)")
    if eps != POSITIVITY_EPS:
        raise CodegenError(f"eps={eps}: the kernels use the reference's {POSITIVITY_EPS}")
    alg = SystemAlgebra(scheme)
    dim, k = alg.dim, alg.k
    limited = scheme.limiter is not None
    g = 2 if limited else 1
    lay = _Layout(dim, g)
    A = [[float(v) for v in row] for row in scheme.stepper.A.tolist()]
    b = [float(v) for v in scheme.stepper.b]
    stages = len(b)
    lam = [ir.Var("rdx" if adaptive else "lx")] + \
        ([ir.Var("rdy" if adaptive else "ly")] if dim == 2 else [])

    # the programs, over frame-ordered symbols (normal momentum is component 1)
    UL = sp.symbols(f"qL0:{k}", real=True)
    UR = sp.symbols(f"qR0:{k}", real=True)
    flux_prog = Program()
    flux_out, speed = alg.interface_flux(flux_prog, UL, UR)
    Um, Uc, Up = (sp.symbols(f"q{t}0:{k}", real=True) for t in "mcp")
    slope_prog = Program()
    slope_out = alg.slope(slope_prog, Um, Uc, Up) if limited else []

    def frame(axis: int) -> list[int]:
        """Storage component of each frame component for a sweep along ``axis``."""
        order = list(range(k))
        if axis == 1:
            order[1], order[2] = 2, 1
        return order

    # the ghost fill: the boundary conditions' own rules (mcgen.model.boundary), axes in storage
    # order (y, x); a wall negates the momentum normal to it
    names = [f.name for f in scheme.law.fields]
    walls = [Reflecting(odd=(names[1 + axis],)) for axis in range(dim)]
    spec = [walls[a] if boundary == "reflecting" else boundary for a in reversed(range(dim))]
    setup = [ir.Assign(ir.Var("plane", I64), lay.P)] + \
        ([ir.Assign(ir.Var("row", I64), lay.W)] if dim == 2 else [])

    def fill(arr: str) -> list[ir.Stmt]:
        return list(ghost_fill(arr, spec, tuple(v.name for v in lay.n[::-1]), g,
                               ("row",) if dim == 2 else (), tuple(names), "plane"))

    def slope_loop(src: str, axis: int) -> ir.Stmt:
        order = frame(axis)
        env: dict[sp.Basic, ir.Expr] = {}
        for syms, off in ((Um, -1), (Uc, 0), (Up, 1)):
            cell = lay.shifted(axis, off)
            env.update({s: ir.Load(src, lay.at(order[c], cell)) for c, s in enumerate(syms)})
        body, tr = _translate(slope_prog, env)
        here = list(lay.var)
        body += [ir.Store("sl", lay.at(order[c], here), tr(e)) for c, e in enumerate(slope_out)]
        ranges = [lay.interior(a) for a in range(dim)]
        ranges[axis] = (_c(g - 1), _add(lay.n[axis], _c(g + 1)))
        return lay.loops(ranges, body, parallel)

    def flux_loop(src: str, axis: int) -> list[ir.Stmt]:
        order = frame(axis)
        left, right = lay.shifted(axis, -1), list(lay.var)
        env: dict[sp.Basic, ir.Expr] = {}
        half = ir.Const(0.5)
        for c in range(k):
            a: ir.Expr = ir.Load(src, lay.at(order[c], left))
            b_: ir.Expr = ir.Load(src, lay.at(order[c], right))
            if limited:  # plus = C + slope/2 of the left cell, minus = C - slope/2 of the right
                a = ir.BinOp("+", a, ir.BinOp("*", half, ir.Load("sl", lay.at(order[c], left))))
                b_ = ir.BinOp("-", b_, ir.BinOp("*", half,
                                                ir.Load("sl", lay.at(order[c], right))))
            env[UL[c]], env[UR[c]] = a, b_
        # the interface states are named once (each is read by several formulas)
        states = [ir.Assign(ir.Var(f"qs{s.name[1]}{c}"), env[s])
                  for c in range(k) for s in (UL[c], UR[c])]
        named: dict[sp.Basic, ir.Expr] = {s: ir.Var(f"qs{s.name[1]}{c}")
                                          for c in range(k) for s in (UL[c], UR[c])}
        body, tr = _translate(flux_prog, named)
        body = [*states, *body]
        body += [ir.Store("f", lay.at(order[c], right), tr(e)) for c, e in enumerate(flux_out)]
        # the wave speed of each interface goes to the extra plane of f and is reduced in a
        # serial loop of its own: a running maximum in the flux loop is a reduction compilers
        # may not reorder (a > b ? a : b is not associative with NaN and -0), so it kept the
        # whole flux loop scalar; stored, the loop vectorises, threads, and the reduction sees
        # the speeds in the same order on every backend and thread count
        body.append(ir.Store("f", lay.at(k, right), tr(speed)))
        ranges = [lay.interior(a) for a in range(dim)]
        ranges[axis] = (_c(g), _add(lay.n[axis], _c(g + 1)))
        smax = ir.Var("smax")
        red = ir.Assign(smax, ir.BinOp("max", smax, ir.Load("f", lay.at(k, right))))
        loop: ir.Stmt = ir.For(lay.var[0], *ranges[0], (red,))
        if dim == 2:
            loop = ir.For(lay.var[1], *ranges[1], (loop,))
        return [ir.Assign(smax, ir.Const(0.0)), lay.loops(ranges, body, parallel), loop]

    def accumulate(dst: str, axis: int, first: bool) -> ir.Stmt:
        body: list[ir.Stmt] = []
        for comp in range(k):
            here = list(lay.var)
            hi = lay.at(comp, lay.shifted(axis, 1))
            d = ir.BinOp("-", ir.Load("f", hi), ir.Load("f", lay.at(comp, here)))
            val: ir.Expr = ir.BinOp("*", ir.UnOp("neg", lam[axis]), d)
            if not first:
                val = ir.BinOp("+", ir.Load(dst, lay.at(comp, here)), val)
            body.append(ir.Store(dst, lay.at(comp, here), val))
        return lay.loops([lay.interior(a) for a in range(dim)], body, parallel)

    def combine(dst: str, coeffs: list[float], dt: ir.Expr | None = None) -> ir.Stmt:
        """dst = q + sum_s a_s L_s (``dt``: q + sum_s (dt a_s) L_s, the reference's order)."""
        body: list[ir.Stmt] = []
        here = list(lay.var)
        for comp in range(k):
            val: ir.Expr = ir.Load("q", lay.at(comp, here))
            for s_, a in enumerate(coeffs):
                if a:
                    c: ir.Expr = ir.Const(a) if dt is None else \
                        ir.BinOp("*", dt, ir.Const(a))
                    val = ir.BinOp("+", val, ir.BinOp("*", c,
                                                      ir.Load(f"L{s_}", lay.at(comp, here))))
            body.append(ir.Store(dst, lay.at(comp, here), val))
        return lay.loops([lay.interior(a) for a in range(dim)], body, parallel)

    def stage(s_: int, dt: ir.Expr | None = None) -> tuple[list[ir.Stmt], ir.Expr]:
        """Stage ``s_``'s statements and its sum_d S_d lam_d."""
        out: list[ir.Stmt] = []
        src = "q" if s_ == 0 else "w"
        if s_:
            out.append(combine("w", A[s_][:s_], dt))
        out += fill(src)
        rate: ir.Expr | None = None
        for axis in range(dim):
            if limited:
                out.append(slope_loop(src, axis))
            out += flux_loop(src, axis)
            out.append(accumulate(f"L{s_}", axis, axis == 0))
            term: ir.Expr = ir.BinOp("*", ir.Var("smax"), lam[axis])
            if dim == 2:
                sx = ir.Var(f"rate{axis}")
                out.append(ir.Assign(sx, term))
                term = sx
            rate = term if rate is None else ir.BinOp("+", rate, term)
        assert rate is not None
        return out, rate

    result = ir.Var("result")
    step: list[ir.Stmt] = []
    if adaptive:
        step = _adaptive_step(stage, lambda dt: combine("q", b, dt), stages)
    else:
        for s_ in range(stages):
            stmts, rate = stage(s_)
            step += [*stmts, ir.Assign(result, ir.BinOp("max", result, rate))]
        step.append(combine("q", b))
    ints = [ir.Arg(v.name, I64) for v in lay.n]
    size = _mul(_c(k), lay.P)
    arr = [ir.Arg("q", array=True, intent="inout", length=size),
           ir.Arg("w", array=True, intent="inout", length=size),
           *[ir.Arg(f"L{s_}", array=True, intent="inout", length=size)
             for s_ in range(stages)],
           ir.Arg("sl", array=True, intent="inout", length=size),
           ir.Arg("f", array=True, intent="inout", length=_mul(_c(k + 1), lay.P))]
    requires = tuple(ir.Cmp(">=", v, _c(g)) for v in lay.n)
    if adaptive:
        maxsteps = ir.Var("maxsteps", I64)
        arr += [ir.Arg("dts", intent="out", array=True, length=maxsteps),
                ir.Arg("info", intent="out", array=True, length=_c(3))]
        args = (*arr, *ints, ir.Arg("maxsteps", I64),
                *[ir.Arg(v) for v in ("t0", "t_end", "cfl", "limit")],
                *[ir.Arg(v.name) for v in lam])
        body = (*setup, *_adaptive_loop(tuple(step)))
        requires += (ir.Cmp(">=", maxsteps, _c(1)),)
        how = "dt chosen per step from its own wave speeds"
    else:
        args = (*arr, *ints, ir.Arg("nsteps", I64), *[ir.Arg(v.name) for v in lam])
        body = (*setup, ir.Assign(result, ir.Const(0.0)),
                ir.For(ir.Var("s", I64), _c(0), ir.Var("nsteps", I64), tuple(step)))
        how = ""
    kernel = ir.Kernel("step", args, body, returns="f64",
                       doc=f"{scheme.name}: {stages} stage buffers, {boundary}, ghost width {g}"
                           + (f", {how}" if how else ""),
                       meta={"model_hash": scheme.hash}, requires=requires)
    tag = {"periodic": "p", "outflow": "o", "reflecting": "r"}[boundary]
    name = f"system{dim}d_{scheme.hash[:12]}_{tag}" + ("_par" if parallel else "") + \
        ("_a" if adaptive else "")
    # the condition run() enforces, for generated headers and exports (was "none")
    condition = ("none: no proved positivity bound (runs only with unsafe=True)"
                 if positivity_bound(scheme) is None else
                 " ".join(highres_condition(scheme).describe().split()))
    return ir.Module(name, (kernel,), meta={"model_hash": scheme.hash, "boundary": boundary,
                                            "condition": condition})


#: NumPy's SystemStepper.run: ``while t < t_end * (1 - 1e-14)``, at most 60 tries per step
_T_SLACK, _TRIES = 1 - 1e-14, 60


def _adaptive_step(stage: Callable[[int, ir.Expr | None], tuple[list[ir.Stmt], ir.Expr]],
                   finish: Callable[[ir.Expr], ir.Stmt], stages: int) -> list[ir.Stmt]:
    """One adaptive step at time ``t`` (SystemStepper.run with ``cfl``): stage 0 gives L0 and
    the rate of the data, dt = min(cfl / rate, t_end - t); the later stages run while every
    stage's ``dt * rate <= limit``, and a breaking stage restarts them with
    dt = min(0.9 dt, 0.999 cfl / its rate) (L0 is kept: it does not depend on dt); then
    q += sum_s (dt b_s) L_s, t += dt, dts[nst] = dt."""
    h, t, ok, bad = ir.Var("h"), ir.Var("t"), ir.Var("ok", I64), ir.Var("bad")
    cfl, limit = ir.Var("cfl"), ir.Var("limit")
    nst, restarts = ir.Var("nst", I64), ir.Var("restarts", I64)
    one, zero = _c(1), _c(0)

    def check(rate: ir.Expr) -> ir.Stmt:
        """A stage whose speeds break the bound: not ok, remember its rate."""
        return ir.If(ir.Cmp(">", ir.BinOp("*", h, rate), limit),
                     (ir.Assign(ok, zero), ir.Assign(bad, rate)))

    first, rate = stage(0, None)
    r0 = ir.Var("rate_s0")  # not rate0: a 2-D stage names its x rate so
    out = [*first, ir.Assign(r0, rate),
           ir.Assign(h, ir.BinOp("min", ir.BinOp("/", cfl, r0),
                                 ir.BinOp("-", ir.Var("t_end"), t))),
           ir.Assign(ok, zero)]
    attempt: list[ir.Stmt] = [ir.Assign(ok, one), check(r0)]
    for s_ in range(1, stages):
        stmts, rate = stage(s_, h)
        r = ir.Var(f"rate_s{s_}")
        attempt.append(ir.If(ir.Cmp("==", ok, one), (*stmts, ir.Assign(r, rate), check(r))))
    attempt.append(ir.If(ir.Cmp("==", ok, zero), (
        ir.Assign(h, ir.BinOp("min", ir.BinOp("*", ir.Const(0.9), h),
                              ir.BinOp("/", ir.BinOp("*", ir.Const(0.999), cfl), bad))),
        ir.Assign(restarts, ir.BinOp("+", restarts, one, I64)))))
    out.append(ir.For(ir.Var("attempt", I64), zero, _c(_TRIES),
                      (ir.If(ir.Cmp("==", ok, zero), tuple(attempt)),)))
    out.append(ir.If(ir.Cmp("==", ok, one), (
        finish(h), ir.Assign(t, ir.BinOp("+", t, h)), ir.Store("dts", nst, h),
        ir.Assign(nst, ir.BinOp("+", nst, one, I64))),
        (ir.Assign(ir.Var("failed", I64), one),)))
    return out


def _adaptive_loop(step: tuple[ir.Stmt, ...]) -> list[ir.Stmt]:
    """At most ``maxsteps`` adaptive steps while t < t_end (1 - 1e-14) and a step was found;
    info = (steps, restarts, failed); returns t."""
    t, nst, restarts, failed = (ir.Var("t"), ir.Var("nst", I64), ir.Var("restarts", I64),
                                ir.Var("failed", I64))
    tstop = ir.Var("tstop")
    going = ir.If(ir.Cmp("==", failed, _c(0)), (ir.If(ir.Cmp("<", t, tstop), step),))
    return [ir.Assign(t, ir.Var("t0")), ir.Assign(tstop, ir.BinOp("*", ir.Var("t_end"),
                                                                   ir.Const(_T_SLACK))),
            ir.Assign(nst, _c(0)), ir.Assign(restarts, _c(0)), ir.Assign(failed, _c(0)),
            ir.For(ir.Var("s", I64), _c(0), ir.Var("maxsteps", I64), (going,)),
            ir.Store("info", _c(0), ir.Cast(nst, "f64")),
            ir.Store("info", _c(1), ir.Cast(restarts, "f64")),
            ir.Store("info", _c(2), ir.Cast(failed, "f64")),
            ir.Assign(ir.Var("result"), t)]


class SystemKernel:
    """A compiled Euler / shallow-water kernel (``numba``, ``c`` or ``llvm``).

    ``run`` compares the largest ``dt sum_d S_d/dx_d`` met on any stage with the proved
    positivity bound and refuses the result when it was exceeded (unless ``unsafe``); a scheme
    with no proved bound (Roe) runs only with ``unsafe=True``; an inadmissible result (negative
    density, pressure or depth, or NaN) is always reported.

    ``adaptive=True`` builds the kernel that chooses each step itself
    (:func:`build_system`), run by :meth:`run_adaptive`: the dt sequence of the NumPy
    ``SystemStepper.run(cfl=...)``, restarts included."""

    def __init__(self, scheme: SystemScheme, backend: str = "c", cache_dir: Any = None,
                 boundary: str = "periodic", parallel: bool = False,
                 adaptive: bool = False) -> None:
        self.scheme = scheme
        self.boundary = boundary
        self.adaptive = adaptive
        self.module = build_system(scheme, boundary, parallel, adaptive=adaptive)
        self.ghost = 2 if scheme.limiter is not None else 1
        self.parallel = parallel
        self.bound = positivity_bound(scheme)
        self.condition = None if self.bound is None else highres_condition(scheme)  # for export
        self.boundary_text = f"{boundary} on every side (ghost width {self.ghost})"
        self.unsafe = False  # compile(..., unsafe=True) sets it: run then refuses nothing
        self.last_rate = 0.0  # the largest dt sum_d S_d/dx_d of the last run's stages
        self.last_dts: np.ndarray = np.zeros(0)  # the steps run_adaptive took, in order
        self.stats = {"steps": 0, "restarts": 0}  # adaptive steps and restarts, all runs
        self._scratch: tuple[np.ndarray, list[np.ndarray], np.ndarray] | None = None
        self._fn = build_step_function(self.module, backend, cache_dir, "mcgen-system-")
        self.backend = backend

    def argument_meanings(self) -> dict[str, str]:
        """What each argument of ``step`` holds (the exported header and README print it)."""
        k, g, dim = len(self.scheme.law.fields), self.ghost, self.scheme.dim
        names = ", ".join(f.name for f in self.scheme.law.fields)
        shape = f"[{k}][nx + {2 * g}]" if dim == 1 else f"[{k}][ny + {2 * g}][nx + {2 * g}]"
        out = {"q": f"conserved cell averages ({names}) {shape}, x fastest, {g} ghost "
                    "layer(s) per side (filled by the kernel); advanced in place",
               "w": "stage state (scratch, same shape as q)"}
        out |= {f"L{i}": f"stage {i} operator -dt div F (scratch)"
                for i in range(self.scheme.stepper.stages)}
        out["sl"] = "limited slopes (scratch, same shape as q)"
        out["f"] = "interface fluxes and, in one extra plane, wave speeds (scratch)"
        out["nx"] = "interior cells along x"
        if dim == 2:
            out["ny"] = "interior cells along y"
        if self.adaptive:
            out["dts"] = "the steps taken, in order (at least maxsteps values)"
            out["info"] = ("3 values: steps taken, restarts, 1 if no admissible step was found "
                           "in 60 tries")
            out["maxsteps"] = "the most steps to take in this call"
            out["t0"] = "the time of q"
            out["t_end"] = "the time to reach (the last step is clipped to it)"
            out["cfl"] = "dt = min(cfl / sum_d S_d/dx_d, t_end - t), S_d of the step's data"
            out["limit"] = ("a stage with dt sum_d S_d/dx_d > limit restarts the step smaller "
                            "(the proved bound times 1 + 1e-12; inf: unchecked)")
            out["rdx"] = "1/dx"
            if dim == 2:
                out["rdy"] = "1/dy"
            out["returns"] = "the time reached (t_end unless maxsteps ran out or info[2] = 1)"
            out |= {f"L{i}": f"stage {i} operator -div F (scratch)"
                    for i in range(self.scheme.stepper.stages)}
            return out
        out["nsteps"] = "time steps to take"
        out["lx"] = "dt/dx"
        if dim == 2:
            out["ly"] = "dt/dy"
        out["returns"] = "the largest dt sum_d S_d/dx_d met on any stage (compare with the bound)"
        return out

    def run(self, U0: np.ndarray, nsteps: int, dt: float, spacing: Sequence[float],
            unsafe: bool = False) -> np.ndarray:
        """Advance conserved ``U0`` of shape (k, nx) or (k, nx, ny) (the SystemStepper
        layout) by ``nsteps`` steps of ``dt``; ``spacing`` = (dx[, dy])."""
        if self.adaptive:
            raise CodegenError(f"{self.scheme.name}: this kernel chooses dt itself: call "
                               "run_adaptive(U0, t_end, cfl, spacing), or build "
                               "SystemKernel(..., adaptive=False) for a fixed dt")
        unsafe = unsafe or self.unsafe
        q, bufs, f, sizes = self._load(U0, spacing, unsafe)
        lams = [float(dt) / float(h) for h in spacing]
        rate = self._fn(q.reshape(-1), *[x.reshape(-1) for x in bufs], f.reshape(-1), *sizes,
                        np.int64(nsteps), *lams)
        self.last_rate = float(rate)
        if not unsafe and self.bound is not None and rate > self.bound * (1 + 1e-12):
            raise StabilityError(f"the run met dt sum_d S_d/dx_d = {rate:.4g} > {self.bound} "
                                 "(the proved positivity bound) on some stage; take a smaller "
                                 "dt or pass unsafe=True")
        return self._result(q)

    def run_adaptive(self, U0: np.ndarray, t_end: float, cfl: float | None,
                     spacing: Sequence[float], unsafe: bool = False,
                     steps_per_call: int = 256) -> np.ndarray:
        """Advance conserved ``U0`` (layout as :meth:`run`) from t = 0 to ``t_end`` as
        ``SystemStepper.run(U0, t_end, cfl=cfl, unsafe=unsafe)`` does: each step takes
        dt = ``cfl`` / sum_d S_d/dx_d of its own data (``cfl`` defaults to the proved bound; a
        larger one is refused unless ``unsafe``), clipped to reach ``t_end`` exactly, and
        restarts smaller while a later stage's speeds break the bound. The kernel takes at
        most ``steps_per_call`` steps per call; ``last_dts`` holds the steps taken."""
        if not self.adaptive:
            raise CodegenError(f"{self.scheme.name}: this kernel runs a fixed dt (run); build "
                               "SystemKernel(..., adaptive=True) to choose dt per step")
        unsafe = unsafe or self.unsafe
        if self.bound is None and not unsafe:
            raise StabilityError(f"{self.scheme.name}: no positivity-preserving bound is proved "
                                 "(Roe's linearisation can give negative density or pressure); "
                                 "pass cfl= and unsafe=True")
        if cfl is None:  # the reference's default
            cfl = self.bound if self.bound is not None else 0.5
        elif self.bound is not None and cfl > self.bound * (1 + 1e-12) and not unsafe:
            raise StabilityError(f"cfl = {cfl} breaks the proved positivity bound "
                                 f"{self.bound}; pass unsafe=True to run it anyway")
        limit = math.inf if unsafe or self.bound is None else self.bound * (1 + 1e-12)
        q, bufs, f, sizes = self._load(U0, spacing, unsafe)
        steps = max(1, int(steps_per_call))
        dts, info = np.zeros(steps), np.zeros(3)
        rd = [1.0 / float(h) for h in spacing]
        taken: list[np.ndarray] = []
        t = 0.0
        while t < t_end * (1 - 1e-14):
            t = float(self._fn(q.reshape(-1), *[x.reshape(-1) for x in bufs], f.reshape(-1),
                               dts, info, *sizes, np.int64(steps), t, float(t_end),
                               float(cfl), limit, *rd))
            n = int(info[0])
            taken.append(dts[:n].copy())
            self.stats["steps"] += n
            self.stats["restarts"] += int(info[1])
            if info[2]:
                raise StabilityError(f"{self.scheme.name}: no admissible step found at "
                                     f"t = {t:.6g} in 60 tries")
            if n == 0 or not math.isfinite(t):
                break  # no progress (NaN speeds): the admissibility check names it
        self.last_dts = np.concatenate(taken) if taken else np.zeros(0)
        return self._result(q)

    def _load(self, U0: np.ndarray, spacing: Sequence[float], unsafe: bool
              ) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, tuple[np.int64, ...]]:
        """The zeroed buffers with ``U0`` in the interior of ``q``, and the cell counts."""
        s, g = self.scheme, self.ghost
        k, dim = len(s.law.fields), s.dim
        U0 = np.asarray(U0, dtype=float)
        if U0.ndim != dim + 1 or U0.shape[0] != k or len(spacing) != dim:
            raise ModelError(f"U0 of shape {U0.shape} with spacing {tuple(spacing)}: need "
                             f"({k}, {'nx' if dim == 1 else 'nx, ny'}) and {dim} spacing(s)")
        if min(U0.shape[1:]) < g:
            raise ModelError(f"need at least {g} cells per axis, got {U0.shape[1:]}")
        if self.bound is None and not unsafe:
            raise StabilityError(f"{s.name}: no positivity-preserving bound is proved (Roe's "
                                 "linearisation can give negative density or pressure); "
                                 "pass unsafe=True")
        shape = (k, U0.shape[1] + 2 * g) if dim == 1 else \
            (k, U0.shape[2] + 2 * g, U0.shape[1] + 2 * g)
        q, bufs, f = self._buffers(shape, s.stepper.stages)
        if dim == 1:
            q[:, g:-g] = U0
            sizes: tuple[np.int64, ...] = (np.int64(U0.shape[1]),)
        else:
            _, nx, ny = U0.shape
            q[:, g:-g, g:-g] = np.transpose(U0, (0, 2, 1))
            sizes = (np.int64(nx), np.int64(ny))
        return q, bufs, f, sizes

    def _result(self, q: np.ndarray) -> np.ndarray:
        """The interior of ``q`` in the SystemStepper layout, checked admissible."""
        g = self.ghost
        out = q[:, g:-g] if self.scheme.dim == 1 else np.transpose(q[:, g:-g, g:-g], (0, 2, 1))
        self._check_admissible(out)
        return out.copy()

    def _buffers(self, shape: tuple[int, ...], stages: int
                 ) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
        """The state, stage and flux arrays of a run on ``shape``, zeroed; kept between runs
        of one shape (fresh arrays cost a page fault per 4 KiB on first touch: 14 % of a
        100 000-cell 1-D Euler run of 10 steps), so one kernel object serves one thread."""
        if self._scratch is None or self._scratch[0].shape != shape:
            q = np.zeros(shape)
            self._scratch = (q, [np.zeros_like(q) for _ in range(2 + stages)],
                             np.zeros((shape[0] + 1, *shape[1:])))
        else:
            for a in (self._scratch[0], *self._scratch[1], self._scratch[2]):
                a.fill(0.0)
        return self._scratch

    def _check_admissible(self, U: np.ndarray) -> None:
        bad = ~np.isfinite(U).all(axis=0) | (U[0] <= 0)
        if self.scheme.system == "euler":
            kin = 0.5 * sum(U[i] ** 2 for i in range(1, 1 + self.scheme.dim)) / U[0]
            bad |= U[-1] - kin <= 0
        if bad.any():
            raise StabilityError(f"{self.scheme.name}: the run produced an inadmissible state "
                                 f"(negative density/pressure/depth or NaN) in "
                                 f"{int(bad.sum())} cell(s)")


def compile_system(scheme: SystemScheme, backend: str = "numba", bc: Any = "periodic",
                   dtype: str = "f64", threads: int = 1) -> SystemKernel:
    """``mcgen.codegen.compile`` for a SystemScheme: ``bc`` one of :data:`SYSTEM_BOUNDARIES`
    (the same on every side), float64; ``threads > 1`` threads the cell loops."""
    if dtype != "f64":
        raise CodegenError(f"{scheme.name}: system kernels are float64 (dtype='f64')")
    if not isinstance(bc, str) or bc not in SYSTEM_BOUNDARIES:
        raise CodegenError(f"{scheme.name}: bc={bc!r}: system kernels take one of "
                           f"{SYSTEM_BOUNDARIES} (the same on every side)")
    return SystemKernel(scheme, backend, boundary=bc, parallel=threads > 1)


def build_euler2d(scheme: SystemScheme) -> ir.Module:
    """The periodic kernel of a 2-D scheme (kept for callers of the first 2-D Euler kernel)."""
    if scheme.dim != 2:
        raise CodegenError(f"{scheme.name} is {scheme.dim}-D: use build_system")
    return build_system(scheme, "periodic")


Euler2DKernel = SystemKernel  # the first 2-D Euler kernel's name; any system scheme now
