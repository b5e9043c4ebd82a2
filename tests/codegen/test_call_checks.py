"""Issue 10, item 2: calls into compiled code with wrong sizes and types wrote outside the arrays
(25 cases, 8 process crashes). Every path (numba, LLVM, C; 1-D and 2-D; the serial, thread-team
and temporally blocked kernels; ``advance``) now refuses them with a KernelArgumentError naming
the argument, and the memory around the arrays is untouched: each array is a view into a larger
buffer filled with canary values, checked after the refused call."""

import os

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcgen.codegen import compile
from mcgen.codegen.call_checks import KernelArgumentError
from mcgen.codegen.config import KernelConfig
from mcgen.model import Field, Scheme

u, w = Field("u"), Field("u", dim=2)
nu, r = sp.Symbol("nu"), sp.Symbol("r")
UPWIND = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, name="cc_upwind")
HEAT2 = Scheme(("u",), 2, {"u": w[0, 0] + r * (w[1, 0] + w[-1, 0] + w[0, 1] + w[0, -1]
                                               - 4 * w[0, 0])}, name="cc_heat2")
CANARY, PAD = -7.25e30, 64  # a canary every dtype holds (float32 too)
BACKENDS = ("numba", "llvm", "c")


@pytest.fixture(scope="module", params=BACKENDS)
def kernels(request, tmp_path_factory):
    cfg = KernelConfig(cache_dir=tmp_path_factory.mktemp("cache"), parallel_threshold=0)
    return (compile(UPWIND, backend=request.param, threads=2, unsafe=True, config=cfg),
            compile(HEAT2, backend=request.param, unsafe=True, config=cfg))


class Guarded:
    """Arrays that are views into larger buffers with canaries on both sides."""

    def __init__(self) -> None:
        self.raw: list[tuple[np.ndarray, slice, np.ndarray]] = []

    def array(self, n, dtype=np.float64, fill=1.0, step=1):
        raw = np.full(n * step + 2 * PAD, CANARY if np.dtype(dtype).kind == "f" else -77, dtype)
        inner = slice(PAD, PAD + n * step, step)
        raw[inner] = fill
        self.raw.append((raw, inner, raw.copy()))
        return raw[inner]

    def untouched(self) -> bool:
        return all(np.array_equal(raw, before) for raw, _, before in self.raw)


def _call(kernel, guard, n=(50,), steps=5, **over):
    """Arguments of the serial kernel for a grid ``n`` (``over`` replaces some by name)."""
    k = kernel.ir.kernels[0]
    lay = kernel.layout
    cells = int(np.prod([m + 2 * lay.ghost for m in n]))
    args = []
    for a in k.args:
        if a.name in over:
            args.append(over[a.name])
        elif a.array:
            args.append(guard.array(cells))
        elif a.name.startswith("n") and a.name[1:].isdigit():
            args.append(np.int64(n[int(a.name[1:])]))
        elif a.name == "nsteps":
            args.append(np.int64(steps))
        else:
            args.append(0.1)
    return kernel.functions[k.name], args


def _refused(fn, args, guard, match):
    with pytest.raises(KernelArgumentError, match=match) as err:
        fn(*args)
    assert isinstance(err.value, ValueError)
    assert guard.untouched(), "memory around the arrays changed"


def test_a_correct_call_runs(kernels):
    for kernel, n in zip(kernels, [(50,), (9, 7)], strict=True):
        g = Guarded()
        fn, args = _call(kernel, g, n)
        fn(*args)
        for raw, inner, _ in g.raw:  # the kernel wrote only inside its arrays
            assert (raw[:PAD] == raw[0]).all() and (raw[inner.stop:] == raw[0]).all()


@pytest.mark.parametrize("case", ["short", "ndim", "float32", "strided", "negative", "huge",
                                  "out_of_range", "overlap", "float_n"])
@pytest.mark.parametrize("dim", [1, 2])
def test_wrong_calls_are_refused_and_memory_untouched(kernels, case, dim):
    kernel = kernels[dim - 1]
    n = (50,) if dim == 1 else (9, 7)
    cells = int(np.prod([m + 2 for m in n]))
    g = Guarded()
    over: dict = {}
    match = "cur"
    if case == "short":
        over["cur"] = g.array(cells - 3)
        match = rf"'cur' has \d+ elements, the call needs at least {cells}"
    elif case == "ndim":
        over["cur"] = g.array(cells).reshape(1, -1) if dim == 1 else g.array(cells)[:, None]
        match = "'cur' must be a flat"
    elif case == "float32":
        over["cur"] = g.array(cells, np.float32)
        match = "'cur' must have dtype float64, got float32"
    elif case == "strided":
        over["cur"] = g.array(cells, step=2)
        match = "'cur' must be C-contiguous"
    elif case == "negative":
        over["n0"] = np.int64(-5)
        match = "n0 >= 1, got n0 = -5"
    elif case == "huge":
        over["n0"] = np.int64(2**62)
        match = f"'cur' has {cells} elements"
    elif case == "out_of_range":
        over["n0"] = 2**64
        match = f"'n0' = {2**64} is outside the range of i64"
    elif case == "overlap":
        shared = g.array(cells)
        over["cur"] = over["nxt"] = shared
        match = "'cur' and 'nxt' overlap"
    elif case == "float_n":
        over["n0"] = 50.0
        match = "'n0' must be an integer"
    fn, args = _call(kernel, g, n, **over)
    _refused(fn, args, g, match)


def test_team_and_blocked_kernels_check_their_own_arguments(kernels):
    kernel = kernels[0]
    g = Guarded()
    _, args = _call(kernel, g)
    team = kernel.functions.get("cc_upwind_team")
    if team is not None:  # numba, LLVM
        _refused(team, [*args, np.int64(2), np.int64(2), g.array(16, np.int64, 0)], g,
                 "team_member < team_size")
        _refused(team, [*args, np.int64(0), np.int64(4), g.array(16, np.int64, 0)], g,
                 r"'team_flags' has 16 elements, the call needs at least 32")
    blocked = kernel.with_blocking(2, 8)._blocked_functions()["cc_upwind_tb"]
    n0, k, tile, nchunk = 50, 2, 8, 1
    tile_len = nchunk * (tile + 2 * k + 2)
    good = [g.array(52), g.array(52), g.array(tile_len), g.array(tile_len)]
    tail = [np.int64(n0), np.int64(4), 0.0, 0.1, 0.5, np.int64(k), np.int64(tile),
            np.int64(nchunk)]
    _refused(blocked, [*good[:3], g.array(tile_len - 1), *tail], g,
             f"'tb_tile_b' has {tile_len - 1} elements")
    _refused(blocked, [*good, *tail[:-3], np.int64(k), np.int64(1), np.int64(nchunk)], g,
             r"tb_btile >= tb_kblock \* 1")


def test_advance_refuses_another_kernels_buffers(kernels):
    k1, k2 = kernels
    bufs2 = k2.prepare(np.ones((9, 7)))
    before = bufs2.a.copy()
    with pytest.raises(KernelArgumentError, match="prepared by a kernel of another layout"):
        k1.advance(bufs2, 3, nu=0.5)
    assert np.array_equal(bufs2.a, before)
    bufs1 = k1.prepare(np.ones(50))
    bufs1.shape = (500,)  # a buffer set whose grid no longer matches its arrays
    with pytest.raises(KernelArgumentError, match="buffer a must be a flat float64 array of 502"):
        k1.advance(bufs1, 3, nu=0.5)
    bufs1 = k1.prepare(np.ones(50))
    bufs1.b = np.ones(52, np.float32)
    with pytest.raises(KernelArgumentError, match="buffer b"):
        k1.advance(bufs1, 3, nu=0.5)


def _import(path, name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_exported_modules_check_their_callers(tmp_path):
    """The exported numba module and the ctypes loader (over a library built from the exported
    C source) refuse wrong calls with their own KernelArgumentError (a ValueError), without
    mcgen, and run correct ones."""
    import subprocess

    from mcgen.codegen.export import export_kernel
    from mcgen.codegen.stencil_frontend import build_stencil

    module = build_stencil(UPWIND, KernelConfig().validated(1)).module
    out = export_kernel(module, tmp_path / "exp", include_object=False)
    header = (out / "cc_upwind.h").read_text()
    assert "cur: array of at least 1 * (n0 + 2) double values (inout)" in header
    assert "n0 >= 1, nsteps >= 0" in header
    readme = (out / "README.md").read_text()
    assert "argtypes" in readme and "cc_upwind_ctypes" in readme
    subprocess.run(["cc", "-O2", "-fPIC", "-shared", "-o", str(out / "libcc_upwind.so"),
                    str(out / "cc_upwind.c"), "-lm"], check=True)
    for fname in ("cc_upwind.py", "cc_upwind_ctypes.py"):
        mod = _import(out / fname, f"exported_{fname[:-3]}")
        g = Guarded()
        for args, match in [
                ((g.array(40), g.array(52), 50, 3, 0.0, 0.1, 0.5), "'cur' has 40 elements"),
                ((g.array(52, np.float32), g.array(52), 50, 3, 0.0, 0.1, 0.5), "float32"),
                ((g.array(52), g.array(52), -1, 3, 0.0, 0.1, 0.5), "n0 >= 1"),
                ((g.array(52), g.array(52), 2**62, 3, 0.0, 0.1, 0.5), "'cur' has 52")]:
            with pytest.raises(ValueError, match=match) as err:
                mod.cc_upwind(*args)
            assert type(err.value).__name__ == "KernelArgumentError"
            assert g.untouched()
        if fname.endswith("_ctypes.py"):  # a correct call through the library runs
            cur, nxt = np.zeros(52), np.zeros(52)
            cur[1:51] = np.eye(1, 50)[0]
            mod.cc_upwind(cur, nxt, 50, 1, 0.0, 0.1, 0.25)
            np.testing.assert_allclose(nxt[1:4], [0.75, 0.25, 0.0])


def test_monte_carlo_kernels_check_their_arrays_too():
    """Walker and particle kernels state per-walker / per-replica lengths and their size rules."""
    from mcgen.codegen.montecarlo import compile_particles, compile_walkers
    from mcgen.model import JumpProcess, ParticleSystem

    walk = compile_walkers(JumpProcess({1: 0.5, -1: 0.5}), backend="c")
    g = Guarded()
    n = 10
    ints = [g.array(n, np.int64, 0) for _ in range(5)]
    flts = [g.array(n, np.float64, 0.0) for _ in range(5)]
    args = [ints[0], ints[1], flts[0], ints[2], ints[3], flts[1], flts[2], flts[3],
            np.int64(n + 1), np.int64(5), 0.0, 0.0, np.uint64(1), 1.0, 1.0,
            1.0, 0.0, np.int64(-100), np.int64(100)]
    _refused(walk.func, args, g, f"'pos' has {n} elements, the call needs at least {n + 1}")
    tasep = compile_particles(ParticleSystem("exclusion", {1: 1}, update="continuous",
                                             boundary="open",
                                             reservoirs={"alpha": 0.5, "beta": 0.5}),
                              backend="c")
    L = 6
    args = [g.array(L, np.int64, 0), g.array(1, np.int64, 0), g.array(1, np.float64, 0.0),
            g.array(1, np.int64, 0), g.array(1, np.int64, 0), g.array(L, np.int64, 0),
            g.array(1, np.int64, 0), np.int64(1), np.int64(L), np.int64(L), np.int64(5), 1.0,
            np.uint64(1), 1.0, np.int64(L), np.int64(0)]  # ns, rep0
    _refused(tasep.func, args + [1.0] * len(tasep.plan.param_args), g, "nbond >= L \\+ 1")


_SLOW = os.environ.get("MCGEN_SLOW") == "1"


@settings(max_examples=400 if _SLOW else 20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_calls_run_only_when_they_fit(kernels, data):
    """Property: a random call (sizes, lengths, dtypes, ndim, strides) either fits the kernel's
    contract, as an independent oracle computes it, and runs without touching memory outside
    its arrays, or is refused with every byte unchanged."""
    dim = data.draw(st.sampled_from([1, 2]))
    kernel = kernels[dim - 1]
    n = [data.draw(st.one_of(st.integers(1, 12), st.integers(-3, 0),
                             st.sampled_from([2**40, 2**62]))) for _ in range(dim)]
    need = int(np.prod([m + 2 for m in n], dtype=object))
    nsteps = data.draw(st.integers(-2, 3))
    g = Guarded()
    ok = all(m >= 1 for m in n) and nsteps >= 0
    arrays = {}
    for name in ("cur", "nxt"):
        base = min(need, 300) if need > 0 else 5
        length = max(1, base + data.draw(st.integers(-2, 2)))
        dtype = data.draw(st.sampled_from([np.float64, np.float64, np.float32]))
        step = data.draw(st.sampled_from([1, 1, 2]))
        arr = g.array(length, dtype, step=step)
        if data.draw(st.booleans()) and length % 2 == 0 and step == 1:
            arr = arr.reshape(2, -1)
        ok &= (length >= need and dtype == np.float64 and step == 1 and arr.ndim == 1)
        arrays[name] = arr
    fn, args = _call(kernel, g, tuple(n), max(nsteps, 0), **arrays,
                     **{f"n{d}": np.int64(m) for d, m in enumerate(n)}, nsteps=np.int64(nsteps))
    if ok:
        fn(*args)
        for raw, inner, _ in g.raw:
            assert (raw[:PAD] == raw[0]).all() and (raw[inner.stop:] == raw[0]).all()
    else:
        _refused(fn, args, g, "")
