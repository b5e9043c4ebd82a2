"""Issue 14: the mcgen command takes high-resolution scalar schemes and Euler / shallow-water
systems (refused before as "not a Scheme or a Law"): `run` enforces the proved TVD /
positivity-preserving bound and writes netCDF, `derive` prints the derivations, `generate`
exports the kernel with the bound, and what cannot apply is refused naming why and the
alternative."""

import textwrap

import pytest
import xarray as xr

from mcgen.cli import main

SCALAR = textwrap.dedent("""
    import numpy as np
    import sympy as sp
    from mcgen.model import scalar_law
    from mcgen.model.catalogue.highres import muscl
    u = sp.Symbol("u")
    model = muscl(scalar_law(u, u), "minmod", "godunov", stepper="ssprk22")
    initial = lambda x: np.where(np.abs(x - 0.5) < 0.2, 1.0, 0.0)
    data_range = (0, 1)
    t_end = 0.1
""")

SOD = textwrap.dedent("""
    import numpy as np
    from mcgen.model.catalogue.euler import euler_equations
    model = euler_equations("hllc", "minmod", "primitive")
    _left, _right = (1.0, 0.0, 2.5), (0.125, 0.0, 0.25)
    initial = {f: (lambda x, i=i: np.where(x < 0.5, _left[i], _right[i]))
               for i, f in enumerate(("rho", "m", "E"))}
    bc = "outflow"
    t_end = 0.05
""")


@pytest.fixture
def files(tmp_path):
    (tmp_path / "scalar.py").write_text(SCALAR)
    (tmp_path / "sod.py").write_text(SOD)
    return tmp_path


def test_run_a_highres_scheme_at_the_proved_tvd_bound_and_write_netcdf(files, capsys):
    nc = files / "u.nc"
    assert main(["run", str(files / "scalar.py"), "--cells", "50", "--out", str(nc),
                 "--safety", "1"]) == 0
    out = capsys.readouterr().out
    # minmod MUSCL, SSPRK(2,2): lam <= C_ssp nu_FE / S = 1 * (2/3) / 1; dx = 1/50
    assert "TVD CFL: proved sufficient part: lam <= 2/3" in out
    assert "largest allowed 0.0133333" in out
    with xr.open_dataset(nc) as ds:
        assert ds["u"].shape == (50,) and float(ds["u"].max()) <= 1 + 1e-12
        assert "TVD CFL" in ds.attrs["condition"]
    assert main(["run", str(files / "scalar.py"), "--cells", "50", "--dt", "0.014"]) == 1
    assert "breaks the enforced tvd condition" in capsys.readouterr().err


def test_run_euler_at_the_positivity_bound(files, capsys):
    nc = files / "sod.nc"
    assert main(["run", str(files / "sod.py"), "--cells", "60", "--out", str(nc)]) == 0
    out = capsys.readouterr().out
    assert "condition  : " in out and "positivity" in out.lower()
    with xr.open_dataset(nc) as ds:
        assert set(ds.data_vars) == {"rho", "m", "E"} and float(ds["rho"].min()) > 0
    assert main(["run", str(files / "sod.py"), "--cells", "60", "--dask", "local"]) == 1
    assert "leave --dask out" in capsys.readouterr().err


def test_derive_shows_the_tvd_and_positivity_derivations(files, capsys):
    assert main(["derive", str(files / "scalar.py")]) == 0
    out = capsys.readouterr().out
    assert "Sweby region of the minmod limiter" in out
    assert "TVD CFL bound of muscl-minmod" in out and "sufficient" in out
    assert "Order of accuracy" in out
    assert main(["derive", str(files / "sod.py")]) == 0
    assert "Positivity-preserving bound" in capsys.readouterr().out


def test_generate_exports_the_kernel_with_its_bound(files, capsys):
    out = files / "kernel"
    assert main(["generate", str(files / "scalar.py"), "--backend", "c", "-o", str(out)]) == 0
    assert "enforced condition: TVD CFL: lam <= 2/3" in capsys.readouterr().out
    (header,) = out.glob("*.h")
    assert "lam <= 2/3" in header.read_text()
    assert main(["generate", str(files / "scalar.py"), "--backend", "c", "-o",
                 str(files / "k2"), "--bc", "outflow"]) == 0  # generated since issue 14
    (header,) = (files / "k2").glob("*.h")
    assert "outflow (zero gradient)" in header.read_text()
    assert main(["generate", str(files / "scalar.py"), "-o", str(files / "k3"),
                 "--bc", "reflecting"]) == 1
    assert "'periodic', 'outflow'" in capsys.readouterr().err
