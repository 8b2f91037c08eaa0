"""Every knob of a colorgan run in one place.

Taught in notebooks/04_training (the training recipe) and used by every notebook
(`tutorial_settings`, which switches the whole series to the tiny test fixture).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

#: Environment variable that switches the notebooks to the tiny fixture dataset.
FIXTURE_ENV = "COLORGAN_FIXTURE"

#: Environment variable naming the folder the notebooks write their runs to (default runs/).
RUNS_ENV = "COLORGAN_RUNS"

#: The repository root (the folder holding `colorhelpers/`, `data/`, `notebooks/`).
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """The recipe: model sizes, losses, optimiser and data settings of one run.

    The defaults follow pix2pix (Isola et al. 2017) scaled down so that a 128 px
    model trains on a 2-core CPU in minutes, plus an L1-only warm-up (half the epochs) and
    pix2pix's linear learning-rate decay at the end; notebook 08 measures both. It is
    saved as `config.json` in every
    run directory so that a run can always be reloaded with the model it was trained with.
    """

    image_size: int = 128
    batch_size: int = 16
    epochs: int = 30
    seed: int = 0
    # Model sizes: pix2pix uses 64 filters; 32 keeps a CPU run to minutes.
    generator_filters: int = 32
    discriminator_filters: int = 32
    discriminator_layers: int = 3
    # The seed post's variants, kept selectable so notebook 04 can compare them.
    conditional_discriminator: bool = True
    generator_head: str = "tanh"  # "tanh" (pix2pix) or "seed" (ReLU convs, then tanh)
    dropout: float = 0.5
    # Noise (notebook 06): a channel of N(0, 1) next to L, besides or instead of dropout.
    noise_channel: bool = False
    # Encoder (notebook 07): "unet" (learned from scratch) or "vgg16"; its starting weights,
    # "imagenet" (downloaded once; random if that fails) or "random".
    encoder: str = "unet"
    encoder_weights: str = "imagenet"
    # Loss and optimiser, from the pix2pix paper.
    l1_weight: float = 100.0
    # Epochs of L1-only training of the generator before the discriminator joins in.
    warmup_epochs: int = 15
    # The last `decay_epochs` epochs lower both learning rates linearly towards zero (pix2pix).
    decay_epochs: int = 10
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    # Data.
    flip: bool = True
    # Speed: "float32", "mixed_float16" or "mixed_bfloat16"; XLA compilation of the train step.
    precision: str = "float32"
    jit_compile: bool = False
    # How many held-out images the per-epoch sample grid shows.
    sample_count: int = 6

    def __post_init__(self) -> None:
        if self.image_size < 16 or self.image_size & (self.image_size - 1):
            raise ValueError(f"image_size must be a power of two >= 16, got {self.image_size}")
        if self.batch_size < 1 or self.epochs < 1:
            raise ValueError("batch_size and epochs must be positive")
        if self.warmup_epochs < 0 or self.decay_epochs < 0:
            raise ValueError("warmup_epochs and decay_epochs must be >= 0")
        if self.generator_head not in ("tanh", "seed"):
            raise ValueError(f"generator_head must be 'tanh' or 'seed', got {self.generator_head!r}")
        if self.encoder not in ("unet", "vgg16"):
            raise ValueError(f"encoder must be 'unet' or 'vgg16', got {self.encoder!r}")
        if self.encoder_weights not in ("imagenet", "random"):
            raise ValueError(f"encoder_weights must be 'imagenet' or 'random', got {self.encoder_weights!r}")
        if self.encoder == "vgg16" and (self.noise_channel or self.generator_head != "tanh"):
            raise ValueError("the vgg16 encoder takes neither a noise channel nor the seed's head")
        if self.encoder == "vgg16" and self.image_size < 32:
            raise ValueError(f"the vgg16 encoder needs image_size >= 32, got {self.image_size}")
        if self.precision not in ("float32", "mixed_float16", "mixed_bfloat16"):
            raise ValueError(f"unknown precision {self.precision!r}")

    def replace(self, **changes: Any) -> TrainConfig:
        """Return a copy with some fields changed (the dataclass is frozen)."""
        return dataclasses.replace(self, **changes)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in json.loads(text).items() if k in known})


def describe_schedule(config: TrainConfig) -> str:
    """One line saying what each epoch of a run will do.

    >>> print(describe_schedule(TrainConfig(epochs=30, warmup_epochs=15, decay_epochs=10)))
    ... # doctest: +ELLIPSIS
    epochs 1-15: L1 warm-up (generator only); epochs 16-30: adversarial; learning rates decay ...
    >>> describe_schedule(TrainConfig(epochs=5, warmup_epochs=15, decay_epochs=0))
    'epochs 1-5: L1 warm-up (generator only)'
    """
    warmup = min(config.warmup_epochs, config.epochs)
    parts = []
    if warmup:
        parts.append(f"epochs 1-{warmup}: L1 warm-up (generator only)")
    if warmup < config.epochs:
        parts.append(f"epochs {warmup + 1}-{config.epochs}: adversarial")
    if config.decay_epochs:
        first = max(config.epochs - config.decay_epochs + 1, 1)
        parts.append(f"learning rates decay over epochs {first}-{config.epochs}")
    return "; ".join(parts)


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


def in_fixture_mode() -> bool:
    """True when `COLORGAN_FIXTURE` is set to a true value (the notebook tests set it)."""
    return os.environ.get(FIXTURE_ENV, "").strip().lower() in ("1", "true", "yes")


def tutorial_settings() -> TutorialSettings:
    """The one switch between a real run and the test fixture, read by every notebook.

    A real run trains on the bundled cartoons (`data/cartoons`) at 128 px; fixture mode
    trains for two epochs (one of them warm-up) at 32 px on 24 images so the whole series
    executes in a few minutes.
    """
    runs = Path(os.environ.get(RUNS_ENV) or REPO_ROOT / "runs")
    if in_fixture_mode():
        data = REPO_ROOT / "data" / "fixture"
        # No ImageNet download in tests: the VGG-16 encoder starts random.
        config = TrainConfig(image_size=32, batch_size=8, epochs=2, warmup_epochs=1, decay_epochs=1,
                             sample_count=4, encoder_weights="random")
        run_dir = runs / "fixture"
    else:
        data = REPO_ROOT / "data" / "cartoons"
        config = TrainConfig()
        run_dir = runs / "cartoons"
    return TutorialSettings(
        fixture=in_fixture_mode(),
        train_dir=data / "train",
        heldout_dir=data / "heldout",
        run_dir=run_dir,
        config=config,
        variants_dir=run_dir.with_name(run_dir.name + "-variants"),
    )
