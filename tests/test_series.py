"""colorhelpers.series: `make execute` runs a notebook again only when something it read changed."""

from __future__ import annotations

import json
import subprocess

import nbformat
import pytest

from colorhelpers import series

#: A notebook that reads one file and lists one folder, as the series' notebooks read data.
CELLS = [
    "import os\nfrom colorhelpers import series\nseries.record_inputs()",
    "text = open('../data/a.txt').read()\nnames = sorted(os.listdir('../data/folder'))\nprint(text, names)",
    "here = os.listdir('.')  # the kernel's working folder: the notebooks' own, no input",
    "series.save_recorded_inputs(os.environ[series.RECORD_ENV])",
]


@pytest.fixture
def project(tmp_path):
    """A tiny repository: data/a.txt, data/b.txt, data/folder/, notebooks/01_tiny.ipynb."""
    (tmp_path / "data" / "folder").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "data" / "a.txt").write_text("one")
    (tmp_path / "data" / "b.txt").write_text("never read")
    (tmp_path / "data" / "folder" / "x.png").write_bytes(b"x")
    (tmp_path / ".gitignore").write_text("data/folder/*.tmp\n")
    notebook = tmp_path / "notebooks" / "01_tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS]), notebook)
    notebook.with_suffix(".py").write_text("# the paired script\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path, notebook


def run(project) -> list[str]:
    root, notebook = project
    return series.execute([notebook], stamps_file=root / "notebooks" / "inputs.json", root=root)


def stale(project) -> list[str]:
    root, notebook = project
    return series.changed_inputs(notebook, series.read_stamps(root / "notebooks" / "inputs.json"), root)


def test_only_what_the_notebook_read_makes_it_run_again(project):
    root, notebook = project
    assert stale(project) == ["never executed by make execute"]
    assert run(project) == ["01_tiny"]
    stamp = json.loads((root / "notebooks" / "inputs.json").read_text())["01_tiny"]["inputs"]
    assert {"data/a.txt", "data/folder/", "notebooks/01_tiny.py"} <= set(stamp)
    assert "data/b.txt" not in stamp
    assert "one ['x.png']" in str(nbformat.read(notebook, as_version=4).cells[1].outputs)
    assert run(project) == [] and stale(project) == []  # nothing changed: nothing runs

    (root / "data" / "b.txt").write_text("changed, but never read")
    (root / "notebooks" / "02_other.ipynb").write_text("{}")  # another notebook of the series, executed
    (root / "data" / "folder" / "ignored.tmp").write_text("git ignores it")
    assert stale(project) == []

    (root / "data" / "a.txt").write_text("two")
    assert stale(project) == ["data/a.txt"]
    assert run(project) == ["01_tiny"] and stale(project) == []

    (root / "data" / "folder" / "y.png").write_bytes(b"y")  # a new file in a folder it lists
    assert stale(project) == ["data/folder/"]
    notebook.with_suffix(".py").write_text("# the script was edited\n")
    assert set(stale(project)) == {"data/folder/", "notebooks/01_tiny.py"}


def test_a_notebook_changed_by_hand_runs_again(project):
    root, notebook = project
    run(project)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[1].outputs = []
    nbformat.write(nb, notebook)
    assert stale(project) == ["01_tiny.ipynb itself was changed since"]


def test_check_says_which_are_out_of_date(project, capsys, monkeypatch):
    root, notebook = project
    monkeypatch.setattr(series, "STAMPS", root / "notebooks" / "inputs.json")
    monkeypatch.setattr(series, "REPO_ROOT", root)
    assert series.main(["--check", str(notebook)]) == 1
    assert "01_tiny: out of date: never executed" in capsys.readouterr().out
