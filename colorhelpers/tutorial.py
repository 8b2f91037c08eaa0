"""What every notebook of the series needs before its first lesson: one call sets it up.

Used by every notebook, from notebooks/01_lab_color_space on.

`notebook_setup()` quiets TensorFlow, seeds every random generator, picks the figure format
and returns the `TutorialSettings`: where the data is, where runs go, and the recipe. The
environment variable COLORGAN_FIXTURE switches the whole series to a tiny dataset and two
short epochs, which is how the tests execute every notebook in minutes. `show_source`
prints the code a notebook teaches, straight from the package, so the page and the package
never disagree.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import textwrap
from pathlib import Path
from typing import Any

from colorhelpers import import_tensorflow_quietly
from colorhelpers.training.config import TrainConfig

#: Environment variable that switches the notebooks to the tiny fixture dataset.
FIXTURE_ENV = "COLORGAN_FIXTURE"

#: Environment variable naming the folder the notebooks write their runs to (default runs/).
RUNS_ENV = "COLORGAN_RUNS"

#: The repository root (the folder holding `colorhelpers/`, `data/`, `notebooks/`).
REPO_ROOT = Path(__file__).resolve().parent.parent

#: The seed of every random generator in the notebooks: reruns give the same numbers.
NOTEBOOK_SEED = 0


@dataclasses.dataclass(frozen=True)
class TutorialSettings:
    """Where the notebooks read data and write their run, and how long they train."""

    fixture: bool
    train_dir: Path
    heldout_dir: Path
    run_dir: Path
    config: TrainConfig
    #: Where notebooks 06-08 keep the runs of the variants they compare, one folder each.
    variants_dir: Path
    #: The notebooks train on every `train_stride`-th training image: 508 of the 1,524
    #: bundled characters, so one run takes minutes and a reader can rerun it (`make train`,
    #: which makes the shipped model, trains on all of them).
    train_stride: int = 1

    def train_paths(self) -> list[Path]:
        """The training images the notebooks use (every style of the bundled set, in a third)."""
        from colorhelpers.data.files import find_images

        return find_images(self.train_dir)[:: self.train_stride]


def in_fixture_mode() -> bool:
    """True when `COLORGAN_FIXTURE` is set to a true value (the notebook tests set it)."""
    return os.environ.get(FIXTURE_ENV, "").strip().lower() in ("1", "true", "yes")


def tutorial_settings() -> TutorialSettings:
    """The one switch between a real run and the test fixture, read by every notebook.

    A real run trains on a third of the bundled characters (`data/characters`) at 128 px;
    fixture mode trains for two epochs (one of them warm-up) at 32 px on 24 images so the
    whole series executes in a few minutes.
    """
    runs = Path(os.environ.get(RUNS_ENV) or REPO_ROOT / "runs")
    if in_fixture_mode():
        data = REPO_ROOT / "data" / "fixture"
        # No ImageNet download in tests: the VGG-16 encoder starts random.
        config = TrainConfig(image_size=32, batch_size=8, epochs=2, warmup_epochs=1, decay_epochs=1,
                             sample_count=4, encoder_weights="random")
        run_dir = runs / "fixture"
        stride = 1
    else:
        data = REPO_ROOT / "data" / "characters"
        config = TrainConfig()
        run_dir = runs / "notebooks"
        stride = 3
    return TutorialSettings(
        fixture=in_fixture_mode(),
        train_dir=data / "train",
        heldout_dir=data / "heldout",
        run_dir=run_dir,
        config=config,
        variants_dir=run_dir.with_name(run_dir.name + "-variants"),
        train_stride=stride,
    )


def notebook_setup() -> TutorialSettings:
    """Set a notebook up and return its settings; the first code cell of every notebook.

    TensorFlow's start-up log is hidden, every random generator (Python, NumPy, TensorFlow)
    is seeded so that rerunning a notebook gives the same numbers, and inline figures are
    drawn as PNG (stable bytes for the notebook tests, small files for the repository).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import_tensorflow_quietly()
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
    print(("fixture mode" if settings.fixture else "full run"), "-> runs in", settings.run_dir.parent)
    return settings


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
