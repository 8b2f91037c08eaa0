"""Training sets bigger than memory: a decoded cache on disk, streamed batch by batch.

Taught in the README ("Training on your own images"); `colorhelpers.data.training_batches`
(notebooks/02_data_pipeline) is the in-memory path it stands in for.

`training_source` decides between the two. A set whose decoded Lab arrays fit the memory
budget (a quarter of the machine's memory, or of its container's limit, unless told) keeps
the in-memory path. A bigger one is decoded once into TFRecord shards of uint8 RGB (the
same pixels the in-memory path converts to Lab), keyed by the file list (names, sizes,
modification times), the image size and `CACHE_RECIPE`: a changed folder gets a new cache.
A cache is built in a `.partial` folder and renamed into place after its manifest is
written, so an interrupted build is never read: the next run removes it and builds again.

`streamed_batches` reads the shards in an order drawn per epoch, interleaved, through a
shuffle buffer, converted to Lab and flipped per batch, and prefetched. Every random choice
is keyed on (seed, epoch), so a run resumed at an epoch sees the batches an uninterrupted
run would have seen, as with the in-memory path (but not the same ones as that path).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keras
import tensorflow as tf

from colorhelpers.color.lab import rgb_to_l_ab
from colorhelpers.data.files import DataError
from colorhelpers.data.pipeline import image_dataset, training_batches

#: What a cached image is: `data.load_rgb`'s centre square, area-resized, as uint8 RGB.
#: Change it whenever that recipe changes, so that old caches are not read.
CACHE_RECIPE = "load_rgb-centre-square-area-uint8-v1"
#: Images per shard: about 12 MB at 128 px. Smaller shards mix better, bigger ones read faster.
SHARD_IMAGES = 256
#: Shards read at once, interleaved image by image.
CYCLE_SHARDS = 8
#: Memory held by the shuffle buffer (uint8 images): 2,730 images at 128 px, 682 at 256 px.
SHUFFLE_BYTES = 128 << 20
#: Bytes a pixel of the in-memory path: L and ab in float32, twice with the mirror images.
IN_MEMORY_BYTES_PER_PIXEL = 12
#: Decoding the set briefly needs about twice what it keeps (measured: 2.6 GB for 2,010
#: images at 128 px, of which 1.1 GB is TensorFlow itself).
IN_MEMORY_PEAK_FACTOR = 2


def decoded_bytes(count: int, size: int, flip: bool = True) -> int:
    """Memory the in-memory path needs at its peak for `count` images of `size` px.

    >>> decoded_bytes(2000, 128) / 1e9
    1.572864
    """
    return count * size * size * IN_MEMORY_BYTES_PER_PIXEL * (2 if flip else 1) * IN_MEMORY_PEAK_FACTOR


def machine_memory() -> int:
    """Bytes of memory this process may use: physical memory, or a container's lower limit."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        with contextlib.suppress(OSError, ValueError):
            total = min(total, int(Path(limit_file).read_text().strip()))  # "max": no limit
    return total


def default_memory_budget() -> int:
    """A quarter of `machine_memory()`: room for the networks, the evaluation and other jobs."""
    return machine_memory() // 4


def default_cache_dir() -> Path:
    """`$COLORGAN_CACHE`, else `$XDG_CACHE_HOME/colorgan`, else `~/.cache/colorgan`."""
    if os.environ.get("COLORGAN_CACHE"):
        return Path(os.environ["COLORGAN_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "colorgan"


def cache_key(paths: list[Path], size: int) -> str:
    """A name for the cache of `paths` at `size`: any change to a file or the list changes it."""
    digest = hashlib.sha256(f"{CACHE_RECIPE}\n{size}\n".encode())
    for path in paths:
        stat = path.stat()
        digest.update(f"{path.resolve()}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
    return f"{size}px-{len(paths)}-{digest.hexdigest()[:16]}"


@dataclass(frozen=True)
class DecodedCache:
    """A complete cache: `count` images of `size` px in `shards`, `SHARD_IMAGES` per shard."""

    folder: Path
    count: int
    size: int
    shards: tuple[Path, ...]


@contextlib.contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    """One builder per cache at a time (two workers on one machine); the other waits."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _open_complete(folder: Path) -> DecodedCache | None:
    """The cache in `folder` if its manifest is there and every shard has its recorded size."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        shards = tuple(folder / name for name in manifest["shards"])
        if any(shard.stat().st_size != nbytes for shard, nbytes in zip(shards, manifest["bytes"])):
            return None
        return DecodedCache(folder, manifest["count"], manifest["size"], shards)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def open_or_build(paths: list[Path], size: int, cache_dir: Path | str | None = None,
                  progress: bool = True) -> DecodedCache:
    """The decoded cache of `paths` at `size`, built first if there is no complete one."""
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    key = cache_key(paths, size)
    folder, partial = cache_dir / key, cache_dir / f".{key}.partial"
    with _locked(cache_dir / f".{key}.lock"):
        cache = _open_complete(folder)
        if cache is not None:
            return cache
        for leftover in (folder, partial):  # a damaged cache, or a build that was interrupted
            shutil.rmtree(leftover, ignore_errors=True)
        _build(paths, size, partial, progress)
        os.replace(partial, folder)
    cache = _open_complete(folder)
    if cache is None:
        raise DataError(f"{folder}: the decoded cache just written does not read back")
    return cache


def _build(paths: list[Path], size: int, partial: Path, progress: bool) -> None:
    """Decode every image once into shards in `partial`; the manifest is written last."""
    partial.mkdir(parents=True)
    # In a log file (not a terminal) every update is a line: one each 10 seconds is enough.
    interval = 0.5 if sys.stdout.isatty() else 10.0
    bar = keras.utils.Progbar(len(paths), unit_name="image", interval=interval) if progress else None
    if bar is not None:
        print(f"decoding {len(paths)} images once into a cache at {size} px: {partial.parent}")
    names: list[str] = []
    writer = None
    try:
        done = 0
        # One pipeline for the whole set (decoded in parallel), cut into shards as it comes.
        for images in image_dataset(paths, size).batch(64):
            for image in images.numpy():
                if done % SHARD_IMAGES == 0:
                    if writer is not None:
                        writer.close()
                    names.append(f"shard-{len(names):05d}.tfrecord")
                    writer = tf.io.TFRecordWriter(str(partial / names[-1]))
                writer.write(image.tobytes())
                done += 1
            if bar is not None:
                bar.update(done)
    finally:
        if writer is not None:
            writer.close()
    manifest = {"recipe": CACHE_RECIPE, "count": len(paths), "size": size, "shards": names,
                "bytes": [(partial / name).stat().st_size for name in names],
                "files": [str(p) for p in paths]}
    (partial / "manifest.json").write_text(json.dumps(manifest))


def _decode(record: tf.Tensor, size: int) -> tf.Tensor:
    return tf.reshape(tf.io.decode_raw(record, tf.uint8), [size, size, 3])


def _lab_flipped(images: tf.Tensor, flips: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """(L, ab) of a uint8 batch, each image mirrored where `flips` is true."""
    images = tf.where(flips[:, None, None, None], tf.reverse(images, axis=[2]), images)
    return rgb_to_l_ab(tf.image.convert_image_dtype(images, tf.float32))


def streamed_batches(cache: DecodedCache, batch_size: int, seed: int, first_epoch: int = 0,
                     flip: bool = True) -> tf.data.Dataset:
    """Endless (l, ab) batches from a cache, `cache.count // batch_size` per epoch.

    Per epoch: the shards in an order drawn from (seed, epoch), `CYCLE_SHARDS` of them read
    at once and interleaved, shuffled a buffer of `SHUFFLE_BYTES` at a time, then Lab and
    a mirror coin per image drawn from (seed, epoch, batch). Memory stays that of the buffer
    whatever the number of images.
    """
    if cache.count < batch_size:
        raise DataError(f"only {cache.count} training images for a batch of {batch_size}; "
                        "use a smaller batch")
    size, steps = cache.size, cache.count // batch_size
    shards = tf.constant([str(s) for s in cache.shards])
    buffer = int(min(cache.count, max(SHUFFLE_BYTES // (size * size * 3), 4 * batch_size)))

    def one_epoch(epoch: tf.Tensor) -> tf.data.Dataset:
        epoch_seed = tf.stack([tf.constant(seed, tf.int64), epoch])
        order = tf.random.experimental.stateless_shuffle(tf.range(len(cache.shards)), epoch_seed)
        files = tf.data.Dataset.from_tensor_slices(tf.gather(shards, order))
        images = files.interleave(
            lambda f: tf.data.TFRecordDataset(f).map(lambda r: _decode(r, size)),
            cycle_length=min(CYCLE_SHARDS, len(cache.shards)), block_length=1,
            num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        # The shuffle buffer, stateless: a buffer-full at a time in an order drawn from
        # (seed, epoch, buffer number), so that neither the global seed nor a resume moves it.
        def shuffled(number: tf.Tensor, block: tf.Tensor) -> tf.data.Dataset:
            order = tf.random.experimental.stateless_shuffle(
                tf.range(tf.shape(block)[0]), tf.random.experimental.stateless_fold_in(epoch_seed, -number))
            return tf.data.Dataset.from_tensor_slices(tf.gather(block, order))

        images = images.batch(buffer).enumerate().flat_map(shuffled)
        batches = images.batch(batch_size, drop_remainder=True).take(steps).enumerate()

        def to_lab(step: tf.Tensor, batch: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            coins = tf.random.stateless_uniform(
                [batch_size], tf.random.experimental.stateless_fold_in(epoch_seed, step))
            return _lab_flipped(batch, coins < (0.5 if flip else 0.0))

        return batches.map(to_lab, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

    return tf.data.Dataset.counter(start=first_epoch).flat_map(one_epoch).prefetch(tf.data.AUTOTUNE)


def training_source(paths: list[Path], size: int, batch_size: int, seed: int, flip: bool = True,
                    memory_budget_mb: float | None = None, cache_dir: Path | str | None = None,
                    progress: bool = True) -> tuple[str, Callable[[int], tf.data.Dataset]]:
    """How `train` gets its batches: a line saying which path, and batches from an epoch on.

    In memory (`data.training_batches`) when `decoded_bytes` fits the budget (in MB; None:
    `default_memory_budget()`), else streamed from the decoded cache in `cache_dir`.
    Every dataset is sharded by data under several workers: each worker reads the whole
    stream and keeps its part of every batch, so the batches are those of one worker.
    """
    budget = default_memory_budget() if memory_budget_mb is None else int(memory_budget_mb * 1e6)
    needed = decoded_bytes(len(paths), size, flip)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    if needed <= budget:
        line = (f"data: {len(paths)} images decoded in memory (about {needed / 1e6:,.0f} MB "
                f"of a {budget / 1e6:,.0f} MB budget)")
        return line, lambda first: training_batches(paths, size, batch_size, seed, first,
                                                    flip).with_options(options)
    cache = open_or_build(paths, size, cache_dir, progress)
    line = (f"data: {len(paths)} images streamed from the decoded cache {cache.folder} (in memory "
            f"they would need about {needed / 1e6:,.0f} MB, over the {budget / 1e6:,.0f} MB budget)")
    return line, lambda first: streamed_batches(cache, batch_size, seed, first, flip).with_options(options)
