"""Monte Carlo front-end: interacting particle systems on a 1-D lattice, from a ``ParticleSystem``.

One IR kernel advances ``R`` independent replicas of ``L`` sites (occupations ``occ[r*L + i]``).

- ``random_sequential`` and ``continuous`` updates are one uniformised event loop: an attempt
  picks one of ``ns = L*K + B`` slots uniformly (K moves a site, B reservoir events) and performs
  the move with probability ``rate / rmax`` (``rmax`` bounds every rate). That is the embedded
  jump chain of the continuous-time process; ``continuous`` draws an exponential holding time of
  rate ``ns * rmax`` per attempt (exact continuous-time dynamics), ``random_sequential`` counts
  time as attempts / (ns * rmax) (``L`` attempts a unit of time for TASEP). When every rate is
  the same constant the acceptance draw is not generated at all.
- ``parallel``: every site at once, each step, from the configuration at the start of the step;
  the declared rates are then probabilities per step. For exclusion this is generated for a single
  move by +-1, where no two particles can target the same site.

Rates are SymPy expressions of ``n_from`` and ``n_to`` compiled into the loop. For exclusion the
rule is applied as "move if the departure site is occupied and the target empty", with the rate
at ``(n_from, n_to) = (1, 0)``. Zero-range and local moves need ``n_from > 0``. A rate that
reads ``n_behind`` / ``n_ahead`` (nearest-neighbour interaction, on a ring) loads those two sites
only inside the move that needs them.

Open boundaries (``boundary="open"``) take reservoir rates ``alpha`` (entry at site 0), ``beta``
(exit from site L-1), ``gamma`` (exit from site 0) and ``delta`` (entry at site L-1), each an
event with that rate (entries need an empty site under exclusion; exits an occupied one).

Integrated currents: bond ``m`` separates site ``m-1`` from site ``m`` (on a ring bond 0 joins
L-1 and 0, L bonds; on an open segment bonds 0..L include the two reservoir bonds). A move
adds +1 to every bond it crosses to the right and -1 to every bond it crosses to the left.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
from mcgen.codegen.montecarlo_frontend import param_arg_names
from mcgen.codegen.rng import CounterStream
from mcgen.codegen.sympy_to_ir import sympy_to_ir
from mcgen.errors import CodegenError, ModelError
from mcgen.model.particle_system import ParticleSystem
from mcgen.model.symbols import N_AHEAD, N_BEHIND, N_FROM, N_TO

RESERVOIRS = ("alpha", "beta", "gamma", "delta")

PARTICLE_ARGS = (
    Arg("occ", "i64", True, "inout"),    # occupations, replica r site i at [r*L + i]
    Arg("old", "i64", True, "inout"),    # scratch: the configuration at the start of a step
    Arg("clock", "f64", True, "inout"),  # each replica's time (continuous update)
    Arg("ctr", "i64", True, "inout"),    # each replica's draw counter (RNG position)
    Arg("att", "i64", True, "inout"),    # attempted moves per replica
    Arg("cur", "i64", True, "inout"),    # integrated current through bond m at [r*nbond + m]
    Arg("viol", "i64", True, "inout"),   # attempts whose rate exceeded rmax (must stay 0)
    Arg("n_rep", "i64"),
    Arg("L", "i64"),
    Arg("nbond", "i64"),
    Arg("n_iter", "i64"),                # attempts (sequential), at most this many (continuous),
                                         # or steps (parallel)
    Arg("t_end", "f64"),
    Arg("seed", "u64"),
    Arg("rmax", "f64"),
    Arg("ns", "i64"),                    # number of slots L*K + B of the uniformised chain
    Arg("rep0", "i64"),                  # global index of replica 0: replica r draws from RNG
                                         # stream rep0 + r, so a split ensemble draws the same
)


@dataclass(frozen=True)
class ParticleKernelPlan:
    """The generated particle kernel and what a driver needs to call it."""

    kernel: Kernel
    system: ParticleSystem
    offsets: tuple[int, ...]
    site_rates: tuple[sp.Expr, ...]       # per offset, as the kernel evaluates it
    reservoirs: tuple[tuple[str, sp.Expr], ...]
    param_args: tuple[tuple[sp.Symbol, str], ...]
    constant_rate: float | None           # every rate equals this constant: no acceptance draw
    currents: bool

    @property
    def update(self) -> str:
        return self.system.update

    @property
    def periodic(self) -> bool:
        return self.system.boundary == "periodic"

    def n_slots(self, L: int) -> int:
        return L * len(self.offsets) + len(self.reservoirs)

    def n_bonds(self, L: int) -> int:
        return L if self.periodic else L + 1


def _load(array: str, index: Expr, type_: str = "f64") -> Load:
    # indices are non-negative by construction: an unsigned index lets numba skip its
    # negative-index wraparound test on every access (C and LLVM are unaffected)
    return Load(array, Cast(index, "u64"), type_)


def _store(array: str, index: Expr, value: Expr) -> Store:
    return Store(array, Cast(index, "u64"), value)


def _i(v: int) -> Const:
    return Const(int(v), "i64")


def _add(a: Expr, b: Expr) -> Expr:
    return BinOp("+", a, b, "i64")


def _sub(a: Expr, b: Expr) -> Expr:
    return BinOp("-", a, b, "i64")


def _and(a: Expr, b: Expr) -> Expr:
    return BinOp("&", a, b, "bool")


def site_rate(system: ParticleSystem, offset: int) -> sp.Expr:
    """The rate the kernel evaluates for a move (exclusion: at n_from = 1, n_to = 0)."""
    r = system.rates[offset]
    if system.kind == "exclusion":
        return sp.simplify(r.subs({N_FROM: 1, N_TO: 0}))
    return r


def particle_kernel(system: ParticleSystem, currents: bool = True, parallel: bool = False,
                    name: str = "particles") -> ParticleKernelPlan:
    """Build the IR kernel that advances replicas of ``system`` (see the module docstring).

    Parameters
    ----------
    currents : accumulate integrated currents through every bond.
    parallel : thread the loop over replicas (one RNG stream a replica: results unchanged).
    """
    if not isinstance(system, ParticleSystem):
        raise ModelError(f"particle kernels are compiled from a ParticleSystem, not "
                         f"{type(system).__name__}")
    offsets = tuple(sorted(system.rates))
    rates = tuple(site_rate(system, k) for k in offsets)
    res = []
    for key in (system.reservoirs or {}):
        if key not in RESERVOIRS:
            raise ModelError(f"reservoir rate {key!r}: use {RESERVOIRS} (entry left, exit "
                             "right, exit left, entry right)")
    if system.boundary == "periodic" and any(sp.sympify(v) != 0 for v in
                                             (system.reservoirs or {}).values()):
        raise ModelError("reservoir rates act only at open ends: use boundary='open' (or drop "
                         "reservoirs= on a ring)")
    if system.boundary == "open":
        assert system.reservoirs is not None  # ParticleSystem requires them at open ends
        res = [(k, sp.sympify(system.reservoirs[k])) for k in RESERVOIRS
               if k in system.reservoirs and sp.sympify(system.reservoirs[k]) != 0]
    exclusion = system.kind == "exclusion"
    if system.update == "parallel" and exclusion and (len(offsets) != 1 or abs(offsets[0]) != 1):
        raise CodegenError(f"parallel update of exclusion with moves {offsets}: generated for a "
                           "single move by +1 or -1 (no two particles may target one site); use "
                           "update='random_sequential' or 'continuous' for other moves")
    # a finite occupancy bound other than exclusion's: moves and entries into a full site are
    # blocked (random-sequential and continuous updates only: in parallel two could collide)
    cap = system.max_occupancy if not exclusion else None
    if cap is not None and system.update == "parallel":
        raise CodegenError(f"parallel update with max_occupancy={cap}: two particles could "
                           "enter one full site at once; use update='random_sequential' or "
                           "'continuous'")
    params = param_arg_names(system.params)
    pnames: dict[sp.Symbol, Expr] = {s: Var(n) for s, n in params}

    everything = list(rates) + [v for _, v in res]
    constant = None
    if all(v.is_number for v in everything) and len({float(v) for v in everything}) == 1 \
            and system.update != "parallel":
        constant = float(everything[0])
        if constant <= 0:
            raise ModelError("every rate is zero: nothing moves")

    r, it, i = Var("r", "i64"), Var("it", "i64"), Var("i", "i64")
    base, cbase = Var("base", "i64"), Var("cbase", "i64")
    nf, nt, jt = Var("nf", "i64"), Var("nt", "i64"), Var("jt", "i64")
    si, kk, bb = Var("si", "i64"), Var("kk", "i64"), Var("bb", "i64")
    nd, na, nv = Var("nd", "i64"), Var("na", "i64"), Var("nv", "i64")
    nbh, nah = Var("nbh", "i64"), Var("nah", "i64")
    u, rate, clk, tau, cum = Var("u"), Var("rate"), Var("clk"), Var("tau"), Var("cum")
    Lv = Var("L", "i64")
    rng = CounterStream("rng")
    K = len(offsets)

    def occ(idx: Expr) -> Expr:
        return _load("occ", _add(base, idx), "i64")

    def bump(idx: Expr, d: int) -> Stmt:
        return _store("occ", _add(base, idx), _add(occ(idx), _i(d)))

    def cur_add(bond: Expr, d: int | Expr) -> list[Stmt]:
        if not currents:
            return []
        at = _add(cbase, bond)
        inc = _i(d) if isinstance(d, int) else d
        return [_store("cur", at, _add(_load("cur", at, "i64"), inc))]

    def wrap(e: Expr, sign: int = 0) -> Expr:
        """``e`` modulo L for e in (-L, 2L); ``sign`` > 0 (< 0) when e cannot be negative
        (cannot reach L), so one comparison is generated instead of two."""
        up = Select(Cmp(">=", e, Lv), _sub(e, Lv), e, "i64")
        down = Select(Cmp("<", e, _i(0)), _add(e, Lv), e, "i64")
        if sign > 0:
            return up
        if sign < 0:
            return down
        return Select(Cmp(">=", e, Lv), _sub(e, Lv), down, "i64")

    def crossings(k: int, amount: Expr | None = None) -> list[Stmt]:
        """Currents of a move from site i by k: bonds i+1..i+k (right) or i..i+k+1 (left),
        each changed by ``amount`` (default +-1 with the direction of the move)."""
        out: list[Stmt] = []
        bonds = range(1, k + 1) if k > 0 else range(0, k, -1)
        d: int | Expr = (1 if k > 0 else -1) if amount is None else \
            (amount if k > 0 else BinOp("-", _i(0), amount, "i64"))
        for m in bonds:
            b = _add(i, _i(m))
            if m == 0 or system.boundary != "periodic":
                out += cur_add(i if m == 0 else b, d)
            else:
                out += cur_add(wrap(b, 1 if m > 0 else -1), d)
        return out

    def rate_ir(expr: sp.Expr) -> Expr:
        names = dict(pnames)
        names[N_FROM] = Cast(nf, "f64")
        names[N_TO] = Cast(nt, "f64")
        names[N_BEHIND] = Cast(nbh, "f64")
        names[N_AHEAD] = Cast(nah, "f64")
        return sympy_to_ir(expr, names)

    def draw(out: Var) -> list[Stmt]:
        return rng.uniform(out) + [Assign(nd, _add(nd, _i(1)))]

    def accept_then(expr: sp.Expr, then: list[Stmt]) -> list[Stmt]:
        """Perform ``then`` with probability rate/rmax (always, when all rates are equal)."""
        if constant is not None:
            return then
        out: list[Stmt] = [Assign(rate, rate_ir(expr))]
        if system.kind != "exclusion":
            out.append(Assign(nv, _add(nv, Cast(Cmp(">", rate, Var("rmax")), "i64"))))
        out += draw(u)
        out.append(If(Cmp("<", BinOp("*", u, Var("rmax")), rate), tuple(then)))
        return out

    def target(k: int) -> tuple[list[Stmt], Expr | None]:
        """Set jt to i + k (wrapped on a ring); on a segment also return 'inside'."""
        stm: list[Stmt] = [Assign(jt, _add(i, _i(k)))]
        if system.boundary == "periodic":
            # the wrap is taken once in about L/|k| attempts: a branch predicts it well and
            # keeps it off the dependency chain of the target's load (a select would not)
            if k > 0:
                stm.append(If(Cmp(">=", jt, Lv), (Assign(jt, _sub(jt, Lv)),)))
            else:
                stm.append(If(Cmp("<", jt, _i(0)), (Assign(jt, _add(jt, Lv)),)))
            return stm, None
        return stm, _and(Cmp(">=", jt, _i(0)), Cmp("<", jt, Lv))

    def move(k: int, simultaneous: bool = False) -> list[Stmt]:
        if simultaneous:  # parallel update: others may have changed occ[i], occ[jt] this step
            return [bump(i, -1), bump(jt, +1)] + crossings(k)
        # nf and nt hold the occupations of i and jt (distinct sites: 0 < |k| < L)
        return [_store("occ", _add(base, i), _sub(nf, _i(1))),
                _store("occ", _add(base, jt), _add(nt, _i(1)))] + crossings(k)

    def site_event(j: int) -> list[Stmt]:
        k, expr = offsets[j], rates[j]
        stm, inside = target(k)
        ok = Cmp("==", nf, _i(1)) if exclusion else Cmp(">", nf, _i(0))
        inner: list[Stmt] = [Assign(nt, occ(jt))]
        if expr.free_symbols & {N_BEHIND, N_AHEAD}:
            # on a ring (ParticleSystem refuses other boundaries): x - s and x + k + s wrapped
            sg = 1 if k > 0 else -1
            inner += [Assign(nbh, occ(wrap(_sub(i, _i(sg)), -sg))),
                      Assign(nah, occ(wrap(_add(jt, _i(sg)), sg)))]
        cond = _and(ok, Cmp("==", nt, _i(0))) if exclusion else ok
        if cap is not None:
            cond = _and(ok, Cmp("<", nt, _i(cap)))
        if constant is not None:
            # every attempt whose rule allows the move performs it: write the occupations
            # branch-free (m = 0 or 1), so a random accept/reject costs no branch mispredict
            m = Var("mv", "i64")
            inner += [Assign(m, Cast(cond, "i64")),
                      _store("occ", _add(base, i), _sub(nf, m)),
                      _store("occ", _add(base, jt), _add(nt, m)), *crossings(k, m)]
        else:
            inner.append(If(cond, tuple(accept_then(expr, move(k)))))
        if inside is not None:
            stm.append(If(inside, tuple(inner)))
        else:
            stm += inner
        return stm

    last = _sub(Lv, _i(1))

    def reservoir_event(key: str, expr: sp.Expr,
                        old_too: bool = False) -> tuple[list[If], sp.Expr]:
        site = _i(0) if key in ("alpha", "gamma") else last
        bond = _i(0) if key in ("alpha", "gamma") else Lv
        entry = key in ("alpha", "delta")
        sign = 1 if key in ("alpha", "beta") else -1
        if entry:
            cond: Expr = Cmp("==", occ(site), _i(0)) if exclusion else Const(True, "bool")
            if cap is not None:
                cond = Cmp("<", occ(site), _i(cap))
            if old_too and exclusion:
                cond = _and(cond, Cmp("==", _load("old", _add(base, site), "i64"), _i(0)))
            then = [bump(site, +1)] + cur_add(bond, sign)
        else:
            cond = Cmp(">", occ(site), _i(0))
            if old_too:
                cond = _and(cond, Cmp(">", _load("old", _add(base, site), "i64"), _i(0)))
            then = [bump(site, -1)] + cur_add(bond, sign)
        return [If(cond, tuple(then))], expr

    # ------------------------------------------------------------ sequential / continuous
    def sequential_attempt() -> list[Stmt]:
        s: list[Stmt] = rng.below(Var("slot", "u64"), Cast(Var("ns", "i64"), "u64"))
        # the slot draw is counted by na (attempts); nd counts every other draw
        s += ([] if count_attempts_after else [Assign(na, _add(na, _i(1)))]) + [
              Assign(si, Cast(Var("slot", "u64"), "i64"))]
        if K == 1:
            site: list[Stmt] = [Assign(i, si), Assign(nf, occ(i))] + site_event(0)
        else:
            site = [Assign(i, BinOp("//", si, _i(K), "i64")),
                    Assign(kk, _sub(si, BinOp("*", i, _i(K), "i64"))),
                    Assign(nf, occ(i))]
            for j in range(K):
                site.append(If(Cmp("==", kk, _i(j)), tuple(site_event(j))))
        if not res:
            return s + site
        bnd: list[Stmt] = [Assign(bb, _sub(si, BinOp("*", Lv, _i(K), "i64")))]
        for j, (key, expr) in enumerate(res):
            ev, ex = reservoir_event(key, expr)
            guarded = [If(ev[0].cond, tuple(accept_then(ex, list(ev[0].then))))]
            bnd.append(If(Cmp("==", bb, _i(j)), tuple(guarded)))
        return s + [If(Cmp("<", si, BinOp("*", Lv, _i(K), "i64")), tuple(site), tuple(bnd))]

    # ------------------------------------------------------------ parallel
    def parallel_step() -> list[Stmt]:
        s: list[Stmt] = [For(i, _i(0), Lv, (_store("old", _add(base, i), occ(i)),))]
        body: list[Stmt] = [Assign(nf, _load("old", _add(base, i), "i64"))] + rng.uniform(u) + \
            [Assign(na, _add(na, _i(1)))]  # one draw a site, counted by na
        ok = Cmp("==", nf, _i(1)) if exclusion else Cmp(">", nf, _i(0))
        inner: list[Stmt] = [Assign(cum, Const(0.0))]
        for j, k in enumerate(offsets):
            stm, inside = target(k)
            step: list[Stmt] = [Assign(nt, _load("old", _add(base, jt), "i64")),
                                Assign(rate, rate_ir(rates[j]))]
            if exclusion:
                step[1] = Assign(rate, Select(Cmp("==", nt, _i(0)), rate_ir(rates[j]),
                                              Const(0.0)))
            # the move by k happens when cum <= u < cum + rate (one uniform, disjoint events)
            step.append(If(_and(Cmp(">=", u, cum), Cmp("<", u, BinOp("+", cum, rate))),
                           tuple(move(k, simultaneous=True))))
            step.append(Assign(cum, BinOp("+", cum, rate)))
            if inside is not None:
                stm.append(If(inside, tuple(step)))
            else:
                stm += step
            inner += stm
        inner.append(Assign(nv, _add(nv, Cast(Cmp(">", cum, Const(1.0)), "i64"))))
        body.append(If(ok, tuple(inner)))
        s.append(For(i, _i(0), Lv, tuple(body)))
        for key, expr in res:
            ev, ex = reservoir_event(key, expr, old_too=True)
            s += draw(u)
            s.append(If(Cmp("<", u, sympy_to_ir(ex, pnames)), tuple(ev)))
        return s

    # random-sequential: every iteration is one attempt, counted once after the loop
    count_attempts_after = system.update == "random_sequential"
    if system.update == "parallel":
        loop: tuple[Stmt, ...] = tuple(parallel_step())
    elif system.update == "random_sequential":
        loop = tuple(sequential_attempt())
    else:
        lam_total = BinOp("*", Cast(Var("ns", "i64"), "f64"), Var("rmax"))
        loop = (If(Cmp("<", clk, Var("t_end")), tuple(
            rng.exponential(tau) + [
                Assign(nd, _add(nd, _i(1))),
                Assign(clk, BinOp("+", clk, BinOp("/", tau, lam_total))),
                If(Cmp("<", clk, Var("t_end")), tuple(sequential_attempt())),
                Assign(clk, BinOp("min", clk, Var("t_end"))),
            ])),)

    init: list[Stmt] = [
        Assign(base, BinOp("*", r, Lv, "i64")),
        Assign(cbase, BinOp("*", r, Var("nbond", "i64"), "i64")),
        Assign(clk, _load("clock", r)), Assign(nd, _i(0)), Assign(na, _i(0)),
        Assign(nv, _i(0)), Assign(u, Const(0.0)), Assign(rate, Const(0.0)),
        Assign(tau, Const(0.0)), Assign(cum, Const(0.0)),
        Assign(i, _i(0)), Assign(jt, _i(0)), Assign(nf, _i(0)), Assign(nt, _i(0)),
        Assign(si, _i(0)), Assign(kk, _i(0)), Assign(bb, _i(0)),
        Assign(Var("slot", "u64"), Const(0, "u64")),
    ]
    if system.neighbours:  # declared only where read: other kernels stay as they were
        init += [Assign(nbh, _i(0)), Assign(nah, _i(0))]
    init += rng.start(Var("seed", "u64"), Cast(_add(Var("rep0", "i64"), r), "u64"),
                      Cast(_load("ctr", r, "i64"), "u64"))
    fini: list[Stmt] = [Assign(na, Var("n_iter", "i64"))] if count_attempts_after else []
    fini += [
        _store("clock", r, clk),
        _store("ctr", r, _add(_load("ctr", r, "i64"), _add(nd, na))),
        _store("att", r, _add(_load("att", r, "i64"), na)),
        _store("viol", r, _add(_load("viol", r, "i64"), nv)),
    ]
    body = (For(r, _i(0), Var("n_rep", "i64"), tuple(
        init + [For(it, _i(0), Var("n_iter", "i64"), loop)] + fini), parallel=parallel),)
    # the call contract (mcgen.codegen.call_checks): per replica one value, L sites, the bonds
    nrep, i64 = Var("n_rep", "i64"), "i64"
    sites = BinOp("*", nrep, Lv, i64)
    lengths = {"occ": sites, "cur": BinOp("*", nrep, Var("nbond", i64), i64),
               "old": sites if system.update == "parallel" else None}
    particle_args = tuple(replace(a, length=lengths.get(a.name, nrep)) if a.array else a
                          for a in PARTICLE_ARGS)
    bonds = Lv if system.boundary == "periodic" else BinOp("+", Lv, _i(1), i64)
    slots = BinOp("+", BinOp("*", Lv, _i(len(offsets)), i64), _i(len(res)), i64)
    requires = (Cmp(">=", nrep, _i(0)), Cmp(">=", Lv, _i(1)), Cmp(">=", Var("nbond", i64), bonds),
                Cmp(">=", Var("n_iter", i64), _i(0)), Cmp(">=", Var("ns", i64), _i(0)),
                Cmp("<=", Var("ns", i64), slots))
    args = particle_args + tuple(Arg(n) for _, n in params)
    doc = f"Replicas of {system.describe()}."
    kernel = Kernel(ident(name), args, body, doc=doc,
                    meta={"model_hash": system.hash, "front_end": "particles"},
                    requires=requires)
    return ParticleKernelPlan(kernel, system, offsets, rates, tuple(res), params, constant,
                              currents)
