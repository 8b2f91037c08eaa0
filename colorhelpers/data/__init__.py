"""Part 2, the data (notebooks/02_data_pipeline): image files checked and decoded (`files`), then
`tf.data` pipelines of (L, ab) batches (`pipeline`). `cache` streams sets bigger than memory."""

from colorhelpers.data.files import (
    DataError,
    SkippedImageWarning,
    check_image,
    decode_rgb,
    exif_orientation,
    find_images,
    load_rgb,
    split_dataset,
)
from colorhelpers.data.pipeline import eval_batches, image_dataset, load_images, training_batches

__all__ = ["DataError", "SkippedImageWarning", "check_image", "decode_rgb", "eval_batches",
           "exif_orientation",
           "find_images", "image_dataset", "load_images", "load_rgb", "split_dataset", "training_batches"]
