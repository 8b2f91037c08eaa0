"""The decoded cache: built once, keyed, never read half-written; streamed, resumable batches.

Builds use the 24 fixture images at 16 px in shards of 8 images, so each takes a second or two.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from colorhelpers.cli import EXIT_USAGE, main
from colorhelpers.data import cache, training_batches
from colorhelpers.training import RunDirectory, TrainConfig, train

SIZE, BATCH = 16, 4


@pytest.fixture(autouse=True)
def small_shards(monkeypatch):
    monkeypatch.setattr(cache, "SHARD_IMAGES", 8)  # 24 images: three shards


def take(dataset, count: int) -> list[np.ndarray]:
    return [l_norm.numpy() for l_norm, _ in dataset.take(count)]


def l_sums(batches: list[np.ndarray]) -> list[float]:
    """One number per image (its L sum), enough to tell the fixture images apart."""
    return sorted(np.round(np.concatenate(batches).sum(axis=(1, 2, 3)), 3).tolist())


def test_cache_is_built_once_with_a_progress_bar_then_reused(tmp_path, fixture_train, capsys):
    built = cache.open_or_build(fixture_train, SIZE, tmp_path)
    printed = capsys.readouterr().out
    assert "decoding 24 images once" in printed and "24/24" in printed
    assert built.count == 24 and len(built.shards) == 3 and (built.folder / "manifest.json").is_file()
    stamps = [shard.stat().st_mtime_ns for shard in built.shards]
    assert cache.open_or_build(fixture_train, SIZE, tmp_path) == built
    assert capsys.readouterr().out == ""  # nothing decoded again
    assert [shard.stat().st_mtime_ns for shard in built.shards] == stamps


def test_cache_key_follows_the_files_the_size_and_the_recipe(tmp_path, fixture_train, monkeypatch):
    paths = [tmp_path / p.name for p in fixture_train]
    for source, copy in zip(fixture_train, paths):
        copy.write_bytes(source.read_bytes())
    key = cache.cache_key(paths, SIZE)
    assert cache.cache_key(paths, SIZE) == key
    assert cache.cache_key(paths[:-1], SIZE) != key  # a file removed
    assert cache.cache_key(paths, 32) != key
    stat = paths[3].stat()
    os.utime(paths[3], ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a file replaced
    assert cache.cache_key(paths, SIZE) != key
    os.utime(paths[3], ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cache.cache_key(paths, SIZE) == key
    monkeypatch.setattr(cache, "CACHE_RECIPE", "another recipe")
    assert cache.cache_key(paths, SIZE) != key


class Killed(Exception):
    pass


def test_interrupted_build_is_never_read_and_is_built_again(tmp_path, fixture_train, monkeypatch):
    real = cache.image_dataset

    def dies_midway(paths, size):
        for i, image in enumerate(real(paths, size)):
            if i == 12:
                raise Killed
            yield image

    monkeypatch.setattr(cache, "image_dataset", lambda paths, size: FakeDataset(dies_midway(paths, size)))
    with pytest.raises(Killed):
        cache.open_or_build(fixture_train, SIZE, tmp_path)
    key = cache.cache_key(fixture_train, SIZE)
    partial = tmp_path / f".{key}.partial"
    assert partial.is_dir() and not (tmp_path / key).exists()
    assert list(partial.glob("shard-*")) and not (partial / "manifest.json").exists()

    monkeypatch.setattr(cache, "image_dataset", real)
    rebuilt = cache.open_or_build(fixture_train, SIZE, tmp_path)
    assert rebuilt.count == 24 and not partial.exists()

    # A complete cache damaged afterwards (a shard cut short) is noticed and built again.
    with open(rebuilt.shards[1], "r+b") as shard:
        shard.truncate(100)
    again = cache.open_or_build(fixture_train, SIZE, tmp_path)
    assert again.shards[1].stat().st_size == rebuilt.shards[0].stat().st_size
    assert len(take(cache.streamed_batches(again, BATCH, seed=0), 6)) == 6


class FakeDataset:
    """Enough of a tf.data.Dataset for `_build`: `.batch(n)`, in batches of 4 whatever n."""

    def __init__(self, images):
        self.images = images

    def batch(self, count):
        import tensorflow as tf

        chunk = []
        for image in self.images:
            chunk.append(image)
            if len(chunk) == 4:
                yield tf.stack(chunk)
                chunk = []
        if chunk:
            yield tf.stack(chunk)


def test_streamed_epochs_hold_every_image_once_and_resume_exactly(tmp_path, fixture_train):
    built = cache.open_or_build(fixture_train, SIZE, tmp_path, progress=False)
    steps = 24 // BATCH
    unflipped = take(cache.streamed_batches(built, BATCH, seed=0, flip=False), 2 * steps)
    in_memory = take(training_batches(fixture_train, SIZE, BATCH, seed=0, flip=False), steps)
    # The same images as the in-memory path, bit for bit, each once per epoch, in a new order.
    assert l_sums(unflipped[:steps]) == l_sums(unflipped[steps:]) == l_sums(in_memory)
    assert not all(np.array_equal(a, b) for a, b in zip(unflipped[:steps], unflipped[steps:]))

    run = take(cache.streamed_batches(built, BATCH, seed=3), 3 * steps)
    resumed = take(cache.streamed_batches(built, BATCH, seed=3, first_epoch=2), steps)
    assert all(np.array_equal(a, b) for a, b in zip(run[2 * steps:], resumed))  # batch for batch
    # Mirrored images: L sums are unchanged by a mirror, the pixels are not.
    mirrored = [a for a in np.concatenate(run[:steps]) if not any(
        np.array_equal(a, b) for b in np.concatenate(unflipped[:steps]))]
    assert mirrored and all(any(np.allclose(a[:, ::-1], b) for b in np.concatenate(unflipped[:steps]))
                            for a in mirrored)


def test_training_source_streams_only_over_the_budget(tmp_path, fixture_train):
    line, _ = cache.training_source(fixture_train, SIZE, BATCH, seed=0, cache_dir=tmp_path)
    assert "in memory" in line and not list(tmp_path.iterdir())
    line, _ = cache.training_source(fixture_train, SIZE, BATCH, seed=0, memory_budget_mb=0,
                                    cache_dir=tmp_path, progress=False)
    assert "streamed" in line and str(tmp_path) in line
    assert 0 < cache.default_memory_budget() < cache.machine_memory()


def test_streamed_training_resumes_exactly(tmp_path, fixture_train, fixture_heldout):
    config = TrainConfig(image_size=SIZE, batch_size=8, epochs=2, generator_filters=4,
                         discriminator_filters=4, sample_count=2, warmup_epochs=0, decay_epochs=0)
    options = {"memory_budget_mb": 0, "cache_dir": tmp_path / "cache", "verbose": 0}
    whole, parts = RunDirectory(tmp_path / "whole"), RunDirectory(tmp_path / "parts")
    rows_whole = train(fixture_train, fixture_heldout, whole.root, config, **options)
    train(fixture_train, fixture_heldout, parts.root, config.replace(epochs=1), **options)
    rows_parts = train(fixture_train, fixture_heldout, parts.root, config, **options)
    assert len(list((tmp_path / "cache").glob("16px-24-*"))) == 1  # built once, read three times
    for a, b in zip(rows_whole, rows_parts):
        a, b = ({k: v for k, v in row.items() if k != "seconds"} for row in (a, b))
        assert a == pytest.approx(b, rel=1e-4, abs=1e-6)


@pytest.mark.parametrize("flags, message", [
    (["--memory-budget-mb", "-1"], "--memory-budget-mb must be 0 or more"),
    (["--strategy", "multiworker"], "needs TF_CONFIG"),
])
def test_train_flags_are_checked(tmp_path, capsys, monkeypatch, flags, message):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    status = main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "run"), *flags])
    assert status == EXIT_USAGE and message in capsys.readouterr().err
