"""Scheme -> loop IR: a kernel that advances every field of an explicit two-level scheme
``nsteps`` steps per call.

:func:`build_stencil` is the list of the front-end's stages, each a public function that takes
the previous stages' typed, frozen results (so each can be called alone, inspected, and
re-entered with an edited result):

1. :func:`~mcgen.codegen.update_form.analyse_update` -> :class:`UpdateForm`: the weight form
   of a linear update with parameter-only weights (``KernelConfig.linear_weights``), or its
   interface quantities (each interface flux computed once per step into a scratch array).
2. :func:`~mcgen.codegen.stencil_layout.plan_layout` -> :class:`StencilLayout`: fields, ghost
   width (= radius), the kernel's arguments and what each means (see that module).
3. :func:`~mcgen.codegen.stencil_sweeps.lower_sweeps` -> :class:`StencilSweeps`: the
   statements of one cell (``sympy.cse``'d update or weight form, interface fluxes), the
   prologue of parameter-only values, the zero-flux walls.
4. :func:`assemble_module`: ghost fills (boundary_fill.py) outside the hot loop, the flux
   sweeps, the update sweep over the interior (innermost axis unit-stride and free of wraps and
   branches; min/max/abs are IR operators that backends print branch-free) writing the other
   buffer, then the buffers swapped (a pointer swap, no copy); a threaded variant and a thread
   team when ``config.threads > 1``.

The :class:`StencilProgram` holds all four results: the backends print its ``module``,
temporal blocking (temporal_blocking.py) rebuilds sweeps from its ``sweeps`` and ``layout``,
and the Dask runner (mcgen/run/distributed.py) reads its ``layout`` and ``form``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from mcgen._version import __version__
from mcgen.codegen import ir
from mcgen.codegen.boundary_fill import GridNames, describe_bc, fill_statements
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.stencil_layout import (
    CUR,
    NXT,
    BlockArgs,
    BlockPosition,
    StencilLayout,
    grid_contract,
    plan_layout,
    safe_name,
    time_at_step,
)
from mcgen.codegen.stencil_sweeps import (
    FluxSweep,
    StencilSweeps,
    WallZero,
    loop_nest,
    lower_sweeps,
    wall_zero_nest,
)
from mcgen.codegen.thread_team import team_kernel
from mcgen.codegen.update_form import (
    UpdateForm,
    WeightTerm,
    analyse_update,
    check_scheme,
    factored_interface_quantity,
    linear_weight_form,
)
from mcgen.model.flux_split import LARGE_NODES, interface_quantities, is_large
from mcgen.model.scheme import Scheme

__all__ = ["CUR", "NXT", "BlockArgs", "BlockPosition", "FluxSweep", "StencilLayout",
           "StencilProgram", "StencilSweeps", "UpdateForm", "WallZero", "WeightTerm",
           "analyse_update", "assemble_module", "build_stencil", "factored_interface_quantity",
           "grid_contract", "interface_quantities", "linear_weight_form", "lower_sweeps",
           "plan_layout", "stencil_ir"]


@dataclass(frozen=True)
class StencilProgram:
    """The typed result of the stencil front-end, one object that the backends (``module``),
    temporal blocking (``layout``, ``sweeps``, ``meta``) and the Dask runner (``layout``,
    ``form``) all consume."""

    module: ir.Module
    layout: StencilLayout
    form: UpdateForm
    sweeps: StencilSweeps
    #: the name of the serial kernel (derived kernels add a suffix: ``_par``, ``_tb``, ...)
    name: str
    #: provenance printed into generated code (model hash, condition, boundary, ...)
    meta: Mapping[str, str]
    #: seconds per front-end stage
    timings: Mapping[str, float] = field(default_factory=dict)


def stencil_ir(scheme: Scheme, config: KernelConfig | None = None) -> ir.Module:
    """The IR module of ``scheme`` (see :func:`build_stencil` for the layout too)."""
    return build_stencil(scheme, config).module


def build_stencil(scheme: Scheme, config: KernelConfig | None = None) -> StencilProgram:
    """Lower ``scheme`` to a :class:`StencilProgram` (one serial kernel, and a threaded one
    and a thread team when ``config.threads > 1``)."""
    t_start = time.perf_counter()
    cfg = (config or KernelConfig()).validated(scheme.dim)
    check_scheme(scheme)
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    form = analyse_update(scheme, cfg)
    timings["interfaces"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    layout = plan_layout(scheme, cfg, form)
    timings["layout"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sweeps = lower_sweeps(scheme, cfg, form, layout)
    timings["cse"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    name = safe_name(cfg.name or scheme.name.lower() or "stencil", set(), kernel=True)
    meta = provenance(scheme, cfg, layout)
    module = assemble_module(scheme, cfg, layout, sweeps, name, meta)
    timings["assemble"] = time.perf_counter() - t0
    timings["frontend"] = time.perf_counter() - t_start
    return StencilProgram(module, layout, form, sweeps, name, meta, timings)


def provenance(scheme: Scheme, cfg: KernelConfig, layout: StencilLayout) -> dict[str, str]:
    """What generated code states about where it came from."""
    return {"model_hash": scheme.hash, "mcgen_version": __version__,
            "condition": cfg.condition_text.replace("\n", " "),
            "scheme": (scheme.describe().replace("\n", " ") if not any(
                is_large(e) for e in scheme.update.values()) else
                f"{scheme.name or 'scheme'}: an update of more than {LARGE_NODES} nodes "
                "(the model, by its hash)"),
            "boundary": describe_bc(cfg.bc), "dtype": layout.dtype, "ghost": str(layout.ghost),
            "fields": ",".join(layout.fields), "dim": str(layout.dim), "reading": scheme.reading}


def grid_names(layout: StencilLayout, buffer: str = CUR) -> GridNames:
    """The IR names of the padded layout that the ghost fills index with."""
    dim = layout.dim
    return GridNames(buffer=buffer, sizes=tuple(f"n{d}" for d in range(dim)),
                     strides=tuple(f"S{d}" for d in range(dim)), field_stride="PT",
                     nfields=len(layout.fields), ghost=layout.ghost, dtype=layout.dtype,
                     time="t" if layout.needs_time else None, step="step",
                     fields=layout.fields)


def _strides(layout: StencilLayout) -> list[ir.Stmt]:
    """S_d of the padded layout (S_{dim-1} = 1 is folded into the indices) and PT (cells per
    field, systems only)."""
    dim, g, nf = layout.dim, layout.ghost, len(layout.fields)

    def size(d: int) -> ir.Expr:
        return ir.BinOp("+", ir.Var(f"n{d}", "i64"), ir.Const(2 * g, "i64"), "i64")

    pre: list[ir.Stmt] = []
    if dim > 1 or nf > 1:
        pre.append(ir.Comment(f"strides of the padded layout (ghost width {g}; innermost "
                              "axis unit stride)"))
    for d in reversed(range(dim - 1)):
        pre.append(ir.Assign(ir.Var(f"S{d}", "i64"), size(d + 1) if d == dim - 2 else
                             ir.BinOp("*", ir.Var(f"S{d + 1}", "i64"), size(d + 1), "i64")))
    if nf > 1:
        pre.append(ir.Assign(ir.Var("PT", "i64"), ir.BinOp("*", ir.Var("S0", "i64"), size(0),
                                                           "i64") if dim > 1 else size(0)))
    return pre


def assemble_module(scheme: Scheme, cfg: KernelConfig, layout: StencilLayout,
                    sweeps: StencilSweeps, name: str, meta: Mapping[str, str]) -> ir.Module:
    """Stage 4: the IR module: per step, the ghost fills, the flux sweeps (and the zero flux
    of reflecting walls), the update sweep and the buffer swap."""
    dim, g, fields = layout.dim, layout.ghost, layout.fields
    fill = fill_statements(cfg.bc, grid_names(layout))
    _, requires = grid_contract(dim, g, cfg.bc)

    def kernel(kname: str, parallel: bool) -> ir.Kernel:
        pre = _strides(layout) + list(sweeps.prologue)
        step_body: list[ir.Stmt] = []
        if layout.needs_time:
            step_body.append(time_at_step(layout, ir.Var("step", "i64")))
        step_body += list(fill)
        for flux in sweeps.fluxes:
            step_body.append(ir.Comment(f"interface quantity {flux.scratch} of field "
                                        f"{flux.field} along axis {flux.axis}, computed once "
                                        "per interface"))
            step_body.append(loop_nest(flux.body, flux.ranges, parallel))
            for wall in sweeps.wall_zeros:
                if wall.scratch == flux.scratch:
                    step_body.append(ir.Comment(f"reflecting wall, axis {wall.axis}, "
                                                f"{wall.side} side: zero flux through the wall"))
                    step_body.append(wall_zero_nest(wall, layout))
        step_body.append(ir.Comment("update sweep over the interior"))
        step_body.append(loop_nest(sweeps.update_body, sweeps.interior, parallel))
        step_body.append(ir.SwapArrays(CUR, NXT))
        body = tuple(pre) + (ir.For(ir.Var("step", "i64"), ir.Const(0, "i64"),
                                    ir.Var("nsteps", "i64"), tuple(step_body)),)
        padded = " x ".join(f"(n{d} + {2 * g})" for d in range(dim))
        scratch = layout.scratch
        doc = (f"Advance {', '.join(fields)} by nsteps steps of {scheme.name or 'the scheme'} "
               f"({dim}-D, ghost width {g}). cur and nxt are flat C-order arrays of "
               f"{len(fields)} x {padded} values (fields {', '.join(fields)} in turn; interior "
               f"cell i of an axis at index i + {g}); "
               + (f"{', '.join(scratch)}: scratch of one padded field each; " if scratch else "")
               + "newest values end in cur when nsteps is even, in nxt otherwise (the buffers "
               "are swapped every step).")
        return ir.Kernel(kname, layout.args, body, None, doc,
                         {"parallel": str(parallel).lower()}, requires)

    kernels = [kernel(name, False)]
    if cfg.threads > 1:
        kernels.append(kernel(f"{name}_par", True))
        # numba and LLVM thread through a team of members (several steps per region)
        kernels.append(team_kernel(kernels[-1]))
    return ir.Module(name, tuple(kernels), dict(meta))
