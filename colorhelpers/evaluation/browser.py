"""Notebook 05's epoch browser: every epoch of a run, on held-out images, under a slider.

Taught in notebooks/05_evaluation. The widgets call `EpochBrowser.show` and `compare`; an
epoch's colors come from the previews the run kept for every epoch (or, for an epoch whose
generator was kept, from the generator itself) and are computed once.

A run previews a fixed number of held-out images (`callbacks.PREVIEW_IMAGES`, the first
ones); an epoch whose generator was not kept can only be shown for those. `previewed_paths`
picks them, so that a browser of them offers every epoch of the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from colorhelpers.data.pipeline import eval_batches
from colorhelpers.evaluation.trained import load_generator
from colorhelpers.scoring.metrics import predict_ab
from colorhelpers.scoring.plotting import gray_output_truth, show_images
from colorhelpers.training.config import TrainConfig
from colorhelpers.training.runs import RunDirectory, RunError, read_preview


def preview_names(path: Path) -> list[str]:
    """The image names a preview file holds (reads only those, not the colors)."""
    try:
        with np.load(path) as arrays:
            return [str(n) for n in arrays["names"]]
    except (OSError, ValueError, EOFError, KeyError) as err:
        raise RunError(f"{path}: damaged ({err})") from None


def previewed_paths(run: RunDirectory, paths: list[Path]) -> list[Path]:
    """Those of `paths` whose colors the run kept for every epoch (in its newest preview);
    all of `paths` if the run has no previews."""
    previewed = run.previewed_epochs()
    if not previewed:
        return list(paths)
    names = set(preview_names(run.preview(previewed[-1])))
    return [p for p in paths if p.name in names]


@dataclass
class EpochBrowser:
    """Gray input, output and truth of held-out images, for every saved epoch of a run.

    The notebook's widgets call `show` and `compare`; predictions are computed once per
    epoch and kept, so moving a slider back is instant.
    """

    run: RunDirectory
    image_paths: list[Path]
    _l: np.ndarray = field(init=False, repr=False)
    _ab: np.ndarray = field(init=False, repr=False)
    _outputs: dict[int, np.ndarray] = field(default_factory=dict, init=False, repr=False)
    _previewed: list[int] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        config: TrainConfig = self.run.read_config()
        batches = list(eval_batches(self.image_paths, config.image_size))
        self._l = np.concatenate([b[0] for b in batches])
        self._ab = np.concatenate([b[1] for b in batches])
        # Each epoch's preview is asked on its own whether it holds every browsed image.
        wanted = set(self.names)
        self._previewed = [epoch for epoch in self.run.previewed_epochs()
                           if wanted <= set(preview_names(self.run.preview(epoch)))]

    @property
    def epochs(self) -> list[int]:
        """Every epoch with kept weights, or with a preview of all the browsed images (every
        epoch of the run when they are among its previewed ones, see `previewed_paths`)."""
        return sorted(set(self.run.saved_epochs()) | set(self._previewed))

    def _predict(self, epoch: int) -> np.ndarray:
        """ab of the browsed images at `epoch`: from the epoch's preview, else its generator."""
        if epoch in self._previewed:
            ab, names = read_preview(self.run.preview(epoch))
            return ab[[names.index(name) for name in self.names]]
        generator, _ = load_generator(self.run, epoch)
        return predict_ab(generator, self._l)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.image_paths]

    def triple(self, epoch: int, image: int, saturation: float = 1.0) -> list[np.ndarray]:
        """[gray input, output at `epoch`, ground truth] of held-out image number `image`."""
        if epoch not in self._outputs:
            self._outputs[epoch] = self._predict(epoch)
        sl = slice(image, image + 1)
        ab = np.clip(self._outputs[epoch][sl] * saturation, -1.0, 1.0)
        return [x[0] for x in gray_output_truth(self._l[sl], ab, self._ab[sl])]

    def show(self, epoch: int, image: int, saturation: float = 1.0) -> None:
        """Widget callback: gray input, the output of `epoch`, and the truth, side by side."""
        import matplotlib.pyplot as plt

        title = f"epoch {epoch}" + (f", saturation {saturation:g}" if saturation != 1.0 else "")
        show_images(self.triple(epoch, image, saturation), ["gray input", title, "ground truth"])
        plt.show()

    def compare(self, epoch_a: int, epoch_b: int, image: int) -> None:
        """Widget callback: the outputs of two epochs side by side, with the truth."""
        import matplotlib.pyplot as plt

        _, first, truth = self.triple(epoch_a, image)
        second = self.triple(epoch_b, image)[1]
        show_images([first, second, truth], [f"epoch {epoch_a}", f"epoch {epoch_b}", "ground truth"])
        plt.show()
