"""Two worker processes under MultiWorkerMirroredStrategy (TF_CONFIG on loopback ports).

Each worker runs `python -m colorhelpers train` with its own TF_CONFIG, as on two machines;
their run directory is the chief's. A run trained for one epoch by one process is resumed
by both workers (each from the chief's checkpoint: a worker that started elsewhere would
stop the run) for a second epoch, and compared with one process training both epochs.
Starting two TensorFlow processes takes most of the time (about a minute on 2 cores).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from colorhelpers.training import RunDirectory, TrainConfig, train

REPO = Path(__file__).resolve().parent.parent
#: No dropout: each replica would draw its own masks, which no tolerance can absorb.
CONFIG = TrainConfig(image_size=32, batch_size=8, epochs=2, generator_filters=8,
                     discriminator_filters=8, dropout=0.0, sample_count=2, warmup_epochs=0,
                     decay_epochs=0)


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def run_workers(run_root: Path, epochs: int, scratch: Path) -> list[str]:
    """Start both workers, wait for both; return their outputs."""
    workers = [f"127.0.0.1:{port}" for port in free_ports(2)]
    processes = []
    for index in range(2):
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TMPDIR": str(scratch),
               "TF_CONFIG": json.dumps({"cluster": {"worker": workers},
                                        "task": {"type": "worker", "index": index}})}
        command = [sys.executable, "-m", "colorhelpers", "train", "--data", str(REPO / "data" / "fixture"),
                   "--out", str(run_root), "--epochs", str(epochs)]
        processes.append(subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True))
    outputs = []
    deadline = time.monotonic() + 240
    for process in processes:
        try:
            outputs.append(process.communicate(timeout=max(1, deadline - time.monotonic()))[0])
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            pytest.fail("the workers did not finish in 240 s")
    for process, output in zip(processes, outputs):
        assert process.returncode == 0, output[-3000:]
    return outputs


def test_two_workers_resume_from_the_chief_and_agree_with_one(tmp_path, fixture_train, fixture_heldout):
    run = RunDirectory(tmp_path / "two")
    train(fixture_train, fixture_heldout, run.root, CONFIG.replace(epochs=1), verbose=0)
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    outputs = run_workers(run.root, CONFIG.epochs, scratch)

    assert "MultiWorkerMirroredStrategy, 2 worker(s), 2 replica(s)" in outputs[0], outputs[0]
    assert "worker 0, the chief" in outputs[0] and "worker 1, writing a scratch folder" in outputs[1]
    assert "epoch 2/2" in outputs[1].lower(), outputs[1]  # it resumed at epoch 2, as the chief did
    assert run.previewed_epochs() == [1, 2] and run.saved_epochs() == [1, 2]
    assert [int(r["epoch"]) for r in run.read_metrics()] == [1, 2]
    assert list(scratch.iterdir()) == [], "a worker left its scratch folder behind"

    alone = RunDirectory(tmp_path / "one")
    rows = train(fixture_train, fixture_heldout, alone.root, CONFIG, verbose=0)
    one, two = rows[-1], run.read_metrics()[-1]
    for key in ("generator_loss", "l1", "discriminator_loss", "psnr", "auc"):
        assert two[key] == pytest.approx(one[key], rel=2e-3, abs=1e-3), (key, one, two)
    ab_one = np.load(alone.preview(2))["ab"].astype(float)
    ab_two = np.load(run.preview(2))["ab"].astype(float)
    assert np.abs(ab_one - ab_two).max() <= 2, "the two workers' epoch 2 differs from one process's"
