"""Issue 11: the shipped model, any image shape, the saturation control, failure diagnostics."""

from __future__ import annotations

import os
import subprocess
import sys

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest
import tensorflow as tf
from conftest import REPO, colorful_array
from PIL import Image

from colorhelpers.color import luma, normalize_lab, rgb_to_lab
from colorhelpers.colorize import colorize_rgb
from colorhelpers.colorize.grid import network_shape, predict_on_grid
from colorhelpers.data import decode_rgb, eval_batches
from colorhelpers.evaluation import SHIPPED_RUN, diagnostics, load_generator, open_run, ship_run
from colorhelpers.models import build_generator
from colorhelpers.scoring import colorfulness, evaluate_generator
from colorhelpers.training import RunDirectory, TrainConfig, train

#: The issue's limit on the committed generator file.
MAX_SHIPPED_BYTES = 10 * 1024 * 1024


def luma_levels(rgb_uint8: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb_uint8).convert("L"), np.int16)


# --- the shipped model -------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    run = open_run(SHIPPED_RUN)
    generator, epoch = load_generator(run)
    return run, generator, epoch


def test_shipped_generator_is_small_and_trained_by_the_default_recipe(shipped):
    run, _, epoch = shipped
    weights = run.generator_weights(epoch)
    assert weights.stat().st_size <= MAX_SHIPPED_BYTES
    config = run.read_config()
    default = TrainConfig()
    # Trained with the default recipe (make train), for all its epochs.
    assert config.replace(seed=default.seed) == default and epoch == config.epochs
    assert len(run.read_metrics()) == config.epochs


def test_shipped_model_colors_the_fixture(shipped, fixture_heldout):
    run, generator, _ = shipped
    size = run.read_config().image_size
    rgb = decode_rgb(str(fixture_heldout[0]))
    gray = np.repeat(luma(rgb).numpy()[..., None], 3, axis=-1)  # colorize a gray picture
    out = colorize_rgb(generator, gray, size)
    assert out.shape == gray.shape and out.dtype == np.uint8
    assert np.abs(luma_levels(out) - np.round(gray[..., 0] * 255)).max() <= 1
    assert colorfulness(out[None] / 255.0)[0] > 5.0  # it painted something


def test_colorize_without_run_uses_the_shipped_model(fixture_heldout, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "colorhelpers", "colorize", "--input", str(fixture_heldout[0]),
         "--output", str(tmp_path), "--saturation", "0.8"],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr
    assert "shipped model" in result.stdout
    assert (tmp_path / f"{fixture_heldout[0].stem}.png").exists()


@pytest.mark.parametrize("value", ["-1", "9", "nan"])
def test_saturation_out_of_range_is_one_line(fixture_heldout, tmp_path, value):
    result = subprocess.run(
        [sys.executable, "-m", "colorhelpers", "colorize", "--input", str(fixture_heldout[0]),
         "--output", str(tmp_path), "--saturation", value],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 2 and "--saturation" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_ship_run_replaces_the_shipped_epoch(fixture_train, fixture_heldout, tmp_path):
    config = TrainConfig(image_size=16, batch_size=8, epochs=1, generator_filters=4,
                         discriminator_filters=4, warmup_epochs=1, decay_epochs=0, sample_count=2)
    source = tmp_path / "run"
    train(fixture_train, fixture_heldout, source, config, verbose=0)
    destination = tmp_path / "shipped"
    RunDirectory(destination).generator_weights(7).parent.mkdir(parents=True)
    RunDirectory(destination).generator_weights(7).write_bytes(b"an older shipped epoch")
    weights = ship_run(RunDirectory(source), destination)
    shipped_run = open_run(destination)
    assert shipped_run.saved_epochs() == [1] and weights == shipped_run.generator_weights(1)
    assert shipped_run.read_config() == config
    load_generator(shipped_run)  # reads back


# --- any shape -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def any_size_generator():
    return build_generator(32, 4, any_size=True)


@pytest.mark.parametrize("shape", [(40, 100), (100, 40), (33, 65)])
def test_non_square_images_keep_size_and_luma(any_size_generator, shape):
    rgb = colorful_array(shape[1], seed=5, height=shape[0]) / 255.0
    out = colorize_rgb(any_size_generator, rgb, 32)
    assert out.shape == (*shape, 3)
    target = np.round(luma(rgb).numpy() * 255)
    assert np.abs(luma_levels(out) - target).max() <= 1


def test_aspect_fit_runs_the_network_at_the_images_proportions(any_size_generator):
    l_full, _ = normalize_lab(rgb_to_lab(colorful_array(100, seed=6, height=40) / 255.0))
    # shorter side 40 -> 32 px, longer 100 -> 80 px, padded to 96 for the network, cropped back
    assert network_shape(40, 100, 32) == (32, 80)
    # ...and predicted on the working grid, here the input's own size (a 32 px model is
    # smaller than FINE_SIDE; the grid never is)
    assert predict_on_grid(any_size_generator, l_full[None], 32).shape == (1, 40, 100, 2)
    assert predict_on_grid(any_size_generator, l_full[None], 32, fit="squash").shape == (1, 32, 32, 2)


def test_square_images_are_colored_the_same_either_way(any_size_generator):
    rgb = colorful_array(32, seed=7) / 255.0  # at the model's size: one grid either way
    np.testing.assert_array_equal(colorize_rgb(any_size_generator, rgb, 32),
                                  colorize_rgb(any_size_generator, rgb, 32, fit="squash"))


def test_a_square_only_network_still_colors_any_shape():
    square_only = build_generator(32, 4)  # as trained: fixed input size
    rgb = colorful_array(80, seed=8, height=30) / 255.0
    assert colorize_rgb(square_only, rgb, 32).shape == (30, 80, 3)


def test_unknown_fit_is_a_value_error(any_size_generator):
    with pytest.raises(ValueError, match="fit must be one of"):
        colorize_rgb(any_size_generator, colorful_array(32, seed=9) / 255.0, 32, fit="crop")


# --- saturation ------------------------------------------------------------------------------


class ConstantColor:
    """A stand-in generator that paints every pixel the same (a, b)."""

    def __init__(self, ab):
        self.ab = np.asarray(ab, np.float32)
        self.input_shape = (None, 32, 32, 1)

    def __call__(self, l_norm, training=None):
        return tf.broadcast_to(self.ab, tf.concat([tf.shape(l_norm)[:3], [2]], axis=0))


def test_saturation_zero_is_gray_and_more_is_more_colorful():
    painter = ConstantColor([0.3, -0.2])
    rgb = colorful_array(32, seed=10) / 255.0
    outputs = {s: colorize_rgb(painter, rgb, 32, saturation=s) for s in (0.0, 0.5, 1.0, 2.0)}
    gray = outputs[0.0].astype(np.int16)
    assert np.abs(gray - gray[..., :1]).max() <= 1  # R = G = B
    fullness = [colorfulness(outputs[s][None] / 255.0)[0] for s in (0.0, 0.5, 1.0, 2.0)]
    assert fullness == sorted(fullness) and fullness[0] < 1.0 < fullness[-1]


def test_evaluate_at_saturation_zero_is_the_gray_answer(fixture_heldout):
    batches = list(eval_batches(fixture_heldout, 32))
    painted = evaluate_generator(ConstantColor([0.4, 0.4]), batches, saturation=0.0)
    assert painted == pytest.approx(evaluate_generator(None, batches))


def test_saturation_sweep_scores_each_saturation(fixture_heldout):
    batches = list(eval_batches(fixture_heldout, 32))
    rows = diagnostics.saturation_sweep(ConstantColor([0.2, 0.1]), batches, [0.0, 1.0, 2.0])
    assert [r["saturation"] for r in rows] == [0.0, 1.0, 2.0]
    ratios = [r["colorfulness_ratio"] for r in rows]
    assert ratios[0] < 1e-3 < ratios[1] < ratios[2]
    assert diagnostics.plot_saturation_sweep(rows).axes


# --- failures ----------------------------------------------------------------------------------


class TrueExceptOne:
    """Returns the true ab for every image except one, which it paints blue."""

    def __init__(self, ab_true, wrong: int):
        self.ab_true, self.wrong = ab_true, wrong

    def __call__(self, l_norm, training=None):
        ab = self.ab_true.copy()
        ab[self.wrong] = [0.0, -0.5]
        return ab


def test_worst_images_finds_and_explains_the_bad_one(fixture_heldout):
    l_norm, ab_true = (np.asarray(x) for x in next(iter(eval_batches(fixture_heldout, 32))))
    failures = diagnostics.worst_images(TrueExceptOne(ab_true, wrong=3), l_norm, ab_true, count=2)
    assert failures[0].index == 3 and failures[0].ciede2000 > failures[1].ciede2000
    assert failures[0].painted_color == "blue" and failures[1].ciede2000 == pytest.approx(0, abs=1e-6)
    assert "painted blue" in failures[0].why() and "worse than gray" in failures[0].why()


@pytest.mark.parametrize(("true", "painted", "says"), [
    ("red", "gray", "left gray"), ("gray", "green", "invented"), ("orange", "orange", "right hue"),
    ("orange", "blue", "guessed the other"),
])
def test_failure_sentences(true, painted, says):
    failure = diagnostics.Failure(0, 12.0, 9.0, 0.25, true, painted)
    assert says in failure.why() and "25%" in failure.why()


class GrayOneBlueAnother:
    """True ab except two images: the most colorful left gray, the dullest painted faintly blue."""

    def __init__(self, ab_true, gray: int, blue: int):
        self.ab_true, self.gray, self.blue = ab_true, gray, blue

    def __call__(self, l_norm, training=None):
        ab = self.ab_true.copy()
        ab[self.gray] = 0.0
        ab[self.blue] = [0.0, -0.04]
        return ab


def test_worst_images_against_gray_ranks_by_the_margin_over_gray(fixture_heldout):
    l_norm, ab_true = (np.asarray(x) for x in next(iter(eval_batches(fixture_heldout, 32))))
    chroma = np.hypot(ab_true[..., 0], ab_true[..., 1]).mean(axis=(1, 2))
    colorful, dull = int(chroma.argmax()), int(chroma.argmin())
    generator = GrayOneBlueAnother(ab_true, gray=colorful, blue=dull)
    by_error = diagnostics.worst_images(generator, l_norm, ab_true, count=2)
    by_margin = diagnostics.worst_images(generator, l_norm, ab_true, count=2, against_gray=True)
    # The gray one is the hardest picture but no worse than gray; the blue one is the failure.
    assert [f.index for f in by_error] == [colorful, dull]
    assert [f.index for f in by_margin] == [dull, colorful]
    assert by_margin[0].ciede2000 > by_margin[0].gray_ciede2000
    assert by_margin[1].ciede2000 == pytest.approx(by_margin[1].gray_ciede2000, abs=1e-4)


def all_blue(l_norm, training=None):
    """A stand-in generator that paints any batch blue."""
    return np.broadcast_to(np.array([0.0, -0.5], np.float32), (*np.shape(l_norm)[:3], 2))


def test_failure_pictures_show_gray_input_output_and_truth(fixture_heldout):
    l_norm, ab_true = (np.asarray(x) for x in next(iter(eval_batches(fixture_heldout, 32))))
    failures = diagnostics.worst_images(all_blue, l_norm, ab_true, count=1)
    (gray, output, truth), = diagnostics.failure_pictures(all_blue, l_norm, ab_true, failures)
    assert gray.dtype == np.uint8 and gray.shape == truth.shape == output.shape
    assert np.ptp(gray.astype(int), axis=-1).max() <= 1  # no color in the gray input
    assert output[..., 2].mean() > truth[..., 2].mean()  # painted blue
