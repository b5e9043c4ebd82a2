"""Issue 10 item 8 and issue 11: snapshots hold the state, time and step count of one instant;
a resume needs the writing model's hash; damaged or inconsistent files get one clear error
(:class:`SnapshotError`) naming the file; nothing the user had is overwritten.

The runs use upwind at nu = a dt/dx = 1 on a 50-cell ring: each step shifts the data exactly
one cell, so the state after n steps is ``roll(u0, n)`` (to rounding) and a state that does
not belong to its step count is seen at once.
"""

import json
import zipfile

import numpy as np
import pytest

from mcgen.errors import ModelError
from mcgen.model.catalogue.linear import ftcs_advection, upwind
from mcgen.run import Simulation
from mcgen.run.snapshots import SnapshotError, load_snapshot

N = 50  # not a divisor of the 64-step chunks of a run: a state 64 steps off shows
U0 = np.sin(2 * np.pi * (np.arange(N) + 0.5) / N)


def shifting(**kw):
    return Simulation(upwind(), (N, (0.0, 1.0)), U0, params={"a": 1.0}, dt=1.0 / N,
                      backend="numpy", **kw)


def consistent(state, t, step):
    return np.allclose(state["u"], np.roll(U0, step), rtol=0, atol=1e-12) and \
        t == pytest.approx(step / N, rel=1e-12)


def test_an_interrupt_inside_a_run_leaves_state_time_and_step_together(tmp_path, monkeypatch):
    # the old loop assigned the new state, then checked it, then the step count, then t: a
    # Ctrl-C in between left a state up to 64 steps past its time stamp, and saved it so
    calls = {"n": 0}

    def interrupted(*args):  # the blow-up check after each chunk of 64 steps (data stay finite)
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return True

    sim = shifting()
    monkeypatch.setattr(Simulation, "_finite", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sim.run(4.0)
    assert sim.step_count == 128 and consistent(sim.state, sim.t, sim.step_count)
    snap = load_snapshot(sim.save(tmp_path / "s.npz"))
    assert consistent(snap.fields, snap.t, snap.step)


def test_periodic_snapshots_record_their_own_instant(tmp_path):
    sim = shifting()
    sim.run(1.0, snapshot_every=10 / N, snapshot_path=tmp_path / "s.npz")
    snaps = sorted(tmp_path.glob("s_*.npz"))
    assert len(snaps) == 5
    for p in snaps:
        snap = load_snapshot(p)
        assert snap.step % 10 == 0 and consistent(snap.fields, snap.t, snap.step)


def test_a_run_refuses_to_write_over_earlier_snapshots_before_it_starts(tmp_path):
    (tmp_path / "s_0002.npz").write_bytes(b"earlier")
    sim = shifting()
    with pytest.raises(ModelError, match="s_0002.npz exists and this run would write over it"):
        sim.run(1.0, snapshot_every=10 / N, snapshot_path=tmp_path / "s.npz")
    assert sim.step_count == 0 and (tmp_path / "s_0002.npz").read_bytes() == b"earlier"


def test_save_over_an_existing_file_needs_overwrite(tmp_path):
    keep = tmp_path / "mine.npz"
    keep.write_bytes(b"the user's data")
    sim = shifting()
    with pytest.raises(ModelError, match="the file exists; choose another name or pass "
                                         "overwrite=True"):
        sim.save(keep)
    assert keep.read_bytes() == b"the user's data"
    sim.save(keep, overwrite=True)
    assert load_snapshot(keep).step == 0


def test_an_unsupported_extension_is_refused(tmp_path):
    with pytest.raises(ModelError, match=r"extension '\.txt' is not one mcgen writes"):
        shifting().save(tmp_path / "state.txt")


# ---------------------------------------------------------------- resume needs the model's hash

def rewrite_meta(path, **changes):
    """Edit a .npz snapshot's metadata (None deletes a key), as a tampered file would."""
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    for k, v in changes.items():
        if v is None:
            meta.pop(k, None)
        else:
            meta[k] = v
    arrays["meta"] = np.array(json.dumps(meta))
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


@pytest.fixture
def snapshot(tmp_path):
    sim = shifting()
    sim.run(10 / N)
    return sim.save(tmp_path / "s.npz")


def test_resume_continues_exactly(snapshot):
    again = Simulation.resume(snapshot, upwind(), backend="numpy")
    assert again.step_count == 10 and again.t == pytest.approx(10 / N, rel=1e-12)
    again.run(20 / N)
    assert consistent(again.state, again.t, again.step_count)


def test_a_snapshot_without_a_model_hash_is_not_resumed(snapshot):
    rewrite_meta(snapshot, model_hash=None)
    with pytest.raises(SnapshotError, match="records no model hash"):
        Simulation.resume(snapshot, upwind(), backend="numpy")


def test_a_snapshot_of_another_model_is_not_resumed(snapshot):
    with pytest.raises(SnapshotError, match="was written by model 'upwind .*but resume got "
                                            "'FTCS"):
        Simulation.resume(snapshot, ftcs_advection(), backend="numpy", unsafe=True)


@pytest.mark.parametrize("changes, what", [
    ({"dt": float("inf")}, "unusable time step: dt = inf"),
    ({"dt": -0.5}, "unusable time step: dt = -0.5"),
    ({"step": -3}, "records the step count -3"),
    ({"step": 2.5}, "records the step count 2.5"),
    ({"t": float("nan")}, "records the time t = nan"),
    ({"t": -1.0}, "records the time t = -1.0"),
    ({"shape": [32]}, r"field 'u' has shape \(50,\) .* not the grid's shape \(32,\)"),
    ({"shape": [0]}, "invalid grid: grid cells = 0"),
    ({"bounds": [[0, "x"]]}, "invalid grid"),
    ({"t": None}, r"lacks \['t'\]"),
])
def test_inconsistent_snapshots_are_refused(snapshot, changes, what):
    rewrite_meta(snapshot, **changes)
    with pytest.raises(SnapshotError, match=what):
        Simulation.resume(snapshot, upwind(), backend="numpy")


@pytest.mark.parametrize("damage, what", [
    (lambda p: p.write_bytes(p.read_bytes()[:200]), "cannot be read .*BadZipFile"),
    (lambda p: p.write_bytes(b"not a zip file at all"), "cannot be read"),
    (lambda p: p.write_text(json.dumps({"t": 0})), "cannot be read"),
])
def test_damaged_files_give_one_clear_error(snapshot, damage, what):
    damage(snapshot)
    with pytest.raises(SnapshotError, match=f"snapshot .*s.npz {what}"):
        load_snapshot(snapshot)


def test_a_zip_without_the_entries_is_named(tmp_path):
    p = tmp_path / "foreign.npz"
    np.savez(p, something=np.zeros(3))
    with pytest.raises(SnapshotError, match="no 'meta' entry: it was not written by mcgen"):
        load_snapshot(p)
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("meta.npy", b"garbage")
    with pytest.raises(SnapshotError, match="cannot be read"):
        load_snapshot(p)


def test_a_snapshot_with_other_fields_than_the_model_is_not_resumed(snapshot):
    with np.load(snapshot) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["field_v"] = arrays["field_u"]
    with open(snapshot, "wb") as fh:
        np.savez(fh, **arrays)
    with pytest.raises(SnapshotError, match=r"holds the fields \['u', 'v'\] and the model has "
                                            r"\['u'\]"):
        Simulation.resume(snapshot, upwind(), backend="numpy")


def test_a_field_of_the_wrong_shape_or_with_nan_is_refused(tmp_path, snapshot):
    with np.load(snapshot) as z:
        arrays = {k: z[k] for k in z.files}
    for bad, what in ((np.zeros((8, 8)), r"shape \(8, 8\)"), (np.full(N, np.nan), "NaN or inf")):
        with open(snapshot, "wb") as fh:
            np.savez(fh, **{**arrays, "field_u": bad})
        with pytest.raises(SnapshotError, match=what):
            load_snapshot(snapshot)


def test_a_damaged_netcdf_file_is_named(tmp_path):
    p = tmp_path / "s.nc"
    shifting().save(p)
    p.write_bytes(p.read_bytes()[:100])
    with pytest.raises(SnapshotError, match="s.nc cannot be read"):
        load_snapshot(p)
