"""The run directory: every file a training run writes, and how it writes them safely.

Taught in notebooks/04_training (what a run leaves on disk) and read by notebooks/05.

A run directory holds `config.json` (the recipe), `metrics.csv` (held-out scores per
epoch), `generators/epoch_NNN.weights.h5` (the generator's weights in float16, for the
two newest epochs and every tenth), `previews/epoch_NNN.npz` (every epoch's colors of the
held-out images, for the epoch browser), `samples/epoch_NNN.png`, `checkpoints/` (the full
state of the two newest epochs while training, of the last one once finished, to resume or
extend) and `logs/` (TensorBoard). Every file is written under a temporary name in the same
folder and renamed into place, so a run killed at any moment leaves each file either old or
new, never half-written. A default run of 30 epochs at 128 px takes about 230 MB.
`run_key` names a run directory by what trains it, so the notebooks train each recipe once
and share the run.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import fcntl
import hashlib
import io
import os
import shutil
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from colorhelpers.training.config import RESUME_FIELDS, TrainConfig

#: Columns of metrics.csv, one row per epoch.
METRIC_COLUMNS = (
    "epoch", "generator_loss", "l1", "adversarial", "discriminator_loss",
    "psnr", "ciede2000", "auc", "colorfulness_ratio", "seconds",
)


def short_hash(text: str) -> str:
    """Eight hex digits of the SHA-256 of `text`.

    >>> short_hash("colorgan")
    'd8ca4e60'
    """
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def recipe_hash(config: TrainConfig) -> str:
    """A short hash of a config's JSON (`config.json`): which recipe trains a run."""
    return short_hash(config.to_json())


def run_key(config: TrainConfig) -> str:
    """A run directory's name that says what trains it: the kind, then `recipe_hash`. Two
    callers asking for the same recipe get the same run, another recipe never reuses it.

    >>> run_key(TrainConfig()) == run_key(TrainConfig.from_json(TrainConfig().to_json()))
    True
    >>> run_key(TrainConfig()).startswith("gray-"), run_key(TrainConfig(epochs=3)) == run_key(TrainConfig())
    (True, False)
    """
    return f"{config.kind}-{recipe_hash(config)}"


class RunError(ValueError):
    """A run directory that cannot be used as asked; the message says what to do."""


#: errno values that mean "this disk cannot take the write", with the words users know.
DISK_PROBLEMS = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
}


def disk_problem(err: BaseException) -> str | None:
    """What went wrong with a write, in a few words, if `err` is a full or unwritable disk.

    Works on OSError (errno) and on errors from TensorFlow and h5py, which carry only text.
    """
    code = getattr(err, "errno", None)
    if code in DISK_PROBLEMS:
        return DISK_PROBLEMS[code]
    text = str(err).lower()
    return next((words for words in DISK_PROBLEMS.values() if words in text), None)


@dataclass(frozen=True)
class RunDirectory:
    """Where a run keeps its files. Everything a run writes is listed here."""

    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "config.json"

    @property
    def metrics_csv(self) -> Path:
        return self.root / "metrics.csv"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def tensorboard(self) -> Path:
        return self.root / "logs"

    def generator_weights(self, epoch: int) -> Path:
        return self.root / "generators" / f"epoch_{epoch:03d}.weights.h5"

    def preview(self, epoch: int) -> Path:
        return self.root / "previews" / f"epoch_{epoch:03d}.npz"

    def samples(self, epoch: int) -> Path:
        return self.root / "samples" / f"epoch_{epoch:03d}.png"

    def checkpointed_epochs(self) -> list[int]:
        """Epochs with a checkpoint on disk (intact or not), ascending."""
        return sorted(int(f.stem.split("-")[-1]) for f in self.checkpoints.glob("ckpt-*.index"))

    def saved_epochs(self) -> list[int]:
        """Epochs whose generator weights are on disk, ascending."""
        files = (self.root / "generators").glob("epoch_*.weights.h5")
        return sorted(int(f.name[6:9]) for f in files)

    def previewed_epochs(self) -> list[int]:
        """Epochs whose held-out colors are on disk (every trained epoch), ascending."""
        return sorted(int(f.name[6:9]) for f in (self.root / "previews").glob("epoch_*.npz"))

    @property
    def lock_file(self) -> Path:
        return self.root / "train.lock"

    def disk_usage(self) -> int:
        """Bytes taken by the files of the run directory."""
        return sum(f.stat().st_size for f in self.root.rglob("*") if f.is_file())

    def read_config(self) -> TrainConfig:
        return TrainConfig.from_json(self.config_file.read_text())

    def read_metrics(self) -> list[dict[str, float]]:
        """The rows of metrics.csv as dicts of floats (an empty list before the first epoch)."""
        if not self.metrics_csv.exists():
            return []
        with open(self.metrics_csv, newline="") as f:
            return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]

    def write_metrics(self, rows: list[dict[str, float]]) -> None:
        """Rewrite metrics.csv; epochs as integers, the rest to 6 significant digits."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=METRIC_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (int(v) if k == "epoch" else f"{v:.6g}") for k, v in row.items()})
        write_atomically(self.metrics_csv, out.getvalue())

    def check_resumable(self, config: TrainConfig) -> None:
        """Raise RunError if the run here was trained with networks of another shape (or with
        another weight average: `config.RESUME_FIELDS`)."""
        if not self.config_file.exists():
            return
        saved = self.read_config()
        changed = [f for f in RESUME_FIELDS if getattr(saved, f) != getattr(config, f)]
        if changed:
            details = ", ".join(f"{f}={getattr(saved, f)} (asked {getattr(config, f)})" for f in changed)
            raise RunError(
                f"{self.root} holds a run with a different model: {details}. "
                "Use the same settings to resume, or a new output folder."
            )


def save_preview(path: Path, ab: np.ndarray, names: Sequence[str]) -> None:
    """Store predicted ab ([-1, 1], [n, h, w, 2]) of named images as uint8: 2 bytes a pixel."""
    quantized = np.round((np.clip(ab, -1, 1) + 1) * 127.5).astype(np.uint8)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez_compressed(f, ab=quantized, names=np.asarray(names))


def read_preview(path: Path) -> tuple[np.ndarray, list[str]]:
    """The ab ([-1, 1], float32) and image names stored by `save_preview`."""
    try:
        with np.load(path) as arrays:
            return arrays["ab"].astype(np.float32) / 127.5 - 1, [str(n) for n in arrays["names"]]
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as err:
        raise RunError(f"{path}: damaged ({err})") from None


@contextlib.contextmanager
def training_lock(run: RunDirectory) -> Iterator[None]:
    """Hold the run directory for one trainer; a second one is refused at once.

    The lock is an advisory `flock` on `train.lock`, which holds the trainer's process id.
    The kernel releases it when the process ends in any way (kill -9 included), so a lock
    left by a killed trainer is simply taken over.
    """
    run.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(run.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise RunError(f"{run.root}: another process (pid {holder}) is training in this run directory; "
                       "wait for it to finish, or stop it first") from None
    try:
        left_by = os.pread(fd, 32, 0).decode(errors="replace").strip()
        if left_by:
            warnings.warn(f"{run.lock_file}: taking over the lock left by process {left_by}, "
                          "which is no longer running", RuntimeWarning, stacklevel=3)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # an empty lock file: nobody was killed holding it
        os.close(fd)  # releases the flock


def remove_partial_files(run: RunDirectory) -> None:
    """Delete what an interrupted write left: `.tmp-*` files and TensorFlow's `*_temp` folders."""
    for leftover in [*run.root.rglob(".tmp-*"), *run.checkpoints.glob("*_temp*")]:
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(path: Path, expected_bytes: int = 0) -> Iterator[Path]:
    """A temporary path to write `path`'s new content to; renamed onto `path` on success.

    The temporary name keeps the file's name as its ending (`.tmp-epoch_001.weights.h5`),
    since some writers (Keras, PIL) choose the format by the ending. On an error the
    temporary file is removed and `path` is left as it was. With `expected_bytes`, a disk
    with less room than that raises OSError(ENOSPC) before anything is written: h5py can
    crash the whole process when the disk fills up in the middle of a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}")
    if expected_bytes and shutil.disk_usage(path.parent).free < expected_bytes:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomically(path: Path, text: str) -> None:
    """Write a text file so that a crash leaves either the old or the new file, never half."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)

def save_png(image: np.ndarray, path: Path) -> None:
    """Write a uint8 RGB array as PNG, atomically (a temporary file renamed into place)."""
    with atomic_path(path) as tmp:
        Image.fromarray(image).save(tmp, format="PNG")
