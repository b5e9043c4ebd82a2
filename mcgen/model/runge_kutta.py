"""Explicit Runge-Kutta methods as Butcher tableaux (exact SymPy entries).

A high-resolution scheme is a spatial operator L(u) advanced by a time stepper; the stepper is a
:class:`ButcherTableau` ``(A, b)``: stage ``i`` is ``u + dt * sum_j A[i, j] L(U_j)`` and the step
is ``u + dt * sum_i b[i] L(U_i)``. Only explicit methods (``A`` strictly lower triangular) are
accepted here: the SSP analysis and the run layer advance stage by stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.proof import serialize

__all__ = ["ButcherTableau", "STEPPERS", "as_tableau", "forward_euler", "ssprk22", "ssprk33",
           "ssprk104", "classical_rk4", "two_register_form"]


@serialize.register_class("butcher_tableau")
@dataclass(frozen=True)
class ButcherTableau:
    """An explicit Runge-Kutta method ``(A, b)`` with exact entries.

    Parameters
    ----------
    A : s x s strictly lower triangular matrix (list of rows, SymPy or NumPy matrix).
    b : the s weights.
    name : what the method is called (``SSPRK(3,3)``).
    """

    A: sp.ImmutableMatrix
    b: sp.ImmutableMatrix
    name: str = ""

    def __post_init__(self) -> None:
        A = sp.ImmutableMatrix(_exact(self.A))
        b = sp.ImmutableMatrix(list(sp.flatten(_exact(self.b))))
        s = b.shape[0]
        if A.shape != (s, s):
            raise ModelError(f"Butcher tableau {self.name!r}: A is {A.shape[0]}x{A.shape[1]} but "
                             f"b has {s} entries; A must be {s}x{s}")
        if any(e.free_symbols for e in (*A, *b)):
            raise ModelError(f"Butcher tableau {self.name!r} has symbols: give numbers")
        upper = [(i, j) for i in range(s) for j in range(i, s) if A[i, j] != 0]
        if upper:
            raise ModelError(f"Butcher tableau {self.name!r} is implicit (A{upper[0]} = "
                             f"{A[upper[0]]}): only explicit methods (A strictly lower "
                             "triangular) are supported")
        if sp.nsimplify(sum(b)) != 1:
            raise ModelError(f"Butcher tableau {self.name!r}: the weights b sum to {sum(b)}, "
                             "not 1 (the method is not consistent)")
        object.__setattr__(self, "A", A)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "name", self.name or f"RK{s}")

    @property
    def stages(self) -> int:
        return self.b.shape[0]

    @property
    def c(self) -> sp.ImmutableMatrix:
        """The abscissae c_i = sum_j A[i, j]."""
        return sp.ImmutableMatrix([sum(self.A.row(i)) for i in range(self.stages)])

    def order_conditions(self, p: int) -> bool:
        """True when the classical order conditions up to order ``p`` (<= 4) hold exactly."""
        A, b, c = self.A, self.b, self.c
        e = sp.ones(self.stages, 1)
        conds = [(b.T * e)[0] - 1]
        if p >= 2:
            conds.append((b.T * c)[0] - sp.Rational(1, 2))
        if p >= 3:
            conds += [(b.T * c.multiply_elementwise(c))[0] - sp.Rational(1, 3),
                      (b.T * A * c)[0] - sp.Rational(1, 6)]
        if p >= 4:
            c2 = c.multiply_elementwise(c)
            conds += [(b.T * c2.multiply_elementwise(c))[0] - sp.Rational(1, 4),
                      (b.T * c.multiply_elementwise(A * c))[0] - sp.Rational(1, 8),
                      (b.T * A * c2)[0] - sp.Rational(1, 12),
                      (b.T * A * A * c)[0] - sp.Rational(1, 24)]
        return all(sp.simplify(x) == 0 for x in conds)

    def describe(self) -> str:
        return f"{self.name} (explicit, {self.stages} stages)"

    def __str__(self) -> str:
        return self.describe()

    def to_data(self) -> dict[str, Any]:
        return {"A": serialize.to_data(self.A), "b": serialize.to_data(self.b),
                "name": self.name}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> ButcherTableau:
        return serialize.construct_checked(cls, {  # type: ignore[no-any-return]
            "A": serialize.from_data(d["A"], "$.A"), "b": serialize.from_data(d["b"], "$.b"),
            "name": d["name"]})


def _exact(m: Any) -> list[Any]:
    """Entries as exact SymPy numbers (floats become the rationals they spell)."""
    if isinstance(m, sp.MatrixBase):
        return m.tolist() if m.shape[1] > 1 else list(m)
    rows = list(m.tolist() if hasattr(m, "tolist") else m)

    def num(x: Any) -> sp.Expr:
        if isinstance(x, float):
            return sp.nsimplify(repr(x), rational=True)
        return sp.sympify(x)

    return [[num(x) for x in r] if isinstance(r, (list, tuple)) else num(r) for r in rows]


R = sp.Rational


def forward_euler() -> ButcherTableau:
    return ButcherTableau([[0]], [1], "forward Euler")


def ssprk22() -> ButcherTableau:
    """Heun's method, the optimal two-stage second-order SSP method (C = 1)."""
    return ButcherTableau([[0, 0], [1, 0]], [R(1, 2), R(1, 2)], "SSPRK(2,2)")


def ssprk33() -> ButcherTableau:
    """Shu and Osher's three-stage third-order method (C = 1)."""
    return ButcherTableau([[0, 0, 0], [1, 0, 0], [R(1, 4), R(1, 4), 0]],
                          [R(1, 6), R(1, 6), R(2, 3)], "SSPRK(3,3)")


def ssprk104() -> ButcherTableau:
    """Ketcheson's ten-stage fourth-order method (C = 6)."""
    A = sp.zeros(10, 10)
    for i in range(10):
        for j in range(i):
            A[i, j] = R(1, 6) if (i < 5 or j >= 5) else R(1, 15)
    return ButcherTableau(A, [R(1, 10)] * 10, "SSPRK(10,4)")


def classical_rk4() -> ButcherTableau:
    h = R(1, 2)
    return ButcherTableau([[0, 0, 0, 0], [h, 0, 0, 0], [0, h, 0, 0], [0, 0, 1, 0]],
                          [R(1, 6), R(1, 3), R(1, 3), R(1, 6)], "classical RK4")


STEPPERS = {"euler": forward_euler, "ssprk22": ssprk22, "ssprk33": ssprk33,
            "ssprk104": ssprk104, "rk4": classical_rk4}


def as_tableau(stepper: Any) -> ButcherTableau:
    """A stepper name (``euler``, ``ssprk22``, ``ssprk33``, ``ssprk104``, ``rk4``), a
    :class:`ButcherTableau`, a pair ``(A, b)`` or an object with ``.A`` and ``.b`` (NodePy)."""
    if isinstance(stepper, ButcherTableau):
        return stepper
    if isinstance(stepper, str):
        if stepper not in STEPPERS:
            raise ModelError(f"stepper={stepper!r}: use one of {sorted(STEPPERS)} or a "
                             "ButcherTableau(A, b)")
        return STEPPERS[stepper]()
    if hasattr(stepper, "A") and hasattr(stepper, "b"):
        return ButcherTableau(stepper.A, stepper.b, str(getattr(stepper, "name", "") or ""))
    if isinstance(stepper, (tuple, list)) and len(stepper) == 2:
        return ButcherTableau(stepper[0], stepper[1])
    raise ModelError(f"stepper {stepper!r}: give a name ({sorted(STEPPERS)}), a "
                     "ButcherTableau or a pair (A, b)")


def two_register_form(A: sp.Matrix, b: sp.Matrix) -> list[tuple[sp.Expr, sp.Expr]] | None:
    """The method as a Shu-Osher chain U_i = alpha_i u + (1 - alpha_i) U_{i-1}
    + beta_i dt L(U_{i-1}) (U_0 = u, the step's result U_s), exactly, when it is one; else None.

    Such a method needs no stored stage derivatives: each stage reads only u and the previous
    stage (SSPRK(2,2): (0, 1), (1/2, 1/2); SSPRK(3,3): (0, 1), (3/4, 1/4), (1/3, 2/3)). With
    rows c_i of [A; b^T] it holds iff c_i = (1 - alpha_i) c_{i-1} on the columns before i - 1
    and c_{i,i-1} = beta_i. Returns the s pairs (alpha_i, beta_i), i = 1..s."""
    s = len(b)
    rows = [[sp.nsimplify(A[i, j]) for j in range(s)] for i in range(s)]
    rows.append([sp.nsimplify(v) for v in b])
    chain: list[tuple[sp.Expr, sp.Expr]] = []
    for i in range(1, s + 1):
        prev, row = rows[i - 1], rows[i]
        if any(row[j] != 0 for j in range(i, s)):
            return None  # an explicit row reads only earlier stages; b reads all
        head = [j for j in range(i - 1) if prev[j] != 0]
        keep = row[head[0]] / prev[head[0]] if head else sp.Integer(1) if i > 1 else \
            sp.Integer(1)
        if any(sp.simplify(row[j] - keep * prev[j]) != 0 for j in range(i - 1)):
            return None
        chain.append((1 - keep, row[i - 1]))
    return chain
