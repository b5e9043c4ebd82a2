"""Generated kernels (C, LLVM, numba) against the hand-written C of bench/hand_euler2d.c and
bench/hand_weno5.c (gcc -O3 -march=native) on the same data, for the same scheme:

- 2-D Euler MUSCL-minmod (primitive) HLLC SSPRK(2,2), periodic, Zhang-Shu scaling
  (``SystemKernel``);
- WENO5 (Jiang-Shu, Lax-Friedrichs splitting) SSPRK(3,3), periodic, for linear advection and
  Burgers (``HighResKernel(weno5(...))``);
- the same in 2-D and 3-D, dimension by dimension, the same flux on every axis (advection along
  the diagonal, Burgers; ``HighResNDKernel(dimension_by_dimension(s, s[, s]))``).

Before timing, each row checks that hand C, the generated kernels and mcgen's NumPy reference
agree (largest difference printed, relative to the largest value). The functions take turns in
every round and the best of each is kept (the machine may be shared: compare the ratios of one
run). ``--hand-flags`` also times the hand C built with the generated kernels' extra flags
(``mcgen.codegen.backends.DEFAULT_CFLAGS``: -fno-math-errno, -fno-trapping-math,
-ffp-contract=off). Run: ``python bench/hand_c_extra.py``.
"""

from __future__ import annotations

import argparse
import ctypes
import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sympy as sp
from system_kernels import interleaved, report  # bench/ is sys.path[0] when run as a script

from mcgen.codegen import ir
from mcgen.codegen.backends import DEFAULT_CFLAGS
from mcgen.codegen.backends.c_backend import render_c
from mcgen.codegen.highres_frontend import HighResKernel
from mcgen.codegen.highres_nd_frontend import HighResNDKernel
from mcgen.codegen.system_frontend import SystemKernel, build_system
from mcgen.model import scalar_law
from mcgen.model.catalogue.euler import euler_equations
from mcgen.model.catalogue.highres import dimension_by_dimension, weno5
from mcgen.run.highres_nd_stepper import HighResNDStepper
from mcgen.run.highres_stepper import HighResStepper
from mcgen.run.system_stepper import SystemStepper

HERE = Path(__file__).resolve().parent
D = ctypes.POINTER(ctypes.c_double)
CACHE = Path(tempfile.gettempdir()) / "mcgen-bench-system-kernels"  # numba/C reuse it
MCGEN_EXTRA = [f for f in DEFAULT_CFLAGS if f not in ("-O3", "-march=native", "-fPIC", "-shared")]


def build(source: str, extra: list[str]) -> ctypes.CDLL:
    lib = Path(tempfile.mkdtemp()) / (Path(source).stem + ".so")
    subprocess.run(["gcc", "-O3", "-march=native", *extra, "-shared", "-fPIC",
                    str(HERE / source), "-o", str(lib), "-lm"], check=True)
    out = ctypes.CDLL(str(lib))
    if source == "hand_euler2d.c":
        out.euler2d_muscl_hllc_ssprk2.restype = ctypes.c_double
    return out


def libs(source: str, hand_flags: bool, causes: dict[str, str] | None = None
         ) -> dict[str, ctypes.CDLL]:
    """The hand C, and (``hand_flags``) built with the generated kernels' flags, and (``causes``:
    row name -> macro) the variants that do what the generated kernel does differently."""
    out = {"hand C": build(source, [])}
    if hand_flags:
        out["hand C, mcgen flags"] = build(source, MCGEN_EXTRA)
    for name, macro in (causes or {}).items():
        out[name] = build(source, [f"-D{macro}"])
    return out


def division_free_minmod(text: str) -> str:
    """The system program's limited slope phi(dm/d) d (d = dp; 0 where d = 0), minmod, printed
    as max(0, min(dm, dp)) + min(0, max(dm, dp)): the same numbers up to the rounding of
    dm/dp*dp, without the division."""
    text = re.sub(r"h_r(\d) = h_dm\1 / h_s\1;", r"h_r\1 = 0.0;", text)
    return re.sub(r"h_l(\d) = h_d\1 != 0\.0 \? h_d\1 \* mc_max_f64\(0\.0, mc_min_f64\(1\.0, "
                  r"h_r\1\)\) : 0\.0;",
                  r"h_l\1 = mc_max_f64(0.0, mc_min_f64(h_dm\1, h_dp\1)) + "
                  r"mc_min_f64(0.0, mc_max_f64(h_dm\1, h_dp\1));", text)


def generated_c_variant(module: ir.Module, edit: Callable[[str], str], restype: object
                        ) -> Callable[..., object]:
    """The generated C source of ``module`` changed by ``edit`` (which must change it), built
    with the C backend's flags, its ``step`` called directly (for --causes)."""
    source = render_c(module).source
    text = edit(source)
    if text == source:
        raise SystemExit(f"{edit.__name__}: the generated source no longer has that form")
    folder = Path(tempfile.mkdtemp())
    (folder / "variant.c").write_text(text)
    subprocess.run(["gcc", *DEFAULT_CFLAGS, str(folder / "variant.c"), "-o",
                    str(folder / "variant.so"), "-lm"], check=True)
    fn = ctypes.CDLL(str(folder / "variant.so")).step
    fn.restype = restype
    return fn  # type: ignore[no-any-return]


NOTES: list[str] = []  # the agreement lines, printed after the table


def agreement(label: str, ref: np.ndarray, results: dict[str, np.ndarray]) -> None:
    """Refuse to time kernels that do not compute the reference's numbers."""
    scale = float(np.abs(ref).max())
    diffs = ", ".join(f"{name} {np.abs(v - ref).max() / scale:.1e}" for name, v in results.items())
    NOTES.append(f"{label}: max |result - NumPy reference| / max |reference|: {diffs}")
    worst = max(np.abs(v - ref).max() / scale for v in results.values())
    if worst > 1e-12:
        raise SystemExit(f"{label}: hand C and the generated kernels disagree ({worst:.1e})")


def euler2d(n: int, steps: int, rounds: int, backends: list[str], hand_flags: bool,
            causes: bool) -> None:
    st = SystemStepper(euler_equations("hllc", "minmod", "primitive", "ssprk22", dim=2), (n, n),
                       ((0.0, 1.0), (0.0, 1.0)), boundary="periodic")
    X, Y = np.meshgrid(*st.axes, indexing="ij")
    U0 = st.conserved(np.array([1 + 0.2 * np.sin(2 * np.pi * (X + Y)),
                                0.3 * np.cos(2 * np.pi * Y), 0.2 + 0 * X,
                                1 + 0.1 * np.sin(2 * np.pi * X)]))
    dt = 0.05 * st.spacing[0]
    lx, ly = dt / st.spacing[0], dt / st.spacing[1]
    bufs = [np.zeros((4, n + 4, n + 4)) for _ in range(5)]

    def hand(lib: ctypes.CDLL, m: int) -> Callable[[], np.ndarray]:
        def run() -> np.ndarray:
            bufs[0][:, 2:-2, 2:-2] = U0.transpose(0, 2, 1)
            lib.euler2d_muscl_hllc_ssprk2(*[b.ctypes.data_as(D) for b in bufs],
                                          ctypes.c_long(n), ctypes.c_long(n), ctypes.c_long(m),
                                          ctypes.c_double(lx), ctypes.c_double(ly))
            return bufs[0][:, 2:-2, 2:-2].transpose(0, 2, 1).copy()
        return run

    fns: dict[str, Callable[[], object]] = {}
    check: dict[str, np.ndarray] = {}
    check_steps = 3
    variants = {"hand C, division minmod": "MINMOD_DIVISION"} if causes else None
    for name, lib in libs("hand_euler2d.c", hand_flags, variants).items():
        check[name] = hand(lib, check_steps)()
        fns[name] = hand(lib, steps)
    for backend in backends:
        k = SystemKernel(st.scheme, backend, CACHE)
        check[backend] = k.run(U0, check_steps, dt, st.spacing)  # JIT / load outside timing
        fns[backend] = lambda k=k: k.run(U0, steps, dt, st.spacing)
    if causes:
        fn = generated_c_variant(build_system(st.scheme), division_free_minmod, ctypes.c_double)
        work = [np.zeros((4, n + 4, n + 4)) for _ in range(6)]

        def variant(m: int) -> np.ndarray:
            work[0][:, 2:-2, 2:-2] = U0.transpose(0, 2, 1)
            fn(*[b.ctypes.data_as(D) for b in work], ctypes.c_int64(n), ctypes.c_int64(n),
               ctypes.c_int64(m), ctypes.c_double(lx), ctypes.c_double(ly))
            return work[0][:, 2:-2, 2:-2].transpose(0, 2, 1).copy()

        check["c, division-free minmod"] = variant(check_steps)
        fns["c, division-free minmod"] = lambda: variant(steps)
    agreement(f"2-D Euler, {n}x{n} x {check_steps} steps",
              st.run(U0, check_steps * dt, dt=dt), check)
    report("2-D Euler MUSCL-minmod HLLC SSPRK(2,2)", f"{n}x{n} x {steps}", n * n * steps,
           interleaved(fns, rounds))


def weno(flux: str, n: int, steps: int, rounds: int, backends: list[str],
         hand_flags: bool, causes: bool) -> None:
    u = sp.Symbol("u")
    burgers = flux == "burgers"
    scheme = weno5(scalar_law(u, u**2 / 2 if burgers else u), data_range=(0, 1))
    x = (np.arange(n) + 0.5) / n
    u0 = 0.5 + 0.4 * np.sin(2 * np.pi * x)
    lam = 0.4
    alpha = 1.0  # max |f'| on the data range [0, 1], for both fluxes
    bufs = [np.zeros(n + 6) for _ in range(5 if burgers else 3)]

    def hand(lib: ctypes.CDLL, m: int) -> Callable[[], np.ndarray]:
        def run() -> np.ndarray:
            bufs[0][3:-3] = u0
            ptrs = [b.ctypes.data_as(D) for b in bufs]
            if burgers:
                lib.weno5_burgers_ssprk3(*ptrs, ctypes.c_long(n), ctypes.c_long(m),
                                         ctypes.c_double(lam), ctypes.c_double(alpha))
            else:
                lib.weno5_advection_ssprk3(*ptrs, ctypes.c_long(n), ctypes.c_long(m),
                                           ctypes.c_double(lam))
            return bufs[0][3:-3].copy()
        return run

    fns: dict[str, Callable[[], object]] = {}
    check: dict[str, np.ndarray] = {}
    check_steps = 3
    variants = {"hand C, faces twice": "WENO5_FACES_TWICE"} if causes and not burgers else None
    for name, lib in libs("hand_weno5.c", hand_flags, variants).items():
        check[name] = hand(lib, check_steps)()
        fns[name] = hand(lib, steps)
    for backend in backends:
        k = HighResKernel(scheme, backend, CACHE)
        check[backend] = k.run(u0, check_steps, lam, unsafe=True)  # JIT / load outside timing
        fns[backend] = lambda k=k: k.run(u0, steps, lam, unsafe=True)
    ref_st = HighResStepper(scheme, n)
    ref = ref_st.run(u0, check_steps * lam * ref_st.dx, dt=lam * ref_st.dx, unsafe=True)
    label = "Burgers" if burgers else "advection"
    agreement(f"WENO5 {label}, {n} x {check_steps} steps", ref, check)
    report(f"WENO5 (LF) SSPRK(3,3), {label}", f"{n} x {steps}", n * steps,
           interleaved(fns, rounds))


def weno_nd(flux: str, dim: int, n: int, steps: int, rounds: int, backends: list[str],
            hand_flags: bool) -> None:
    """The 2-D or 3-D row: n cells per axis, the same flux on every axis."""
    u = sp.Symbol("u")
    burgers = flux == "burgers"
    scheme = weno5(scalar_law(u, u**2 / 2 if burgers else u), data_range=(0, 1))
    X = np.meshgrid(*[(np.arange(n) + 0.5) / n] * dim, indexing="ij")
    u0 = 0.5 + 0.4 * np.sin(2 * np.pi * X[0]) * np.cos(2 * np.pi * X[1])
    if dim == 3:
        u0 = 0.5 + (u0 - 0.5) * np.cos(2 * np.pi * X[2])
    lam = 0.2 if dim == 2 else 0.15  # dt/dx on every axis
    alpha = 1.0  # max |f'| on the data range [0, 1], for both fluxes
    # u, u1, the face fluxes of each axis, and fp, fm for Burgers
    bufs = [np.zeros((n + 6,) * dim) for _ in range(2 + dim + 2 * burgers)]
    inner = (slice(3, -3),) * dim
    name = f"weno5_{dim}d_{'burgers' if burgers else 'advection'}_ssprk3"

    def hand(lib: ctypes.CDLL, m: int) -> Callable[[], np.ndarray]:
        kernel = getattr(lib, name)

        def run() -> np.ndarray:
            bufs[0][inner] = u0.T  # x fastest
            args = [*[b.ctypes.data_as(D) for b in bufs], *[ctypes.c_long(n)] * dim,
                    ctypes.c_long(m), *[ctypes.c_double(lam)] * dim]
            kernel(*args, *([ctypes.c_double(alpha)] if burgers else []))
            return bufs[0][inner].T.copy()
        return run

    fns: dict[str, Callable[[], object]] = {}
    check: dict[str, np.ndarray] = {}
    check_steps = 3
    for row, lib in libs("hand_weno5.c", hand_flags).items():
        check[row] = hand(lib, check_steps)()
        fns[row] = hand(lib, steps)
    nd = dimension_by_dimension(*[scheme] * dim)
    for backend in backends:
        k = HighResNDKernel(nd, backend, CACHE)
        check[backend] = k.run(u0, check_steps, [lam] * dim, unsafe=True)  # JIT outside timing
        fns[backend] = lambda k=k: k.run(u0, steps, [lam] * dim, unsafe=True)
    ref_st = HighResNDStepper([scheme] * dim, (n,) * dim, [(0.0, 1.0)] * dim)
    ref_st.prepare(u0)
    ref = u0
    for _ in range(check_steps):
        ref = ref_st.step(ref, lam * ref_st.spacing[0])
    label = "Burgers" if burgers else "advection"
    size = "x".join([str(n)] * dim)
    agreement(f"{dim}-D WENO5 {label}, {size} x {check_steps} steps", ref, check)
    report(f"{dim}-D WENO5 (LF) SSPRK(3,3), {label}", f"{size} x {steps}", n**dim * steps,
           interleaved(fns, rounds))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n2", type=int, default=256, help="cells per axis of the 2-D Euler run")
    ap.add_argument("--n", type=int, default=200_000, help="cells of the WENO5 runs")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--backends", default="c,llvm,numba")
    ap.add_argument("--hand-flags", action="store_true",
                    help="also time the hand C built with the generated kernels' extra flags")
    ap.add_argument("--causes", action="store_true",
                    help="also time variants that locate the gaps: hand C with the division "
                         "minmod (Euler), with both faces per cell (WENO5)")
    ap.add_argument("--n2w", type=int, default=384, help="cells per axis of the 2-D WENO5 runs")
    ap.add_argument("--n3w", type=int, default=64, help="cells per axis of the 3-D WENO5 runs")
    ap.add_argument("--only", default="euler2d,advection,burgers,advection2d,burgers2d,"
                                      "advection3d,burgers3d")
    a = ap.parse_args()
    backends = a.backends.split(",")
    only = a.only.split(",")
    print("| scheme | size | backend | Mcell-steps/s | generated / hand C speed |\n"
          "|---|---|---|---|---|")
    if "euler2d" in only:
        euler2d(a.n2, a.steps, a.rounds, backends, a.hand_flags, a.causes)
    for flux in ("advection", "burgers"):
        if flux in only:
            weno(flux, a.n, a.steps, a.rounds, backends, a.hand_flags, a.causes)
    for dim, n in ((2, a.n2w), (3, a.n3w)):
        for flux in ("advection", "burgers"):
            if f"{flux}{dim}d" in only:
                weno_nd(flux, dim, n, a.steps, a.rounds, backends, a.hand_flags)
    print("\n" + "\n".join(NOTES))


if __name__ == "__main__":
    main()
