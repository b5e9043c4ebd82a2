"""``compile(scheme, backend=...)``: the whole pipeline in one short function.

model (Scheme) -> enforced condition (analysis, optional) -> IR (stencil front-end) ->
backend source (numba module / C99 / LLVM) -> binary -> CompiledKernel. Each stage is public
and re-enterable: :func:`mcgen.codegen.stencil_frontend.build_stencil` gives the IR,
``render_numba``/``render_c`` print it, ``build_numba``/``build_c`` build it.
"""

from __future__ import annotations

import builtins
import time
from dataclasses import replace
from typing import Any

import numpy as np

from mcgen.codegen.compiled_kernel import CompiledKernel
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.stencil_frontend import build_stencil
from mcgen.codegen.stencil_layout import BlockPosition
from mcgen.codegen.thread_team import team_kernel_name
from mcgen.errors import AnalysisError, CodegenError, StabilityError
from mcgen.model.scheme import Scheme

_NP = {"f64": np.float64, "f32": np.float32}


def enforced_condition_of(scheme: Scheme, data_range: tuple[Any, Any] | None = None,
                          allow_sampled: bool = False) -> tuple[Any, str, Any]:
    """``(condition, note, policy)``: what the model's safety policy enforces for ``scheme``
    (:class:`mcgen.analysis.safety_policy.SafetyPolicy`). The condition is None when the
    analysis cannot handle the scheme (the note says why; no policy then) or when it is decided
    at each call's values (a sampled region with ``allow_sampled``). A StabilityError (a region
    with nothing proved to enforce) propagates: pass ``condition=`` or ``unsafe=True``."""
    from mcgen.analysis.safety_policy import safety_policy  # SymPy loads only when needed

    policy = safety_policy(scheme, allow_sampled)
    try:
        note = policy.describe(data_range)
    except (AnalysisError, NotImplementedError) as exc:
        return None, f"none (analysis: {str(exc).splitlines()[0] if str(exc) else exc!r})", None
    try:
        cond = policy.condition(data_range)
    except StabilityError:
        if not policy.sampled:
            raise
        cond = None  # decided at each call's values
    return cond, note, policy


def compile(scheme: Scheme, backend: str = "numba", bc: Any = "periodic", dtype: str = "f64",
            threads: int = 1, condition: Any = None, unsafe: bool = False,
            config: KernelConfig | None = None, warm: bool = True,
            data_range: tuple[float, float] | None = None,
            allow_sampled: bool = False) -> CompiledKernel:
    """Generate, build and load a kernel that advances ``scheme`` many steps per call.

    Parameters
    ----------
    scheme : an explicit two-level Scheme (one field or several; 1-, 2- or 3-D); a
        HighResScheme or an Euler / shallow-water SystemScheme gives the high-resolution kernel
        of :func:`mcgen.codegen.highres_frontend.compile_highres` (its own ``run``).
    backend : ``"numba"``, ``"c"`` or ``"llvm"``.
    bc : boundary conditions (a condition or its name for every side, one per axis, or
        ``(low, high)`` pairs per axis; see ``boundary_fill.normalize_bc``).
    dtype : ``"f64"`` or ``"f32"``.
    threads : threads for grids above ``config.parallel_threshold`` cells (1: serial only).
    condition : the Condition to enforce at run time; None asks the model's safety policy
        (:func:`mcgen.analysis.safety_policy.safety_policy`, unless ``unsafe``); ``False``
        enforces nothing.
    unsafe : do not refuse parameters or time steps outside the condition.
    data_range : (min, max) of the data, for conservative schemes: each call refuses data
        outside it (default: the condition is checked on the range of each call's data and
        boundary values).
    allow_sampled : accept a stability region known only at sampled points; what is enforced
        is what is proved at each call's values (``kernel.sampled_region`` says so).
    config : further options (a KernelConfig); the keywords above override its fields.
    warm : compile the numba functions now (so ``timings['jit']`` is measured here).

    Returns
    -------
    CompiledKernel with ``run(u, nsteps, t0=, dt=, **params)``, ``ir``, ``source(backend)``,
    ``timings``, ``check(...)`` and ``max_stable_dt(...)``.
    """
    from mcgen.analysis.highres_safety import HIGHRES_RUN_MODELS
    if isinstance(scheme, HIGHRES_RUN_MODELS):
        from mcgen.codegen.highres_frontend import compile_highres
        return compile_highres(scheme, backend, bc, dtype, threads, unsafe)
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    t = time.perf_counter()
    note, policy = "none", None
    if condition is None and not unsafe:
        condition, note, policy = enforced_condition_of(scheme, data_range, allow_sampled)
    elif condition is False:
        condition = None
    elif condition is not None:
        note = condition.describe()
    timings["condition"] = time.perf_counter() - t
    base = config or KernelConfig()
    cfg = replace(base, backend=backend, bc=bc, dtype=dtype, threads=threads,
                  condition_text=" ".join(str(note).split()))
    cfg = cfg.validated(scheme.dim)

    program = build_stencil(scheme, cfg)
    timings.update(program.timings)
    functions, artifact = load_backend_functions(program.module, cfg, timings)
    rng = None if data_range is None else (float(data_range[0]), float(data_range[1]))
    kernel = CompiledKernel(scheme, cfg, program, functions, artifact, condition, unsafe,
                            timings, policy, rng)
    if warm and cfg.backend == "numba":
        t = time.perf_counter()
        _warm_up(kernel)
        timings["jit"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t_all
    return kernel


def _llvm_function(artifact: Any, name: str) -> Any:
    """Find kernel ``name`` in whatever the LLVM backend returned (a callable, a mapping, or an
    object with ``function(name)``)."""
    if isinstance(artifact, dict):
        return artifact.get(name)
    getter = getattr(artifact, "function", None)
    if callable(getter):
        try:
            return getter(name)
        except (KeyError, AttributeError, CodegenError):
            return None
    if callable(artifact):
        return artifact if getattr(artifact, "name", name) == name else None
    return getattr(artifact, name, None)


def _warm_up(kernel: CompiledKernel) -> None:
    """Compile (or load from numba's cache) the serial function with the argument types
    ``run`` uses, by a zero-step call on a tiny grid."""
    lay = kernel.layout
    dtype = _NP[lay.dtype]
    shape = (lay.ghost,) * lay.dim
    bufs = kernel.prepare({f: np.zeros(shape, dtype) for f in lay.fields})
    fn = kernel.functions[kernel.ir.kernels[0].name]
    nscal = len(lay.params) + len(lay.spacings) + len(lay.origins)
    series = [np.zeros(1, dtype) for _ in lay.series]
    block = BlockPosition(0, (0,) * lay.dim, shape).arguments(lay.block) if lay.block else ()
    fn(bufs.a, bufs.b, *bufs.scratch, *series, *[np.int64(n) for n in shape], np.int64(0),
       dtype(0), dtype(0), *[dtype(0)] * nscal, *[np.int64(v) for v in block])


def load_backend_functions(module: Any, cfg: KernelConfig, timings: dict[str, float],
                           t: float | None = None) -> tuple[dict[str, Any], Any]:
    """Render, build and load ``module`` with ``cfg.backend``: ``({kernel name: callable,
    "__set_threads__": setter (numba, OpenMP C)}, artifact)``; stage times go to ``timings``."""
    t = time.perf_counter() if t is None else t
    functions: dict[str, Any] = {}
    artifact: Any
    if cfg.backend == "numba":
        from mcgen.codegen.backends.numba_backend import load_module, sealed_function, write_numba

        path, _ = write_numba(module, cfg.cache_dir)
        timings["render"] = time.perf_counter() - t
        t = time.perf_counter()
        artifact = load_module(path)
        # numba's cache files are sealed (hashed) right after the call that writes them
        functions = {k.name: sealed_function(artifact, path, k.name) for k in module.kernels}
        try:
            import numba

            functions["__set_threads__"] = numba.set_num_threads
        except ImportError:  # pragma: no cover - numba is a dependency
            pass
        timings["build"] = time.perf_counter() - t
    elif cfg.backend == "llvm":
        try:
            from mcgen.codegen.backends.llvm_backend import build_llvm
        except ImportError as exc:
            raise CodegenError(f"the LLVM backend is not available ({exc}): use backend="
                               "'numba' or 'c'") from None
        # the JIT has no thread runtime: a `_par` kernel would run serially, and its thread-team
        # version is what threads; leave it out (less to optimise and compile)
        names = {k.name for k in module.kernels}
        module = replace(module, kernels=tuple(
            k for k in module.kernels
            if not (k.name.endswith("_par") and team_kernel_name(k.name) in names)))
        artifact = build_llvm(module, cfg)
        timings["build"] = time.perf_counter() - t
        for stage, sec in (getattr(artifact, "timings", None) or {}).items():
            timings[f"llvm_{stage}"] = sec
        for k in module.kernels:
            fn = _llvm_function(artifact, k.name)
            if fn is not None:
                functions[k.name] = fn
        if module.kernels[0].name not in functions:
            raise CodegenError("the LLVM backend returned no callable for "
                               f"{module.kernels[0].name}")
    else:
        from mcgen.codegen.backends.c_backend import CFunction, build_c, render_c

        render_c(module)
        timings["render"] = time.perf_counter() - t
        t = time.perf_counter()
        artifact = build_c(module, cfg.cache_dir, cfg.cc, tuple(cfg.cflags))
        functions = {k.name: CFunction(artifact.lib, k) for k in module.kernels}
        if artifact.source.uses_omp:
            setter = getattr(artifact.lib, f"{module.name}_set_threads")
            functions["__set_threads__"] = lambda n: setter(builtins.int(n))
        timings["build"] = time.perf_counter() - t
    return functions, artifact
