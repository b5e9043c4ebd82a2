"""Monte Carlo front-end: independent walkers on a lattice, compiled from a ``JumpProcess``.

Builds one IR kernel that advances many independent walkers on ``x = x0 + h * i`` (1-3 D):

- discrete time: one jump attempt per step ``dt``, probabilities evaluated at the walker's
  position and time (state-dependent chains, fixed-dt Kushner-Dupuis chains); the self-loop takes
  the rest, so it is never evaluated;
- continuous time: exact simulation by uniformisation (Jensen's method): events of a Poisson
  clock of rate ``lam >= total rate`` everywhere, each a jump by ``k`` with probability
  ``rate_k(x, t) / lam`` at the event time, otherwise a virtual self-loop. For constant rates
  this is exactly Gillespie's algorithm; for state-dependent rates it is Gillespie with thinning.

Boundaries per side of each axis: ``"none"`` (infinite lattice), ``"periodic"``, ``"reflecting"``
(a jump that would leave ``[lo, hi]`` is suppressed: zero flux for the density, the chain's
reflecting boundary) and ``"absorbing"`` (the walker stops at its exit site and is marked dead).

Randomness comes from :mod:`mcgen.codegen.rng`, one stream per walker, counter = the walker's
draw number, so positions depend only on the seed: not on threads or on how a run is split into
calls. Time-weighted moments (sum of x dt and x^2 dt after a burn-in time) are accumulated per
walker, which gives stationary laws "weighted by time spent" (DESIGN section 1) without any
shared histogram (no races when threaded).

The kernel's arguments are listed in :data:`WALKER_ARGS` followed by per-axis ``h<a>, xo<a>,
lo<a>, hi<a>`` and one ``f64`` per model parameter (:attr:`WalkerKernelPlan.param_args`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import sympy as sp

from mcgen.codegen.ir import (
    Arg,
    Assign,
    BinOp,
    Cast,
    Cmp,
    Const,
    Expr,
    For,
    If,
    Kernel,
    Load,
    Select,
    Stmt,
    Store,
    Var,
    ident,
)
from mcgen.codegen.rng import CounterStream
from mcgen.codegen.sympy_to_ir import sympy_to_ir
from mcgen.errors import CodegenError, ModelError
from mcgen.model.jump_process import JumpProcess
from mcgen.model.symbols import dt as DT_SYM
from mcgen.model.symbols import h as H_SYM
from mcgen.model.symbols import x as X_SYM

if TYPE_CHECKING:  # NumPy is imported lazily at run time (the IR builder does not need it)
    import numpy as np

def param_arg_names(params: tuple[sp.Symbol, ...]) -> tuple[tuple[sp.Symbol, str], ...]:
    """Kernel argument names for model parameters: ``p_<name>`` (or ``p_<i>`` when the name
    is not a safe identifier), so no parameter can collide with a kernel local."""
    out = []
    for i, s in enumerate(params):
        try:
            name = ident(f"p_{s.name}")
        except CodegenError:
            name = f"p_{i}"
        out.append((s, name))
    return tuple(out)


# ------------------------------------------------------------------ walkers

SIDES = ("none", "periodic", "reflecting", "absorbing")

WALKER_ARGS = (
    Arg("pos", "i64", True, "inout"),     # lattice index of walker w on axis a at [w*dim + a]
    Arg("alive", "i64", True, "inout"),   # 1 while the walker is in play, 0 once absorbed
    Arg("clock", "f64", True, "inout"),   # each walker's time
    Arg("ctr", "i64", True, "inout"),     # each walker's draw counter (its RNG position)
    Arg("nev", "i64", True, "inout"),     # attempted moves (steps or uniformised events)
    Arg("tsum", "f64", True, "inout"),    # time-weighted sum of x after the burn-in, [w*dim+a]
    Arg("tsum2", "f64", True, "inout"),   # time-weighted sum of x^2 after the burn-in
    Arg("ttime", "f64", True, "inout"),   # time accumulated after the burn-in, per walker
    Arg("n_walkers", "i64"),
    Arg("n_iter", "i64"),                 # steps (discrete) or at most this many events
    Arg("t_end", "f64"),                  # continuous time: stop at this time
    Arg("burn", "f64"),                   # moments count time spent after this time
    Arg("seed", "u64"),
    Arg("lam", "f64"),                    # uniformisation rate (continuous time)
    Arg("dt", "f64"),                     # time step (discrete time)
)


def normalize_walker_boundary(boundary: object, dim: int) -> tuple[tuple[str, str], ...]:
    """``(left, right)`` side kinds per axis from a string, a model boundary condition, a pair,
    or a sequence of those per axis."""

    def side(b: object) -> str:
        if isinstance(b, str):
            s = b.lower()
        else:
            s = type(b).__name__.lower() if not isinstance(b, type) else b.__name__.lower()
        if s not in SIDES:
            raise ModelError(f"walker boundary {b!r}: use one of {SIDES} (or the model's "
                             "Periodic, Reflecting, Absorbing conditions)")
        return s

    def axis(b: object) -> tuple[str, str]:
        if isinstance(b, (tuple, list)):
            if len(b) != 2:
                raise ModelError(f"boundary {b!r} of an axis: give one kind or (left, right)")
            pair = (side(b[0]), side(b[1]))
        else:
            pair = (side(b), side(b))
        if ("periodic" in pair) and pair[0] != pair[1]:
            raise ModelError(f"boundary {pair}: periodic must be on both sides of an axis")
        return pair

    if isinstance(boundary, (tuple, list)) and len(boundary) == dim and dim > 1 or \
            isinstance(boundary, (tuple, list)) and dim == 1 and len(boundary) == 1:
        return tuple(axis(b) for b in boundary)
    return (axis(boundary),) * dim


@dataclass(frozen=True)
class WalkerKernelPlan:
    """The generated walker kernel and what a driver needs to call it."""

    kernel: Kernel
    process: JumpProcess
    boundary: tuple[tuple[str, str], ...]
    offsets: tuple[tuple[int, ...], ...]
    param_args: tuple[tuple[sp.Symbol, str], ...]
    moments: bool

    @property
    def dim(self) -> int:
        return self.process.dim

    @property
    def continuous(self) -> bool:
        return self.process.time == "continuous"


def _i(v: int) -> Const:
    return Const(int(v), "i64")


def _or(parts: Sequence[Expr]) -> Expr | None:
    out: Expr | None = None
    for p in parts:
        out = p if out is None else BinOp("|", out, p, "bool")
    return out


def walker_kernel(process: JumpProcess, boundary: object = "none", moments: bool = True,
                  parallel: bool = False, name: str = "walkers") -> WalkerKernelPlan:
    """Build the IR kernel that advances independent walkers of ``process``.

    Parameters
    ----------
    process : the jump process; discrete time (probabilities) or continuous time (rates).
    boundary : side kinds, see :func:`normalize_walker_boundary`.
    moments : accumulate time-weighted first and second moments per walker.
    parallel : thread the loop over walkers (results do not change: one RNG stream a walker).
    """
    if not isinstance(process, JumpProcess):
        raise ModelError(f"walkers are compiled from a JumpProcess, not {type(process).__name__}")
    dim = process.dim
    sides = normalize_walker_boundary(boundary, dim)
    continuous = process.time == "continuous"
    jumps = [(k, v) for k, v in process.jumps.items() if any(k)]
    if not jumps:
        raise ModelError("the jump process never moves (only the self-loop): nothing to simulate")
    params = param_arg_names(process.params)

    w, it = Var("w", "i64"), Var("it", "i64")
    clk, live, nd = Var("clk"), Var("live", "i64"), Var("nd", "i64")
    ne = Var("ne", "i64")
    u, tau, hold, wgt = Var("u"), Var("tau"), Var("hold"), Var("wgt")
    q = [Var(f"q{a}", "i64") for a in range(dim)]
    nq = [Var(f"nq{a}", "i64") for a in range(dim)]
    xs = [Var(f"xc{a}") for a in range(dim)]
    s1 = [Var(f"s1_{a}") for a in range(dim)]
    s2 = [Var(f"s2_{a}") for a in range(dim)]
    tt = Var("tt")
    hv = [Var(f"h{a}") for a in range(dim)]
    xo = [Var(f"xo{a}") for a in range(dim)]
    lo = [Var(f"lo{a}", "i64") for a in range(dim)]
    hi = [Var(f"hi{a}", "i64") for a in range(dim)]
    rng = CounterStream("rng")
    dimc = _i(dim)

    names: dict[sp.Symbol, Expr] = {s: Var(n) for s, n in params}
    for a in range(dim):
        names[process.coords[a]] = xs[a]
        names[process.h[a]] = hv[a]
    names[process.dt] = Var("dt")
    names[process.t] = clk

    def idx(a: int) -> Expr:
        return BinOp("+", BinOp("*", w, dimc, "i64"), _i(a), "i64")

    # -- one jump, chosen by u among cumulative probabilities (self-loop last, never computed)
    def choose_and_move(scale: Expr | None) -> list[Stmt]:
        body: list[Stmt] = []
        cums: list[Var] = []
        for j, (_, v) in enumerate(jumps):
            p = sympy_to_ir(v, names)
            if scale is not None:
                p = BinOp("/", p, scale)
            c = Var(f"cum{j}")
            body.append(Assign(c, p if j == 0 else BinOp("+", cums[-1], p)))
            cums.append(c)
        body += rng.uniform(u)
        body.append(Assign(nd, BinOp("+", nd, _i(1), "i64")))
        body.append(Assign(ne, BinOp("+", ne, _i(1), "i64")))
        # branch-free choice: with lt_j = [u < cum_j] (0 or 1, non-decreasing in j), the jump
        # is sum_j (o_j - o_{j+1}) lt_j, o_{J} = 0 for the self-loop; a compiler cannot turn
        # this into a mispredicted branch as it may a chain of selects
        lts = [Var(f"lt{j}", "i64") for j in range(len(jumps))]
        body += [Assign(lt, Cast(Cmp("<", u, cums[j]), "i64")) for j, lt in enumerate(lts)]
        for a in range(dim):
            d: Expr | None = None
            for j in range(len(jumps)):
                nxt = jumps[j + 1][0][a] if j + 1 < len(jumps) else 0
                coef = jumps[j][0][a] - nxt
                if coef == 0:
                    continue
                if d is None:
                    d = lts[j] if coef == 1 else BinOp("*", _i(coef), lts[j], "i64")
                elif coef > 0:
                    d = BinOp("+", d, lts[j] if coef == 1 else
                              BinOp("*", _i(coef), lts[j], "i64"), "i64")
                else:
                    d = BinOp("-", d, lts[j] if coef == -1 else
                              BinOp("*", _i(-coef), lts[j], "i64"), "i64")
            body.append(Assign(nq[a], q[a] if d is None else BinOp("+", q[a], d, "i64")))
        # periodic wrap (|offset| <= axis length is checked by the driver)
        for a in range(dim):
            if sides[a][0] == "periodic":
                span = BinOp("+", BinOp("-", hi[a], lo[a], "i64"), _i(1), "i64")
                body.append(Assign(nq[a], Select(
                    Cmp("<", nq[a], lo[a]), BinOp("+", nq[a], span, "i64"),
                    Select(Cmp(">", nq[a], hi[a]), BinOp("-", nq[a], span, "i64"), nq[a], "i64"),
                    "i64")))
        blocked = _or([Cmp("<", nq[a], lo[a]) for a in range(dim) if sides[a][0] == "reflecting"]
                      + [Cmp(">", nq[a], hi[a]) for a in range(dim)
                         if sides[a][1] == "reflecting"])
        if blocked is not None:
            body.append(Assign(Var("blk", "bool"), blocked))
            for a in range(dim):
                body.append(Assign(nq[a], Select(Var("blk", "bool"), q[a], nq[a], "i64")))
        dead = _or([Cmp("<", nq[a], lo[a]) for a in range(dim) if sides[a][0] == "absorbing"]
                   + [Cmp(">", nq[a], hi[a]) for a in range(dim) if sides[a][1] == "absorbing"])
        if dead is not None:
            body.append(Assign(live, Select(dead, _i(0), live, "i64")))
        for a in range(dim):
            body.append(Assign(q[a], nq[a]))
        return body

    def positions() -> list[Stmt]:
        return [Assign(xs[a], BinOp("+", xo[a], BinOp("*", Cast(q[a], "f64"), hv[a])))
                for a in range(dim)]

    def accumulate(weight: Expr) -> list[Stmt]:
        if not moments:
            return []
        # the part of the holding interval [clk, clk + weight) that lies after the burn-in
        after = BinOp("-", BinOp("+", clk, weight), Var("burn"))
        out: list[Stmt] = [Assign(wgt, BinOp("max", Const(0.0), BinOp("min", weight, after)))]
        for a in range(dim):
            out.append(Assign(s1[a], BinOp("+", s1[a], BinOp("*", xs[a], wgt))))
            out.append(Assign(s2[a], BinOp("+", s2[a],
                                           BinOp("*", BinOp("*", xs[a], xs[a]), wgt))))
        out.append(Assign(tt, BinOp("+", tt, wgt)))
        return out

    absorbing = any("absorbing" in s for s in sides)
    uses_t = True
    if continuous:
        step: list[Stmt] = positions() + rng.exponential(tau) + [
            Assign(nd, BinOp("+", nd, _i(1), "i64")),
            Assign(tau, BinOp("/", tau, Var("lam"))),
            Assign(hold, BinOp("min", tau, BinOp("-", Var("t_end"), clk))),
        ] + accumulate(hold) + [
            Assign(clk, BinOp("+", clk, tau)),
            If(Cmp("<", clk, Var("t_end")), tuple(choose_and_move(Var("lam")))),
            Assign(clk, BinOp("min", clk, Var("t_end"))),
        ]
        running = Cmp("<", clk, Var("t_end"))
        active: Expr | None = BinOp("&", running, Cmp("==", live, _i(1)), "bool") \
            if absorbing else running
    else:
        uses_x = moments or any(v.free_symbols & set(process.coords) for _, v in jumps)
        # moments weight the position held during [t, t + dt): accumulate before moving
        # the clock is advanced inside the loop only when something reads it; otherwise once
        # after the loop (steps taken * dt), which keeps the hot loop free of a float chain
        uses_t = moments or any(process.t in v.free_symbols for _, v in jumps)
        step = (positions() if uses_x else []) + accumulate(Var("dt")) + choose_and_move(None)
        if uses_t:
            step.append(Assign(clk, BinOp("+", clk, Var("dt"))))
        active = Cmp("==", live, _i(1)) if absorbing else None

    loop_body: tuple[Stmt, ...] = tuple(step) if active is None else (If(active, tuple(step)),)

    init: list[Stmt] = [
        Assign(live, Load("alive", w, "i64")),
        Assign(clk, Load("clock", w)),
        Assign(nd, _i(0)), Assign(ne, _i(0)),
        Assign(u, Const(0.0)), Assign(tau, Const(0.0)), Assign(hold, Const(0.0)),
        Assign(wgt, Const(0.0)),
    ]
    init += rng.start(Var("seed", "u64"), Cast(w, "u64"), Cast(Load("ctr", w, "i64"), "u64"))
    for j in range(len(jumps)):
        init += [Assign(Var(f"cum{j}"), Const(0.0)), Assign(Var(f"lt{j}", "i64"), _i(0))]
    if any("reflecting" in s for s in sides):
        init.append(Assign(Var("blk", "bool"), Const(False, "bool")))
    for a in range(dim):
        init += [Assign(q[a], Load("pos", idx(a), "i64")), Assign(nq[a], q[a]),
                 Assign(xs[a], Const(0.0))]
        if moments:
            init += [Assign(s1[a], Load("tsum", idx(a))), Assign(s2[a], Load("tsum2", idx(a)))]
    if moments:
        init.append(Assign(tt, Load("ttime", w)))
    if not continuous and not uses_t:
        clk_end: Expr = BinOp("+", clk, BinOp("*", Cast(ne, "f64"), Var("dt")))
    else:
        clk_end = clk
    fini: list[Stmt] = [Store("alive", w, live), Store("clock", w, clk_end),
                        Store("ctr", w, BinOp("+", Load("ctr", w, "i64"), nd, "i64")),
                        Store("nev", w, BinOp("+", Load("nev", w, "i64"), ne, "i64"))]
    for a in range(dim):
        fini.append(Store("pos", idx(a), q[a]))
        if moments:
            fini += [Store("tsum", idx(a), s1[a]), Store("tsum2", idx(a), s2[a])]
    if moments:
        fini.append(Store("ttime", w, tt))

    body = (For(w, _i(0), Var("n_walkers", "i64"), tuple(
        init + [For(it, _i(0), Var("n_iter", "i64"), loop_body)] + fini), parallel=parallel),)
    axis_args: list[Arg] = []
    for a in range(dim):
        axis_args += [Arg(f"h{a}"), Arg(f"xo{a}"), Arg(f"lo{a}", "i64"), Arg(f"hi{a}", "i64")]
    # the call contract (mcgen.codegen.call_checks): per walker one value, or one per axis
    nw = Var("n_walkers", "i64")
    per_axis = BinOp("*", nw, Const(dim, "i64"), "i64")
    lengths = {"pos": per_axis, "tsum": per_axis, "tsum2": per_axis}
    walker_args = tuple(replace(a, length=lengths.get(a.name, nw)) if a.array else a
                        for a in WALKER_ARGS)
    requires = (Cmp(">=", nw, Const(0, "i64")), Cmp(">=", Var("n_iter", "i64"), Const(0, "i64")))
    args = walker_args + tuple(axis_args) + tuple(Arg(n) for _, n in params)
    doc = (f"Independent walkers of {process.describe()}; boundaries {sides}; "
           f"{'uniformisation' if continuous else 'one attempt per step'}.")
    kernel = Kernel(ident(name), args, body, doc=doc,
                    meta={"model_hash": process.hash, "front_end": "walkers"},
                    requires=requires)
    return WalkerKernelPlan(kernel, process, sides, tuple(k for k, _ in jumps), params, moments)


# ------------------------------------------------------------------ Kushner-Dupuis chains

def kushner_dupuis_process(drift: object, sigma: object, x: sp.Symbol = X_SYM,
                           h: sp.Symbol = H_SYM, dt: sp.Symbol = DT_SYM,
                           params: tuple[sp.Symbol, ...] = (),
                           name: str = "kushner_dupuis") -> JumpProcess:
    """The fixed-dt Kushner-Dupuis chain of ``dX = drift dt + sigma dW`` on ``h Z``.

    Upwind in the drift: ``Q = sigma^2 + h |b|``, ``p(+-h) = dt (sigma^2/2 + h b^+-) / h^2``
    (the interval-``h^2/Q`` chain's probabilities scaled by ``dt Q / h^2``), and a self-loop for
    the rest; valid (non-negative) when ``dt <= h^2 / max Q``. ``E[step] = b dt`` and
    ``E[step^2] = (sigma^2 + h |b|) dt`` exactly.
    """
    b = sp.sympify(drift)
    s2 = sp.sympify(sigma) ** 2
    up = dt * (s2 / 2 + h * sp.Max(b, 0)) / h ** 2
    down = dt * (s2 / 2 + h * sp.Max(-b, 0)) / h ** 2
    return JumpProcess({(1,): up, (-1,): down}, time="discrete", scaling="diffusive",
                       coords=(x,), h=(h,), dt=dt, params=params, name=name)


def probability_table(plan: WalkerKernelPlan, values: Mapping[sp.Symbol, float],
                      sites: list, t: float = 0.0) -> dict[tuple[int, ...], np.ndarray]:
    """Probabilities (or rates) of each jump evaluated with NumPy at lattice ``sites``
    (arrays of physical coordinates per axis): the driver's run-time validity check."""
    import numpy as np

    from mcgen.model.numeric import numpy_function

    proc = plan.process
    out: dict[tuple[int, ...], np.ndarray] = {}
    syms = list(proc.coords) + [proc.t] + list(values)
    for k, v in proc.jumps.items():
        if not any(k):
            continue
        f = numpy_function(v, syms, where=f"the rate of the jump {k}")
        val = f(*sites, t, *values.values())
        out[k] = np.broadcast_to(np.asarray(val, dtype=float), np.shape(sites[0]))
    return out
