"""Cell updates per second of pystencils and Devito on the stencils of ``bench/stencils.py``.

Run INSIDE the separate virtual environment made by ``bench/compare_env.sh`` (pystencils and
Devito pin their own SymPy/NumPy; they never go into mcgen's Python)::

    bench/.venv/bin/python bench/competitors.py --quick
    bench/.venv/bin/python bench/competitors.py --hand-lib /tmp/x/libhand.so  # + hand C column

``bench/stencils.py`` runs this script in a subprocess when the venv exists and prints its
numbers next to mcgen's. Output: ONE JSON object on stdout (progress and warnings go to
stderr)::

    {"tools": {"pystencils": "2.0", "devito": "4.8.23" | "blocked: <exact error>"},
     "settings": {...}, "load_average": [...],
     "rows": [{"case", "size", "shape", "tool", "mcells", "max_abs_err", "matches_numpy",
               "nsteps", "two_step_call_us"} | {"case", "size", "tool", "error"}]}

Tools: "pystencils", "devito", "hand C" (with ``--hand-lib``) and "pystencils sweeps only"
(the same pystencils kernel called in a loop without the ghost fill: an upper bound on what
pystencils could reach with a cheaper time loop; not a periodic solution, so not checked).

Every tool runs the same stencil (one definition below, realised for NumPy, pystencils and
Devito), with the same parameters baked in as constants, on a padded grid with one ghost cell
per side filled periodically before every step, two buffers swapped, an even number of steps
per timed call. Compilation is outside the timing; each kernel is checked after 10 steps
against NumPy (``np.roll``) to ``rtol = atol = 1e-12`` before it is timed.

Each tool as its documentation recommends for one thread:

- pystencils 2.x: ``Target.CurrentCPU`` (AVX intrinsics here), ``cpu.vectorize.enable = True``
  with ``assume_inner_stride_one``, OpenMP off; its JIT's default flags (``-Ofast
  -march=native``). pystencils kernels do one sweep per call, so the time loop and the ghost
  fill are in Python (as in its own time loops): that overhead is part of its rate.
- Devito 4.x: ``DEVITO_LANGUAGE=C`` (no OpenMP), ``opt="advanced"``, float64, the update on
  ``grid.interior`` and the periodic ghost copy as four (two in 1-D) more equations, so the
  whole time loop runs in Devito's generated C (its default flags: ``-O3 -march=native
  -ffast-math``). Devito has no periodic boundary condition of its own.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

os.environ.setdefault("DEVITO_LANGUAGE", "C")      # single thread: no OpenMP
os.environ.setdefault("DEVITO_LOGGING", "WARNING")  # keep stdout for the JSON
os.environ.setdefault("DEVITO_AUTOTUNING", "off")

import numpy as np  # noqa: E402

PARAMS = {"nu": 0.5, "r": 0.2, "cx": 0.3, "cy": 0.4}

# A stencil is a function of `at(*offset)` (the value of the neighbour at that offset in the
# current time level): the same expression then builds the NumPy reference, the pystencils
# assignment and the Devito equation, so the three cannot disagree on the stencil.
Stencil = Callable[[Callable[..., object]], object]


def _upwind(at):
    nu = PARAMS["nu"]
    return at(0) - nu * (at(0) - at(-1))


def _lax_wendroff(at):
    nu = PARAMS["nu"]
    return at(0) - nu / 2 * (at(1) - at(-1)) + nu**2 / 2 * (at(1) - 2 * at(0) + at(-1))


def _heat2d(at):
    r = PARAMS["r"]
    return at(0, 0) + r * (at(1, 0) + at(-1, 0) + at(0, 1) + at(0, -1) - 4 * at(0, 0))


def _donor2d(at):
    cx, cy = PARAMS["cx"], PARAMS["cy"]
    return at(0, 0) - cx * (at(0, 0) - at(-1, 0)) - cy * (at(0, 0) - at(0, -1))


@dataclass(frozen=True)
class Case:
    name: str                       # as in bench/stencils.py
    dim: int
    stencil: Stencil
    hand: str                       # function in bench/hand_stencils.c
    hand_params: tuple[str, ...]


CASES = [
    Case("1-D upwind", 1, _upwind, "upwind", ("nu",)),
    Case("1-D Lax-Wendroff", 1, _lax_wendroff, "lax_wendroff", ("nu",)),
    Case("2-D heat (5-point)", 2, _heat2d, "heat2d", ("r",)),
    Case("2-D donor cell", 2, _donor2d, "donor2d", ("cx", "cy")),
]


# ---------------------------------------------------------------------- grids and reference

def initial(shape: tuple[int, ...]) -> np.ndarray:
    """The interior bench/stencils.py starts from (same generator, same seed)."""
    rng = np.random.default_rng(7)
    return 0.5 + 0.4 * np.sin(2 * np.pi * rng.random(shape))


def padded(interior: np.ndarray) -> np.ndarray:
    a = np.zeros(tuple(s + 2 for s in interior.shape))
    a[tuple(slice(1, -1) for _ in interior.shape)] = interior
    fill_ghosts(a)
    return a


def fill_ghosts(a: np.ndarray) -> None:
    """Periodic ghost cells (one per side); corners are never read by these stencils."""
    if a.ndim == 1:
        a[0], a[-1] = a[-2], a[1]
    else:
        a[0, 1:-1], a[-1, 1:-1] = a[-2, 1:-1], a[1, 1:-1]
        a[1:-1, 0], a[1:-1, -1] = a[1:-1, -2], a[1:-1, 1]


def inner(a: np.ndarray) -> np.ndarray:
    return a[tuple(slice(1, -1) for _ in range(a.ndim))]


def numpy_reference(case: Case, v: np.ndarray, nsteps: int) -> np.ndarray:
    # the value at offset o is v[i + o], i.e. np.roll by -o
    def at(*o):
        return np.roll(v, tuple(-k for k in o), axis=tuple(range(v.ndim)))

    for _ in range(nsteps):
        v = case.stencil(at)
    return v


Runner = Callable[[int], np.ndarray]  # run(nsteps) advances the state, returns the interior


# ---------------------------------------------------------------------- pystencils

def pystencils_kernels(case: Case) -> Callable:
    """Compile once per case: pystencils kernels take any array shape."""
    import pystencils as ps

    src, dst = ps.fields(f"src, dst: double[{case.dim}D]")
    center = (0,) * case.dim
    asg = ps.Assignment(dst[center], case.stencil(lambda *o: src[o]))
    cfg = ps.CreateKernelConfig(target=ps.Target.CurrentCPU, ghost_layers=1)
    cfg.cpu.openmp.enable = False
    if ps.Target.auto_cpu().is_vector_cpu():
        cfg.cpu.vectorize.enable = True
        cfg.cpu.vectorize.assume_inner_stride_one = True
    return ps.create_kernel(asg, cfg).compile()


def pystencils_runner(kernel: Callable, shape: tuple[int, ...]) -> Runner:
    state = [padded(initial(shape)), None]
    state[1] = np.zeros_like(state[0])

    def run(nsteps: int) -> np.ndarray:
        a, b = state
        for _ in range(nsteps):
            fill_ghosts(a)
            kernel(src=a, dst=b)
            a, b = b, a
        state[0], state[1] = a, b
        return inner(a)

    return run


def pystencils_sweeps_runner(kernel: Callable, shape: tuple[int, ...]) -> Runner:
    """The kernel calls alone, without the ghost fill (so NOT a periodic solution: timed only,
    never checked), to show how much of pystencils' rate the Python time loop costs."""
    a, b = padded(initial(shape)), np.zeros(tuple(s + 2 for s in shape))

    def run(nsteps: int) -> np.ndarray:
        for _ in range(nsteps // 2):
            kernel(src=a, dst=b)
            kernel(src=b, dst=a)
        return inner(a)

    return run


# ---------------------------------------------------------------------- Devito

def devito_runner(case: Case, shape: tuple[int, ...]) -> Runner:
    """One Operator per case and shape (the periodic copy bakes the size in); compiled here."""
    from devito import Eq, Grid, Operator, TimeFunction

    grid = Grid(shape=tuple(s + 2 for s in shape), extent=tuple(1.0 for _ in shape))
    t = grid.stepping_dim
    dims = grid.dimensions
    u = TimeFunction(name="u", grid=grid, space_order=1, time_order=1, dtype=np.float64)

    def at(*o):
        return u[(t,) + tuple(d + k for d, k in zip(dims, o, strict=True))]

    eqs = [Eq(u[(t + 1,) + dims], case.stencil(at), subdomain=grid.interior)]
    for k, n in enumerate(shape):   # periodic ghosts of the new level
        lo = tuple(0 if j == k else dd for j, dd in enumerate(dims))
        lo_src = tuple(n if j == k else dd for j, dd in enumerate(dims))
        hi = tuple(n + 1 if j == k else dd for j, dd in enumerate(dims))
        hi_src = tuple(1 if j == k else dd for j, dd in enumerate(dims))
        eqs += [Eq(u[(t + 1,) + lo], u[(t + 1,) + lo_src]),
                Eq(u[(t + 1,) + hi], u[(t + 1,) + hi_src])]
    op = Operator(eqs, opt="advanced")
    op.cfunction  # noqa: B018  (compile now, outside the timing)
    u.data[0] = padded(initial(shape))
    # A plain NumPy view of level 0, taken once: indexing `u.data` costs a copy-sized pass
    # (20-30 ms at 2e6 cells) and would be timed otherwise.
    level0 = np.asarray(u.data[0]).view(np.ndarray)

    def run(nsteps: int) -> np.ndarray:
        assert nsteps % 2 == 0  # the modulo time buffer: the result lands back in level 0
        op.apply(time_m=0, time_M=nsteps - 1)
        return inner(level0)

    return run


# ---------------------------------------------------------------------- hand C (anchor)

def hand_runner(lib: ctypes.CDLL, case: Case, shape: tuple[int, ...]) -> Runner:
    """The same hand-written C as bench/stencils.py, timed here too: its rate in this process
    lets the caller compare across the two processes under changing load."""
    fn = getattr(lib, case.hand)
    fn.argtypes = ([ctypes.c_void_p] * 2 + [ctypes.c_long] * (len(shape) + 1)
                   + [ctypes.c_double] * len(case.hand_params))
    fn.restype = None
    cur, nxt = padded(initial(shape)), np.zeros(tuple(s + 2 for s in shape))

    def run(nsteps: int) -> np.ndarray:
        assert nsteps % 2 == 0
        fn(ctypes.c_void_p(cur.ctypes.data), ctypes.c_void_p(nxt.ctypes.data), *shape, nsteps,
           *[PARAMS[p] for p in case.hand_params])
        return inner(cur)

    return run


# ---------------------------------------------------------------------- timing

def calibrate(run: Runner, target_s: float) -> tuple[int, float]:
    """Even step count whose call takes at least ``target_s`` (doubling, so a per-call
    overhead such as Devito's argument processing does not skew the estimate), and the wall
    time of a 2-step call in microseconds (after a first one): the per-call overhead, roughly."""
    run(2)
    t = time.perf_counter()
    run(2)
    two = time.perf_counter() - t
    n = 2
    while True:
        t = time.perf_counter()
        run(n)
        if time.perf_counter() - t >= target_s or n >= 1 << 24:
            return n, two * 1e6
        n *= 2


def time_interleaved(runners: dict[str, Runner], cells: int, target_s: float, reps: int
                     ) -> dict[str, tuple[float, int, float]]:
    """Best cell updates per second of each runner, the runners taking turns in each round."""
    steps = {k: calibrate(r, target_s) for k, r in runners.items()}
    best = dict.fromkeys(runners, np.inf)
    for _ in range(reps):
        for k, run in runners.items():
            t = time.perf_counter()
            run(steps[k][0])
            best[k] = min(best[k], (time.perf_counter() - t) / steps[k][0])
    return {k: (cells / best[k], steps[k][0], steps[k][1]) for k in runners}


def _checked(case: str, size: str, shape: tuple[int, ...], tool: str, got: np.ndarray,
             ref: np.ndarray) -> dict:
    """A result row, after the 10-step check against NumPy (a mismatch warns on stderr)."""
    ok = bool(np.allclose(got, ref, rtol=1e-12, atol=1e-12))
    err = float(np.abs(got - ref).max())
    if not ok:
        print(f"WARNING {case} {size} {tool}: differs from NumPy by {err:.2e}", file=sys.stderr)
    return {"case": case, "size": size, "shape": list(shape), "tool": tool,
            "max_abs_err": err, "matches_numpy": ok}


def _version(mod: str) -> str:
    try:
        m = __import__(mod)
        return str(getattr(m, "__version__", "?"))
    except Exception as e:  # report the exact error in the JSON: the caller prints it
        return f"blocked: {type(e).__name__}: {e}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2e6 / 1400x1400 out of cache, 4 reps")
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--target", type=float, default=None, help="seconds per timed call")
    ap.add_argument("--only", default="", help="substring of the case names to run")
    ap.add_argument("--sizes", default="", help='JSON {"label": [n1d, [nx, ny]], ...}')
    ap.add_argument("--hand-lib", default="", help="libhand.so built by bench/stencils.py")
    ap.add_argument("--tools", default="pystencils,devito")
    args = ap.parse_args(argv)
    reps = args.reps or (4 if args.quick else 7)
    target = args.target or (0.02 if args.quick else 0.04)
    if args.sizes:
        sizes = {k: (v[0], tuple(v[1])) for k, v in json.loads(args.sizes).items()}
    else:
        sizes = {"in cache": (10_000, (100, 100)),
                 "out of cache": ((2_000_000, (1400, 1400)) if args.quick
                                  else (10_000_000, (3200, 3200)))}
    tools = {t: _version(t) for t in args.tools.split(",") if t}
    lib = ctypes.CDLL(args.hand_lib) if args.hand_lib else None
    rows: list[dict] = []
    ps_kernels: dict[str, Callable] = {}
    for case in CASES:
        if args.only and args.only.lower() not in case.name.lower():
            continue
        for label, (n1, n2) in sizes.items():
            shape = (n1,) if case.dim == 1 else tuple(n2)
            ref = numpy_reference(case, initial(shape), 10)
            runners: dict[str, Runner] = {}
            for tool, version in tools.items():
                if version.startswith("blocked"):
                    continue
                try:
                    if tool == "pystencils":
                        if case.name not in ps_kernels:
                            ps_kernels[case.name] = pystencils_kernels(case)
                        run = pystencils_runner(ps_kernels[case.name], shape)
                    else:
                        run = devito_runner(case, shape)
                    got = run(10)  # the timing then goes on from this state
                except Exception as e:  # a benchmark never fails: report and go on
                    rows.append({"case": case.name, "size": label, "tool": tool,
                                 "error": f"{type(e).__name__}: {e}"[:400]})
                    continue
                runners[tool] = run
                rows.append(_checked(case.name, label, shape, tool, got, ref))
                if tool == "pystencils":
                    key = "pystencils sweeps only"
                    runners[key] = pystencils_sweeps_runner(ps_kernels[case.name], shape)
                    rows.append({"case": case.name, "size": label, "shape": list(shape),
                                 "tool": key, "note": "no ghost fill: timed, not checked"})
            if lib is not None:
                runners["hand C"] = hand_runner(lib, case, shape)
                got = runners["hand C"](10)
                rows.append(_checked(case.name, label, shape, "hand C", got, ref))
            measured = time_interleaved(runners, int(np.prod(shape)), target, reps)
            for row in rows:
                key = row["tool"]
                if row["case"] == case.name and row["size"] == label and key in measured:
                    rate, nsteps, over = measured[key]
                    row.update(mcells=rate / 1e6, nsteps=nsteps, two_step_call_us=over)
            print(f"{case.name} {label}: " + ", ".join(
                f"{k} {v[0] / 1e6:.0f}" for k, v in measured.items()) + " Mcell/s",
                file=sys.stderr)
    json.dump({"tools": tools, "load_average": list(os.getloadavg()),
               "settings": {"reps": reps, "target_s": target,
                            "sizes": {k: [v[0], list(v[1])] for k, v in sizes.items()},
                            "DEVITO_LANGUAGE": os.environ["DEVITO_LANGUAGE"]},
               "rows": rows}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
