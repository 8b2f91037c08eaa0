"""Training: the run directory it writes, the train step, resuming, failure handling.

Everything trains on the 24 + 8 fixture images at 16-32 px with 8 filters, so each
`train` call takes seconds on a 2-core CPU.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from colorhelpers.data import eval_batches, training_batches
from colorhelpers.models import build_generator
from colorhelpers.training import RunDirectory, RunError, TrainConfig, TrainingError, build_gan, train
from colorhelpers.training.callbacks import StopOnNonFinite
from colorhelpers.training.checkpoints import make_checkpoint
from colorhelpers.training.runs import METRIC_COLUMNS, atomic_path, write_atomically

#: Tiny but complete: two epochs of three steps at 32 px.
#: Adversarial from the first step (no warm-up, no decay) unless a test says otherwise.
TINY = TrainConfig(image_size=32, batch_size=8, epochs=2, generator_filters=8,
                   discriminator_filters=8, sample_count=4, warmup_epochs=0, decay_epochs=0)
#: Sample-grid gap in pixels (documented in colorhelpers.scoring.plotting).
GAP = 2


#: Weights files are float16: two runs whose float32 weights differ in the last bits can
#: round to neighbouring float16 values, one unit in the last place (2**-10 relative) apart.
FLOAT16_RTOL = 2**-10


def generator_weights(run: RunDirectory, epoch: int, config: TrainConfig = TINY) -> list[np.ndarray]:
    """The weights saved for `epoch` (as float16, read back as float32)."""
    generator = build_generator(config.image_size, config.generator_filters,
                                config.generator_head, config.dropout)
    generator.load_weights(run.generator_weights(epoch))
    return generator.get_weights()


def without_seconds(rows: list[dict[str, float]]) -> list[dict[str, float]]:
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


@pytest.fixture(scope="module")
def run_a(tmp_path_factory, fixture_train, fixture_heldout):
    """Two uninterrupted epochs of TINY: (run directory, rows returned by train)."""
    root = tmp_path_factory.mktemp("run_a")
    rows = train(fixture_train, fixture_heldout, root, TINY, verbose=0, keep_every=1)
    return RunDirectory(root), rows


@pytest.fixture
def run_a_copy(run_a, tmp_path):
    """A private copy of run A that a test may resume or damage."""
    return RunDirectory(Path(shutil.copytree(run_a[0].root, tmp_path / "run")))


# --- the run directory -------------------------------------------------------------------


def test_config_json_round_trips(run_a):
    run, _ = run_a
    assert TrainConfig.from_json(run.config_file.read_text()) == TINY
    assert run.read_config() == TINY


def test_a_field_added_later_keeps_old_recipes_hash_at_its_neutral_value():
    """A recipe that does not use an added field writes the config.json it wrote before the
    field existed (so its runs keep their names); one that uses it says so, and both round-trip."""
    from colorhelpers.training.config import ADDED_FIELDS

    for name, neutral in ADDED_FIELDS.items():
        assert name not in json.loads(TINY.replace(**{name: neutral}).to_json())
    averaged = TINY.replace(generator_average=0.9)
    assert json.loads(averaged.to_json())["generator_average"] == 0.9
    assert TrainConfig.from_json(averaged.to_json()) == averaged
    assert TrainConfig.from_json(TINY.to_json()) == TINY


def test_generator_weights_and_samples_per_epoch(run_a):
    run, _ = run_a
    assert run.saved_epochs() == [1, 2]
    for epoch in (1, 2):
        assert run.generator_weights(epoch).is_file()
        with Image.open(run.samples(epoch)) as png:
            assert png.format == "PNG"
            size = TINY.image_size
            width = 3 * size + 2 * GAP
            height = TINY.sample_count * size + (TINY.sample_count - 1) * GAP
            assert png.size == (width, height)
    # The two epochs' generators differ: the second epoch did train.
    first, second = generator_weights(run, 1), generator_weights(run, 2)
    assert any(not np.array_equal(a, b) for a, b in zip(first, second))


def test_metrics_csv_has_one_finite_row_per_epoch(run_a):
    run, rows = run_a
    with open(run.metrics_csv, newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == METRIC_COLUMNS
        raw = list(reader)
    assert [int(r["epoch"]) for r in raw] == [1, 2]
    for row in raw:
        assert set(row) == set(METRIC_COLUMNS)
        assert all(math.isfinite(float(v)) for v in row.values()), row
        assert float(row["seconds"]) >= 0
        assert 0.0 <= float(row["auc"]) <= 1.0
    assert rows == run.read_metrics()


def test_checkpoints_and_tensorboard_logs(run_a):
    run, _ = run_a
    assert run.checkpoints.is_dir()
    latest = tf.train.latest_checkpoint(str(run.checkpoints))
    assert latest is not None and latest.endswith("ckpt-2")
    events = list(run.tensorboard.rglob("events.out.tfevents.*"))
    assert events, f"no TensorBoard event files under {run.tensorboard}"
    tags = set()
    for path in events:
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            tags.update(value.tag for value in event.summary.value)
    # The losses and the held-out metrics both reach TensorBoard.
    assert {"epoch_generator_loss", "epoch_psnr", "epoch_ciede2000"} <= tags, tags


# --- the train step ----------------------------------------------------------------------


def _batch_norm_stats(model: keras.Model) -> list[np.ndarray]:
    return [
        np.array(variable)
        for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
        for variable in (layer.moving_mean, layer.moving_variance)
    ]


def test_train_step_updates_batch_norm_statistics_and_weights(fixture_train):
    """The blog post called its models without training=True: batch norm then never
    learns its moving statistics (they stay 0 and 1) and dropout is off."""
    config = TINY.replace(image_size=16)
    gan = build_gan(config)
    stats_before = _batch_norm_stats(gan.generator)
    assert stats_before, "the generator has no batch normalization layer"
    assert all(np.all(s == 0) or np.all(s == 1) for s in stats_before)
    gen_before = [np.array(v) for v in gan.generator.trainable_variables]
    disc_before = [np.array(v) for v in gan.discriminator.trainable_variables]
    disc_stats_before = _batch_norm_stats(gan.discriminator)

    batch = next(iter(training_batches(fixture_train, 16, 8, seed=0)))
    logs = gan.train_step(batch)

    assert all(np.isfinite(float(v)) for v in logs.values())
    stats_after = _batch_norm_stats(gan.generator)
    for before, after in zip(stats_before, stats_after):
        assert not np.allclose(before, after), "generator batch-norm statistics did not move"
    for before, after in zip(disc_stats_before, _batch_norm_stats(gan.discriminator)):
        assert not np.allclose(before, after), "discriminator batch-norm statistics did not move"
    gen_changed = [not np.array_equal(b, np.array(v))
                   for b, v in zip(gen_before, gan.generator.trainable_variables)]
    disc_changed = [not np.array_equal(b, np.array(v))
                    for b, v in zip(disc_before, gan.discriminator.trainable_variables)]
    assert all(gen_changed), f"{gen_changed.count(False)} generator variables did not change"
    assert all(disc_changed), f"{disc_changed.count(False)} discriminator variables did not change"


# --- resuming ----------------------------------------------------------------------------


def test_resumed_run_equals_uninterrupted_run(run_a, tmp_path, fixture_train, fixture_heldout):
    run_a_dir, rows_a = run_a
    run_b = RunDirectory(tmp_path / "run_b")
    rows_b1 = train(fixture_train, fixture_heldout, run_b.root, TINY.replace(epochs=1), verbose=0)
    assert len(rows_b1) == 1 and run_b.saved_epochs() == [1]
    rows_b = train(fixture_train, fixture_heldout, run_b.root, TINY, verbose=0)

    assert len(rows_a) == len(rows_b) == 2
    assert len(run_b.read_metrics()) == 2
    for epoch in (1, 2):
        for a, b in zip(generator_weights(run_a_dir, epoch), generator_weights(run_b, epoch)):
            np.testing.assert_allclose(a, b, rtol=FLOAT16_RTOL, atol=1e-5, err_msg=f"epoch {epoch}")
    for a, b in zip(without_seconds(rows_a), without_seconds(rows_b)):
        assert a == pytest.approx(b, rel=1e-4, abs=1e-6)


def test_resume_with_another_model_size_names_the_field(run_a_copy, fixture_train, fixture_heldout):
    with pytest.raises(RunError, match="image_size") as info:
        train(fixture_train, fixture_heldout, run_a_copy.root, TINY.replace(image_size=16), verbose=0)
    assert "16" in str(info.value) and "32" in str(info.value)
    # The refused run is untouched.
    assert run_a_copy.read_config() == TINY


def test_train_again_with_same_epochs_does_nothing(run_a, run_a_copy, fixture_train, fixture_heldout):
    _, rows_a = run_a
    weights = run_a_copy.generator_weights(2)
    stamp = (weights.stat().st_mtime_ns, weights.read_bytes())
    checkpoint = tf.train.latest_checkpoint(str(run_a_copy.checkpoints))

    rows = train(fixture_train, fixture_heldout, run_a_copy.root, TINY, verbose=0)

    assert rows == rows_a
    assert (weights.stat().st_mtime_ns, weights.read_bytes()) == stamp
    assert tf.train.latest_checkpoint(str(run_a_copy.checkpoints)) == checkpoint
    assert run_a_copy.saved_epochs() == [1, 2]


# --- non-finite losses -------------------------------------------------------------------


def test_stop_on_non_finite_names_epoch_and_step():
    callback = StopOnNonFinite()
    callback.on_epoch_begin(4)
    callback.on_train_batch_end(0, {"generator_loss": 1.5, "l1": 0.1})  # finite: no error
    with pytest.raises(TrainingError) as info:
        callback.on_train_batch_end(6, {"generator_loss": float("nan"), "l1": 0.1})
    message = str(info.value)
    assert "generator_loss" in message
    assert "epoch 5" in message and "step 7" in message
    with pytest.raises(TrainingError, match="discriminator_loss"):
        callback.on_train_batch_end(0, {"discriminator_loss": float("inf")})


def test_non_finite_loss_stops_training_and_keeps_last_checkpoint(
    run_a_copy, fixture_train, fixture_heldout
):
    """Resume run A for a third epoch whose loss is NaN from the first step on (a NaN L1
    weight; a learning rate of 1e6 does not reliably produce one on this model)."""
    broken = TINY.replace(epochs=3, l1_weight=float("nan"))
    with pytest.raises(TrainingError) as info:
        train(fixture_train, fixture_heldout, run_a_copy.root, broken, verbose=0)
    message = str(info.value)
    assert "epoch 3" in message and "step 1" in message, message

    assert run_a_copy.saved_epochs() == [1, 2]
    assert [int(r["epoch"]) for r in run_a_copy.read_metrics()] == [1, 2]
    latest = tf.train.latest_checkpoint(str(run_a_copy.checkpoints))
    assert latest.endswith("ckpt-2")
    # The checkpoint restores into a fresh model and holds epoch 2's finite generator.
    gan = build_gan(TINY)
    epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
    make_checkpoint(gan, epoch).restore(latest).assert_existing_objects_matched()
    assert int(epoch.numpy()) == 2
    restored = gan.generator.get_weights()
    assert all(np.all(np.isfinite(w)) for w in restored)
    for a, b in zip(restored, generator_weights(run_a_copy, 2)):
        np.testing.assert_array_equal(a.astype(np.float16), b.astype(np.float16))


# --- atomic writes -----------------------------------------------------------------------


def test_write_atomically_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "notes.txt"
    write_atomically(target, "first\n")
    write_atomically(target, "second\n")
    assert target.read_text() == "second\n"
    assert [p.name for p in target.parent.iterdir()] == ["notes.txt"]


def test_atomic_path_keeps_the_old_file_when_the_write_fails(tmp_path):
    target = tmp_path / "metrics.csv"
    write_atomically(target, "old\n")
    with pytest.raises(OSError, match="disk full"):
        with atomic_path(target) as tmp:
            tmp.write_text("half of the new")
            raise OSError("disk full")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.csv"]


def test_atomic_path_writes_a_loadable_weights_file(tmp_path):
    model = build_generator(16, 8)
    target = tmp_path / "generators" / "epoch_001.weights.h5"
    with atomic_path(target) as tmp:
        model.save_weights(tmp)  # Keras accepts the name: it still ends in .weights.h5
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    other = build_generator(16, 8)
    assert any(not np.array_equal(a, b) for a, b in zip(model.get_weights(), other.get_weights()))
    other.load_weights(target)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


# --- mixed precision ---------------------------------------------------------------------


@pytest.mark.parametrize("precision", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_trains_and_restores_the_policy(precision, tmp_path, fixture_train,
                                                        fixture_heldout):
    config = TrainConfig(image_size=16, batch_size=8, epochs=1, generator_filters=8,
                         discriminator_filters=8, sample_count=2, precision=precision,
                         warmup_epochs=0)
    try:
        rows = train(fixture_train, fixture_heldout, tmp_path / "run", config, verbose=0)
    finally:
        policy = keras.config.dtype_policy().name
        keras.config.set_dtype_policy("float32")  # never leak into the other tests
    assert policy == "float32"
    assert len(rows) == 1
    assert all(math.isfinite(v) for v in rows[0].values()), rows[0]

    run = RunDirectory(tmp_path / "run")
    generator = build_generator(16, 8)
    generator.load_weights(run.generator_weights(1))
    l_norm, _ = next(iter(eval_batches(fixture_heldout, 16)))
    ab = np.asarray(generator(l_norm, training=False))
    assert np.all(np.isfinite(ab)) and ab.min() >= -1.0 and ab.max() <= 1.0
    # The mixed-precision networks themselves compute in the low precision but answer in
    # float32 within tanh's range.
    gan = build_gan(config)
    assert keras.config.dtype_policy().name == "float32"
    assert gan.generator.layers[1].compute_dtype == precision.split("_")[1]
    out = gan.generator(l_norm, training=False)
    assert out.dtype == tf.float32
    assert float(tf.reduce_min(out)) >= -1.0 and float(tf.reduce_max(out)) <= 1.0


# --- XLA ------------------------------------------------------------------------------------


def test_xla_compiled_training_matches_the_plain_step(tmp_path, fixture_train, fixture_heldout):
    """jit_compile=True (one config field) trains with finite losses, in range, like float32."""
    base = TrainConfig(image_size=16, batch_size=8, epochs=1, generator_filters=8,
                       discriminator_filters=8, sample_count=2, dropout=0.0, warmup_epochs=0)
    rows = {jit: train(fixture_train, fixture_heldout, tmp_path / f"jit{jit}",
                       base.replace(jit_compile=jit), verbose=0)[-1] for jit in (False, True)}
    assert all(math.isfinite(v) for v in rows[True].values()), rows[True]
    # Same data, same initial weights: XLA changes the arithmetic order only.
    for key in ("generator_loss", "l1", "discriminator_loss"):
        assert rows[True][key] == pytest.approx(rows[False][key], rel=1e-2), key
    generator = build_generator(16, 8)
    generator.load_weights(RunDirectory(tmp_path / "jitTrue").generator_weights(1))
    l_norm, _ = next(iter(eval_batches(fixture_heldout, 16)))
    ab = np.asarray(generator(l_norm, training=False))
    assert np.all(np.isfinite(ab)) and ab.min() >= -1.0 and ab.max() <= 1.0


# --- the L1-only warm-up -----------------------------------------------------------------


def _discriminator_at_start(config: TrainConfig) -> list[np.ndarray]:
    """The discriminator's initial weights, as `train` draws them from the config's seed."""
    keras.utils.set_random_seed(config.seed)
    return [np.array(v) for v in build_gan(config).discriminator.variables]


def _discriminator_in_checkpoint(run: RunDirectory, config: TrainConfig) -> list[np.ndarray]:
    gan = build_gan(config)
    make_checkpoint(gan, tf.Variable(0, dtype=tf.int64)).restore(
        tf.train.latest_checkpoint(str(run.checkpoints))).expect_partial()
    return [np.array(v) for v in gan.discriminator.variables]


def test_warmup_epochs_train_the_generator_alone(tmp_path, fixture_train, fixture_heldout):
    config = TINY.replace(warmup_epochs=1)
    run = RunDirectory(tmp_path / "run")
    rows = train(fixture_train, fixture_heldout, run.root, config, verbose=0)

    warmup, adversarial = rows
    assert warmup["adversarial"] == 0 and warmup["discriminator_loss"] == 0
    assert warmup["l1"] > 0 and warmup["generator_loss"] == pytest.approx(100 * warmup["l1"], rel=1e-4)
    assert adversarial["adversarial"] > 0 and adversarial["discriminator_loss"] > 0
    first, second = generator_weights(run, 1), generator_weights(run, 2)
    assert any(not np.array_equal(a, b) for a, b in zip(first, second))


def test_discriminator_is_untouched_during_warmup(tmp_path, fixture_train, fixture_heldout):
    config = TINY.replace(warmup_epochs=2)
    run = RunDirectory(tmp_path / "run")
    train(fixture_train, fixture_heldout, run.root, config, verbose=0)
    for start, saved in zip(_discriminator_at_start(config), _discriminator_in_checkpoint(run, config)):
        np.testing.assert_array_equal(start, saved)
    # ...while a run without warm-up does train it.
    other = RunDirectory(tmp_path / "other")
    train(fixture_train, fixture_heldout, other.root, TINY, verbose=0)
    moved = [not np.array_equal(a, b) for a, b in
             zip(_discriminator_at_start(TINY), _discriminator_in_checkpoint(other, TINY))]
    assert any(moved)


def test_run_resumed_across_the_end_of_warmup_equals_uninterrupted(tmp_path, fixture_train,
                                                                    fixture_heldout):
    config = TINY.replace(warmup_epochs=1)
    whole = RunDirectory(tmp_path / "whole")
    rows_whole = train(fixture_train, fixture_heldout, whole.root, config, verbose=0)
    assert_one_plus_one_epoch_equals(whole, rows_whole, config, tmp_path / "parts",
                                     fixture_train, fixture_heldout)


def assert_one_plus_one_epoch_equals(whole: RunDirectory, rows_whole: list[dict[str, float]],
                                     config: TrainConfig, parts_dir: Path, fixture_train: list[Path],
                                     fixture_heldout: list[Path]) -> None:
    """Train `config` to epoch 1, then resume it to epoch 2: the same weights and rows as `whole`."""
    train(fixture_train, fixture_heldout, parts_dir, config.replace(epochs=1), verbose=0)
    rows_parts = train(fixture_train, fixture_heldout, parts_dir, config, verbose=0)
    for a, b in zip(generator_weights(whole, 2), generator_weights(RunDirectory(parts_dir), 2)):
        np.testing.assert_allclose(a, b, rtol=FLOAT16_RTOL, atol=1e-5)
    for a, b in zip(without_seconds(rows_whole), without_seconds(rows_parts)):
        assert a == pytest.approx(b, rel=1e-4, abs=1e-6)


# --- Polyak averaging of the generator ---------------------------------------------------


@pytest.fixture(scope="module")
def averaged_run(tmp_path_factory, fixture_train, fixture_heldout):
    """TINY with a moving average of momentum 0.5 (large, so the average is far from the weights)."""
    run = RunDirectory(tmp_path_factory.mktemp("averaged"))
    rows = train(fixture_train, fixture_heldout, run.root, TINY.replace(generator_average=0.5), verbose=0,
                 keep_every=1)
    return run, rows


def test_averaging_keeps_the_training_and_saves_the_average(run_a, averaged_run):
    """The average changes what is saved and scored, never what is trained: the training losses
    of every epoch are those of the same run without averaging (a generator that went on from
    the average in epoch 2 would lose differently), while the saved weights differ."""
    (plain, plain_rows), (averaged, averaged_rows) = run_a, averaged_run
    for a, b in zip(plain_rows, averaged_rows):
        assert a["generator_loss"] == pytest.approx(b["generator_loss"], rel=1e-4)
        assert a["discriminator_loss"] == pytest.approx(b["discriminator_loss"], rel=1e-4)
    for epoch in (1, 2):  # by more than two runs of one recipe differ (the resume tests' tolerance)
        assert any(not np.allclose(a, b, rtol=FLOAT16_RTOL, atol=1e-5) for a, b in
                   zip(generator_weights(plain, epoch), generator_weights(averaged, epoch)))


def test_averaged_run_resumed_equals_uninterrupted(averaged_run, tmp_path, fixture_train, fixture_heldout):
    """The checkpoint holds the average in the weights' place; the resumed epoch swaps it back."""
    whole, rows_whole = averaged_run
    assert_one_plus_one_epoch_equals(whole, rows_whole, TINY.replace(generator_average=0.5),
                                     tmp_path / "parts", fixture_train, fixture_heldout)


def test_resuming_with_another_average_is_refused(averaged_run, tmp_path, fixture_train, fixture_heldout):
    copy = tmp_path / "copy"
    shutil.copytree(averaged_run[0].root, copy)
    with pytest.raises(RunError, match="generator_average=0.5 \\(asked 0.0\\)"):
        train(fixture_train, fixture_heldout, copy, TINY.replace(epochs=3), verbose=0)


def test_average_momentum_out_of_range_is_refused():
    with pytest.raises(ValueError, match="generator_average"):
        TrainConfig(generator_average=1.0)


def test_negative_warmup_is_refused():
    with pytest.raises(ValueError, match="warmup_epochs"):
        TrainConfig(warmup_epochs=-1)


def test_linear_decay_sets_both_learning_rates_per_epoch():
    from colorhelpers.training.callbacks import LinearDecay

    gan = build_gan(TINY.replace(image_size=16))
    decay = LinearDecay(2e-4, epochs=4, decay_epochs=2)
    decay.set_model(gan)
    rates = []
    for epoch in range(4):
        decay.on_epoch_begin(epoch)
        rates.append([float(np.asarray(o.learning_rate))
                      for o in (gan.generator_optimizer, gan.discriminator_optimizer)])
    assert np.allclose(rates, [[2e-4] * 2, [2e-4] * 2, [2e-4] * 2, [1e-4] * 2])


class Interrupted(Exception):
    pass


def test_run_killed_during_decay_resumes_with_the_same_rates(run_a, tmp_path, monkeypatch,
                                                             fixture_train, fixture_heldout):
    """Stopped after its first epoch's checkpoint (as by kill -9) and run again with the same
    config, a run with a decaying learning rate ends where an uninterrupted one does."""
    from colorhelpers.training.callbacks import SaveCheckpoint

    config = TINY.replace(decay_epochs=2)  # epoch 2 at half the rate
    whole, killed = RunDirectory(tmp_path / "whole"), RunDirectory(tmp_path / "killed")
    train(fixture_train, fixture_heldout, whole.root, config, verbose=0)

    save = SaveCheckpoint.on_epoch_end

    def save_then_die(self, epoch, logs=None):
        save(self, epoch, logs)
        raise Interrupted

    monkeypatch.setattr(SaveCheckpoint, "on_epoch_end", save_then_die)
    with pytest.raises(Interrupted):
        train(fixture_train, fixture_heldout, killed.root, config, verbose=0)
    monkeypatch.setattr(SaveCheckpoint, "on_epoch_end", save)
    assert killed.saved_epochs() == [1]
    train(fixture_train, fixture_heldout, killed.root, config, verbose=0)
    for a, b in zip(generator_weights(whole, 2), generator_weights(killed, 2)):
        np.testing.assert_allclose(a, b, rtol=FLOAT16_RTOL, atol=1e-5)


def test_decay_changes_what_is_learned(run_a, tmp_path, fixture_train, fixture_heldout):
    run_a_dir, _ = run_a
    decayed = RunDirectory(tmp_path / "decayed")
    train(fixture_train, fixture_heldout, decayed.root, TINY.replace(decay_epochs=2), verbose=0)
    first_epoch_same = [np.array_equal(a, b) for a, b in
                        zip(generator_weights(run_a_dir, 1), generator_weights(decayed, 1))]
    second_epoch_same = [np.array_equal(a, b) for a, b in
                         zip(generator_weights(run_a_dir, 2), generator_weights(decayed, 2))]
    assert all(first_epoch_same)  # full rate in epoch 1
    assert not all(second_epoch_same)  # half rate in epoch 2
