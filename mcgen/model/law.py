"""Macroscopic laws: conservation laws u_t + div f(u) = diffusion + source, and backward
(Kolmogorov, non-divergence) equations v_t = b . grad v + D : Hess v + source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.expressions import check_expression
from mcgen.model.names import check_name
from mcgen.model.symbols import COORDS
from mcgen.model.symbols import t as T_SYM
from mcgen.proof import render, serialize

DIFFUSION_FORMS = ("ito", "fick", "none")
LAW_FORMS = ("conservation", "backward")


def _matrix(d: Any, n: int) -> sp.ImmutableMatrix:
    if d is None:
        return sp.ImmutableMatrix.zeros(n, n)
    if isinstance(d, sp.MatrixBase):
        return sp.ImmutableMatrix(d)
    if isinstance(d, (list, tuple)):
        return sp.ImmutableMatrix(d)
    return sp.ImmutableMatrix(sp.eye(n) * sp.sympify(d))


@serialize.register_class("law")
@dataclass(frozen=True)
class Law:
    """A scalar law or a system, in 1-3 D.

    Parameters
    ----------
    fields : the unknowns as SymPy symbols (``rho``, or ``(h, q)`` for a system).
    flux : one entry per dimension; each a scalar (scalar law) or a tuple, one per field.
    diffusion : scalar D or a dim x dim matrix (scalar laws); a scalar multiplies the Laplacian.
    diffusion_form : ``"ito"`` for (D u)_xx, ``"fick"`` for (D u_x)_x, ``"none"`` without diffusion.
    source : s(u, x, t), one per field.
    drift : for ``form="backward"``: b, one per dimension (v_t = b . grad v + D : Hess v).
    form : ``"conservation"`` (divergence form, densities) or ``"backward"`` (expectations).
    coords : spatial coordinates (default x, y, z cut to ``dim``).
    params : named parameters (symbols that are neither fields nor coordinates).
    """

    fields: tuple[sp.Symbol, ...]
    flux: tuple[Any, ...] = ()
    diffusion: Any = None
    diffusion_form: str = "none"
    source: Any = 0
    drift: tuple[Any, ...] = ()
    form: str = "conservation"
    coords: tuple[sp.Symbol, ...] = ()
    params: tuple[sp.Symbol, ...] = ()
    name: str = ""
    t: sp.Symbol = T_SYM

    def __post_init__(self) -> None:
        fields = (self.fields,) if isinstance(self.fields, sp.Symbol) else tuple(self.fields)
        if not fields or not all(isinstance(f, sp.Symbol) for f in fields):
            raise ModelError("Law.fields must be SymPy symbols, e.g. sp.Symbol('rho')")
        object.__setattr__(self, "fields", fields)
        flux = self.flux if isinstance(self.flux, (tuple, list)) else (self.flux,)
        dim = len(self.coords) or max(len(flux), len(self.drift) if self.drift else 0, 1)
        coords = tuple(self.coords) or COORDS[:dim]
        object.__setattr__(self, "coords", coords)
        if self.form not in LAW_FORMS:
            raise ModelError(f"Law.form {self.form!r}: use 'conservation' or 'backward'")
        if self.diffusion_form not in DIFFUSION_FORMS:
            raise ModelError(f"diffusion_form {self.diffusion_form!r}: use 'ito' ((D u)_xx), "
                             "'fick' ((D u_x)_x) or 'none'")
        n = len(fields)
        flux = tuple(flux) + (0,) * (dim - len(flux)) if flux else (0,) * dim
        flux = tuple(sp.ImmutableMatrix([sp.sympify(c) for c in f]) if isinstance(f, (tuple, list))
                     else sp.sympify(f) for f in flux)
        if n > 1 and not all(isinstance(f, sp.MatrixBase) or f == 0 for f in flux):
            raise ModelError(f"a system of {n} fields needs a flux tuple per dimension, "
                             "one entry per field")
        object.__setattr__(self, "flux", flux)
        diff = _matrix(self.diffusion, dim) if n == 1 else self.diffusion
        if diff is not None and n == 1 and any(e != 0 for e in diff) and \
                self.diffusion_form == "none":
            raise ModelError("a law with diffusion must state its form: diffusion_form='ito' "
                             "for (D u)_xx (rates on departure sites) or 'fick' for (D u_x)_x "
                             "(rates on bonds)")
        object.__setattr__(self, "diffusion", diff)
        object.__setattr__(self, "source", sp.sympify(self.source))
        object.__setattr__(self, "drift", tuple(sp.sympify(b) for b in self.drift))
        for e in self._exprs():  # a generic f(u) is fine in a law; nan, I, 10**400 are not
            check_expression(e, f"law {self.name!r}" if self.name else "the law",
                             allow_undefined=True)
        check_name(self.name, "law name")
        if self.form == "conservation":
            self._check_flux_depends_on_fields()
        known = set(fields) | set(coords) | {self.t}
        free = set().union(*[sp.sympify(e).free_symbols for e in self._exprs()]) - known
        params = tuple(self.params) or tuple(sorted(free, key=lambda s: s.name))
        undefined = free - set(params)
        if undefined:
            raise ModelError(f"undefined symbols {sorted(map(str, undefined))} in law "
                             f"{self.name or ''}: list them in params=")
        object.__setattr__(self, "params", params)

    def _exprs(self) -> list[Any]:
        out: list[Any] = [*self.flux, self.source, *self.drift]
        if self.diffusion is not None:
            out.append(self.diffusion)
        return out

    def _check_flux_depends_on_fields(self) -> None:
        for f in self.flux:
            if isinstance(f, sp.Basic) and f.free_symbols and \
                    not f.free_symbols & set(self.fields) and f != 0:
                raise ModelError(f"flux {f} is not a function of the field(s) {self.fields}: "
                                 "write it in terms of the field symbols (a*u, not a)")

    @property
    def dim(self) -> int:
        return len(self.coords)

    @property
    def is_scalar(self) -> bool:
        return len(self.fields) == 1

    def flux_derivative(self, axis: int = 0) -> Any:
        """f'(u) (scalar) or the flux Jacobian (system) along ``axis``."""
        f = self.flux[axis]
        if self.is_scalar:
            return sp.diff(f, self.fields[0])
        return sp.ImmutableMatrix(f).jacobian(sp.Matrix(self.fields))

    # ------------------------------------------------------------------ as a PDE
    def pde(self) -> sp.Eq:
        """The law as a SymPy equation in functions u(x, t) (scalar laws)."""
        if not self.is_scalar:
            raise ModelError("Law.pde() is for scalar laws; systems: use .flux and .source")
        u = sp.Function(self.fields[0].name)(*self.coords, self.t)
        sub = {self.fields[0]: u}
        rhs = sp.sympify(self.source).subs(sub)
        lhs = sp.Derivative(u, self.t)
        for i, xi in enumerate(self.coords):
            if self.form == "conservation" and self.flux[i] != 0:
                lhs += sp.Derivative(self.flux[i].subs(sub), xi)
            if self.form == "backward" and self.drift and self.drift[i] != 0:
                rhs += self.drift[i] * sp.Derivative(u, xi)
        D = self.diffusion
        for i, xi in enumerate(self.coords):
            for j, xj in enumerate(self.coords):
                dij = D[i, j].subs(sub) if D is not None else 0
                if dij == 0:
                    continue
                if self.form == "backward":
                    rhs += dij * sp.Derivative(u, xi, xj)
                elif self.diffusion_form == "ito":
                    rhs += sp.Derivative(dij * u, xi, xj)
                else:
                    rhs += sp.Derivative(dij * sp.Derivative(u, xj), xi)
        return sp.Eq(lhs, rhs, evaluate=False)

    def describe(self) -> str:
        form = {"conservation": "conservation (divergence) form",
                "backward": "backward Kolmogorov (non-divergence) form"}[self.form]
        dif = f", diffusion in {self.diffusion_form.capitalize()} form" \
            if self.diffusion_form != "none" and self.is_scalar else ""
        try:
            eq = render.text(self.pde())
        except ModelError:
            eq = f"fields {self.fields}, flux {self.flux}"
        return f"`{eq}` ({form}{dif})"

    def latex(self) -> str:
        try:
            return f"${render.latex_math(self.pde())}$ ({self.form} form)"
        except ModelError:
            return f"fields ${sp.latex(self.fields)}$, flux ${sp.latex(self.flux)}$"

    def __str__(self) -> str:
        return self.describe()

    def to_data(self) -> dict[str, Any]:
        return {k: serialize.to_data(getattr(self, k)) for k in
                ("fields", "flux", "diffusion", "diffusion_form", "source", "drift", "form",
                 "coords", "params", "name", "t")}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> Law:
        # each field checked against its type hint before the constructor parses anything
        return serialize.decode_dataclass(cls, d)  # type: ignore[no-any-return]

    @property
    def hash(self) -> str:
        return serialize.stable_hash(self.to_data())


def scalar_law(u: sp.Symbol, flux: Any = 0, diffusion: Any = None, diffusion_form: str = "none",
               source: Any = 0, **kw: Any) -> Law:
    """Shorthand for a scalar conservation law ``u_t + f(u)_x = (diffusion) + s``.

    Without ``diffusion_form`` a constant diffusion coefficient takes the Fick form (the two
    forms coincide for it); one that depends on u or on the position must state its form, which
    is refused rather than guessed: (D u)_xx and (D u_x)_x are different laws.
    """
    if diffusion is not None and diffusion_form == "none":
        D = sp.Matrix(diffusion) if isinstance(diffusion, (list, tuple, sp.MatrixBase)) else \
            sp.sympify(diffusion)
        depends = sorted(map(str, D.free_symbols & {u, *COORDS}))
        if depends:
            raise ModelError(f"diffusion {diffusion} depends on {', '.join(depends)}: state its "
                             "form, diffusion_form='ito' for (D u)_xx (rates on departure sites) "
                             "or 'fick' for (D u_x)_x (rates on bonds); they are different laws "
                             "when D varies")
        diffusion_form = "fick"
    return Law((u,), flux if isinstance(flux, tuple) else (flux,), diffusion, diffusion_form,
               source, **kw)


