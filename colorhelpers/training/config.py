"""Every knob of a colorgan run in one place.

Taught in notebooks/04_training (the training recipe). `colorhelpers.tutorial` reads it to
set the notebooks up.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any


def _shape(default: Any) -> Any:
    """A field that changes the shape of the networks: a run cannot resume if it differs."""
    return dataclasses.field(default=default, metadata={"model_shape": True})


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """The recipe: model sizes, losses, optimizer and data settings of one run.

    The defaults follow pix2pix (Isola et al. 2017) scaled down so that a 128 px
    model trains on a 2-core CPU in minutes, with pix2pix's linear learning-rate decay at
    the end; the L1 term alone trains the generator unless `warmup_epochs` is lowered to let
    the discriminator in (notebook 08 measures both). It is saved as `config.json` in every
    run directory so that a run can always be reloaded with the model it was trained with.
    """

    image_size: int = _shape(128)
    batch_size: int = 16
    epochs: int = 30
    seed: int = 0
    # Model sizes: pix2pix uses 64 filters; 32 keeps a CPU run to minutes.
    generator_filters: int = _shape(32)
    # No generator layer wider than this: pix2pix doubles up to 8 x 32 = 256, but the 1-16 px
    # layers then hold 2/3 of the weights; 128 makes the shipped float16 file 6.9 MB, not 21.
    generator_max_filters: int = _shape(128)
    discriminator_filters: int = _shape(32)
    discriminator_layers: int = _shape(3)
    # The blog post's variants, kept selectable so notebooks 04 and 08 can compare them.
    conditional_discriminator: bool = _shape(True)
    # "tanh" (pix2pix) or "relu_convs" (the blog post's two ReLU convolutions before the tanh).
    generator_head: str = _shape("tanh")
    dropout: float = 0.5
    # Noise (notebook 06): a channel of N(0, 1) next to L, besides or instead of dropout.
    noise_channel: bool = _shape(False)
    # Encoder (notebook 07): "unet" (learned from scratch) or "vgg16"; its starting weights,
    # "imagenet" (downloaded once; random if that fails) or "random".
    encoder: str = _shape("unet")
    encoder_weights: str = "imagenet"
    # Loss and optimizer, from the pix2pix paper.
    l1_weight: float = 100.0
    # Epochs of L1-only training of the generator before the discriminator joins in. On the
    # bundled anime set every adversarial epoch measured so far moved the held-out CIEDE2000
    # away from the truth (30 of 30 epochs of L1: 11.08; 15: 12.73; 24: 13.3 at epoch 28;
    # gray answer 11.63), so the default is L1 throughout; `--warmup 15` trains pix2pix's GAN.
    warmup_epochs: int = 30
    # The last `decay_epochs` epochs lower both learning rates linearly towards zero (pix2pix).
    decay_epochs: int = 10
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    # Polyak averaging: when above 0, every epoch's files (weights, scores, samples) come from
    # an exponential moving average of the generator's weights with this momentum per step
    # (Adam's `use_ema`), not from the last step's. Line art uses it (LINEART_RECIPE).
    generator_average: float = 0.0
    # Transfer (notebook 07): a finished run whose generator's encoder (the down path of the
    # U-Net) starts this one; a path relative to the folder holding this run, so that
    # config.json, and the recipe's hash, say which run it was.
    encoder_from: str = ""
    # Data. "gray": L in, ab out (the input's lightness is kept); "lineart": line art made
    # from each image (`colorhelpers.data.lines`) in, L and ab out (notebook 11).
    kind: str = _shape("gray")
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
        if self.generator_head not in GENERATOR_HEADS:
            raise ValueError(f"generator_head must be one of {GENERATOR_HEADS}, got {self.generator_head!r}")
        if self.encoder not in ("unet", "vgg16"):
            raise ValueError(f"encoder must be 'unet' or 'vgg16', got {self.encoder!r}")
        if self.encoder_weights not in ("imagenet", "random"):
            raise ValueError(f"encoder_weights must be 'imagenet' or 'random', got {self.encoder_weights!r}")
        if self.encoder == "vgg16" and (self.noise_channel or self.generator_head != "tanh"):
            raise ValueError("the vgg16 encoder takes neither a noise channel nor the ReLU-convolutions head")
        if self.encoder == "vgg16" and self.image_size < 32:
            raise ValueError(f"the vgg16 encoder needs image_size >= 32, got {self.image_size}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "lineart" and self.encoder != "unet":
            raise ValueError("line art trains the U-Net encoder only")
        if not 0.0 <= self.generator_average < 1.0:
            raise ValueError(f"generator_average must be in [0, 1), got {self.generator_average}")
        if self.encoder_from and self.encoder != "unet":
            raise ValueError("encoder_from starts a U-Net encoder; the vgg16 encoder has encoder_weights")
        if self.precision not in ("float32", "mixed_float16", "mixed_bfloat16"):
            raise ValueError(f"unknown precision {self.precision!r}")

    def replace(self, **changes: Any) -> TrainConfig:
        """Return a copy with some fields changed (the dataclass is frozen)."""
        return dataclasses.replace(self, **changes)

    def to_json(self) -> str:
        """config.json; fields of `ADDED_FIELDS` left out at their neutral value."""
        values = dataclasses.asdict(self)
        for name, neutral in ADDED_FIELDS.items():
            if values[name] == neutral:
                del values[name]
        return json.dumps(values, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        """The config saved by `to_json`; unknown keys are ignored, old names translated.

        >>> old = TrainConfig.from_json('{"generator_head": "seed", "generator_filters": 32}')
        >>> old.generator_head, old.generator_max_filters
        ('relu_convs', 256)
        """
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in json.loads(text).items() if k in known}
        if values.get("generator_head") == "seed":  # its name before release 0.2
            values["generator_head"] = "relu_convs"
        if "generator_max_filters" not in values:  # runs before release 0.3 used pix2pix's 8 x
            values["generator_max_filters"] = 8 * values.get("generator_filters", cls.generator_filters)
        return cls(**values)


#: What a run learns to color: gray renders (keeping their lightness) or line art.
KINDS = ("gray", "lineart")
#: Fields added after runs were named by the hash of their config.json (`runs.recipe_hash`), with
#: the value that trains as before they existed: at that value `to_json` leaves them out, so a
#: recipe that does not use them keeps its hash, and its finished runs are found, not retrained.
ADDED_FIELDS: dict[str, Any] = {"generator_average": 0.0, "encoder_from": ""}
#: The line-art recipe: the default with these fields changed (notebook 11, `make train-lineart`).
#: Its held-out CIEDE2000 swung from epoch to epoch without an average (epochs 21-30: 17.9 to
#: 28.5, so the shipped epoch was luck); with one of momentum 0.99 (about 100 steps), 17.9 to
#: 18.9, and on Canny line art with hints (bench.lineart) better at every ratio on 20 training
#: portraits (10 % hints 15.19 -> 14.82) and on the held-out characters (13.82 -> 13.77).
LINEART_RECIPE: dict[str, Any] = {"kind": "lineart", "generator_average": 0.99}

#: The generator's last layers: pix2pix's tanh, or the blog post's ReLU convolutions + tanh.
GENERATOR_HEADS = ("tanh", "relu_convs")

#: Fields that change the shape of the networks (marked with `_shape`): a run directory
#: holding one shape cannot be resumed with another.
MODEL_FIELDS = tuple(f.name for f in dataclasses.fields(TrainConfig) if f.metadata.get("model_shape"))
#: Fields a run cannot change when it resumes: the networks' shapes, and whether its checkpoint
#: holds a moving average of the generator's weights (in the weights' place, between epochs).
RESUME_FIELDS = (*MODEL_FIELDS, "generator_average")


def at_budget(config: TrainConfig, epochs: int, image_size: int) -> TrainConfig:
    """The same recipe on a smaller budget: fewer epochs at a smaller size, with the warm-up
    and the learning-rate decay keeping their share of the epochs.

    Notebooks 06-08 compare variants this way, so that a study costs minutes, not hours
    (docs/study-budget.md compares its ranking with the full budget's).

    >>> small = at_budget(TrainConfig(epochs=30, warmup_epochs=15, decay_epochs=10), 10, 64)
    >>> small.epochs, small.warmup_epochs, small.decay_epochs, small.image_size
    (10, 5, 3, 64)
    """
    share = epochs / config.epochs
    return config.replace(epochs=epochs, image_size=image_size,
                          warmup_epochs=round(min(config.warmup_epochs, config.epochs) * share),
                          decay_epochs=round(config.decay_epochs * share))


def describe_schedule(config: TrainConfig) -> str:
    """One line saying what each epoch of a run will do.

    >>> print(describe_schedule(TrainConfig(epochs=30, warmup_epochs=15, decay_epochs=10)))
    ... # doctest: +ELLIPSIS
    epochs 1-15: L1 warm-up (generator only); epochs 16-30: adversarial; learning rates decay ...
    >>> describe_schedule(TrainConfig(epochs=5, warmup_epochs=15, decay_epochs=0))
    'epochs 1-5: L1 only (generator only, no discriminator)'
    """
    warmup = min(config.warmup_epochs, config.epochs)
    parts = []
    if warmup == config.epochs:
        parts.append(f"epochs 1-{warmup}: L1 only (generator only, no discriminator)")
    elif warmup:
        parts.append(f"epochs 1-{warmup}: L1 warm-up (generator only)")
    if warmup < config.epochs:
        parts.append(f"epochs {warmup + 1}-{config.epochs}: adversarial")
    if config.decay_epochs:
        first = max(config.epochs - config.decay_epochs + 1, 1)
        parts.append(f"learning rates decay over epochs {first}-{config.epochs}")
    if config.generator_average:
        parts.append(f"epochs kept as their weights' moving average (momentum {config.generator_average:g})")
    return "; ".join(parts)
