"""The flagship demo: from the totally asymmetric exclusion process to Burgers-type kinetics.

TASEP -> its hydrodynamic limit (with the derivation) -> a conservative Godunov scheme and the
monotonicity condition it enforces -> generated kernels -> Monte Carlo of the particle system and
the PDE from the same initial data (a step that opens a rarefaction fan, and one that forms a
shock) -> comparison with the exact entropy solution -> a Markdown/HTML report with plots,
derivations, errors, timings and the exported kernels.

Run it with ``mcgen demo`` or ``python -m mcgen.run.demo``: no arguments, no network, about a
minute on two cores, and it writes ``./mcgen-report`` (or ``mcgen-report-2`` ... if that exists).
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mcgen.analysis.limits import macroscopic_limit
from mcgen.analysis.monotonicity import monotonicity
from mcgen.codegen.export import export_kernel
from mcgen.model.catalogue.conservative import conservative_scheme
from mcgen.model.catalogue.particles import tasep
from mcgen.run.exact_solutions import riemann
from mcgen.run.grid import Grid
from mcgen.run.pipeline import enforced_condition
from mcgen.run.report import Report, fresh_directory


@dataclass(frozen=True)
class DemoConfig:
    """Sizes of the demo (the defaults take about a minute on two cores)."""

    sites_per_unit: int = 400   # lattice sites per unit length (Euler scaling parameter n)
    replicas: int = 1000        # independent Monte Carlo replicas
    block: int = 10             # sites per block of the averaged profile
    pde_cells: int = 1200       # cells of the PDE grid on the whole domain
    t_end: float = 0.5
    bounds: tuple[float, float] = (-1.5, 1.5)
    window: float = 1.0         # errors are measured on |x| <= window (waves stay inside)
    backend: str = "auto"
    seed: int = 1

    @classmethod
    def quick(cls) -> DemoConfig:
        """A reduced size for tests (a few seconds)."""
        return cls(sites_per_unit=100, replicas=400, block=10, pde_cells=200)


# (name, rho_L, rho_R, what happens)
CASES = (("rarefaction", 1.0, 0.0, "rho_L > rho_R: the step opens a rarefaction fan"),
         ("shock", 0.1, 0.5, "rho_L < rho_R: a shock moving at speed 1 - rho_L - rho_R"))


def mc_tolerance(width: float, stderr: float, rho_left: float, rho_right: float, t: float,
                 n: int) -> float:
    """Stated L1 tolerance of the Monte Carlo profile on a window of length ``width``.

    * noise: E|N(0, s)| = 0.8 s per block, so the L1 norm of the noise concentrates near
      0.8 * width * s; we allow 1.5 * width * s;
    * a shock wanders (Ferrari-Fontes) with variance D t/n in macroscopic units,
      D = (rho_L(1 - rho_L) + rho_R(1 - rho_R))/(rho_R - rho_L), and the averaged profile is the
      step smoothed by that Gaussian: L1 distance jump * sqrt(2/pi) * sqrt(D t/n); we allow 1.5
      times that;
    * a fan carries the KPZ correction: the number of particles through the origin exceeds
      its hydrodynamic value by O((t n)^(1/3)) (the mean of the Tracy-Widom GUE law, Johansson
      2000), an L1 error O((t n)^(1/3)/n): we allow 2 (t n)^(1/3)/n.
    """
    tol = 1.5 * width * stderr
    if rho_left < rho_right:  # TASEP: a shock
        d = (rho_left * (1 - rho_left) + rho_right * (1 - rho_right)) / (rho_right - rho_left)
        tol += 1.5 * (rho_right - rho_left) * math.sqrt(2 / math.pi) * math.sqrt(d * t / n)
    else:
        tol += 2.0 * (t * n) ** (1 / 3) / n
    return tol


def pde_tolerance(jump: float, dx: float) -> float:
    """Stated L1 tolerance of a monotone first-order scheme on Riemann data: jump * dx *
    (1 + |ln dx|) (O(dx) at a shock, O(dx |ln dx|) across a fan)."""
    return abs(jump) * dx * (1 + abs(math.log(dx)))


@dataclass
class CaseResult:
    name: str
    rho_left: float
    rho_right: float
    waves: str
    mc_l1: float
    pde_l1: float
    mc_pde_l1: float
    mc_tol: float
    pde_tol: float
    mc_stderr: float
    pde_seconds: float
    pde_steps: int
    mc_seconds: float
    mc_events: int
    mass_drift: float
    plot: str

    @property
    def passed(self) -> bool:
        return self.mc_l1 <= self.mc_tol and self.pde_l1 <= self.pde_tol


@dataclass
class DemoResult:
    directory: Path
    cases: list[CaseResult]
    condition: str
    condition_kind: str
    law: str
    backend: str
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    mc_refinement: list[dict[str, float]] = field(default_factory=list)
    learned: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases)


def _cell_average(fn: Any, grid: Grid, t: float, sub: int = 8) -> np.ndarray:
    """Exact cell averages (by sub-sampling), fair to a finite-volume solution at a shock."""
    (a, b), n = grid.bounds[0], grid.shape[0]
    h = (b - a) / n
    xs = a + (np.arange(n * sub) + 0.5) * h / sub
    return fn(xs, t).reshape(n, sub).mean(axis=1)


def _say(quiet: bool, msg: str) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


def run_demo(out: str | Path | None = None, force: bool = False,
             config: DemoConfig | None = None, quiet: bool = False) -> DemoResult:
    """Run the demo and write its report folder; returns the numbers it reports."""
    from mcgen.run.montecarlo import block_average, compile_particle_kernel, particle_profile
    from mcgen.run.plots import overlay
    from mcgen.run.simulation import Simulation

    cfg = config or DemoConfig()
    target = fresh_directory(Path(out) if out is not None else Path.cwd() / "mcgen-report",
                             force)
    work = Path(tempfile.mkdtemp(prefix=".mcgen-report-", dir=target.parent
                                 if target.parent.exists() else None))
    notes: list[str] = []
    timings: dict[str, float] = {}
    t_all = time.perf_counter()

    _say(quiet, "[1/6] TASEP -> hydrodynamic limit")
    ps = tasep()
    t0 = time.perf_counter()
    derivation = macroscopic_limit(ps)
    law = derivation.result
    timings["derive limit"] = time.perf_counter() - t0

    _say(quiet, "[2/6] conservative scheme and the condition it enforces")
    t0 = time.perf_counter()
    scheme = conservative_scheme(law, flux="godunov")
    # densities of an exclusion process lie in [0, 1]: the monotonicity region on that range
    mono = monotonicity(scheme, data_range=(0, 1))
    condition = enforced_condition(scheme, data_range=(0, 1))
    timings["scheme and condition"] = time.perf_counter() - t0

    _say(quiet, "[3/6] generating kernels")
    t0 = time.perf_counter()
    mc_kernel = compile_particle_kernel(ps)
    timings["Monte Carlo kernel (generate + compile)"] = time.perf_counter() - t0

    grid = Grid((cfg.pde_cells,), (cfg.bounds,))
    cases: list[CaseResult] = []
    backend_used = "?"
    sims = {}
    for k, (name, rl, rr, what) in enumerate(CASES):
        _say(quiet, f"[{4 + k}/6] {name}: Monte Carlo and PDE from the step "
                    f"({rl:g}, {rr:g})")

        def initial(x: np.ndarray, rl: float = rl, rr: float = rr) -> np.ndarray:
            return np.where(x < 0, rl, rr)

        t0 = time.perf_counter()
        sim = Simulation(scheme, grid, initial, bc="periodic", data_range=(0.0, 1.0),
                         backend=cfg.backend, progress=False)
        timings[f"{name}: PDE kernel (generate + compile, or cache)"] = \
            time.perf_counter() - t0
        rec = sim.run(cfg.t_end)
        pde_seconds = rec.seconds
        backend_used = sim.backend_used
        sims[name] = sim
        for n in sim.notes:
            if n not in notes:
                notes.append(n)

        prof = particle_profile(ps, initial, cfg.bounds, cfg.t_end, cfg.sites_per_unit,
                                cfg.replicas, cfg.block, seed=cfg.seed + k, simulator=mc_kernel)
        exact = riemann(law, rl, rr)
        # errors on the window |x| <= window, as integrals (sum |e| * cell width)
        n_sites = int(round((cfg.bounds[1] - cfg.bounds[0]) * cfg.sites_per_unit))
        x_sites = cfg.bounds[0] + (np.arange(n_sites) + 0.5) / cfg.sites_per_unit
        exact_blocks = block_average(exact(x_sites, cfg.t_end), cfg.block)
        h_block = cfg.block / cfg.sites_per_unit
        in_b = np.abs(prof.x) <= cfg.window
        mc_l1 = float(np.sum(np.abs(prof.density - exact_blocks)[in_b]) * h_block)
        xc = grid.centres()[0]
        in_c = np.abs(xc) <= cfg.window
        exact_cells = _cell_average(exact, grid, cfg.t_end)
        pde_l1 = float(np.sum(np.abs(sim.u - exact_cells)[in_c]) * grid.spacing[0])
        pde_blocks = np.interp(prof.x, xc, sim.u)
        mc_pde = float(np.sum(np.abs(prof.density - pde_blocks)[in_b]) * h_block)
        width = 2 * cfg.window
        sigma = float(np.mean(prof.stderr[in_b]))
        mc_tol = mc_tolerance(width, sigma, rl, rr, cfg.t_end, cfg.sites_per_unit)
        pde_tol = pde_tolerance(rl - rr, grid.spacing[0])
        waves = "; ".join(f"{w.kind} speed {w.speed}" for w in exact.waves)
        plot = f"{name}.png"
        overlay(work / plot, f"TASEP {name}: rho_L = {rl:g}, rho_R = {rr:g}, t = {cfg.t_end:g}",
                exact=(xc, exact(xc, cfg.t_end)), pde=(xc, sim.u),
                mc=(prof.x, prof.density, prof.stderr), initial=(xc, initial(xc)),
                labels={"mc": f"Monte Carlo ({cfg.replicas} replicas, n = "
                              f"{cfg.sites_per_unit} sites per unit)",
                        "pde": f"Godunov PDE ({cfg.pde_cells} cells, {backend_used})"})
        cases.append(CaseResult(name, rl, rr, f"{what}: {waves}", mc_l1, pde_l1, mc_pde, mc_tol,
                                pde_tol, sigma, pde_seconds, rec.steps, prof.seconds,
                                prof.events, rec.mass_drift, plot))
        timings[f"{name}: PDE run"] = pde_seconds
        timings[f"{name}: Monte Carlo run"] = prof.seconds

    t0 = time.perf_counter()
    refinement = _mc_refinement(ps, law, mc_kernel, cfg)
    timings["Monte Carlo refinement study"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    learned = _learned_flux(ps, law, mc_kernel, cfg, grid, work)
    timings["learned flux: ring currents, fit, scheme, run"] = time.perf_counter() - t0

    _say(quiet, "[6/6] exporting kernels and writing the report")
    kernels = work / "kernels"
    kernels.mkdir()
    (kernels / "tasep_monte_carlo.py").write_text(getattr(mc_kernel, "source", "") or
                                                  "# source unavailable\n")
    exported = _export_pde_kernel(sims["rarefaction"], kernels / "godunov_pde", condition,
                                  notes)
    derivs = work / "derivations"
    derivs.mkdir()
    (derivs / "hydrodynamic_limit.json").write_text(derivation.render("json"))
    (derivs / "monotonicity.json").write_text(mono.render("json"))
    (derivs / "enforced_condition.json").write_text(
        json.dumps(condition.to_data(), indent=1, default=str))
    timings["total"] = time.perf_counter() - t_all

    result = DemoResult(target, cases, condition.describe(), condition.kind, law.describe(),
                        backend_used, timings, notes, refinement, learned)
    _write_report(work, result, cfg, ps, derivation, scheme, mono, exported)
    (work / "results.json").write_text(json.dumps(_as_json(result, cfg), indent=1))
    if target.exists():  # only with force=True
        shutil.rmtree(target)
    work.rename(target)
    _say(quiet, f"report written to {target}/report.html "
                f"({'all checks PASS' if result.passed else 'some checks FAIL'})")
    return result


def _mc_refinement(ps: Any, law: Any, kernel: Any, cfg: DemoConfig) -> list[dict[str, float]]:
    """L1 error of the Monte Carlo shock profile as the lattice is refined (same replicas):
    the bias (shock wandering, O(n^-1/2)) and the fluctuation (standard error) side by side."""
    from mcgen.run.montecarlo import block_average, particle_profile

    name, rl, rr, _ = CASES[1]
    span = cfg.bounds[1] - cfg.bounds[0]
    rows = []
    for frac in (4, 2, 1):
        n = max(10, int(round(cfg.sites_per_unit / frac / 10)) * 10)
        if int(round(span * n)) % cfg.block:
            continue
        prof = particle_profile(ps, lambda x: np.where(x < 0, rl, rr), cfg.bounds, cfg.t_end,
                                n, cfg.replicas, cfg.block, seed=cfg.seed + 7,
                                simulator=kernel)
        xs = cfg.bounds[0] + (np.arange(int(round(span * n))) + 0.5) / n
        ex = block_average(riemann(law, rl, rr)(xs, cfg.t_end), cfg.block)
        win = np.abs(prof.x) <= cfg.window
        l1 = float(np.sum(np.abs(prof.density - ex)[win]) * cfg.block / n)
        rows.append({"n": n, "l1": l1, "stderr": float(np.mean(prof.stderr[win])),
                     "noise_l1": 0.8 * 2 * cfg.window * float(np.mean(prof.stderr[win]))})
    for a, b in zip(rows, rows[1:], strict=False):
        b["rate"] = math.log(a["l1"] / b["l1"]) / math.log(b["n"] / a["n"])
    return rows


def _learned_flux(ps: Any, law: Any, kernel: Any, cfg: DemoConfig, grid: Grid, work: Path
                  ) -> dict[str, Any]:
    """The flux learned from the Monte Carlo (ring currents at 19 densities) beside the derived
    one, the Godunov scheme of the learned flux with its proved condition, and its run on the
    shock case against the exact solution of the derived law."""
    import sympy as sp

    from mcgen.run.montecarlo import ring_current
    from mcgen.run.plots import overlay
    from mcgen.run.simulation import Simulation
    from mcgen.train.learn_flux import RHO, learn_flux

    sites = 200 if cfg.sites_per_unit >= 200 else 100
    runs = [ring_current(ps, sites, n, 200.0, 400.0, replicas=20, seed=cfg.seed,
                         simulator=kernel) for n in range(sites // 20, sites, sites // 20)]
    derived = law.flux[0].subs(law.fields[0], RHO)
    fit = learn_flux([r.particles / sites for r in runs], [r.measured for r in runs],
                     [r.stderr for r in runs], degree=2, vanishes_at=(0, 1), compare=derived)
    rho = np.linspace(0, 1, 201)
    f, lo, hi = fit.band(rho)
    overlay(work / "learned_flux.png", "TASEP flux: learned from the Monte Carlo vs derived",
            exact=(rho, sp.lambdify(RHO, derived, "numpy")(rho)), pde=(rho, f),
            mc=(np.array([r.particles / sites for r in runs]), np.array([r.measured for r in runs]),
                np.array([r.stderr for r in runs])),
            labels={"exact": f"derived J = {sp.sstr(derived)}",
                    "pde": f"learned f = {sp.sstr(sp.factor(fit.flux))} (band: +-"
                           f"{float(np.max(hi - lo)) / 2:.1e})",
                    "mc": f"ring currents (L = {sites}, 20 replicas)"},
            xlabel="density rho", ylabel="current")
    name, rl, rr, _ = CASES[1]
    sim = Simulation(fit.scheme, grid, lambda x: np.where(x < 0, rl, rr), bc="periodic",
                     data_range=(0.0, 1.0), backend="numpy", progress=False)
    sim.run(cfg.t_end)
    xc = grid.centres()[0]
    in_c = np.abs(xc) <= cfg.window
    exact_cells = _cell_average(riemann(law, rl, rr), grid, cfg.t_end)
    l1 = float(np.sum(np.abs(sim.u - exact_cells)[in_c]) * grid.spacing[0])
    # the learned flux differs from the derived one by at most max_error: the shock speed by
    # about 2 max_error, moving the shock by 2 max_error t (an L1 of jump x that)
    err = float(fit.max_error or 0.0)
    tol = pde_tolerance(rl - rr, grid.spacing[0]) + abs(rl - rr) * 2 * err * cfg.t_end
    return {"flux": sp.sstr(sp.factor(fit.flux)), "max_error": fit.max_error,
            "condition": fit.condition.describe(), "condition_status": fit.condition.status,
            "shock_l1": l1, "shock_tol": tol, "plot": "learned_flux.png",
            "fit_derivation": fit.derivations["fit"].render("md")}


def _export_pde_kernel(sim: Any, directory: Path, condition: Any, notes: list[str]) -> str:
    kernel = getattr(sim.stepper, "kernel", None)
    if kernel is None:  # DemoConfig(backend="numpy"), or code generation failed (see notes)
        directory.mkdir()
        (directory / "README.md").write_text(
            "The PDE ran on the NumPy reference stepper, so there is no generated PDE kernel "
            "to export.\n")
        notes.append("no generated PDE kernel to export (NumPy reference stepper used)")
        return ""
    try:
        path = export_kernel(kernel, directory, condition=condition.describe(),
                             include_object=True)
    except Exception as err:  # noqa: BLE001 - llvmlite may be unable to emit an object file
        try:
            path = export_kernel(kernel, directory, condition=condition.describe(),
                                 include_object=False)
            notes.append(f"PDE kernel exported without the object file ({err})")
        except Exception as err2:  # noqa: BLE001
            notes.append(f"PDE kernel export failed: {type(err2).__name__}: {err2}")
            directory.mkdir(exist_ok=True)
            return ""
    return str(Path(path).name)


def _as_json(result: DemoResult, cfg: DemoConfig) -> dict[str, Any]:
    return {"config": asdict(cfg), "condition": result.condition,
            "condition_kind": result.condition_kind, "law": result.law,
            "backend": result.backend, "timings": result.timings, "notes": result.notes,
            "passed": result.passed, "mc_refinement": result.mc_refinement,
            "learned_flux": {k: v for k, v in result.learned.items() if k != "fit_derivation"},
            "cases": {c.name: {**asdict(c), "passed": c.passed} for c in result.cases}}


def _write_report(work: Path, result: DemoResult, cfg: DemoConfig, ps: Any, derivation: Any,
                  scheme: Any, mono: Any, exported: str) -> None:
    r = Report("mcgen demo: from TASEP to its hydrodynamic limit")
    r.paragraph("This report was written by `mcgen demo`. It follows one model through every "
                "stage of mcgen: the particle system, its macroscopic law with the derivation, "
                "a conservative scheme with the condition it enforces, generated kernels, and "
                "runs of the particle system and of the PDE compared with the exact entropy "
                "solution.")
    r.table(["check", "Monte Carlo L1", "tolerance", "PDE L1", "tolerance", "MC vs PDE L1",
             "result"],
            [[c.name, c.mc_l1, c.mc_tol, c.pde_l1, c.pde_tol, c.mc_pde_l1, c.passed]
             for c in result.cases])
    r.heading("1. The model")
    r.paragraph(f"`{ps.describe()}`")
    r.heading("2. Its hydrodynamic limit")
    r.paragraph(f"Under Euler scaling (x = i/n, t = s/n) the density obeys {result.law}.")
    r.derivation(derivation)
    r.heading("3. The scheme and the condition it enforces")
    r.paragraph(f"Scheme: `{scheme.describe()}`")
    r.paragraph(f"Enforced ({result.condition_kind}): {result.condition}. The simulation takes "
                "0.9 of the largest time step it allows and refuses a larger one.")
    r.derivation(mono)
    r.heading("4. Runs and errors")
    r.paragraph(f"Domain {cfg.bounds} (a ring), t = {cfg.t_end}; errors are L1 norms on "
                f"|x| <= {cfg.window}, where the exact Riemann solution holds (the wrap-around "
                "discontinuity of the ring stays outside). Monte Carlo: "
                f"{cfg.replicas} replicas, n = {cfg.sites_per_unit} sites per unit length, "
                f"profiles averaged over blocks of {cfg.block} sites; tolerance 1.5 x window x "
                "the mean standard error (noise), plus 1.5 x jump x sqrt(2/pi) x sqrt(D t/n) "
                "for a shock (its Ferrari-Fontes wandering, D = (rho_L(1-rho_L) + "
                "rho_R(1-rho_R))/(rho_R - rho_L)) or 2 (t n)^(1/3)/n for a fan (the KPZ "
                "correction to the current, Tracy-Widom GUE mean). "
                f"PDE: {cfg.pde_cells} cells, backend {result.backend}; tolerance "
                "jump x dx (1 + |ln dx|): a monotone first-order scheme has L1 error O(dx) "
                "at a shock and O(dx |ln dx|) across a fan.")
    r.table(["case", "waves (exact)", "MC L1", "MC tol", "MC std. error", "PDE L1", "PDE tol",
             "PDE steps", "mass drift", "result"],
            [[c.name, c.waves, c.mc_l1, c.mc_tol, c.mc_stderr, c.pde_l1, c.pde_tol,
              c.pde_steps, f"{c.mass_drift:.1e}", c.passed] for c in result.cases])
    for c in result.cases:
        r.image(c.plot, f"{c.name}: Monte Carlo (dots, 2-sigma band), PDE (line) and the exact "
                        "entropy solution (dashed)")
    if result.mc_refinement:
        r.heading("Monte Carlo as the lattice is refined (shock case)")
        r.paragraph("Same number of replicas, n sites per unit length. The L1 error combines "
                    "the bias of the finite lattice (shock wandering, expected rate 1/2 in n) "
                    "and the fluctuation of the replica mean (its L1 size is about 0.8 x "
                    "window x standard error, shown as 'noise L1'). Where the L1 error is close "
                    "to the noise L1 the lattice bias is below the noise, and the observed rate "
                    "says little about it.")
        r.table(["n", "L1 vs exact", "noise L1", "mean std. error", "observed rate"],
                [[row["n"], row["l1"], row["noise_l1"], row["stderr"],
                  f"{row['rate']:.2f}" if "rate" in row else ""]
                 for row in result.mc_refinement])
    if result.learned:
        le = result.learned
        r.heading("Learned flux: the network reading")
        r.paragraph("The same Monte Carlo kernel measures the stationary current on rings at 19 "
                    "densities; mcgen.train.learn_flux fits f(rho) with f(0) = f(1) = 0 imposed "
                    f"exactly: f = {le['flux']}, within {le['max_error']:.1e} of the derived "
                    f"flux. The Godunov scheme of the learned flux enforces {le['condition']} "
                    f"({le['condition_status']} over the data range); from the shock step it "
                    f"gives L1 {le['shock_l1']:.4f} against the exact solution of the derived "
                    f"law (tolerance {le['shock_tol']:.4f}: "
                    f"{'PASS' if le['shock_l1'] <= le['shock_tol'] else 'FAIL'}).")
        r.image(le["plot"], "learned flux with its 95% band, the derived flux and the measured "
                            "ring currents (2-sigma)")
        r.derivation(le["fit_derivation"])
    r.heading("5. Timings")
    rows = [[k, f"{v:.3f} s"] for k, v in result.timings.items()]
    rows += [[f"{c.name}: Monte Carlo events per second", f"{c.mc_events / c.mc_seconds:.3g}"]
             for c in result.cases if c.mc_seconds > 0]
    r.table(["stage", "time"], rows)
    r.heading("6. Exported kernels")
    r.paragraph("`kernels/tasep_monte_carlo.py` is the generated Monte Carlo module (numba); "
                + (f"`kernels/{exported}/` holds the generated PDE kernel (C source, header, "
                   "Python module and README), usable without mcgen." if exported else
                   "no PDE kernel was exported (see notes)."))
    if result.notes:
        r.heading("Notes")
        for n in result.notes:
            r.paragraph(f"- {n}")
    r.write(work)


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m mcgen.run.demo", description=__doc__)
    p.add_argument("--out", default=None, help="report folder (default ./mcgen-report)")
    p.add_argument("--force", action="store_true", help="replace an existing report folder")
    p.add_argument("--quick", action="store_true", help="reduced size (a few seconds)")
    a = p.parse_args(argv)
    res = run_demo(a.out, a.force, DemoConfig.quick() if a.quick else None)
    return 0 if res.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
