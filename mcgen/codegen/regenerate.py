"""Regenerate ``generated/``: the exported text artifacts of the kernels the examples use.

Each kernel gets a folder ``generated/<name>/`` written by
:func:`mcgen.codegen.export.export_kernel`
(numba module ``.py``, LLVM IR ``.ll``, C99 ``.c`` and ``.h``, ``README.md``, ``manifest.json``)
with the binaries left out: the ``.o`` is dropped (the README says how to build it from the
``.ll``). The committed text must be the same bytes on every machine, so the manifest is
rewritten without what describes the machine or the checkout rather than the model: the
versions of Python, numpy, numba, llvmlite and LLVM, the hash of mcgen's code-generation
sources (it changes with any edit to them, even one that prints the same kernels) and the
``.o``'s hash. What stays (model hash, IR hash, enforced condition, file hashes, mcgen version,
target CPU) is a function of the model and of mcgen's release.

Nothing is compiled: the numba module is printed, not imported, and the ``.ll`` is printed and
verified by LLVM (the export also builds the ``.o`` in memory; it is discarded).

Run ``python -m mcgen.codegen.regenerate`` to rewrite the folder, ``--check`` to list stale or
missing files without writing (exit status 1 when there are some).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy as sp

from mcgen.atomic_io import write_bytes_atomically
from mcgen.codegen import ir

#: manifest keys that describe the machine or the checkout, not the model (see module doc)
_MACHINE_KEYS = ("codegen_source_hash",)
#: the only version kept in committed manifests: the others are the host's installation
_KEPT_VERSIONS = ("mcgen",)
_CPU = "x86-64-v3"
#: generated code is printed, not written by hand: style rules would flag what the printers
#: emit (long lines, unused loop variables), so only syntax errors are reported in generated/
_RUFF_TOML = (b"# generated/ holds printed code (see README.md): no style rules, syntax errors "
              b"only.\n[lint]\nselect = []\n")


@dataclass(frozen=True)
class GeneratedKernel:
    """One entry of ``generated/``: a folder name, the example it serves, and how to build
    its IR module and enforced condition."""

    name: str
    example: str
    what: str
    build: Callable[[str], tuple[Any, ...]]  # folder name -> (module, cond, hash[, contract])


# ---------------------------------------------------------------------- stencil kernels

def _stencil(scheme: Any, name: str, bc: Any, condition: Any) -> tuple[Any, ...]:
    """The IR module of ``scheme`` as ``compile`` builds it, named ``name``."""
    from mcgen.codegen.config import KernelConfig
    from mcgen.codegen.kernel_arguments import argument_meanings, boundary_text
    from mcgen.codegen.stencil_frontend import build_stencil

    text = " ".join(condition.describe().split()) if condition is not None else "none"
    cfg = KernelConfig(bc=bc, name=name, condition_text=text).validated(scheme.dim)
    program = build_stencil(scheme, cfg)
    # what the export's README, header and manifest tell the caller about the arguments
    contract = {"arguments": tuple(argument_meanings(scheme, program.layout).items()),
                "boundary": boundary_text(cfg.bc, scheme.reading)}
    return program.module, text, scheme.hash, contract


def _linear_condition(scheme: Any) -> Any:
    """The condition ``compile`` enforces: the model's safety policy's answer."""
    from mcgen.analysis.safety_policy import safety_policy

    return safety_policy(scheme).condition()


def _upwind(name: str) -> tuple[ir.Module, str, str]:
    from mcgen.model.catalogue.linear import upwind

    s = upwind()
    return _stencil(s, name, "periodic", _linear_condition(s))


def _lax_wendroff(name: str) -> tuple[ir.Module, str, str]:
    from mcgen.model.catalogue.linear import lax_wendroff

    s = lax_wendroff()
    return _stencil(s, name, "periodic", _linear_condition(s))


def _godunov_tasep(name: str) -> tuple[ir.Module, str, str]:
    """The demo's PDE kernel: Godunov for TASEP's hydrodynamic limit, data in [0, 1]."""
    from mcgen.analysis.particle_limit import hydrodynamic_limit
    from mcgen.analysis.safety_policy import safety_policy
    from mcgen.model.catalogue.conservative import conservative_scheme
    from mcgen.model.catalogue.particles import tasep

    s = conservative_scheme(hydrodynamic_limit(tasep()).result, flux="godunov")
    cond = safety_policy(s).condition((sp.Integer(0), sp.Integer(1)))
    return _stencil(s, name, "periodic", cond)


def _advection_diffusion_2d(name: str) -> tuple[ir.Module, str, str]:
    """The scheme of ``examples/advection_diffusion_2d.py`` (declared there, rebuilt here so
    that importing this module never runs an example)."""
    from mcgen.model import Field, Scheme, scalar_law
    from mcgen.model.symbols import dt, dx, dy

    a, b = sp.symbols("a b", positive=True)
    D = sp.Symbol("D", positive=True)
    nu_x, nu_y, r_x, r_y = sp.symbols("nu_x nu_y r_x r_y", nonnegative=True)
    u = Field("u", dim=2)
    U = sp.Symbol("u", real=True)
    update = (u[0, 0] - nu_x * (u[0, 0] - u[-1, 0]) - nu_y * (u[0, 0] - u[0, -1])
              + r_x * (u[1, 0] - 2 * u[0, 0] + u[-1, 0])
              + r_y * (u[0, 1] - 2 * u[0, 0] + u[0, -1]))
    s = Scheme(("u",), 2, {"u": update}, params=(nu_x, nu_y, r_x, r_y),
               name="upwind advection + central diffusion (2-D)",
               definitions={nu_x: a * dt / dx, nu_y: b * dt / dy, r_x: D * dt / dx**2,
                            r_y: D * dt / dy**2},
               law=scalar_law(U, (a * U, b * U), diffusion=D, diffusion_form="fick"))
    return _stencil(s, name, "periodic", _linear_condition(s))


# ---------------------------------------------------------------------- Monte Carlo kernels

def _as_module(kernel: ir.Kernel, name: str) -> ir.Module:
    return ir.Module(name, (kernel,), meta=dict(kernel.meta))


def _tasep_ring(name: str) -> tuple[ir.Module, str, str]:
    """Continuous-time TASEP on a ring (examples/burgers_from_tasep.py, the demo)."""
    from mcgen.codegen.particle_frontend import particle_kernel
    from mcgen.model.catalogue.particles import tasep

    system = tasep()
    plan = particle_kernel(system, currents=True, name=name)
    return (_as_module(plan.kernel, name),
            "none (the simulator checks the uniformisation rate bounds every rate)",
            _model_hash(system))


def _ou_kushner_dupuis(name: str) -> tuple[ir.Module, str, str]:
    """The fixed-dt Kushner-Dupuis walker of examples/ou_kushner_dupuis.py (reflecting)."""
    from mcgen.codegen.montecarlo_frontend import walker_kernel
    from mcgen.model.catalogue.kushner_dupuis import kushner_dupuis_1d
    from mcgen.model.symbols import x

    process = kushner_dupuis_1d(-1.0 * x, 1.0, fixed_dt=True)
    plan = walker_kernel(process, "reflecting", name=name)
    return (_as_module(plan.kernel, name),
            "none (the simulator checks every probability is in [0, 1] on the lattice)",
            _model_hash(process))


def _model_hash(model: Any) -> str:
    h = getattr(model, "hash", None)
    if isinstance(h, str):
        return h
    from mcgen.proof.serialize import stable_hash

    return stable_hash(repr(model))


KERNELS: tuple[GeneratedKernel, ...] = (
    GeneratedKernel("upwind", "examples/advection_schemes.py",
                    "1-D first-order upwind for u_t + a u_x = 0, periodic", _upwind),
    GeneratedKernel("lax_wendroff", "examples/advection_schemes.py",
                    "1-D Lax-Wendroff for u_t + a u_x = 0, periodic", _lax_wendroff),
    GeneratedKernel("godunov_tasep", "mcgen demo, examples/burgers_from_tasep.py",
                    "1-D Godunov for rho_t + (rho(1 - rho))_x = 0, periodic",
                    _godunov_tasep),
    GeneratedKernel("advection_diffusion_2d", "examples/advection_diffusion_2d.py",
                    "2-D upwind advection + five-point diffusion, periodic",
                    _advection_diffusion_2d),
    GeneratedKernel("tasep_ring", "examples/burgers_from_tasep.py, mcgen demo",
                    "Monte Carlo: continuous-time TASEP replicas on a ring", _tasep_ring),
    GeneratedKernel("ou_kushner_dupuis", "examples/ou_kushner_dupuis.py",
                    "Monte Carlo: fixed-dt Kushner-Dupuis walkers for Ornstein-Uhlenbeck, "
                    "reflecting walls", _ou_kushner_dupuis),
)


# ---------------------------------------------------------------------- artifacts

def _build_ll_hint(name: str) -> str:
    return (f"- `{name}.o`: not committed (a binary). `mcgen.codegen.export.export_kernel` "
            f"writes it, or build it from the `.ll`: `llc -O3 -mcpu={_CPU} "
            f"--relocation-model=pic -filetype=obj {name}.ll -o {name}.o`")


def _kernel_artifacts(spec: GeneratedKernel) -> dict[str, bytes]:
    """The committed files of one kernel, relative to its folder."""
    from mcgen.codegen.export import ExportSource, export_kernel

    built = spec.build(spec.name)  # (module, condition, hash[, {arguments, boundary}])
    module, condition, model_hash = built[:3]
    contract: dict[str, Any] = built[3] if len(built) > 3 else {}  # type: ignore[misc]
    with tempfile.TemporaryDirectory(prefix="mcgen-regenerate-") as tmp:
        folder = export_kernel(ExportSource(module, condition, model_hash, **contract),
                               Path(tmp) / "k",
                               cpu=_CPU, include_object=True)
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    obj = f"{module.name}.o"
    files.pop(obj, None)
    readme = files["README.md"].decode()
    lines = readme.split("\n")
    lines = [_build_ll_hint(module.name) if ln.startswith(f"- `{obj}`") else ln for ln in lines]
    files["README.md"] = "\n".join(lines).encode()
    manifest = json.loads(files.pop("manifest.json"))
    for key in _MACHINE_KEYS:
        manifest.pop(key, None)
    manifest["versions"] = {k: v for k, v in manifest.get("versions", {}).items()
                            if k in _KEPT_VERSIONS}
    manifest["files"] = {n: hashlib.sha256(d).hexdigest() for n, d in sorted(files.items())}
    manifest["example"] = spec.example
    manifest["regenerate"] = "python -m mcgen.codegen.regenerate"
    files["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    return files


def _top_readme(specs: tuple[GeneratedKernel, ...], modules: dict[str, str]) -> bytes:
    rows = "\n".join(f"| [`{s.name}/`]({s.name}/README.md) | `{modules[s.name]}` | {s.what} | "
                     f"{s.example} |" for s in specs)
    text = f"""# generated/: exported kernels of the examples

Text artifacts that mcgen generates for the kernels the examples and the demo use, committed so
that a reader can see exactly what runs, and so that a change in the generated code shows in a
diff. Do not edit: they are regenerated, and a test (`tests/codegen/test_generated_fresh.py`)
fails when they are stale.

| folder | kernel | what | used by |
|---|---|---|---|
{rows}

Each folder holds the numba module (`.py`, imports only numpy and numba), the LLVM IR (`.ll`,
data layout of the {_CPU} baseline), the C99 source and header (`.c`, `.h`), a `README.md`
with the call signature, the enforced stability condition and usage, and `manifest.json`
(model hash, IR hash, file hashes). No binaries: the `.o` is built from the `.ll` (see each
README) or by `mcgen.codegen.export.export_kernel`. `ruff.toml` turns style rules off here
(printed code; syntax errors are still reported).

## Regenerate

    python -m mcgen.codegen.regenerate          # rewrite the folders
    python -m mcgen.codegen.regenerate --check  # list stale files, write nothing

The bytes depend only on the models and on mcgen (no timestamps, paths or host versions);
the `.ll` names the LLVM default target triple of the machine that printed it
(x86_64 Linux here).

## Use a kernel

From Python, without mcgen (numba compiles it at the first call):

```python
import sys
sys.path.insert(0, "generated/upwind")
from upwind import upwind
```

then call it with the arguments its README lists (arrays C-contiguous, padded with the ghost
cells the README states). From C, include the header and compile the source (or link the
object built from the `.ll`):

```sh
cc -O3 -march=native main.c generated/upwind/upwind.c -Igenerated/upwind -lm -o main
```

Each folder's `README.md` gives the exact signature and what the caller must check (the exported
functions do not check the stability condition; mcgen's wrappers do).
"""
    return text.encode()


def expected_files(specs: tuple[GeneratedKernel, ...] | None = None) -> dict[str, bytes]:
    """Every committed file of ``generated/`` (paths relative to it, ``/``-separated) for
    ``specs`` (default: :data:`KERNELS`, looked up at call time)."""
    specs = KERNELS if specs is None else specs
    out: dict[str, bytes] = {}
    modules: dict[str, str] = {}
    for spec in specs:
        files = _kernel_artifacts(spec)
        modules[spec.name] = next(n[:-3] for n in files if n.endswith(".py"))
        for fname, data in files.items():
            out[f"{spec.name}/{fname}"] = data
    out["README.md"] = _top_readme(specs, modules)
    out["ruff.toml"] = _RUFF_TOML
    return out


def is_by_product(relative: Path) -> bool:
    """Files that running or checking a generated kernel leaves beside it (numba's and
    Python's ``__pycache__``, hidden tool folders, objects built from the ``.ll``): git
    ignores them and freshness does not look at them."""
    return (any(part.startswith(".") or part == "__pycache__" for part in relative.parts)
            or relative.suffix in (".o", ".so", ".pyc"))


def _existing(root: Path) -> set[str]:
    if not root.is_dir():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and not is_by_product(p.relative_to(root))}


def regenerate(directory: str | os.PathLike[str] = "generated", check: bool = False
               ) -> list[str]:
    """Bring ``directory`` up to date with the kernels in :data:`KERNELS`.

    Parameters
    ----------
    directory : path
        The folder (default ``generated`` in the current directory).
    check : bool
        Write nothing; only report.

    Returns
    -------
    list of str
        Paths (relative to ``directory``) that differ, are missing, or should not be there;
        with ``check=False`` they have been rewritten or removed. Empty when fresh.
    """
    root = Path(directory)
    want = expected_files()
    have = _existing(root)
    changed = sorted(name for name, data in want.items()
                     if name not in have or (root / name).read_bytes() != data)
    extra = sorted(have - set(want))
    if not check:
        for name in changed:
            write_bytes_atomically(root / name, want[name], mode=0o644)
        for name in extra:
            (root / name).unlink()
        for folder in sorted({(root / n).parent for n in extra}, reverse=True):
            if folder != root and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    return sorted(changed + extra)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m mcgen.codegen.regenerate",
                                description="Rewrite generated/ (the examples' exported "
                                            "kernels).")
    p.add_argument("directory", nargs="?", default="generated")
    p.add_argument("--check", action="store_true",
                   help="write nothing; list stale or missing files, exit 1 if any")
    args = p.parse_args(argv)
    changed = regenerate(args.directory, check=args.check)
    verb = "stale" if args.check else "written"
    for name in changed:
        print(f"{verb}: {name}")
    if not changed:
        print(f"{args.directory}/ is up to date")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
