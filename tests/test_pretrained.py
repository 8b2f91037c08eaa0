"""colorhelpers.models.vgg16: the VGG-16 U-Net and the download of its ImageNet weights.

No test downloads anything: the download path is exercised with a local file served
through a file:// URL, and with a refused connection on the loopback address.
"""

from __future__ import annotations

import hashlib

import keras
import numpy as np
import pytest

from colorhelpers.models import build_vgg16_generator, imagenet_vgg16_weights
from colorhelpers.models.vgg16 import VGG16_TAPS, PretrainedWeightsWarning
from colorhelpers.training import TrainConfig, train

SIZE = 32


@pytest.fixture(scope="module")
def local_vgg16_weights(tmp_path_factory):
    """A VGG-16 weights file (random values) standing in for the published ImageNet one."""
    import h5py
    from keras.src.legacy.saving.legacy_h5_format import save_weights_to_hdf5_group

    keras.utils.set_random_seed(7)
    path = tmp_path_factory.mktemp("published") / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    vgg = keras.applications.VGG16(include_top=False, weights=None, input_shape=(SIZE, SIZE, 3))
    with h5py.File(path, "w") as file:  # the legacy HDF5 layout of the published file
        save_weights_to_hdf5_group(file, vgg)
    return path


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "keras-cache"


def vgg_kernels(generator: keras.Model) -> list[np.ndarray]:
    encoder = generator.get_layer("vgg16_encoder")
    return [np.asarray(encoder.get_layer(name).kernel) for name in VGG16_TAPS]


def test_download_fetches_checks_and_caches_the_file(local_vgg16_weights, cache):
    md5 = hashlib.md5(local_vgg16_weights.read_bytes()).hexdigest()
    path = imagenet_vgg16_weights(local_vgg16_weights.as_uri(), md5, cache)
    assert path == cache / "models" / local_vgg16_weights.name
    assert path.read_bytes() == local_vgg16_weights.read_bytes()
    # The second call finds the cached copy: the source may be gone.
    local_vgg16_weights.rename(local_vgg16_weights.with_suffix(".moved"))
    try:
        assert imagenet_vgg16_weights(local_vgg16_weights.as_uri(), md5, cache) == path
    finally:
        local_vgg16_weights.with_suffix(".moved").rename(local_vgg16_weights)


def test_download_failure_warns_and_returns_none(cache):
    with pytest.warns(PretrainedWeightsWarning, match="random"):
        assert imagenet_vgg16_weights("http://127.0.0.1:9/vgg16_notop.h5", cache_dir=cache) is None


def test_corrupt_download_is_refused(local_vgg16_weights, cache):
    with pytest.warns(PretrainedWeightsWarning, match="could not download"):
        assert imagenet_vgg16_weights(local_vgg16_weights.as_uri(), "0" * 32, cache) is None


def test_pretrained_encoder_is_loaded_and_frozen(local_vgg16_weights):
    generator = build_vgg16_generator(SIZE, filters=8, weights_file=local_vgg16_weights)
    reference = keras.applications.VGG16(include_top=False, weights=None, input_shape=(SIZE, SIZE, 3))
    reference.load_weights(local_vgg16_weights)
    for name, kernel in zip(VGG16_TAPS, vgg_kernels(generator)):
        np.testing.assert_array_equal(kernel, reference.get_layer(name).kernel, err_msg=name)
    assert not generator.get_layer("vgg16_encoder").trainable
    # Only the decoder learns: no VGG weight is among the trainable ones.
    encoder_ids = {id(w) for w in generator.get_layer("vgg16_encoder").weights}
    assert generator.trainable_weights and not encoder_ids & {id(w) for w in generator.trainable_weights}


def test_random_encoder_is_frozen_unless_asked():
    generator = build_vgg16_generator(SIZE, filters=8)
    assert not generator.get_layer("vgg16_encoder").trainable
    ab = np.asarray(generator(np.zeros((2, SIZE, SIZE, 1), np.float32), training=False))
    assert ab.shape == (2, SIZE, SIZE, 2) and np.all(np.abs(ab) <= 1)
    trained = build_vgg16_generator(SIZE, filters=8, trainable_encoder=True)
    encoder_ids = {id(w) for w in trained.get_layer("vgg16_encoder").weights}
    assert encoder_ids <= {id(w) for w in trained.trainable_weights}


def test_vgg16_input_is_an_imagenet_style_gray_image():
    """L = -1 (black) and 1 (white) reach VGG-16 as 0 and 255 minus the ImageNet mean."""
    generator = build_vgg16_generator(SIZE, filters=8)
    to_vgg = keras.Model(generator.input, generator.get_layer("imagenet_mean").output)
    black_and_white = np.concatenate([np.full((1, SIZE, SIZE, 1), -1.0), np.ones((1, SIZE, SIZE, 1))])
    out = np.asarray(to_vgg(black_and_white.astype(np.float32)))
    np.testing.assert_allclose(out[0, 0, 0], [-103.939, -116.779, -123.68], atol=1e-3)
    np.testing.assert_allclose(out[1, 0, 0], [255 - 103.939, 255 - 116.779, 255 - 123.68], atol=1e-3)


def test_offline_run_records_that_it_used_random_weights(tmp_path, monkeypatch,
                                                         fixture_train, fixture_heldout):
    monkeypatch.setattr("colorhelpers.models.vgg16.VGG16_WEIGHTS_URL", "http://127.0.0.1:9/vgg.h5")
    config = TrainConfig(image_size=SIZE, batch_size=8, epochs=1, generator_filters=8,
                         discriminator_filters=8, sample_count=2, encoder="vgg16")
    with pytest.warns(PretrainedWeightsWarning):
        rows = train(fixture_train, fixture_heldout, tmp_path / "run", config, verbose=0)
    assert np.isfinite(rows[-1]["psnr"])
    assert TrainConfig.from_json((tmp_path / "run" / "config.json").read_text()).encoder_weights == "random"

    # Reading the finished run (or resuming it) downloads nothing and keeps the record.
    def no_download(*args, **kwargs):
        raise AssertionError("a run with a checkpoint must not download weights")

    monkeypatch.setattr("colorhelpers.training.recipe.imagenet_vgg16_weights", no_download)
    again = train(fixture_train, fixture_heldout, tmp_path / "run", config, verbose=0)
    assert again == rows
    assert TrainConfig.from_json((tmp_path / "run" / "config.json").read_text()).encoder_weights == "random"


def test_vgg16_config_refuses_the_noise_channel():
    with pytest.raises(ValueError, match="vgg16"):
        TrainConfig(encoder="vgg16", noise_channel=True)


def test_vgg16_sees_half_size_and_the_decoder_returns_full_size():
    generator = build_vgg16_generator(64, filters=8)
    sizes = [tuple(generator.get_layer(f"{name}_norm").output.shape[1:3]) for name in VGG16_TAPS]
    assert sizes == [(32, 32), (16, 16), (8, 8), (4, 4), (2, 2)]
    assert generator.output.shape[1:] == (64, 64, 2)
    with pytest.raises(ValueError, match="32"):
        build_vgg16_generator(16, filters=8)
    with pytest.raises(ValueError, match="image_size"):
        TrainConfig(encoder="vgg16", image_size=16)
