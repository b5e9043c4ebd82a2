"""Schemes: update expressions over lattice reads; weights are derived, never declared."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.expressions import check_expression
from mcgen.model.law import Law
from mcgen.model.names import check_name
from mcgen.model.read import Read, reads_of
from mcgen.model.readings import BACKWARD, normalize_reading
from mcgen.model.symbols import COORDS, SPACINGS
from mcgen.model.symbols import dt as DT
from mcgen.proof import serialize


@serialize.register_class("scheme")
@dataclass(frozen=True)
class Scheme:
    """An explicit (or implicit, or multistep) lattice update.

    Parameters
    ----------
    fields : names of the fields (``("u",)``).
    dim : number of space dimensions.
    update : for each field, its new value as an expression of reads ``u[offset]`` (explicit,
        reads at level 0 and, for multistep schemes, level -1); for implicit schemes an
        ``sp.Eq`` relating reads at level +1 and level 0.
    params : the scheme's parameters (``nu``, ``r``, ``lambda`` ...).
    reading : ``backward`` (row-stochastic: expectation) or ``forward`` (column-stochastic:
        density; conservative schemes with variable coefficients).
    definitions : how parameters are made from physical quantities (``{nu: a*dt/dx}``).
    law : the law the scheme is meant to approximate (for consistency analysis).
    coords, spacing : position symbols (x = x_j, for variable coefficients) and grid steps.
    numerical_flux : for conservative schemes, ``(F, uL, uR)``: the interface flux F(uL, uR).
    certificate : a property proved by construction (a learned limiter inside Sweby's region):
        a :class:`~mcgen.proof.Derivation` whose result is a proved ``Condition``, with the data
        range it holds on in ``meta["data_range"]``; runs, kernels and exports enforce it
        (:func:`mcgen.analysis.certificate.certified_condition`) instead of re-deriving one.
    """

    fields: tuple[str, ...]
    dim: int
    update: dict[str, Any]
    params: tuple[sp.Symbol, ...] = ()
    reading: str = BACKWARD
    name: str = ""
    definitions: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    law: Law | None = None
    coords: tuple[sp.Symbol, ...] = ()
    spacing: tuple[sp.Symbol, ...] = ()
    dt: sp.Symbol = DT
    numerical_flux: tuple[Any, ...] | None = None
    certificate: Any = None

    def __post_init__(self) -> None:
        fields = (self.fields,) if isinstance(self.fields, str) else tuple(self.fields)
        for f in fields:
            if not isinstance(f, str) or not f.isidentifier():
                raise ModelError(f"scheme field name {f!r} must be an identifier")
        object.__setattr__(self, "fields", fields)
        object.__setattr__(self, "reading", normalize_reading(self.reading))
        check_name(self.name, "scheme name")
        if not 1 <= self.dim <= 3:
            raise ModelError(f"dim={self.dim}: mcgen handles 1-, 2- and 3-D lattices")
        if not isinstance(self.update, dict):
            raise ModelError(f"update={self.update!r} is not a dict: give one expression per "
                             f"field, update={{{fields[0]!r}: ...}}")
        if set(self.update) != set(fields):
            raise ModelError(f"update gives {sorted(self.update)} but fields are {list(fields)}: "
                             "give one update expression per field")
        upd = {f: check_expression(self.update[f], f"update of {f!r}") for f in fields}
        object.__setattr__(self, "update", upd)
        object.__setattr__(self, "definitions", {
            k: check_expression(v, f"definition of {k}") for k, v in self.definitions.items()})
        object.__setattr__(self, "coords", tuple(self.coords) or COORDS[:self.dim])
        object.__setattr__(self, "spacing", tuple(self.spacing) or SPACINGS[:self.dim])
        for f, e in upd.items():
            for rd in reads_of(e):
                if rd.field not in fields:
                    raise ModelError(f"update of {f!r} reads field {rd.field!r}, which is not "
                                     f"one of the scheme's fields {list(fields)}")
                if rd.dim != self.dim:
                    raise ModelError(f"read {rd} has {rd.dim} offsets in a {self.dim}-D scheme")
            if not reads_of(e):
                raise ModelError(f"update of {f!r} is {e}, which reads no field: a scheme's "
                                 f"update is written in reads such as {f}[0], {f}[-1] (u = "
                                 "Field('u'); u[0] is u_j^n); a constant is a boundary or "
                                 "initial value, not an update")
            if not isinstance(e, sp.Equality) and any(rd.level > 0 for rd in reads_of(e)):
                raise ModelError(f"update of {f!r} reads level n+1: write an implicit scheme "
                                 "as sp.Eq(lhs, rhs)")
        known = set(self.coords) | set(self.spacing) | {self.dt}
        free = set().union(*[e.free_symbols for e in upd.values()]) - \
            {s for e in upd.values() for s in reads_of(e)}
        params = tuple(self.params) or tuple(sorted(free - known, key=lambda s: s.name))
        undefined = free - set(params) - known
        if undefined:
            where = f"scheme {self.name!r}" if self.name else "the scheme"
            raise ModelError(f"undefined symbols {sorted(map(str, undefined))} in {where}: list "
                             "them in params= (every symbol of the update other than the reads, "
                             "coordinates, spacings and dt is a parameter)")
        clash = sorted(p.name for p in params if p.name in fields)
        if clash:
            raise ModelError(f"parameter(s) {clash} have the name of a field of the scheme: "
                             "rename the parameter (the field is the data, the parameter a "
                             "number; a kernel takes both by name)")
        object.__setattr__(self, "params", params)

    # ------------------------------------------------------------------ questions
    @property
    def reads(self) -> set[Read]:
        return set().union(*[reads_of(e) for e in self.update.values()])

    @property
    def levels(self) -> tuple[int, ...]:
        return tuple(sorted({rd.level for rd in self.reads}))

    @property
    def is_explicit(self) -> bool:
        return not any(isinstance(e, sp.Equality) for e in self.update.values())

    @property
    def is_two_level(self) -> bool:
        return self.is_explicit and set(self.levels) <= {0}

    @property
    def radius(self) -> int:
        return max((abs(k) for rd in self.reads for k in rd.offset), default=0)

    @property
    def reach(self) -> tuple[tuple[int, int], ...]:
        """Per axis, how far the update reads behind and ahead of its cell: ``(low, high)``,
        0 on a side it does not read (donor cell with positive velocities: ``(1, 0)``)."""
        offsets = [rd.offset for rd in self.reads]
        return tuple((max((-o[a] for o in offsets if o[a] < 0), default=0),
                      max((o[a] for o in offsets if o[a] > 0), default=0))
                     for a in range(self.dim))

    @property
    def is_variable_coefficient(self) -> bool:
        return any(e.free_symbols & set(self.coords) for e in self.update.values())

    def linear_weights_full(self) -> dict[tuple[str, str, tuple[int, ...], int], sp.Expr] | None:
        """``{(out_field, in_field, offset, level): weight}``, or None when not linear."""
        out: dict[tuple[str, str, tuple[int, ...], int], sp.Expr] = {}
        for f, e in self.update.items():
            if isinstance(e, sp.Equality):
                e = e.lhs - e.rhs
            rds = sorted(reads_of(e), key=lambda r: r.name)
            if not rds:
                continue
            try:
                poly = sp.Poly(sp.expand(e), *rds)
            except sp.PolynomialError:
                return None
            if poly.total_degree() > 1:
                return None
            for rd in rds:
                w = poly.coeff_monomial(rd)
                if w.free_symbols & set(rds):
                    return None
                out[(f, rd.field, rd.offset, rd.level)] = sp.simplify(w)
            if poly.coeff_monomial(1) != 0:
                return None  # affine updates (sources) are not stencils
        return out

    def linear_weights(self) -> dict[tuple[int, ...] | int, sp.Expr] | None:
        """Weights ``{offset: w_k}`` of a scalar two-level explicit linear update (1-D offsets
        as ints), or None when the update is not of that kind."""
        if len(self.fields) != 1 or not self.is_two_level:
            return None
        full = self.linear_weights_full()
        if full is None:
            return None
        return {(k[2][0] if self.dim == 1 else k[2]): w for k, w in full.items()}

    def as_chain(self, **values: float) -> Any:
        """The Markov chain of a linear scalar scheme (weights = transition probabilities).

        Raises ModelError naming a weight that is negative (for the given parameter values,
        or for every value) or rows that do not sum to one.
        """
        from mcgen.model.jump_process import JumpProcess

        w = self.linear_weights()
        if w is None:
            raise ModelError(f"scheme {self.name!r} is not a linear two-level scalar update: it "
                             "has no weights to read as transition probabilities")
        subs = {s: sp.nsimplify(values[s.name]) for s in self.params if s.name in values}
        jumps: dict[tuple[int, ...], sp.Expr] = {}
        for k, wk in w.items():
            wk = sp.simplify(wk.subs(subs))
            if wk.is_negative:
                raise ModelError(f"weight w_{k} = {wk} of scheme {self.name!r} is negative"
                                 f"{' for ' + str(values) if values else ''}: it is no "
                                 "transition probability (see positivity_region for the "
                                 "parameters that make every weight non-negative)")
            jumps[k if isinstance(k, tuple) else (k,)] = wk
        total = sp.simplify(sum(jumps.values()) - 1)
        if total != 0:
            raise ModelError(f"weights of scheme {self.name!r} sum to 1 + ({total}), not 1: the "
                             "rows of a transition matrix must sum to one")
        return JumpProcess(jumps, time="discrete", reading=self.reading, scaling="none",
                           coords=self.coords, h=self.spacing, dt=self.dt,
                           name=f"chain of {self.name}" if self.name else "")

    def subs(self, values: dict[Any, Any]) -> Scheme:
        """A new scheme with parameters replaced (the original is untouched)."""
        from dataclasses import replace
        vals = {(sp.Symbol(k) if isinstance(k, str) else k): v for k, v in values.items()}
        vals = {next((p for p in self.params if p.name == k.name), k): v for k, v in vals.items()}
        upd = {f: e.subs(vals) for f, e in self.update.items()}
        return replace(self, update=upd, params=tuple(p for p in self.params if p not in vals))

    # ------------------------------------------------------------------ presentation
    def describe(self) -> str:
        parts = [f"{f}^(n+1) = {sp.sstr(e)}" for f, e in self.update.items()]
        return f"{self.name or 'scheme'}: " + "; ".join(parts)

    def latex(self) -> str:
        return "; ".join(f"${sp.latex(e)}$" for e in self.update.values())

    def __str__(self) -> str:
        return self.describe()

    def to_data(self) -> dict[str, Any]:
        keys: tuple[str, ...] = ("fields", "dim", "update", "params", "reading", "name",
                                 "definitions", "law", "coords", "spacing", "dt",
                                 "numerical_flux")
        # only a certified scheme carries the key: every other scheme keeps its hash
        keys += ("certificate",) if self.certificate is not None else ()
        return {k: serialize.to_data(getattr(self, k)) for k in keys}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> Scheme:
        # each field checked against its type hint before the constructor parses anything
        return serialize.decode_dataclass(cls, d)  # type: ignore[no-any-return]

    @property
    def hash(self) -> str:
        """sha256 of the canonical serialization (stable across processes and hash seeds);
        computed once per object (a learned scheme's update takes seconds to serialise)."""
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = serialize.stable_hash(self.to_data())
            object.__setattr__(self, "_hash", cached)
        return cached
