"""Using a trained run: opening it, colorizing images of any size, scoring, browsing epochs."""

from __future__ import annotations

import os
import re
import shutil

os.environ.setdefault("MPLBACKEND", "Agg")

import cv2
import matplotlib
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from colorhelpers.color import LUMA_WEIGHTS, l_ab_to_rgb, luma, normalize_lab, rgb_to_lab, with_luma
from colorhelpers.colorize import Colorizer, colorize_path, colorize_rgb
from colorhelpers.evaluation import EpochBrowser, evaluate_run, load_generator, open_run
from colorhelpers.models import build_generator
from colorhelpers.scoring import predict_ab
from colorhelpers.training import RunDirectory, RunError, TrainConfig, train

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SIZE = 32
CONFIG = TrainConfig(image_size=SIZE, batch_size=8, epochs=2, generator_filters=8,
                     discriminator_filters=8, sample_count=4, warmup_epochs=1)


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory, fixture_train, fixture_heldout) -> RunDirectory:
    root = tmp_path_factory.mktemp("eval_run")
    train(fixture_train, fixture_heldout, root, CONFIG, verbose=0)
    return RunDirectory(root)


@pytest.fixture(scope="module")
def generator(trained_run):
    model, epoch = load_generator(trained_run)
    assert epoch == 2
    return model


def pil_luma(rgb_uint8: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb_uint8).convert("L"), np.int16)


def luma_psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((pil_luma(a).astype(np.float64) - pil_luma(b)) ** 2)
    return float(10 * np.log10(255.0**2 / max(mse, 1e-10)))


def heldout_image(fixture_heldout, height: int, width: int, index: int = 0) -> np.ndarray:
    with Image.open(fixture_heldout[index]) as image:
        return np.asarray(image.convert("RGB").resize((width, height), Image.Resampling.BICUBIC))


# --- opening runs ------------------------------------------------------------------------


def test_open_run_on_empty_folder(tmp_path):
    with pytest.raises(RunError, match="no trained run"):
        open_run(tmp_path)


def test_open_run_and_default_epoch(trained_run):
    run = open_run(trained_run.root)
    assert run.saved_epochs() == [1, 2]
    _, epoch = load_generator(run, 1)
    assert epoch == 1


def test_load_generator_unknown_epoch_lists_saved_epochs(trained_run):
    with pytest.raises(RunError) as info:
        load_generator(trained_run, 7)
    message = str(info.value)
    assert "7" in message
    saved = message[message.index("kept"):]
    assert re.search(r"\b1\b", saved) and re.search(r"\b2\b", saved), message


@pytest.mark.filterwarnings("ignore:Skipping nested container:UserWarning")
@pytest.mark.parametrize("other", [(16, 8), (32, 16)], ids=["smaller-image", "more-filters"])
def test_weights_of_another_model_raise_run_error(trained_run, tmp_path, other):
    run = RunDirectory(shutil.copytree(trained_run.root, tmp_path / "run"))
    build_generator(*other).save_weights(run.generator_weights(1))
    with pytest.raises(RunError) as info:
        load_generator(run, 1)
    assert type(info.value) is RunError  # not a raw ValueError from Keras
    assert "epoch_001.weights.h5" in str(info.value)
    _, epoch = load_generator(run, 2)  # the untouched epoch still loads
    assert epoch == 2


# --- colorizing images of any size ------------------------------------------------------


@pytest.mark.parametrize("shape", [(301, 181), (17, 53)])
def test_colorize_keeps_size(generator, fixture_heldout, shape):
    rgb = heldout_image(fixture_heldout, *shape)
    out = colorize_rgb(generator, rgb / 255.0, SIZE)
    assert out.dtype == np.uint8
    assert out.shape == (*shape, 3)


@pytest.mark.parametrize("kind", ["gray", "color"])
@pytest.mark.parametrize("shape", [(301, 181), (17, 53)])
def test_colorize_keeps_the_input_luma(generator, fixture_heldout, kind, shape):
    rgb = heldout_image(fixture_heldout, *shape, index=1)
    if kind == "gray":
        rgb = np.repeat(np.asarray(Image.fromarray(rgb).convert("L"))[..., None], 3, axis=-1)
    out = colorize_rgb(generator, rgb / 255.0, SIZE)
    difference = np.abs(pil_luma(out) - pil_luma(rgb))
    assert np.mean(difference <= 1) >= 0.99, np.bincount(difference.ravel())
    assert difference.max() <= 2
    if kind == "gray":
        # It did colorize something: a gray output would be no answer at all.
        assert np.abs(out.astype(int) - out.mean(axis=-1, keepdims=True)).max() > 0


# JPEG: decode_rgb must decode as PIL does (the accurate DCT), or the luma shifts.
@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_colorize_path_keeps_the_luma_other_programs_see(generator, fixture_heldout, tmp_path, fmt):
    """Converting the written PNG to gray gives the gray that PIL reads from the input file."""
    source = tmp_path / f"input.{fmt.lower()}"
    Image.fromarray(heldout_image(fixture_heldout, 90, 60, index=2)).save(source, fmt, quality=90)
    written = colorize_path(Colorizer(generator, SIZE), source, tmp_path / "out")
    assert written == tmp_path / "out" / "input.png"
    with Image.open(written) as out, Image.open(source) as original:
        assert out.size == original.size == (60, 90)
        difference = np.abs(pil_luma(np.asarray(out)) - pil_luma(np.asarray(original.convert("RGB"))))
    assert np.mean(difference <= 1) >= 0.99 and difference.max() <= 2, difference.max()


def _checkerboard(size: int = 256, square: int = 4) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size]
    board = ((y // square + x // square) % 2).astype(np.uint8) * 255
    return np.repeat(board[..., None], 3, axis=-1)


def _lines(size: int = 256) -> np.ndarray:
    """Text-like: thin dark strokes of varying lengths on white."""
    image = np.full((size, size), 255, np.uint8)
    rng = np.random.default_rng(3)
    for top in range(8, size - 8, 12):
        left = 8
        while left < size - 16:
            length = int(rng.integers(3, 20))
            image[top : top + 2, left : left + length] = 0
            image[top - 4 : top + 4, left : left + 1] = 0
            left += length + int(rng.integers(2, 6))
    return np.repeat(image[..., None], 3, axis=-1)


def _blog_post_colorize(generator, rgb_uint8: np.ndarray, size: int) -> np.ndarray:
    """The blog post's approach: colorize at the model size, then resize the RGB result."""
    rgb = tf.convert_to_tensor(rgb_uint8 / 255.0, tf.float32)
    small = tf.image.resize(rgb[None], [size, size], method="area", antialias=True)
    l_small, _ = normalize_lab(rgb_to_lab(small))
    ab_small = predict_ab(generator, l_small.numpy())
    rgb_small = l_ab_to_rgb(l_small, ab_small)[0].numpy()
    height, width = rgb_uint8.shape[:2]
    big = cv2.resize(rgb_small, (width, height), interpolation=cv2.INTER_CUBIC)
    return np.clip(np.rint(big * 255), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("make", [_checkerboard, _lines], ids=["checkerboard", "lines"])
def test_colorize_keeps_edges_sharp(generator, make):
    sharp = make()
    ours = luma_psnr(colorize_rgb(generator, sharp / 255.0, SIZE), sharp)
    blog_post = luma_psnr(_blog_post_colorize(generator, sharp, SIZE), sharp)
    assert ours > 40, f"our luma PSNR {ours:.1f} dB"
    assert blog_post < 25, f"the blog post's luma PSNR {blog_post:.1f} dB"
    assert ours - blog_post > 20


def test_with_luma_properties():
    rng = np.random.default_rng(0)
    n = 20000
    rgb = rng.uniform(0, 1, (n, 3)).astype(np.float32)
    rgb[:500] = rng.integers(0, 2, (500, 3))  # corners of the cube: saturated colors
    rgb[500:700] = rng.uniform(0, 1, (200, 1))  # grays
    target = rng.uniform(0, 1, n).astype(np.float32)
    target[::7] = 0.0
    target[1::7] = 1.0
    target[2::7] = rng.uniform(0.98, 1.0, len(target[2::7]))

    out = with_luma(tf.constant(rgb), tf.constant(target)).numpy().astype(np.float64)
    weights = np.array(LUMA_WEIGHTS)
    assert np.allclose(luma(rgb).numpy(), rgb.astype(np.float64) @ weights, atol=1e-6)

    assert out.min() >= 0.0 and out.max() <= 1.0
    out_luma = out @ weights
    np.testing.assert_allclose(out_luma, target, atol=1e-4)

    offset_in = rgb - (rgb.astype(np.float64) @ weights)[:, None]
    offset_out = out - out_luma[:, None]
    norm2 = np.sum(offset_in**2, axis=1)
    colored = norm2 > 1e-6
    scale = np.sum(offset_out * offset_in, axis=1)[colored] / norm2[colored]
    residual = offset_out[colored] - scale[:, None] * offset_in[colored]
    assert np.abs(residual).max() < 1e-4, "the hue changed"
    assert scale.min() >= -1e-5, "the color flipped to its opposite"
    assert scale.max() <= 1 + 1e-4, "the color was made more saturated"
    # Desaturated only as much as needed: when shrunk, some channel touches the cube's side.
    shrunk = scale < 1 - 1e-3
    assert shrunk.any() and (~shrunk).any()
    touches = (out[colored].min(axis=1) < 1e-4) | (out[colored].max(axis=1) > 1 - 1e-4)
    assert np.all(touches[shrunk])
    # Gray inputs stay gray.
    np.testing.assert_allclose(offset_out[~colored], 0, atol=1e-4)


# --- scores ------------------------------------------------------------------------------


@pytest.mark.parametrize("epoch", [1, 2])
def test_evaluate_run_matches_metrics_csv(trained_run, fixture_heldout, epoch):
    heldout_dir = fixture_heldout[0].parent
    scores = evaluate_run(trained_run, heldout_dir, epoch)
    assert set(scores) == {"epoch", "images", "psnr", "ciede2000", "auc", "colorfulness_ratio",
                           "auc_rebalanced", "colorfulness_gap"}
    assert scores["epoch"] == epoch
    assert scores["images"] == len(fixture_heldout)
    row = next(r for r in trained_run.read_metrics() if r["epoch"] == epoch)
    for key in ("psnr", "ciede2000", "auc", "colorfulness_ratio"):
        # metrics.csv scored the float32 generator; the weights file holds it in float16.
        assert scores[key] == pytest.approx(row[key], rel=1e-3), key


def test_evaluate_run_reads_heldout_of_a_split_dataset(trained_run, fixture_heldout):
    split = evaluate_run(trained_run, fixture_heldout[0].parent.parent)
    direct = evaluate_run(trained_run, fixture_heldout[0].parent)
    assert split == direct
    assert split["epoch"] == 2


# --- the epoch browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(trained_run, fixture_heldout):
    return EpochBrowser(trained_run, fixture_heldout[:3])


def test_browser_epochs_and_triples(browser, fixture_heldout):
    assert browser.epochs == [1, 2]
    assert browser.names == [p.name for p in fixture_heldout[:3]]
    gray, first, truth = browser.triple(1, 2)
    for image in (gray, first, truth):
        assert image.dtype == np.uint8 and image.shape == (SIZE, SIZE, 3)
    spread = gray.max(axis=-1).astype(int) - gray.min(axis=-1)
    assert spread.max() <= 1, "the gray input is not gray"  # Lab rounding: 1 level at most
    assert not np.array_equal(gray, truth)
    second = browser.triple(2, 2)[1]
    assert not np.array_equal(first, second), "epochs 1 and 2 gave the same output"
    # The same image's gray input and truth whichever the epoch.
    assert np.array_equal(browser.triple(2, 2)[0], gray)
    assert np.array_equal(browser.triple(2, 2)[2], truth)
    assert not np.array_equal(browser.triple(2, 0)[2], truth)


@pytest.mark.parametrize("call", ["show", "compare"])
def test_browser_figures(browser, call):
    plt.close("all")
    if call == "show":
        browser.show(2, 0)
    else:
        browser.compare(1, 2, 1)
    try:
        assert len(plt.get_fignums()) == 1
        axes = plt.gcf().axes
        assert len(axes) == 3
        assert all(len(ax.images) == 1 for ax in axes)
        titles = " ".join(ax.get_title() for ax in axes)
        assert "epoch 2" in titles
        if call == "compare":
            assert "epoch 1" in titles
    finally:
        plt.close("all")
