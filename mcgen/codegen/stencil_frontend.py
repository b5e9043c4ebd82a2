"""Scheme -> loop IR: a kernel that advances every field of an explicit two-level scheme
``nsteps`` steps per call.

The stages, each a small function:

0. ``linear_weight_form`` (``KernelConfig.linear_weights``, C and LLVM): an update linear in the
   reads with parameter-only weights is printed as ``sum_k w_k u_k`` with the weights computed
   once per call before the step loop (the kernel's *prologue*); stage 1 is then skipped.
1. ``interface_quantities``: find sub-expressions that reappear shifted by whole cells along an
   axis (a conservative flux F(u_j, u_{j+1}) and F(u_{j-1}, u_j)); each becomes a scratch array
   computed once per step in its own sweep, so each interface flux is evaluated once.
   ``factored_interface_quantity`` (``KernelConfig.factored_fluxes``) prints each as its
   parameter-only factor (in the prologue) times the rest, collected over Max/Abs/... parts.
2. ``sympy.cse`` on what remains (shared sub-expressions within a cell are computed once).
3. ``fill_statements`` (boundary_fill.py): ghost cells of width = radius, outside the hot loop.
4. The sweep: a loop nest over the interior, innermost axis unit-stride and free of wraps and
   branches (min/max/abs are IR operators that backends print branch-free), writing the other
   buffer; then the buffers are swapped (a pointer swap, no copy).

Kernel arguments, in order (see :class:`StencilLayout`): ``cur, nxt`` (padded flat buffers of all
fields), one scratch array per interface quantity, per-step Dirichlet value arrays, the interior
sizes ``n0[, n1[, n2]]``, ``nsteps``, ``t0``, ``dt``, the scheme parameters, the grid spacings
and the coordinates of the first interior cell (``x0`` ...), when the update uses them.
After the call the newest values are in ``cur`` when ``nsteps`` is even, in ``nxt`` otherwise.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import sympy as sp
from sympy.logic.boolalg import Boolean

from mcgen._version import __version__
from mcgen.codegen import ir
from mcgen.codegen.boundary_fill import (
    GridNames,
    bc_needs_time,
    describe_bc,
    fill_statements,
    needs_zero_flux_walls,
    series_args,
)
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.sympy_to_ir import sympy_to_ir
from mcgen.codegen.thread_team import team_kernel
from mcgen.errors import CodegenError
from mcgen.model.flux_split import interface_quantities
from mcgen.model.numeric import complex_message, complex_part
from mcgen.model.read import Read, reads_of
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import t as T_SYM

CUR, NXT = "cur", "nxt"
_INTERNAL = {CUR, NXT, "nsteps", "t0", "dt", "t", "step", "idx", "gk", "gf", "PT"}


@dataclass(frozen=True)
class StencilLayout:
    """What a caller needs to marshal data for a stencil kernel (mirrors the argument order)."""

    fields: tuple[str, ...]
    dim: int
    ghost: int
    dtype: str
    scratch: tuple[str, ...]                 # scratch array names (each one padded field)
    series: tuple[str, ...]                  # per-step Dirichlet arrays
    params: tuple[tuple[str, str], ...]      # (scheme parameter name, argument name)
    spacings: tuple[tuple[str, str], ...]    # (spacing symbol name, argument name)
    origins: tuple[tuple[str, str], ...]     # (coordinate name, argument name of its origin)
    needs_dt: bool                           # the update or a boundary value uses dt
    arg_names: tuple[str, ...]


@dataclass(frozen=True)
class StencilProgram:
    """The IR module and its layout, plus the time each front-end stage took."""

    module: ir.Module
    layout: StencilLayout
    timings: dict[str, float] = field(default_factory=dict)
    #: the pieces a derived kernel (temporal blocking) reuses so that it computes every cell
    #: with the same operations: ``update_body``, ``flux_bodies`` ((axis, body) per interface
    #: quantity), ``prologue`` (assignments of parameter-only values the bodies read: run them
    #: once before the loops), ``args`` (the kernel's), ``needs_time``, ``coords_used``,
    #: ``name``, ``meta``
    parts: dict = field(default_factory=dict)


def stencil_ir(scheme: Scheme, config: KernelConfig | None = None) -> ir.Module:
    """The IR module of ``scheme`` (see :func:`build_stencil` for the layout too)."""
    return build_stencil(scheme, config).module


def _safe_name(name: str, taken: set[str], kernel: bool = False) -> str:
    # names from models are sanitised, shortened and kept out of mcgen's reserved namespace
    # (ir.user_ident owns that rule); cse0, flux1, i0, n2, ... are this front-end's own
    return ir.user_ident(name, taken, lambda c: re.match(r"^(cse|flux|[ibgnS])\d", c) is not None,
                         kernel)


def _per_call_symbols(scheme: Scheme) -> set[sp.Symbol]:
    """Symbols whose values are fixed for a whole kernel call (so expressions of them may be
    computed once, before the step loop): the parameters, spacings and dt, not the time t."""
    params = {p for p in scheme.params if p.name != T_SYM.name}
    return params | set(scheme.spacing) | {scheme.dt}


def grid_contract(dim: int, ghost: int, bc: tuple) -> tuple[ir.Expr, tuple[ir.Expr, ...]]:
    """What every call of a stencil kernel must meet: the length of one padded field,
    ``(n0 + 2 g) * (n1 + 2 g) * ...``, and the conditions on the sizes (``n_d >= 1``; at least
    ``g`` cells on a periodic or reflecting axis, whose ghost cells are copied from the interior;
    ``nsteps >= 0``)."""
    from mcgen.model.boundary import Periodic, Reflecting

    def c(v: int) -> ir.Const:
        return ir.Const(v, "i64")

    length: ir.Expr | None = None
    requires: list[ir.Expr] = []
    for d in range(dim):
        n = ir.Var(f"n{d}", "i64")
        axis = ir.BinOp("+", n, c(2 * ghost), "i64")
        length = axis if length is None else ir.BinOp("*", length, axis, "i64")
        wraps = any(isinstance(b, (Periodic, Reflecting)) for b in bc[d])
        requires.append(ir.Cmp(">=", n, c(max(ghost, 1) if wraps else 1)))
    requires.append(ir.Cmp(">=", ir.Var("nsteps", "i64"), c(0)))
    assert length is not None, "a stencil has at least one axis"
    return length, tuple(requires)


#: one weight and the reads that share it (summed before the multiplication)
WeightTerm = tuple[sp.Expr, tuple[Read, ...]]


def linear_weight_form(updates: dict[str, sp.Expr], scheme: Scheme
                       ) -> dict[str, tuple[list[WeightTerm], sp.Expr]] | None:
    """Each update as ``sum_k w_k * (sum of the reads with weight w_k) + c``, or None when one
    is not linear in the reads or a weight (or ``c``) depends on anything but the parameters,
    the spacings and ``dt`` (a weight that reads the coordinates would change per cell).

    Lax-Wendroff ``u - nu/2 (u+ - u-) + nu^2/2 (u+ - 2u + u-)`` (9 operations per cell as
    written) becomes ``w_m1*u- + w_0*u + w_p1*u+`` (3 multiplications, 2 additions, or FMAs),
    the weights computed once per call. Terms are ordered by field and offset so the printed
    sum does not depend on SymPy's term order. Values differ from the written form by rounding
    only.
    """
    allowed = _per_call_symbols(scheme)
    order = {f: i for i, f in enumerate(scheme.fields)}
    out: dict[str, tuple[list[WeightTerm], sp.Expr]] = {}
    for f, e in updates.items():
        # a read inside Max/Min/Abs/Piecewise/sign makes the update nonlinear in the reads:
        # say so before expanding (expanding a two-stage limited Burgers update takes minutes)
        if any(reads_of(a) for a in e.atoms(sp.Max, sp.Min, sp.Abs, sp.Piecewise, sp.sign,
                                              sp.Heaviside)):
            return None
        e = sp.expand(e)
        rds = sorted(reads_of(e), key=lambda r: (order.get(r.field, len(order)), r.offset,
                                                 r.level))
        if not rds:
            return None
        try:
            poly = sp.Poly(e, *rds)
        except sp.PolynomialError:
            return None
        if poly.total_degree() > 1:
            return None
        const = poly.coeff_monomial(1)
        if not const.free_symbols <= allowed:
            return None
        terms: list[WeightTerm] = []
        for rd in rds:
            w = sp.expand(poly.coeff_monomial(rd))
            if not w.free_symbols <= allowed or w.has(sp.Piecewise, sp.Max, sp.Min, sp.Abs):
                return None
            if w == 0:
                continue
            for k, (wk, group) in enumerate(terms):
                if sp.expand(wk - w) == 0:
                    terms[k] = (wk, group + (rd,))
                    break
            else:
                terms.append((w, (rd,)))
        if not terms:
            return None
        out[f] = (terms, const)
    return out


def factored_interface_quantity(e: sp.Expr, scheme: Scheme) -> tuple[sp.Expr, sp.Expr]:
    """``(c, rest)`` with ``e = c * rest``, ``c`` depending on the parameters only (computed
    once per call) and ``rest`` collected over its nonlinear parts (Max, Abs, ...) when that
    takes fewer operations.

    :func:`interface_quantities` builds G from expanded terms: Rusanov's
    ``lam/4 a^2 + lam/4 b^2 + lam/2 M a - lam/2 M b`` (M = max(|a|, |b|)) costs 14 operations
    per interface after CSE; collected it is ``(lam/4) * (a^2 + b^2 + 2 (a - b) M)``, 10 with
    ``lam/4`` hoisted. Values differ by rounding only.
    """
    allowed = _per_call_symbols(scheme)
    nonlinear = sorted(e.atoms(sp.Max, sp.Min, sp.Abs, sp.Piecewise, sp.Function),
                       key=sp.default_sort_key)
    collected = sp.factor_terms(sp.collect(sp.expand(e), nonlinear, func=sp.factor_terms)
                                if nonlinear else e)
    if sp.count_ops(collected) > sp.count_ops(e):
        collected = sp.factor_terms(e)
    coef, rest = collected.as_independent(*sorted(reads_of(collected), key=str), *scheme.coords,
                                          as_Add=False)
    if coef == 1 or not coef.free_symbols <= allowed or not reads_of(rest):
        return sp.Integer(1), collected
    return coef, rest


def _check_scheme(scheme: Scheme) -> None:
    if not scheme.is_explicit or not scheme.is_two_level:
        raise CodegenError(f"scheme {scheme.name!r} is not an explicit two-level update: the "
                           "stencil front-end generates u^(n+1) = F(u^n) only (no implicit or "
                           "multistep schemes)")
    for f, e in scheme.update.items():
        part = complex_part(e)
        if part is not None:  # before any stage: the weight form would print float(w) too
            raise CodegenError(complex_message(e, part, f"the update of {f}"))


def build_stencil(scheme: Scheme, config: KernelConfig | None = None) -> StencilProgram:
    """Lower ``scheme`` to an IR module with one serial kernel (and a threaded one when
    ``config.threads > 1``)."""
    t_start = time.perf_counter()
    cfg = (config or KernelConfig()).validated(scheme.dim)
    _check_scheme(scheme)
    dim, g, dt_ = scheme.dim, max(scheme.radius, 1), cfg.dtype
    fields = scheme.fields
    timings: dict[str, float] = {}

    # ---------------------------------------------------------------- stage 1: interfaces
    t0 = time.perf_counter()
    updates = {f: scheme.update[f] for f in fields}
    # a reflecting wall of a density or a conservative scheme is zero flux: the update goes to
    # flux form (linear fluxes too) whatever cfg.interface_scratch says, and the wall flux is 0
    zero_walls = needs_zero_flux_walls(scheme.reading, scheme.numerical_flux is not None, cfg.bc)
    # a linear update with parameter-only weights is printed in weight form (no interfaces).
    # Not for numba: its fastmath 'reassoc'/'contract' fuses one of the products w_k*u_k into
    # an FMA, and which one differs between the step-by-step and the temporally blocked kernel
    # (measured: 228 of 517 cells off by an ulp), which would break their bitwise equality;
    # numba's reassociation already shortens the written form itself.
    weights = (linear_weight_form(updates, scheme)
               if cfg.linear_weights and not zero_walls and cfg.backend != "numba" else None)
    if weights is None and (cfg.interface_scratch or zero_walls):
        updates, groups, placeholders = interface_quantities(updates, scheme, zero_walls)
    else:
        groups, placeholders = [], {}
    timings["interfaces"] = time.perf_counter() - t0

    # ---------------------------------------------------------------- names and arguments
    taken = set(_INTERNAL) | {f"{p}{d}" for p in "nibgS" for d in range(3)}
    used_syms = set().union(*[e.free_symbols for e in scheme.update.values()])
    for b in (b for pair in cfg.bc for b in pair):
        if getattr(b, "value", None) is not None and isinstance(b.value, sp.Basic):
            used_syms |= b.value.free_symbols - {s for s in b.value.free_symbols
                                                 if s.name == "t"}
    # the update's time t is the time of the step, t0 + step*dt (as in the NumPy reference
    # and the Monte Carlo kernels), never a constant argument
    time_syms = {s for s in used_syms if s.name == T_SYM.name and not isinstance(s, Read)}
    params = [(p.name, _safe_name(p.name, taken)) for p in scheme.params
              if p in used_syms and p not in time_syms]
    coords_used = [d for d in range(dim) if scheme.coords[d] in used_syms]
    spacing_used = [d for d in range(dim)
                    if scheme.spacing[d] in used_syms or d in coords_used]
    spacings = [(scheme.spacing[d].name, _safe_name(scheme.spacing[d].name, taken))
                for d in spacing_used]
    origins = [(scheme.coords[d].name, _safe_name(scheme.coords[d].name + "0", taken))
               for d in coords_used]
    series = series_args(cfg.bc)
    for s in series:
        if s in taken:
            raise CodegenError(f"DirichletSeries name {s!r} clashes with a kernel argument")
        taken.add(s)
    needs_time = bc_needs_time(cfg.bc) or bool(time_syms)
    needs_dt = scheme.dt in used_syms or needs_time
    scratch = tuple(f"flux{k}" for k in range(len(groups)))

    field_len, requires = grid_contract(dim, g, cfg.bc)
    grid_len = ir.BinOp("*", ir.Const(len(fields), "i64"), field_len, "i64")
    args: list[ir.Arg] = [ir.Arg(CUR, dt_, True, "inout", grid_len),
                          ir.Arg(NXT, dt_, True, "inout", grid_len)]
    args += [ir.Arg(s, dt_, True, "inout", field_len) for s in scratch]
    args += [ir.Arg(s, dt_, True, "in", ir.Var("nsteps", "i64")) for s in series]
    args += [ir.Arg(f"n{d}", "i64") for d in range(dim)]
    args += [ir.Arg("nsteps", "i64"), ir.Arg("t0", dt_), ir.Arg("dt", dt_)]
    args += [ir.Arg(a, dt_) for _, a in params + spacings + origins]

    # ---------------------------------------------------------------- symbol environment
    I64 = "i64"

    def iv(name: str) -> ir.Var:
        return ir.Var(name, I64)

    def ci(v: int) -> ir.Const:
        return ir.Const(int(v), I64)

    def add(a: ir.Expr, b: ir.Expr) -> ir.Expr:
        return ir.BinOp("+", a, b, I64)

    def mul(a: ir.Expr, b: ir.Expr) -> ir.Expr:
        return ir.BinOp("*", a, b, I64)

    def offset_expr(offset: tuple[int, ...], fidx: int) -> ir.Expr:
        """idx + fidx*PT + sum_d offset_d * S_d."""
        out: ir.Expr = iv("idx")
        if fidx:
            out = add(out, iv("PT") if fidx == 1 else mul(ci(fidx), iv("PT")))
        for d, k in enumerate(offset):
            if k == 0:
                continue
            term = ci(abs(k)) if d == dim - 1 else \
                iv(f"S{d}") if abs(k) == 1 else mul(ci(abs(k)), iv(f"S{d}"))
            out = add(out, term) if k > 0 else ir.BinOp("-", out, term, I64)
        return out

    env: dict[sp.Basic, ir.Expr] = {}
    for p in scheme.params:
        for name, arg in params:
            if p.name == name:
                env[p] = ir.Var(arg, dt_)
    for d, (_, arg) in zip(spacing_used, spacings, strict=True):
        env[scheme.spacing[d]] = ir.Var(arg, dt_)
    for d, (_, arg) in zip(coords_used, origins, strict=True):
        cell = ir.Cast(ir.BinOp("-", iv(f"i{d}"), ci(g), I64), dt_)
        env[scheme.coords[d]] = ir.BinOp("+", ir.Var(arg, dt_),
                                         ir.BinOp("*", cell, env[scheme.spacing[d]], dt_), dt_)
    env[scheme.dt] = ir.Var("dt", dt_)
    for s_t in time_syms:
        env[s_t] = ir.Var("t", dt_)

    # values that depend on the parameters only, computed once per call before the step loop
    # (the weights of a linear update, the factor of an interface quantity); in SymPy
    # expressions each stands as a Dummy (never equal to a model's symbol)
    prologue_stmts: list[ir.Stmt] = []
    hoisted: dict[sp.Expr, ir.Var] = {}
    hoisted_syms: dict[sp.Basic, ir.Expr] = {}

    def invariant(w: sp.Expr) -> ir.Expr:
        """``w`` (parameters only) as a constant, a parameter or a variable of the prologue."""
        if w.is_number:
            return ir.Const(float(w), dt_)
        if isinstance(w, sp.Symbol):
            return lookup(w)  # a parameter itself: no copy
        if w not in hoisted:
            var = ir.Var(_safe_name(f"wt{len(hoisted)}", taken), dt_)
            prologue_stmts.append(ir.Assign(var, sympy_to_ir(w, lookup, dt_)))
            hoisted[w] = var
        return hoisted[w]

    def invariant_symbol(w: sp.Expr) -> sp.Dummy:
        d = sp.Dummy("wt", real=True)
        hoisted_syms[d] = invariant(w)
        return d

    boolean_cse: set[str] = set()

    def lookup(s: sp.Basic) -> ir.Expr:
        if isinstance(s, Read):
            return ir.Load(CUR, offset_expr(s.offset, fields.index(s.field)), dt_)
        if s in hoisted_syms:
            return hoisted_syms[s]
        if s in placeholders:
            k, rel = placeholders[s]
            off = [0] * dim
            off[groups[k].axis] = rel
            return ir.Load(scratch[k], offset_expr(tuple(off), 0), dt_)
        if s in env:
            return env[s]
        if isinstance(s, sp.Symbol) and s.name.startswith("cse"):
            return ir.Var(s.name, "bool" if s.name in boolean_cse else dt_)
        raise CodegenError(f"symbol {s} of scheme {scheme.name!r} has no value in the kernel: "
                           "list it in the scheme's params")

    # ---------------------------------------------------------------- stage 2: CSE + sweeps
    t0 = time.perf_counter()

    def cell_body(exprs: list[sp.Expr], stores: list[tuple[str, int]], tag: str
                  ) -> tuple[ir.Stmt, ...]:
        """Assignments for the CSE temporaries and one store per expression."""
        if cfg.cse:
            reps, reduced = sp.cse(exprs, symbols=sp.numbered_symbols(f"cse{tag}_"),
                                   order="canonical")
        else:
            reps, reduced = [], exprs
        body: list[ir.Stmt] = []
        for sym, val in reps:
            if isinstance(val, Boolean):  # a condition shared by several Piecewise branches
                boolean_cse.add(sym.name)
            body.append(ir.Assign(ir.Var(sym.name, "bool" if sym.name in boolean_cse else dt_),
                                  sympy_to_ir(val, lookup, dt_)))
        for (arr, fidx), e in zip(stores, reduced, strict=True):
            body.append(ir.Store(arr, offset_expr((0,) * dim, fidx),
                                 sympy_to_ir(e, lookup, dt_)))
        return tuple(body)

    def nest(body: tuple[ir.Stmt, ...], ranges: list[tuple[ir.Expr, ir.Expr]],
             parallel: bool) -> ir.Stmt:
        """Loop nest over axes 0..dim-1 (innermost last, unit stride) around ``body``."""
        inner = list(body)
        # idx = b_{dim-2} + i_{dim-1}; b_d = b_{d-1} + i_d*S_d
        last = dim - 1
        prev = f"b{last - 1}" if dim > 1 else None
        idx_val = add(iv(prev), iv(f"i{last}")) if prev else iv(f"i{last}")
        stmts: list[ir.Stmt] = [ir.Assign(iv("idx"), idx_val)] + inner
        loop: ir.For = ir.For(iv(f"i{last}"), ranges[last][0], ranges[last][1], tuple(stmts))
        for d in reversed(range(dim - 1)):
            prevb = iv(f"b{d - 1}") if d > 0 else None
            row = mul(iv(f"i{d}"), iv(f"S{d}"))
            bval = add(prevb, row) if prevb is not None else row
            loop = ir.For(iv(f"i{d}"), ranges[d][0], ranges[d][1],
                          (ir.Assign(iv(f"b{d}"), bval), loop), parallel and d == 0)
        if dim == 1 and parallel:
            loop = ir.For(loop.var, loop.start, loop.stop, loop.body, True)
        return loop

    interior: list[tuple[ir.Expr, ir.Expr]] = [(ci(g), add(iv(f"n{d}"), ci(g)))
                                               for d in range(dim)]
    flux_bodies = []
    for k, grp in enumerate(groups):
        ranges = list(interior)
        ranges[grp.axis] = (ci(g), add(iv(f"n{grp.axis}"), ci(g + 1)))
        coef, rest = (factored_interface_quantity(grp.base, scheme) if cfg.factored_fluxes
                      else (sp.Integer(1), grp.base))
        value = rest if coef == 1 else invariant_symbol(coef) * rest
        flux_bodies.append((grp, ranges, cell_body([value], [(scratch[k], 0)], f"f{k}")))
    # (scratch index, axis, side) of every interface flux that a reflecting wall sets to 0
    wall_zeros: list[tuple[int, int, str]] = []
    if zero_walls:
        for k, grp in enumerate(groups):
            for side, b in zip(("low", "high"), cfg.bc[grp.axis], strict=True):
                if b.zero_flux:
                    wall_zeros.append((k, grp.axis, side))

    def wall_zero(k: int, axis: int, side: str) -> ir.Stmt:
        """G = 0 at the wall interface: padded index g (low) or n + g (high) along ``axis``."""
        ranges = list(interior)
        at = ci(g) if side == "low" else add(iv(f"n{axis}"), ci(g))
        ranges[axis] = (at, add(at, ci(1)))
        return nest((ir.Store(scratch[k], offset_expr((0,) * dim, 0), ir.Const(0.0, dt_)),),
                    ranges, False)

    def weighted_body(form: dict[str, tuple[list[WeightTerm], sp.Expr]]
                      ) -> tuple[ir.Stmt, ...]:
        """The sweep's stores in weight form (the weights go to the prologue)."""
        weight = invariant
        stores: list[ir.Stmt] = []
        for fidx, f in enumerate(fields):
            terms, const = form[f]
            value: ir.Expr | None = None
            for w, group in terms:
                reads = lookup(group[0])
                for rd in group[1:]:
                    reads = ir.BinOp("+", reads, lookup(rd), dt_)
                term = reads if w == 1 else ir.BinOp("*", weight(w), reads, dt_)
                value = term if value is None else ir.BinOp("+", value, term, dt_)
            assert value is not None  # linear_weight_form returns no update without a read
            if const != 0:
                value = ir.BinOp("+", value, weight(const), dt_)
            stores.append(ir.Store(NXT, offset_expr((0,) * dim, fidx), value))
        return tuple(stores)

    if weights is not None:
        update_body = weighted_body(weights)
    else:
        update_body = cell_body([updates[f] for f in fields],
                                [(NXT, i) for i in range(len(fields))], "u")
    prologue: tuple[ir.Stmt, ...] = ()
    if prologue_stmts:
        prologue = (ir.Comment("values that depend on the parameters only, once per call"),
                    *prologue_stmts)
    timings["cse"] = time.perf_counter() - t0

    # ---------------------------------------------------------------- stage 3: assemble
    t0 = time.perf_counter()
    names = GridNames(buffer=CUR, sizes=tuple(f"n{d}" for d in range(dim)),
                      strides=tuple(f"S{d}" for d in range(dim)), field_stride="PT",
                      nfields=len(fields), ghost=g, dtype=dt_,
                      time="t" if needs_time else None, step="step", fields=tuple(fields))
    fill = fill_statements(cfg.bc, names)

    def kernel(name: str, parallel: bool) -> ir.Kernel:
        pre: list[ir.Stmt] = []
        if dim > 1 or len(fields) > 1:
            pre.append(ir.Comment(f"strides of the padded layout (ghost width {g}; innermost "
                                  "axis unit stride)"))
        # S_{dim-1} = 1 is folded into the indices; PT (cells per field) only for systems
        for d in reversed(range(dim - 1)):
            width = add(iv(f"n{d + 1}"), ci(2 * g))
            pre.append(ir.Assign(iv(f"S{d}"), width if d == dim - 2 else
                                 mul(iv(f"S{d + 1}"), width)))
        if len(fields) > 1:
            width0 = add(iv("n0"), ci(2 * g))
            pre.append(ir.Assign(iv("PT"), mul(iv("S0"), width0) if dim > 1 else width0))
        pre += prologue
        step_body: list[ir.Stmt] = []
        if needs_time:
            step_body.append(ir.Assign(ir.Var("t", dt_), ir.BinOp(
                "+", ir.Var("t0", dt_), ir.BinOp("*", ir.Cast(iv("step"), dt_),
                                                  ir.Var("dt", dt_), dt_), dt_)))
        step_body += list(fill)
        for k, (grp, ranges, body) in enumerate(flux_bodies):
            step_body.append(ir.Comment(f"interface quantity {k} of field {grp.field} along "
                                        f"axis {grp.axis}, computed once per interface"))
            step_body.append(nest(body, ranges, parallel))
            for kz, axis, side in wall_zeros:
                if kz == k:
                    step_body.append(ir.Comment(f"reflecting wall, axis {axis}, {side} side: "
                                                "zero flux through the wall"))
                    step_body.append(wall_zero(kz, axis, side))
        step_body.append(ir.Comment("update sweep over the interior"))
        step_body.append(nest(update_body, interior, parallel))
        step_body.append(ir.SwapArrays(CUR, NXT))
        body = tuple(pre) + (ir.For(iv("step"), ci(0), iv("nsteps"), tuple(step_body)),)
        padded = " x ".join(f"(n{d} + {2 * g})" for d in range(dim))
        doc = (f"Advance {', '.join(fields)} by nsteps steps of {scheme.name or 'the scheme'} "
               f"({dim}-D, ghost width {g}). cur and nxt are flat C-order arrays of "
               f"{len(fields)} x {padded} values (fields {', '.join(fields)} in turn; interior "
               f"cell i of an axis at index i + {g}); "
               + (f"{', '.join(scratch)}: scratch of one padded field each; " if scratch else "")
               + "newest values end in cur when nsteps is even, in nxt otherwise (the buffers "
               "are swapped every step).")
        return ir.Kernel(name, tuple(args), body, None, doc,
                         {"parallel": str(parallel).lower()}, requires)

    kname = _safe_name(cfg.name or scheme.name.lower() or "stencil", set(), kernel=True)
    kernels = [kernel(kname, False)]
    if cfg.threads > 1:
        kernels.append(kernel(f"{kname}_par", True))
        # numba and LLVM thread through a team of members (several steps per region)
        kernels.append(team_kernel(kernels[-1]))
    cond = cfg.condition_text.replace("\n", " ")
    meta = {"model_hash": scheme.hash, "mcgen_version": __version__,
            "condition": cond, "scheme": scheme.describe().replace("\n", " "),
            "boundary": describe_bc(cfg.bc), "dtype": dt_, "ghost": str(g),
            "fields": ",".join(fields), "dim": str(dim), "reading": scheme.reading}
    module = ir.Module(kname, tuple(kernels), meta)
    timings["assemble"] = time.perf_counter() - t0
    timings["frontend"] = time.perf_counter() - t_start
    layout = StencilLayout(fields, dim, g, dt_, scratch, series, tuple(params), tuple(spacings),
                           tuple(origins), needs_dt, tuple(a.name for a in args))
    parts = {"update_body": update_body, "prologue": prologue, "args": tuple(args),
             "needs_time": needs_time,
             "coords_used": tuple(coords_used), "name": kname, "meta": meta,
             "flux_bodies": tuple((grp.axis, body) for grp, _, body in flux_bodies),
             "zero_flux_walls": tuple(wall_zeros)}
    return StencilProgram(module, layout, timings, parts)


