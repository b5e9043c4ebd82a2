"""coarse_scheme: a learned TVD limiter reproduces fine-grid solutions on a 4x coarser grid
better than every catalogue monotone scheme, and keeps its certificate in long rollouts."""

import numpy as np
import pytest
import sympy as sp

from mcgen.train import DataError
from mcgen.train.coarse_scheme import U, block_average, coarse_scheme, total_variation


def smooth(n: int, rng: np.random.Generator, modes: int = 4) -> np.ndarray:
    x = (np.arange(n) + 0.5) / n
    return sum(rng.normal() / m * np.sin(2 * np.pi * m * x + rng.uniform(0, 2 * np.pi))
               for m in range(1, modes + 1))


def fine_run(u0, steps, lam, f, fp):
    """Fine-grid reference: MUSCL-type van Leer flux-limited scheme (independent code)."""
    us = [u0]
    for _ in range(steps):
        v = us[-1]
        vp = np.roll(v, -1)
        du = vp - v
        a = np.where(np.abs(du) < 1e-14, fp(v), (f(vp) - f(v)) / np.where(du == 0, 1, du))
        th = np.where(du == 0, 0.0, np.roll(du, 1) / np.where(du == 0, 1, du))
        phi = (th + np.abs(th)) / (1 + np.abs(th))
        F = f(v) + phi * 0.5 * a * (1 - lam * a) * du
        us.append(v - lam * (F - np.roll(F, 1)))
    return np.array(us)


def monotone_rollout(u, steps, lam, f, fp, kind):
    """Catalogue monotone schemes on the coarse grid (f' >= 0): Godunov (= upwind, =
    Engquist-Osher here), Rusanov, Lax-Friedrichs."""
    out = []
    for _ in range(steps):
        up = np.roll(u, -1)
        if kind == "godunov":
            F = f(u)
        elif kind == "rusanov":
            F = (f(u) + f(up)) / 2 - np.maximum(np.abs(fp(u)), np.abs(fp(up))) * (up - u) / 2
        else:
            F = (f(u) + f(up)) / 2 - (up - u) / (2 * lam)
        u = u - lam * (F - np.roll(F, 1))
        out.append(u)
    return out


CASES = {
    "advection": (U, lambda u: u, lambda u: np.ones_like(u), 0.5, lambda n, r: smooth(n, r)),
    "burgers": (U ** 2 / 2, lambda u: u ** 2 / 2, lambda u: u, 0.45,
                lambda n, r: 1 + 0.2 * smooth(n, r)),
}


@pytest.mark.parametrize("case", ["advection", "burgers"])
def test_factor_4_beats_best_monotone_scheme_2x(case):
    flux, f, fp, lam, ic = CASES[case]
    factor, rng = 4, np.random.default_rng(0)
    nf = 64 * factor
    dx = 1 / nf
    steps = 50 * factor
    train = [fine_run(ic(nf, rng), steps, lam, f, fp) for _ in range(4)]
    cs = coarse_scheme(train, dx, lam * dx, factor, flux)
    assert cs.certificate.status == "proved"
    err = {"learned": 0.0, "godunov": 0.0, "rusanov": 0.0, "lax_friedrichs": 0.0}
    for _ in range(3):     # unseen random smooth initial data
        ref = block_average(fine_run(ic(nf, rng), steps, lam, f, fp)[::factor], factor)
        u = ref[0]
        for n in range(1, ref.shape[0]):
            u = cs.step(u)
            err["learned"] += np.abs(u - ref[n]).mean()
        for kind in ("godunov", "rusanov", "lax_friedrichs"):
            roll = monotone_rollout(ref[0], ref.shape[0] - 1, cs.lam, f, fp, kind)
            err[kind] += sum(np.abs(v - ref[n + 1]).mean() for n, v in enumerate(roll))
    best = min(err["godunov"], err["rusanov"], err["lax_friedrichs"])
    assert err["learned"] <= 0.5 * best, err


def test_long_rollout_is_tvd_bounded_and_conservative():
    flux, f, fp, lam, ic = CASES["burgers"]
    rng = np.random.default_rng(5)
    factor = 8
    nf = 32 * factor
    train = [fine_run(ic(nf, rng), 40 * factor, lam, f, fp) for _ in range(2)]
    cs = coarse_scheme(train, 1 / nf, lam / nf, factor, flux)
    u = block_average(ic(nf, rng), factor)
    lo, hi, mass = u.min(), u.max(), u.sum()
    tv = total_variation(u)
    bad = 0
    for _ in range(10 ** 4):
        v = cs.step(u)
        tv_v = total_variation(v)
        bad += (tv_v > tv + 1e-12) or v.max() > hi + 1e-12 or v.min() < lo - 1e-12
        u, tv = v, tv_v
    assert bad == 0
    assert abs(u.sum() - mass) <= 1e-12 * abs(mass)


def test_factor_2_and_refusals():
    flux, f, fp, lam, ic = CASES["advection"]
    rng = np.random.default_rng(1)
    train = fine_run(ic(128, rng), 40, lam, f, fp)
    cs = coarse_scheme(train, 1 / 128, lam / 128, 2, flux)
    assert all(0 <= v <= sp.Min(2 * k, 2) for k, v in zip(cs.knots, cs.values, strict=True))
    with pytest.raises(DataError, match="CFL"):
        coarse_scheme(train, 1 / 128, lam / 128, 2, flux, time_factor=6)
    with pytest.raises(DataError, match="f' >= 0"):
        coarse_scheme(train, 1 / 128, lam / 128, 2, -U)
    with pytest.raises(DataError, match="multiple"):
        coarse_scheme(train, 1 / 128, lam / 128, 3, flux)


def test_learned_coarse_scheme_runs_as_a_generated_kernel():
    from mcgen.run import Simulation
    flux, f, fp, lam, ic = CASES["burgers"]
    rng = np.random.default_rng(0)
    factor, nf = 4, 256
    train = [fine_run(ic(nf, rng), 200, lam, f, fp) for _ in range(2)]
    cs = coarse_scheme(train, 1 / nf, lam / nf, factor, flux)
    u0 = block_average(ic(nf, rng), factor)
    # the certificate's proved TVD condition is the enforced one: no unsafe=True
    sim = Simulation(cs.scheme, (nf // factor, (0.0, 1.0)), u0, dt=cs.dt, backend="c",
                     data_range=cs.data_range)
    assert sim.condition == cs.certificate.result and sim.condition.kind == "tvd"
    sim.run(20 * cs.dt)
    assert sim.backend_used == "c" and sim.step_count == 20
    assert np.abs(sim.u - cs.step(u0, 20)).max() < 1e-13


def test_certificate_condition_is_enforced_everywhere():
    from mcgen.analysis.certificate import certified_condition
    from mcgen.analysis.stability import enforced_condition
    from mcgen.codegen.compile import compile as compile_kernel
    from mcgen.errors import StabilityError
    from mcgen.model.scheme import Scheme
    from mcgen.run import Simulation

    flux, f, fp, lam, ic = CASES["burgers"]
    rng = np.random.default_rng(0)
    train = [fine_run(ic(128, rng), 100, lam, f, fp)]
    cs = coarse_scheme(train, 1 / 128, lam / 128, 4, flux)
    cond = cs.certificate.result
    assert cs.certificate.status == "proved" and cond.status == "proved"
    m, M = cs.certificate.meta["data_range"]
    B = max(abs(float(sp.diff(flux, U).subs(U, v))) for v in (m, M))
    assert cond.holds(**{"lambda": 1 / B}) and not cond.holds(**{"lambda": 1.01 / B})
    assert enforced_condition(cs.scheme) == cond                       # compile / export
    grid = (32, (0.0, 1.0))
    u0 = np.clip(block_average(ic(128, rng), 4), float(m), float(M))   # inside the certificate
    sim = Simulation(cs.scheme, grid, u0, backend="numpy")            # range from the data
    assert sim.dt == pytest.approx(0.9 / (B * 32), rel=1e-9)           # 0.9 of the TVD limit
    with pytest.raises(StabilityError):                                # beyond it: refused
        Simulation(cs.scheme, grid, u0, dt=1.1 / (B * 32), backend="numpy")
    with pytest.raises(StabilityError, match="leaves"):                # outside the range
        certified_condition(cs.scheme, (float(M) - 0.1, float(M) + 1.0))
    with pytest.raises(StabilityError, match="leaves"):
        Simulation(cs.scheme, grid, u0 + 1.0, backend="numpy")
    k = compile_kernel(cs.scheme, backend="c")
    assert k.condition == cond
    k.run(np.array(u0), 1, **{"lambda": 0.9 / B})                     # data range from u
    with pytest.raises(StabilityError):
        k.run(np.array(u0), 1, **{"lambda": 1.1 / B})
    # a certificate that does not prove a condition is refused, not trusted
    from dataclasses import replace
    bad = replace(cs.scheme, certificate=replace(cs.certificate, result="TVD"))
    with pytest.raises(StabilityError, match="does not prove"):
        Simulation(bad, grid, u0, backend="numpy")
    assert isinstance(cs.scheme, Scheme) and cs.scheme.hash != replace(
        cs.scheme, certificate=None).hash
