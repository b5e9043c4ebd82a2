"""Taylor expansion of lattice updates in jet space, and Warming-Hyett elimination of time
derivatives.

Smooth fields are represented by their jets: the symbols ``u, u_x, u_xx, u_xy, ...`` stand for
``u`` and its spatial derivatives at the point ``x``. A read ``u[k]`` becomes the truncated Taylor
polynomial ``sum_beta eps^|beta| (k h)^beta / beta! u_beta``; the bookkeeping symbol ``eps``
counts spatial derivatives, so truncating in ``eps`` orders the modified equation by derivative
order (the classical ordering: terms of degree ``m`` are ``O(h^(m-1))`` when ``dt ~ h``).

The update relation ``u(t + dt) = R[u]`` reads ``sum_{m>=1} dt^(m-1)/m! d_t^m u = (R - u)/dt``.
Warming-Hyett: replace ``d_t^m u`` by total time derivatives of the current ``u_t = F[u]`` and
iterate; each pass fixes one more degree. This works for variable coefficients, systems of
terms nonlinear in the jets (conservative schemes, expanded around smooth ``u``) and is the route
the cumulants cannot take (they miss terms such as ``(dt/2)(a a_x u)_x``).

Implicit and multistep schemes (:func:`expand_relation`,
:func:`eliminate_time_derivatives_in_relation`): the relation ``Phi(reads) = 0`` with each read
``u[k, l]`` expanded as ``u(x + k h, t + l dt)`` in space-time jets ``u_t, u_xt, ...``; every
``d_x^beta d_t^n u`` is then replaced by ``D^beta D_t^n u`` computed from ``u_t = F``, degree by
degree.
"""

from __future__ import annotations

import math
from typing import Any

import sympy as sp

from mcgen.errors import AnalysisError
from mcgen.model.read import Read, reads_of

EPS = sp.Symbol("epsilon", positive=True)  # bookkeeping: one power per spatial derivative

MultiIndex = tuple[int, ...]
Series = dict[int, sp.Expr]


class JetSpace:
    """Jet symbols of one scalar field over given coordinates."""

    def __init__(self, field: str, coords: tuple[sp.Symbol, ...], t: sp.Symbol | None = None
                 ) -> None:
        self.field = field
        self.coords = tuple(coords)
        self.t = t
        self._syms: dict[MultiIndex, sp.Symbol] = {}
        self._alpha: dict[sp.Symbol, MultiIndex] = {}

    @property
    def dim(self) -> int:
        return len(self.coords)

    def sym(self, alpha: MultiIndex) -> sp.Symbol:
        """The jet symbol of ``d^alpha u`` (``u`` itself for alpha = 0)."""
        alpha = tuple(alpha)
        if alpha not in self._syms:
            suffix = "".join(c.name * a for c, a in zip(self.coords, alpha, strict=False))
            s = sp.Symbol(f"{self.field}_{suffix}" if suffix else self.field, real=True)
            self._syms[alpha] = s
            self._alpha[s] = alpha
        return self._syms[alpha]

    @property
    def u(self) -> sp.Symbol:
        return self.sym((0,) * self.dim)

    def alpha_of(self, s: sp.Basic) -> MultiIndex | None:
        """The multi-index of a jet symbol (also one made by another JetSpace of the same
        field and coordinates), None for any other symbol."""
        if s in self._alpha:
            return self._alpha[s]  # type: ignore[index]
        if not isinstance(s, sp.Symbol) or s.is_real is not True:
            return None
        name = s.name
        if name == self.field:
            return self.alpha_of(self.sym((0,) * self.dim))
        if not name.startswith(self.field + "_"):
            return None
        rest, alpha = name[len(self.field) + 1:], [0] * self.dim
        names = sorted(((c.name, i) for i, c in enumerate(self.coords)), key=lambda p: -len(p[0]))
        while rest:
            hit = next(((n, i) for n, i in names if rest.startswith(n)), None)
            if hit is None:
                return None
            alpha[hit[1]] += 1
            rest = rest[len(hit[0]):]
        a = tuple(alpha)
        return a if self.sym(a) == s else None

    def jets_in(self, expr: sp.Expr) -> list[tuple[MultiIndex, sp.Symbol]]:
        found = [(self.alpha_of(s), s) for s in expr.free_symbols]
        return sorted(((a, s) for a, s in found if a is not None),  # type: ignore[misc]
                      key=lambda p: (sum(p[0]), p[0]))

    def total_derivative(self, expr: sp.Expr, axis: int) -> sp.Expr:
        """``D_i expr``: explicit x-dependence plus the chain rule through the jets."""
        out = sp.diff(expr, self.coords[axis])
        for a, s in self.jets_in(expr):
            b = tuple(ai + (1 if i == axis else 0) for i, ai in enumerate(a))
            out += sp.diff(expr, s) * self.sym(b)
        return out

    def derivative(self, expr: sp.Expr, alpha: MultiIndex) -> sp.Expr:
        for i, ai in enumerate(alpha):
            for _ in range(ai):
                expr = self.total_derivative(expr, i)
        return expr

    def to_functions(self, expr: sp.Expr) -> sp.Expr:
        """Replace jets by derivatives of ``u(x, ..., t)`` (for display as a PDE)."""
        args = (*self.coords, self.t) if self.t is not None else self.coords
        fn = sp.Function(self.field)(*args)
        subs = {}
        for a, s in self.jets_in(expr):
            pairs = [(c, ai) for c, ai in zip(self.coords, a, strict=False) if ai]
            subs[s] = sp.Derivative(fn, *pairs) if pairs else fn
        return expr.xreplace(subs)


# ---------------------------------------------------------------------------- series in eps


def _degree(e: sp.Expr) -> int | None:
    if e == 1:
        return 0
    if e == EPS:
        return 1
    if e.is_Pow and e.base == EPS and e.exp.is_Integer and e.exp > 0:
        return int(e.exp)
    return None


def split(expr: sp.Expr, order: int) -> Series:
    """``{degree: coefficient}`` of a polynomial in ``EPS``, truncated at ``order``."""
    out: Series = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        c, e = term.as_independent(EPS, as_Add=False)
        deg = _degree(e)
        if deg is None:
            raise AnalysisError(f"term {term} is not polynomial in the expansion parameter")
        if deg <= order:
            out[deg] = out.get(deg, sp.S.Zero) + c
    return {d: v for d, v in out.items() if v != 0}


def join(series: Series, eps: sp.Expr = EPS) -> sp.Expr:
    return sp.Add(*[v * eps ** d for d, v in sorted(series.items())])


def truncate(expr: sp.Expr, order: int) -> sp.Expr:
    """Drop the terms of degree above ``order`` in ``EPS`` (series when not polynomial)."""
    try:
        return join(split(expr, order))
    except AnalysisError:
        ser = sp.series(expr, EPS, 0, order + 1).removeO()
        return join(split(ser, order))


def algebraic_parts(expr: Any) -> Any:
    """Rewrite ``Max(v, 0)`` as ``(v + |v|)/2`` and ``Min(v, 0)`` as ``(v - |v|)/2``, so that
    ``v^+ - v^- = v`` and ``v^+ + v^- = |v|`` cancel algebraically (sign-split schemes,
    upwind chains)."""
    def is_part(e: sp.Basic) -> bool:
        return isinstance(e, (sp.Max, sp.Min)) and len(e.args) == 2 and sp.S.Zero in e.args

    def rewrite(e: sp.Basic) -> sp.Expr:
        v = e.args[0] if e.args[1] == 0 else e.args[1]
        return (v + sp.Abs(v)) / 2 if isinstance(e, sp.Max) else (v - sp.Abs(v)) / 2

    return sp.sympify(expr).replace(is_part, rewrite)


# ---------------------------------------------------------------------------- expansions


def read_taylor(jets: JetSpace, offset: MultiIndex, h: tuple[sp.Expr, ...], order: int
                ) -> sp.Expr:
    """``u(x + k h)`` as ``sum_{|beta| <= order} eps^|beta| (k h)^beta / beta! u_beta``."""
    from mcgen.analysis.cumulants import factorial, multi_indices
    out = jets.u
    for beta in multi_indices(jets.dim, order):
        c = sp.Mul(*[(k * hi) ** b for k, hi, b in zip(offset, h, beta, strict=False)])
        if c != 0:
            out += EPS ** sum(beta) * c / factorial(beta) * jets.sym(beta)
    return out


def shifted_taylor(jets: JetSpace, expr: sp.Expr, shift: tuple[sp.Expr, ...], order: int
                   ) -> sp.Expr:
    """``g(x + s)`` for ``g`` an expression in x and the jets, truncated at ``order``."""
    from mcgen.analysis.cumulants import factorial, multi_indices
    out = expr
    for beta in multi_indices(jets.dim, order):
        c = sp.Mul(*[si ** b for si, b in zip(shift, beta, strict=False)])
        if c != 0:
            out += EPS ** sum(beta) * c / factorial(beta) * jets.derivative(expr, beta)
    return out


def expand_update(jets: JetSpace, update: sp.Expr, h: tuple[sp.Expr, ...], order: int
                  ) -> sp.Expr:
    """The update with each read of ``jets.field`` replaced by its Taylor polynomial, truncated
    (sign symbols of non-smooth updates, see :func:`expand_update_with_signs`, left in)."""
    return expand_update_with_signs(jets, update, h, order)[0]


def expand_update_with_signs(jets: JetSpace, update: sp.Expr, h: tuple[sp.Expr, ...],
                             order: int) -> tuple[sp.Expr, dict[sp.Symbol, sp.Expr]]:
    """Taylor-expand an update about a smooth field, truncated at ``order``.

    Coefficients evaluated off the centre are expanded too; reads at other time levels are
    refused (multistep schemes need their own analysis). Non-smooth updates (``Abs``, ``Max``,
    ``Min``: Rusanov, Godunov, Engquist-Osher, Roe) are expanded where they are smooth:
    ``Max(a, b) = (a + b + |a - b|)/2`` and ``|e| = s e`` with ``s = sign`` of the leading
    term of ``e`` held constant (a fresh symbol, returned with its meaning). The expansion is
    then valid away from the points where a leading term changes sign (sonic points, extrema).
    """
    rds = reads_of(update)
    if any(r.level != 0 for r in rds):
        raise AnalysisError("expand_update handles two-level explicit updates only; this "
                            "update reads other time levels: expand the scheme relation with "
                            "expand_relation (modified_equation does so for such schemes)")
    if any(r.field != jets.field for r in rds):
        raise AnalysisError("the Taylor route here is for scalar updates: reads of fields "
                            f"{sorted({r.field for r in rds})} found")
    if update.has(sp.Piecewise):
        raise AnalysisError("the update contains Piecewise: substitute the branch that applies "
                            "before asking for its modified equation")
    expr = _abs_form(update)
    if not expr.has(sp.Abs) and not expr.is_polynomial(*rds):
        expr = sp.cancel(expr)  # rational updates (Roe speeds): remove removable 0/0 first
    expr = _shifted_coefficients(jets, expr, order)
    subs = {r: read_taylor(jets, r.offset, h, order) for r in rds}
    signs: dict[sp.Symbol, sp.Expr] = {}
    expr = _resolve_abs(expr.xreplace(subs), order, signs, jets)
    return _reduce_signs(truncate(expr, order), signs), signs


def _abs_form(expr: sp.Expr) -> sp.Expr:
    """Max/Min of two arguments as (a + b +- |a - b|)/2; sign(e) as e/|e| is not needed."""
    def fold(e: sp.Basic) -> sp.Expr:
        args = list(e.args)
        acc = args[0]
        for b in args[1:]:
            acc = (acc + b + (1 if isinstance(e, sp.Max) else -1)
                   * sp.Abs(acc - b, evaluate=False)) / 2
        return acc

    return expr.replace(lambda e: isinstance(e, (sp.Max, sp.Min)), fold)


def _resolve_abs(expr: sp.Expr, order: int, signs: dict[sp.Symbol, sp.Expr],
                 jets: JetSpace) -> sp.Expr:
    def smooth(e: sp.Expr) -> bool:  # no field in it: |e| stays as it is (a parameter)
        return not e.has(EPS) and not jets.jets_in(e)

    if not expr.has(sp.Abs) or smooth(expr):
        return expr
    if isinstance(expr, sp.Abs):
        inner = _resolve_abs(expr.args[0], order, signs, jets)
        if smooth(inner):
            return sp.Abs(inner)
        ser = {d: _reduce_signs(v, signs) for d, v in split(sp.expand(inner), order).items()}
        lead = next((ser[d] for d in sorted(ser) if sp.cancel(ser[d]) != 0), None)
        if lead is None:
            return sp.S.Zero
        known, rest = _split_sign(lead, signs)
        if rest == 1:
            return known * join(ser)
        meaning = sp.sign(rest)
        if meaning.is_number:
            return known * meaning * join(ser)
        ser = {d: _reduce_signs(known * v, signs) for d, v in ser.items()}  # |e| = |known e|
        sym = next((k for k, v in signs.items() if v == meaning), None)
        opposite = next((k for k, v in signs.items() if v == -meaning), None)
        if sym is None and opposite is not None:
            return -opposite * join(ser)
        if sym is None:
            sym = sp.Symbol(f"s_{len(signs) + 1}", real=True)
            signs[sym] = meaning
        return sym * join(ser)
    return expr.func(*[_resolve_abs(a, order, signs, jets) for a in expr.args])


def _split_sign(lead: sp.Expr, signs: dict[sp.Symbol, sp.Expr]) -> tuple[sp.Expr, sp.Expr]:
    """``lead = known * rest`` with ``known`` the sign factors we can name (numbers, sign
    symbols, even powers of real quantities, which are positive where they do not vanish)."""
    known, rest = sp.S.One, sp.S.One
    for f in sp.Mul.make_args(sp.factor(lead)):
        base, exp = f.as_base_exp()
        if f.is_number:
            known *= sp.sign(f)
        elif base in signs and exp.is_Integer:
            known *= base ** (int(exp) % 2)
        elif exp.is_Integer and int(exp) % 2 == 0 and base.is_real:
            continue
        elif f.is_positive:
            continue
        else:
            rest *= f
    return known, rest


def _reduce_signs(expr: sp.Expr, signs: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    """``s^2 = 1`` for the sign symbols (the leading terms they stand for do not vanish)."""
    if not signs:
        return expr
    expr = sp.expand(expr)
    return expr.replace(lambda e: e.is_Pow and e.base in signs and e.exp.is_Integer,
                        lambda e: e.base ** (int(e.exp) % 2))


def _shifted_coefficients(jets: JetSpace, expr: sp.Expr, order: int) -> sp.Expr:
    """Coefficients evaluated off the centre (``a(x - dx)``, ``a(x + dx/2)``) become Taylor
    polynomials about x, so that they are ordered with the reads (conservative schemes)."""
    coords = set(jets.coords)
    subs = {}
    for f in expr.atoms(sp.Function):
        if isinstance(f, Read) or not f.args or reads_of(f) or \
                not any(arg.free_symbols & coords for arg in f.args):
            continue
        args = f.args
        if len(args) == 1 and jets.dim == 1:
            pairs = [(args[0], jets.coords[0])]
        elif len(args) == jets.dim:
            pairs = list(zip(args, jets.coords, strict=False))
        else:
            continue
        shift = tuple(sp.expand(arg - c) for arg, c in pairs)
        if any(d.free_symbols & coords for d in shift) or all(d == 0 for d in shift):
            continue
        centred = f.func(*[c for _, c in pairs])
        subs[f] = shifted_taylor(jets, centred, shift, order)
    return expr.xreplace(subs) if subs else expr


# ---------------------------------------------------------------------------- elimination


def eliminate_time_derivatives(jets: JetSpace, increment: sp.Expr, dt: sp.Expr, order: int
                               ) -> tuple[sp.Expr, dict[int, sp.Expr]]:
    """Solve ``sum_{m=1}^{order} dt^(m-1)/m! d_t^m u = increment`` for ``u_t`` to degree ``order``.

    ``increment`` is ``(R[u] - u)/dt`` as a polynomial in ``EPS`` without a degree-0 term (an
    update that reproduces constants). Graded elimination: the degree-``d`` part of
    ``d_t^m u`` involves only the parts of ``u_t`` of degree ``< d``, so ``u_t`` is built degree
    by degree. Returns ``F`` (``u_t = F``, a polynomial in ``EPS``) and ``{m: d_t^m u}`` for
    ``m = 2..order``, both truncated at ``order``.
    """
    if jets.t is not None and increment.has(jets.t):
        raise AnalysisError("coefficients depend on time explicitly: the graded elimination "
                            "assumes time-independent coefficients (freeze t first)")
    base = split(increment, order)
    if 0 in base and sp.cancel(base[0]) != 0:
        raise AnalysisError(f"the update does not reproduce constants: (R[u] - u)/dt has the "
                            f"zeroth-order part {base.pop(0)}, so time derivatives cannot be "
                            "eliminated order by order (weights must sum to one)")
    base.pop(0, None)
    f: Series = {}
    tm: dict[int, Series] = {1: f}  # tm[m][d]: degree-d part of d_t^m u
    dcache: dict[tuple[MultiIndex, int], sp.Expr] = {}

    def dF(a: MultiIndex, d: int) -> sp.Expr:  # D^a of the degree-d part of F
        if (a, d) not in dcache:
            dcache[(a, d)] = sp.expand(jets.derivative(f.get(d, sp.S.Zero), a))
        return dcache[(a, d)]

    def part(m: int, d: int) -> sp.Expr:  # degree-d part of d_t^m u (m >= 2), memoised
        ser = tm.setdefault(m, {})
        if d not in ser:
            out = sp.S.Zero
            for e in range(m - 1, d):
                prev = f.get(e, sp.S.Zero) if m == 2 else part(m - 1, e)
                for a, s in jets.jets_in(prev):
                    out += sp.diff(prev, s) * dF(a, d - e)
            ser[d] = sp.expand(out)
        return ser[d]

    for d in range(1, order + 1):
        val = base.get(d, sp.S.Zero)
        for m in range(2, d + 1):
            val -= dt ** (m - 1) / math.factorial(m) * part(m, d)
        f[d] = sp.expand(val)
    tds = {m: join({d: part(m, d) for d in range(m, order + 1)}) for m in range(2, order + 1)}
    return join(f), tds


def collect_linear(jets: JetSpace, expr: sp.Expr) -> dict[MultiIndex, sp.Expr] | None:
    """``{alpha: c_alpha}`` when ``expr = sum c_alpha u_alpha`` is linear in the jets, else None."""
    expr = sp.expand(expr)
    syms = [s for _, s in jets.jets_in(expr)]
    if not syms:
        return {} if expr == 0 else None
    try:
        poly = sp.Poly(expr, *syms)
    except sp.PolynomialError:
        return None
    if poly.total_degree() > 1 or poly.coeff_monomial(1) != 0:
        return None
    out = {}
    for s in syms:
        c = poly.coeff_monomial(s)
        if c != 0:
            out[jets.alpha_of(s)] = c
    return out  # type: ignore[return-value]


def law_rhs_jets(law: Any, jets: JetSpace) -> sp.Expr:
    """``G`` in ``u_t = G[u]`` for a scalar :class:`~mcgen.model.Law`, written in jets.

    Conservation form: ``-div f(u) + diffusion (Ito: d_i d_j (D_ij u), Fick: d_i (D_ij d_j u))
    + s``; backward form: ``b . grad u + D : Hess u + s``.
    """
    if not law.is_scalar:
        raise AnalysisError("law_rhs_jets is for scalar laws")
    if tuple(law.coords) != tuple(jets.coords):
        raise AnalysisError(f"law coordinates {law.coords} differ from the scheme's "
                            f"{jets.coords}: declare both with the same symbols")
    u = jets.u
    sub = {law.fields[0]: u}
    out = sp.sympify(law.source).xreplace(sub)
    dim = jets.dim
    e = [tuple(1 if j == i else 0 for j in range(dim)) for i in range(dim)]
    if law.form == "conservation":
        for i in range(dim):
            out -= jets.total_derivative(sp.sympify(law.flux[i]).xreplace(sub), i)
    else:
        for i, b in enumerate(law.drift):
            out += b.xreplace(sub) * jets.sym(e[i])
    dmat = law.diffusion
    if dmat is not None:
        for i in range(dim):
            for j in range(dim):
                dij = dmat[i, j].xreplace(sub)
                if dij == 0:
                    continue
                if law.form == "backward":
                    out += dij * jets.sym(tuple(a + b for a, b in zip(e[i], e[j], strict=False)))
                elif law.diffusion_form == "ito":
                    out += jets.total_derivative(jets.total_derivative(dij * u, j), i)
                else:
                    out += jets.total_derivative(dij * jets.sym(e[j]), i)
    return sp.expand(out)


# ---------------------------------------------------------------------------- multistep, implicit


def space_time_jets(jets: JetSpace) -> JetSpace:
    """Jets in space and time: ``u_t, u_xt, u_tt, ...`` (the last index counts d_t). Purely
    spatial ones are the very symbols of ``jets`` (same names and assumptions)."""
    if jets.t is None:
        raise AnalysisError("a JetSpace with its time symbol t is needed to expand reads at "
                            "other time levels")
    return JetSpace(jets.field, (*jets.coords, jets.t))


def expand_relation(jets: JetSpace, relation: sp.Expr, h: tuple[sp.Expr, ...], dt: sp.Expr,
                    order: int) -> sp.Expr:
    """Taylor-expand a scheme relation ``Phi(reads) = 0`` whose reads lie at any time levels.

    Each read ``u[k, l]`` becomes ``u(x + k h, t + l dt)``, the Taylor polynomial
    ``sum eps^(|beta| + n) (k h)^beta (l dt)^n / (beta! n!) d_x^beta d_t^n u`` in the jets of
    :func:`space_time_jets`, truncated at total derivative order ``order`` (a time derivative
    counts one: after elimination it carries at least one spatial derivative, so nothing of
    degree ``<= order`` is lost). Coefficients evaluated off the centre are expanded too.
    """
    rds = reads_of(relation)
    if any(r.field != jets.field for r in rds):
        raise AnalysisError("the multistep/implicit Taylor route is for scalar relations: reads "
                            f"of fields {sorted({r.field for r in rds})} found")
    if relation.has(sp.Piecewise, sp.Abs, sp.Max, sp.Min, sp.sign):
        raise AnalysisError("the multistep/implicit Taylor route expands smooth relations only: "
                            "the relation contains Piecewise/Abs/Max/Min; substitute the branch "
                            "that applies (e.g. a known sign of the speed) first")
    expr = relation
    if not expr.is_polynomial(*rds):
        expr = sp.cancel(expr)
    expr = _shifted_coefficients(jets, expr, order)
    mixed = space_time_jets(jets)
    subs = {r: read_taylor(mixed, (*r.offset, r.level), (*h, dt), order) for r in rds}
    return truncate(expr.xreplace(subs), order)


class _TimeDerivatives:
    """Degree parts of ``d_x^beta d_t^n u`` for ``u_t = F`` given by its degree parts ``f``
    (time-independent coefficients); memoised, so ``f`` may only grow."""

    def __init__(self, jets: JetSpace, f: Series) -> None:
        self.jets, self.f = jets, f
        self._t: dict[tuple[int, int], sp.Expr] = {}
        self._d: dict[tuple[MultiIndex, int, int], sp.Expr] = {}

    def dF(self, a: MultiIndex, d: int) -> sp.Expr:
        return self.spatial(a, 1, d)

    def part(self, n: int, e: int) -> sp.Expr:
        """Degree-``e`` part of ``d_t^n u`` (needs ``f`` up to degree ``e - n + 1``)."""
        if n == 1:
            return self.f.get(e, sp.S.Zero)
        if (n, e) not in self._t:
            if any(k not in self.f for k in range(1, e - n + 2)):
                raise AnalysisError(f"internal: d_t^{n} u at degree {e} asked for before F is "
                                    f"known to degree {e - n + 1}")
            out = sp.S.Zero
            for e1 in range(n - 1, e):
                prev = self.part(n - 1, e1)
                for a, s in self.jets.jets_in(prev):
                    out += sp.diff(prev, s) * self.dF(a, e - e1)
            self._t[(n, e)] = sp.expand(out)
        return self._t[(n, e)]

    def spatial(self, beta: MultiIndex, n: int, e: int) -> sp.Expr:
        """``D^beta`` of the degree-``e`` part of ``d_t^n u``."""
        if n == 1 and e not in self.f:
            return sp.S.Zero  # not known yet (the unknown of the current degree)
        key = (tuple(beta), n, e)
        if key not in self._d:
            self._d[key] = sp.expand(self.jets.derivative(self.part(n, e), beta))
        return self._d[key]


def eliminate_time_derivatives_in_relation(jets: JetSpace, residual: sp.Expr, order: int
                                           ) -> tuple[sp.Expr, sp.Expr, dict[sp.Symbol, sp.Expr]]:
    """Solve the expanded scheme relation ``E = 0`` for ``u_t = F`` to degree ``order``.

    ``residual`` is :func:`expand_relation` (divided by dt) in space-time jets. Warming-Hyett,
    graded: every ``d_x^beta d_t^n u`` is replaced by ``D^beta D_t^n u`` computed from the
    current ``F``; the degree-``d`` part of ``E`` then reads ``c F_d + (known)``, where ``c``
    is the coefficient of ``u_t`` in the degree-one part of ``E`` (1 for a two-level scheme
    divided by dt, 2 for leapfrog), because ``F_d`` reaches degree ``d`` only through ``u_t``.

    Returns ``F`` (polynomial in ``EPS``), ``c`` and the substitution ``{time jet: series}``
    with which ``E`` vanishes to degree ``order`` (for the proof step).
    """
    mixed = space_time_jets(jets)
    dim = jets.dim
    base = split(residual, order)
    if 0 in base and sp.cancel(base[0]) != 0:
        raise AnalysisError(f"the scheme relation does not hold for constants: its zeroth-order "
                            f"part is {base[0]}, so time derivatives cannot be eliminated order "
                            "by order (check the weights)")
    base.pop(0, None)
    ut = mixed.sym((0,) * dim + (1,))
    timed = {s: a for a, s in mixed.jets_in(residual) if a[-1] > 0}
    c = sp.cancel(split(sp.diff(residual, ut), 1).get(1, sp.S.Zero)) if ut in timed else sp.S.Zero
    if c == 0 or any(s in timed for s in c.free_symbols):
        raise AnalysisError(f"the scheme relation has u_t coefficient {c} at leading order: it "
                            "does not determine u_t (not a consistent evolution scheme)")
    f: Series = {}
    td = _TimeDerivatives(jets, f)

    def substituted(expr: sp.Expr, extra: int) -> sp.Expr:
        # each time jet d_x^beta d_t^n u (carrying eps^(|beta|+n)) -> sum_e eps^(e-n) D^beta T_ne
        subs = {}
        for s, a in timed.items():
            if s not in expr.free_symbols:
                continue
            beta, n = a[:-1], a[-1]
            subs[s] = sp.Add(*[EPS ** (e - n) * td.spatial(beta, n, e)
                               for e in range(n, n + extra + 1)])
        return expr.xreplace(subs)

    for d in range(1, order + 1):
        known = sp.S.Zero
        for j, ej in base.items():
            if j <= d:
                part = sp.expand(substituted(ej, d - j))
                if part != 0:
                    known += split(part, d - j).get(d - j, sp.S.Zero)
        f[d] = sp.expand(-known / c) if c.is_number else sp.expand(sp.cancel(-known / c))
    full = {}
    for s, a in timed.items():
        beta, n = a[:-1], a[-1]
        full[s] = sp.Add(*[EPS ** (e - n) * td.spatial(beta, n, e)
                           for e in range(n, order - sum(beta) + 1)])
    return join(f), c, full
