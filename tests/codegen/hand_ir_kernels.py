"""IR kernels built by hand for the backend, export and cache tests (independent of the stencil
front-end, so these tests pin the backends alone)."""

from __future__ import annotations

from mcgen.codegen import ir

F = "f64"
I = "i64"


def c(v: float | int, t: str = F) -> ir.Const:
    return ir.Const(v, t)


def add(a, b, t=F):
    return ir.BinOp("+", a, b, t)


def sub(a, b, t=F):
    return ir.BinOp("-", a, b, t)


def mul(a, b, t=F):
    return ir.BinOp("*", a, b, t)


def upwind_module(name: str = "upwind") -> ir.Module:
    """Periodic first-order upwind ``u_j <- u_j - nu (u_j - u_{j-1})`` for ``nsteps`` steps on
    ``n`` cells stored in ``u[1..n]`` with one ghost cell on each side. Two buffers, swapped
    every step; after an odd number of steps the result is copied back into ``u``."""
    n, s, i = ir.Var("n", I), ir.Var("s", I), ir.Var("i", I)
    nu = ir.Var("nu", F)
    ui = ir.Load("u", i)
    step = (
        ir.Comment("ghost fill: periodic"),
        ir.Store("u", c(0, I), ir.Load("u", n)),
        ir.Store("u", add(n, c(1, I), I), ir.Load("u", c(1, I))),
        ir.For(i, c(1, I), add(n, c(1, I), I), (
            ir.Store("v", i, sub(ui, mul(nu, sub(ui, ir.Load("u", sub(i, c(1, I), I)))))),
        )),
        ir.SwapArrays("u", "v"),
    )
    copy_back = ir.If(ir.Cmp("==", ir.BinOp("%", ir.Var("nsteps", I), c(2, I), I), c(1, I)), (
        ir.For(i, c(0, I), add(n, c(2, I), I), (ir.Store("v", i, ir.Load("u", i)),)),
    ))
    kernel = ir.Kernel(
        "upwind_steps",
        (ir.Arg("u", F, True, "inout"), ir.Arg("v", F, True, "inout"), ir.Arg("n", I),
         ir.Arg("nsteps", I), ir.Arg("nu", F)),
        (ir.For(s, c(0, I), ir.Var("nsteps", I), step), copy_back),
        doc="periodic upwind, nsteps steps",
    )
    return ir.Module(name, (kernel,))


def upwind_reference(u0, nu: float, nsteps: int):
    import numpy as np

    u = u0.copy()
    for _ in range(nsteps):
        u = u - nu * (u - np.roll(u, 1))
    return u


def reduction_module() -> ir.Module:
    """``result = sum_i x_i * y_i`` and ``sum_i |x_i|`` (a returned scalar)."""
    i = ir.Var("i", I)
    acc = ir.Var("result", F)
    dot = ir.Kernel(
        "dot", (ir.Arg("x", F, True), ir.Arg("y", F, True), ir.Arg("n", I)),
        (ir.Assign(acc, c(0.0)),
         ir.For(i, c(0, I), ir.Var("n", I), (
             ir.Assign(acc, add(acc, mul(ir.Load("x", i), ir.Load("y", i)))),))),
        returns=F)
    l1 = ir.Kernel(
        "l1", (ir.Arg("x", F, True), ir.Arg("n", I)),
        (ir.Assign(acc, c(0.0)),
         ir.For(i, c(0, I), ir.Var("n", I), (
             ir.Assign(acc, add(acc, ir.UnOp("abs", ir.Load("x", i)))),))),
        returns=F)
    return ir.Module("reductions", (dot, l1))


def select_module() -> ir.Module:
    """``out_i = x_i > 0 ? min(x_i, cap) : max(x_i, -cap)`` and an integer clamp counter:
    ``count = #{i : x_i > cap}`` (i64 arithmetic, Cast of a bool)."""
    i = ir.Var("i", I)
    x = ir.Load("x", i)
    cap = ir.Var("cap", F)
    count = ir.Var("result", I)
    clip = ir.Kernel(
        "clip", (ir.Arg("x", F, True), ir.Arg("out", F, True, "out"), ir.Arg("n", I),
                 ir.Arg("cap", F)),
        (ir.For(i, c(0, I), ir.Var("n", I), (
            ir.Store("out", i, ir.Select(ir.Cmp(">", x, c(0.0)),
                                         ir.BinOp("min", x, cap),
                                         ir.BinOp("max", x, ir.UnOp("neg", cap)))),)),))
    over = ir.Kernel(
        "count_over", (ir.Arg("x", F, True), ir.Arg("n", I), ir.Arg("cap", F)),
        (ir.Assign(count, c(0, I)),
         ir.For(i, c(0, I), ir.Var("n", I), (
             ir.Assign(count, add(count, ir.Cast(ir.Cmp(">", x, cap), I), I)),))),
        returns=I)
    return ir.Module("selects", (clip, over))
