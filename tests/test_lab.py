"""colorhelpers.color.lab against scikit-image, and in graph mode."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from skimage import color

from colorhelpers.color import (
    AB_SCALE,
    denormalize_lab,
    l_ab_to_rgb,
    lab_to_rgb,
    normalize_lab,
    rgb_to_l_ab,
    rgb_to_lab,
)

CORNERS = np.array(list(itertools.product([0.0, 1.0], repeat=3)))


def random_rgb(n: int = 4000, seed: int = 0) -> np.ndarray:
    rgb = np.random.default_rng(seed).random((n, 3))
    return np.concatenate([rgb, CORNERS]).astype(np.float32)


def test_rgb_to_lab_matches_skimage_on_random_colors_and_corners():
    rgb = random_rgb()
    ours = rgb_to_lab(rgb).numpy()
    expected = color.rgb2lab(rgb.astype(np.float64))
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=0.5)
    # The corners alone: white, black and the six primaries/secondaries, at the gamut's edge.
    np.testing.assert_allclose(ours[-8:], expected[-8:], atol=0.5)


def test_rgb_to_lab_matches_skimage_on_real_images(fixture_train):
    for path in fixture_train[:4]:
        rgb = np.asarray(Image.open(path).convert("RGB"), np.float32) / 255.0
        np.testing.assert_allclose(rgb_to_lab(rgb).numpy(), color.rgb2lab(rgb), atol=0.5)


def test_lab_to_rgb_matches_skimage_on_in_gamut_lab():
    lab = color.rgb2lab(random_rgb(seed=1).astype(np.float64))
    expected = np.clip(color.lab2rgb(lab), 0.0, 1.0)
    np.testing.assert_allclose(lab_to_rgb(lab.astype(np.float32)).numpy(), expected, atol=1 / 255)


def test_lab_to_rgb_clips_out_of_gamut_colors():
    lab = np.array([[50.0, 120.0, -120.0], [100.0, 80.0, 80.0], [0.0, -100.0, 100.0]], np.float32)
    rgb = lab_to_rgb(lab).numpy()
    assert np.all(np.isfinite(rgb)) and rgb.min() >= 0.0 and rgb.max() <= 1.0


def test_rgb_lab_rgb_round_trip():
    rgb = random_rgb(seed=2)
    np.testing.assert_allclose(lab_to_rgb(rgb_to_lab(rgb)).numpy(), rgb, atol=1e-3)
    # And on a batch of images, the shape the pipeline uses.
    images = np.random.default_rng(3).random((2, 8, 8, 3)).astype(np.float32)
    np.testing.assert_allclose(l_ab_to_rgb(*rgb_to_l_ab(images)).numpy(), images, atol=1e-3)


def test_normalize_denormalize_round_trip():
    lab = color.rgb2lab(random_rgb(seed=4).astype(np.float64)).astype(np.float32)
    l_norm, ab_norm = normalize_lab(lab)
    assert l_norm.shape == (*lab.shape[:-1], 1) and ab_norm.shape == (*lab.shape[:-1], 2)
    np.testing.assert_allclose(denormalize_lab(l_norm, ab_norm).numpy(), lab, atol=1e-4)


def test_normalized_srgb_lies_in_unit_range():
    l_norm, ab_norm = (t.numpy() for t in rgb_to_l_ab(random_rgb(seed=5)))
    assert l_norm.min() >= -1.0 - 1e-5 and l_norm.max() <= 1.0 + 1e-5
    assert np.abs(ab_norm).max() <= 1.0
    # The range is actually used: black maps near -1, white near +1.
    assert l_norm.min() < -0.99 and l_norm.max() > 0.99


def test_srgb_gamut_ab_extremes_fit_within_ab_scale():
    # A dense grid over the whole RGB cube, faces included, finds the extremes of a and b.
    steps = np.linspace(0.0, 1.0, 33)
    grid = np.stack(np.meshgrid(steps, steps, steps, indexing="ij"), -1).reshape(-1, 3)
    lab = color.rgb2lab(grid)
    extreme = np.abs(lab[:, 1:]).max()
    assert 90.0 < extreme <= AB_SCALE  # tight enough to use the range, loose enough to hold it
    assert np.abs(rgb_to_lab(grid.astype(np.float32)).numpy()[:, 1:]).max() <= AB_SCALE


def test_conversion_in_graph_mode_matches_eager():
    images = np.random.default_rng(6).random((3, 8, 8, 3)).astype(np.float32)
    eager = rgb_to_lab(images).numpy()
    # Lab values reach ~100; graph-mode op fusion may reorder float32 arithmetic (~1e-4).

    graph = tf.function(rgb_to_lab)(tf.constant(images)).numpy()
    np.testing.assert_allclose(graph, eager, atol=1e-3)

    dataset = tf.data.Dataset.from_tensor_slices(images).map(rgb_to_lab)
    mapped = np.stack([x.numpy() for x in dataset])
    np.testing.assert_allclose(mapped, eager, atol=1e-3)

    back = tf.data.Dataset.from_tensor_slices(eager).map(lab_to_rgb)
    np.testing.assert_allclose(np.stack([x.numpy() for x in back]), lab_to_rgb(eager).numpy(), atol=1e-3)


@pytest.mark.parametrize("function", [rgb_to_lab, lab_to_rgb])
def test_conversion_is_pure_tensorflow_no_python_callback(function):
    graph = (
        tf.function(function).get_concrete_function(tf.TensorSpec([None, None, 3], tf.float32)).graph
    )
    types = {op.type for op in graph.get_operations()}
    assert types, "the traced graph is empty"
    assert not types & {"PyFunc", "EagerPyFunc", "NumpyFunction"}, types


def test_python_callback_detection_is_not_vacuous():
    """The check above would catch the blog post's tf.numpy_function(skimage.color.rgb2lab)."""

    def blog_post_style(rgb):
        return tf.numpy_function(lambda x: color.rgb2lab(x).astype(np.float32), [rgb], tf.float32)

    spec = tf.TensorSpec([None, None, 3], tf.float32)
    graph = tf.function(blog_post_style).get_concrete_function(spec).graph
    types = {op.type for op in graph.get_operations()}
    assert types & {"PyFunc", "EagerPyFunc", "NumpyFunction"}
