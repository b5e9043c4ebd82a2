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


def _rollout(result: FitResult, snap: Snapshots, lam: float) -> list[np.ndarray]:
    """The learned update rolled out from the first snapshot; the cells within the stencil's
    reach of the edge are taken from the data at every step (no boundary condition assumed)."""
    sup = [r.offset for r in reads_of(result.scheme.update["u"])]
    inner = interior(snap.u.shape[1:], sup)
    roll = [snap.u[0].copy()]
    for n in range(1, snap.steps):
        v = snap.u[n].copy()
        v[inner] = _predict(result.scheme, roll[-1], lam)[inner]
        roll.append(v)
    return roll


def _residual_and_rollout_plots(plt: Any, folder: Path, result: FitResult, snap: Snapshots,
                                lam: float) -> list[str]:
    """residuals.png (one-step prediction residuals) and rollout.png, in 1-D (curves) or 2-D
    (images of the last step)."""
    sup = [r.offset for r in reads_of(result.scheme.update["u"])]
    inner = interior(snap.u.shape[1:], sup)
    pred = np.array([_predict(result.scheme, u, lam) for u in snap.u[:-1]])
    resid = (pred - snap.u[1:])[(slice(None),) + inner]
    roll = _rollout(result, snap, lam)
    last = snap.steps - 1
    if snap.dim == 1:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(resid.T, lw=0.6)
        ax.set_xlabel("interior site")
        ax.set_ylabel("one-step residual")
    else:
        fig, ax = plt.subplots(figsize=(5, 4))
        im = ax.imshow(resid[-1].T, origin="lower", cmap="RdBu_r")
        fig.colorbar(im, ax=ax, label=f"one-step residual, step {last}")
        ax.set_xlabel("interior site i (x)")
        ax.set_ylabel("interior site j (y)")
    rms = float(np.sqrt(np.mean(resid ** 2)))
    ax.set_title(f"learned update: one-step prediction residuals (rms {rms:.2e})")
    fig.tight_layout()
    _save_png(fig, folder / "residuals.png")
    plt.close(fig)
    if snap.dim == 1:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(snap.u[-1], "k-", lw=1.5, label=f"data, step {last}")
        ax.plot(roll[-1], "r--", lw=1, label="learned, rolled out")
        ax.legend()
        ax.set_title("rollout of the learned update from the first snapshot")
    else:
        fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
        lo, hi = float(snap.u[-1].min()), float(snap.u[-1].max())
        for ax_, img, name in ((axes[0], snap.u[-1], f"data, step {last}"),
                               (axes[1], roll[-1], "learned, rolled out")):
            im = ax_.imshow(img.T, origin="lower", vmin=lo, vmax=hi)
            ax_.set_title(name)
            fig.colorbar(im, ax=ax_)
        im = axes[2].imshow((roll[-1] - snap.u[-1]).T, origin="lower", cmap="RdBu_r")
        axes[2].set_title("rollout - data")
        fig.colorbar(im, ax=axes[2])
    fig.tight_layout()
    _save_png(fig, folder / "rollout.png")
    plt.close(fig)
    return ["residuals.png", "rollout.png"]


def _true_flux(true_flux: Any, u: sp.Symbol) -> sp.Expr:
    """The reference flux as an expression in the learned law's field ``u``."""
    try:
        expr = sp.sympify(true_flux, locals={"u": u}) if isinstance(true_flux, str) else \
            sp.sympify(true_flux).subs(sp.Symbol("u"), u)
    except (sp.SympifyError, TypeError, SyntaxError) as err:
        raise DataError(f"true flux {true_flux!r} is not an expression: {err}") from None
    extra = expr.free_symbols - {u}
    if extra:
        raise DataError(f"true flux {true_flux!r} has symbols {sorted(map(str, extra))} besides u: "
                        "give a flux f(u) in u alone")
    return expr


def write_training_report(out: str | Path, result: FitResult, snap: Snapshots,
                          force: bool = False, title: str = "", true_flux: Any = None) -> Path:
    """Write the learned model, derivations and a report with plots to the folder ``out``
    (``true_flux``: a flux f(u), expression or string in u, plotted beside a learned flux)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(out)
    has_flux = result.scheme.numerical_flux is not None and result.scheme.law is not None
    if true_flux is not None and not has_flux:
        raise DataError("a true flux is compared with a learned flux: fit one with flux_degree= "
                        "(--flux-degree)")
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
    if snap.dim <= 2 and not result.scheme.is_variable_coefficient:
        plots += _residual_and_rollout_plots(plt, folder, result, snap, lam)
    flux_note = ""
    if has_flux:
        assert result.scheme.law is not None
        uu = result.scheme.law.fields[0]
        f = sp.lambdify(uu, result.scheme.law.flux[0], "numpy")
        xs = np.linspace(float(snap.u.min()), float(snap.u.max()), 200)
        fig, ax = plt.subplots(figsize=(6, 3.5))
        label = f"learned f = {sp.sstr(result.scheme.law.flux[0])}"
        ax.plot(xs, f(xs) * np.ones_like(xs), "b-", label=label)
        if true_flux is not None:
            ref = _true_flux(true_flux, uu)
            g = sp.lambdify(uu, ref, "numpy")
            gap = float(np.abs(f(xs) - g(xs)).max())
            ax.plot(xs, g(xs) * np.ones_like(xs), "k--", label=f"true f = {sp.sstr(ref)}")
            flux_note = (f"Learned vs true flux {sp.sstr(ref)}: max |difference| {gap:.3e} "
                         f"over the data range [{xs[0]:.4g}, {xs[-1]:.4g}].")
        ax.set_xlabel("u")
        ax.set_title("learned flux over the data range")
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
    if flux_note:
        lines += ["", flux_note]
    lines += [""] + [f"![{p}]({p})" for p in plots]
    lines += ["", "Derivations: [derivations.md](derivations.md) (statuses: "
              + ", ".join(f"{k}: {d.status}" for k, d in ds.items()) + ")"]
    write_text_atomically(folder / "report.md", "\n".join(lines) + "\n")
    return folder
