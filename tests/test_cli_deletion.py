"""Issue 10, item 7: deletion without a check. ``mcgen cache clear`` with MCGEN_CACHE_DIR at an
ordinary folder deleted its ``src/`` and ``docs/``; ``--backend src`` was accepted; ``mcgen
generate -o DIR --force`` deleted files in DIR that mcgen did not write. Now clear needs mcgen's
marker file and deletes only mcgen's sub-folders, and --force replaces only the files DIR's
manifest lists as mcgen's."""

import json
import textwrap

import pytest

from mcgen.cli import main
from mcgen.codegen import cache

MODEL = textwrap.dedent("""
    from mcgen.model.catalogue.linear import upwind
    model = upwind()
""")


def _tree(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _project(root):
    for rel in ("src/main.py", "docs/index.md", "c/mine.c"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("the user's own\n")


def test_cache_clear_refuses_a_folder_mcgen_did_not_mark(tmp_path, monkeypatch, capsys):
    root = tmp_path / "project"
    _project(root)
    before = _tree(root)
    monkeypatch.setenv("MCGEN_CACHE_DIR", str(root))
    assert main(["cache", "clear"]) == 1
    assert "not marked as mcgen's kernel cache" in capsys.readouterr().err
    assert main(["cache", "clear", "--backend", "c"]) == 1
    assert _tree(root) == before


def test_cache_clear_deletes_only_mcgens_folders(tmp_path, monkeypatch, capsys):
    root = tmp_path / "cache"
    monkeypatch.setenv("MCGEN_CACHE_DIR", str(root))
    cache.store(cache.cache_key("m", "llvm"), ".o", b"object", "llvm")  # creates and marks it
    assert (root / cache.MARKER).is_file()
    _project(root)  # the user's files land beside mcgen's (c/ is one of mcgen's folders)
    (root / "notes.txt").write_text("keep")
    assert main(["cache", "clear", "--backend", "src"]) == 1
    assert "--backend src" in capsys.readouterr().err and (root / "src" / "main.py").exists()
    assert main(["cache", "clear"]) == 0
    assert _tree(root) == [cache.MARKER, "docs", "docs/index.md", "notes.txt", "src",
                           "src/main.py"]


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("model") / "upwind_model.py"
    p.write_text(MODEL)
    return p


def test_generate_force_replaces_only_mcgens_files(model_file, tmp_path, capsys):
    out = tmp_path / "kernel"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    assert main(["generate", str(model_file), "--backend", "c", "-o", str(out)]) == 1
    assert main(["generate", str(model_file), "--backend", "c", "-o", str(out), "--force"]) == 0
    written = json.loads((out / "manifest.json").read_text())["files"]
    assert (out / "precious.txt").read_text() == "keep me"
    assert set(written) == {p.name for p in out.iterdir()} - {"precious.txt", "manifest.json"}
    # again over its own files: replaced, the user's file still there
    assert main(["generate", str(model_file), "--backend", "c", "-o", str(out), "--force"]) == 0
    assert (out / "precious.txt").read_text() == "keep me"
    # a file mcgen wrote and the user edited since is the user's now: refused, nothing changed
    header = next(n for n in written if n.endswith(".h"))
    (out / header).write_text("/* my edits */\n")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert main(["generate", str(model_file), "--backend", "c", "-o", str(out), "--force"]) == 1
    assert "which mcgen did not write" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_generate_force_refuses_to_overwrite_a_foreign_file(model_file, tmp_path, capsys):
    first = tmp_path / "first"
    assert main(["generate", str(model_file), "--backend", "c", "-o", str(first)]) == 0
    names = sorted(p.name for p in first.iterdir())
    out = tmp_path / "theirs"
    out.mkdir()
    for name in names:  # a folder of the user's files that happen to have mcgen's names
        (out / name).write_text("the user's own\n")
    capsys.readouterr()
    assert main(["generate", str(model_file), "--backend", "c", "-o", str(out), "--force"]) == 1
    assert "nothing was changed" in capsys.readouterr().err
    assert all((out / n).read_text() == "the user's own\n" for n in names)
