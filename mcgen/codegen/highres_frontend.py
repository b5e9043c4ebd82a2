"""Loop IR for scalar high-resolution schemes with Runge-Kutta stage buffers.

One kernel advances ``nsteps`` steps per call on a 1-D lattice padded with ``g`` ghost cells
(periodic, outflow or Dirichlet (inflow) sides: the boundaries of the NumPy reference); before
each stage it fills the ghosts of the stage state by the boundary conditions' own ghost rules
(:func:`ghost_fill`, the stencil kernels' fill). A stepper that is a two-register Shu-Osher chain
(SSPRK(2,2), SSPRK(3,3): :func:`mcgen.model.runge_kutta.two_register_form`) takes one fused pass
per stage, U_i = alpha_i u + (1 - alpha_i) U_{i-1} + beta_i lam L(U_{i-1}), in scratch ``w0``
(and ``w1`` from three stages). Any other stepper, for each stage i, stores L(U_i) of the stage
state (``u`` for stage 0, ``w`` otherwise) into the stage buffer ``L<i>`` and forms the next
stage state ``w = u + lam sum_j A[i+1, j] L<j>``; the step ends with
``u += lam sum_i b_i L<i>``. For WENO5 each stage first stores the face fluxes F_{c+1/2}
(c = g-1 .. n+g-1) in scratch ``f``, and the cell loop takes L_c = f[c-1] - f[c] (each face
once, not twice). The space operator is the same SymPy expression the reference uses
(:func:`mcgen.model.highres_as_scheme.space_operator`, its face flux for WENO5), common
subexpressions eliminated and translated by :func:`mcgen.codegen.sympy_to_ir.sympy_to_ir`
(rational constants as products by their reciprocals), so every backend prints the same loops.
Limiters must be Max/Min/Abs of linear functions of r (the division-free form).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from mcgen._version import __version__
from mcgen.analysis.highres_safety import highres_condition
from mcgen.codegen import ir
from mcgen.codegen.boundary_fill import GridNames, fill_statements, normalize_bc
from mcgen.codegen.highres_programs import (
    face_difference,
    face_pass,
    face_programs,
    operator_program,
    program_ir,
    split_pass,
)
from mcgen.errors import CodegenError, ModelError, StabilityError
from mcgen.model.boundary import BoundarySpec
from mcgen.model.highres_as_scheme import space_operator
from mcgen.model.highres_boundary import (
    boundary_tag,
    boundary_words,
    highres_boundary,
    inflow_values,
)
from mcgen.model.highres_scheme import HighResScheme
from mcgen.model.read import Field, Read
from mcgen.model.runge_kutta import two_register_form

__all__ = ["build_highres", "HighResKernel", "compile_highres", "ghost_fill", "scalar_boundary",
           "boundary_text"]

I64 = "i64"


def _operator_expr(s: HighResScheme) -> tuple[sp.Expr, int]:
    """L(u)_0 * dx as an expression of reads u[k], and the radius of the reads."""
    if s.data_range is None:
        raise ModelError(f"{s.name}: give data_range=(m, M) when declaring the scheme")
    m, M = s.data_range
    w = Field(s.law.fields[0].name)
    expr = space_operator(s, lambda j: w[j], sp.Integer(1), m, M)(0)
    radius = max(abs(r.offset[0]) for r in expr.atoms(Read))
    return expr, radius


def shu_osher_stage(alpha: Any, beta: Any, rate: ir.Expr, src: str, cell: ir.Expr) -> ir.Expr:
    """One stage of the Shu-Osher chain U_i = alpha_i u + (1 - alpha_i) U_{i-1} + beta_i rate at
    ``cell``, U_{i-1} held in ``src`` and rate = dt L(U_{i-1}) there (the two-register form has
    alpha_i = 0 while src is u itself); shared by the 1-D and the 2-D/3-D kernels."""
    value = rate if beta == 1 else ir.BinOp("*", ir.Const(float(beta)), rate)
    keep = 1 - alpha
    if keep:
        value = ir.BinOp("+", ir.Load(src, cell) if keep == 1 else
                         ir.BinOp("*", ir.Const(float(keep)), ir.Load(src, cell)), value)
    if alpha and src != "u":
        value = ir.BinOp("+", ir.BinOp("*", ir.Const(float(alpha)), ir.Load("u", cell)), value)
    return value


def shu_osher_chain(chain: Any, before: Callable[[str], Sequence[ir.Stmt]],
                    body_of: Callable[[str], Sequence[ir.Stmt]],
                    rate: Callable[[ir.Expr], ir.Expr], cell: ir.Expr,
                    loop: Callable[[tuple[ir.Stmt, ...]], ir.Stmt]
                    ) -> tuple[list[ir.Stmt], list[str]]:
    """The stages of a two-register Shu-Osher ``chain``, one fused pass each (scratch w0, and w1
    from three stages; no stored stage derivatives): ``before(src)`` (ghost fill, face passes),
    then ``loop`` over ``body_of(src)`` with its final Store replaced by the stage's value at
    ``cell`` (:func:`shu_osher_stage`, ``rate`` of the Store's value). Returns the statements
    and the scratch registers; shared by the 1-D and the 2-D/3-D kernels."""
    regs = ["w0", "w1"][:min(2, len(chain) - 1)]
    step: list[ir.Stmt] = []
    src = "u"
    for i, (alpha, beta) in enumerate(chain):
        dst = "u" if i == len(chain) - 1 else regs[i % len(regs)]
        step += before(src)
        body = list(body_of(src))
        last = body.pop()
        assert isinstance(last, ir.Store)
        body.append(ir.Store(dst, cell, shu_osher_stage(alpha, beta, rate(last.value), src, cell)))
        step.append(loop(tuple(body)))
        src = dst
    return step, regs


def build_highres(s: HighResScheme, parallel: bool = False,
                  boundary: Any = "periodic") -> ir.Module:
    """The IR module with one kernel ``step`` (args: u, the scratch w0[, w1] of a Shu-Osher chain
    or w, L0..L{s-1} of stage buffers, for WENO5 the face fluxes f, n, nsteps, lam);
    ``parallel`` marks the cell loops for the backends to thread (a fork-join per stage);
    ``boundary``: periodic, outflow or Dirichlet (inflow) sides (:func:`scalar_boundary`: the
    ghost cells the NumPy reference pads)."""
    spec = scalar_boundary(boundary)
    expr, g = _operator_expr(s)
    A = [[float(v) for v in row] for row in s.stepper.A.tolist()]
    b = [float(v) for v in s.stepper.b]
    stages = len(b)
    n, nsteps, lam = ir.Var("n", I64), ir.Var("nsteps", I64), ir.Var("lam")
    c = ir.Var("c", I64)
    G = ir.Const(g, I64)

    def idx(off: int) -> ir.Expr:
        return ir.BinOp("+", c, ir.Const(off, I64), I64) if off else c

    def fill(arr: str) -> tuple[ir.Stmt, ...]:
        return ghost_fill(arr, spec, ("n",), g)

    # WENO5: a face pass stores each F_{c+1/2} once in scratch ``f`` and the cell loop
    # differences it; for a nonlinear flux a split pass first stores f+-(u_c) in ``fp``, ``fm``
    # (:mod:`mcgen.codegen.highres_programs`, shared with the 2-D / 3-D kernels)
    faces = face_programs(s)
    split_pass_used = faces is not None and faces.split is not None
    program = operator_program(expr, "t") if faces is None else None

    def loop(first: int, last: int, body: Sequence[ir.Stmt]) -> ir.Stmt:
        return ir.For(c, ir.Const(g + first, I64), ir.BinOp("+", n, ir.Const(g + last + 1, I64),
                                                             I64), tuple(body), parallel=parallel)

    def face_loops(src: str) -> tuple[ir.Stmt, ...]:
        assert faces is not None
        split = split_pass([faces], src, idx, loop)
        return (*([split] if split is not None else []), face_pass(faces, src, "f", idx, loop))

    def cell_body(src: str, dst: str) -> tuple[ir.Stmt, ...]:
        if faces is not None:
            return (ir.Store(dst, c, face_difference("f", idx)),)
        assert program is not None
        body, value = program_ir(program, lambda r: ir.Load(src, idx(r.offset[0])))
        return (*body, ir.Store(dst, c, value))

    def combine(dst: str, coeffs: list[float]) -> ir.Stmt | None:
        terms: ir.Expr | None = None
        for j, a in enumerate(coeffs):
            if a == 0:
                continue
            t = ir.BinOp("*", ir.Const(a), ir.Load(f"L{j}", c))
            terms = t if terms is None else ir.BinOp("+", terms, t)
        value = ir.Load("u", c) if terms is None else \
            ir.BinOp("+", ir.Load("u", c), ir.BinOp("*", lam, terms))
        return ir.For(c, G, ir.BinOp("+", n, G, I64), (ir.Store(dst, c, value),),
                      parallel=parallel)

    step: list[ir.Stmt] = []
    # the call contract (checked before every call, printed in exported headers): each array
    # holds n cells and g ghost cells on each side; the periodic ghost fill needs n >= g (the
    # other boundaries take the same, as the reference)
    length = ir.BinOp("+", n, ir.Const(2 * g, I64), I64)
    chain = two_register_form(s.stepper.A, s.stepper.b)
    if chain is not None and len(chain) > 1:  # forward Euler: a stage buffer, not in place
        # Shu-Osher chain U_i = alpha_i u + (1 - alpha_i) U_{i-1} + beta_i lam L(U_{i-1}) (as
        # the 2-D / 3-D kernels): one fused pass per stage, scratch w0 (and w1 from three
        # stages), no stored stage derivatives (3 array sweeps per stage -> 1)
        chained, regs = shu_osher_chain(
            chain, lambda src: (*fill(src), *(face_loops(src) if faces is not None else ())),
            lambda src: cell_body(src, "u"), lambda rate: ir.BinOp("*", lam, rate), c,
            lambda body: ir.For(c, G, ir.BinOp("+", n, G, I64), body, parallel=parallel))
        step += chained
        scratch = [*regs, *(["f"] if faces is not None else []),
                   *(["fp", "fm"] if split_pass_used else [])]
    else:
        for i in range(stages):
            src = "u" if i == 0 else "w"
            if i > 0:
                cmb = combine("w", A[i][:i])
                assert cmb is not None
                step.append(cmb)
            step += fill(src)
            if faces is not None:
                step += face_loops(src)
            step.append(ir.For(c, G, ir.BinOp("+", n, G, I64), cell_body(src, f"L{i}"),
                               parallel=parallel))
        final = combine("u", b)
        assert final is not None
        step.append(final)
        scratch = ["w", *[f"L{i}" for i in range(stages)], *(["f"] if faces is not None else []),
                   *(["fp", "fm"] if split_pass_used else [])]
    args = (ir.Arg("u", array=True, intent="inout", length=length),
            *[ir.Arg(name, array=True, intent="inout", length=length) for name in scratch],
            ir.Arg("n", I64), ir.Arg("nsteps", I64), ir.Arg("lam"))
    requires = (ir.Cmp(">=", n, ir.Const(max(g, 1), I64)), ir.Cmp(">=", nsteps, ir.Const(0, I64)))
    kernel = ir.Kernel("step", args, (ir.For(ir.Var("s", I64), ir.Const(0, I64), nsteps,
                                             tuple(step)),),
                       doc=f"{s.name}: {stages} stage buffers, {boundary_words(spec)}, "
                           f"ghost width {g}",
                       meta={"model_hash": s.hash}, requires=requires)
    # periodic kernels keep their first names; others are named by their boundary
    name = "highres_" + s.hash[:12] + boundary_tag(spec) + ("_par" if parallel else "")
    return ir.Module(name, (kernel,), meta={
        "model_hash": s.hash, "mcgen_version": __version__, "scheme": s.name,
        "condition": " ".join(condition_text(s).split()), "boundary": boundary_text(spec, g),
        "ghost": str(g)})


def scalar_boundary(bc: Any, dim: int = 1) -> BoundarySpec:
    """``bc`` as the boundary of a scalar high-resolution kernel: periodic, outflow or a
    constant Dirichlet (inflow) value on each side, those of the NumPy reference
    (:func:`mcgen.model.highres_boundary.highres_boundary`; its refusals as CodegenError)."""
    try:
        return highres_boundary(bc, dim)
    except ModelError as err:
        raise CodegenError(str(err)) from None


def boundary_text(spec: BoundarySpec, g: int) -> str:
    """The boundary of a scalar kernel, in words (exported headers and READMEs print it)."""
    words = boundary_words(spec)
    where = words if ";" in words else f"{words} on every side"
    return (f"{where}: before every stage the kernel fills the {g} ghost cells on each side of "
            "each axis by that side's rule (periodic: the interior cells at the other end; "
            "outflow (zero gradient): the nearest interior value; Dirichlet: its value)")


def ghost_fill(arr: str, bc: Any, sizes: tuple[str, ...], g: int, strides: tuple[str, ...] = (),
               fields: tuple[str, ...] = (), field_stride: str = "") -> tuple[ir.Stmt, ...]:
    """The ghost fill of padded ``arr`` (``g`` ghost layers on each side of each axis; axes in
    storage order, slowest first: ``sizes`` the interior counts, ``strides`` the names of the
    strides of all axes but the last, which is contiguous; several ``fields`` lie
    ``field_stride`` apart): the boundary conditions' own ghost rules
    (:meth:`mcgen.model.boundary.BoundaryCondition.ghost`; ``bc`` as
    :func:`~mcgen.model.boundary.normalize_bc` takes it, axes in storage order) lowered by
    :func:`mcgen.codegen.boundary_fill.fill_statements`, as in the stencil kernels."""
    spec = normalize_bc(bc, len(sizes))
    names = GridNames(buffer=arr, sizes=sizes, strides=(*strides, ""), field_stride=field_stride,
                      nfields=max(len(fields), 1), ghost=g, dtype="f64", time=None, step="s",
                      fields=fields)
    return fill_statements(spec, names)


def condition_text(s: HighResScheme) -> str:
    """The condition the kernel's ``run`` enforces, in words (for generated headers)."""
    if s.reconstruction == "weno5":
        return "none: WENO5 has no proved bound (its kernel runs only with unsafe=True)"
    return highres_condition(s).describe()


def build_step_function(module: ir.Module, backend: str, cache_dir: Any = None,
                        prefix: str = "") -> Any:
    """The module's ``step`` kernel compiled by ``backend`` (``numba``, ``c`` or ``llvm``)
    through the kernel cache the stencil kernels use (:mod:`mcgen.codegen.cache`: keyed by the
    printed source, compiler and CPU, each entry verified against its recorded sha256 before
    it is loaded), so a second kernel of the same scheme is a cache hit. ``cache_dir``
    overrides ``$MCGEN_CACHE_DIR``; ``prefix`` is not used (kernels once went to a fresh
    temporary folder named by it)."""
    from pathlib import Path

    from mcgen.codegen.compile import load_backend_functions
    from mcgen.codegen.config import BACKENDS, KernelConfig

    if backend not in BACKENDS:
        raise CodegenError(f"backend={backend!r}: use 'numba', 'c' or 'llvm'")
    cfg = KernelConfig(backend=backend) if cache_dir is None else \
        KernelConfig(backend=backend, cache_dir=Path(cache_dir))
    functions, _ = load_backend_functions(module, cfg, {})
    return functions["step"]


class HighResKernel:
    """A compiled high-resolution kernel (``numba``, ``c`` or ``llvm``) that refuses a mesh
    ratio outside the proved TVD condition unless ``unsafe=True``; built through the kernel
    cache (``cache_dir``, default ``$MCGEN_CACHE_DIR``: :func:`build_step_function`).
    ``boundary``: ``periodic``, ``outflow`` or ``Dirichlet(v)`` (an inflow state), or a
    ``(low, high)`` pair of them (:func:`scalar_boundary`)."""

    def __init__(self, scheme: HighResScheme, backend: str = "c",
                 cache_dir: Any = None, parallel: bool = False,
                 boundary: Any = "periodic") -> None:
        self.scheme = scheme
        self.boundary = scalar_boundary(boundary)
        self.module = build_highres(scheme, parallel, self.boundary)
        self.ghost = _operator_expr(scheme)[1]
        # WENO5 has no proved bound: its kernel runs only with unsafe=True
        self.condition = None if scheme.reconstruction == "weno5" else highres_condition(scheme)
        self.unsafe = False  # compile(..., unsafe=True) sets it: run then refuses nothing
        self._fn = build_step_function(self.module, backend, cache_dir)
        self.backend = backend

    @property
    def boundary_text(self) -> str:
        return boundary_text(self.boundary, self.ghost)

    def argument_meanings(self) -> dict[str, str]:
        """What each argument of ``step`` is (the export's README and header say it)."""
        g = self.ghost
        stages = self.scheme.stepper.stages
        names = [a.name for a in self.module.kernels[0].args]
        scratch = {"w": "scratch: the stage state (same length as u)",
                   "w0": "scratch: the odd stage states of the Shu-Osher chain (same length "
                         "as u)" if "w1" in names else "scratch: the stage state (same length "
                                                          "as u)",
                   "w1": "scratch: the even stage states of the Shu-Osher chain (same length "
                         "as u)",
                   "f": "scratch: the face fluxes F_(j+1/2) of a stage (same length as u)",
                   "fp": "scratch: the split fluxes f+(u_j) of a stage (same length as u)",
                   "fm": "scratch: the split fluxes f-(u_j) of a stage (same length as u)",
                   **{f"L{i}": f"scratch: -(F_(j+1/2) - F_(j-1/2)) of stage {i}"
                      for i in range(stages)}}
        return {"u": f"the n cell values with {g} ghost cells on each side (u[{g}] is the "
                     "first cell), advanced in place by nsteps steps",
                **{name: scratch[name] for name in names if name in scratch},
                "n": f"the number of interior cells (at least {max(g, 1)})",
                "nsteps": "the number of time steps",
                "lam": "the mesh ratio dt/dx; the caller keeps it within the enforced "
                       "condition"}

    def run(self, u0: np.ndarray, nsteps: int, lam: float, unsafe: bool = False) -> np.ndarray:
        """Advance ``u0`` (the n cell values) by ``nsteps`` steps of mesh ratio ``lam`` =
        dt/dx on the kernel's boundary."""
        if not (unsafe or self.unsafe) and self.condition is None:
            raise StabilityError(f"{self.scheme.name}: WENO5 has no proved bound; pass "
                                 "unsafe=True to run it at a chosen mesh ratio")
        if not (unsafe or self.unsafe) and self.condition is not None and \
                not self.condition.holds(rtol=1e-12, **{"lambda": lam}):
            raise StabilityError(f"lambda = {lam} breaks the proved condition "
                                 f"{self.condition.describe()}; pass unsafe=True")
        m, M = (float(v) for v in self.scheme.data_range or (-np.inf, np.inf))
        lo, hi = float(np.min(u0)), float(np.max(u0))
        lo, hi = min([lo, *inflow_values(self.boundary)]), max([hi, *inflow_values(self.boundary)])
        tol = 1e-12 * max(1.0, abs(m), abs(M))
        if lo < m - tol or hi > M + tol:
            raise ModelError(f"data span [{lo}, {hi}] (inflow values included) leaves the "
                             f"scheme's data_range ({m}, {M}): the flux splitting and the "
                             "proved bound hold on that range only")
        n, g = len(u0), self.ghost
        u = np.zeros(n + 2 * g)
        u[g:g + n] = u0
        bufs = [np.zeros_like(u) for a in self.module.kernels[0].args[1:] if a.array]
        self._fn(u, *bufs, np.int64(n), np.int64(nsteps), float(lam))
        return u[g:g + n].copy()


def compile_highres(scheme: Any, backend: str = "numba", bc: Any = "periodic",
                    dtype: str = "f64", threads: int = 1, unsafe: bool = False) -> Any:
    """``mcgen.codegen.compile`` for a HighResScheme (a :class:`HighResKernel`: periodic, outflow
    or Dirichlet (inflow) sides, float64), a 2-D / 3-D HighResNDScheme (a ``HighResNDKernel``,
    the same boundaries per axis, float64) or a SystemScheme (a ``SystemKernel``,
    :func:`mcgen.codegen.system_frontend.compile_system`);
    their ``run`` refuses a step outside the proved TVD / maximum-principle / positivity
    condition unless ``unsafe=True``."""
    from mcgen.model.highres_nd_scheme import HighResNDScheme
    from mcgen.model.system_scheme import SystemScheme

    kernel: Any
    if isinstance(scheme, SystemScheme):
        from mcgen.codegen.system_frontend import compile_system
        kernel = compile_system(scheme, backend, bc, dtype, threads)
    elif isinstance(scheme, HighResNDScheme):
        from mcgen.codegen.highres_nd_frontend import HighResNDKernel
        if dtype != "f64":
            raise CodegenError(f"{scheme.name}: generated {scheme.dim}-D kernels are float64 "
                               "(dtype='f64')")
        kernel = HighResNDKernel(scheme, backend, parallel=threads > 1,
                                 boundary=scalar_boundary(bc, scheme.dim))
    else:
        if dtype != "f64":
            raise CodegenError(f"{scheme.name}: generated high-resolution kernels are float64 "
                               "(dtype='f64')")
        kernel = HighResKernel(scheme, backend, parallel=threads > 1,
                               boundary=scalar_boundary(bc))
    kernel.unsafe = unsafe
    return kernel
