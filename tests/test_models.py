"""colorhelpers.models.pix2pix: shapes, ranges, and the two defects of the blog post."""

from __future__ import annotations

import contextlib

import keras
import numpy as np
import pytest

from colorhelpers.models import build_discriminator, build_generator


def random_l(size: int, batch: int = 2, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (batch, size, size, 1)).astype(np.float32)


@pytest.mark.parametrize("size", [32, 64])
def test_generator_output_shape_and_range(size):
    keras.utils.set_random_seed(0)
    generator = build_generator(size, filters=8)
    ab = np.asarray(generator(random_l(size), training=False))
    assert ab.shape == (2, size, size, 2)
    assert np.all(np.isfinite(ab)) and ab.min() >= -1.0 and ab.max() <= 1.0
    assert ab.std() > 0  # not a constant


def test_default_generator_can_paint_every_hue():
    """pix2pix's tanh head: a and b take both signs, so greens (a<0) and blues (b<0) exist."""
    keras.utils.set_random_seed(1)
    generator = build_generator(32, filters=8, head="tanh")
    ab = np.asarray(generator(random_l(32, batch=4), training=False))
    for channel, name in ((0, "a"), (1, "b")):
        assert ab[..., channel].min() < 0 < ab[..., channel].max(), name


def test_relu_convs_head_cannot_paint_green_or_blue():
    """The blog post's head (ReLU convolutions, then tanh) never outputs a negative a or b."""
    for seed in range(3):
        keras.utils.set_random_seed(seed)
        generator = build_generator(32, filters=8, head="relu_convs")
        ab = np.asarray(generator(random_l(32, batch=4, seed=seed), training=False))
        assert ab.min() >= 0.0
        assert ab.shape == (4, 32, 32, 2)


def test_generator_rejects_unknown_head():
    with pytest.raises(ValueError, match="head"):
        build_generator(32, filters=8, head="sigmoid")


def test_discriminator_gives_one_logit_per_patch():
    size = 64
    discriminator = build_discriminator(size, filters=8, n_layers=3)
    rng = np.random.default_rng(0)
    l_norm = rng.uniform(-1, 1, (2, size, size, 1)).astype(np.float32)
    ab = rng.uniform(-1, 1, (2, size, size, 2)).astype(np.float32)
    logits = np.asarray(discriminator([l_norm, ab], training=False))
    assert logits.ndim == 4 and logits.shape[0] == 2 and logits.shape[-1] == 1
    assert 1 < logits.shape[1] < size and 1 < logits.shape[2] < size
    assert np.all(np.isfinite(logits))


@pytest.mark.parametrize("conditional", [True, False])
def test_discriminator_sees_l_only_when_conditional(conditional):
    size = 32
    keras.utils.set_random_seed(0)
    discriminator = build_discriminator(size, filters=8, n_layers=2, conditional=conditional)
    rng = np.random.default_rng(1)
    ab = rng.uniform(-1, 1, (2, size, size, 2)).astype(np.float32)
    l_one = rng.uniform(-1, 1, (2, size, size, 1)).astype(np.float32)
    l_two = rng.uniform(-1, 1, (2, size, size, 1)).astype(np.float32)
    out_one = np.asarray(discriminator([l_one, ab], training=False))
    out_two = np.asarray(discriminator([l_two, ab], training=False))
    if conditional:
        assert not np.allclose(out_one, out_two)
    else:
        assert np.allclose(out_one, out_two)
    # Either way it does look at ab.
    other_ab = rng.uniform(-1, 1, ab.shape).astype(np.float32)
    assert not np.allclose(out_one, np.asarray(discriminator([l_one, other_ab], training=False)))


def test_parameter_counts_grow_with_filters():
    generators = [build_generator(32, filters=f).count_params() for f in (4, 8, 16)]
    discriminators = [build_discriminator(32, filters=f).count_params() for f in (4, 8, 16)]
    assert generators[0] < generators[1] < generators[2]
    assert discriminators[0] < discriminators[1] < discriminators[2]


def _mixed_float16():
    try:
        from colorhelpers.training.recipe import dtype_policy
    except ImportError:  # pragma: no cover - fallback if training.py changes
        dtype_policy = None
    if dtype_policy is not None:
        return dtype_policy("mixed_float16")

    @contextlib.contextmanager
    def fallback():
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy("mixed_float16")
        try:
            yield
        finally:
            keras.config.set_dtype_policy(previous)

    return fallback()


def test_generator_under_mixed_float16_outputs_finite_float32():
    before = keras.config.dtype_policy().name
    with _mixed_float16():
        generator = build_generator(32, filters=8)
        discriminator = build_discriminator(32, filters=8)
    assert keras.config.dtype_policy().name == before  # the policy was restored
    # The policy really applied: the inner layers compute in float16.
    assert any(layer.compute_dtype == "float16" for layer in generator.layers)
    l_norm = random_l(32)
    ab = generator(l_norm, training=False)
    assert ab.dtype == "float32"
    ab = np.asarray(ab)
    assert np.all(np.isfinite(ab)) and np.abs(ab).max() <= 1.0
    logits = discriminator([l_norm, ab], training=False)
    assert logits.dtype == "float32" and np.all(np.isfinite(np.asarray(logits)))
