"""Certified coarse-grained schemes: rollout error of the learned TVD scheme against the catalogue
on the same coarse grid, and its TVD / maximum-principle / mass record over 10^4 steps.

For Burgers (f = u^2/2, u0 = 1 + 0.2 * smooth) and advection (f = u, u0 = smooth), at coarsening
factors 2, 4, 8: fine-grid solutions (van Leer flux-limited, Courant 0.45 / 0.5, 64 * factor
cells, 50 coarse steps) from random smooth initial data (4 Fourier modes) are block-averaged;
``coarse_scheme`` learns on 8 trajectories; errors are the L1 rollout errors (mean over cells and
steps, summed over 6 unseen trajectories) of

* the learned scheme (``width`` points per side),
* the best catalogue monotone scheme (Godunov = upwind here, Rusanov, Lax-Friedrichs),
* the best catalogue limiter (``mcgen.model.limiter.LIMITERS``: minmod, superbee, MC, van Leer,
  Koren, van Albada) in Sweby's fully discrete flux-limited scheme at the same dt (TVD, not
  monotone),

and, over 10^4 steps of the learned scheme from an unseen smooth initial state and from uniform
noise in the data range: the number of steps with a TV increase, the number of cell values outside
the initial [min, max], and the mass drift |sum u - sum u0| / sum |u0|.

    python bench/coarse_training.py            # widths 2 and 3, ~2 min on one free core
    python bench/coarse_training.py --widths 2 3 5 --factors 4
    python bench/coarse_training.py --cases burgers --factors 4 --unroll 50   # rollout-refined
    python bench/coarse_training.py --kernel ...   # also: seconds to build the C kernel

``--unroll K`` refines the fit on K-step rollouts of the learned scheme (projected Gauss-Newton
in the box); ``--kernel`` adds the wall time of ``Simulation(cs.scheme, backend="c")`` (code
generation and compilation, no cache) and the kernel's largest deviation from the NumPy rollout
over 200 steps.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import sympy as sp

from mcgen.model.limiter import LIMITERS, as_limiter
from mcgen.train.coarse_scheme import U, block_average, coarse_scheme, total_variation

CASES = {
    "advection": (U, lambda u: u, lambda u: np.ones_like(u), 0.5, lambda n, r: smooth(n, r)),
    "burgers": (U ** 2 / 2, lambda u: u ** 2 / 2, lambda u: u, 0.45,
                lambda n, r: 1 + 0.2 * smooth(n, r)),
}


def smooth(n: int, rng: np.random.Generator, modes: int = 4) -> np.ndarray:
    x = (np.arange(n) + 0.5) / n
    return sum(rng.normal() / m * np.sin(2 * np.pi * m * x + rng.uniform(0, 2 * np.pi))
               for m in range(1, modes + 1))


def sweby_step(u, lam, f, fp, phi):
    """One step of Sweby's flux-limited scheme (upwind + limited Lax-Wendroff, f' >= 0);
    phi = 0 is Godunov (upwind)."""
    up = np.roll(u, -1)
    du = up - u
    a = np.where(np.abs(du) < 1e-14, fp(u), (f(up) - f(u)) / np.where(du == 0, 1, du))
    th = np.where(du == 0, 0.0, np.roll(du, 1) / np.where(du == 0, 1, du))
    F = f(u) + phi(th) * 0.5 * a * (1 - lam * a) * du
    return u - lam * (F - np.roll(F, 1))


def monotone_step(u, lam, f, fp, kind):
    up = np.roll(u, -1)
    if kind == "godunov":
        F = f(u) * np.ones_like(u)
    elif kind == "rusanov":
        F = (f(u) + f(up)) / 2 - np.maximum(np.abs(fp(u)), np.abs(fp(up))) * (up - u) / 2
    else:
        F = (f(u) + f(up)) / 2 - (up - u) / (2 * lam)
    return u - lam * (F - np.roll(F, 1))


def fine_run(u0, steps, lam, f, fp):
    van_leer = as_limiter("van_leer").numpy()
    us = [u0]
    for _ in range(steps):
        us.append(sweby_step(us[-1], lam, f, fp, van_leer))
    return np.array(us)


def rollout_error(step, ref):
    u, e = ref[0], 0.0
    for n in range(1, ref.shape[0]):
        u = step(u)
        e += float(np.abs(u - ref[n]).mean())
    return e


def long_record(cs, u, steps=10 ** 4):
    lo, hi, mass, tv = u.min(), u.max(), u.sum(), total_variation(u)
    scale = float(np.abs(u).sum())        # drift relative to sum |u| (the mass may be ~0)
    tv_up = outside = 0
    for _ in range(steps):
        u = cs.step(u)
        t = total_variation(u)
        tv_up += t > tv + 1e-12
        outside += int(((u > hi + 1e-12) | (u < lo - 1e-12)).sum())
        tv = t
    return tv_up, outside, abs(u.sum() - mass) / scale


def kernel_record(cs, u0):
    """(seconds to build the C kernel through Simulation, max |kernel - NumPy| over 200
    steps)."""
    import os
    import tempfile

    from mcgen.run import Simulation
    with tempfile.TemporaryDirectory() as cache:
        old = os.environ.get("MCGEN_CACHE_DIR")
        os.environ["MCGEN_CACHE_DIR"] = cache
        try:
            t0 = time.perf_counter()
            sim = Simulation(cs.scheme, (u0.size, (0.0, 1.0)), u0, dt=cs.dt, backend="c",
                             data_range=cs.data_range, progress=False)
            built = time.perf_counter() - t0
            sim.run(200 * cs.dt)
        finally:
            if old is None:
                os.environ.pop("MCGEN_CACHE_DIR")
            else:
                os.environ["MCGEN_CACHE_DIR"] = old
    return built, float(np.abs(sim.u - cs.step(u0, 200)).max())


def run(case, factor, widths, nc=64, steps=50, seed=0, unroll=0, kernel=False):
    flux, f, fp, lam, ic = CASES[case]
    rng = np.random.default_rng(seed)
    nf = nc * factor
    train = [fine_run(ic(nf, rng), steps * factor, lam, f, fp) for _ in range(8)]
    tests = [block_average(fine_run(ic(nf, rng), steps * factor, lam, f, fp)[::factor], factor)
             for _ in range(6)]
    mono = {k: sum(rollout_error(lambda u, k=k: monotone_step(u, lam, f, fp, k), r)
                   for r in tests) for k in ("godunov", "rusanov", "lax_friedrichs")}
    phis = {k: as_limiter(k).numpy() for k in LIMITERS}
    lims = {k: sum(rollout_error(lambda u, p=p: sweby_step(u, lam, f, fp, p), r)
                   for r in tests) for k, p in phis.items()}
    best_m = min(mono, key=mono.get)
    best_l = min(lims, key=lims.get)
    rows = []
    for w in widths:
        t0 = time.perf_counter()
        cs = coarse_scheme(train, 1 / nf, lam / nf, factor, flux, width=w, unroll=unroll)
        t_fit = time.perf_counter() - t0
        err = sum(rollout_error(cs.step, r) for r in tests)
        lo, hi = cs.data_range
        smooth_rec = long_record(cs, np.clip(tests[0][0], lo, hi))
        rough_rec = long_record(cs, lo + (hi - lo) * rng.uniform(size=nc))
        krec = kernel_record(cs, np.clip(tests[0][0], lo, hi)) if kernel else None
        rows.append((case, factor, w, cs.basis.size, t_fit, err, mono[best_m], best_m,
                     lims[best_l], best_l, smooth_rec, rough_rec,
                     cs.certificate.status, krec))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--widths", type=int, nargs="+", default=[2, 3])
    ap.add_argument("--factors", type=int, nargs="+", default=[2, 4, 8])
    ap.add_argument("--cases", nargs="+", default=list(CASES))
    ap.add_argument("--unroll", type=int, default=0)
    ap.add_argument("--kernel", action="store_true")
    args = ap.parse_args()
    print("| case | factor | width | coeffs | fit s | L1 learned | best monotone | ratio | "
          "best limiter | ratio | TV up / outside / mass drift (smooth; noise), 10^4 steps | "
          "certificate |" + (" C kernel build s / max diff |" if args.kernel else ""))
    print("|---" * (13 if args.kernel else 12) + "|")
    for case in args.cases:
        for factor in args.factors:
            for r in run(case, factor, args.widths, unroll=args.unroll, kernel=args.kernel):
                (c, fa, w, n, tf, e, em, km, el, kl, (s1, s2, s3), (r1, r2, r3), st, kr) = r
                kt = f" {kr[0]:.1f} / {kr[1]:.1e} |" if kr else ""
                print(f"| {c} | {fa} | {w} | {n} | {tf:.1f} | {e:.4f} | {em:.4f} ({km}) | "
                      f"{em / e:.2f} | {el:.4f} ({kl}) | {el / e:.2f} | {s1} / {s2} / {s3:.1e}; "
                      f"{r1} / {r2} / {r3:.1e} | {st} |{kt}", flush=True)
    print(f"sympy {sp.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
