"""LLVM generation + compilation time per kernel (no cache): wall time and the process CPU time,
which a loaded machine inflates less than the wall time.

    python bench/llvm_compile_time.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stencils import _cases  # noqa: E402

from mcgen.codegen.backends.llvm_backend import build_llvm  # noqa: E402
from mcgen.codegen.stencil_frontend import build_stencil  # noqa: E402


def main() -> None:
    build_llvm(build_stencil(_cases()[0].scheme).module, cache=False)  # LLVM's one-time setup
    print(f"{'case':24s} {'front-end s':>12s} {'llvm wall s':>12s} {'llvm cpu s':>11s}  stages")
    for case in _cases():
        t, c = time.perf_counter(), time.process_time()
        program = build_stencil(case.scheme)
        front = time.perf_counter() - t
        best_wall, best_cpu, stages = 1e9, 1e9, {}
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            compiled = build_llvm(program.module, cache=False)
            wall, cpu = time.perf_counter() - t, time.process_time() - c
            if wall < best_wall:
                stages = compiled.timings
            best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
        detail = " ".join(f"{k}={v * 1e3:.0f}ms" for k, v in stages.items() if k != "total")
        print(f"{case.name:24s} {front:12.3f} {best_wall:12.3f} {best_cpu:11.3f}  {detail}")


if __name__ == "__main__":
    main()
