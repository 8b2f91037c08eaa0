"""Checked image files to shuffled batches of (L, ab) tensors with `tf.data`.

Taught in notebooks/02_data_pipeline (the second of its two steps, after
`colorhelpers.data.files`).

The pipelines are TensorFlow ops only (decode, composite on white, crop, resize, Lab; then
per epoch shuffle, batch, flip), so they run in parallel outside Python's global interpreter
lock, and what does not change between epochs is computed once and kept.
"""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf

from colorhelpers.color.lab import rgb_to_l_ab
from colorhelpers.data.files import DataError, exif_orientation, load_rgb


def image_dataset(paths: list[Path], size: int) -> tf.data.Dataset:
    """Decoded, resized uint8 RGB images in file order, decoded in parallel."""
    # EXIF orientation is read here, in Python, from each file's header; the decoding
    # itself then runs as TensorFlow ops in parallel.
    files = tf.data.Dataset.from_tensor_slices(
        ([str(p) for p in paths], [exif_orientation(p) for p in paths]))
    images = files.map(lambda p, o: load_rgb(p, size, o), num_parallel_calls=tf.data.AUTOTUNE)
    # uint8 keeps cached images a quarter of the size of float32.
    return images.map(lambda x: tf.image.convert_image_dtype(x, tf.uint8, saturate=True))


def load_images(paths: list[Path], size: int) -> tf.Tensor:
    """Every image decoded once into one uint8 tensor [n, size, size, 3]: the training cache."""
    return image_dataset(paths, size).batch(len(paths)).get_single_element()


def _to_l_ab(image_uint8: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    return rgb_to_l_ab(tf.image.convert_image_dtype(image_uint8, tf.float32))


def _l_ab_in_chunks(images_uint8: tf.Tensor, chunk: int = 32) -> tuple[tf.Tensor, tf.Tensor]:
    """Lab of many images, a few at a time so that the float temporaries stay small."""
    parts = [_to_l_ab(images_uint8[i : i + chunk]) for i in range(0, len(images_uint8), chunk)]
    return tf.concat([p[0] for p in parts], 0), tf.concat([p[1] for p in parts], 0)


def training_batches(
    paths: list[Path],
    size: int,
    batch_size: int,
    seed: int,
    first_epoch: int = 0,
    flip: bool = True,
) -> tf.data.Dataset:
    """Endless (l, ab) batches for training, `len(paths) // batch_size` of them per epoch.

    Every image is decoded and converted to Lab once and kept in memory, together with its
    mirror image (24 bytes a pixel: about 0.4 MB per 128 px image). An epoch is then a
    shuffle and one gather per batch, with stateless random ops keyed on (seed, epoch): a
    run resumed at `first_epoch` sees exactly the batches an uninterrupted run would have seen.
    """
    if len(paths) < batch_size:
        raise DataError(
            f"only {len(paths)} training images for a batch of {batch_size}; use a smaller batch"
        )
    l_all, ab_all = _l_ab_in_chunks(load_images(paths, size))
    count = len(paths)
    if flip:
        # A mirrored image has mirrored L and ab, so flipping commutes with the Lab
        # conversion: rows count..2*count-1 hold the mirror image of rows 0..count-1.
        l_all = tf.concat([l_all, tf.reverse(l_all, axis=[2])], 0)
        ab_all = tf.concat([ab_all, tf.reverse(ab_all, axis=[2])], 0)

    def one_epoch(epoch: tf.Tensor) -> tf.data.Dataset:
        epoch_seed = tf.stack([tf.constant(seed, tf.int64), epoch])
        order = tf.random.experimental.stateless_shuffle(tf.range(count, dtype=tf.int64), epoch_seed)
        if flip:
            # One coin per image and epoch, from another stream of the same (seed, epoch).
            coins = tf.random.stateless_uniform([count], epoch_seed + [0, 1 << 40])
            order = order + count * tf.cast(tf.gather(coins, order) < 0.5, tf.int64)
        # Batch the rows within the epoch, so that no batch straddles two epochs.
        rows = tf.data.Dataset.from_tensor_slices(order).batch(batch_size, drop_remainder=True)
        return rows.map(lambda r: (tf.gather(l_all, r), tf.gather(ab_all, r)))

    batches = tf.data.Dataset.counter(start=first_epoch).flat_map(one_epoch)
    return batches.prefetch(tf.data.AUTOTUNE)


def eval_batches(paths: list[Path], size: int, batch_size: int = 16) -> tf.data.Dataset:
    """(l, ab) batches of `paths` in file order, unshuffled and unflipped, for evaluation."""
    # Evaluation reads the same images every epoch: cache them after the first pass.
    images = image_dataset(paths, size).cache().map(_to_l_ab, num_parallel_calls=tf.data.AUTOTUNE)
    return images.batch(batch_size).prefetch(tf.data.AUTOTUNE)
