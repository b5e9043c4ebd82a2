"""Write a learned model, its derivations and a report with plots to a folder.

Files: ``model.json`` (the scheme, re-loadable with ``Scheme.from_data``), ``derivations.md`` and
``derivations.json`` (re-checkable), ``report.md`` with ``residuals.png`` (one-step prediction
residuals) and ``rollout.png`` (the learned update rolled out from the first snapshot against the
data; boundary cells are taken from the data, so no boundary condition is assumed) or, for a flux
fit, ``flux.png`` (the learned f(u) = F(u, u) over the data range). Nothing existing is overwritten
unless ``force``; each file is written to a temporary name and renamed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from mcgen.atomic_io import replace_atomically, write_text_atomically
from mcgen.model.read import reads_of
from mcgen.train.design import interior
from mcgen.train.fit_scheme import FitResult
from mcgen.train.snapshots import DataError, Snapshots


def _save_png(fig: Any, path: Path) -> None:
    replace_atomically(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))

def _predict(scheme: Any, u: np.ndarray, lam: float) -> np.ndarray:
    """One step of the learned scheme on the interior (NumPy, from the update expression)."""
    upd = scheme.update["u"]
    rds = sorted(reads_of(upd), key=lambda r: r.offset)
    sup = [r.offset for r in rds]
    inner = interior(u.shape, sup)
    fn = sp.lambdify([*rds, *scheme.params, *scheme.coords], upd, "numpy")
    args = [u[tuple(slice(s.start + k, s.stop + k) for s, k in zip(inner, r.offset,
                                                                     strict=True))]
            for r in rds]
    extra = [lam for _ in scheme.params]
    coords = [np.zeros_like(args[0]) for _ in scheme.coords] if not \
        scheme.is_variable_coefficient else [np.zeros_like(args[0])]
    out = u.copy()
    out[inner] = fn(*args, *extra, *coords)
    return out


def write_training_report(out: str | Path, result: FitResult, snap: Snapshots,
                          force: bool = False, title: str = "") -> Path:
    """Write the learned model, derivations and a report with plots to the folder ``out``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(out)
    if folder.exists() and any(folder.iterdir()) and not force:
        raise DataError(f"{folder} exists and is not empty: choose another folder or pass "
                        "force=True (--force)")
    if folder.exists() and force:
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomically(folder / "model.json",
                          json.dumps(result.scheme.to_data(), indent=1, default=str))
    ds = result.derivations
    write_text_atomically(folder / "derivations.md",
                          "\n\n".join(d.render("md") for d in ds.values()))
    as_json = {k: json.loads(d.render("json")) for k, d in ds.items()}
    write_text_atomically(folder / "derivations.json", json.dumps(as_json, indent=1))
    lam = snap.dt / snap.dx[0]
    plots = []
    if snap.dim == 1 and not result.scheme.is_variable_coefficient:
        pred = np.array([_predict(result.scheme, u, lam) for u in snap.u[:-1]])
        resid = (pred - snap.u[1:])[:, 2:-2]
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(resid.T, lw=0.6)
        ax.set_xlabel("interior site")
        ax.set_ylabel("one-step residual")
        ax.set_title("learned update: one-step prediction residuals")
        fig.tight_layout()
        _save_png(fig, folder / "residuals.png")
        plt.close(fig)
        plots.append("residuals.png")
        u = snap.u[0].copy()
        roll = [u]
        for n in range(1, snap.steps):
            v = _predict(result.scheme, roll[-1], lam)
            edge = interior(v.shape, [(-2,), (2,)])
            mask = np.ones(v.size, bool)
            mask[edge] = False
            v[mask] = snap.u[n][mask]
            roll.append(v)
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(snap.u[-1], "k-", lw=1.5, label=f"data, step {snap.steps - 1}")
        ax.plot(roll[-1], "r--", lw=1, label="learned, rolled out")
        ax.legend()
        ax.set_title("rollout of the learned update from the first snapshot")
        fig.tight_layout()
        _save_png(fig, folder / "rollout.png")
        plt.close(fig)
        plots.append("rollout.png")
    if result.scheme.numerical_flux is not None and result.scheme.law is not None:
        uu = result.scheme.law.fields[0]
        f = sp.lambdify(uu, result.scheme.law.flux[0], "numpy")
        xs = np.linspace(float(snap.u.min()), float(snap.u.max()), 200)
        fig, ax = plt.subplots(figsize=(6, 3.5))
        label = f"learned f = {sp.sstr(result.scheme.law.flux[0])}"
        ax.plot(xs, f(xs) * np.ones_like(xs), "b-", label=label)
        ax.set_xlabel("u")
        ax.legend()
        fig.tight_layout()
        _save_png(fig, folder / "flux.png")
        plt.close(fig)
        plots.append("flux.png")
    lines = [f"# {title or 'Learned model'}", "", "```", result.describe(), "```", "",
             f"Rows: {result.rows}; residual rms {result.residual_rms:.3e}; "
             f"max {result.residual_max:.3e}; R^2 {result.r2:.12f}", "",
             "| weight | value | 95% interval | exact |", "|---|---|---|---|"]
    for k, wk in result.weights.items():
        lo_k, hi_k = result.intervals[k]
        lines.append(f"| {k} | {wk:.12g} | [{lo_k:.6g}, {hi_k:.6g}] | {result.exact[k]} |")
    lines += [""] + [f"![{p}]({p})" for p in plots]
    lines += ["", "Derivations: [derivations.md](derivations.md) (statuses: "
              + ", ".join(f"{k}: {d.status}" for k, d in ds.items()) + ")"]
    write_text_atomically(folder / "report.md", "\n".join(lines) + "\n")
    return folder
