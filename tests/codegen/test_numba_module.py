"""The numba backend writes a real module: header with provenance, importable without mcgen,
cached by numba between processes, threaded only above the size threshold."""

import builtins
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import sympy as sp
from without_mcgen import BLOCK_MCGEN

from mcgen.codegen import KernelConfig, compile
from mcgen.codegen.backends.numba_backend import write_numba
from mcgen.codegen.stencil_frontend import build_stencil
from mcgen.model import Field, Scheme
from mcgen.proof.condition import Condition
from mcgen.run.numpy_stepper import oracle_run

CFG = KernelConfig(cache_dir=Path(tempfile.gettempdir()) / "mcgen-test-cache")
u = Field("u")
nu = sp.Symbol("nu")
UPWIND = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, name="upwind")
LAX_FRIEDRICHS = Scheme(("u",), 1, {"u": (u[-1] + u[1]) / 2 - nu / 2 * (u[1] - u[-1])},
                        name="lax_friedrichs")
CFL = Condition(sp.And(nu >= 0, nu <= 1), (nu,), "positivity", name="CFL")


def test_module_header_records_hash_version_condition_and_fastmath_flags():
    import mcgen

    k = compile(UPWIND, backend="numba", condition=CFL, config=CFG, warm=False)
    src = k.source("numba")
    assert UPWIND.hash in src and f"mcgen {mcgen.__version__}" in src
    assert "CFL" in src and "(nu >= 0) & (nu <= 1)" in src
    assert "fastmath=FASTMATH" in src and "'nnan'" not in src and "'ninf'" not in src
    assert "cache=True" in src and "exec(" not in src
    assert builtins.compile(src, "generated.py", "exec") is not None  # valid Python


SCRIPT = BLOCK_MCGEN + """
import sys, importlib.util
import numpy as np
try:
    import mcgen  # noqa: F401
    print("MCGEN-IMPORTABLE")
except ImportError:
    pass
spec = importlib.util.spec_from_file_location("kern", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
a = np.zeros(12); a[3] = 1.0
b = a.copy()
mod.upwind(a, b, 10, 1, 0.0, 0.0, 0.25)   # padded: ghost width 1, 10 interior cells
print(float(b[3]), float(b[4]))
"""


def test_generated_module_runs_where_mcgen_cannot_be_imported(tmp_path):
    module = build_stencil(UPWIND, CFG).module
    path, _ = write_numba(module, tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "nbcache")
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert "MCGEN-IMPORTABLE" not in out
    assert out.split() == ["0.75", "0.25"]


def test_second_process_loads_the_kernel_from_numba_cache():
    # the first kernel of a process pays numba's own start-up; the second shows the cache
    code = ("import sys; sys.path.insert(0, 'tests/codegen')\n"
            "from tests.codegen.test_numba_module import UPWIND, LAX_FRIEDRICHS, CFG\n"
            "from mcgen.codegen import compile\n"
            "compile(LAX_FRIEDRICHS, backend='numba', config=CFG, unsafe=True)\n"
            "k = compile(UPWIND, backend='numba', config=CFG, unsafe=True)\n"
            "print(k.timings['build'] + k.timings['jit'])")
    root = Path(__file__).resolve().parents[2]
    run = [sys.executable, "-c", code]
    subprocess.run(run, cwd=root, capture_output=True, text=True, check=True)
    cached = float(subprocess.run(run, cwd=root, capture_output=True, text=True,
                                  check=True).stdout.split()[-1])
    assert cached < 0.5  # a cache hit loads machine code; a cold compile takes about a second


def test_threaded_variant_matches_serial_bitwise_above_the_threshold():
    cfg = KernelConfig(cache_dir=CFG.cache_dir, parallel_threshold=64)
    k = compile(UPWIND, backend="numba", threads=2, config=cfg, unsafe=True)
    u0 = np.random.default_rng(0).random(200)
    serial = k.run(u0, 5, nu=0.4, threads=1)
    threaded = k.run(u0, 5, nu=0.4)
    assert np.array_equal(serial, threaded)
    assert np.abs(serial - oracle_run(UPWIND, u0, 5, nu=0.4)).max() < 1e-14
