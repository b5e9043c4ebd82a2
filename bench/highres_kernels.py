"""Speed of mcgen's NumPy reference steppers for the high-resolution schemes against the
hand-written C baselines of bench/hand_highres.c (gcc -O3 -march=native), on the same data
(the results agree to rounding, see tests/run/test_highres_hand_c.py), and of the generated
kernels (C, LLVM, numba) against the same hand C. The machine may be shared: compare the ratios
of one run, and repeat. The generated-vs-hand rows take turns through
``system_kernels.interleaved``, timed by the calling thread's CPU time (all kernels are serial).
Run: ``python bench/highres_kernels.py``.
"""

from __future__ import annotations

import ctypes
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import sympy as sp
from system_kernels import interleaved  # bench/ is sys.path[0] when run as a script

from mcgen.codegen.highres_frontend import HighResKernel
from mcgen.codegen.system_frontend import Euler2DKernel
from mcgen.model import scalar_law
from mcgen.model.catalogue.euler import euler_equations
from mcgen.model.catalogue.highres import muscl
from mcgen.run.highres_stepper import HighResStepper
from mcgen.run.system_stepper import SystemStepper

HERE = Path(__file__).resolve().parent
D = ctypes.POINTER(ctypes.c_double)


def build() -> ctypes.CDLL:
    lib = Path(tempfile.mkdtemp()) / "hand_highres.so"
    subprocess.run(["gcc", "-O3", "-march=native", "-shared", "-fPIC",
                    str(HERE / "hand_highres.c"), "-o", str(lib), "-lm"], check=True)
    return ctypes.CDLL(str(lib))


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    lib = build()
    n, steps, nu = 1_000_000, 20, 0.6
    u0 = np.random.default_rng(0).random(n)
    u = sp.Symbol("u")
    st = HighResStepper(muscl(scalar_law(u, u), "minmod", "godunov", "ssprk22"), n,
                        data_range=(0, 1))
    st.run(u0[:], nu * st.dx, dt=nu * st.dx)  # set-up (proof, lambdify) outside the timing
    t_np = best(lambda: st.run(u0, steps * nu * st.dx, dt=nu * st.dx))
    buf, stage, face = np.zeros(n + 4), np.zeros(n + 4), np.zeros(n + 4)

    def hand() -> None:
        buf[2:-2] = u0
        lib.muscl_minmod_ssprk2(buf.ctypes.data_as(D), stage.ctypes.data_as(D),
                                face.ctypes.data_as(D),
                                ctypes.c_long(n), ctypes.c_long(steps), ctypes.c_double(nu))

    t_c = best(hand)
    cells = n * steps
    print("| scheme | size | NumPy stepper | hand C -O3 | C / NumPy |\n|---|---|---|---|---|")
    print(f"| MUSCL-minmod SSPRK(2,2) advection | {n} x {steps} steps | "
          f"{cells / t_np / 1e6:.1f} Mcell/s | {cells / t_c / 1e6:.1f} Mcell/s | "
          f"{t_np / t_c:.1f}x |")
    nx = ny = 512
    steps2, dt = 10, 2e-4
    es = SystemStepper(euler_equations("hllc", None, stepper="euler", dim=2), (nx, ny),
                       ((0.0, 1.0), (0.0, 1.0)), boundary="periodic")
    X, Y = np.meshgrid(*es.axes, indexing="ij")
    U0 = es.conserved(np.array([1 + 0.2 * np.sin(2 * np.pi * X), np.sin(2 * np.pi * Y),
                                0.5 * np.cos(2 * np.pi * X), 1 + 0 * X]))
    t_np2 = best(lambda: es.run(U0, steps2 * dt, dt=dt, unsafe=True), 2)
    q, out = np.zeros((4, ny + 2, nx + 2)), np.zeros((4, ny + 2, nx + 2))

    def hand2() -> None:
        q[:, 1:-1, 1:-1] = U0.transpose(0, 2, 1)
        lib.euler2d_hllc(q.ctypes.data_as(D), out.ctypes.data_as(D), ctypes.c_long(nx),
                         ctypes.c_long(ny), ctypes.c_long(steps2),
                         ctypes.c_double(dt / es.spacing[0]), ctypes.c_double(dt / es.spacing[1]))

    t_c2 = best(hand2, 2)
    cells2 = nx * ny * steps2
    print(f"| 2-D Euler HLLC, forward Euler | {nx}x{ny} x {steps2} steps | "
          f"{cells2 / t_np2 / 1e6:.2f} Mcell/s | {cells2 / t_c2 / 1e6:.2f} Mcell/s | "
          f"{t_np2 / t_c2:.1f}x |")
    print("\n| generated kernel (one fused pass per stage), MUSCL-minmod SSPRK(2,2) | Mcell/s | "
          "speed vs hand C |\n|---|---|---|")
    scheme = muscl(scalar_law(u, u), "minmod", "godunov", "ssprk22", data_range=(0, 1))
    fns: dict[str, object] = {"hand C": hand}
    for backend in ("c", "llvm", "numba"):
        k = HighResKernel(scheme, backend)
        k.run(u0[:1000], 1, nu)  # JIT / load outside the timing
        fns[backend] = lambda k=k: k.run(u0, steps, nu)
    times = interleaved(fns, 3)  # hand C and the kernels take turns: the load hits all alike
    for backend, t_g in times.items():
        if backend != "hand C":
            print(f"| {backend} | {cells / t_g / 1e6:.1f} | {times['hand C'] / t_g:.2f} |")
    print("\n| generated kernel, 2-D Euler HLLC forward Euler | Mcell/s | speed vs hand C |\n"
          "|---|---|---|")
    for backend in ("c", "llvm", "numba"):
        k2 = Euler2DKernel(es.scheme, backend)
        k2.run(U0[:, :16, :16], 1, dt, es.spacing, unsafe=True)  # JIT / load outside timing
        t_g2 = best(lambda k2=k2: k2.run(U0, steps2, dt, es.spacing), 2)
        print(f"| {backend} | {cells2 / t_g2 / 1e6:.2f} | {t_c2 / t_g2:.2f} |")


if __name__ == "__main__":
    main()
