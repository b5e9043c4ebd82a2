"""Plots with matplotlib (Agg backend: no display needed): profiles and overlays of Monte Carlo,
PDE and exact solutions, and error-vs-resolution plots."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    return plt


def overlay(path: str | Path, title: str, exact: tuple[np.ndarray, np.ndarray] | None = None,
            pde: tuple[np.ndarray, np.ndarray] | None = None,
            mc: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None,
            initial: tuple[np.ndarray, np.ndarray] | None = None,
            labels: dict[str, str] | None = None, xlabel: str = "x",
            ylabel: str = "density") -> Path:
    """Overlay microscopic (dots, 2-sigma band), macroscopic (line) and exact (dashed) profiles
    and write a PNG."""
    plt = _pyplot()
    lab = {"exact": "exact entropy solution", "pde": "PDE (generated kernel)",
           "mc": "Monte Carlo (replica mean)", "initial": "initial data", **(labels or {})}
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    if initial is not None:
        ax.plot(*initial, color="0.7", lw=1, label=lab["initial"])
    if mc is not None:
        x, m, err = mc
        if err is not None:
            ax.fill_between(x, m - 2 * err, m + 2 * err, color="C0", alpha=0.25, lw=0)
        ax.plot(x, m, "o", ms=2.5, color="C0", label=lab["mc"])
    if pde is not None:
        ax.plot(*pde, "-", color="C3", lw=1.5, label=lab["pde"])
    if exact is not None:
        ax.plot(*exact, "--", color="k", lw=1.2, label=lab["exact"])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def profile(path: str | Path, x: np.ndarray, curves: dict[str, np.ndarray], title: str = "",
            xlabel: str = "x", ylabel: str = "u") -> Path:
    """Several named curves on one axis."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for name, y in curves.items():
        ax.plot(x, y, label=name, lw=1.3)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)


def convergence(path: str | Path, studies: Sequence[Any], title: str = "grid refinement") -> Path:
    """log-log error against spacing for :class:`~mcgen.run.errors.RefinementStudy` objects."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.2), dpi=110)
    for st in studies:
        h = np.array([r.spacing for r in st.rows])
        e = np.array([r.errors[st.norm] for r in st.rows])
        ax.loglog(h, e, "o-", label=f"{st.name} (observed {st.final_order:.2f})")
        if st.expected_order is not None:
            ax.loglog(h, e[-1] * (h / h[-1]) ** st.expected_order, ":", color="0.5")
    ax.set_xlabel("h")
    ax.set_ylabel("error")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)
