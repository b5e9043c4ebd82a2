"""Identify the scheme behind data: constrained least squares inside the admissible set.

``fit_scheme`` fits the weights of ``u^{n+1}_j = sum_k w_k u^n_{j+k}`` (constant, polynomial in
x, or a conservative numerical flux polynomial in the two states) to snapshots, under the
constraints asked for: moment (consistency) conditions of a law to an order, non-negativity
(stable by construction), conservation. The float fit is rounded to a nearby rational point that
meets the constraints exactly (checked by the proof layer), then analysed like any other scheme:
modified equation (the PDE the learned layer solves), positivity and L2 verdict at the data's own
step, and the catalogue scheme it is, when it is one.
"""

from __future__ import annotations

from typing import Any

from mcgen.model.law import Law
from mcgen.train.design import normalize_support
from mcgen.train.fit_flux import fit_flux
from mcgen.train.fit_result import FitResult, InfeasibleFit
from mcgen.train.fit_stencil import LAWS, fit_stencil
from mcgen.train.snapshots import DataError, load_snapshots

__all__ = ["FitResult", "InfeasibleFit", "LAWS", "fit_scheme"]


def fit_scheme(snapshots: Any, dx: Any = None, dt: float | None = None, support: Any = 1,
               order: int | None = None, positive: bool = False, conservative: bool = False,
               dims: str = "x", *, law: str | Law = "advection-diffusion", x_degree: int = 0,
               flux_degree: int | None = None, instruments: bool = False,
               window: int = 1, rollout: int | None = None) -> FitResult:
    """Fit a lattice update to snapshots inside the admissible set.

    Parameters
    ----------
    snapshots : array ``(T, N)`` / ``(T, N_x, N_y)`` (time first), ``.npz``/``.nc`` path or
        ``xarray.DataArray``.
    dx, dt : grid and time steps (read from the coordinates of a DataArray when omitted).
    support : offsets the update reads (``[-1, 0, 1]``, 2-D tuples) or a radius.
    order : impose the moment conditions of ``law`` up to this degree (0: weights sum to one;
        1: also the mean jump ``-nu``; 2: the variance ``2 r`` ...). The law's coefficients are
        fitted with the weights.
    positive : every weight >= 0 (a convex combination: stable by construction); for a flux fit,
        monotone over the data range.
    conservative : the update conserves mass (columns sum to one; the forward reading).
    dims : ``"x"`` (1-D) or ``"xy"`` (2-D); must match the data.
    law : the law the moment conditions refer to: ``"advection-diffusion"`` (default),
        ``"advection"``, ``"diffusion"``, or a :class:`Law`.
    x_degree : weights polynomial in x of this degree (1-D, ``order`` <= 0).
    flux_degree : fit a conservative numerical flux ``F(uL, uR)``, polynomial of this degree.
    instruments : for noisy data: two-stage least squares with the same columns built from the
        snapshot before as instruments, which removes the bias that noise in the regressors
        gives ordinary least squares (noise independent from snapshot to snapshot).
    window : sum the one-step equations over windows of this many steps (exact for the update;
        raises the signal against independent noise).
    rollout : for noisy data (flux fits): errors-in-variables maximum likelihood. The clean
        states are unknowns too: the flux and each window's first state are fitted to all
        snapshots of disjoint windows of this many steps (multi-step least squares, started from
        the one-step fit). Consistent without knowing the noise level (the residual rms
        estimates it) and far less variable than ``instruments``; cost grows like the window.

    Solver: SciPy (nullspace parametrisation of the equalities, Gauss-Newton for the law's
    coefficients, SLSQP + exact active-set re-solve for the inequalities).
    """
    snap = load_snapshots(snapshots, dx, dt)
    if len(dims) != snap.dim or set(dims) - set("xyz"):
        raise DataError(f"dims={dims!r} but the snapshots are {snap.dim}-D (shape "
                        f"{snap.u.shape}, time first): use dims={'xyz'[:snap.dim]!r}")
    if instruments and snap.steps < 3:
        raise DataError("instruments=True needs at least three snapshots (the instruments are "
                        "built from the snapshot before each step)")
    if window < 1:
        raise DataError(f"window={window}: give a number of steps >= 1")
    if rollout is not None and flux_degree is None:
        raise DataError("rollout= is implemented for conservative flux fits (give flux_degree=); "
                        "for a stencil fit use instruments=True or window=")
    if flux_degree is not None:
        return fit_flux(snap, flux_degree, positive, instruments, window, rollout)
    return fit_stencil(snap, normalize_support(support, snap.dim), order, positive,
                        conservative, law, x_degree, instruments, window)
