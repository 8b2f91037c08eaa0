"""Training under tf.distribute.MirroredStrategy on two logical CPUs matches one device.

Logical devices must be configured before TensorFlow initializes, so the comparison runs
in a fresh Python process.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import numpy as np
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    from colorhelpers.training import TrainConfig
    from colorhelpers.data import eval_batches, find_images
    from colorhelpers.evaluation import load_generator
    from colorhelpers.training import RunDirectory, train

    out = Path(sys.argv[1])
    train_paths = find_images("data/fixture/train")
    heldout = find_images("data/fixture/heldout")
    # No dropout: each replica would draw its own masks, which no tolerance can absorb.
    config = TrainConfig(image_size=32, batch_size=8, epochs=int(sys.argv[2]), generator_filters=8,
                         discriminator_filters=8, dropout=0.0, sample_count=2,
                         warmup_epochs=0, generator_average=float(sys.argv[3]))
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    rows = {
        "one": train(train_paths, heldout, out / "one", config, verbose=0)[-1],
        "two": train(train_paths, heldout, out / "two", config, verbose=0, strategy=strategy)[-1],
    }
    l_norm, _ = next(iter(eval_batches(heldout, 32, 8)))
    outputs = [load_generator(RunDirectory(out / name))[0](l_norm, training=False).numpy()
               for name in ("one", "two")]
    print(json.dumps({"replicas": strategy.num_replicas_in_sync, "rows": rows,
                      "output_diff": float(np.abs(outputs[0] - outputs[1]).max()),
                      "output_scale": float(np.abs(outputs[0]).max())}))
    """
)


@pytest.mark.parametrize("epochs, average", [(1, 0.0), (2, 0.5)])
def test_mirrored_strategy_on_two_cpus_matches_one_device(tmp_path, epochs, average):
    """Plain, and with the generator's weights averaged (swapped in and out between epochs)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path), str(epochs), str(average)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2
    one, two = result["rows"]["one"], result["rows"]["two"]
    # Same losses (each replica's loss scaled once, not twice) and same held-out scores.
    for key in ("generator_loss", "l1", "adversarial", "discriminator_loss", "psnr", "auc"):
        assert abs(one[key] - two[key]) <= 1e-3 * max(1.0, abs(one[key])), (key, one, two)
    assert result["output_diff"] <= 1e-3 * max(result["output_scale"], 1e-3), result
