"""Sum-of-squares certificates that 1 - |G|^2 >= 0 on the 2-torus wherever g_i(p) >= 0.

With u = 1 - cos(theta), s = sin(theta) in each direction (s^2 = 2u - u^2 on the circle) and
parameters p, a certificate writes

    N(u, s, p) = 1 - |G|^2  ==  sigma_0 + sum_i g_i(p) sigma_i   (mod s_x^2 - 2u_x + u_x^2, same y)

with sigma_b = m_b^T Q_b m_b, m_b a vector of monomials and Q_b a rational positive
semi-definite Gram matrix. On the torus every sigma_b >= 0, so N >= 0 wherever all g_i >= 0.
The check (kind ``sos_on_torus``) is exact: the identity in normal form (s-degree <= 1) with
rational arithmetic, and each Q_b PSD by an exact LDL^T decomposition. Sizes are capped so that
a forged file cannot make a recheck run long.

The search (:func:`find_sos_certificate`) solves the semidefinite program numerically with the
optional package Clarabel, then rounds the Gram matrices to rationals (small denominators
first), projects them exactly onto the identity's affine constraints and keeps the result only
if the exact check passes. Gram matrices are singular where N has zeros; a numerical kernel with
a rational basis is added to the constraints (Q k = 0, facial reduction), so that the rounded
matrix stays on the face where it is positive definite. Monomials free of u and s are left out
of every basis: N vanishes at theta = 0 for every p, which would force them into the Gram
matrices' kernels.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb, lcm
from typing import Any

import sympy as sp

from mcgen.errors import DerivationFileError
from mcgen.proof.check import register_check

U_X, S_X = sp.Symbol("u_x", real=True), sp.Symbol("s_x", real=True)  # 1 - cos, sin
U_Y, S_Y = sp.Symbol("u_y", real=True), sp.Symbol("s_y", real=True)
TRIG = (U_X, S_X, U_Y, S_Y)

MAX_BLOCKS = 8           # Gram matrices in one certificate
MAX_GRAM_SIDE = 48       # rows of one Gram matrix (exact LDL^T is cubic in it)
MAX_ENTRY_BITS = 128     # bits of a Gram matrix's common denominator, and of den * entry
MAX_DEGREE = 8           # degree of a basis monomial, a multiplier or a weight
MAX_PARAMS = 4
MAX_OFFSET = 2           # |k|, |m| of G's offsets (radius 2: 25 weights)
MAX_TERMS = 16           # terms of a multiplier or of one weight
SEARCH_SIDE = 40         # the search's largest Gram basis (side 72 took ~17 s): a time bound

Poly = dict[tuple[int, ...], Fraction]


class SOSUnavailable(RuntimeError):
    """The numerical search cannot run (the optional package is missing)."""


# ---------------------------------------------------------------- exact polynomial arithmetic


def _mul(a: Poly, b: Poly) -> Poly:
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = tuple(x + y for x, y in zip(ma, mb, strict=True))
            out[m] = out.get(m, Fraction(0)) + ca * cb
    return {m: c for m, c in out.items() if c}


def _add(a: Poly, b: Poly, scale: Fraction = Fraction(1)) -> Poly:
    out = dict(a)
    for m, c in b.items():
        out[m] = out.get(m, Fraction(0)) + scale * c
    return {m: c for m, c in out.items() if c}


def normal_form(p: Poly) -> Poly:
    """Reduce modulo s^2 = 2u - u^2 in both directions (variables ordered u_x, s_x, u_y, s_y,
    params): the unique representative of s-degree <= 1 in each s."""
    out: Poly = {}
    for mono, c in p.items():
        terms: Poly = {mono: c}
        for si, ui in ((1, 0), (3, 2)):
            new: Poly = {}
            for m, cc in terms.items():
                q, r = divmod(m[si], 2)
                for j in range(q + 1):  # (2u - u^2)^q = sum_j C(q, j) 2^(q-j) (-1)^j u^(q+j)
                    mm = list(m)
                    mm[si], mm[ui] = r, m[ui] + q + j
                    key = tuple(mm)
                    new[key] = new.get(key, Fraction(0)) + cc * comb(q, j) * 2**(q - j) * (-1)**j
            terms = new
        out = _add(out, terms)
    return out


def _to_poly(expr: Any, gens: tuple[sp.Symbol, ...]) -> Poly:
    p = sp.Poly(sp.expand(expr), *gens)
    if len(p.terms()) > MAX_TERMS or p.total_degree() > MAX_DEGREE:
        raise DerivationFileError(f"sos_on_torus: a polynomial of {len(p.terms())} terms and "
                                  f"degree {p.total_degree()} (bounded to {MAX_TERMS} terms of "
                                  f"degree {MAX_DEGREE}): not a certificate mcgen writes")
    if not p.domain.is_QQ and not p.domain.is_ZZ:
        raise ValueError(f"coefficients of {str(expr)[:80]} are not rational")
    return {m: Fraction(int(sp.Rational(c).p), int(sp.Rational(c).q)) for m, c in p.terms()}


def _rational(x: Any) -> Fraction:
    r = sp.Rational(x)
    return Fraction(int(r.p), int(r.q))


def symbol_weights(G: Any, thetas: tuple[sp.Symbol, sp.Symbol], max_offset: int = MAX_OFFSET
                   ) -> dict[tuple[int, int], Any]:
    """The weights w_(k,m) of G = sum w e^{i (k theta_x + m theta_y)}, read back exactly
    (offsets beyond ``max_offset`` are refused: a recheck does bounded work)."""
    out: dict[tuple[int, int], Any] = {}
    for term in sp.Add.make_args(sp.expand(sp.sympify(G), power_exp=False)):
        coeff, rest = term.as_independent(*thetas)
        rest = sp.powsimp(rest)
        if rest == 1:
            arg = sp.Integer(0)
        elif isinstance(rest, sp.exp):
            arg = sp.expand(rest.args[0] / sp.I)
        else:
            raise ValueError(f"term {str(term)[:80]} is not a weight times e^(i k.theta)")
        k, m = (arg.coeff(t) for t in thetas)
        if sp.expand(arg - k * thetas[0] - m * thetas[1]) != 0 or not (k.is_Integer
                                                                        and m.is_Integer):
            raise ValueError(f"term {str(term)[:80]}: offsets must be integers")
        if abs(k) > max_offset or abs(m) > max_offset:
            raise DerivationFileError(f"offset ({k}, {m}) of the symbol out of bounds (|k| <= "
                                      f"{max_offset}): not a derivation mcgen writes")
        out[(int(k), int(m))] = out.get((int(k), int(m)), 0) + coeff
    return out


def torus_polynomial(weights: dict[tuple[int, int], Any], params: tuple[sp.Symbol, ...]) -> Poly:
    """N = 1 - |G|^2 in normal form over (u_x, s_x, u_y, s_y, *params), exactly."""
    n = 4 + len(params)
    gens = (*TRIG, *params)

    def e(k: int, cs: tuple[Poly, Poly]) -> tuple[Poly, Poly]:  # (cos + i sin)^k, re and im
        re: Poly = {(0,) * n: Fraction(1)}
        im: Poly = {}
        c, s = cs
        if k < 0:
            s = {m: -v for m, v in s.items()}
        for _ in range(abs(k)):
            re, im = _add(_mul(re, c), _mul(im, s), Fraction(-1)), _add(_mul(re, s), _mul(im, c))
        return normal_form(re), normal_form(im)

    one = (0,) * n

    def var(i: int) -> Poly:
        return {tuple(1 if j == i else 0 for j in range(n)): Fraction(1)}

    cx, cy = _add({one: Fraction(1)}, var(0), Fraction(-1)), _add({one: Fraction(1)}, var(2),
                                                                   Fraction(-1))
    re_g: Poly = {}
    im_g: Poly = {}
    for (k, m), w in weights.items():
        wp = _to_poly(w, gens)
        rx, ix = e(k, (cx, var(1)))
        ry, iy = e(m, (cy, var(3)))
        re_t = _add(_mul(rx, ry), _mul(ix, iy), Fraction(-1))
        im_t = _add(_mul(rx, iy), _mul(ix, ry))
        re_g = _add(re_g, _mul(wp, re_t))
        im_g = _add(im_g, _mul(wp, im_t))
    abs2 = _add(_mul(re_g, re_g), _mul(im_g, im_g))
    return normal_form(_add({one: Fraction(1)}, abs2, Fraction(-1)))


def _common_denominator(Q: list[list[Fraction]]) -> int:
    den = 1
    for row in Q:
        for x in row:
            den = lcm(den, x.denominator)
    return den


def psd_exact(Q: list[list[Fraction]]) -> bool:
    """Exact PSD test of a symmetric rational matrix: fraction-free (Bareiss) LDL^T on the
    integer matrix den * Q, so that entries stay minors (bounded by Hadamard's inequality).
    A negative pivot refutes; a zero pivot needs a zero row (then the index is skipped)."""
    n = len(Q)
    if any(Q[i][j] != Q[j][i] for i in range(n) for j in range(i)):
        return False
    den = _common_denominator(Q)
    A = [[int(x * den) for x in row] for row in Q]
    prev = 1
    for k in range(n):
        d = A[k][k]
        if d < 0:
            return False
        if d == 0:
            if any(A[k][j] for j in range(k + 1, n)):
                return False
            continue
        for i in range(k + 1, n):
            aik = A[i][k]
            for j in range(i, n):
                q, r = divmod(d * A[i][j] - aik * A[k][j], prev)
                if r:
                    raise ArithmeticError("Bareiss division not exact")
                A[i][j] = A[j][i] = q
        prev = d
    return True


# ---------------------------------------------------------------- the check


def _monomial(expr: Any, gens: tuple[sp.Symbol, ...]) -> tuple[int, ...]:
    p = sp.Poly(sp.sympify(expr), *gens)
    terms = p.terms()
    if len(terms) != 1 or terms[0][1] != 1:
        raise ValueError(f"basis element {str(expr)[:60]} is not a monomial")
    m = terms[0][0]
    if sum(m) > MAX_DEGREE:
        raise DerivationFileError(f"sos_on_torus: basis monomial of degree {sum(m)} (bounded "
                                  f"to degree {MAX_DEGREE}): not a certificate mcgen writes")
    return tuple(m)


def region_polynomials(region: Any, params: tuple[sp.Symbol, ...]) -> list[sp.Expr] | None:
    """g_i with region == And(g_i >= 0), or None when it is not such a conjunction."""
    region = sp.sympify(region)
    if region is sp.true:
        return []
    rels = region.args if isinstance(region, sp.And) else (region,)
    out = []
    for r in rels:
        if isinstance(r, (sp.GreaterThan, sp.StrictGreaterThan)):
            g = r.lhs - r.rhs
        elif isinstance(r, (sp.LessThan, sp.StrictLessThan)):
            g = r.rhs - r.lhs
        else:
            return None
        g = sp.expand(g)
        if not g.is_polynomial(*params) or not g.free_symbols <= set(params):
            return None
        out.append(g)
    return out


def _check_sizes(params: tuple, blocks: tuple) -> None:
    if len(params) > MAX_PARAMS or len(blocks) > MAX_BLOCKS:
        raise DerivationFileError(f"sos_on_torus: {len(params)} parameters, {len(blocks)} Gram "
                                  f"matrices (bounded to {MAX_PARAMS} and {MAX_BLOCKS}): not a "
                                  "certificate mcgen writes")
    for b in blocks:
        if not (isinstance(b, tuple) and len(b) == 3):
            raise ValueError("a block is (multiplier, basis, Gram matrix)")
        _, basis, Q = b
        if len(basis) > MAX_GRAM_SIDE or Q.shape != (len(basis), len(basis)):
            raise DerivationFileError(f"sos_on_torus: a {Q.shape[0]} x {Q.shape[1]} Gram matrix "
                                      f"for {len(basis)} monomials (bounded to side "
                                      f"{MAX_GRAM_SIDE}): not a certificate mcgen writes")
        den = 1
        for x in Q:
            den = lcm(den, int(sp.Rational(x).q))
            if den.bit_length() > MAX_ENTRY_BITS:
                break
        top = 0 if den.bit_length() > MAX_ENTRY_BITS else \
            max((abs(int(sp.Rational(x) * den)) for x in Q), default=0)
        if den.bit_length() > MAX_ENTRY_BITS or top.bit_length() > MAX_ENTRY_BITS:
            raise DerivationFileError(f"sos_on_torus: a Gram matrix whose common denominator "
                                      f"or scaled entries exceed {MAX_ENTRY_BITS} bits: not a "
                                      "certificate mcgen writes")


@register_check("sos_on_torus", "1 - |G|^2 = sigma_0 + sum g_i sigma_i on the torus (exact "
                "identity mod the circle ideals; Gram matrices PSD by exact LDL^T)")
def check_sos_on_torus(G: Any, thetas: tuple, params: tuple, region: Any,
                       blocks: tuple) -> str:
    """``proved`` when the certificate is valid; ``refuted`` when an identity coefficient or a
    Gram matrix's semi-definiteness fails (the certificate is wrong); bounds raise."""
    params = tuple(params)
    _check_sizes(params, blocks)
    if set(params) & set(TRIG):
        raise ValueError("a parameter is named like a torus variable")
    gs = region_polynomials(region, params)
    if gs is None:
        raise ValueError("the region is not a conjunction of polynomial inequalities")
    gens = (*TRIG, *params)
    total: Poly = {}
    for g, basis, Q in blocks:
        g = sp.expand(g)
        if g != 1 and g not in gs:
            return "refuted"  # a multiplier that is not one of the region's g_i
        gp = _to_poly(g, gens)
        if max((sum(m) for m in gp), default=0) > MAX_DEGREE:
            raise DerivationFileError(f"sos_on_torus: multiplier of degree > {MAX_DEGREE}")
        monos = [_monomial(b, gens) for b in basis]
        q = [[_rational(Q[i, j]) for j in range(len(monos))] for i in range(len(monos))]
        if not psd_exact(q):
            return "refuted"
        sigma: Poly = {}
        for i, j in itertools.product(range(len(monos)), repeat=2):
            if q[i][j]:
                m = tuple(a + b for a, b in zip(monos[i], monos[j], strict=True))
                sigma[m] = sigma.get(m, Fraction(0)) + q[i][j]
        total = _add(total, _mul(gp, sigma))
    N = torus_polynomial(symbol_weights(G, tuple(thetas)), params)
    return "proved" if not _add(N, normal_form(total), Fraction(-1)) else "refuted"


# ---------------------------------------------------------------- the search


def _bases(n_par: int, trig_half: int, par_half: int) -> list[tuple[int, ...]]:
    """Monomials u^a s^b (s-degree <= 1 each, trig degree 1..trig_half) times parameter
    monomials of degree <= par_half."""
    trig = [m for m in itertools.product(range(trig_half + 1), range(2), range(trig_half + 1),
                                          range(2)) if 1 <= sum(m) <= trig_half]
    par = [m for m in itertools.product(range(par_half + 1), repeat=n_par) if sum(m) <= par_half]
    return [t + p for t in trig for p in par]


def _half(d: int) -> int:
    return (d + 1) // 2


def search_problem(G: Any, thetas: tuple, params: tuple[sp.Symbol, ...], region: Any
                   ) -> tuple[list, tuple, Poly, int, int] | None:
    """What every SOS search starts from: the region's polynomials g_i, the generators (torus
    variables, then parameters), 1 - |G|^2 as a polynomial N in them, and half of N's degrees in
    the torus variables and in the parameters (the natural degrees of the squares); None when
    the region has no polynomial form or N vanishes. SOSUnavailable without Clarabel."""
    try:
        import clarabel  # noqa: F401
    except ImportError as err:
        raise SOSUnavailable("the SOS search needs the optional package clarabel "
                             "(pip install 'mcgen[sos]')") from err
    gs = region_polynomials(region, params)
    if gs is None:
        return None
    gens = (*TRIG, *params)
    N = torus_polynomial(symbol_weights(G, thetas), params)
    if not N:
        return None
    return (gs, gens, N, _half(max(sum(m[:4]) for m in N)),
            _half(max(sum(m[4:]) for m in N)))


def find_sos_certificate(G: Any, thetas: tuple, params: tuple[sp.Symbol, ...],
                         region: Any) -> tuple | None:
    """A checked certificate's blocks (multiplier, basis, rational Gram matrix), or None when the
    semidefinite program has no solution that rounds to an exact certificate.

    Raises SOSUnavailable when Clarabel is not installed or the basis is beyond the search's
    size bound.
    """
    problem = search_problem(G, thetas, params, region)  # SOSUnavailable without Clarabel
    if problem is None:
        return None
    import clarabel
    import numpy as np
    from scipy import sparse

    gs, gens, N, th, ph = problem
    n_par = len(params)
    blocks: list[tuple[Poly, sp.Expr, list[tuple[int, ...]]]] = [
        ({(0,) * len(gens): Fraction(1)}, sp.Integer(1), _bases(n_par, th, ph))]
    for g in gs:
        gp = _to_poly(g, gens)
        dg = max(sum(m) for m in gp)
        if dg > 2 * ph:
            continue
        blocks.append((gp, g, _bases(n_par, th, (2 * ph - dg) // 2)))
    if any(len(b[2]) > SEARCH_SIDE for b in blocks):
        raise SOSUnavailable(f"the natural SOS basis has {max(len(b[2]) for b in blocks)} "
                             f"monomials, beyond the search's bound ({SEARCH_SIDE})")
    # linear constraints: coefficient of each monomial of normal_form(sum g_b m_i Q_ij m_j)
    rows: dict[tuple[int, ...], int] = {m: i for i, m in enumerate(N)}
    entries: list[tuple[int, int, Fraction]] = []  # (row, variable, coefficient on Q_ij)
    var_index: list[tuple[int, int, int]] = []  # (block, i, j), column-major upper triangle
    for b, (gp, _, basis) in enumerate(blocks):
        for j in range(len(basis)):
            for i in range(j + 1):
                v = len(var_index)
                var_index.append((b, i, j))
                m = tuple(x + y for x, y in zip(basis[i], basis[j], strict=True))
                prod = normal_form(_mul(gp, {m: Fraction(2 if i != j else 1)}))
                for mm, c in prod.items():
                    if mm not in rows:
                        rows[mm] = len(rows)
                    entries.append((rows[mm], v, c))
    n_rows, n_vars = len(rows), len(var_index)
    rhs = [Fraction(0)] * n_rows
    for m, c in N.items():
        rhs[rows[m]] = c
    scale = np.array([1.0 if i == j else 1 / np.sqrt(2) for _, i, j in var_index])  # svec
    r_i = [e[0] for e in entries]
    c_i = [e[1] for e in entries]
    vals = [float(e[2]) * scale[e[1]] for e in entries]
    A_eq = sparse.csc_matrix((vals, (r_i, c_i)), shape=(n_rows, n_vars))
    A = sparse.vstack([A_eq, -sparse.identity(n_vars)]).tocsc()
    b_vec = np.concatenate([np.array([float(x) for x in rhs]), np.zeros(n_vars)])
    q_obj = np.array([1.0 if i == j else 0.0 for _, i, j in var_index])
    cones = [clarabel.ZeroConeT(n_rows)] + [clarabel.PSDTriangleConeT(len(b[2])) for b in blocks]
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = 1e-11
    sol = clarabel.DefaultSolver(sparse.csc_matrix((n_vars, n_vars)), q_obj, A, b_vec, cones,
                                 settings).solve()
    if str(sol.status) not in ("Solved", "AlmostSolved"):
        return None
    x = np.array(sol.x) * scale  # Q_ij
    exact_rows: list[dict[int, Fraction]] = [{} for _ in range(n_rows)]
    for r, v, c in entries:
        exact_rows[r][v] = exact_rows[r].get(v, Fraction(0)) + c
    # facial reduction: a numerical kernel of a Gram matrix with a rational basis (zeros of N
    # at rational modes) becomes exact equations Q k = 0, so that rounding stays on the face
    rhs = list(rhs)
    for b, (_, _, basis) in enumerate(blocks):
        idx = {(i, j): v for v, (bb, i, j) in enumerate(var_index) if bb == b}
        for kvec in _rational_kernel(x, idx, len(basis)):
            for i in range(len(basis)):
                row: dict[int, Fraction] = {}
                for j, kj in enumerate(kvec):
                    if kj:
                        v = idx[(min(i, j), max(i, j))]
                        row[v] = row.get(v, Fraction(0)) + kj
                if row:
                    exact_rows.append(row)
                    rhs.append(Fraction(0))
    for den in (4, 12, 60, 360, 5040, 2**20, 2**30):  # one common denominator each
        q0 = [Fraction(round(float(xv) * den), den) for xv in x]
        projected = _project(exact_rows, rhs, q0)
        if projected is None:
            continue
        q = projected
        out = []
        for b, (_, g, basis) in enumerate(blocks):
            Q = [[Fraction(0)] * len(basis) for _ in basis]
            for v, (bb, i, j) in enumerate(var_index):
                if bb == b:
                    Q[i][j] = Q[j][i] = q[v]
            if not psd_exact(Q):
                break
            if any(any(row) for row in Q):
                out.append((g, tuple(sp.Mul(*[s**e for s, e in zip(gens, m, strict=True)])
                                     for m in basis),
                            sp.ImmutableMatrix([[sp.Rational(e.numerator, e.denominator)
                                                 for e in row] for row in Q])))
        else:
            cert = tuple(_prune(out))
            try:
                if check_sos_on_torus(G, thetas, params, region, cert) == "proved":
                    return cert
            except DerivationFileError:  # rounded beyond the check's bounds: not recorded
                continue
    return None


def _rational_kernel(x: Any, idx: dict[tuple[int, int], int], n: int) -> list[list[Fraction]]:
    """A rational basis of the numerical kernel of one Gram matrix (reduced row echelon form of
    its eigenvectors with tiny eigenvalues, rounded), or [] when it does not look rational."""
    import numpy as np

    Q = np.zeros((n, n))
    for (i, j), v in idx.items():
        Q[i, j] = Q[j, i] = x[v]
    vals, vecs = np.linalg.eigh(Q)
    tol = 1e-7 * max(1.0, float(abs(vals).max()))
    K = vecs[:, vals < tol].T
    if K.shape[0] == 0 or K.shape[0] == n:
        return []
    rref = sp.Matrix([[sp.Rational(Fraction(float(e)).limit_denominator(1000).numerator,
                                   Fraction(float(e)).limit_denominator(1000).denominator)
                       for e in row] for row in _numeric_rref(K)])
    out = [[Fraction(int(e.p), int(e.q)) for e in rref.row(r)] for r in range(rref.rows)]
    # keep only vectors that the numerical Q really annihilates
    return [k for k in out if np.abs(Q @ np.array([float(e) for e in k])).max() < 1e-6]


def _numeric_rref(K: Any) -> Any:
    import numpy as np

    A = np.array(K, dtype=float)
    r = 0
    for c in range(A.shape[1]):
        if r == A.shape[0]:
            break
        p = r + int(np.argmax(np.abs(A[r:, c])))
        if abs(A[p, c]) < 1e-9:
            continue
        A[[r, p]] = A[[p, r]]
        A[r] /= A[r, c]
        for i in range(A.shape[0]):
            if i != r:
                A[i] -= A[i, c] * A[r]
        r += 1
    return A[:r]


def _prune(blocks: list[tuple]) -> list[tuple]:
    """Drop basis monomials whose row and column of the Gram matrix are zero."""
    out = []
    for g, basis, Q in blocks:
        keep = [i for i in range(Q.rows) if any(Q[i, j] != 0 for j in range(Q.cols))]
        out.append((g, tuple(basis[i] for i in keep), Q.extract(keep, keep)))
    return out


def _project(rows: list[dict[int, Fraction]], rhs: list[Fraction],
             q: list[Fraction]) -> list[Fraction] | None:
    """The exact least-norm correction of q onto {A q = rhs} (A sparse, rational)."""
    res = [rhs[k] - sum(c * q[v] for v, c in row.items()) for k, row in enumerate(rows)]
    if not any(res):
        return q
    n = len(rows)
    if n > 400:
        return None
    M = sp.Matrix(n, n, lambda a, b: sum((c * rows[b].get(v, 0) for v, c in rows[a].items()),
                                         Fraction(0)))
    M = M.applyfunc(lambda f: sp.Rational(f.numerator, f.denominator))
    r = sp.Matrix([sp.Rational(f.numerator, f.denominator) for f in res])
    try:
        y, free = M.gauss_jordan_solve(r)
    except ValueError:
        return None
    y = y.subs({s: 0 for s in free})
    out = list(q)
    for k, row in enumerate(rows):
        yk = _rational(y[k])
        if yk:
            for v, c in row.items():
                out[v] += c * yk
    return out
