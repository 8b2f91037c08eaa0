"""colorhelpers.data: which files are used, how they are decoded, and the tf.data pipelines."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pytest
from conftest import ZOO_GRAY, ZOO_KEPT, colorful_array
from PIL import Image

from colorhelpers.color import rgb_to_l_ab
from colorhelpers.data import (
    DataError,
    SkippedImageWarning,
    eval_batches,
    find_images,
    load_rgb,
    split_dataset,
    training_batches,
)


def find_with_warnings(folder, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = find_images(folder, **kwargs)
    skipped = [w for w in caught if issubclass(w.category, SkippedImageWarning)]
    return found, skipped


# --- find_images ---------------------------------------------------------------------------


@pytest.mark.parametrize("require_color", [True, False])
def test_find_images_keeps_usable_files_and_warns_once_per_skipped_file(image_zoo, require_color):
    folder = image_zoo["good_jpg"].parent
    kept_roles = ZOO_KEPT | (set() if require_color else ZOO_GRAY)
    found, skipped = find_with_warnings(folder, require_color=require_color)

    assert found == sorted(image_zoo[role] for role in kept_roles)
    skipped_paths = [p for role, p in image_zoo.items() if role not in kept_roles]
    assert len(skipped) == len(skipped_paths)
    for path in skipped_paths:
        naming = [w for w in skipped if str(path) in str(w.message)]
        assert len(naming) == 1, f"{path.name}: {[str(w.message) for w in skipped]}"
    # Every warning gives a reason after the file name.
    assert all(len(str(w.message).split(":", 1)[1].strip()) > 5 for w in skipped)


def test_find_images_skips_with_skipped_image_warning(image_zoo):
    with pytest.warns(SkippedImageWarning) as record:
        find_images(image_zoo["good_jpg"].parent)
    assert any("notes.jpg" in str(w.message) for w in record)


def test_find_images_missing_folder(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(DataError, match="nowhere"):
        find_images(missing)


def test_find_images_no_usable_image(tmp_path, image_zoo):
    folder = tmp_path / "useless"
    folder.mkdir()
    (folder / "notes.jpg").write_text("not a picture")
    shutil.copy(image_zoo["gray_jpg"], folder / "gray.jpg")
    with pytest.warns(SkippedImageWarning), pytest.raises(DataError) as err:
        find_images(folder)
    assert "useless" in str(err.value)
    # The gray image counts once color is not required.
    with pytest.warns(SkippedImageWarning):
        assert [p.name for p in find_images(folder, require_color=False)] == ["gray.jpg"]


def test_find_images_empty_folder(tmp_path):
    with pytest.raises(DataError, match=str(tmp_path.name)):
        find_images(tmp_path)


# --- load_rgb ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ZOO_KEPT | ZOO_GRAY))
def test_load_rgb_shape_dtype_range(image_zoo, role):
    image = load_rgb(str(image_zoo[role]), 16).numpy()
    assert image.shape == (16, 16, 3) and image.dtype == np.float32
    assert image.min() >= 0.0 and image.max() <= 1.0
    assert image.std() > 0.01  # a real picture, not a flat fill


def test_load_rgb_composites_transparency_on_white(tmp_path):
    rgba = np.zeros((32, 32, 4), np.uint8)  # left half: transparent black
    rgba[:, 16:] = (255, 0, 0, 255)  # right half: opaque red
    path = tmp_path / "transparent.png"
    Image.fromarray(rgba, "RGBA").save(path)
    image = load_rgb(str(path), 32).numpy()
    np.testing.assert_allclose(image[:, :14], 1.0, atol=1e-3)
    np.testing.assert_allclose(image[:, 18:], np.broadcast_to([1.0, 0.0, 0.0], (32, 14, 3)), atol=1e-3)


def test_load_rgb_half_transparent_is_blended_with_white(image_zoo):
    # rgba.png: colorful_array(32, 4) at alpha 128.
    image = load_rgb(str(image_zoo["rgba_png"]), 32).numpy()
    expected = colorful_array(32, 4) / 255.0 * (128 / 255) + (1 - 128 / 255)
    np.testing.assert_allclose(image, expected, atol=2 / 255)


def test_load_rgb_cmyk_jpeg_matches_pil(tmp_path, image_zoo):
    # Flat quadrants aligned to JPEG's 8x8 blocks decode exactly, so any color-space
    # mistake (inverted CMYK, channels swapped) shows up undiluted.
    quadrants = np.zeros((32, 32, 3), np.uint8)
    quadrants[:16, :16], quadrants[:16, 16:] = (200, 60, 30), (20, 160, 60)
    quadrants[16:, :16], quadrants[16:, 16:] = (40, 70, 220), (240, 230, 40)
    path = tmp_path / "cmyk_quadrants.jpg"
    Image.fromarray(quadrants).convert("CMYK").save(path, quality=95)
    for jpeg, tolerance in ((path, 3), (image_zoo["cmyk_jpg"], 4)):
        ours = load_rgb(str(jpeg), 32).numpy() * 255
        pil = np.asarray(Image.open(jpeg).convert("RGB"), np.float64)
        # Mean over the picture: TensorFlow's fast integer IDCT differs from PIL's by a few
        # levels on busy detail; a color-space error would be off by ~100.
        assert np.abs(ours - pil).mean() <= tolerance, jpeg.name
    assert np.abs(load_rgb(str(path), 32).numpy() * 255 - quadrants).max() <= 3


def test_load_rgb_scales_16_bit_png(image_zoo):
    # gray16.png is a ramp over the whole 0..65535 range, row by row.
    image = load_rgb(str(image_zoo["gray16_png"]), 32).numpy()
    ramp = np.linspace(0, 1, 32 * 32).reshape(32, 32)
    assert 0.4 < image.mean() < 0.6
    np.testing.assert_allclose(image, np.repeat(ramp[..., None], 3, -1), atol=1e-3)


def test_load_rgb_centre_crops_wide_images(tmp_path):
    wide = np.zeros((32, 96, 3), np.uint8)
    wide[:, :32], wide[:, 32:64], wide[:, 64:] = (255, 0, 0), (0, 255, 0), (0, 0, 255)
    path = tmp_path / "wide.png"
    Image.fromarray(wide).save(path)
    image = load_rgb(str(path), 16).numpy()
    np.testing.assert_allclose(image, np.broadcast_to([0.0, 1.0, 0.0], image.shape), atol=0.02)
    # And tall images likewise.
    tall_path = tmp_path / "tall.png"
    Image.fromarray(wide.transpose(1, 0, 2)).save(tall_path)
    tall = load_rgb(str(tall_path), 16).numpy()
    np.testing.assert_allclose(tall, np.broadcast_to([0.0, 1.0, 0.0], tall.shape), atol=0.02)


# --- split_dataset -------------------------------------------------------------------------


def test_split_dataset_uses_existing_train_and_heldout_folders(tmp_path, color_folder):
    source = sorted(color_folder(5, "presplit").iterdir())
    for name, files in (("train", source[:3]), ("heldout", source[3:])):
        (tmp_path / name).mkdir()
        for f in files:
            shutil.copy(f, tmp_path / name / f.name)
    train, heldout = split_dataset(tmp_path)
    assert [p.name for p in train] == [f.name for f in source[:3]]
    assert [p.name for p in heldout] == [f.name for f in source[3:]]
    assert all(p.parent.name == "train" for p in train)
    assert all(p.parent.name == "heldout" for p in heldout)


def test_split_dataset_splits_a_flat_folder_deterministically(color_folder):
    folder = color_folder(12, "flatsplit")
    train, heldout = split_dataset(folder)
    assert split_dataset(folder) == (train, heldout)
    assert heldout and train
    assert not set(train) & set(heldout)
    assert sorted(train + heldout) == find_images(folder)


def test_split_dataset_holds_out_one_of_two(tmp_path):
    for i in range(2):
        Image.fromarray(colorful_array(16, i)).save(tmp_path / f"{i}.png")
    train, heldout = split_dataset(tmp_path)
    assert len(train) == 1 and len(heldout) == 1


# --- training_batches ----------------------------------------------------------------------


def take(dataset, n):
    return [(lum.numpy(), ab.numpy()) for lum, ab in dataset.take(n)]


def same_batches(a, b):
    return len(a) == len(b) and all(
        np.array_equal(la, lb) and np.array_equal(aa, ab) for (la, aa), (lb, ab) in zip(a, b)
    )


def l_sums(batches):
    """One number per image (sum of its L channel) in the order the batches yield them."""
    return np.concatenate([lum.sum(axis=(1, 2, 3)) for lum, _ in batches])


@pytest.fixture(scope="module")
def eight_paths(color_folder):
    return find_images(color_folder(8, "eight"))


def test_training_batch_shapes_and_ranges(eight_paths):
    l_norm, ab = next(iter(training_batches(eight_paths, 16, 4, seed=0)))
    assert tuple(l_norm.shape) == (4, 16, 16, 1) and tuple(ab.shape) == (4, 16, 16, 2)
    assert l_norm.dtype.name == "float32" and ab.dtype.name == "float32"
    assert np.abs(l_norm.numpy()).max() <= 1.0 + 1e-5 and np.abs(ab.numpy()).max() <= 1.0
    assert np.abs(ab.numpy()).max() > 0.05  # color images: ab is not all zero


def test_training_batches_is_deterministic_and_resumable(eight_paths):
    per_epoch = len(eight_paths) // 4
    run_a = take(training_batches(eight_paths, 16, 4, seed=3), 2 * per_epoch)
    run_b = take(training_batches(eight_paths, 16, 4, seed=3), 2 * per_epoch)
    assert same_batches(run_a, run_b)
    resumed = take(training_batches(eight_paths, 16, 4, seed=3, first_epoch=1), per_epoch)
    assert same_batches(resumed, run_a[per_epoch:])
    assert not same_batches(run_a[:per_epoch], run_a[per_epoch:])  # epochs differ


def test_training_batches_seed_changes_the_order(eight_paths):
    first = l_sums(take(training_batches(eight_paths, 16, 4, seed=0, flip=False), 4))
    second = l_sums(take(training_batches(eight_paths, 16, 4, seed=1, flip=False), 4))
    assert np.allclose(np.sort(first), np.sort(second))  # same images...
    assert not np.allclose(first, second)  # ...in another order


def test_each_epoch_holds_every_image_once(eight_paths):
    reference = np.sort(
        [rgb_to_l_ab(load_rgb(str(p), 16))[0].numpy().sum() for p in eight_paths]
    )
    assert len(np.unique(reference.round(1))) == len(reference)  # images are distinguishable
    per_epoch = len(eight_paths) // 4
    batches = take(training_batches(eight_paths, 16, 4, seed=7, flip=False), 3 * per_epoch)
    assert len(batches) == 3 * per_epoch
    for epoch in range(3):
        sums = l_sums(batches[epoch * per_epoch : (epoch + 1) * per_epoch])
        # uint8 caching rounds each pixel; 256 pixels of at most ~0.005 each.
        np.testing.assert_allclose(np.sort(sums), reference, atol=0.5)


def test_flip_mirrors_some_images_and_keeps_them_otherwise_intact(eight_paths):
    plain = take(training_batches(eight_paths, 16, 4, seed=0, flip=False), 2)
    flipped = take(training_batches(eight_paths, 16, 4, seed=0, flip=True), 2)
    mirrored = 0
    for (l_plain, _), (l_flip, _) in zip(plain, flipped):
        for a, b in zip(l_plain, l_flip):
            assert np.array_equal(a, b) or np.array_equal(a[:, ::-1], b)
            mirrored += not np.array_equal(a, b)
    assert 0 < mirrored < 8


def test_an_epoch_of_len_paths_over_batch_batches_has_distinct_images(eight_paths):
    # 8 images in batches of 3: an epoch is 2 batches, 6 different images.
    batches = take(training_batches(eight_paths, 16, 3, seed=0, flip=False), 8 // 3)
    assert all(b[0].shape[0] == 3 for b in batches)
    assert len(np.unique(l_sums(batches).round(1))) == 6


def test_resume_matches_when_batch_does_not_divide_the_images(color_folder):
    paths = find_images(color_folder(10, "ten"))
    per_epoch = len(paths) // 4  # what colorhelpers.training passes as steps_per_epoch
    run = take(training_batches(paths, 16, 4, seed=0, flip=False), 2 * per_epoch)
    resumed = take(training_batches(paths, 16, 4, seed=0, first_epoch=1, flip=False), per_epoch)
    assert same_batches(resumed, run[per_epoch:])


def test_training_batches_needs_one_full_batch(eight_paths):
    with pytest.raises(DataError, match="batch"):
        training_batches(eight_paths[:3], 16, 4, seed=0)


# --- eval_batches --------------------------------------------------------------------------


def test_eval_batches_in_file_order_and_unflipped(fixture_heldout):
    paths = fixture_heldout
    batches = take(eval_batches(paths, 32, batch_size=3), 100)
    assert [len(lum) for lum, _ in batches] == [3] * (len(paths) // 3) + (
        [len(paths) % 3] if len(paths) % 3 else []
    )
    l_all = np.concatenate([lum for lum, _ in batches])
    ab_all = np.concatenate([ab for _, ab in batches])
    assert len(l_all) == len(paths)
    for i, path in enumerate(paths):
        l_ref, ab_ref = (t.numpy() for t in rgb_to_l_ab(load_rgb(str(path), 32)))
        # eval caches uint8 images: half a level of rounding, well under 0.02 in scaled units.
        np.testing.assert_allclose(l_all[i], l_ref, atol=0.02)
        np.testing.assert_allclose(ab_all[i], ab_ref, atol=0.02)
        assert np.abs(l_all[i] - l_ref[:, ::-1]).max() > 0.1  # a flip would be detected


def test_sixteen_bit_color_png_is_used_and_scaled(tmp_path):
    """48-bit PNGs (16 bits per channel) are kept and decoded with their full range."""
    import cv2

    rgb = np.zeros((32, 32, 3), np.uint16)
    rgb[:, :16] = (65535, 0, 0)  # red left half
    rgb[:, 16:] = (0, 0, 25828)  # a blue between two 8-bit levels: 8-bit decoding is off by 0.002
    path = tmp_path / "deep.png"
    assert cv2.imwrite(str(path), rgb[..., ::-1])  # OpenCV writes BGR
    assert find_images(tmp_path) == [path]
    image = load_rgb(str(path), 32).numpy()
    np.testing.assert_allclose(image[4, 4], (1.0, 0.0, 0.0), atol=1e-3)
    np.testing.assert_allclose(image[4, 28], (0.0, 0.0, 25828 / 65535), atol=5e-4)


def test_decompression_bomb_is_skipped_with_a_warning(tmp_path, monkeypatch):
    """An image beyond PIL's safety limit is skipped, named, instead of crashing the scan."""
    Image.fromarray(np.zeros((64, 64, 3), np.uint8) + 128).save(tmp_path / "huge.png")
    Image.fromarray(colorful_array(32, seed=1)).save(tmp_path / "fine.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 64 * 64 // 3)  # 64x64 is now > 2x the limit
    with pytest.warns(SkippedImageWarning, match="huge.png: too large"):
        kept = find_images(tmp_path)
    assert [p.name for p in kept] == ["fine.png"]
