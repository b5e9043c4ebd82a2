"""The README's Python examples run as written.

Each block runs as a script of its own. The first two (the quick start: its exported kernel is
loaded by later blocks) run first in one scratch folder; the folder is then copied, and the
remaining blocks run in README order in two lanes side by side, one per copy (half the wall
time on two cores). A block that needs a file written by a block of the other lane fails every
time, never by chance: give it its own setup or move it to the quick start.
"""

import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
HEAD = 2  # blocks every later block may rely on


def _run(blocks: list[str], indices: range, folder: Path) -> list[str]:
    failures = []
    for i in indices:
        script = folder / f"block{i}.py"
        script.write_text(blocks[i])
        run = subprocess.run([sys.executable, str(script)], cwd=folder, capture_output=True,
                             text=True, timeout=300)
        if run.returncode != 0:
            failures.append(f"README block {i} failed:\n{blocks[i]}\n{run.stderr[-3000:]}")
    return failures


def test_readme_python_blocks_run(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) >= 5
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    failures = _run(blocks, range(HEAD), first)
    assert not failures, failures[0]
    shutil.copytree(first, second)
    mid = (HEAD + len(blocks)) // 2
    with ThreadPoolExecutor(2) as pool:
        lanes = [pool.submit(_run, blocks, range(HEAD, mid), first),
                 pool.submit(_run, blocks, range(mid, len(blocks)), second)]
        failures = [f for lane in lanes for f in lane.result()]
    assert not failures, "\n\n".join(failures)
