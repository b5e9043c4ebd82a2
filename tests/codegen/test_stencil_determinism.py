"""Generated text is deterministic: the same model gives the same bytes in every process,
whatever PYTHONHASHSEED (so exported kernels can be checked for freshness)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import hashlib
import sympy as sp
from mcgen.model import Field, Scheme, Dirichlet
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.stencil_frontend import build_stencil
from mcgen.codegen.backends.numba_backend import render_numba
from mcgen.codegen.backends.c_backend import render_c

u, v = Field("u"), Field("v", 2)
lam, rx, ry = sp.symbols("lambda r_x r_y")
F = lambda a, b: (a**2 + b**2) / 4 - sp.Max(sp.Abs(a), sp.Abs(b)) / 2 * (b - a)
schemes = [
    (Scheme(("u",), 1, {"u": u[0] - lam * (F(u[0], u[1]) - F(u[-1], u[0]))}, name="rus"),
     "outflow"),
    (Scheme(("v",), 2, {"v": v[0, 0] + rx * (v[1, 0] - 2 * v[0, 0] + v[-1, 0])
                        + ry * (v[0, 1] - 2 * v[0, 0] + v[0, -1]) + v[0, 0]**2 * v[1, 1]
                        - v[-1, -1] * v[0, 0]**2 + v[0, 0] * v[0, 1]**3 - v[0, -1] * v[0, 0]**3},
            name="mixed"),
     [Dirichlet(sp.sin(sp.Symbol("t"))), "reflecting"]),
]
h = hashlib.sha256()
for s, bc in schemes:
    m = build_stencil(s, KernelConfig(bc=bc, threads=2)).module
    h.update(render_numba(m).encode())
    h.update(render_c(m).source.encode())
print(h.hexdigest())
"""


def _digest(seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_same_model_same_bytes_under_two_hash_seeds():
    a, b = _digest("0"), _digest("4242")
    assert len(a) == 64 and a == b
