"""Loop IR for scalar high-resolution schemes in 2-D and 3-D, dimension by dimension, with the
Runge-Kutta stage buffers in the IR (one kernel, ``nsteps`` steps per call; periodic, outflow or
Dirichlet (inflow) sides: the ghost fill of :func:`mcgen.codegen.highres_frontend.ghost_fill`).

A scheme is given by one 1-D :class:`HighResScheme` per axis (flux-limited, MUSCL or WENO5,
each with its flux f_d, limiter and data range; one Runge-Kutta stepper for all):
du/dt = -sum_d (F^d_{+1/2} - F^d_{-1/2}) / dx_d. The space operator of each axis is the same
SymPy expression the 1-D kernel and reference use
(:func:`mcgen.codegen.highres_frontend._operator_expr`), read along that axis's stride. A WENO5
axis d computes its face fluxes once per stage in a face pass into scratch ``f<d>`` (and, for a
nonlinear flux, the split fluxes in a split pass into ``fp``, ``fm``, one pass for all axes
that split alike), the passes of the 1-D kernels (:mod:`mcgen.codegen.highres_programs`).

Without a WENO5 axis the wrapper enforces sum_d lam_d / c_d <= 1, c_d the proved 1-D TVD bound
of axis d on lam = dt/dx: the maximum-principle condition of the checked derivation
:func:`mcgen.analysis.highres_nd.dimensional_condition` (through
:func:`mcgen.analysis.highres_safety.highres_condition`, the safety policy's answer). It is not
TVD (in 2-D a TVD scheme is at most first order: Goodman and LeVeque 1985).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mcgen.analysis.highres_nd import axis_ratios
from mcgen.analysis.highres_safety import highres_condition
from mcgen.codegen import ir
from mcgen.codegen.highres_frontend import (
    _operator_expr,
    boundary_text,
    build_step_function,
    ghost_fill,
    scalar_boundary,
    shu_osher_chain,
)
from mcgen.codegen.highres_programs import (
    face_difference,
    face_pass,
    face_programs,
    operator_program,
    program_ir,
    split_pass,
)
from mcgen.codegen.ir import index_const as _c
from mcgen.codegen.ir import index_product as _mul
from mcgen.codegen.ir import index_sum as _add
from mcgen.errors import CodegenError, ModelError, StabilityError
from mcgen.model.highres_boundary import boundary_tag, boundary_words, inflow_values
from mcgen.model.highres_nd_scheme import HighResNDScheme
from mcgen.model.highres_scheme import HighResScheme
from mcgen.model.read import Read
from mcgen.model.runge_kutta import two_register_form
from mcgen.model.symbols import lam as LAM

__all__ = ["build_highres_nd", "HighResNDKernel"]

I64 = "i64"


def _check_axes(axes: Sequence[HighResScheme]) -> None:
    if not 2 <= len(axes) <= 3:
        raise CodegenError(f"{len(axes)} axis schemes: give 2 (2-D) or 3 (3-D); 1-D schemes "
                           "use mcgen.codegen.highres_frontend.HighResKernel")
    for s in axes:
        if not isinstance(s, HighResScheme):
            raise CodegenError(f"an axis scheme is a 1-D HighResScheme, not {type(s).__name__}")
    if len({(str(s.stepper.A), str(s.stepper.b)) for s in axes}) != 1:
        raise CodegenError("the axis schemes must share one Runge-Kutta stepper")


def build_highres_nd(axes: Sequence[HighResScheme], parallel: bool = False,
                     boundary: Any = "periodic") -> ir.Module:
    """Kernel ``step(u, <scratch>, n0, n1[, n2], nsteps, lam0, lam1[, lam2])``: ``u`` flat
    ``(n2 + 2g, n1 + 2g, n0 + 2g)`` (axis 0 fastest), ``lam_d`` = dt/dx_d; ``boundary``
    periodic, outflow or Dirichlet (inflow) sides, per axis (:func:`scalar_boundary`). A
    stepper that is a two-register Shu-Osher chain (SSPRK(2,2), SSPRK(3,3):
    :func:`~mcgen.model.runge_kutta.two_register_form`) takes one fused pass per stage and
    scratch ``w0`` (``w1`` from three stages); any other stores its stage derivatives
    (scratch ``w, L0, .., L{s-1}``)."""
    _check_axes(axes)
    dim = len(axes)
    spec = scalar_boundary(boundary, dim)
    ops = [_operator_expr(s) for s in axes]
    g = max(r for _, r in ops)
    A = [[float(v) for v in row] for row in axes[0].stepper.A.tolist()]
    b = [float(v) for v in axes[0].stepper.b]
    stages = len(b)
    n = [ir.Var(f"n{d}", I64) for d in range(dim)]
    lam = [ir.Var(f"lam{d}") for d in range(dim)]
    idx = [ir.Var(v, I64) for v in ("i", "j", "k")[:dim]]
    width = [_add(v, _c(2 * g)) for v in n]
    stride: list[ir.Expr] = [_c(1)]
    for d in range(1, dim):
        stride.append(_mul(stride[-1], width[d - 1]))

    def at(pos: Sequence[ir.Expr]) -> ir.Expr:
        return _add(*[p if d == 0 else _mul(p, stride[d]) for d, p in enumerate(pos)])

    def loops(ranges: Sequence[tuple[ir.Expr, ir.Expr]], body: Sequence[ir.Stmt],
              par: bool) -> ir.Stmt:
        stmt: ir.Stmt = ir.For(idx[0], *ranges[0], tuple(body))
        for d in range(1, dim):
            stmt = ir.For(idx[d], *ranges[d], (stmt,), parallel=par and d == dim - 1)
        return stmt

    interior = [(_c(g), _add(v, _c(g))) for v in n]

    # the ghost fill reads the strides by name (storage order: the last axis is the slowest)
    stride_names = tuple(f"st{d}" for d in range(dim - 1, 0, -1))
    setup = [ir.Assign(ir.Var(f"st{d}", I64), stride[d]) for d in range(1, dim)]

    def fill(arr: str) -> list[ir.Stmt]:
        return list(ghost_fill(arr, spec[::-1], tuple(v.name for v in n[::-1]), g,
                               stride_names))

    # WENO5 axes: face passes into scratch f<d> and, for a nonlinear flux, split passes into
    # fp, fm (:mod:`mcgen.codegen.highres_programs`, as the 1-D kernels); the other axes
    # compute their cell expression
    faces = [face_programs(s, f"a{d}_") for d, s in enumerate(axes)]
    progs = [operator_program(expr, f"t{d}_") if faces[d] is None else None
             for d, (expr, _) in enumerate(ops)]
    weno = {d: f for d, f in enumerate(faces) if f is not None}
    weno_axes = sorted(weno)
    split_axes = [d for d in weno_axes if weno[d].split is not None]
    # one split pass for all axes when they split alike (the same flux, splitting and range)
    shared_split = len({(str(axes[d].law.flux[0]), axes[d].flux, str(axes[d].data_range))
                        for d in split_axes}) == 1

    def axis_index(d: int) -> Callable[[int], ir.Expr]:
        def at_offset(off: int) -> ir.Expr:
            pos: list[ir.Expr] = list(idx)
            if off:
                pos[d] = _add(idx[d], _c(off)) if off > 0 else ir.BinOp("-", idx[d], _c(-off),
                                                                         I64)
            return at(pos)
        return at_offset

    def axis_loop(spans: Sequence[int]) -> Callable[[int, int, Sequence[ir.Stmt]], ir.Stmt]:
        """Loops over the cells g + first .. n + g + last along the axes ``spans``, the
        interior along the others."""
        def loop(first: int, last: int, body: Sequence[ir.Stmt]) -> ir.Stmt:
            ranges = [(_c(g + first), _add(n[d], _c(g + last + 1))) if d in spans else
                      interior[d] for d in range(dim)]
            return loops(ranges, body, parallel)
        return loop

    def face_passes(src: str) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        if split_axes and shared_split:
            split = split_pass([weno[d] for d in split_axes], src, axis_index(split_axes[0]),
                               axis_loop(split_axes))
            assert split is not None
            out.append(split)
        for d in weno_axes:
            face = weno[d]
            if d in split_axes and not shared_split:
                split = split_pass([face], src, axis_index(d), axis_loop([d]))
                assert split is not None
                out.append(split)
            out.append(face_pass(face, src, f"f{d}", axis_index(d), axis_loop([d])))
        return out

    def operator_body(src: str, dst: str | None) -> tuple[ir.Stmt, ...]:
        """The operator's straight-line program, ending with ``dst[here] = dt L(src)`` (with
        ``dst`` None: a Store into "u" whose value the caller takes and replaces)."""
        body: list[ir.Stmt] = []
        total: ir.Expr | None = None
        for d, program in enumerate(progs):
            if program is None:
                value = face_difference(f"f{d}", axis_index(d))
            else:
                here = axis_index(d)

                def read(r: Read, here: Callable[[int], ir.Expr] = here) -> ir.Expr:
                    return ir.Load(src, here(r.offset[0]))
                stmts, value = program_ir(program, read)
                body += stmts
            term = ir.BinOp("*", lam[d], value)
            total = term if total is None else ir.BinOp("+", total, term)
        assert total is not None
        body.append(ir.Store(dst or "u", at(idx), total))
        return tuple(body)

    size: ir.Expr = width[0]
    for d in range(1, dim):
        size = _mul(size, width[d])
    sizes = [ir.Arg(v.name, I64) for v in n]
    lam_args = [ir.Arg(v.name) for v in lam]
    face_args = [ir.Arg(name, array=True, intent="inout", length=size)
                 for name in [*[f"f{d}" for d in weno_axes], *(["fp", "fm"] if split_axes else [])]]
    chain = two_register_form(axes[0].stepper.A, axes[0].stepper.b)
    step: list[ir.Stmt] = []
    if chain is not None and len(chain) > 1:  # forward Euler: a stage buffer, not in place
        # Shu-Osher chain U_i = alpha_i u + (1 - alpha_i) U_{i-1} + beta_i dt L(U_{i-1}):
        # one fused pass per stage, scratch registers w0 (and w1 for three or more stages)
        chained, regs = shu_osher_chain(
            chain, lambda src: [*fill(src), *face_passes(src)],
            lambda src: operator_body(src, None), lambda rate: rate, at(idx),
            lambda body: loops(interior, body, parallel))
        step += chained
        args = (ir.Arg("u", array=True, intent="inout", length=size),
                *[ir.Arg(r, array=True, intent="inout", length=size) for r in regs],
                *face_args, *sizes, ir.Arg("nsteps", I64), *lam_args)
    else:
        def combine(dst: str, coeffs: list[float]) -> ir.Stmt:
            value: ir.Expr = ir.Load("u", at(idx))
            for j, a in enumerate(coeffs):
                if a:
                    value = ir.BinOp("+", value, ir.BinOp("*", ir.Const(a),
                                                          ir.Load(f"L{j}", at(idx))))
            return loops(interior, (ir.Store(dst, at(idx), value),), parallel)

        for s_ in range(stages):
            src = "u" if s_ == 0 else "w"
            if s_:
                step.append(combine("w", A[s_][:s_]))
            step += fill(src)
            step += face_passes(src)
            step.append(loops(interior, operator_body(src, f"L{s_}"), parallel))
        step.append(combine("u", b))
        args = (ir.Arg("u", array=True, intent="inout", length=size),
                ir.Arg("w", array=True, intent="inout", length=size),
                *[ir.Arg(f"L{s_}", array=True, intent="inout", length=size)
                  for s_ in range(stages)],
                *face_args, *sizes, ir.Arg("nsteps", I64), *lam_args)
    key = "_".join(s.hash[:6] for s in axes)
    kernel = ir.Kernel("step", args, (*setup, ir.For(ir.Var("s", I64), _c(0),
                                                     ir.Var("nsteps", I64), tuple(step))),
                       doc=f"{dim}-D dimension by dimension: "
                           f"{'; '.join(s.name for s in axes)}; {boundary_words(spec)}, ghost "
                           f"width {g}",
                       meta={"model_hash": key},
                       requires=tuple(ir.Cmp(">=", v, _c(g)) for v in n))
    # periodic modules keep their first names; others are named by their boundary
    return ir.Module(f"highres{dim}d_{key}{boundary_tag(spec)}" + ("_par" if parallel else ""),
                     (kernel,), meta={"model_hash": key, "boundary": boundary_text(spec, g)})


class HighResNDKernel:
    """A compiled 2-D / 3-D dimension-by-dimension kernel of a :class:`HighResNDScheme` (or of
    its axis schemes); ``run`` refuses mesh ratios outside the proved condition
    sum_d lam_d / c_d <= 1 (c_d the proved 1-D bound of axis d) unless ``unsafe=True``, and data
    outside the axis schemes' data ranges."""

    def __init__(self, scheme: HighResNDScheme | Sequence[HighResScheme], backend: str = "c",
                 cache_dir: Any = None, parallel: bool = False,
                 boundary: Any = "periodic") -> None:
        if not isinstance(scheme, HighResNDScheme):
            _check_axes(scheme)
            scheme = HighResNDScheme(tuple(scheme))
        self.scheme = scheme
        self.axes = scheme.axes
        self.boundary = scalar_boundary(boundary, len(self.axes))
        self.module = build_highres_nd(self.axes, parallel, self.boundary)
        self.ghost = max(_operator_expr(s)[1] for s in self.axes)
        # the checked derivation (export prints it); WENO5 axes have no proved bound: the
        # kernel then runs only with unsafe=True, as the 1-D one
        weno = any(s.reconstruction == "weno5" for s in self.axes)
        self.condition = None if weno else highres_condition(scheme)
        self.bounds = None if weno else tuple(highres_condition(s).max_stable_dt(dx=1.0)
                                              for s in self.axes)
        self.boundary_text = boundary_text(self.boundary, self.ghost)
        self.unsafe = False
        self._scratch: list[np.ndarray] | None = None
        self._fn = build_step_function(self.module, backend, cache_dir, "mcgen-highres-nd-")
        self.backend = backend

    def argument_meanings(self) -> dict[str, str]:
        """What each argument of ``step`` is (the export's README and header say it)."""
        dim, g = len(self.axes), self.ghost
        axes = "x, y, z"[:3 * dim - 2]
        size = "scratch, as large as u"
        known = {"u": f"the cell values, ({axes}) with axis 0 fastest, {g} ghost cells on each "
                      "side of each axis, advanced in place by nsteps steps",
                 "w": f"{size}: the stage state",
                 "w0": f"{size}: the odd stage states of the Shu-Osher chain",
                 "w1": f"{size}: the even stage states of the Shu-Osher chain",
                 "fp": f"{size}: the split fluxes f+(u) of a stage (WENO5)",
                 "fm": f"{size}: the split fluxes f-(u) of a stage (WENO5)",
                 "nsteps": "the number of time steps"}
        for d in range(dim):
            known |= {f"f{d}": f"{size}: the face fluxes F_(c+1/2) along axis {d} of a stage "
                               "(WENO5)",
                      f"n{d}": f"the interior cells along axis {d} (at least {g})",
                      f"lam{d}": f"dt/dx_{d}; the caller keeps the ratios within the enforced "
                                 "condition"}
        for i in range(self.scheme.stepper.stages):
            known[f"L{i}"] = f"{size}: dt L(u) of stage {i}"
        return {a.name: known[a.name] for a in self.module.kernels[0].args}

    def admits(self, lams: Sequence[float]) -> bool:
        """The proved condition sum_d lam_d / c_d <= 1 holds (1e-12 relative slack)."""
        if len(lams) != len(self.axes):
            raise ModelError(f"{len(lams)} mesh ratios for a {len(self.axes)}-D kernel")
        if self.condition is None:
            return False
        values = {v.name: float(x) for v, x in zip(axis_ratios(len(self.axes)), lams,
                                                    strict=True)}
        return self.condition.holds(rtol=1e-12, **values)  # expr is the sufficient part

    def run(self, u0: np.ndarray, nsteps: int, lams: Sequence[float], unsafe: bool = False
            ) -> np.ndarray:
        """Advance ``u0`` (axis d of the array is axis d of the scheme) by ``nsteps``
        steps with mesh ratios ``lams`` = (dt/dx_0, dt/dx_1[, dt/dx_2])."""
        dim = len(self.axes)
        u0 = np.asarray(u0, dtype=float)
        if u0.ndim != dim or len(lams) != dim:
            raise ModelError(f"u0 of shape {u0.shape} and {len(lams)} mesh ratios: a "
                             f"{dim}-D kernel needs a {dim}-D array and {dim} ratios")
        if not (unsafe or self.unsafe) and self.condition is None:
            raise StabilityError(f"{self.scheme.name}: WENO5 has no proved bound; pass "
                                 "unsafe=True to run it at chosen mesh ratios")
        if not (unsafe or self.unsafe) and not self.admits(lams):
            assert self.bounds is not None
            terms = " + ".join(f"{lam:.4g}/{c:.4g}" for lam, c in zip(lams, self.bounds,
                                                                      strict=True))
            raise StabilityError(f"sum_d lam_d/c_d = {terms} > 1 (c_d: the proved 1-D bound "
                                 f"of each axis, {LAM} <= c_d); take a smaller dt or pass "
                                 "unsafe=True")
        lo, hi = float(u0.min()), float(u0.max())
        lo, hi = min([lo, *inflow_values(self.boundary)]), max([hi, *inflow_values(self.boundary)])
        for s in self.axes:
            m, M = (float(v) for v in s.data_range or (-np.inf, np.inf))
            if lo < m - 1e-12 * max(1.0, abs(m)) or hi > M + 1e-12 * max(1.0, abs(M)):
                raise ModelError(f"data span [{lo}, {hi}] leaves {s.name}'s data_range "
                                 f"({m}, {M}): the flux splitting and the bound hold there only")
        g = self.ghost
        # storage: axis 0 fastest, so the padded array is u0 transposed
        shape = tuple(m + 2 * g for m in u0.shape[::-1])
        if self._scratch is None or self._scratch[0].shape != shape:
            # kept between runs of one shape (fresh arrays page-fault on first touch), so one
            # kernel object serves one thread
            arrays = sum(a.array for a in self.module.kernels[0].args)
            self._scratch = [np.zeros(shape) for _ in range(arrays)]
        else:
            for a in self._scratch:
                a.fill(0.0)
        u, *bufs = self._scratch
        inner = tuple(slice(g, -g) for _ in range(dim))
        u[inner] = u0.T
        self._fn(u.reshape(-1), *[x.reshape(-1) for x in bufs],
                 *[np.int64(m) for m in u0.shape], np.int64(nsteps), *[float(v) for v in lams])
        return u[inner].T.copy()
