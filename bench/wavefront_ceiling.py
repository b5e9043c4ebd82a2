"""Why 2-D temporal blocking stops short of 2x the one-sweep bandwidth bound on this core.

Compiles ``bench/hand_wavefront.c`` with the C backend's flags and runs it: a clock estimate,
the row sweep of 2-D five-point heat and 2-D donor cell with every row in L1 (the generated
arithmetic auto-vectorised, and hand AVX-512 taking the x neighbours by shuffles), then a hand
wavefront like mcgen's (strips of B cells, k levels, rings of 4 rows) timed as it is and without
its main-memory traffic (input rows from cache, last level into its ring), and again computing
``--jam`` rows of a level in one x loop (loads shared in registers, each cell's arithmetic
unchanged) and as the ``--variants`` say (levels fused along the columns, row loops from a
line start, AVX-512 shuffles: bench/hand_wavefront.c), each checked bitwise against one sweep
per step; first the STREAM copy bound of the target (issue 15: >= 2x STREAM copy / 16 B per
cell). With ``--mcgen`` the generated wavefront kernels run at the same (k, B) in the same
process, for comparison. Rates per second of CPU time (a loaded machine).

    python bench/wavefront_ceiling.py                 # 6000^2, k = 16, B = 1500 (about 1 min)
    python bench/wavefront_ceiling.py --mcgen --reps 3 --jam 2 --variants a8:2 a8pf:1:2 x512:2
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import stencils as S  # noqa: E402

from mcgen.codegen.backends import DEFAULT_CFLAGS  # noqa: E402


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def generated_rates(n: int, k: int, b: int, steps: int, reps: int) -> None:
    """Mcell/s of mcgen's C and LLVM wavefront kernels (2-D heat, 2-D donor cell) at (k, b)."""
    from mcgen.codegen import compile
    from mcgen.model.catalogue.linear import donor_cell_2d, ftcs_heat_2d

    u0 = np.random.default_rng(0).random((n, n))
    for scheme, params in ((ftcs_heat_2d(), {"r_x": 0.2, "r_y": 0.15}),
                           (donor_cell_2d(), {"nu_x": 0.2, "nu_y": 0.15})):
        for backend in ("c", "llvm"):
            kern = compile(scheme, backend=backend, unsafe=True, bc="periodic").with_blocking(
                k, b, "wavefront")
            bufs = kern.prepare(u0)
            kern.advance(bufs, 2, **params)
            best = 0.0
            for _ in range(reps):
                t = time.thread_time()
                kern.advance(bufs, steps, **params)
                best = max(best, n * n * steps / (time.thread_time() - t))
            print(f"mcgen {scheme.name} [{backend}] wavefront k={k} B={b}: {best / 1e6:6.0f} "
                  "Mcell/s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=6000)
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--b", type=int, default=1500)
    ap.add_argument("--steps", type=int, default=32)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--jam", type=int, default=4, choices=(1, 2, 4),
                    help="also time the hand wavefront computing this many rows per x loop")
    ap.add_argument("--variants", nargs="*", default=[],
                    help="more hand wavefronts: JAM:CHUNK:LAG (levels fused in chunks of CHUNK "
                         "columns, LAG apart), a8:JAM (row loops from a line start), x512:2 "
                         "and x512u:2 (AVX-512, x neighbours by shuffles / unaligned loads), "
                         "a8pf:D:L (a8:2 prefetching cur and nxt D passes ahead, locality L)")
    ap.add_argument("--mcgen", action="store_true", help="also time the generated kernels")
    opts = ap.parse_args()
    print(f"# load before: {uptime()}")
    flags = [f for f in DEFAULT_CFLAGS if f not in ("-fPIC", "-shared")]
    with tempfile.TemporaryDirectory() as tmp:
        copy = S.stream_copy_bandwidth(S.build_hand_c(Path(tmp)), int(4e7), opts.reps, 0.3,
                                       time.thread_time)
        print(f"STREAM copy (hand C, CPU time) {copy / 1e9:.1f} GB/s: one-sweep bound (16 B/cell) "
              f"{copy / 16e6:.0f} Mcell/s, the target 2x that {copy / 8e6:.0f} Mcell/s")
        exe = Path(tmp) / "hand_wavefront"
        subprocess.run(["gcc", *flags, str(HERE / "hand_wavefront.c"), "-o", str(exe)],
                       check=True)
        subprocess.run([str(exe), *(str(v) for v in (opts.n, opts.k, opts.b, opts.steps,
                                                     opts.reps, opts.jam)),
                        *opts.variants], check=True)
    if opts.mcgen:
        generated_rates(opts.n, opts.k, opts.b, opts.steps, opts.reps)
    print(f"# load after: {uptime()}")


if __name__ == "__main__":
    main()
