"""The wheel carries the resources the app loads at run time (icon, style sheets, sample).

The wheel is built offline (``--no-isolation``: the venv's setuptools) from a copy of the
sources in tmp_path, so the test neither writes ``build/`` into the working tree nor picks
up files a previous build left there.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = [
    "nerstudio/resources/__init__.py",
    "nerstudio/resources/icon.svg",
    "nerstudio/resources/light.qss",
    "nerstudio/resources/dark.qss",
    "nerstudio/resources/sample/sample.jsonl",
    *(f"nerstudio/resources/icons/nerstudio-{n}.png" for n in (16, 32, 48, 64, 128, 256)),
]


@pytest.fixture(scope="module")
def wheel_path(tmp_path_factory) -> Path:
    pytest.importorskip("build", reason="the 'build' package is not installed (pip install build)")
    pytest.importorskip("setuptools", reason="--no-isolation builds with the venv's setuptools")
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "nerstudio", src / "nerstudio", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (path,) = out.glob("nerstudio-*.whl")
    return path


@pytest.fixture
def wheel(wheel_path) -> zipfile.ZipFile:
    with zipfile.ZipFile(wheel_path) as archive:
        yield archive


def test_the_wheel_holds_every_resource(wheel):
    names = set(wheel.namelist())

    missing = [name for name in RESOURCES if name not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert wheel.read("nerstudio/resources/sample/sample.jsonl").count(b"\n") >= 250
    assert wheel.read("nerstudio/resources/icons/nerstudio-256.png").startswith(b"\x89PNG")
    assert not [n for n in names if n.startswith(("packaging/", "tests/"))]


def test_resources_load_through_importlib():
    folder = resources.files("nerstudio.resources")

    assert folder.joinpath("icon.svg").read_text("utf-8").lstrip().startswith("<?xml")
    assert "QDockWidget" in folder.joinpath("dark.qss").read_text("utf-8")
    sample = folder / "sample" / "sample.jsonl"
    assert sample.is_file()
    for n in (16, 256):
        assert (folder / "icons" / f"nerstudio-{n}.png").read_bytes().startswith(b"\x89PNG")


# Run from inside the zipped wheel (as a frozen app runs from an archive): the resources
# and the sample install must not assume files on disk.
FROM_THE_WHEEL = """
import sys
from importlib import resources
from pathlib import Path

wheel, data = sys.argv[1], Path(sys.argv[2])
sys.path.insert(0, wheel)
import nerstudio
assert nerstudio.__file__.startswith(wheel), nerstudio.__file__
from nerstudio.core.sample import install_sample_project
from nerstudio.core.store import Project

assert resources.files("nerstudio.resources").joinpath("light.qss").read_text("utf-8")
with Project.open(install_sample_project(data)) as project:
    print(project.stats().documents)
"""


def test_the_sample_installs_from_inside_the_wheel(wheel_path, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", FROM_THE_WHEEL, str(wheel_path), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["300"]
