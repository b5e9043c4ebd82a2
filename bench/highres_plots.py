"""LeVeque's wave packet and square wave (Finite Volume Methods, figs. 6.1-6.3) advected once
round the periodic unit interval by MUSCL with each limiter (Godunov flux, SSPRK(2,2), at the
proved TVD bound), N = 200. Writes ``docs/highres_limiters.png``.
Run: ``python bench/highres_plots.py [out.png]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

from mcgen.model import scalar_law  # noqa: E402
from mcgen.model.catalogue.highres import muscl  # noqa: E402
from mcgen.run.highres_stepper import HighResStepper, total_variation  # noqa: E402

LIMITERS = ("minmod", "superbee", "mc", "van_leer", "koren")


def initial(x: np.ndarray) -> np.ndarray:
    packet = np.cos(16 * np.pi * x) * np.exp(-300 * (x - 0.3) ** 2)
    square = np.where((x > 0.6) & (x < 0.8), 1.0, 0.0)
    return packet + square


def main(out: str = "docs/highres_limiters.png") -> None:
    u = sp.Symbol("u")
    law = scalar_law(u, u)
    fig, axes = plt.subplots(len(LIMITERS), 1, figsize=(7, 2.0 * len(LIMITERS)), sharex=True)
    for ax, name in zip(axes, LIMITERS, strict=True):
        st = HighResStepper(muscl(law, name, "godunov", "ssprk22"), 200, data_range=(-1, 1))
        u0 = st.cell_averages(initial)
        uT = st.run(u0, 1.0)
        ax.plot(st.x, u0, "k-", lw=0.8, label="exact")
        ax.plot(st.x, uT, "o", ms=2.0, label=f"MUSCL-{name}")
        ax.set_ylim(-1.2, 1.3)
        ax.legend(loc="upper right", fontsize=7)
        print(f"{name:9s} dt/dx = {st.max_dt() / st.dx:.4f}  L1 = "
              f"{np.abs(uT - u0).mean():.4f}  TV {total_variation(u0):.3f} -> "
              f"{total_variation(uT):.3f}")
    axes[-1].set_xlabel("x")
    fig.suptitle("u_t + u_x = 0, t = 1 (one period), N = 200, SSPRK(2,2) at the proved bound",
                 fontsize=9)
    fig.tight_layout()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(out).with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=80)
    tmp.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
