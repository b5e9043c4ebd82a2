"""Error norms and grid refinement studies (observed order beside the proved order).

Grid norms are the discrete versions of the continuous ones, weighted by the cell volume, so that
they converge to ||u - u_exact|| as the grid is refined:
L1 = sum |e| dV, L2 = sqrt(sum e^2 dV), Linf = max |e|.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NORMS = ("l1", "l2", "linf")


@dataclass(frozen=True)
class ErrorNorms:
    """The three grid norms of one error field."""

    l1: float
    l2: float
    linf: float

    def __getitem__(self, name: str) -> float:
        if name not in NORMS:
            raise KeyError(f"norm {name!r}: use one of {NORMS}")
        return float(getattr(self, name))


def error_norms(numerical: Any, exact: Any, cell_volume: float = 1.0,
                mask: Any = None) -> ErrorNorms:
    """L1, L2 and Linf norms of ``numerical - exact`` (arrays of the same shape).

    ``cell_volume`` is dx (1-D), dx*dy (2-D), ...; ``mask`` restricts to a window (a boolean
    array), e.g. away from a boundary that the exact solution does not model.
    """
    num, ex = np.asarray(numerical, dtype=float), np.asarray(exact, dtype=float)
    if num.shape != ex.shape:
        raise ValueError(f"numerical shape {num.shape} != exact shape {ex.shape}: evaluate the "
                         "exact solution on the same grid")
    e = np.abs(num - ex)
    if mask is not None:
        e = e[np.asarray(mask, dtype=bool)]
    if not np.all(np.isfinite(e)):
        return ErrorNorms(math.inf, math.inf, math.inf)
    return ErrorNorms(float(np.sum(e) * cell_volume), float(np.sqrt(np.sum(e**2) * cell_volume)),
                      float(np.max(e)) if e.size else 0.0)


def observed_orders(spacings: Sequence[float], errors: Sequence[float]) -> list[float]:
    """log(e_i/e_{i+1}) / log(h_i/h_{i+1}) for consecutive grids (NaN where an error is 0)."""
    out = []
    pairs = list(zip(spacings, errors, strict=True))
    for (h0, e0), (h1, e1) in zip(pairs, pairs[1:], strict=False):
        if e0 <= 0 or e1 <= 0 or not (math.isfinite(e0) and math.isfinite(e1)):
            out.append(math.nan)
        else:
            out.append(math.log(e0 / e1) / math.log(h0 / h1))
    return out


@dataclass(frozen=True)
class RefinementRow:
    n: int
    spacing: float
    errors: ErrorNorms
    orders: dict[str, float] = field(default_factory=dict)  # from the previous (coarser) row


@dataclass(frozen=True)
class RefinementStudy:
    """Errors on successively finer grids, with observed orders and the expected one.

    ``expected_order`` is what theory predicts for these data: the proved order of accuracy on
    smooth data, or the reduced rate on discontinuous data (about 1/2 in L1 for linear
    first-order schemes, 2/3 for second order); ``expected_reason`` says which.
    """

    name: str
    rows: tuple[RefinementRow, ...]
    expected_order: float | None = None
    expected_reason: str = ""
    norm: str = "l1"

    @property
    def orders(self) -> list[float]:
        return [r.orders[self.norm] for r in self.rows[1:]]

    @property
    def final_order(self) -> float:
        """The observed order between the two finest grids."""
        return self.orders[-1] if self.orders else math.nan

    def markdown(self) -> str:
        exp = (f" (expected {self.norm.upper()} order {self.expected_order:g}: "
               f"{self.expected_reason})" if self.expected_order is not None else "")
        lines = [f"**{self.name}**{exp}", "",
                 "| N | h | L1 | L2 | Linf | observed order (" + self.norm.upper() + ") |",
                 "|---:|---:|---:|---:|---:|---:|"]
        for r in self.rows:
            o = r.orders.get(self.norm)
            lines.append(f"| {r.n} | {r.spacing:.4g} | {r.errors.l1:.3e} | {r.errors.l2:.3e} | "
                         f"{r.errors.linf:.3e} | {'' if o is None else f'{o:.3f}'} |")
        return "\n".join(lines) + "\n"


def refinement_study(solve: Callable[[int], tuple[Any, Any, float]], resolutions: Sequence[int],
                     name: str = "grid refinement", expected_order: float | None = None,
                     expected_reason: str = "", norm: str = "l1") -> RefinementStudy:
    """Run ``solve(n) -> (numerical, exact, spacing)`` on each resolution and tabulate.

    The cell volume used for the norms is ``spacing ** ndim``.
    """
    if norm not in NORMS:
        raise ValueError(f"norm {norm!r}: use one of {NORMS}")
    rows: list[RefinementRow] = []
    for n in resolutions:
        num, ex, h = solve(int(n))
        num = np.asarray(num)
        errs = error_norms(num, ex, float(h) ** num.ndim)
        orders = {}
        if rows:
            prev = rows[-1]
            for k in NORMS:
                orders[k] = observed_orders([prev.spacing, h], [prev.errors[k], errs[k]])[0]
        rows.append(RefinementRow(int(n), float(h), errs, orders))
    return RefinementStudy(name, tuple(rows), expected_order, expected_reason, norm)


def proved_order(scheme: Any) -> tuple[int, Any]:
    """The order of accuracy proved by ``mcgen.analysis.consistency`` (and its derivation), to
    print beside an observed order."""
    from mcgen.analysis.consistency import consistency

    d = consistency(scheme)
    res = d.result
    if not res.get("consistent", False):
        raise ValueError(f"scheme {scheme.name!r} is not consistent: {res.get('reason')}")
    return int(res["order"]), d
