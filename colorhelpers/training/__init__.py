"""Part 4, training (notebooks/04_training): the recipe (`config`, `recipe`), the GAN's step
(`gan`), `fit` with its callbacks (`loop`, `callbacks`), checkpoints, the run directory on disk
(`runs`), and several GPUs or machines (`distribute`)."""

from colorhelpers.training.callbacks import TrainingError
from colorhelpers.training.config import LINEART_RECIPE, MODEL_FIELDS, TrainConfig, describe_schedule
from colorhelpers.training.distribute import choose_strategy
from colorhelpers.training.gan import ColorGAN, build_gan
from colorhelpers.training.loop import train
from colorhelpers.training.runs import RunDirectory, RunError

__all__ = ["LINEART_RECIPE", "MODEL_FIELDS", "ColorGAN", "RunDirectory", "RunError", "TrainConfig",
           "TrainingError", "build_gan", "choose_strategy", "describe_schedule", "train"]
