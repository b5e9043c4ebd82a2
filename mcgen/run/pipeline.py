"""The mcgen pipeline as named stages: model -> analysis -> IR -> backend.

Two entry points, each one short function whose body is the list of its stages:

* :func:`derive` asks the analysis layer everything it can prove about a model: the macroscopic
  limit of a jump process or particle system; positivity, von Neumann (L2), both side by side and
  the modified equation of a linear scheme; monotonicity, TVD, the E-scheme property and the
  entropy check of a conservative scheme. A :class:`~mcgen.model.law.Law` is first discretised
  with all its terms (Godunov flux, central diffusion, explicit source).
* :func:`build` turns a scheme into a running kernel: model -> the condition it enforces
  (the model's :class:`~mcgen.analysis.safety_policy.SafetyPolicy`) -> loop IR
  (``mcgen.codegen.stencil_frontend.build_stencil``) -> backend (``mcgen.codegen.compile``),
  each stage timed in ``kernel.timings["stage: ..."]``.

Every stage is a public function taking the previous stage's output (:func:`as_scheme`,
:func:`enforced_condition`, :func:`kernel_config`, ``build_stencil``, ``compile``), so a user can
stop after any of them, inspect the result, and go on.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields as dataclass_fields
from typing import Any

import sympy as sp

from mcgen.errors import AnalysisError, CodegenError, ModelError
from mcgen.model.jump_process import JumpProcess
from mcgen.model.law import Law
from mcgen.model.particle_system import ParticleSystem
from mcgen.model.scheme import Scheme
from mcgen.proof import Condition, Derivation

__all__ = ["derive", "build", "as_scheme", "enforced_condition", "kernel_config",
           "DerivationSkipped"]


class DerivationSkipped(UserWarning):
    """An analysis that does not apply to the model (named in the message) was left out."""


# ---------------------------------------------------------------- derive


def derive(model: Any, data_range: tuple[Any, Any] | None = None) -> list[Derivation]:
    """Every derivation mcgen can make for ``model``, as checked :class:`Derivation` objects.

    Parameters
    ----------
    model : a JumpProcess or ParticleSystem (its macroscopic limit), a Scheme (its stability
        analyses and modified equation), a Law (discretised first with all its terms:
        :func:`mcgen.model.catalogue.conservative.law_scheme`), a HighResScheme (the limiter's
        Sweby region, the TVD bound on ``data_range`` and the order on smooth data), a
        HighResNDScheme (the maximum-principle bound of its axes) or a SystemScheme (the
        positivity-preserving bound).
    data_range : (min, max) of the data, for the analyses of nonlinear conservative schemes
        (default: symbolic bounds ``m``, ``M``; some bounds are then only necessary).

    An analysis that does not apply (the 3-D von Neumann analysis, a modified equation for a
    scheme without a law) is left out with a :class:`DerivationSkipped` warning naming why.

    Examples
    --------
    >>> from mcgen.model.catalogue.linear import upwind
    >>> [d.title.split(" of ")[0] for d in derive(upwind())]
    ['Positivity region', 'von Neumann analysis', 'Stability', 'Modified equation']
    """
    if isinstance(model, (JumpProcess, ParticleSystem)):
        return [_macroscopic_limit(model)]
    from mcgen.analysis.highres_safety import HIGHRES_RUN_MODELS
    if isinstance(model, HIGHRES_RUN_MODELS):
        return [d for stage in _highres_stages(model, data_range)
                for d in _attempt(stage, model)]
    scheme = as_scheme(model)
    stages: list[Callable[[Scheme], list[Derivation]]]
    if is_linear(scheme):
        stages = [_positivity, _von_neumann, _stability_report]
    elif scheme.numerical_flux is not None:
        stages = [_nonlinear_stability(data_range)]
    else:
        raise AnalysisError(f"scheme {scheme.name!r} is nonlinear and has no numerical flux: "
                            "build it with mcgen.model.catalogue.conservative."
                            "conservative_scheme(law, flux=...) to analyse it")
    if scheme.law is not None:
        stages.append(_modified_equation)
    return [d for stage in stages for d in _attempt(stage, scheme)]


def _highres_stages(model: Any, data_range: tuple[Any, Any] | None
                    ) -> list[Callable[[Any], list[Derivation]]]:
    """The analyses of a high-resolution scheme: for a scalar one the limiter's Sweby region,
    the TVD bound on the data range (the one a run enforces) and the order on smooth data;
    for a system the positivity-preserving bound."""
    from mcgen.model.highres_nd_scheme import HighResNDScheme
    from mcgen.model.system_scheme import SystemScheme
    if isinstance(model, HighResNDScheme):
        def maximum_principle_bound(s: Any) -> list[Derivation]:
            from mcgen.analysis.highres_nd import dimensional_condition
            return [dimensional_condition(s.axes, data_range)]
        return [maximum_principle_bound]
    if isinstance(model, SystemScheme):
        def positivity_preserving_bound(s: Any) -> list[Derivation]:
            from mcgen.analysis.positivity_systems import positivity_condition
            return [positivity_condition(s)]
        return [positivity_preserving_bound]

    def sweby_region(s: Any) -> list[Derivation]:
        from mcgen.analysis.tvd import sweby_region as region
        if s.limiter is None:
            raise AnalysisError("WENO5 has no limiter")
        return [region(s.limiter)]

    def tvd_bound(s: Any) -> list[Derivation]:
        from mcgen.analysis.tvd import tvd_condition
        rng = data_range if data_range is not None else s.data_range
        if rng is None and s.reconstruction != "weno5":  # WENO5: tvd_condition says why not
            raise AnalysisError("the TVD bound is stated on a data range: give data_range "
                                "(mcgen derive: --data-range MIN MAX)")
        return [tvd_condition(s, None if rng is None else _exact_range(rng))]

    def order_of_accuracy(s: Any) -> list[Derivation]:
        from mcgen.analysis.highres_order import order_of_accuracy as order
        return [order(s)]
    return [sweby_region, tvd_bound, order_of_accuracy]


def is_linear(scheme: Scheme) -> bool:
    """True when the update is a fixed linear combination u^{n+1}_j = sum_k w_k u^n_{j+k}."""
    return scheme.linear_weights_full() is not None


def _attempt(stage: Callable[[Any], list[Derivation]], scheme: Any) -> list[Derivation]:
    try:
        return stage(scheme)
    except (AnalysisError, NotImplementedError) as err:
        warnings.warn(f"{stage.__name__.strip('_').replace('_', ' ')} not derived for "
                      f"{scheme.name!r}: {err}", DerivationSkipped, stacklevel=4)
        return []


def _macroscopic_limit(model: Any) -> Derivation:
    from mcgen.analysis.limits import macroscopic_limit
    return macroscopic_limit(model)


def _positivity(scheme: Scheme) -> list[Derivation]:
    from mcgen.analysis.positivity import positivity_region
    return [positivity_region(scheme)]


def _von_neumann(scheme: Scheme) -> list[Derivation]:
    from mcgen.analysis.von_neumann import von_neumann
    return [von_neumann(scheme)]


def _stability_report(scheme: Scheme) -> list[Derivation]:
    from mcgen.analysis.stability import stability_report
    return [stability_report(scheme)]


def _modified_equation(scheme: Scheme) -> list[Derivation]:
    from mcgen.analysis.modified_equation import modified_equation
    return [modified_equation(scheme)]


def _nonlinear_stability(data_range: tuple[Any, Any] | None
                         ) -> Callable[[Scheme], list[Derivation]]:
    def monotonicity_tvd_entropy(scheme: Scheme) -> list[Derivation]:
        from mcgen.analysis.monotonicity import nonlinear_stability
        from mcgen.model.catalogue.conservative import DATA_MAX, DATA_MIN
        rng = (DATA_MIN, DATA_MAX) if data_range is None else _exact_range(data_range)
        return list(nonlinear_stability(scheme, rng).values())
    return monotonicity_tvd_entropy


# ---------------------------------------------------------------- build


def build(scheme: Scheme | Law, backend: str = "numba", bc: Any = "periodic",
          data_range: tuple[Any, Any] | None = None, unsafe: bool = False,
          condition: Condition | bool | None = None, allow_sampled: bool = False,
          **options: Any) -> Any:
    """Model -> enforced condition -> IR -> backend: a :class:`~mcgen.codegen.CompiledKernel`.

    Parameters
    ----------
    scheme : an explicit two-level Scheme, or a scalar 1-D Law (run with all its terms:
        Godunov flux, central diffusion, explicit source).
    backend : ``"numba"``, ``"c"`` or ``"llvm"``.
    bc : boundary conditions, as for :func:`mcgen.codegen.compile`.
    data_range : (min, max) of the data: conservative schemes enforce their monotonicity
        condition on this range and refuse data outside it (without it, each call's condition
        is checked on the range of its data and boundary values).
    unsafe : build a kernel that does not refuse steps outside the condition (the condition
        is still derived, when it can be, and printed in the generated code).
    condition : a Condition to enforce instead of deriving one; ``False`` enforces nothing.
    allow_sampled : accept a region known only at sampled points; only what is proved is
        enforced (``kernel.sampled_region``).
    options : further :class:`~mcgen.codegen.config.KernelConfig` fields (``dtype="f32"``,
        ``threads=4``, ``cse=False`` ...); unknown names are refused.

    Returns
    -------
    The kernel :func:`mcgen.codegen.compile` gives for the same scheme and condition, with the
    pipeline's stage times added to ``kernel.timings`` as ``"stage: model"``, ``"stage:
    analysis"``, ``"stage: IR"`` and ``"stage: backend"``.
    """
    from mcgen.codegen import build_stencil, compile
    from mcgen.codegen.compile import enforced_condition_of

    timings: dict[str, float] = {}
    with _stage("model", timings):
        scheme = as_scheme(scheme)
    with _stage("analysis", timings):
        derived: Condition | None = None
        if condition is None:
            try:
                derived, note, policy = enforced_condition_of(scheme, data_range, allow_sampled)
            except Exception as err:  # noqa: BLE001 - unsafe: an analysis failure is a warning
                if not unsafe:
                    raise
                from mcgen.analysis.safety_policy import warn_undecided
                warn_undecided(scheme.name, err, stacklevel=4)
                derived, note, policy = None, "none", None
            if policy is None and not unsafe:  # a safe kernel must not lack a condition
                raise AnalysisError(f"no stability condition for {scheme.name!r}: {note}; pass "
                                    "unsafe=True (with an explicit dt) to build it anyway")
            if policy is None and note != "none":  # unsafe, and the analysis said why not
                from mcgen.analysis.safety_policy import warn_undecided
                warn_undecided(scheme.name, AnalysisError(note), stacklevel=4)
        else:
            note = condition.describe() if isinstance(condition, Condition) else "none"
    with _stage("IR", timings):
        config = kernel_config(scheme, backend, bc, note, **options)
        program = build_stencil(scheme, config)
    with _stage("backend", timings):
        if condition is not None:
            given: Condition | bool | None = _enforce(condition)
        else:  # the policy again (cached): compile() keeps it on the kernel
            given = (derived or False) if unsafe else None
        kernel = compile(scheme, backend=backend, bc=bc, dtype=config.dtype,
                         threads=config.threads, condition=given, unsafe=unsafe,
                         config=config, data_range=data_range, allow_sampled=allow_sampled)
    if kernel.ir != program.module:  # compile() lowers again: the two must agree
        raise CodegenError(f"the IR of {scheme.name!r} differs between the IR stage and "
                           "mcgen.codegen.compile: the front-end is not deterministic")
    kernel.timings.update(timings)
    return kernel


def _enforce(condition: Condition | bool | None) -> Condition | bool:
    # compile() reads None as "derive one yourself" and False as "enforce nothing"
    return condition if isinstance(condition, Condition) else False


@contextmanager
def _stage(name: str, timings: dict[str, float]) -> Iterator[None]:
    t0 = time.perf_counter()
    yield
    timings[f"stage: {name}"] = time.perf_counter() - t0


def as_scheme(model: Scheme | Law) -> Scheme:
    """The scheme to analyse or compile: a Scheme as it is, a Law through its whole-law
    conservative scheme (:func:`mcgen.analysis.safety_policy.as_scheme`)."""
    from mcgen.analysis.safety_policy import as_scheme as policy_scheme
    return policy_scheme(model)


def _exact_range(data_range: tuple[Any, Any]) -> tuple[sp.Expr, sp.Expr]:
    lo, hi = (sp.nsimplify(v) for v in data_range)
    return lo, hi


def enforced_condition(scheme: Scheme, data_range: tuple[Any, Any] | None = None,
                       allow_sampled: bool = False) -> Condition:
    """The proved condition a kernel or simulation of ``scheme`` enforces: the answer of its
    :class:`~mcgen.analysis.safety_policy.SafetyPolicy` (L2 for linear schemes, the positivity
    region where von Neumann does not apply, monotonicity on ``data_range`` for conservative
    ones). Raises StabilityError when no proved condition exists."""
    from mcgen.analysis.safety_policy import safety_policy
    return safety_policy(scheme, allow_sampled).condition(data_range)


def kernel_config(scheme: Scheme, backend: str = "numba", bc: Any = "periodic",
                  condition: Condition | str | bool | None = None, **options: Any) -> Any:
    """The validated :class:`~mcgen.codegen.config.KernelConfig` for ``scheme``: ``options``
    are its fields (an unknown name is refused with the list of valid ones)."""
    from mcgen.codegen.config import KernelConfig
    valid = {f.name for f in dataclass_fields(KernelConfig)}
    unknown = sorted(set(options) - valid)
    if unknown:
        raise ModelError(f"unknown kernel option(s) {unknown}: use fields of KernelConfig "
                         f"({', '.join(sorted(valid))})")
    text = condition.describe() if isinstance(condition, Condition) else \
        condition if isinstance(condition, str) else "none"
    cfg = KernelConfig(**{"backend": backend, "bc": bc, "condition_text": " ".join(text.split()),
                          **options})
    return cfg.validated(scheme.dim)
