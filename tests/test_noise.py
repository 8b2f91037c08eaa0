"""colorhelpers.models.noise and the generator's noise options (notebook 06)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from colorhelpers.models import NoiseChannel, build_generator
from colorhelpers.training import TrainConfig, build_gan, train


def random_l(size: int, batch: int = 2) -> np.ndarray:
    return np.random.default_rng(0).uniform(-1, 1, (batch, size, size, 1)).astype(np.float32)


def test_noise_channel_is_gaussian_in_training_and_zero_at_inference():
    layer = NoiseChannel(seed=3)
    x = np.full((4, 32, 32, 1), 0.25, np.float32)
    train_out = np.asarray(layer(x, training=True))
    infer_out = np.asarray(layer(x, training=False))
    assert train_out.shape == infer_out.shape == (4, 32, 32, 2)
    np.testing.assert_array_equal(train_out[..., :1], x)  # the input passes through unchanged
    noise = train_out[..., 1]
    assert abs(noise.mean()) < 0.05 and abs(noise.std() - 1) < 0.05
    np.testing.assert_array_equal(infer_out[..., 1], 0)
    # A new draw at every call.
    assert not np.array_equal(noise, np.asarray(layer(x, training=True))[..., 1])


def test_generator_with_noise_channel_varies_only_in_training():
    keras.utils.set_random_seed(0)
    generator = build_generator(32, filters=8, dropout=0.0, noise_channel=True)
    assert generator.get_layer("noise").output.shape[-1] == 2
    l_norm = random_l(32)
    # Inference is deterministic (zero noise); training mode draws new noise each call
    # (batch norm uses batch statistics in both training calls, so only the noise differs).
    np.testing.assert_array_equal(generator(l_norm, training=False), generator(l_norm, training=False))
    first, second = generator(l_norm, training=True), generator(l_norm, training=True)
    assert not np.allclose(first, second)


def test_generator_without_noise_or_dropout_is_deterministic_in_training():
    keras.utils.set_random_seed(0)
    generator = build_generator(32, filters=8, dropout=0.0)
    l_norm = random_l(32)
    np.testing.assert_array_equal(generator(l_norm, training=True), generator(l_norm, training=True))


def test_noise_channel_run_trains_resumes_and_reloads(tmp_path, fixture_train, fixture_heldout):
    from colorhelpers.evaluation import load_generator, open_run

    config = TrainConfig(image_size=32, batch_size=8, epochs=1, generator_filters=8,
                         discriminator_filters=8, sample_count=2, noise_channel=True, dropout=0.0,
                         warmup_epochs=0)
    rows = train(fixture_train, fixture_heldout, tmp_path, config, verbose=0)
    assert np.isfinite(rows[-1]["ciede2000"])
    generator, epoch = load_generator(open_run(tmp_path))
    assert epoch == 1 and generator.get_layer("noise") is not None
    # Resuming without the noise channel is a different model: refused with the field named.
    from colorhelpers.training import RunError

    with pytest.raises(RunError, match="noise_channel"):
        train(fixture_train, fixture_heldout, tmp_path, config.replace(noise_channel=False, epochs=2),
              verbose=0)


def test_noise_channel_is_checkpointed_state():
    """The noise stream is a variable of the generator, so a resumed run draws on where it was."""
    gan = build_gan(TrainConfig(image_size=16, generator_filters=4, discriminator_filters=4,
                                noise_channel=True))
    layer = gan.generator.get_layer("noise")
    assert any(v is layer.seed_generator.state for v in gan.generator.variables)


def test_output_spread_sees_noise_and_leaves_the_generator_as_it_was():
    from colorhelpers.models import output_spread

    keras.utils.set_random_seed(0)
    l_norm = random_l(32, batch=4)
    quiet = build_generator(32, filters=8, dropout=0.0)
    noisy = build_generator(32, filters=8, dropout=0.0, noise_channel=True)
    before = [np.copy(w) for w in noisy.get_weights()]
    assert output_spread(quiet, l_norm, draws=3) == pytest.approx(0.0, abs=1e-4)
    assert output_spread(noisy, l_norm, draws=3) > 1e-3
    for a, b in zip(before, noisy.get_weights()):
        np.testing.assert_array_equal(a, b)  # moving statistics restored
