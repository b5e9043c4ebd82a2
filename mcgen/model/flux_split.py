"""The flux split of a scheme's update: u^(n+1) = direct terms + sum_d [G_d(j) - G_d(j + e_d)].

A conservative update telescopes: its interface quantities G (lambda times a numerical flux,
or a linear flux) are what a reflecting wall of a density sets to zero. The split is a fact
about the model, so it lives here; the stencil front-end evaluates each G once per interface
(a scratch array) and the NumPy reference takes the wall flux back out of the wall cells, both
from the same split. :func:`check_flux_split` verifies that a split adds up to the update.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.read import Read, reads_of
from mcgen.model.scheme import Scheme


def shift(e: sp.Basic, axis: int, by: int, coords: tuple[sp.Symbol, ...],
           spacing: tuple[sp.Symbol, ...]) -> sp.Basic:
    """``e`` moved ``by`` cells along ``axis``: reads shift and x_axis becomes x + by*dx."""
    sub: dict[sp.Basic, sp.Basic] = {}
    for r in reads_of(e):
        off = list(r.offset)
        off[axis] += by
        sub[r] = Read(r.field, tuple(off), r.level)
    if coords[axis] in e.free_symbols:
        sub[coords[axis]] = coords[axis] + by * spacing[axis]
    return _rename(e, sub, {}) if sub else e


def _rename(e: sp.Basic, sub: dict[sp.Basic, sp.Basic], memo: dict[sp.Basic, sp.Basic]
            ) -> sp.Basic:
    """``e.xreplace(sub)`` that rebuilds Max/Min without re-evaluating them: a shift renames
    reads, so the arguments stay as distinct as they were, and SymPy's evaluation of Max/Min
    (a pairwise comparison through factor_terms) is what made shifting the terms of a
    two-stage MUSCL update take tens of seconds. Shared subtrees are rebuilt once."""
    if e in sub:
        return sub[e]
    if not e.args or isinstance(e, Read):
        return e
    if e in memo:
        return memo[e]
    args = tuple(_rename(a, sub, memo) for a in e.args)
    if args == e.args:
        out = e
    elif isinstance(e, (sp.Max, sp.Min)):
        out = e.func(*args, evaluate=False)
    else:
        out = e.func(*args)
    memo[e] = out
    return out


@dataclass
class Interface:
    """G with u_f(j) += G(j) - G(j + e_axis): an interface quantity (lambda times a flux)."""

    field: str
    axis: int
    base: sp.Expr          # G at cell j (the value stored in the scratch array at j)


def shift_all(e: sp.Basic, by: tuple[int, ...], scheme: Scheme) -> sp.Basic:
    for d, k in enumerate(by):
        if k:
            e = shift(e, d, k, scheme.coords, scheme.spacing)
    return e


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
    dim = scheme.dim
    coords = [c for c in scheme.coords]
    groups: list[Interface] = []
    placeholders: dict[sp.Symbol, tuple] = {}
    out: dict[str, sp.Expr] = {}
    for f in scheme.fields:
        direct: list[sp.Expr] = []
        if flux_form:
            own = Read(f, (0,) * dim)
            direct.append(own)
            expanded = sp.expand(updates[f] - own)
        else:
            expanded = sp.expand(updates[f])
        classes: dict[sp.Basic, dict[tuple[int, ...], sp.Expr]] = {}
        order: list[sp.Basic] = []
        for term in sp.Add.make_args(expanded):
            rds = reads_of(term)
            if not rds:
                direct.append(term)
                continue
            coef, dep = term.as_independent(*sorted(rds, key=lambda r: r.name), *coords,
                                            as_Add=False)
            if isinstance(dep, Read) and not flux_form:
                direct.append(term)
                continue
            low = tuple(min(r.offset[d] for r in reads_of(dep)) for d in range(dim))
            key = shift_all(dep, tuple(-k for k in low), scheme)
            if key not in classes:
                classes[key] = {}
                order.append(key)
            classes[key][low] = classes[key].get(low, 0) + coef
        g_parts: dict[int, list[sp.Expr]] = {d: [] for d in range(dim)}
        for key in order:
            cs = {s: c for s, c in classes[key].items() if sp.expand(c) != 0}
            if len(cs) < 2 or not _sums_to_zero(list(cs.values()), flux_form):
                direct += [c * shift_all(key, s, scheme) for s, c in cs.items()]
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
                            g_parts[d].append(q * shift_all(key, s, scheme))
                    if sp.expand(sigma) != 0:
                        new_res[rest[:d] + (ref,) + rest[d:]] = sigma
                residual = new_res
            if residual:  # cannot happen when the class sums to zero; keep it correct anyway
                direct += [c * shift_all(key, s, scheme) for s, c in residual.items()]
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
        back = updates[f].xreplace({p: sp.Integer(0) for p in placeholders})
        for k, rel in placeholders.values():
            if groups[k].field == f:
                by = tuple(rel if d == groups[k].axis else 0 for d in range(scheme.dim))
                shifted = shift_all(groups[k].base, by, scheme)
                back += shifted if rel == 0 else -shifted
        diff = sp.expand(back - scheme.update[f])
        if any(not (isinstance(c, sp.Float) and abs(c) <= 1e-13)
               for c in (t.as_coeff_Mul()[0] for t in sp.Add.make_args(diff) if t != 0)):
            raise ModelError(f"internal: the flux split of field {f!r} of scheme "
                             f"{scheme.name!r} does not add up to its update")
