"""Time the exact region analyses on random stencils no one here wrote (issue 12).

Median CPU time (time.process_time) of von_neumann() + positivity_region() per model, on one core:

* one-parameter 1-D stencils (radius 1-3, weights polynomial of degree <= 2 in nu, rational
  coefficients; target < 1 s);
* two-parameter 1-D stencils (radius 1-2, weights in nu, mu, nu*mu, nu^2, mu^2; target < 10 s),
  random and named (upwind/Lax-Wendroff with diffusion, hyperdiffusion, fourth-order stencils);
* the 2-D catalogue schemes (Lax-Friedrichs, unsplit Lax-Wendroff, five-point heat, donor cell;
  target < 10 s);
* ``--implicit``: exact positivity of implicit Crank-Nicolson / theta-method heat schemes whose
  end point is transcendental (five- and nine-point in 2-D, a mixed derivative, seven-point in
  3-D): CPU seconds of
  positivity_region() and of recheck() after a JSON round trip, and the end point found.
* exact positivity (positivity_region() alone) of two implicit schemes with three roots of
  z^L A(z) on one side of the unit circle.

Every run starts from empty memo tables (the analyses cache results per scheme). Prints a table
and the status counts. Usage: ``python bench/proofs_timing.py [--n 20] [--seed 0]``;
``--statuses 200`` instead counts the L2 statuses of 200 random two-parameter radius-2 stencils
and which exact decision gave each, ``--statuses-2d 40`` those of random one-parameter 3 x 3
stencils (2-D; ``--two 12`` adds two-parameter ones); ``--only-2d --repeats 3`` times only the
2-D catalogue; ``--implicit --repeats 3`` only the implicit heat schemes.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from collections import Counter
from typing import Any

import sympy as sp

from mcgen.analysis import positivity
from mcgen.analysis import von_neumann as vn_mod
from mcgen.analysis.positivity import positivity_region
from mcgen.analysis.von_neumann import von_neumann
from mcgen.errors import AnalysisError
from mcgen.model.catalogue import linear as cat
from mcgen.model.read import Field
from mcgen.model.scheme import Scheme
from mcgen.proof import cad2, sturm

U = Field("u")
NU, MU = sp.symbols("nu mu", real=True)
RAT = [sp.Rational(k, d) for k in range(-3, 4) for d in (1, 2, 4)]


def _clear() -> None:
    for table in (vn_mod._RESULTS, positivity._RESULTS, sturm._MEMO, sturm._CACHE,
                  cad2._MEMO, cad2._POLYS, cad2._ALGEBRAIC, cad2._COMPILED):
        table.clear()


def one_param(rng: random.Random) -> Scheme:
    radius = rng.choice([1, 2, 3])
    w = {k: sum(rng.choice(RAT) * NU**j for j in range(3)) for k in range(-radius, radius + 1)
         if k != 0 and rng.random() < 0.7}
    w[0] = 1 - sum(w.values())
    return Scheme(("u",), 1, {"u": sum(wk * U[k] for k, wk in w.items())}, params=(NU,))


def two_param(rng: random.Random, radius: int | None = None) -> Scheme:
    radius = radius or rng.choice([1, 2])
    mons = (NU, MU, NU * MU, NU**2, MU**2)
    w = {k: sum(rng.choice(RAT[5:16]) * m for m in mons[:rng.randint(2, 5)])
         for k in range(-radius, radius + 1) if k != 0 and rng.random() < 0.7}
    w[0] = 1 - sum(w.values())
    return Scheme(("u",), 1, {"u": sum(wk * U[k] for k, wk in w.items())}, params=(NU, MU))


def named_two_param() -> list[tuple[str, Scheme]]:
    """Two-parameter 1-D stencils with known regions (the plane decomposition's cases)."""
    nu, r = sp.Symbol("nu", real=True), sp.Symbol("r", nonnegative=True)
    nn = sp.Symbol("nu", nonnegative=True)
    d2 = U[1] - 2 * U[0] + U[-1]
    c4 = -U[2] + 8 * U[1] - 8 * U[-1] + U[-2]
    d4 = -U[2] + 16 * U[1] - 30 * U[0] + 16 * U[-1] - U[-2]
    hyper = U[2] - 4 * U[1] + 6 * U[0] - 4 * U[-1] + U[-2]
    lw = U[0] - nu / 2 * (U[1] - U[-1]) + nu**2 / 2 * d2
    return [
        ("upwind + diffusion", cat.LINEAR_SCHEMES["upwind_advection_diffusion"]()
         if "upwind_advection_diffusion" in cat.LINEAR_SCHEMES else
         Scheme(("u",), 1, {"u": U[0] - nn * (U[0] - U[-1]) + r * d2}, params=(nn, r))),
        ("Lax-Wendroff + diffusion", Scheme(("u",), 1, {"u": lw + r * d2}, params=(nu, r))),
        ("upwind + hyperdiffusion", Scheme(("u",), 1, {"u": U[0] - nn * (U[0] - U[-1])
                                                       - r * hyper}, params=(nn, r))),
        ("upwind + 4th-order diffusion", Scheme(("u",), 1, {"u": U[0] - nn * (U[0] - U[-1])
                                                            + r * d4 / 12}, params=(nn, r))),
        ("4th-order central + diffusion", Scheme(("u",), 1, {"u": U[0] - nu / 12 * c4 + r * d2},
                                                 params=(nu, r))),
        ("4th-order central + 4th-order", Scheme(("u",), 1, {"u": U[0] - nu / 12 * c4
                                                             + r * d4 / 12}, params=(nu, r))),
    ]


def named_implicit() -> list[tuple[str, Scheme]]:
    """Implicit schemes whose exact positivity has three roots of z^L A(z) inside the unit
    circle (A at offsets -3..1: fourth-order upwind-biased advection with diffusion), by
    backward Euler and Crank-Nicolson (issue 12)."""
    nn = sp.Symbol("nu", nonnegative=True)
    d4u = {-3: sp.Rational(-1, 12), -2: sp.Rational(1, 2), -1: sp.Rational(-3, 2),
           0: sp.Rational(5, 6), 1: sp.Rational(1, 4)}

    def new(k: int) -> Any:
        return U.at(k, level=1)

    adv_new = sum(w * new(k) for k, w in d4u.items())
    adv_old = sum(w * U[k] for k, w in d4u.items())
    dif = new(1) - 2 * new(0) + new(-1)
    return [
        ("implicit D4u + diffusion, BE", Scheme(("u",), 1, {"u": sp.Eq(
            new(0) + nn * adv_new - dif, U[0])}, params=(nn,))),
        ("implicit D4u + diffusion, CN", Scheme(("u",), 1, {"u": sp.Eq(
            new(0) + nn / 2 * adv_new - dif, U[0] - nn / 2 * adv_old)}, params=(nn,))),
    ]


def timed(s: Scheme) -> tuple[float, str]:
    _clear()
    t0 = time.process_time()  # CPU seconds: the machine may be shared
    status = von_neumann(s).result.status
    try:
        positivity_region(s)
    except AnalysisError:
        pass
    return time.process_time() - t0, status


def how(d: Any) -> str:
    """Which exact decision gave the L2 region (from the derivation's check kinds)."""
    kinds = {st.check.kind for st in d.steps}
    for kind, word in (("plane_region", "plane cells"),
                       ("nonneg_on_segment_closed_form", "closed form (degree 2-3 in c)"),
                       ("plane_region_sufficient", "plane cells, bounds only"),
                       ("family_nonneg_region", "cells in one parameter"),
                       ("degree_at_most", "ends (degree <= 1 in c)"),
                       ("nonneg_on_segment", "Q free of the parameters")):
        if kind in kinds:
            return word
    return "necessary conditions and points only"


def _tally(make: Any, n: int, which: Any) -> tuple[Counter, list[float]]:
    """(status, deciding step) counts and CPU seconds of the L2 analysis of n models from
    ``make()``, each from empty memo tables; an exact empty region counts as "empty"."""
    counts: Counter = Counter()
    ts = []
    for _ in range(n):
        _clear()
        t0 = time.process_time()
        d = von_neumann(make())
        ts.append(time.process_time() - t0)
        st = d.result.status
        if st == "proved" and d.result.expr is sp.false:
            st = "empty"
        counts[(st, which(d))] += 1
    return counts, ts


def statuses(n: int, seed: int) -> None:
    """L2 status of n random two-parameter radius-2 stencils, and which decision gave it."""
    rng = random.Random(seed)
    counts, ts = _tally(lambda: two_param(rng, radius=2), n, how)
    for (st, word), k in sorted(counts.items()):
        print(f"{st:8s} {k:4d}  {word}")
    total: Counter = Counter()
    for (st, _), k in counts.items():
        total[st] += k
    print(f"{n} random two-parameter radius-2 stencils: {dict(total)}; L2 analysis CPU s "
          f"median {statistics.median(ts):.2f}, max {max(ts):.2f}")


def plane_stencil(rng: random.Random, quadratic: bool) -> Scheme:
    """A random one-parameter 3 x 3 stencil: 3-6 neighbours, weights a nu (+ b nu^2)."""
    u2 = Field("u", dim=2)
    nu = sp.Symbol("nu", nonnegative=True)
    offs = [k for k in itertools.product((-1, 0, 1), repeat=2) if k != (0, 0)]
    w = {k: sp.Rational(rng.randint(-1, 6), 4) * nu
         + (sp.Rational(rng.randint(-2, 2), 8) * nu**2 if quadratic else 0)
         for k in rng.sample(offs, rng.randint(3, 6))}
    body = sum(v * u2.at(*k) for k, v in w.items()) + (1 - sum(w.values())) * u2.at(0, 0)
    return Scheme(("u",), 2, {"u": body}, params=(nu,))


def plane_stencil_two(rng: random.Random) -> Scheme:
    """A random two-parameter 3 x 3 stencil: 3-5 neighbours, weights a nu_x + b nu_y."""
    u2 = Field("u", dim=2)
    nx, ny = sp.symbols("nu_x nu_y", nonnegative=True)
    offs = [k for k in itertools.product((-1, 0, 1), repeat=2) if k != (0, 0)]
    w = {k: sp.Rational(rng.randint(-1, 6), 4) * nx + sp.Rational(rng.randint(-1, 6), 4) * ny
         for k in rng.sample(offs, rng.randint(3, 5))}
    body = sum(v * u2.at(*k) for k, v in w.items()) + (1 - sum(w.values())) * u2.at(0, 0)
    return Scheme(("u",), 2, {"u": body}, params=(nx, ny))


def how_2d(d: Any) -> str:
    """Which decision gave a 2-D L2 region."""
    kinds = {st.check.kind for st in d.steps}
    reasons = " ".join(st.reason for st in d.steps)
    for test, word in ((lambda: "cosine_corners" in kinds, "corners (mirror-symmetric)"),
                       (lambda: "finitely many points" in reasons, "finitely many points"),
                       (lambda: "both ends of the necessary interval" in reasons,
                        "convex: ends of the necessary interval"),
                       (lambda: "affine_in_parameters" in kinds, "convex: end enclosed"),
                       (lambda: "sos_on_torus" in kinds, "SOS certificate"),
                       (lambda: "sufficient and necessary coincide" in reasons, "positivity")):
        if test():
            return word
    return "necessary conditions and points only"


def statuses_2d(n: int, seed: int, two: int = 0) -> None:
    """L2 status of n random one-parameter 3 x 3 stencils (weights affine in nu, then with a
    nu^2 term) and of ``two`` two-parameter ones, and which decision gave each."""
    for kind, count in (("affine", n), ("affine + quadratic", n), ("two parameters", two)):
        if not count:
            continue
        rng = random.Random(seed)
        counts, ts = _tally(lambda rng=rng, kind=kind: plane_stencil_two(rng)
                            if kind == "two parameters" else plane_stencil(rng, kind != "affine"),
                            count, how_2d)
        for (st, word), k in sorted(counts.items()):
            print(f"{kind:18s} {st:8s} {k:4d}  {word}")
        print(f"{count} random 3 x 3 stencils, weights {kind}: L2 analysis CPU s "
              f"median {statistics.median(ts):.2f}, max {max(ts):.2f}")


def implicit_heat() -> list[tuple[str, Scheme]]:
    """Crank-Nicolson / theta-method heat schemes with B = c I + d A (A five-, nine- or
    seven-point): their exact positivity regions end at transcendental roots."""
    r = sp.Symbol("r", nonnegative=True)
    out = []
    for dim, name, theta, k, lap in (
            (2, "2-D Crank-Nicolson, five-point", sp.Rational(1, 2), (1, 1), "five"),
            (2, "2-D Crank-Nicolson, nine-point", sp.Rational(1, 2), (1, 1), "nine"),
            (2, "2-D Crank-Nicolson, D_xy = 1/2", sp.Rational(1, 2), (1, 1), "rotated"),
            (3, "3-D Crank-Nicolson, seven-point", sp.Rational(1, 2), (1, 1, 1), "axes"),
            (3, "3-D theta = 3/4, k = (1, 2, 3)", sp.Rational(3, 4), (1, 2, 3), "axes")):
        u = Field("u", dim=dim)
        zero = (0,) * dim

        def laplacian(f: Any, lap: str = lap, k: tuple = k, zero: tuple = zero) -> Any:
            axes = [tuple(int(i == j) for i in range(len(zero))) for j in range(len(zero))]
            out = sum(kk * (f(*e) + f(*(-i for i in e)) - 2 * f(*zero))
                      for kk, e in zip(k, axes, strict=True))
            if lap == "nine":  # (1/6) [1 4 1; 4 -20 4; 1 4 1]
                corners = f(1, 1) + f(-1, -1) + f(1, -1) + f(-1, 1) - 4 * f(0, 0)
                out = (4 * out + corners) / 6
            if lap == "rotated":  # D = [[1, 1/2], [1/2, 1]] in M-matrix form
                out = (out + f(1, 1) + f(-1, -1) - 2 * f(0, 0)) / 2
            return out

        def new(*o: int, u: Field = u) -> Any:
            return u.at(*o, level=1)
        out.append((name, Scheme(("u",), dim, {"u": sp.Eq(
            new(*zero) - theta * r * laplacian(new),
            u.at(*zero) + (1 - theta) * r * laplacian(u.at))}, params=(r,), name=name)))
    return out


def implicit_timing(repeats: int) -> None:
    """CPU seconds of positivity_region (the first run, with SymPy's own caches cold, and the
    median) and of its recheck (after a JSON round trip)."""
    from mcgen.analysis import resolvent_positivity as rp
    from mcgen.analysis.implicit_positivity import implicit_operators
    from mcgen.proof.derivation import Derivation
    print(f"{'scheme':34s} {'derive s (first, median)':>24s} {'recheck s':>9s}  status  "
          "end point")
    for label, s in implicit_heat():
        derive, check = [], []
        for _ in range(repeats):
            _clear()
            t0 = time.process_time()
            d = positivity_region(s)
            derive.append(time.process_time() - t0)
            text = d.render("json")
            t0 = time.process_time()
            status = Derivation.from_json(text).recheck().status
            check.append(time.process_time() - t0)
        A, (B,) = implicit_operators(s)
        got = rp.decide(A, B, s.params[0])
        ends = [f"{float((a + b) / 2):.13f} (width {float(b - a):.0e})"
                for run in (got.runs if got else ()) for (a, b), _ in run.roots]
        print(f"{label:34s} {derive[0]:14.2f} {statistics.median(derive):9.2f} "
              f"{statistics.median(check):9.2f}  {d.result.status}/{status}  {', '.join(ends)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--statuses", type=int, default=0,
                    help="only count the L2 statuses of this many radius-2 two-parameter stencils")
    ap.add_argument("--only-2d", action="store_true",
                    help="only the 2-D catalogue schemes, each --repeats times")
    ap.add_argument("--repeats", type=int, default=1,
                    help="with --only-2d: time each scheme this many times (median and max)")
    ap.add_argument("--statuses-2d", type=int, default=0,
                    help="only count the L2 statuses of this many random one-parameter 3 x 3 "
                    "stencils")
    ap.add_argument("--implicit", action="store_true",
                    help="only the exact positivity of implicit 2-D and 3-D heat schemes")
    ap.add_argument("--two", type=int, default=0,
                    help="with --statuses-2d: also this many two-parameter 3 x 3 stencils")
    a = ap.parse_args()
    if a.statuses_2d:
        statuses_2d(a.statuses_2d, a.seed, a.two)
        return
    if a.implicit:
        implicit_timing(a.repeats)
        return
    if a.statuses:
        statuses(a.statuses, a.seed)
        return
    rng = random.Random(a.seed)
    rows = []
    if not a.only_2d:
        for label, make in (("1-D, one parameter", one_param),
                            ("1-D, two parameters", two_param)):
            res = [timed(make(rng)) for _ in range(a.n)]
            ts = [t for t, _ in res]
            rows.append((label, len(ts), statistics.median(ts), max(ts),
                         dict(Counter(s for _, s in res))))
        for label, s in named_two_param():
            t, st = timed(s)
            rows.append((label, 1, t, t, {st: 1}))
        for label, s in named_implicit():  # status: of the positivity region here
            _clear()
            t0 = time.process_time()
            st = positivity_region(s).result.status
            t = time.process_time() - t0
            rows.append((label, 1, t, t, {st: 1}))
    for name in ("lax_friedrichs_2d", "lax_wendroff_2d", "ftcs_heat_2d", "donor_cell_2d"):
        if name not in cat.LINEAR_SCHEMES:
            continue
        res = [timed(cat.LINEAR_SCHEMES[name]()) for _ in range(a.repeats if a.only_2d else 1)]
        ts = [t for t, _ in res]
        rows.append((f"2-D {name}", len(ts), statistics.median(ts), max(ts),
                     dict(Counter(s for _, s in res))))
    print(f"{'models':28s} {'n':>4s} {'median cpu s':>12s} {'max cpu s':>10s}  status")
    for label, n, med, mx, st in rows:
        print(f"{label:28s} {n:4d} {med:12.3f} {mx:10.3f}  {st}")


if __name__ == "__main__":
    main()
