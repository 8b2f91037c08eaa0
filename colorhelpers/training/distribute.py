"""Several GPUs and several machines: which `tf.distribute` strategy `train` runs under.

Taught in the README ("Training on your own images"). `choose_strategy` picks one from the
command line and the environment: `MultiWorkerMirroredStrategy` when `TF_CONFIG` describes a
cluster (each machine runs the same `train` command with its own `TF_CONFIG`), else
`MirroredStrategy` over the local GPUs when asked, else TensorFlow's default (one device).

Under several workers only the chief writes the run directory. The others run the very same
steps (their collective operations must match the chief's) in a scratch directory of their
own, started from a copy of the chief's checkpoints (so a resumed run resumes on every
worker from the chief's epoch) and deleted when they finish: `worker_scratch`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import tensorflow as tf

#: Accepted by `choose_strategy` and `train --strategy`.
STRATEGIES = ("auto", "one", "mirrored", "multiworker")


def cluster_from_environment() -> dict | None:
    """The cluster `TF_CONFIG` describes ({"worker": [...], ...}), or None if it names none."""
    text = os.environ.get("TF_CONFIG", "").strip()
    if not text:
        return None
    try:
        cluster = json.loads(text).get("cluster") or {}
    except (ValueError, AttributeError):
        raise ValueError(f"TF_CONFIG is not a JSON object with a cluster: {text[:120]}") from None
    return cluster or None


def choose_strategy(name: str = "auto") -> tf.distribute.Strategy:
    """The strategy for `name`, one of `STRATEGIES`.

    "auto": `MultiWorkerMirroredStrategy` when `TF_CONFIG` names a cluster, else the
    default strategy (one device). "mirrored": every local GPU (under `TF_CONFIG`, the
    multi-worker strategy, which also uses every local GPU). "multiworker" insists on
    `TF_CONFIG`. Call it before any other TensorFlow operation runs: the multi-worker
    strategy configures the collective operations at start-up.
    """
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    cluster = cluster_from_environment()
    if name == "multiworker" and cluster is None:
        raise ValueError("--strategy multiworker needs TF_CONFIG (see the README)")
    if cluster is not None and name != "one":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def worker_count(strategy: tf.distribute.Strategy) -> int:
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return 1
    spec = resolver.cluster_spec().as_dict()
    return sum(len(spec.get(role, [])) for role in ("chief", "worker"))


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """True for the worker that writes the run directory (the only one, without a cluster)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief


def describe_strategy(strategy: tf.distribute.Strategy) -> str:
    """One line: the strategy, the workers and replicas, and this process's role."""
    name = {"_DefaultDistributionStrategy": "default (one device)",
            "CollectiveAllReduceStrategy": "MultiWorkerMirroredStrategy"}.get(type(strategy).__name__,
                                                                               type(strategy).__name__)
    line = f"strategy: {name}, {worker_count(strategy)} worker(s), {strategy.num_replicas_in_sync} replica(s)"
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is not None and resolver.task_type:
        role = "the chief, writing the run directory" if is_chief(strategy) else "writing a scratch folder"
        line += f"; this is {resolver.task_type} {resolver.task_id}, {role}"
    return line


@contextlib.contextmanager
def worker_scratch(run_root: Path, strategy: tf.distribute.Strategy) -> Iterator[Path]:
    """Where this worker writes: the run directory for the chief, else a scratch copy.

    A non-chief worker gets a temporary folder holding a copy of the chief's checkpoints,
    config and metrics (the run directory must be on storage every worker reads, as for
    Keras' BackupAndRestore), removed when training ends in any way.
    """
    if is_chief(strategy):
        yield run_root
        return
    resolver = strategy.cluster_resolver
    scratch = Path(tempfile.mkdtemp(prefix=f"colorgan-{resolver.task_type}{resolver.task_id}-"))
    try:
        for name in ("config.json", "metrics.csv"):
            with contextlib.suppress(FileNotFoundError):
                shutil.copy2(run_root / name, scratch / name)
        source = run_root / "checkpoints"
        if source.is_dir():
            (scratch / "checkpoints").mkdir()
            for file in source.iterdir():
                if file.is_file() and (file.name.startswith("ckpt-") or file.name == "checkpoint"):
                    with contextlib.suppress(FileNotFoundError):  # moved aside by the chief meanwhile
                        shutil.copy2(file, scratch / "checkpoints" / file.name)
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def same_on_every_worker(strategy: tf.distribute.Strategy, value: int) -> bool:
    """Whether every replica of `strategy` holds the same `value` (a collective: all must call)."""
    count = strategy.num_replicas_in_sync
    if count == 1:
        return True
    pair = tf.constant([value, value * value], tf.float32)

    @tf.function
    def total() -> tf.Tensor:
        return strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(lambda: tf.identity(pair)), axis=None)

    return bool(tf.reduce_all(total() == pair * count))
