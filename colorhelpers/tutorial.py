"""What every notebook of the series needs before its first lesson: one call sets it up.

Used by every notebook, from notebooks/01_lab_color_space on.

`notebook_setup()` quiets TensorFlow, seeds every random generator, picks the figure format
and returns the `TutorialSettings`: where the data is, where runs go, and the recipe. It
prints the notebook's `fingerprint`: the data and the recipe it ran on, so the committed
outputs say what they came from (tests/test_notebook_outputs.py checks them). Runs are found
by what trained them: `TutorialSettings.run_for` names a run directory by the data and the
recipe, so a changed recipe or data set never reuses an old run. The environment variable
COLORGAN_FIXTURE switches the whole series to a tiny slice of the data (`data/fixture`) and
two short epochs, which is how the tests execute every notebook in minutes. `show_source`
prints the code a notebook teaches, straight from the package, so the page and the package
never disagree; `elapsed` says how long the notebook took, measured.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import textwrap
import time
from pathlib import Path
from typing import Any

from colorhelpers import import_tensorflow_quietly

#: When this module was imported (the first line of a notebook's set-up cell), for `elapsed`.
_IMPORTED = time.perf_counter()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import_tensorflow_quietly()  # before colorhelpers.training, which imports TensorFlow
from colorhelpers import series  # noqa: E402

if os.environ.get(series.RECORD_ENV):  # `make execute` notes what the notebook reads
    series.record_inputs()

from colorhelpers.training.config import TrainConfig, at_budget  # noqa: E402
from colorhelpers.training.runs import recipe_hash, run_key, short_hash  # noqa: E402

#: Environment variable that switches the notebooks to the tiny fixture dataset.
FIXTURE_ENV = "COLORGAN_FIXTURE"

#: Environment variable naming the folder the notebooks write their runs to (default runs/).
RUNS_ENV = "COLORGAN_RUNS"

#: The repository root (the folder holding `colorhelpers/`, `data/`, `notebooks/`).
REPO_ROOT = Path(__file__).resolve().parent.parent

#: The seed of every random generator in the notebooks: reruns give the same numbers.
NOTEBOOK_SEED = 0

#: The data the notebooks train on (all of its train/ folder), and the tests' slice of it.
DEFAULT_DATA = REPO_ROOT / "data" / "anime"
FIXTURE_DATA = REPO_ROOT / "data" / "fixture"
#: Bundled sets of other drawings, for pretraining (notebook 07): another domain than anime.
PRETRAINING_DATA = (REPO_ROOT / "data" / "characters", REPO_ROOT / "data" / "cartoons")

#: The budget of the variant studies (notebooks 06-08): a third of the epochs at half the size,
#: about a tenth of a full run's time; docs/study-budget.md compares its ranking with 30 epochs
#: at 128 px.
STUDY_EPOCHS = 10
STUDY_SIZE = 64

_started: float | None = None  # when the notebook started: the import, or a later set-up


def data_files(folder: Path) -> list[Path]:
    """The files of a data folder that `find_images` looks at (not hidden), sorted by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


@dataclasses.dataclass(frozen=True)
class TutorialSettings:
    """Where the notebooks read data and write their runs, and the recipe they train."""

    fixture: bool
    train_dir: Path
    heldout_dir: Path
    #: The folder every run of the notebooks goes under ($COLORGAN_RUNS, else runs/).
    runs_dir: Path
    config: TrainConfig

    def train_paths(self) -> list[Path]:
        """The training images of every notebook that trains (04, 06, 07, 08): all of train/."""
        from colorhelpers.data.files import find_images

        return find_images(self.train_dir)

    def data_hash(self) -> str:
        """A short hash of the names and sizes of the files in train/ and heldout/."""
        return folders_hash([self.train_dir, self.heldout_dir])

    @property
    def data_runs(self) -> Path:
        """The folder of the runs trained on this data: `<runs>/<data>-<data hash>`."""
        return self.runs_for_data(self.train_dir.parent.name, [self.train_dir, self.heldout_dir])

    def runs_for_data(self, name: str, folders: list[Path]) -> Path:
        """The folder of the runs trained on other data (notebook 07 pretrains on other
        drawings): `<runs>/<name>-<hash of the folders' file names and sizes>`."""
        return self.runs_dir / f"{name}-{folders_hash(folders)}"

    def pretraining_paths(self) -> list[Path]:
        """The training images of the bundled sets that are not anime, DiceBear characters and
        clip-art cartoons (notebook 07 pretrains an encoder on them); every 64th in fixture mode."""
        from colorhelpers.data.files import find_images

        paths = [p for folder in PRETRAINING_DATA for p in find_images(folder / "train")]
        return paths[::64] if self.fixture else paths

    def pretraining_run_for(self, config: TrainConfig) -> Path:
        """The run directory of `config` trained on `pretraining_paths`, named by that data
        and the recipe: `<runs>/characters+cartoons-<data hash>/<kind>-<recipe hash>`."""
        folders = [folder / split for folder in PRETRAINING_DATA for split in ("train", "heldout")]
        name = "+".join(folder.name for folder in PRETRAINING_DATA) + ("-fixture" if self.fixture else "")
        return self.runs_for_data(name, folders) / run_key(config)

    def run_for(self, config: TrainConfig) -> Path:
        """The run directory of `config` trained on this data, named by what trains it:
        `<runs>/<data>-<data hash>/<kind>-<recipe hash>`. Another recipe or other data is
        another folder; every notebook asking for the same recipe gets the same run, so it
        is trained once (by the first notebook that needs it) and read after that."""
        return self.data_runs / run_key(config)

    @property
    def run_dir(self) -> Path:
        """Notebook 04's run (the default recipe), which notebooks 05-10 read."""
        return self.run_for(self.config)

    @property
    def variants_dir(self) -> Path:
        """Where notebooks 06-08 keep the runs of the variants they compare (`run_of` names
        each by its recipe): the same folder as notebook 04's run, so the data is the same."""
        return self.data_runs

    @property
    def study_config(self) -> TrainConfig:
        """The default recipe at the studies' budget (`STUDY_EPOCHS` epochs at `STUDY_SIZE`
        px): notebooks 06-08 train their variants at it, so that a study takes minutes.
        In fixture mode it is the fixture's recipe, already small."""
        if self.fixture:
            return self.config
        return at_budget(self.config, STUDY_EPOCHS, STUDY_SIZE)


def folders_hash(folders: list[Path]) -> str:
    """A short hash of the names and sizes of the files in `folders`: which data it is."""
    listing = [f"{folder.name}/{p.name}\t{p.stat().st_size}"
               for folder in folders for p in data_files(folder)]
    return short_hash("\n".join(listing))


def in_fixture_mode() -> bool:
    """True when `COLORGAN_FIXTURE` is set to a true value (the notebook tests set it)."""
    return os.environ.get(FIXTURE_ENV, "").strip().lower() in ("1", "true", "yes")


def tutorial_settings(fixture: bool | None = None) -> TutorialSettings:
    """The one switch between a real run and the test fixture, read by every notebook.

    A real run trains the default recipe on all of `data/anime/train` at 128 px; fixture
    mode (`COLORGAN_FIXTURE`, or `fixture=True`) trains for two epochs (one of them warm-up)
    at 32 px on `data/fixture`, 24 + 8 of the same images, so the whole series executes in
    a few minutes.
    """
    fixture = in_fixture_mode() if fixture is None else fixture
    runs = Path(os.environ.get(RUNS_ENV) or REPO_ROOT / "runs")
    if fixture:
        data = FIXTURE_DATA
        # No ImageNet download in tests: the VGG-16 encoder starts random.
        config = TrainConfig(image_size=32, batch_size=8, epochs=2, warmup_epochs=1, decay_epochs=1,
                             sample_count=4, encoder_weights="random")
    else:
        data, config = DEFAULT_DATA, TrainConfig()
    return TutorialSettings(fixture=fixture, train_dir=data / "train", heldout_dir=data / "heldout",
                            runs_dir=runs, config=config)


def fingerprint(settings: TutorialSettings) -> str:
    """The data and the recipe a notebook runs on, in one short line.

    The image counts of train/ and heldout/, a hash of their file names and sizes, and a hash
    of the `TrainConfig` JSON: if any of them changes, the notebook's committed outputs
    came from something else (tests/test_notebook_outputs.py).
    """
    counts = [len(data_files(folder)) for folder in (settings.train_dir, settings.heldout_dir)]
    return (f"data {settings.train_dir.parent.name}: {counts[0]} train, {counts[1]} held out, "
            f"files {settings.data_hash()}; recipe {recipe_hash(settings.config)}")


def shown_path(path: Path) -> str:
    """A path as the notebooks print it: relative to the repository, or to $COLORGAN_RUNS,
    never the machine's absolute path."""
    path = Path(path)
    bases = [(REPO_ROOT, "")]
    if os.environ.get(RUNS_ENV):
        bases.insert(0, (Path(os.environ[RUNS_ENV]), f"${RUNS_ENV}/"))
    for base, prefix in bases:
        try:
            return prefix + path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return f".../{path.name}"


def notebook_setup() -> TutorialSettings:
    """Set a notebook up and return its settings; the first code cell of every notebook.

    TensorFlow's start-up log is hidden, every random generator (Python, NumPy, TensorFlow)
    is seeded so that rerunning a notebook gives the same numbers, and inline figures are
    drawn as PNG (stable bytes for the notebook tests, small files for the repository). It
    prints where the data and the runs are, and the notebook's `fingerprint`.
    """
    global _started
    # The first set-up counts from the import (TensorFlow's start included), a rerun from now.
    _started = _IMPORTED if _started is None else time.perf_counter()
    import keras

    keras.utils.set_random_seed(NOTEBOOK_SEED)
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: no inline figures to configure
        shell = None
    else:
        shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
    settings = tutorial_settings()
    print("fixture mode" if settings.fixture else "full run", "-> data in",
          shown_path(settings.train_dir.parent), "-> runs in", shown_path(settings.data_runs))
    print("fingerprint:", fingerprint(settings))
    return settings


def elapsed() -> str:
    """How long the notebook has run since its set-up cell, and on what: the last cell of
    every notebook prints it, so run times are measured, not promised. Under `make execute`
    it also hands over what the notebook read (`colorhelpers.series`)."""
    import tensorflow as tf

    if os.environ.get(series.RECORD_ENV):
        series.save_recorded_inputs(os.environ[series.RECORD_ENV])
    seconds = time.perf_counter() - (_IMPORTED if _started is None else _started)
    gpus = len(tf.config.list_physical_devices("GPU"))
    minutes, rest = divmod(round(seconds), 60)
    took = f"{minutes} min {rest:02d} s" if minutes else f"{seconds:.1f} s"
    return (f"this notebook ran for {took} (from its set-up cell) on {len(os.sched_getaffinity(0))} CPU cores"
            f" and {gpus or 'no'} GPU{'' if gpus == 1 else 's'}")


def show_source(obj: Any, *, start: str | None = None, end: str | None = None) -> Any:
    """The source of a function or class, rendered as Python code in a notebook.

    `start` and `end` cut it to the lines from the first one containing `start` up to and
    including the first later one containing `end`, to show one part of a long function.
    Outside IPython the text itself is returned.
    """
    lines = inspect.getsource(obj).splitlines()
    if start is not None:
        lines = lines[next(i for i, line in enumerate(lines) if start in line):]
    if end is not None:
        lines = lines[: next(i for i, line in enumerate(lines) if end in line) + 1]
    text = textwrap.dedent("\n".join(lines))  # a method's source starts indented
    try:
        from IPython.display import Code
    except ImportError:
        return text
    return Code(text, language="python")
