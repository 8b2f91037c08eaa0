"""The committed notebooks' outputs: what they ran on, and nothing of the machine they ran on.

Every notebook prints a fingerprint in its set-up cell (`colorhelpers.tutorial.fingerprint`:
the data's image counts and a hash of its file names and sizes, and a hash of the recipe).
A committed notebook whose fingerprint is not what the current code and data give in a real
run (not fixture mode) shows outputs of something else: it must be executed again
(`make execute`, or `jupyter nbconvert --to notebook --execute --inplace NOTEBOOK`).

`NOT_YET_REEXECUTED` lists the notebooks whose committed outputs predate the fingerprint,
each with why it was not executed again. The list may only shrink: a notebook in it whose
fingerprint matches fails until it is taken off, and one taken off must carry the current
fingerprint. Outputs must not show an absolute path of the machine; those of the listed
notebooks are checked once they are executed again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from colorhelpers import series
from colorhelpers.tutorial import fingerprint, tutorial_settings

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))

#: Notebooks whose committed outputs predate the fingerprint, and why they were not executed again.
NOT_YET_REEXECUTED: dict[str, str] = {}

#: What an absolute path of the machine starts with.
MACHINE_PATHS = re.compile(r"(/work/|/home/|/tmp/|/root/|/Users/)\S*")
FINGERPRINT = re.compile(r"^fingerprint: (.+)$", re.MULTILINE)


def output_text(path: Path) -> str:
    """All text the notebook's code cells printed or displayed (images left out)."""
    return series.output_text(json.loads(path.read_text()))


@pytest.fixture(scope="module")
def current() -> str:
    """The fingerprint a real run (not fixture mode) prints with the current code and data."""
    return fingerprint(tutorial_settings(fixture=False))


def test_the_list_names_existing_notebooks():
    assert set(NOT_YET_REEXECUTED) <= {path.stem for path in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_fingerprint_is_the_current_one(path, current):
    found = FINGERPRINT.findall(output_text(path))
    if path.stem in NOT_YET_REEXECUTED:
        assert current not in found, (f"{path.name} now carries the current fingerprint: "
                                      "take it off NOT_YET_REEXECUTED")
        return
    assert found, f"{path.name} prints no fingerprint in its committed outputs: execute it again"
    assert set(found) == {current}, (f"{path.name} ran on {sorted(set(found))}, the current code and "
                                     f"data give {current!r}: execute it again")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_outputs_show_no_machine_path(path):
    if path.stem in NOT_YET_REEXECUTED:
        pytest.skip(f"outputs predate the fix ({NOT_YET_REEXECUTED[path.stem]})")
    found = sorted({match.group(0) for match in MACHINE_PATHS.finditer(output_text(path))})
    assert not found, f"{path.name} shows paths of the machine it ran on: {found}"


def committed(stem: str) -> str:
    return output_text(next(p for p in NOTEBOOKS if p.stem == stem))


def table_rows(stem: str) -> dict[str, str]:
    """{variant: its printed scores and minutes} of every variant table a notebook printed."""
    return {name: " ".join(row.values()) for name, row in series.variant_rows(committed(stem)).items()}


def test_notebooks_04_and_05_print_the_same_figures_of_the_default_run():
    epochs = series.epoch_ciede2000(committed("04_training"))
    assert len(epochs) >= 2, "notebook 04 prints no per-epoch table"
    best = min(epochs, key=lambda e: float(e[1]))
    shown = re.search(r"best CIEDE2000: epoch (\d+) \((\d+\.\d+)\); last epoch: (\d+\.\d+)",
                      committed("05_evaluation"))
    assert shown, "notebook 05 prints no best and last epoch"
    assert (shown[1], shown[2], shown[3]) == (best[0], best[1], epochs[-1][1])


def test_the_studies_print_the_same_figures_of_the_runs_they_share():
    studies = ("06_training_with_noise", "07_pretrained_encoder", "08_ablation")
    rows = {stem: table_rows(stem) for stem in studies}
    default = {rows["06_training_with_noise"].get("dropout (default)"),
               rows["07_pretrained_encoder"].get("from scratch (default)"),
               rows["08_ablation"].get("colorgan default")}
    assert len(default) == 1 and None not in default, default
    assert rows["06_training_with_noise"]["+ noise channel"] == rows["08_ablation"]["+ noise channel"]
    # Notebook 04's critic comparison trains the conditional critic as notebook 08's "without warm-up".
    critic = re.search(r"^conditional \(pix2pix\)\s+PSNR (\S+)\s+CIEDE2000 (\S+)\s+AuC (\S+)\s+"
                       r"colorfulness (\S+)", committed("04_training"), re.MULTILINE)
    without_warmup = rows["08_ablation"]["without warm-up"].split()[:4]
    assert critic and list(critic.groups()) == without_warmup
