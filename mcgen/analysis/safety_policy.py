"""One safety policy per model: which condition is enforced, over which data range, and the
largest stable time step. Every path (``compile``, ``build``, ``Simulation``,
``CompiledKernel``, the export and the CLI) asks this object, so one model gets one answer.

The policy is questioned like a nodepy method:

>>> from mcgen.analysis.safety_policy import safety_policy
>>> from mcgen.model.catalogue.linear import upwind
>>> p = safety_policy(upwind())
>>> p.condition().kind, p.max_dt({"a": 2.0, "dx": 0.1})
('l2', 0.05)

The rules, in one place:

* **linear schemes** enforce their L2 (von Neumann) region. Where the von Neumann analysis does
  not apply (3-D) the proved positivity region is enforced: for constant coefficients
  non-negative weights summing to one give |G| <= 1, so it is sufficient for L2 stability.
* **conservative schemes** (a numerical flux, with or without diffusion and source) enforce their
  monotonicity region *on the data range*: the range of the initial and boundary data unless one
  is given; data outside a given range are refused, and a monotone scheme keeps its data inside
  (maximum principle), which the run checks.
* a scheme with a **certificate** (a derivation whose result is a proved condition, holding on
  a data range: a learned limiter inside Sweby's TVD region) enforces that condition, after
  re-checking the derivation; data outside the certified range are refused.
* a region that is not proved is never enforced as it stands: its proved sufficient part is.
  A region known only at sampled points (its necessary set is proved, its sufficiency only at
  points) is refused unless ``allow_sampled=True``; then what is enforced is proved: the exact
  L2 region in dt at the run's values (one parameter: decided exactly by a cell decomposition),
  else the positivity region. ``policy.sampled`` says so.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp
from sympy.polys.polyerrors import DomainError

from mcgen.errors import AnalysisError, ModelError, StabilityError
from mcgen.model.boundary import Absorbing, Dirichlet
from mcgen.model.law import Law
from mcgen.model.read import reads_of
from mcgen.model.scheme import Scheme
from mcgen.proof.condition import Condition

__all__ = ["SafetyPolicy", "safety_policy", "as_scheme", "range_of_data", "SampledRegionWarning",
           "UndecidedConditionWarning", "warn_undecided"]

#: data may leave the range by this much (relative to its width) through rounding
RANGE_RTOL = 1e-9


class SampledRegionWarning(UserWarning):
    """The stability region is known only at sampled points: its proved sufficient part is
    enforced (``allow_sampled=True``)."""


class UndecidedConditionWarning(UserWarning):
    """``unsafe=True`` and no stability condition could be decided for the model: nothing is
    enforced, and the run or kernel goes ahead at the time step it was given."""


def warn_undecided(name: str, err: BaseException, stacklevel: int = 3) -> str:
    """Say (as an :class:`UndecidedConditionWarning`) that an unsafe run enforces nothing
    because its condition could not be decided, and why; returns the words for run notes. The
    one place the unsafe paths (``Simulation``, ``build``) word this."""
    why = " ".join(str(err).split()) or type(err).__name__
    words = (f"no stability condition could be decided for {repr(name) if name else 'the scheme'} "
             f"({type(err).__name__}: {why}); unsafe=True: nothing is enforced, the run goes "
             "ahead at the given dt")
    warnings.warn(words, UndecidedConditionWarning, stacklevel=stacklevel)
    return words


def as_scheme(model: Scheme | Law) -> Scheme:
    """The scheme a model runs with: a Scheme as it is, a Law through its whole-law
    conservative scheme (Godunov flux, central diffusion, explicit source:
    :func:`mcgen.model.catalogue.conservative.law_scheme`)."""
    if isinstance(model, Scheme):
        return model
    if isinstance(model, Law):
        from mcgen.model.catalogue.conservative import law_scheme
        return law_scheme(model)
    raise ModelError(f"expected a Scheme or a Law, got a {type(model).__name__}: particle "
                     "systems and jump processes are simulated with mcgen.run.montecarlo")


def _exact(v: Any) -> sp.Expr:
    """An exact number for a range end or a value: a float as the decimal it prints as (0.6 is
    3/5; within an ulp of the binary value, inside the few-ulp tolerance of every check)."""
    if isinstance(v, sp.Basic):
        return v
    if isinstance(v, (int, np.integer)):
        return sp.Integer(int(v))
    return sp.Rational(repr(float(v)))


def _outward(lo: Any, hi: Any) -> tuple[sp.Expr, sp.Expr]:
    """Exact range ends, rounded outward to six significant digits of the range's scale: a
    superset of the range (so the condition on it still covers the data) with short numbers."""
    lo_e, hi_e = _exact(lo), _exact(hi)
    scale = max(abs(float(lo_e)), abs(float(hi_e)), float(hi_e - lo_e))
    if scale == 0:
        return lo_e, hi_e
    step = sp.Integer(10) ** (math.floor(math.log10(scale)) - 5)
    return sp.floor(lo_e / step) * step, sp.ceiling(hi_e / step) * step


def range_of_data(arrays: Iterable[np.ndarray], boundary: Iterable[Any] = (),
                  extra: Iterable[float] = ()) -> tuple[float, float, list[str]]:
    """``(min, max, notes)`` over the data, the constant Dirichlet values, the value 0 that an
    ``Absorbing`` wall puts in its ghost cells, and ``extra`` values (per-step boundary series).
    A monotone scheme keeps its solution inside this range (a maximum principle). A
    time-dependent Dirichlet value is not included: ``notes`` says so (give the range)."""
    values: list[float] = []
    for a in arrays:
        a = np.asarray(a)
        if a.size:
            values += [float(np.min(a)), float(np.max(a))]
    notes = []
    for b in boundary:
        if isinstance(b, Absorbing):
            values.append(0.0)
        elif isinstance(b, Dirichlet):
            if b.value.is_number:
                values.append(float(b.value))
            else:
                notes.append(f"the data range taken from the data ignores the time-dependent "
                             f"Dirichlet value {b.value}: give data_range= to cover it")
    values += [float(v) for v in extra]
    if not values:
        raise ModelError("no data to take a data range from: give data_range=(min, max)")
    return min(values), max(values), notes


class SafetyPolicy:
    """What is enforced for one scheme: question it, the answers are computed once and cached.

    Attributes
    ----------
    scheme : the scheme (a Law's whole-law scheme).
    allow_sampled : accept a region known only at sampled points, enforcing its proved
        sufficient part.
    """

    def __init__(self, scheme: Scheme, allow_sampled: bool = False) -> None:
        self.scheme = scheme
        self.allow_sampled = allow_sampled
        self._general_cache: dict[Any, Condition | str] = {}
        self._at_values: dict[Any, Condition] = {}
        self._monotone: dict[Any, Condition] = {}
        self._why: dict[str, str] = {}

    def __repr__(self) -> str:
        return (f"<SafetyPolicy {self.scheme.name or 'scheme'} "
                f"allow_sampled={self.allow_sampled}>")

    # ------------------------------------------------------------------ what kind of model
    @property
    def needs_data_range(self) -> bool:
        """True when the condition depends on the data range (conservative schemes, and schemes
        whose certificate holds on a data range)."""
        return self.scheme.numerical_flux is not None or self.certified_range is not None

    @property
    def certified_range(self) -> tuple[sp.Expr, sp.Expr] | None:
        """The data range a scheme's certificate holds on (None without one)."""
        cert = self.scheme.certificate
        rng = getattr(cert, "meta", {}).get("data_range") if cert is not None else None
        return None if rng is None else (sp.nsimplify(rng[0]), sp.nsimplify(rng[1]))

    @cached_property
    def range_matters(self) -> bool:
        """True when the enforced condition changes with the data range (a nonlinear flux, or a
        coefficient of u): then a run must keep its data inside the range and checks it. A
        range-free condition (a linear flux with D(x), say) needs no such check; such schemes
        need not keep a range (Ito (D(x) u)_xx has no maximum principle)."""
        if not self.needs_data_range:
            return False
        if self.certified_range is not None:
            return True
        try:
            general = self.monotone(None)
        except (AnalysisError, NotImplementedError):
            return True
        expr = general.expr if general.status == "proved" else general.sufficient
        return expr is None or bool({"m", "M"} & {s.name for s in sp.sympify(expr).free_symbols})

    @property
    def is_linear(self) -> bool:
        return self.scheme.numerical_flux is None and \
            self.scheme.linear_weights_full() is not None

    # ------------------------------------------------------------------ the regions
    @cached_property
    def positivity(self) -> Condition | None:
        """The positivity region (None when it is not analysed; ``why`` says why)."""
        from mcgen.analysis.positivity import positivity_region
        try:
            return positivity_region(self.scheme).result
        except (AnalysisError, NotImplementedError, TypeError, ValueError) as err:
            # an analysis that fails on this scheme leaves the policy without that region
            self._why["positivity"] = str(err)
            return None

    @cached_property
    def l2(self) -> Condition | None:
        """The L2 (von Neumann) region of a linear scheme (None when not analysed)."""
        from mcgen.analysis.von_neumann import von_neumann
        if not self.is_linear:
            self._why["l2"] = "the scheme is not linear"
            return None
        try:
            return von_neumann(self.scheme).result
        except (AnalysisError, NotImplementedError, sp.PolynomialError, DomainError) as err:
            # (weights the exact deciders cannot take, exp(-nu) say: positivity may still
            # give a proved sufficient condition)
            self._why["l2"] = f"{type(err).__name__}: {err}"
            return None

    def why(self, what: str) -> str:
        """Why ``positivity`` or ``l2`` is None."""
        getattr(self, what)
        return self._why.get(what, "")

    def monotone(self, data_range: tuple[Any, Any] | None = None) -> Condition:
        """The monotonicity region on ``data_range`` (symbolic bounds m, M when None)."""
        from mcgen.analysis.monotonicity import monotonicity
        from mcgen.model.catalogue.conservative import DATA_MAX, DATA_MIN
        rng = (DATA_MIN, DATA_MAX) if data_range is None else \
            tuple(_exact(v) for v in data_range)
        if rng not in self._monotone:
            self._monotone[rng] = monotonicity(self.scheme, rng).result
        return self._monotone[rng]

    # ------------------------------------------------------------------ the enforced condition
    def _range_key(self, data_range: tuple[Any, Any] | None) -> Any:
        if data_range is None or not self.needs_data_range:
            return None
        lo, hi = _outward(*data_range)
        cr = self.certified_range
        if cr is not None and cr[0] <= _exact(data_range[0]) and _exact(data_range[1]) <= cr[1]:
            # data inside the certified range: round outward no further than its ends
            lo, hi = max(lo, cr[0]), min(hi, cr[1])
        if not lo < hi:
            raise ModelError(f"data range ({float(lo):g}, {float(hi):g}): the monotonicity "
                             "condition of a conservative scheme is stated on a range "
                             "min < max; give data_range=(min, max) covering the values the run "
                             "will see (mcgen run: --data-range MIN MAX)")
        return (lo, hi)

    def _general(self, key: Any) -> Condition | str:
        """The enforced condition for a data range, or ``"at values"`` when it is decided at
        the run's values (a sampled region with ``allow_sampled``)."""
        if key not in self._general_cache:
            self._general_cache[key] = self._derive(key)
        return self._general_cache[key]

    def _derive(self, key: Any) -> Condition | str:
        name = self.scheme.name or "the scheme"
        # proved by construction (a learned TVD limiter): the certificate's condition, re-checked
        from mcgen.analysis.certificate import certified_condition
        cert = certified_condition(self.scheme, key)
        if cert is not None:
            return cert
        if self.needs_data_range:
            return self._proved_part(self.monotone(key), sampled_ok=False)
        if not self.is_linear:
            raise AnalysisError(f"scheme {name!r} is nonlinear and has no numerical flux: build "
                                "it with mcgen.model.catalogue.conservative.conservative_scheme"
                                "(law, flux=...) so that its monotonicity can be proved")
        if self.l2 is None:
            pos = self.positivity
            if pos is None or pos.status != "proved":
                raise StabilityError(f"no stability condition for {name!r}: von Neumann: "
                                     f"{self.why('l2')}; positivity: "
                                     f"{self.why('positivity') or pos and pos.status}")
            return replace(pos, description=f"{pos.description} (positivity region, "
                           f"sufficient for L2 stability; von Neumann: {self.why('l2')})")
        return self._proved_part(self.l2, sampled_ok=True)

    def _monotone_general(self) -> Condition | None:
        """The monotonicity region on symbolic bounds [m, M] when it is proved, else None."""
        try:
            general = self.monotone(None)
        except (AnalysisError, NotImplementedError):
            return None
        return general if general.status == "proved" else None

    def _proved_part(self, cond: Condition, sampled_ok: bool) -> Condition | str:
        """``cond`` when proved; else its proved sufficient part; a sampled linear region with
        ``allow_sampled``: decided at the run's values. Never the necessary set."""
        if cond.status == "proved":
            return cond
        if cond.sufficient is not None and cond.sufficient is not sp.false:
            return replace(cond, expr=cond.sufficient, status="proved",
                           description=f"proved sufficient part of the {cond.kind} region "
                           f"({cond.description})")
        name = self.scheme.name or "the scheme"
        if cond.status == "sampled" and sampled_ok:
            if not self.allow_sampled:
                raise StabilityError(
                    f"the {cond.kind} region of {name!r} is sampled ({cond.description}): its "
                    "necessary set is proved but contains unstable points. Pass "
                    "allow_sampled=True (mcgen: --allow-sampled) to enforce what is proved "
                    "instead (the exact region in dt at the run's values, else the positivity "
                    "region), or unsafe=True with an explicit dt to run anyway")
            return "at values"
        raise StabilityError(f"the {cond.kind} region of {name!r} is {cond.status} "
                             f"({cond.description}) and has no proved sufficient part: pass "
                             "unsafe=True with an explicit dt to run anyway")

    @property
    def sampled(self) -> bool:
        """True when the model's region is sampled and its proved part is what is enforced."""
        return "at values" in self._general_cache.values()

    def condition(self, data_range: tuple[Any, Any] | None = None,
                  values: Mapping[str, float] | None = None) -> Condition:
        """The condition enforced for data in ``data_range`` (conservative schemes) and, for a
        sampled region with ``allow_sampled``, at ``values`` (physical parameters and spacings,
        or the scheme's parameters). Raises StabilityError when nothing proved can be
        enforced, AnalysisError when the model cannot be analysed."""
        general = self._general(self._range_key(data_range))
        if isinstance(general, Condition):
            return general
        if values is None:
            raise StabilityError(f"the L2 region of {self.scheme.name!r} is sampled: what is "
                                 "enforced is decided at the run's values; give them")
        return self._decided_at(values)

    def describe(self, data_range: tuple[Any, Any] | None = None) -> str:
        """One line: the enforced condition (or how it is decided), for headers and READMEs."""
        general = self._general(self._range_key(data_range))
        if isinstance(general, Condition):
            return " ".join(general.describe().split())
        return (f"the L2 region of {self.scheme.name or 'the scheme'} is sampled "
                f"({' '.join(self.l2.description.split()) if self.l2 else ''}); enforced "
                "(allow_sampled): the L2 region decided exactly at the run's values")

    def _decided_at(self, values: Mapping[str, float]) -> Condition:
        """The L2 region in dt at the run's values, decided exactly (a one-parameter family:
        cell decomposition), else the positivity region."""
        sc = self.scheme
        vals = {k: _exact(v) for k, v in values.items() if k != sc.dt.name}
        key = tuple(sorted(vals.items()))
        if key in self._at_values:
            return self._at_values[key]
        tau = sp.Symbol("tau_dt", positive=True)
        subs: dict[Any, Any] = {}
        for p in sc.params:
            if p.name in vals:
                subs[p] = vals[p.name]
            elif p in sc.definitions:
                rhs = sc.definitions[p]
                phys = {s: vals[s.name] for s in rhs.free_symbols
                        if s.name in vals and s != sc.dt}
                subs[p] = rhs.subs(phys).subs(sc.dt, tau)
        # spacings written in the update itself (dt/dx, not a declared nu) take the grid's
        subs.update({h: vals[h.name] for h in sc.spacing if h.name in vals})
        upd = {f: e.subs(subs).subs(sc.dt, tau) for f, e in sc.update.items()}
        free = {s for e in upd.values() for s in e.free_symbols} - \
            {r for e in upd.values() for r in reads_of(e)} - set(sc.coords) - {tau}
        missing = sorted(s.name for s in free)
        warnings.warn(f"{sc.name or 'the scheme'}: the L2 region is known only at sampled "
                      "points; the enforced condition is proved at the run's values "
                      "(allow_sampled=True)", SampledRegionWarning, stacklevel=3)
        cond: Condition | None = None
        if not missing:
            from mcgen.analysis.von_neumann import von_neumann
            restricted = Scheme(sc.fields, sc.dim, upd, params=(tau,) if any(
                e.has(tau) for e in upd.values()) else (), name=f"{sc.name} at {dict(key)}",
                reading=sc.reading, coords=sc.coords, spacing=sc.spacing)
            try:
                r = von_neumann(restricted).result
            except (AnalysisError, NotImplementedError, ValueError, TypeError,
                    sp.PolynomialError, DomainError):
                r = None  # out of the exact analysis' reach: positivity below
            proved = None if r is None else r.expr if r.status == "proved" else \
                r.sufficient if r.sufficient is not sp.false else None
            if proved is not None:  # (false when proved unstable at these values: refused)
                # (one parameter, cells: every point of the region is decided exactly; only
                # isolated irrational points outside it can be left undecided)
                expr = sp.sympify(proved).subs(tau, sc.dt)
                cond = Condition(expr, (sc.dt,), "l2", "proved", sufficient=expr,
                                 necessary=expr, name="von Neumann at the run's values",
                                 scope=r.scope,
                                 description=f"{sp.sstr(expr)} at {_shown(dict(key))} "
                                 "(decided exactly; "
                                 "the general region is sampled)")
        if cond is None:
            pos = self.positivity
            if pos is None or pos.status != "proved":
                raise StabilityError(f"the L2 region of {sc.name!r} is sampled and nothing "
                                     f"sufficient is proved at {dict(key)} (missing values: "
                                     f"{missing}): pass unsafe=True with an explicit dt")
            cond = replace(pos, description=f"{pos.description} (positivity region: proved "
                           "sufficient part of the sampled L2 region)")
        self._at_values[key] = cond
        return cond

    # ------------------------------------------------------------------ time steps and data
    def max_dt(self, values: Mapping[str, float], data_range: tuple[Any, Any] | None = None
               ) -> float:
        """The largest time step the enforced condition allows at ``values`` (physical
        parameters and spacings: ``{"a": 1.0, "dx": 0.01}``); ``inf`` when it does not bound dt.
        A strict bound (leapfrog: |nu| < 1) is stepped below, and a region without interior in
        dt (Lax-Wendroff's positivity set) is refused."""
        cond = self.condition(data_range, values)
        dtn = self.scheme.dt.name
        vals = {k: float(v) for k, v in values.items() if k != dtn}
        try:
            dt = cond.max_stable_dt(dt=self.scheme.dt, **vals)
        except StabilityError as err:
            raise StabilityError(f"no stable time step: {err} (condition {cond.describe()} at "
                                 f"{_shown(vals)}); pass unsafe=True with an explicit dt to "
                                 "run anyway") from None
        except ValueError as err:
            raise ModelError(f"cannot evaluate the stability condition: {err}; give the "
                             "missing values in params=") from None
        if not math.isfinite(dt):
            return dt
        # the predicate's few-ulp tolerance would accept the open end point of a strict bound
        for _ in range(64):
            if cond.holds(rtol=0.0, **{dtn: dt}, **vals):
                break
            dt = math.nextafter(dt, 0.0) * (1 - 1e-15)
        if not cond.holds(rtol=0.0, **{dtn: 0.5 * dt}, **vals):
            raise StabilityError(f"no interval of time steps (0, dt] satisfies "
                                 f"{cond.describe()} at {_shown(vals)}; pass unsafe=True with "
                                 "an explicit dt to run anyway")
        return dt

    def check(self, values: Mapping[str, float], data_range: tuple[Any, Any] | None = None
              ) -> None:
        """Raise StabilityError when ``values`` (with ``dt``, or the scheme's parameters) break
        the enforced condition."""
        vals = {k: float(v) for k, v in values.items() if np.ndim(v) == 0}
        key = self._range_key(data_range)
        # a region proved on symbolic bounds [m, M] (a theorem for every range) is the region on
        # this range: evaluated at m, M it answers in microseconds, so a kernel called on ever
        # new data does not redo the exact analysis unless the values fail (for the message)
        general = self._monotone_general() if key is not None else None
        if general is not None and general.holds(**vals, m=float(key[0]), M=float(key[1])):
            return
        cond = self.condition(data_range, values)
        try:
            ok = cond.holds(**vals)
        except ValueError as exc:
            raise StabilityError(f"the enforced condition {cond.describe()} needs more values "
                                 f"to be checked ({exc}): pass them, or unsafe=True") from None
        if not ok:
            on = "" if data_range is None or not self.needs_data_range else \
                f" on the data range m={float(data_range[0]):g}, M={float(data_range[1]):g}"
            raise StabilityError(f"{_shown(vals)}{on} violates the enforced {cond.kind} condition "
                                 f"{cond.describe()}: reduce the time step or pass unsafe=True "
                                 "to run anyway")

    def data_range(self, arrays: Iterable[np.ndarray], boundary: Iterable[Any] = (),
                   given: tuple[Any, Any] | None = None, extra: Iterable[float] = ()
                   ) -> tuple[tuple[float, float] | None, list[str]]:
        """The data range the condition is stated on, with notes: ``given`` after checking
        that the data and boundary values lie in it (ModelError naming the value outside), else
        the range of the data and boundary values. None for schemes that need no range."""
        arrays = list(arrays)
        lo, hi, notes = range_of_data(arrays, boundary, extra)
        if given is None:
            if not self.needs_data_range:
                return None, notes
            return self._invariant_range(lo, hi, notes), notes
        g_lo, g_hi = float(given[0]), float(given[1])
        tol = RANGE_RTOL * max(g_hi - g_lo, abs(g_lo), abs(g_hi), 1e-300)
        if lo < g_lo - tol or hi > g_hi + tol:
            raise ModelError(f"the data (with the boundary values) lie in [{lo:g}, {hi:g}], "
                             f"outside data_range=({g_lo:g}, {g_hi:g}): the condition proved on "
                             "that range says nothing about these data; give a data_range "
                             "that contains them (or leave it out: it is then taken from the "
                             "data)")
        return (g_lo, g_hi), notes

    def admissible(self, arrays: Iterable[np.ndarray], boundary: Iterable[Any] = (),
                   data_range: tuple[Any, Any] | None = None) -> bool:
        """True when the data (and boundary values) lie in ``data_range`` (always, without
        one: the range is then taken from them)."""
        try:
            self.data_range(arrays, boundary, given=data_range)
        except ModelError:
            return False
        return True

    def _invariant_range(self, lo: float, hi: float, notes: list[str]) -> tuple[float, float]:
        """[lo, hi] widened to a range a monotone scheme keeps: with a source s(u) that needs
        s(lo) >= 0 >= s(hi), so an end where the source pushes outwards moves to the nearest
        zero of s beyond it (linear decay -k u: to 0)."""
        from mcgen.model.catalogue.conservative import law_terms
        if self.scheme.law is None:
            return lo, hi
        terms = law_terms(self.scheme.law)
        if not terms.has_source:
            return lo, hi
        s, u = terms.source, terms.u
        try:
            roots = sorted(float(r) for r in sp.solve(s, u) if r.is_number and r.is_real)
        except (NotImplementedError, TypeError, ValueError):
            roots = []
        ends = []
        for end, sign, beyond in ((lo, 1, [r for r in roots if r <= lo]),
                                  (hi, -1, [r for r in roots if r >= hi])):
            value = sp.sympify(sign * s.subs(u, _exact(end)))
            if value.is_nonnegative:
                ends.append(end)
            elif beyond:
                ends.append(max(beyond) if sign > 0 else min(beyond))
            else:
                ends.append(end)
                notes.append(f"the source {s} may carry the data beyond {end:g} and has no zero "
                             "beyond it: the run stops if the data leave the range; give "
                             "data_range= covering the values it reaches")
        return ends[0], ends[1]

    def range_violation(self, array: np.ndarray, data_range: tuple[float, float]
                        ) -> tuple[int, ...] | None:
        """The first cell of ``array`` outside ``data_range`` (None when inside): the run's
        check that the data stay where the condition was proved."""
        lo, hi = data_range
        tol = RANGE_RTOL * max(hi - lo, abs(lo), abs(hi))
        bad = (array < lo - tol) | (array > hi + tol)
        if not np.any(bad):
            return None
        return tuple(int(i) for i in np.unravel_index(int(np.argmax(bad)), array.shape))


def _shown(vals: Mapping[str, float]) -> str:
    return ", ".join(f"{k}={float(v):g}" for k, v in sorted(vals.items()))


_POLICIES: dict[tuple[str, bool], SafetyPolicy] = {}


def safety_policy(model: Scheme | Law, allow_sampled: bool = False) -> SafetyPolicy:
    """The (cached) policy of a model: one object per scheme hash and ``allow_sampled``. A
    HighResScheme or SystemScheme gets a :class:`~mcgen.analysis.highres_safety.HighResPolicy`
    (its TVD / positivity-preserving condition)."""
    from mcgen.analysis.highres_safety import HIGHRES_RUN_MODELS, HighResPolicy
    if isinstance(model, HIGHRES_RUN_MODELS):
        return HighResPolicy(model)  # type: ignore[return-value]
    scheme = as_scheme(model)
    key = (scheme.hash, bool(allow_sampled))
    if key not in _POLICIES:
        _POLICIES[key] = SafetyPolicy(scheme, bool(allow_sampled))
    return _POLICIES[key]
