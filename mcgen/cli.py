"""The ``mcgen`` command.

A model file given to ``derive``, ``generate`` or ``run`` is an ordinary Python script that
declares mcgen objects; mcgen EXECUTES it as your own code (like ``python FILE.py``), so run only
files you trust. It should bind the model to the name ``model`` (or any name chosen with
``--name``); optional names: ``params`` (dict), ``initial`` (function of x), ``bounds``,
``cells``, ``t_end``, ``bc``, ``dt``, ``data_range``.
"""

from __future__ import annotations

import json
import runpy
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import click

from mcgen._version import __version__

MODEL_KINDS = ("Scheme", "Law", "JumpProcess", "ParticleSystem", "HighResScheme", "SystemScheme")
#: high-resolution scalar schemes and systems: run and compiled with their own steppers and
#: kernels (TVD / positivity-preserving bound), not through a Scheme
HIGHRES_KINDS = ("HighResScheme", "SystemScheme")
DEBUG_HINT = " (mcgen --debug ... shows the traceback)"
_LOADED: list[Path] = []  # the model file this command executed (its lines name errors)

EPILOG = """\b
Examples:
  mcgen demo                  # the flagship demo: TASEP -> Burgers, report in ./mcgen-report
  mcgen derive examples/advection_schemes.py --format md
  mcgen generate model.py --backend c -o kernels/
  mcgen run model.py --t-end 0.5 --cells 400 --out u.nc --plot u.png
  mcgen bench --cells 1000000 --steps 100
  mcgen train heat.npz --support -1,0,1 --order 2 --positive -o learned/
  mcgen cache info

\b
Model files are Python scripts executed as your own code (like `python FILE.py`): run only files
you trust. Add --debug before the command for a full traceback on errors.
"""


class _Group(click.Group):
    """Turns every error into one clear line (``--debug`` shows the traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as err:  # noqa: BLE001 - the top level reports any error
            if ctx.obj and ctx.obj.get("debug"):
                raise
            # an error raised in the user's model file (in `initial`, say) names its line
            where = _where_in(_LOADED[-1], err) if _LOADED else ""
            where = f"{where}: " if ", line " in where else ""
            raise click.ClickException(f"{where}{_cli_wording(f'{type(err).__name__}: {err}')}"
                                       f"{DEBUG_HINT}") from None


#: API keywords named in library messages, and the command-line options that do the same
_CLI_WORDS = (("pass unsafe=True", "pass --unsafe"), ("Pass unsafe=True", "Pass --unsafe"),
              ("pass overwrite=True", "pass --force"),
              ("give the missing values in params=", "give the missing values in the model "
               "file's params = {...}"),
              ("remove them from params=", "remove them from the model file's params = {...}"))


def _cli_wording(message: str) -> str:
    """One line, with the library's keyword advice (``unsafe=True``) given as CLI options."""
    for api, option in _CLI_WORDS:
        message = message.replace(api, option)
    return " ".join(message.split())


@click.group(cls=_Group, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mcgen")
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """mcgen: Markov chains, schemes and conservation laws.

    Derive the macroscopic law a lattice model obeys, prove the conditions under which its
    discretisation is stable, generate fast kernels (numba, LLVM, C) and run them.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    _LOADED.clear()


# ---------------------------------------------------------------- model files


def load_model_file(path: str, name: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Execute ``path`` as the user's own script and pick the model out of its names."""
    p = Path(path)
    if not p.is_file():
        raise click.ClickException(f"model file {path} does not exist")
    _LOADED[:] = [p]
    try:
        ns = runpy.run_path(str(p), run_name="__mcgen_model__")
    except Exception as err:  # noqa: BLE001 - any error of the user's script is reported
        ctx = click.get_current_context(silent=True)
        if ctx is not None and ctx.find_root().obj and ctx.find_root().obj.get("debug"):
            raise
        text = err.msg if isinstance(err, SyntaxError) else str(err)
        raise click.ClickException(f"{_where_in(p, err)}: "
                                   f"{_cli_wording(f'{type(err).__name__}: {text}')}"
                                   f"{DEBUG_HINT}") from None
    found = [(k, v) for k, v in ns.items()
             if not k.startswith("_") and type(v).__name__ in MODEL_KINDS]
    if name is not None:
        if name not in ns:
            names = ", ".join(k for k, _ in found) or "none"
            raise click.ClickException(f"{path} defines no name {name!r} (--name): mcgen objects "
                                       f"it defines: {names}")
        return ns[name], ns
    if "model" in ns:
        return ns["model"], ns
    if len(found) == 1:
        return found[0][1], ns
    names = ", ".join(k for k, _ in found) or "none"
    raise click.ClickException(f"{path}: bind the model to the name `model` (or pass --name); "
                               f"mcgen objects found: {names}")


def _where_in(path: Path, err: BaseException) -> str:
    """``FILE, line N``: the last line of the model file in the error's traceback."""
    if isinstance(err, SyntaxError) and err.lineno:
        return f"{path}, line {err.lineno}"
    line = None
    tb = err.__traceback__
    target = path.resolve()
    while tb is not None:
        try:
            if Path(tb.tb_frame.f_code.co_filename).resolve() == target:
                line = tb.tb_lineno
        except OSError:
            pass
        tb = tb.tb_next
    return f"{path}, line {line}" if line is not None else str(path)


def _file_number(ns: dict[str, Any], name: str, path: str) -> float | None:
    """The model file's number ``name`` (``dt``, ``t_end``), or None. A SymPy symbol of that
    name (``from mcgen.model.symbols import dt``) is the model's symbol, not a setting."""
    value = ns.get(name)
    if value is None or (hasattr(value, "free_symbols") and value.free_symbols):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise click.ClickException(f"{path} sets {name} = {value!r}: give a number (or leave "
                                   f"it out and pass --{name.replace('_', '-')})") from None


def _data_range(option: tuple[float, float] | None, ns: dict[str, Any]
                ) -> tuple[float, float] | None:
    """--data-range, else the model file's ``data_range``, else None (two finite numbers)."""
    from mcgen.run.inputs import check_data_range
    if option:
        _option_error("--data-range", " ".join(map(str, option)), check_data_range, option)
        return (float(option[0]), float(option[1]))
    return check_data_range(ns.get("data_range"))


def _option_error(option: str, value: Any, check: Any, *args: Any) -> None:
    """Run ``check(*args)``; a refusal becomes one line naming the option."""
    from mcgen.errors import ModelError
    try:
        check(*args)
    except ModelError as err:
        raise click.ClickException(f"{option} {value}: {_cli_wording(str(err))}") from None


def _refuse_existing(path: str | None, option: str, force: bool) -> None:
    """Nothing the user had is overwritten unless they say so."""
    if path and Path(path).exists() and not force:
        raise click.ClickException(f"{option} {path}: the file exists; choose another name or "
                                   "pass --force to replace it")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", default=None, help="Name of the model in FILE (default: `model`).")
@click.option("--format", "fmt", type=click.Choice(["md", "latex", "json"]), default="md",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
@click.option("--data-range", type=float, nargs=2, default=None,
              help="min max of the data, for nonlinear schemes (default: FILE's data_range, "
                   "else symbolic bounds m, M).")
@click.option("--force", is_flag=True, help="Replace an existing -o file.")
def derive(file: str, name: str | None, fmt: str, output: str | None,
           data_range: tuple[float, float] | None, force: bool) -> None:
    """Derive the macroscopic law or the stability conditions of the model in FILE.

    \b
    Example:
      mcgen derive examples/advection_schemes.py --format latex
      mcgen derive examples/lwr_traffic.py --data-range 0 1
    """
    from mcgen.run.pipeline import DerivationSkipped
    from mcgen.run.pipeline import derive as derive_all
    _refuse_existing(output, "-o", force)
    model, ns = load_model_file(file, name)
    if type(model).__name__ not in MODEL_KINDS:
        raise click.ClickException(f"no derivation for a {type(model).__name__}: give a "
                                   "Scheme, Law, JumpProcess, ParticleSystem, HighResScheme "
                                   "or SystemScheme")
    with warnings.catch_warnings(record=True) as skipped:
        warnings.simplefilter("always", DerivationSkipped)
        ds = derive_all(model, data_range=_data_range(data_range, ns))
    for w in skipped:
        label = "skipped" if issubclass(w.category, DerivationSkipped) else "warning"
        click.echo(f"({label}: {w.message})", err=True)
    if fmt == "json":
        text = json.dumps([json.loads(d.render("json")) for d in ds], indent=1)
    else:
        text = "\n\n".join(d.render(fmt) for d in ds)
    if output:
        if not Path(output).parent.is_dir():
            raise click.ClickException(f"-o {output}: the folder {Path(output).parent} does "
                                       "not exist (create it first)")
        Path(output).write_text(text)
        click.echo(f"wrote {len(ds)} derivation(s) to {output}")
    else:
        click.echo(text)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", default=None, help="Name of the model in FILE (default: `model`).")
@click.option("--backend", type=click.Choice(["numba", "llvm", "c"]), default="c",
              show_default=True)
@click.option("-o", "--out", "out", type=click.Path(file_okay=False), required=True,
              help="Folder to write the kernel to (refused if it exists, unless --force).")
@click.option("--bc", default=None,
              help="Boundary condition: periodic, outflow, reflecting, absorbing, dirichlet "
                   "(value 0) (default: FILE's bc, else periodic).")
@click.option("--data-range", type=float, nargs=2, default=None,
              help="min max of the data, for the condition of nonlinear schemes (default: "
                   "FILE's data_range).")
@click.option("--force", is_flag=True, help="Write into an existing output folder, replacing "
              "only the files mcgen wrote there (listed in its manifest.json).")
@click.option("--allow-sampled", is_flag=True,
              help="Accept a stability region known only at sampled points (only what is "
                   "proved is enforced), as allow_sampled=True in Python.")
@click.option("--unsafe", is_flag=True,
              help="Export even when no stability condition is proved (the README says so).")
def generate(file: str, name: str | None, backend: str, out: str, bc: str | None,
             data_range: tuple[float, float] | None, force: bool, allow_sampled: bool,
             unsafe: bool) -> None:
    """Generate a standalone kernel for the model in FILE and export it to a folder.

    \b
    Example:
      mcgen generate examples/advection_schemes.py --backend c -o kernels/upwind
    """
    from mcgen.run.pipeline import as_scheme, build
    target = Path(out)
    if target.exists() and any(target.iterdir()) and not force:
        raise click.ClickException(f"the output folder {out} exists and is not empty: choose a "
                                   "new folder, or pass --force to replace the files mcgen "
                                   "wrote there (nothing else is touched)")
    model, ns = load_model_file(file, name)
    kind = type(model).__name__
    if kind == "Law":
        model = as_scheme(model)
        kind = "Scheme"
    if kind == "ParticleSystem":
        from mcgen.codegen.montecarlo import compile_particles
        if backend == "c":
            click.echo("note: Monte Carlo kernels are generated for numba (there is no C "
                       "Monte Carlo backend)", err=True)
        from mcgen.codegen.export import write_owned_folder
        sim = compile_particles(model, backend="numba" if backend == "c" else backend)
        write_owned_folder(target, {"particles.py": sim.source.encode()}, force,
                           {"name": model.name or "particles"})
        click.echo(f"wrote the Monte Carlo module {target / 'particles.py'}")
        return
    if kind in HIGHRES_KINDS:
        _generate_highres(model, ns, backend, target, bc, _data_range(data_range, ns), force,
                          unsafe)
        return
    if kind != "Scheme":
        raise click.ClickException(f"mcgen generate makes kernels for a Scheme, a Law (through "
                                   f"its conservative scheme), a HighResScheme, a SystemScheme "
                                   f"or a ParticleSystem, and {file} gives a {kind}: write its "
                                   "update as a Scheme, or derive its limit with `mcgen derive` "
                                   "and generate a scheme for that law")
    from mcgen.codegen.export import export_kernel
    # the same safety policy as build() in Python: a model with nothing proved to enforce is
    # refused (unless --unsafe), a sampled one needs --allow-sampled; the exported functions
    # do not check the condition (their caller owns dt): it is written into header and README
    rng = _data_range(data_range, ns)
    kernel = build(model, backend=backend, bc=bc if bc is not None else ns.get("bc", "periodic"),
                   data_range=rng, unsafe=unsafe, allow_sampled=allow_sampled)
    text = kernel.policy.describe(rng) if kernel.policy is not None else \
        kernel.condition.describe() if kernel.condition is not None else None
    path = export_kernel(kernel, out, overwrite=force, condition=text)
    click.echo(f"exported {model.name or 'kernel'} ({backend}) to {path}")
    click.echo(f"enforced condition: {text or 'none (--unsafe)'}")


def _generate_highres(model: Any, ns: dict[str, Any], backend: str, target: Path,
                      bc: str | None, rng: tuple[float, float] | None, force: bool,
                      unsafe: bool) -> None:
    """Export the stage-buffer kernel of a HighResScheme or SystemScheme (periodic, float64)
    with the bound its ``run`` enforces written into header and README."""
    import dataclasses

    from mcgen.codegen import compile as compile_kernel
    from mcgen.codegen.export import export_kernel
    if rng is not None and getattr(model, "data_range", "none") is None:
        model = dataclasses.replace(model, data_range=rng)  # the range the bound is stated on
    kernel = compile_kernel(model, backend=backend,
                            bc=bc if bc is not None else ns.get("bc", "periodic"),
                            unsafe=unsafe)
    cond = kernel.condition
    if cond is None and not unsafe:
        raise click.ClickException(f"{model.name} has no proved bound to enforce (WENO5 is not "
                                   "TVD; Roe has no positivity bound): pass --unsafe to export "
                                   "it anyway (the README then says none is enforced)")
    text = cond.describe() if cond is not None else None
    path = export_kernel(kernel, target, overwrite=force, condition=text)
    click.echo(f"exported {model.name} ({backend}) to {path}")
    click.echo(f"enforced condition: {text or 'none (--unsafe)'}")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", default=None, help="Name of the model in FILE (default: `model`).")
@click.option("--t-end", type=float, default=None, help="Final time (default: FILE's t_end).")
@click.option("--cells", type=int, default=None, help="Cells per axis (default: FILE's cells "
              "or 200).")
@click.option("--bounds", type=float, nargs=2, default=None, help="Domain a b (default: "
              "FILE's bounds or 0 1).")
@click.option("--dt", type=float, default=None, help="Time step (default: safety x the "
              "largest step the enforced condition allows).")
@click.option("--safety", type=float, default=0.9, show_default=True)
@click.option("--unsafe", is_flag=True, help="Allow a dt that breaks the condition.")
@click.option("--backend", type=click.Choice(["auto", "numpy", "numba", "llvm", "c"]),
              default="auto", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the final state to .npz or .nc (netCDF).")
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Write a PNG of the initial and final profiles (1-D).")
@click.option("--data-range", type=float, nargs=2, default=None,
              help="min max of the data, for the condition of nonlinear schemes (default: "
                   "FILE's data_range, else the range of the initial and boundary data).")
@click.option("--force", is_flag=True, help="Replace existing --out / --plot files.")
@click.option("--max-steps", type=int, default=None,
              help="Refuse a run of more steps than this (default 10^9).")
@click.option("--allow-sampled", is_flag=True,
              help="Accept a stability region known only at sampled points (only what is "
                   "proved is enforced), as allow_sampled=True in Python.")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Run on Dask: a scheduler address (tcp://host:8786), or 'local' for a "
                   "local cluster of processes started for the run.")
@click.option("--chunks", type=int, default=None,
              help="With --dask: cells per chunk along each axis (default: half the cells).")
def run(file: str, name: str | None, t_end: float | None, cells: int | None,
        bounds: tuple[float, float] | None, dt: float | None, safety: float, unsafe: bool,
        backend: str, out: str | None, plot: str | None,
        data_range: tuple[float, float] | None, force: bool, max_steps: int | None,
        allow_sampled: bool, dask_address: str | None, chunks: int | None) -> None:
    """Run the scheme or law in FILE on a grid and report what happened.

    \b
    FILE may define: params (dict), initial (function of x), bounds, cells, t_end, bc, dt,
    data_range.
    Example:
      mcgen run examples/lwr_traffic.py --t-end 0.5 --cells 400 --plot traffic.png
      mcgen run examples/lwr_traffic.py --t-end 0.5 --cells 4000 --dask local --out u.zarr
    """
    import numpy as np

    from mcgen.run import Grid, Simulation
    from mcgen.run.inputs import check_dt, check_t_end
    from mcgen.run.snapshots import check_snapshot_path
    # what the options decide is checked before the model is loaded and the run starts
    if out and not (out.endswith(".zarr") and dask_address):  # a Zarr store: --dask runs
        _option_error("--out", out, check_snapshot_path, out, force)
    _refuse_existing(out, "--out", force)
    _refuse_existing(plot, "--plot", force)
    if t_end is not None:
        _option_error("--t-end", t_end, check_t_end, t_end, 0.0)
    if dt is not None:
        _option_error("--dt", dt, check_dt, dt)
    if max_steps is not None and max_steps < 1:
        raise click.ClickException(f"--max-steps {max_steps}: give a positive number of steps")
    model, ns = load_model_file(file, name)
    kind = type(model).__name__
    if kind not in ("Scheme", "Law", *HIGHRES_KINDS):
        raise click.ClickException(
            f"mcgen run runs a Scheme, a scalar Law, a HighResScheme or a SystemScheme, and "
            f"{file} gives a {kind}: derive it with `mcgen derive`, or run particle systems and "
            "walkers from Python with mcgen.run.montecarlo (particle_profile, ring_current)")
    if kind in HIGHRES_KINDS and dask_address is not None:
        raise click.ClickException(
            f"--dask runs stencil schemes (blocks with halos), and {file} gives a {kind} "
            "(Runge-Kutta stages with data-dependent bounds): leave --dask out to run it on "
            "this machine (its compiled kernel, else the NumPy stepper)")
    t_end = t_end if t_end is not None else _file_number(ns, "t_end", file)
    if t_end is None:
        raise click.ClickException("give --t-end (or define t_end in the model file)")
    n = cells if cells is not None else ns.get("cells", 200)
    if int(n) < 1:
        raise click.ClickException(f"--cells {n}: give at least one cell per axis")
    b = tuple(bounds) if bounds else tuple(ns.get("bounds", (0.0, 1.0)))
    dim = getattr(model, "dim", 1)
    if plot and dim != 1:  # refused before the run, not after it
        raise click.ClickException(f"--plot draws 1-D profiles and {file} gives a {dim}-D "
                                   "model: leave --plot out and write the state with --out")
    grid = Grid.uniform((n,) * dim if dim > 1 else n, b)
    initial = ns.get("initial")
    if initial is None:
        raise click.ClickException(f"{file} defines no `initial` (a function of the "
                                   "coordinates)")
    given_dt = dt if dt is not None else _file_number(ns, "dt", file)
    check_t_end(t_end, 0.0)  # the model file's t_end, and its dt below, get the same checks
    sim = Simulation(model, grid, initial, bc=ns.get("bc", "periodic"),
                     params=ns.get("params", {}), dt=given_dt,
                     safety=safety, unsafe=unsafe, backend=backend,
                     data_range=_data_range(data_range, ns), allow_sampled=allow_sampled,
                     chunks=None if dask_address is None else
                     (chunks or max(1, (int(n) + 1) // 2),) * dim,
                     client=None if dask_address in (None, "local") else dask_address)
    if chunks is not None and dask_address is None:
        click.echo("note       : --chunks applies to --dask runs only; ignored")
    u0 = sim.u.copy()
    t0 = time.perf_counter()
    rec = sim.run(float(t_end), max_steps=max_steps)
    secs = time.perf_counter() - t0
    click.echo(f"model      : {sim.scheme.describe()}")
    if sim.condition is not None:
        click.echo(f"condition  : {sim.condition.describe()}")
    how = "given" if given_dt is not None else f"safety {safety}"
    click.echo(f"dt         : {sim.dt:.6g} (largest allowed {sim.max_dt:.6g}, {how})")
    click.echo(f"steps      : {rec.steps} to t = {sim.t:.6g} in {secs:.3f} s "
               f"({sim.backend_used})")
    click.echo(f"range      : [{float(np.min(sim.u)):.6g}, {float(np.max(sim.u)):.6g}]")
    if sim.is_conservative:
        click.echo(f"mass drift : {rec.mass_drift:.3e}")
    for note in sim.notes:
        click.echo(f"note       : {note}")
    if out:
        click.echo(f"wrote {sim.save(out, overwrite=force)}")
    if sim.chunks is not None:
        sim.dask_grid().close()
    if plot:
        from mcgen.run.plots import profile
        x = grid.centres()[0]
        profile(plot, x, {"t = 0": u0, f"t = {sim.t:g}": sim.u}, title=sim.scheme.name)
        click.echo(f"wrote {plot}")


@cli.command()
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Report folder (default ./mcgen-report, or -2, -3 ... if it exists).")
@click.option("--force", is_flag=True, help="Replace an existing report folder.")
@click.option("--quick", is_flag=True, help="Reduced size (a few seconds).")
def demo(out: str | None, force: bool, quick: bool) -> None:
    """The flagship demo: TASEP, its hydrodynamic limit, a proved-stable scheme, generated
    kernels, Monte Carlo vs PDE vs exact, and a report.

    \b
    Example:
      mcgen demo            # about a minute on two cores; open mcgen-report/report.html
    """
    from mcgen.run.demo import DemoConfig, run_demo
    if out is not None and Path(out).exists() and not force:  # a folder the user named is kept
        raise click.ClickException(f"--out {out}: it exists; choose a new folder or pass --force "
                                   "to replace it (without --out the demo picks a fresh "
                                   "mcgen-report-N)")
    res = run_demo(out, force, DemoConfig.quick() if quick else None)
    for c in res.cases:
        click.echo(f"{c.name:12s} Monte Carlo L1 {c.mc_l1:.4f} (tol {c.mc_tol:.4f})  "
                   f"PDE L1 {c.pde_l1:.4f} (tol {c.pde_tol:.4f})  "
                   f"{'PASS' if c.passed else 'FAIL'}")
    click.echo(f"report: {res.directory / 'report.html'}")
    if not res.passed:
        raise SystemExit(1)


@cli.command()
@click.argument("data", type=click.Path(exists=True, dir_okay=False))
@click.option("--support", default="1", show_default=True,
              help="Offsets the update reads: a radius (1) or a list (-1,0,1; 2-D: '0 0;1 0').")
@click.option("--order", type=int, default=None, help="Moment (consistency) conditions to "
              "this order.")
@click.option("--positive", is_flag=True, help="Non-negative weights (monotone flux).")
@click.option("--conservative", is_flag=True, help="Mass-conserving update.")
@click.option("--law", default="advection-diffusion", show_default=True,
              help="Law of the moment conditions: advection-diffusion, advection, diffusion.")
@click.option("--flux-degree", type=int, default=None,
              help="Fit a conservative numerical flux polynomial of this degree instead.")
@click.option("--instruments", is_flag=True, help="Noisy data: two-stage least squares with the "
              "snapshots before as instruments.")
@click.option("--window", type=int, default=1, show_default=True,
              help="Sum the one-step equations over windows of this many steps.")
@click.option("--rollout", type=int, default=None, help="Noisy data, flux fits: errors-in-"
              "variables fit over windows of this many steps (the clean states are unknowns).")
@click.option("--true-flux", default=None, help="Flux f(u) to plot beside the learned one "
              "(a SymPy expression in u, e.g. 'u**2/2').")
@click.option("--dx", type=float, default=None, help="Grid step (default: from DATA).")
@click.option("--dt", type=float, default=None, help="Time step (default: from DATA).")
@click.option("-o", "--out", type=click.Path(file_okay=False), default="mcgen-train",
              show_default=True, help="Folder for the model, derivations and report.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
def train(data: str, support: str, order: int | None, positive: bool, conservative: bool,
          law: str, flux_degree: int | None, instruments: bool, window: int,
          rollout: int | None, true_flux: str | None, dx: float | None, dt: float | None,
          out: str, force: bool) -> None:
    """Learn the scheme behind snapshots in DATA (.npz with array u, dx, dt; or .nc).

    \b
    Example:
      mcgen train heat.npz --support -1,0,1 --order 2 --positive -o learned/
      mcgen train burgers.npz --flux-degree 2 --rollout 32 --true-flux 'u**2/2' -o b/
    """
    from mcgen.train import fit_scheme, load_snapshots
    from mcgen.train.report import write_training_report
    if true_flux is not None and flux_degree is None:
        raise click.UsageError("--true-flux is compared with a learned flux: add --flux-degree")
    snap = load_snapshots(data, dx, dt)
    if ";" in support or " " in support.strip():
        sup: Any = [tuple(int(v) for v in part.split()) for part in support.split(";")]
    elif "," in support:
        sup = [int(v) for v in support.split(",")]
    else:
        sup = int(support)
    res = fit_scheme(snap, support=sup, order=order, positive=positive,
                     conservative=conservative, dims="xyz"[:snap.dim], law=law,
                     flux_degree=flux_degree, instruments=instruments, window=window,
                     rollout=rollout)
    folder = write_training_report(out, res, snap, force=force, title=f"Learned from {data}",
                                   true_flux=true_flux)
    click.echo(res.describe())
    click.echo(f"report: {folder / 'report.md'}")


@cli.command()
@click.option("--cells", type=int, default=1_000_000, show_default=True)
@click.option("--steps", type=int, default=50, show_default=True)
@click.option("--backends", default="numpy,numba,c,llvm", show_default=True,
              help="Comma-separated backends to time.")
def bench(cells: int, steps: int, backends: str) -> None:
    """Time the upwind scheme on a periodic 1-D grid with each backend (cell updates per
    second, measured in this run). Not a test: numbers depend on the machine.

    \b
    Example:
      mcgen bench --cells 200000 --steps 20 --backends numpy,c
    """
    import numpy as np

    from mcgen.model.catalogue.linear import upwind
    from mcgen.run.grid import Grid
    from mcgen.run.numpy_stepper import NumpyStepper
    scheme = upwind()
    u0 = np.sin(np.linspace(0, 2 * np.pi, cells, endpoint=False))
    chosen = [s.strip() for s in backends.split(",") if s.strip()]
    unknown = [b for b in chosen if b not in ("numpy", "numba", "c", "llvm")]
    if unknown or not chosen:
        raise click.ClickException(f"--backends {backends}: give a comma-separated list of "
                                   "numpy, numba, c, llvm")
    results = []
    for b in chosen:
        if b == "numpy":
            st = NumpyStepper(scheme, Grid.uniform(cells, (0.0, 1.0)), "periodic", {"a": 1.0})
            t0 = time.perf_counter()
            st.run({"u": u0}, 0.0, 0.5 / cells, steps)  # nu = a dt/dx = 0.5
            secs, comp = time.perf_counter() - t0, 0.0
        else:
            from mcgen.codegen import compile as compile_kernel
            t0 = time.perf_counter()
            try:
                k = compile_kernel(scheme, backend=b, unsafe=True)
            except Exception as err:  # noqa: BLE001 - a missing compiler is reported
                click.echo(f"{b:6s} unavailable: {err}")
                continue
            k.run(u0, steps, nu=0.5)  # warm-up: builds the time-blocked kernels it uses
            comp = time.perf_counter() - t0
            t0 = time.perf_counter()
            k.run(u0, steps, nu=0.5)
            secs = time.perf_counter() - t0
        results.append((b, secs, comp))
    base = next((s for b, s, _ in results if b == "numpy"), None)
    click.echo(f"upwind, {cells} cells, {steps} steps")
    for b, secs, comp in results:
        rate = cells * steps / secs
        ratio = f"  x{base / secs:6.1f} vs numpy" if base else ""
        click.echo(f"{b:6s} {rate / 1e6:9.1f} M cell-updates/s  (build {comp:.2f} s){ratio}")


@cli.command()
@click.argument("action", type=click.Choice(["info", "clear"]), default="info")
@click.option("--backend", default=None, help="Only this backend's entries (clear): numba, "
              "c, llvm or montecarlo.")
def cache(action: str, backend: str | None) -> None:
    """Show or clear the kernel cache.

    `clear` deletes only the folders mcgen writes (numba/, c/, llvm/, montecarlo/), and only in
    a folder mcgen marked as its cache: MCGEN_CACHE_DIR pointing anywhere else is refused.

    \b
    Examples:
      mcgen cache            # where it is and what it holds
      mcgen cache clear --backend c
    """
    from mcgen.codegen.cache import BACKEND_DIRS, cache_info, clear_cache
    if action == "clear":
        if backend is not None and backend not in BACKEND_DIRS:
            raise click.ClickException(f"--backend {backend}: the cache is kept per backend, one "
                                       f"of {list(BACKEND_DIRS)} (leave --backend out to clear "
                                       "everything)")
        n = clear_cache(backend)  # deletes only mcgen's folders, in a folder mcgen marked
        click.echo(f"removed {n} cached file(s)")
        return
    info = cache_info()
    click.echo(f"directory  : {info['directory']}")
    click.echo(f"entries    : {info['entries']} ({info['bytes']} bytes)")
    for b, v in dict(info["backends"]).items():
        click.echo(f"  {b:8s} {v['entries']} entries, {v['bytes']} bytes")
    click.echo(f"source hash: {str(info['source_hash'])[:16]}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mcgen`` script."""
    try:
        cli.main(args=argv, prog_name="mcgen", standalone_mode=False)
    except click.ClickException as err:
        click.echo(f"mcgen: error: {err.format_message()}", err=True)
        return err.exit_code
    except click.exceptions.Abort:
        click.echo("mcgen: aborted", err=True)
        return 1
    except SystemExit as e:
        return int(e.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
