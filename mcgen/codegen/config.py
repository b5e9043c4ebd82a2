"""The options of kernel generation: one typed, documented object, validated in one place."""

from __future__ import annotations

import numbers
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mcgen.codegen.backends import DEFAULT_CFLAGS
from mcgen.codegen.boundary_fill import BoundarySpec, normalize_bc
from mcgen.errors import CodegenError

BACKENDS = ("numba", "c", "llvm")
#: how 2-D/3-D grids are temporally blocked (KernelConfig.blocking_form)
BLOCKING_FORMS = ("auto", "wavefront", "tiles")
DTYPES = {"f64": "f64", "float64": "f64", "double": "f64", "f32": "f32", "float32": "f32",
          "float": "f32"}
#: fastmath flags used by the numba backend: never ``nnan``/``ninf``, so NaN checks still work.
NUMBA_FASTMATH = ("nsz", "arcp", "contract", "afn", "reassoc")


#: cells from which two threads beat one, by backend (``bench/threads.py``, crossover table, two
#: quiet runs on this 2-core machine): OpenMP regions paid from 1e4-1e5 cells in 1-D and 1e4-3e4
#: in 2-D; a thread team (numba, LLVM: a Python thread pool starts the members of every call)
#: gained at 1e6 cells everywhere but lost on some stencils up to 3e5 (LLVM upwind 0.70-0.83x
#: serial at 3e5), so teams start at 2^19 = 524288 cells: never slower than serial
DEFAULT_PARALLEL_THRESHOLD = {"c": 1 << 15, "numba": 1 << 19, "llvm": 1 << 19}


def default_cache_dir() -> Path:
    """``$MCGEN_CACHE_DIR`` if set, else ``~/.cache/mcgen``."""
    env = os.environ.get("MCGEN_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "mcgen"


MAX_THREADS_PER_CPU = 4  # oversubscription beyond this only spins: refuse it up front


def check_threads(threads: Any) -> int:
    """``threads`` if it is a whole number from 1 to ``MAX_THREADS_PER_CPU`` per CPU of this
    machine; otherwise a :class:`CodegenError` naming the number and the limit."""
    if isinstance(threads, bool) or not isinstance(threads, numbers.Integral) or \
            int(threads) < 1:
        raise CodegenError(f"threads={threads!r}: give a positive integer")
    cpus = os.cpu_count() or 1
    if int(threads) > MAX_THREADS_PER_CPU * cpus:
        raise CodegenError(f"threads={threads} is more than {MAX_THREADS_PER_CPU} per CPU of "
                           f"this machine ({cpus} CPUs, at most {MAX_THREADS_PER_CPU * cpus}): "
                           f"give at most {cpus} (one per CPU is fastest)")
    return int(threads)


@dataclass(frozen=True)
class KernelConfig:
    """How to generate a stencil kernel.

    Attributes
    ----------
    backend : ``"numba"``, ``"c"`` or ``"llvm"``.
    bc : boundary conditions, normalised to one ``(low, high)`` pair per axis (see
        :func:`mcgen.codegen.boundary_fill.normalize_bc` for what is accepted).
    dtype : ``"f64"`` (default) or ``"f32"``: the type of every field value and parameter.
    threads : number of threads; ``1`` generates a serial kernel only. Above 1 a parallel
        variant is generated too and used only on grids of at least ``parallel_threshold`` cells.
    parallel_threshold : grid size (cells per field) from which the threaded kernel is used:
        below it a parallel region costs more than it saves. ``None`` (default): the backend's
        measured crossover, ``DEFAULT_PARALLEL_THRESHOLD``.
    interface_scratch : compute each interface quantity (a sub-expression that reappears shifted
        by one cell, e.g. a numerical flux) once per step into a scratch array.
    cse : apply ``sympy.cse`` to the update before printing.
    cc : the C compiler command for the C backend.
    cflags : flags for the C compiler (``-fopenmp`` is added when a loop is parallel).
        Default :data:`mcgen.codegen.backends.DEFAULT_CFLAGS`: ``-fno-trapping-math`` changes no
        value (only floating-point exception flags) and lets GCC turn ``a > b ? a : b`` into
        vector max (without it the Godunov flux loop does not vectorise: measured 2.5x slower);
        ``-fno-math-errno`` changes no value either and keeps ``sqrt`` inline (the Euler and
        shallow-water kernels went from 0.71-0.76x to 0.82-0.88x of hand C). Multiply-adds are
        not fused (``-ffp-contract=fast`` would break the bitwise identity of temporal blocking).
        ``--param=vect-max-version-for-alias-checks=32`` lets GCC vectorise a loop behind up to
        32 run-time overlap checks (default 10; the 2-D shallow-water flux loop needs 14 and
        ran 2x slower scalar); it changes no value either.
    cache_dir : where generated sources and binaries are written.
    name : the kernel's name in generated code (default: from the scheme's name).
    condition_text : the enforced condition, as printed in generated headers.
    time_block : steps fused per sweep by temporal blocking (1-D, 2-D and 3-D grids far larger
        than cache; see :mod:`mcgen.codegen.temporal_blocking`): ``0`` (default) lets
        :func:`~mcgen.codegen.temporal_blocking.choose_blocking` (``choose_blocking_nd`` in
        2-D/3-D) decide per grid (off for grids
        that fit in L2 and for calls of fewer than 8 steps), ``1`` turns blocking off,
        ``k > 1`` fuses ``k`` steps on grids large enough for it. Results are bitwise those of
        step-by-step.
    tile : interior cells per tile of a blocked sweep (``0``: chosen by the same rule).
    blocking_form : how 2-D/3-D grids are blocked: ``"wavefront"`` (strips along the axes after
        the first, marched along axis 0 with a ring of rows per time level:
        :mod:`mcgen.codegen.wavefront_blocking`), ``"tiles"`` (overlapped square/cubic tiles)
        or ``"auto"`` (default: the wavefront where it applies, else tiles). Both are bitwise
        step-by-step.
    linear_weights : print an update that is linear in the reads, with weights that depend on
        parameters only (``u - nu/2 (u+ - u-) + nu^2/2 (u+ - 2u + u-)``), in weight form
        ``w_m1*u- + w_0*u + w_p1*u+`` with the weights computed once per call, before the
        loops: fewer floating-point operations per cell (what ``-ffast-math`` reassociation gets
        other tools) without fast-math. Values change only by rounding. C and LLVM only:
        numba's fastmath contraction would round the weight form differently in the
        temporally blocked kernel (see ``stencil_frontend.build_stencil``).
    factored_fluxes : print each interface quantity as (parameter-only factor, computed once
        per call) x (the rest, collected over its Max/Abs/... parts), e.g. Rusanov's
        ``(lam/4) * (a^2 + b^2 + 2 (a - b) max(|a|, |b|))`` instead of the expanded
        ``lam/4 a^2 + lam/4 b^2 + lam/2 M a - lam/2 M b``. Values change only by rounding.
    grid_block : generate a kernel for one block of a larger grid (a Dask chunk with its
        halo): it also takes the steps done before the call and, per axis whose coordinate
        the update reads, the global index of the block's first interior cell and the grid's
        cell count (:class:`~mcgen.codegen.stencil_layout.BlockArgs`), so times and positions
        are the whole grid's, bit for bit. Adds nothing when neither is read.
    """

    backend: str = "numba"
    bc: Any = "periodic"
    dtype: str = "f64"
    threads: int = 1
    parallel_threshold: int | None = None
    interface_scratch: bool = True
    cse: bool = True
    cc: str = "cc"
    cflags: tuple[str, ...] = DEFAULT_CFLAGS
    cache_dir: Path = field(default_factory=default_cache_dir)
    name: str = ""
    condition_text: str = "none"
    time_block: int = 0
    tile: int = 0
    blocking_form: str = "auto"
    linear_weights: bool = True
    factored_fluxes: bool = True
    grid_block: bool = False

    def validated(self, dim: int) -> KernelConfig:
        """A copy with every option checked and ``bc`` normalised for a ``dim``-D scheme."""
        if self.backend not in BACKENDS:
            raise CodegenError(f"backend {self.backend!r} is not one of {BACKENDS}")
        if self.dtype not in DTYPES:
            raise CodegenError(f"dtype {self.dtype!r}: use 'f64' (float64) or 'f32' (float32)")
        check_threads(self.threads)
        threshold = self.parallel_threshold
        if threshold is None:
            threshold = DEFAULT_PARALLEL_THRESHOLD[self.backend]
        if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
            raise CodegenError("parallel_threshold must be a non-negative integer (cells) or "
                               "None (the backend's default)")
        for name in ("time_block", "tile"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise CodegenError(f"{name}={v!r}: give a non-negative integer (0: automatic)")
        if self.blocking_form not in BLOCKING_FORMS:
            raise CodegenError(f"blocking_form={self.blocking_form!r}: use one of "
                               f"{BLOCKING_FORMS}")
        if "\n" in self.condition_text or "*/" in self.condition_text:
            raise CodegenError("condition_text must be one line without '*/'")
        bc: BoundarySpec = normalize_bc(self.bc, dim)
        return replace(self, bc=bc, dtype=DTYPES[self.dtype], cache_dir=Path(self.cache_dir),
                       parallel_threshold=threshold)
