"""A wheel of mcgen installs in a fresh virtual environment and generates a kernel there, with
the templates found inside the installed package (not in the source tree).

Slow (builds a wheel, about 20-40 s): runs only with MCGEN_SLOW=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(os.environ.get("MCGEN_SLOW") != "1",
                                reason="slow: builds and installs a wheel; set MCGEN_SLOW=1")


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def _build_wheel(src: Path, dist: Path) -> Path:
    # Build from a copy so the shared working tree gets no build/ or egg-info litter.
    for attempt in (["--no-build-isolation"], []):
        res = _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q",
                    "-w", str(dist), *attempt])
        wheels = list(dist.glob("mcgen-*.whl"))
        if res.returncode == 0 and wheels:
            return wheels[0]
    raise AssertionError(f"pip wheel failed:\n{res.stdout}\n{res.stderr}")


GENERATE = textwrap.dedent("""
    import sys, pathlib
    import numpy as np, sympy as sp
    import mcgen
    here = pathlib.Path(mcgen.__file__).resolve().parent
    assert "site-packages" in str(here), here
    from mcgen.codegen.backends import templates_dir
    tdir = templates_dir().resolve()
    assert tdir == here / "_templates", (tdir, here)
    from mcgen.codegen.export import export_kernel
    from mcgen.codegen.stencil_frontend import build_stencil
    from mcgen.model.read import Field
    from mcgen.model.scheme import Scheme
    u, nu = Field("u"), sp.Symbol("nu")
    scheme = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, params=(nu,),
                    name="upwind")
    program = build_stencil(scheme)
    out = export_kernel(program.module, sys.argv[1], include_object=False)
    print(program.module.name, program.module.kernels[0].name,
          ",".join(program.layout.arg_names))
""")

RUN_GENERATED = textwrap.dedent("""
    import importlib, sys
    import numpy as np
    sys.path.insert(0, sys.argv[1])
    mod = importlib.import_module(sys.argv[2])
    n, g = 64, 1
    u0 = np.sin(np.linspace(0, 6.28, n, endpoint=False))
    cur = np.zeros(n + 2); cur[1:-1] = u0
    nxt = np.zeros_like(cur)
    env = dict(cur=cur, nxt=nxt, n0=n, nsteps=1, t0=0.0, dt=0.0, nu=0.5)
    args = [env[a] for a in sys.argv[3].split(",")]
    kernel = getattr(mod, sys.argv[4])
    kernel(*args)
    want = u0 - 0.5 * (u0 - np.roll(u0, 1))
    assert np.allclose(nxt[1:-1], want, rtol=0, atol=1e-14), abs(nxt[1:-1] - want).max()
    print("ok")
""")


def test_wheel_installs_and_generates_a_kernel_with_packaged_templates(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("mcgen", "templates"):
        shutil.copytree(REPO / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    wheel = _build_wheel(src, tmp_path / "dist")
    venv = tmp_path / "venv"
    res = _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    assert res.returncode == 0, res.stderr
    py = venv / "bin" / "python"
    res = _run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)])
    assert res.returncode == 0, res.stderr
    # Run outside the source tree and without PYTHONPATH, so only the installed copy is seen.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MCGEN_CACHE_DIR"] = str(tmp_path / "cache")
    work = tmp_path / "work"
    work.mkdir()
    (work / "generate.py").write_text(GENERATE)
    res = _run([str(py), "generate.py", str(work / "kernel")], cwd=work, env=env)
    assert res.returncode == 0, res.stderr
    module_name, kernel_name, names = res.stdout.split()
    generated = work / "kernel" / f"{module_name}.py"
    assert generated.exists(), sorted(p.name for p in (work / "kernel").iterdir())
    (work / "run.py").write_text(RUN_GENERATED)
    res = _run([str(py), "-I", "run.py", str(work / "kernel"), module_name, names, kernel_name],
               cwd=work, env=env)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr
