"""The flux split of a scheme's update: u^(n+1) = direct terms + sum_d [G_d(j) - G_d(j + e_d)].

A conservative update telescopes: its interface quantities G (lambda times a numerical flux,
or a linear flux) are what a reflecting wall of a density sets to zero. The split is a fact
about the model, so it lives here; the stencil front-end evaluates each G once per interface
(a scratch array) and the NumPy reference takes the wall flux back out of the wall cells, both
from the same split. :func:`check_flux_split` verifies that a split adds up to the update.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.read import Read
from mcgen.model.scheme import Scheme


def shift(e: sp.Basic, axis: int, by: int, coords: tuple[sp.Symbol, ...],
          spacing: tuple[sp.Symbol, ...]) -> sp.Basic:
    """``e`` moved ``by`` cells along ``axis``: reads shift and x_axis becomes x + by*dx."""
    step = tuple(by if d == axis else 0 for d in range(len(coords)))
    return _shifted(e, step, tuple(coords), tuple(spacing), {})


def _shifted(e: sp.Basic, by: tuple[int, ...], coords: tuple[sp.Symbol, ...],
             spacing: tuple[sp.Symbol, ...], memo: dict[sp.Basic, sp.Basic]) -> sp.Basic:
    """``e`` with every read moved by ``by`` and x_d by by_d dx_d, each shared subtree rebuilt
    once (``memo``, kept per shift by :func:`interface_quantities`). Max/Min are rebuilt
    without re-evaluation: a shift renames reads, so their arguments stay as distinct as they
    were, and SymPy's pairwise comparison of them (through factor_terms) is what made shifting
    the terms of a two-stage MUSCL update take tens of seconds."""
    if isinstance(e, Read):
        return Read(e.field, tuple(o + k for o, k in zip(e.offset, by, strict=False)), e.level)
    if e.is_Symbol:
        d = coords.index(e) if e in coords else -1
        return e + by[d] * spacing[d] if d >= 0 and by[d] else e
    if not e.args:
        return e
    if e in memo:
        return memo[e]
    args = tuple(_shifted(a, by, coords, spacing, memo) for a in e.args)
    out = e if args == e.args else e.func(*args, evaluate=False) \
        if isinstance(e, (sp.Max, sp.Min)) else e.func(*args)
    memo[e] = out
    return out


def rename(e: sp.Basic, sub: dict[sp.Basic, sp.Basic]) -> sp.Basic:
    """``e.xreplace(sub)`` that rebuilds Max/Min without re-evaluating them (each shared
    subtree once): putting distinct face values into a numerical flux's Max/Min keeps their
    arguments distinct, and evaluating Max/Min of large arguments is slow."""
    memo: dict[sp.Basic, sp.Basic] = {}

    def go(x: sp.Basic) -> sp.Basic:
        if x in sub:
            return sub[x]
        if not x.args or isinstance(x, Read):
            return x
        if x not in memo:
            args = tuple(go(a) for a in x.args)
            memo[x] = x if args == x.args else x.func(*args, evaluate=False) \
                if isinstance(x, (sp.Max, sp.Min)) else x.func(*args)
        return memo[x]
    return go(e)


def _reads(e: sp.Basic) -> set[Read]:
    """The reads of ``e``, each shared subtree visited once (``free_symbols`` walks the
    expression as a tree: exponential in the stages of a high-resolution update)."""
    out: set[Read] = set()
    seen: set[sp.Basic] = set()
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, Read):
            out.add(x)
            continue
        for a in x.args:
            if a not in seen:
                seen.add(a)
                stack.append(a)
    return out


#: the piecewise parts an expansion keeps whole (their arguments are expanded on their own)
PIECEWISE_PARTS = (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Piecewise, sp.Heaviside)
#: above this many terms (estimated before expanding) products and powers of sums are only
#: distributed over sums, not multiplied out
FULL_EXPANSION_TERMS = 200


def expand_terms(e: sp.Expr, full: bool | None = None) -> sp.Expr:
    """``sp.expand(e)`` for the flux split, without its blow-up on high-resolution updates.

    An expression whose expansion has at most :data:`FULL_EXPANSION_TERMS` terms (an upper
    bound from the multinomial counts, computed first over the shared subtrees) is expanded
    by ``sp.expand`` with its Max/Min/Abs/sign/Piecewise/Heaviside parts kept whole, each
    expanded inside on its own: every stencil, Rusanov or Godunov update expands as before.
    A larger one, such as a limited two-stage update whose second stage squares a sum of the
    first stage's limited fluxes, is only distributed over its sums (products with a sum
    become sums of products; powers of sums and the piecewise parts stay as they are), each
    shared subtree once: the telescoping differences F(j) - F(j - 1) the split looks for
    appear at that level already, and multiplying out the squares, and the Max arguments
    inside them, is what took minutes.

    The result depends on the structure of ``e`` alone, so an expression and its shift
    expand alike. ``full`` decides the outermost level instead of the estimate
    (:func:`check_flux_split` expands the split parts the way the update was expanded).
    """
    if full is None:
        full = expands_fully(e)
    if not full:
        return sp.Add(*_distributed(e, {}))
    parts: dict[sp.Basic, sp.Dummy] = {}
    out = sp.expand(_strip(e, parts, {}))
    return out.xreplace({d: p for p, d in parts.items()}) if parts else out


def expands_fully(e: sp.Expr) -> bool:
    """Whether :func:`expand_terms` multiplies ``e`` out (it has few enough terms)."""
    return _term_estimate(e, {}) <= FULL_EXPANSION_TERMS


def _strip(e: sp.Basic, parts: dict[sp.Basic, sp.Dummy], seen: dict[sp.Basic, sp.Basic]
           ) -> sp.Basic:
    """``e`` with each outermost piecewise part, its arguments expanded by
    :func:`expand_terms`, replaced by a Dummy (with the part's assumptions: Abs is
    nonnegative, which ``sp.expand`` may use)."""
    if not e.args or isinstance(e, Read):
        return e
    if e in seen:
        return seen[e]
    if isinstance(e, PIECEWISE_PARTS):
        part: sp.Basic
        if isinstance(e, sp.Piecewise):
            part = sp.Piecewise(*[(expand_terms(x), c) for x, c in e.args])
        else:
            args = tuple(expand_terms(a) for a in e.args)
            # not re-evaluated: SymPy compares every pair of Max/Min arguments (through
            # factor_terms) and asks the sign of sign()'s, slow on large arguments; the
            # expanded arguments are equal to the old ones, so nothing is lost
            part = e if args == e.args else e.func(*args, evaluate=False)
        if part not in parts:
            parts[part] = sp.Dummy(f"part{len(parts)}", **part.assumptions0)
        out: sp.Basic = parts[part]
    else:
        args = tuple(_strip(a, parts, seen) for a in e.args)
        out = e if args == e.args else e.func(*args)
    seen[e] = out
    return out


def _distributed(e: sp.Basic, memo: dict[sp.Basic, tuple[sp.Expr, ...]]
                 ) -> tuple[sp.Expr, ...]:
    """The summands of ``e`` with every product distributed over its sums (not into powers
    or function arguments)."""
    if e in memo:
        return memo[e]
    if isinstance(e, sp.Add):
        out: tuple[sp.Expr, ...] = tuple(t for a in e.args for t in _distributed(a, memo))
    elif isinstance(e, sp.Mul):
        prods: list[sp.Expr] = [sp.Integer(1)]
        for a in e.args:
            prods = [p * t for p in prods for t in _distributed(a, memo)]
        out = tuple(prods)
    else:
        out = (e,)
    memo[e] = out
    return out


def _term_estimate(e: sp.Basic, memo: dict[sp.Basic, int]) -> int:
    """An upper bound on the terms of the expansion of ``e`` (its piecewise parts and other
    functions counted as one; capped just above the limit)."""
    if e in memo:
        return memo[e]
    cap = FULL_EXPANSION_TERMS + 1
    if isinstance(e, sp.Add):
        n = sum(_term_estimate(a, memo) for a in e.args)
    elif isinstance(e, sp.Mul):
        n = 1
        for a in e.args:
            n = min(n * _term_estimate(a, memo), cap)
    elif isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
        t = _term_estimate(e.base, memo)
        n = math.comb(t + int(e.exp) - 1, int(e.exp)) if t < cap else cap
    else:
        n = 1
    memo[e] = min(n, cap)
    return memo[e]


#: expressions of more nodes than this are *large*: neither collected into a factored flux
#: nor printed into generated code's comments
LARGE_NODES = 4000


def is_large(e: sp.Basic, limit: int = LARGE_NODES) -> bool:
    """Whether ``e`` has more than ``limit`` nodes (counted up to the limit only: cheap)."""
    for i, _ in enumerate(sp.preorder_traversal(e)):
        if i >= limit:
            return True
    return False


@dataclass
class Interface:
    """G with u_f(j) += G(j) - G(j + e_axis): an interface quantity (lambda times a flux)."""

    field: str
    axis: int
    base: sp.Expr          # G at cell j (the value stored in the scratch array at j)


def shift_all(e: sp.Basic, by: tuple[int, ...], scheme: Scheme,
              memo: dict[tuple[int, ...], dict[sp.Basic, sp.Basic]] | None = None) -> sp.Basic:
    """``e`` moved by ``by`` cells (one entry per axis); ``memo`` keeps the rebuilt subtrees
    of each shift across calls (the terms of one update share most of theirs)."""
    if not any(by):
        return e
    table = {} if memo is None else memo.setdefault(tuple(by), {})
    return _shifted(e, tuple(by), tuple(scheme.coords), tuple(scheme.spacing), table)


def _sums_to_zero(coefs: list[sp.Expr], rounded: bool) -> bool:
    """Whether the coefficients of a translation class add up to zero (a divergence); with
    ``rounded``, float weights that cancel up to a few ulps count too (0.25 + 0.05 - 0.3)."""
    total = sp.cancel(sp.Add(*coefs))
    if total == 0:
        return True
    if not rounded or not total.is_number or not all(c.is_number for c in coefs):
        return False
    scale = sum(abs(float(c)) for c in coefs)
    return abs(float(total)) <= 64 * 2.0**-52 * scale


def interface_quantities(updates: dict[str, sp.Expr], scheme: Scheme, flux_form: bool = False
                         ) -> tuple[dict[str, sp.Expr], list[Interface], dict[sp.Symbol, tuple]]:
    """Split each update into direct terms plus telescoping differences G(j) - G(j + e_d).

    The update is expanded into terms ``c * T(j + s)``; terms that are one read times a constant
    (a linear stencil) stay direct. The other terms are grouped by translation class (T up to a
    shift s); a class whose coefficients sum to zero is a discrete divergence, and
    sum_s c_s T(j+s) = sum_d [G_d(j) - G_d(j + e_d)] with G_d found by cumulative sums along each
    axis (Laurent division by 1 - z_d^{-1}). Each G_d then goes to a scratch array computed once
    per interface, which is what makes a conservative flux F_{j+1/2} evaluated once per step.

    With ``flux_form`` the field's own value u_f(j) is kept apart and the rest of the update,
    linear terms included, is split, so u^(n+1) = u^n + sum_d [G_d(j) - G_d(j + e_d)] + rest
    carries every telescoping part, a linear flux too, in G: a reflecting wall then zeroes G
    there (zero flux through the wall).

    Returns the rewritten updates (with placeholder symbols for scratch reads), the interface
    quantities, and for each placeholder the (quantity index, shift) it stands for.
    """
    shallow = _shallow_split(updates, scheme, flux_form)
    if shallow is not None:
        return shallow
    return _split(updates, scheme, flux_form, expand_terms)


def _distribute_once(e: sp.Expr) -> sp.Expr:
    """``e`` with every product that has exactly one sum among its factors multiplied out,
    recursively into that sum's terms; a product of two or more sums (psi * minmod) stays a
    product (where :func:`expand_terms` distributes it into hundreds of terms)."""
    out: list[sp.Expr] = []
    for term in sp.Add.make_args(e):
        if isinstance(term, sp.Mul):
            sums = [a for a in term.args if isinstance(a, sp.Add)]
            if len(sums) == 1:
                rest = sp.Mul(*[a for a in term.args if a is not sums[0]])
                out += [rest * t for t in sp.Add.make_args(_distribute_once(sums[0]))]
                continue
        out.append(term)
    return sp.Add(*out)


def _shallow_split(updates: dict[str, sp.Expr], scheme: Scheme, flux_form: bool
                   ) -> tuple[dict[str, sp.Expr], list[Interface], dict[sp.Symbol, tuple]] | None:
    """The split of a *large* update in flux form (``u - lam (F(j) - F(j - 1))`` with a long
    F, such as a learned wide-stencil flux) from its top-level terms, products of sums kept
    whole; None when no update is large or a nonlinear term does not telescope at this level.
    Distributing a learned flux of hundreds of hat-basis terms took minutes and gave a sum too
    long for the code printers; the terms of F(j) and -F(j - 1) are already shifted copies of
    each other, which is all the split needs."""
    if not any(is_large(e) for e in updates.values()):
        return None
    out = _split(updates, scheme, flux_form, _distribute_once)
    new, groups, _ = out
    for f in scheme.fields:
        direct = new[f].xreplace({sp.Symbol(f"mcgenflux{k}_{r}", real=True): 0
                                  for k in range(len(groups)) for r in (0, 1)})
        if any(not isinstance(t.as_independent(*_reads(t), as_Add=False)[1], Read)
               for t in sp.Add.make_args(direct) if _reads(t)):
            return None      # a nonlinear term is left over: the expanded split may find more
    return out


def _split(updates: dict[str, sp.Expr], scheme: Scheme, flux_form: bool,
           expand: Callable[[sp.Expr], sp.Expr]
           ) -> tuple[dict[str, sp.Expr], list[Interface], dict[sp.Symbol, tuple]]:
    dim = scheme.dim
    coords = [c for c in scheme.coords]
    groups: list[Interface] = []
    placeholders: dict[sp.Symbol, tuple] = {}
    out: dict[str, sp.Expr] = {}
    shifts: dict[tuple[int, ...], dict[sp.Basic, sp.Basic]] = {}
    for f in scheme.fields:
        direct: list[sp.Expr] = []
        if flux_form:
            own = Read(f, (0,) * dim)
            direct.append(own)
            expanded = expand(updates[f] - own)
        else:
            expanded = expand(updates[f])
        classes: dict[sp.Basic, dict[tuple[int, ...], sp.Expr]] = {}
        order: list[sp.Basic] = []
        for term in sp.Add.make_args(expanded):
            rds = _reads(term)
            if not rds:
                direct.append(term)
                continue
            coef, dep = term.as_independent(*sorted(rds, key=lambda r: r.name), *coords,
                                            as_Add=False)
            if isinstance(dep, Read) and not flux_form:
                direct.append(term)
                continue
            low = tuple(min(r.offset[d] for r in _reads(dep)) for d in range(dim))
            key = shift_all(dep, tuple(-k for k in low), scheme, shifts)
            if key not in classes:
                classes[key] = {}
                order.append(key)
            classes[key][low] = classes[key].get(low, 0) + coef
        g_parts: dict[int, list[sp.Expr]] = {d: [] for d in range(dim)}
        for key in order:
            cs = {s: c for s, c in classes[key].items() if sp.expand(c) != 0}
            if len(cs) < 2 or not _sums_to_zero(list(cs.values()), flux_form):
                direct += [c * shift_all(key, s, scheme, shifts) for s, c in cs.items()]
                continue
            residual = dict(cs)
            for d in range(dim):
                lines: dict[tuple[int, ...], dict[int, sp.Expr]] = {}
                for s, c in residual.items():
                    rest = s[:d] + s[d + 1:]
                    lines.setdefault(rest, {})[s[d]] = c
                if not residual:
                    break
                # project every line onto the s_d most lines share (terms already there stay
                # put, which keeps the fluxes short); one common value per axis makes the last
                # axis a single line, whose sum is the class sum, zero
                counts: dict[int, int] = {}
                for s in residual:
                    counts[s[d]] = counts.get(s[d], 0) + 1
                ref = min(counts, key=lambda k: (-counts[k], abs(k), k))
                new_res: dict[tuple[int, ...], sp.Expr] = {}
                for rest, line in lines.items():
                    sigma = sp.Add(*line.values())
                    cp = dict(line)
                    cp[ref] = cp.get(ref, 0) - sigma
                    lo, hi = min(cp), max(cp)
                    q: sp.Expr = sp.Integer(0)
                    for k in range(lo, hi):
                        q = q + cp.get(k, 0)
                        if sp.expand(q) != 0:
                            s = rest[:d] + (k,) + rest[d:]
                            g_parts[d].append(q * shift_all(key, s, scheme, shifts))
                    if sp.expand(sigma) != 0:
                        new_res[rest[:d] + (ref,) + rest[d:]] = sigma
                residual = new_res
            if residual:  # cannot happen when the class sums to zero; keep it correct anyway
                direct += [c * shift_all(key, s, scheme, shifts) for s, c in residual.items()]
        upd = sp.Add(*direct)
        for d in range(dim):
            if not g_parts[d]:
                continue
            k = len(groups)
            groups.append(Interface(f, d, sp.Add(*g_parts[d])))
            here = sp.Symbol(f"mcgenflux{k}_0", real=True)
            there = sp.Symbol(f"mcgenflux{k}_1", real=True)
            placeholders[here], placeholders[there] = (k, 0), (k, 1)
            upd = upd + here - there
        out[f] = upd if any(g_parts.values()) else updates[f]
    return out, groups, placeholders


def check_flux_split(scheme: Scheme, updates: dict[str, sp.Expr], groups: list[Interface],
                     placeholders: dict[sp.Symbol, tuple]) -> None:
    """Raise unless each split update, its placeholders replaced by the shifted interface
    quantities, equals the scheme's update (float weights may cancel up to rounding)."""
    for f in scheme.fields:
        full = expands_fully(scheme.update[f])
        back = updates[f].xreplace({p: sp.Integer(0) for p in placeholders})
        for k, rel in placeholders.values():
            if groups[k].field == f:
                by = tuple(rel if d == groups[k].axis else 0 for d in range(scheme.dim))
                shifted = shift_all(groups[k].base, by, scheme)
                back += shifted if rel == 0 else -shifted
        diff = expand_terms(back, full) - expand_terms(scheme.update[f], full)
        if any(not (isinstance(c, sp.Float) and abs(c) <= 1e-13)
               for c in (t.as_coeff_Mul()[0] for t in sp.Add.make_args(diff) if t != 0)):
            raise ModelError(f"internal: the flux split of field {f!r} of scheme "
                             f"{scheme.name!r} does not add up to its update")
