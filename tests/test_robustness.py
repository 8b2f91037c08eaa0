"""Nothing lost: damaged checkpoints and weights, a full disk, two trainers, odd image files.

Each test breaks something on purpose and checks that colorgan says what happened in one
line and keeps every complete result. A full disk is simulated by making the write raise
what a full disk raises (`OSError(ENOSPC)`, or TensorFlow's error for a checkpoint), and
for real on a small tmpfs when the tests run as root.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image, ImageOps

from colorhelpers.colorize import Colorizer, colorize_path
from colorhelpers.data import SkippedImageWarning, decode_rgb, eval_batches, find_images
from colorhelpers.evaluation import EpochBrowser, load_generator, open_run, previewed_paths
from colorhelpers.scoring import gray_output_truth, predict_ab
from colorhelpers.training import RunDirectory, RunError, TrainConfig, TrainingError, callbacks, loop, train
from colorhelpers.training.runs import read_preview, save_preview, training_lock

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}
TINY = TrainConfig(image_size=32, batch_size=8, epochs=3, generator_filters=8,
                   discriminator_filters=8, sample_count=2, warmup_epochs=1, decay_epochs=0)


def cli(*args: str | Path, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "colorhelpers", *map(str, args)], cwd=REPO, env=ENV,
                          capture_output=True, text=True, timeout=timeout)


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("colorgan ")]


@pytest.fixture(scope="module")
def run_3(tmp_path_factory, fixture_train, fixture_heldout) -> RunDirectory:
    """Three epochs of TINY, every epoch's generator kept."""
    root = tmp_path_factory.mktemp("run_3")
    train(fixture_train, fixture_heldout, root, TINY, verbose=0, keep_every=1)
    return RunDirectory(root)


@pytest.fixture(scope="module")
def unfinished_run(tmp_path_factory, fixture_train, fixture_heldout) -> RunDirectory:
    """Three epochs of TINY stopped before the end of the run: both checkpoints still there."""
    root = tmp_path_factory.mktemp("unfinished")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loop, "keep_only_newest", lambda manager, checkpoint: None)
        train(fixture_train, fixture_heldout, root, TINY, verbose=0)
    return RunDirectory(root)


@pytest.fixture
def run_copy(run_3, tmp_path) -> RunDirectory:
    return RunDirectory(Path(shutil.copytree(run_3.root, tmp_path / "run")))


# --- damaged files -----------------------------------------------------------------------


def test_a_finished_run_keeps_one_checkpoint_and_previews_of_every_epoch(run_3, unfinished_run):
    assert run_3.checkpointed_epochs() == [3]
    assert unfinished_run.checkpointed_epochs() == [2, 3]  # while training: two
    assert run_3.previewed_epochs() == [1, 2, 3]
    assert run_3.saved_epochs() == [1, 2, 3]
    assert not list(run_3.root.rglob(".tmp-*"))


def test_a_copied_finished_run_extends_and_keeps_one_checkpoint(run_copy, fixture_train, fixture_heldout):
    index = (run_copy.checkpoints / "checkpoint").read_text()
    assert str(run_copy.root) not in index and "run_3" not in index  # names relative to the folder
    rows = train(fixture_train, fixture_heldout, run_copy.root, TINY.replace(epochs=4), verbose=0)
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]
    assert run_copy.checkpointed_epochs() == [4]


@pytest.mark.parametrize(("keep_every", "kept"), [(0, [3, 4]), (3, [3, 4]), (2, [2, 3, 4]), (10, [3, 4])])
def test_keep_every(tmp_path, fixture_train, fixture_heldout, keep_every, kept):
    config = TINY.replace(epochs=4, warmup_epochs=4)  # L1 only: quicker
    train(fixture_train, fixture_heldout, tmp_path, config, verbose=0, keep_every=keep_every)
    run = RunDirectory(tmp_path)
    assert run.saved_epochs() == kept
    assert run.previewed_epochs() == [1, 2, 3, 4]
    with h5py.File(run.generator_weights(4)) as weights:  # stored as float16: half the size
        dtypes = set()
        weights.visititems(lambda name, item: dtypes.add(item.dtype) if hasattr(item, "dtype") else None)
    assert dtypes == {np.dtype("float16")}


def test_resume_past_a_damaged_newest_checkpoint(unfinished_run, tmp_path, fixture_train, fixture_heldout):
    run_copy = RunDirectory(Path(shutil.copytree(unfinished_run.root, tmp_path / "run")))
    data = next(run_copy.checkpoints.glob("ckpt-3.data-*"))
    data.write_bytes(os.urandom(500))
    with pytest.warns(RuntimeWarning, match=r"ckpt-3 is damaged .*training goes on from epoch 3"):
        rows = train(fixture_train, fixture_heldout, run_copy.root, TINY.replace(epochs=4), verbose=0)
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]
    # Moved aside, not deleted; the new epochs were checkpointed as usual.
    assert sorted(p.name for p in (run_copy.checkpoints / "damaged").iterdir()) == [
        data.name, "ckpt-3.index"]
    assert run_copy.checkpointed_epochs() == [4]


def test_resume_with_every_checkpoint_damaged_starts_over(run_copy, fixture_train, fixture_heldout):
    for data in run_copy.checkpoints.glob("ckpt-*.data-*"):
        data.write_bytes(b"")
    with pytest.warns(RuntimeWarning, match="training goes on from epoch 1"):
        rows = train(fixture_train, fixture_heldout, run_copy.root, TINY, verbose=0)
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_damaged_generator_weights_name_the_file(run_copy, damage):
    weights = run_copy.generator_weights(1)
    if damage == "truncated":
        weights.write_bytes(weights.read_bytes()[:1000])
    else:
        weights.unlink()
    run = open_run(run_copy.root)
    with pytest.raises(RunError) as info:
        load_generator(run, 1)
    message = str(info.value)
    if damage == "truncated":
        assert str(weights) in message and "damaged" in message and "--epoch" in message
    else:
        assert "epoch 1 was not kept" in message and "2, 3" in message
    load_generator(run, 2)  # the other epochs still load


def test_epoch_browser_offers_every_epoch_from_previews(run_3, fixture_heldout, tmp_path):
    run = RunDirectory(Path(shutil.copytree(run_3.root, tmp_path / "run")))
    for epoch in (1, 2):
        run.generator_weights(epoch).unlink()  # as with --keep-every 0
    browser = EpochBrowser(run, fixture_heldout[:3])
    assert browser.epochs == [1, 2, 3]
    first = browser.triple(1, 0)[1]
    # The preview holds what the generator of epoch 1 predicted (stored as 8 bits).
    generator, _ = load_generator(run_3, 1)
    l_norm, ab_true = (t.numpy() for t in next(iter(eval_batches(fixture_heldout[:1], TINY.image_size))))
    reference = gray_output_truth(l_norm, predict_ab(generator, l_norm), ab_true)[1][0]
    assert np.abs(first.astype(int) - reference.astype(int)).max() <= 2
    assert not np.array_equal(first, browser.triple(3, 0)[1])


def test_epoch_browser_of_the_previewed_images_offers_every_epoch(run_3, fixture_heldout, tmp_path):
    # A run that previewed fewer held-out images than there are (PREVIEW_IMAGES of them).
    run = RunDirectory(Path(shutil.copytree(run_3.root, tmp_path / "run")))
    for epoch in (1, 2, 3):
        ab, names = read_preview(run.preview(epoch))
        keep = 1 if epoch == 1 else 2  # epoch 1's preview is short of the second image
        save_preview(run.preview(epoch), ab[:keep], names[:keep])
    for epoch in (1, 2):
        run.generator_weights(epoch).unlink()  # as with --keep-every 0
    assert EpochBrowser(run, fixture_heldout[:4]).epochs == [3]  # the others lack two images
    shown = previewed_paths(run, fixture_heldout[:4])
    assert shown == fixture_heldout[:2]
    assert EpochBrowser(run, shown).epochs == [2, 3]  # each epoch's preview asked on its own
    assert EpochBrowser(run, shown[:1]).epochs == [1, 2, 3]


# --- a full or unwritable disk ------------------------------------------------------------


def test_full_disk_while_writing_a_preview(tmp_path, monkeypatch, fixture_train, fixture_heldout):
    real_save = callbacks.save_preview

    def full_at_epoch_2(path, ab, names):
        if path.name == "epoch_002.npz":
            tmp = path.with_name(f".tmp-{path.name}")
            tmp.write_bytes(b"half")  # what a write cut short leaves
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
        real_save(path, ab, names)

    monkeypatch.setattr(callbacks, "save_preview", full_at_epoch_2)
    with pytest.raises(TrainingError) as info:
        train(fixture_train, fixture_heldout, tmp_path, TINY, verbose=0)
    message = str(info.value)
    assert "no space left on device" in message and ".tmp-epoch_002.npz" in message
    assert "epoch 1 is kept" in message
    assert not list(tmp_path.rglob(".tmp-*"))
    monkeypatch.setattr(callbacks, "save_preview", real_save)
    rows = train(fixture_train, fixture_heldout, tmp_path, TINY, verbose=0)  # room again: resumes
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]


def test_full_disk_while_writing_a_checkpoint(tmp_path, monkeypatch, fixture_train, fixture_heldout):
    real_save = tf.train.CheckpointManager.save

    def full(self, checkpoint_number=None, **kwargs):
        if checkpoint_number == 2:
            (Path(self.directory) / "ckpt-2_temp").mkdir()  # TensorFlow's partial folder
            raise tf.errors.ResourceExhaustedError(
                None, None, f"{self.directory}/ckpt-2_temp/part-00000; No space left on device")
        return real_save(self, checkpoint_number=checkpoint_number, **kwargs)

    monkeypatch.setattr(tf.train.CheckpointManager, "save", full)
    with pytest.raises(TrainingError, match="no space left on device"):
        train(fixture_train, fixture_heldout, tmp_path, TINY, verbose=0)
    run = RunDirectory(tmp_path)
    assert not list(run.checkpoints.glob("*_temp*"))
    assert run.checkpointed_epochs() == [1]
    assert "ckpt-2" not in {p.stem for p in run.checkpoints.iterdir()}


def test_unwritable_run_directory(tmp_path, fixture_train, fixture_heldout):
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(TrainingError, match="permission denied"):
            train(fixture_train, fixture_heldout, tmp_path / "run", TINY, verbose=0)
    finally:
        tmp_path.chmod(0o700)


def test_full_tmpfs_stops_cleanly_and_resumes_elsewhere(tmp_path):
    """A real full disk: a 6 MB tmpfs holds a few epochs' files but not a checkpoint."""
    small = tmp_path / "small"
    small.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6M", "tmpfs", small],
                                          capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root")
    try:
        small_args = ["--size", "32", "--batch", "8", "--epochs", "2"]
        result = cli("train", "--data", REPO / "data" / "fixture", "--out", small / "run", *small_args)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert len(error_lines(result)) == 1 and "no space left on device" in error_lines(result)[0]
        assert not [p for p in (small / "run").rglob("*") if "tmp" in p.name or "temp" in p.name]
        shutil.copytree(small / "run", tmp_path / "run")
    finally:
        subprocess.run(["umount", small], check=True)
    result = cli("train", "--data", REPO / "data" / "fixture", "--out", tmp_path / "run", *small_args)
    assert result.returncode == 0, result.stderr


# --- two trainers --------------------------------------------------------------------------


def test_second_trainer_is_refused_with_the_pid(tmp_path):
    run = RunDirectory(tmp_path / "run")
    with training_lock(run):
        result = cli("train", "--data", REPO / "data" / "fixture", "--out", run.root, "--size", "32")
    assert result.returncode == 2
    assert error_lines(result) == [
        f"colorgan train: error: {run.root}: another process (pid {os.getpid()}) is training in this "
        "run directory; wait for it to finish, or stop it first"]
    assert not run.config_file.exists()


def test_lock_left_by_a_killed_trainer_is_taken_over(tmp_path):
    run = RunDirectory(tmp_path)
    run.lock_file.write_text("999999\n")  # its process is gone, and so is its flock
    with pytest.warns(RuntimeWarning, match="lock left by process 999999"), training_lock(run):
        assert run.lock_file.read_text() == f"{os.getpid()}\n"
    assert run.lock_file.read_text() == ""


# --- odd files: EXIF orientation, outputs that are files, mutated images ------------------


def test_exif_orientation_is_applied_as_viewers_do(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    for code in range(1, 9):
        image = Image.fromarray(rgb)
        exif = image.getexif()
        exif[0x0112] = code
        path = tmp_path / f"o{code}.png"
        image.save(path, exif=exif.tobytes())
        upright = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
        ours = np.round(decode_rgb(str(path)).numpy() * 255).astype(np.uint8)
        np.testing.assert_array_equal(ours, upright, err_msg=f"orientation {code}")


def test_colorize_writes_a_phone_photo_upright(run_3, tmp_path, fixture_heldout):
    image = Image.open(fixture_heldout[0]).convert("RGB").crop((0, 0, 40, 24))
    exif = image.getexif()
    exif[0x0112] = 6  # the camera was turned: viewers show it 24 wide, 40 high
    image.save(tmp_path / "photo.jpg", exif=exif.tobytes())
    generator, _ = load_generator(open_run(run_3.root))
    out = colorize_path(Colorizer(generator, 32), tmp_path / "photo.jpg", tmp_path / "out")
    assert Image.open(out).size == (24, 40)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """A damaged copy of a file: truncated, bytes flipped, garbage inserted, or a zeroed tail."""
    data = bytearray(data)
    kind = rng.randrange(4)
    if kind == 0:
        return bytes(data[: rng.randrange(1, len(data))])
    if kind == 1:
        for _ in range(rng.randrange(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 2:
        at = rng.randrange(len(data))
        data[at:at] = rng.randbytes(rng.randrange(1, 500))
    else:
        data[rng.randrange(len(data)):] = bytes(64)
    return bytes(data)


@pytest.fixture(scope="module")
def mutated_folder(tmp_path_factory, fixture_heldout) -> Path:
    """300 mutated JPEG, PNG, GIF and BMP files made from the fixture, plus 4 good images."""
    folder = tmp_path_factory.mktemp("mutated")
    originals = []
    for i, path in enumerate(fixture_heldout[:4]):
        image = Image.open(path).convert("RGB")
        for fmt in ("JPEG", "PNG", "GIF", "BMP"):
            original = folder / f"good_{i}_{fmt.lower()}.{fmt.lower()}"
            image.save(original, format=fmt)
            originals.append(original)
    rng = random.Random(13)
    for i in range(300):
        source = rng.choice(originals)
        (folder / f"m{i:03d}{source.suffix}").write_bytes(mutate(source.read_bytes(), rng))
    for original in originals[4:]:
        original.unlink()  # keep one good file of each format
    return folder


def test_find_images_skips_mutated_files_with_a_warning_each(mutated_folder):
    with pytest.warns(SkippedImageWarning) as warned:
        usable = find_images(mutated_folder, require_color=False)
    skipped = {Path(str(w.message).split(": ")[0].removeprefix("skipping ")) for w in warned}
    assert {p.name for p in usable} >= {f"good_0_{f}.{f}" for f in ("jpeg", "png", "gif", "bmp")}
    assert len(skipped) + len(usable) == 304 and not skipped & set(usable)
    for path in usable:  # whatever was not skipped decodes
        decode_rgb(str(path))


def test_colorize_a_folder_of_mutated_files(run_3, mutated_folder, tmp_path):
    result = cli("colorize", "--run", run_3.root, "--input", mutated_folder, "--output", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    written = {p.stem for p in (tmp_path / "out").iterdir()}
    skipped = {Path(line.split(": ")[1].removeprefix("skipping ")).stem
               for line in result.stderr.splitlines() if line.startswith("warning: skipping")}
    assert {f"good_0_{f}" for f in ("jpeg", "png", "gif", "bmp")} <= written
    assert len(written) + len(skipped) == 304 and not written & skipped
