"""Benchmark colorgan against a faithful re-implementation of the seed post's approach.

    python bench/bench.py [--size 128] [--batch 16] [--steps N] [--repeats R] [--quick]
                          [--max-load 0.6] [--notebooks]

Every figure is measured in this one command, each variant in its own subprocess (so that
its peak memory is its own and no variant warms another's caches or thread pools), and the
end table prints colorgan/seed ratios with PASS/MISS against the targets. See
bench/README.md for what each figure means and how FLOPs and peak are derived.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
TRAIN_DIR = REPO / "data" / "cartoons" / "train"
RESULT_MARK = "@@BENCH_RESULT@@ "

# Targets from the issue (128 px, batch 16, this CPU).
TARGET_TRAIN_RATIO = 3.0
TARGET_PEAK_FRACTION = 0.60
TARGET_PIPELINE_RATIO = 20.0
TARGET_INFERENCE_RATIO = 3.0


# =========================================================================== helpers (no TF)


def load_average() -> float:
    return os.getloadavg()[0]


def wait_for_load(max_load: float, max_wait: float) -> float:
    """Sleep until the 1-minute load average is below `max_load` (or `max_wait` passes)."""
    start = time.monotonic()
    load = load_average()
    while load >= max_load and time.monotonic() - start < max_wait:
        print(f"  load {load:.2f} >= {max_load}: waiting ...", file=sys.stderr, flush=True)
        time.sleep(20)
        load = load_average()
    return load


def warm_os_cache(folder: Path) -> tuple[int, int]:
    """Read every file in `folder` twice so both pipelines read from the page cache."""
    count = size = 0
    for _ in range(2):
        count = size = 0
        for path in sorted(folder.iterdir()):
            if path.is_file():
                size += len(path.read_bytes())
                count += 1
    return count, size


def cpu_info() -> dict:
    """Model name, clock (MHz, from /proc/cpuinfo), vector flags, family/model."""
    info = {"model": platform.processor() or "unknown", "mhz": None, "flags": set(),
            "family": None, "cpu_model": None, "vendor": None}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return info
    first = text.split("\n\n")[0]
    for line in first.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "model name":
            info["model"] = value
        elif key == "cpu MHz":
            info["mhz"] = float(value)
        elif key == "flags":
            info["flags"] = set(value.split())
        elif key == "cpu family":
            info["family"] = int(value)
        elif key == "model":
            info["cpu_model"] = int(value)
        elif key == "vendor_id":
            info["vendor"] = value
    return info


_CLOCK_C = r"""
#include <stdio.h>
#include <time.h>
int main(void) {
  struct timespec a, b; unsigned long x = 0, n = 400000000UL;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (unsigned long i = 0; i < n; i++)  /* 4 dependent 1-cycle adds per iteration */
    __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%f\n", 4.0 * n / ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9) / 1e9);
  return 0;
}
"""


def measure_clock_ghz(cores: int) -> float | None:
    """The clock the cores actually run at under load, from a chain of dependent integer adds
    (one per cycle on any x86 core), one copy per core at once. None without a C compiler."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if not compiler or platform.machine() not in ("x86_64", "AMD64"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = Path(tmp) / "clock.c", Path(tmp) / "clock"
        src.write_text(_CLOCK_C)
        if subprocess.run([compiler, "-O1", "-o", str(exe), str(src)], capture_output=True).returncode:
            return None
        procs = [subprocess.Popen([str(exe)], stdout=subprocess.PIPE, text=True) for _ in range(cores)]
        values = [float(p.communicate()[0]) for p in procs]
    return min(values)


def theoretical_peak(info: dict, cores: int, ghz: float | None = None) -> tuple[float, str]:
    """fp32 GFLOP/s = cores x clock x FMA units x SIMD lanes x 2, with the assumptions spelled out."""
    flags = info["flags"]
    clock_note = "measured running clock" if ghz else "/proc/cpuinfo nominal clock"
    ghz = ghz or (info["mhz"] or 0.0) / 1000.0
    fma_units = 2  # two FMA pipes per core on every recent x86 server core (Zen 2-5, Skylake-SP+)
    if "avx512f" in flags:
        lanes = 16
        if info["vendor"] == "AuthenticAMD" and info["family"] == 0x19:
            # Zen 4 executes a 512-bit FMA as two 256-bit halves: 8 fp32 lanes per pipe per cycle.
            lanes, note = 8, "Zen 4 (family 0x19): AVX-512 double-pumped on 2x256-bit FMA pipes"
        else:
            note = "AVX-512: 2 x 512-bit FMA pipes"
    elif "avx2" in flags and "fma" in flags:
        lanes, note = 8, "AVX2: 2 x 256-bit FMA pipes"
    else:
        lanes, fma_units, note = 4, 1, "SSE: assumed 1 x 128-bit mul+add"
    peak = cores * ghz * fma_units * lanes * 2
    text = (f"{cores} cores x {ghz:.2f} GHz ({clock_note}) x {fma_units} FMA x {lanes} lanes x 2; "
            f"{note}")
    return peak, text


def median(values: list[float]) -> float:
    return float(statistics.median(values))


# =========================================================================== workers (TF)


def _tf_setup(args) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(BENCH_DIR))
    sys.path.insert(0, str(REPO))
    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)


def _vm_hwm_mb() -> float:
    """Peak resident memory of this process so far (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _conv_macs(op) -> int:
    """Multiply-accumulates of one convolution op in a traced graph (0 for other ops)."""
    import numpy as np

    kind = op.type
    try:
        if kind == "Conv2D":
            out, kernel = op.outputs[0].shape, op.inputs[1].shape
            return int(np.prod(out[:3]) * np.prod(kernel))
        if kind == "Conv2DBackpropInput":  # dX of a conv, or the forward of a transposed conv
            kernel, grad_out = op.inputs[1].shape, op.inputs[2].shape
            return int(np.prod(grad_out[:3]) * np.prod(kernel))
        if kind == "Conv2DBackpropFilter":  # dW
            grad_out, kernel = op.inputs[2].shape, op.outputs[0].shape
            return int(np.prod(grad_out[:3]) * np.prod(kernel))
        if kind in ("MatMul", "BatchMatMulV2"):
            a, b = op.inputs[0].shape, op.inputs[1].shape
            return int(np.prod(a) * b[-1])
    except TypeError:  # unknown dimension
        return 0
    return 0


def count_step_flops(fn, input_signature) -> dict:
    """FLOPs of one training step, counted on its traced graph.

    2 x MACs of every Conv2D / Conv2DBackpropInput / Conv2DBackpropFilter (and MatMul) op
    that is *live*, i.e. reachable from the step's outputs or its stateful ops (the weight
    updates). GradientTape emits dX and dW for every conv it passes, even where one is not
    needed; those dead ops are pruned before running, so they are not counted. Element-wise
    work (batch norm, activations, Adam) is left out: it is under a few % here.
    """
    import tensorflow as tf

    graph = tf.function(fn).get_concrete_function(*input_signature).graph
    seen, stack = set(), [t.op for t in graph.outputs] + list(graph.control_outputs)
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    live = every = 0
    for op in graph.get_operations():
        macs = _conv_macs(op)
        every += macs
        if op.name in seen:
            live += macs
    return {"flops_live": 2.0 * live, "flops_all_in_graph": 2.0 * every}


MATMUL_N = 3072


def measure_matmul_peak(n: int = MATMUL_N, repeats: int = 7) -> float:
    """Measured fp32 GFLOP/s of a large square matmul (TF's Eigen/oneDNN GEMM)."""
    import tensorflow as tf

    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    matmul = tf.function(lambda x, y: tf.reduce_sum(tf.matmul(x, y)))
    matmul(a, b).numpy()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        matmul(a, b).numpy()
        times.append(time.perf_counter() - t0)
    return 2.0 * n**3 / min(times) / 1e9


class _EpochTimer:
    """A Keras callback recording the wall time of each epoch of `fit`."""

    @staticmethod
    def make():
        import keras

        class EpochTimer(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.times = []

            def on_epoch_begin(self, epoch, logs=None):
                self._t0 = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.times.append(time.perf_counter() - self._t0)

        return EpochTimer()


def worker_train_seed(args) -> dict:
    """(a) The seed's eager loop with the seed's networks, fed by the seed's pipeline."""
    import seed_reference as seed
    import tensorflow as tf

    trainer = seed.SeedTrainer(args.size)
    batches = seed.data_generator(TRAIN_DIR, args.size, args.batch)

    def next_batch():
        nonlocal batches
        try:
            return next(batches)
        except StopIteration:  # a new epoch: the post built a fresh generator
            batches = seed.data_generator(TRAIN_DIR, args.size, args.batch)
            return next(batches)

    for _ in range(args.warmup):
        trainer.step(*next_batch())
    rates = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        images = 0
        for _ in range(args.steps):
            lightness, ab = next_batch()
            trainer.step(lightness, ab)
            images += int(lightness.shape[0])
        rates.append(images / (time.perf_counter() - t0))
    spec = (tf.TensorSpec((args.batch, args.size, args.size, 1)),
            tf.TensorSpec((args.batch, args.size, args.size, 2)))
    flops = count_step_flops(trainer.step, spec)
    return {"rates": rates, "images_per_s": median(rates),
            "flops_per_image": flops["flops_live"] / args.batch,
            "flops_all_per_image": flops["flops_all_in_graph"] / args.batch}


class _AbOnly:
    """Wrap the seed's ab-only discriminator so colorgan's step can call it with [l, ab]."""

    @staticmethod
    def wrap(disc):
        import keras

        class AbOnly(keras.Model):
            def __init__(self, inner):
                super().__init__(name="seed_disc_ab_only")
                self.inner = inner

            def call(self, inputs, training=False):
                return self.inner(inputs[1], training=training)

        return AbOnly(disc)


def worker_train_colorgan(args) -> dict:
    """(b) colorgan's path: build_gan + ColorGAN.fit on training_batches, default TrainConfig.
    (c) with --seed-nets: the seed's networks driven by the same compiled step."""
    import keras
    import tensorflow as tf

    from colorhelpers.config import TrainConfig
    from colorhelpers.data import find_images, training_batches
    from colorhelpers.training import ColorGAN, _adam, build_gan

    config = TrainConfig(image_size=args.size, batch_size=args.batch, jit_compile=args.jit)
    keras.utils.set_random_seed(config.seed)
    if args.seed_nets:
        import seed_reference as seed

        gen = seed.get_generator(args.size)
        disc = _AbOnly.wrap(seed.get_discriminator(args.size))
        disc([tf.zeros((1, args.size, args.size, 1)), tf.zeros((1, args.size, args.size, 2))])
        gan = ColorGAN(gen, disc, config.l1_weight)
        gan.compile(_adam(config), _adam(config), jit_compile=config.jit_compile)
    else:
        gan = build_gan(config)
    paths = find_images(TRAIN_DIR)
    batches = training_batches(paths, args.size, args.batch, config.seed, flip=config.flip)
    t0 = time.perf_counter()
    gan.fit(batches, epochs=1, steps_per_epoch=args.warmup, verbose=0)
    first_fit = time.perf_counter() - t0
    timer = _EpochTimer.make()
    gan.fit(batches, epochs=args.repeats, steps_per_epoch=args.steps, verbose=0, callbacks=[timer])
    rates = [args.steps * args.batch / t for t in timer.times]
    spec = ((tf.TensorSpec((args.batch, args.size, args.size, 1)),
             tf.TensorSpec((args.batch, args.size, args.size, 2))),)
    flops = count_step_flops(gan.train_step, spec)
    result = {"rates": rates, "images_per_s": median(rates),
              "warmup_s": first_fit,
              "flops_per_image": flops["flops_live"] / args.batch,
              "flops_all_per_image": flops["flops_all_in_graph"] / args.batch}
    if args.peak:
        # The measured peak, in the same process as the training figure it is compared with.
        result["matmul_gflops"] = measure_matmul_peak()
    return result


def worker_matmul_1thread(args) -> dict:
    """Matmul GFLOP/s on one thread: tells whether the vCPUs are separate cores (x2) or not."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    return {"matmul_gflops": measure_matmul_peak()}


def worker_pipeline_seed(args) -> dict:
    """Seed pipeline: a fresh generator per epoch, read + decode + numpy_function Lab, no cache."""
    import seed_reference as seed

    rates = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        images = sum(int(lightness.shape[0]) for lightness, _ in seed.data_generator(TRAIN_DIR, args.size,
                                                                                     args.batch))
        rates.append(images / (time.perf_counter() - t0))
    return {"rates": rates, "images_per_s": median(rates), "from_files": median(rates),
            "from_cache": None}


def worker_pipeline_colorgan(args) -> dict:
    """colorhelpers.data.training_batches: first epoch decodes the files, later ones use the cache."""
    from colorhelpers.data import find_images, training_batches

    t0 = time.perf_counter()
    paths = find_images(TRAIN_DIR)
    check_s = time.perf_counter() - t0
    per_epoch = len(paths) // args.batch
    t0 = time.perf_counter()
    iterator = iter(training_batches(paths, args.size, args.batch, seed=0))
    images = sum(int(next(iterator)[0].shape[0]) for _ in range(per_epoch))
    from_files = images / (time.perf_counter() - t0)
    rates = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        images = sum(int(next(iterator)[0].shape[0]) for _ in range(per_epoch))
        rates.append(images / (time.perf_counter() - t0))
    return {"rates": rates, "from_files": from_files, "from_cache": median(rates),
            "images_per_s": median(rates), "find_images_s": check_s, "n_images": len(paths)}


def _inference_paths(args) -> list[Path]:
    return sorted(TRAIN_DIR.glob("*.jpg"))[: args.infer_images]


def worker_infer_seed(args) -> dict:
    """Seed inference, per image: cv2 read gray + resize, skimage Lab, gen.predict(1), lab2rgb, resize."""
    import warnings

    import seed_reference as seed

    # skimage warns about clipped out-of-gamut colours on most images; printing it is not the work.
    warnings.filterwarnings("ignore", message="Conversion from CIE-LAB")
    gen = seed.get_generator(args.size)
    paths = _inference_paths(args)
    for path in paths[:3]:
        seed.colorize_file(gen, path, args.size)
    rates = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        for path in paths:
            seed.colorize_file(gen, path, args.size)
        rates.append(len(paths) / (time.perf_counter() - t0))
    return {"rates": rates, "images_per_s": median(rates)}


def worker_infer_colorgan(args) -> dict:
    """colorhelpers.evaluation.colorize_rgb per image (decode_rgb of the file included)."""
    from colorhelpers.config import TrainConfig
    from colorhelpers.data import decode_rgb
    from colorhelpers.evaluation import colorize_rgb
    from colorhelpers.models import build_generator

    config = TrainConfig(image_size=args.size)
    generator = build_generator(args.size, config.generator_filters, config.generator_head, config.dropout)
    paths = _inference_paths(args)
    for path in paths[:3]:
        colorize_rgb(generator, decode_rgb(str(path)), args.size)
    rates = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        for path in paths:
            colorize_rgb(generator, decode_rgb(str(path)), args.size)
        rates.append(len(paths) / (time.perf_counter() - t0))
    return {"rates": rates, "images_per_s": median(rates)}


def worker_infer_batched(args) -> dict:
    """Batched generator prediction on L batches already in memory (metrics.predict_ab).

    With --seed-nets: the seed's generator, batched the same way, to separate per-image
    overhead from network size.
    """
    import numpy as np

    from colorhelpers.config import TrainConfig
    from colorhelpers.data import eval_batches
    from colorhelpers.metrics import predict_ab
    from colorhelpers.models import build_generator

    if args.seed_nets:
        import seed_reference as seed

        generator = seed.get_generator(args.size)
    else:
        config = TrainConfig(image_size=args.size)
        generator = build_generator(args.size, config.generator_filters, config.generator_head,
                                    config.dropout)
    batches = [np.asarray(l_norm) for l_norm, _ in eval_batches(_inference_paths(args), args.size,
                                                                  args.batch)]
    predict_ab(generator, batches[0])
    rates = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        images = sum(len(predict_ab(generator, b)) for b in batches)
        rates.append(images / (time.perf_counter() - t0))
    return {"rates": rates, "images_per_s": median(rates)}


WORKERS = {
    "train_seed": worker_train_seed,
    "train_colorgan": worker_train_colorgan,
    "matmul_1thread": worker_matmul_1thread,
    "pipeline_seed": worker_pipeline_seed,
    "pipeline_colorgan": worker_pipeline_colorgan,
    "infer_seed": worker_infer_seed,
    "infer_colorgan": worker_infer_colorgan,
    "infer_batched": worker_infer_batched,
}


def run_worker(args) -> None:
    _tf_setup(args)
    t0 = time.perf_counter()
    result = WORKERS[args.worker](args)
    result["wall_s"] = time.perf_counter() - t0
    result["peak_rss_mb"] = _vm_hwm_mb()
    print(RESULT_MARK + json.dumps(result), flush=True)


# =========================================================================== driver


def spawn(name: str, worker: str, args, extra: list[str] | None = None) -> dict:
    """Run one worker in a fresh Python process and return its JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", worker,
           "--size", str(args.size), "--batch", str(args.batch), "--steps", str(args.steps),
           "--repeats", str(args.repeats), "--warmup", str(args.warmup), "--epochs", str(args.epochs),
           "--infer-images", str(args.infer_images), "--threads", str(args.threads)] + (extra or [])
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    print(f"  [{time.strftime('%H:%M:%S')}] {name} (load {load_average():.2f}) ...", file=sys.stderr,
          flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK):])
            result["process_s"] = time.perf_counter() - t0
            print(f"      done in {result['process_s']:.0f} s", file=sys.stderr, flush=True)
            return result
    sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-6000:])
    raise SystemExit(f"worker {name} failed (exit {proc.returncode})")


def time_notebooks() -> list[tuple[str, float, str]]:
    """Execute each notebook in real mode into a temp dir, with its runs in a temp dir."""
    rows = []
    out_dir = Path(tempfile.mkdtemp(prefix="colorgan-nb-out-"))
    runs_dir = Path(tempfile.mkdtemp(prefix="colorgan-nb-runs-"))
    env = dict(os.environ, COLORGAN_RUNS=str(runs_dir), TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("COLORGAN_FIXTURE", None)
    jupyter = Path(sys.executable).with_name("jupyter")
    for notebook in sorted((REPO / "notebooks").glob("0[1-5]_*.ipynb")):
        print(f"  [{time.strftime('%H:%M:%S')}] notebook {notebook.name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [str(jupyter), "nbconvert", "--execute", "--to", "notebook", "--output-dir", str(out_dir),
             "--ExecutePreprocessor.timeout=1800", str(notebook)],
            capture_output=True, text=True, env=env, cwd=REPO / "notebooks")
        seconds = time.perf_counter() - t0
        status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        if proc.returncode:
            sys.stderr.write(proc.stderr[-3000:])
        rows.append((notebook.name, seconds, status))
    rows.append(("(peak RSS of any notebook process, MB)",
                 resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0, ""))
    print(f"  notebook outputs in {out_dir}, runs in {runs_dir}", file=sys.stderr)
    return rows


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=128, help="image size in px (default 128)")
    parser.add_argument("--batch", type=int, default=16, help="batch size (default 16)")
    parser.add_argument("--steps", type=int, default=None,
                        help="training steps per timed repeat (default 6; seed loop: half, at least 1)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats; medians are reported")
    parser.add_argument("--warmup", type=int, default=None, help="untimed warm-up steps (default 2)")
    parser.add_argument("--epochs", type=int, default=3, help="timed pipeline epochs (default 3)")
    parser.add_argument("--infer-images", type=int, default=48, help="images per inference repeat")
    parser.add_argument("--threads", type=int, default=0,
                        help="TF intra/inter-op threads (default 0: TensorFlow's choice)")
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny step and image counts")
    parser.add_argument("--no-jit", action="store_true", help="skip the jit_compile=True variant")
    parser.add_argument("--no-seed-nets", action="store_true",
                        help="skip variant (c): the seed's networks in colorgan's compiled step")
    parser.add_argument("--max-load", type=float, default=None,
                        help="wait (up to --max-wait s) until the 1-minute load is below this")
    parser.add_argument("--max-wait", type=float, default=900)
    parser.add_argument("--notebooks", action="store_true",
                        help="also time real-mode execution of notebooks/0[1-5]_*.ipynb (~8 min)")
    parser.add_argument("--notebooks-only", action="store_true", help="time the notebooks and nothing else")
    # Internal: run one measurement in this process.
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--jit", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed-nets", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--peak", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.notebooks_only:
        if args.max_load is not None:
            wait_for_load(args.max_load, args.max_wait)
        load_start = os.getloadavg()[0]
        for name, value, status in time_notebooks():
            print(f"{name:<50}{value:>10.1f} {'s' if status else 'MB'} {status}")
        print(f"load average (1 min) at start {load_start:.2f}, at end {os.getloadavg()[0]:.2f}")
        return
    if args.worker:
        if args.steps is None or args.warmup is None:
            parser.error("--worker needs --steps and --warmup")
        run_worker(args)
        return

    if args.quick:
        args.steps = args.steps or 2
        args.warmup = args.warmup if args.warmup is not None else 1
        args.repeats, args.epochs, args.infer_images = 2, 1, min(args.infer_images, 16)
    args.steps = args.steps or 6
    args.warmup = args.warmup if args.warmup is not None else 2
    seed_steps = max(1, args.steps // 2)

    started = time.time()
    if args.max_load is not None:
        wait_for_load(args.max_load, args.max_wait)
    load_start = os.getloadavg()
    files, nbytes = warm_os_cache(TRAIN_DIR)
    info = cpu_info()
    cores = os.cpu_count() or 1
    print(f"colorgan benchmark: {args.size} px, batch {args.batch}, {args.steps} steps x {args.repeats} "
          f"repeats (seed loop {seed_steps} steps), {files} training images ({nbytes / 1e6:.1f} MB, "
          f"read twice first so the OS page cache is warm for both pipelines)", file=sys.stderr)

    # ---------------------------------------------------------------- measurements
    r = {}
    seed_args = argparse.Namespace(**{**vars(args), "steps": seed_steps, "warmup": min(args.warmup, 1)})
    r["train_seed"] = spawn("train: seed loop + seed nets", "train_seed", seed_args)
    r["train_colorgan"] = spawn("train: colorgan fit (jit off)", "train_colorgan", args, ["--peak"])
    if not args.no_jit:
        r["train_colorgan_jit"] = spawn("train: colorgan fit (jit on)", "train_colorgan", args, ["--jit"])
    if not args.no_seed_nets:
        r["train_seednets"] = spawn("train: seed nets in colorgan step", "train_colorgan", seed_args,
                                    ["--seed-nets"])
    r["matmul_1thread"] = spawn("matmul on 1 thread", "matmul_1thread", args)
    r["pipeline_seed"] = spawn("pipeline: seed", "pipeline_seed", args)
    r["pipeline_colorgan"] = spawn("pipeline: colorgan", "pipeline_colorgan", args)
    r["infer_seed"] = spawn("inference: seed per image", "infer_seed", args)
    r["infer_colorgan"] = spawn("inference: colorize_rgb per image", "infer_colorgan", args)
    r["infer_batched"] = spawn("inference: colorgan batched", "infer_batched", args)
    r["infer_batched_seed"] = spawn("inference: seed nets batched", "infer_batched", args, ["--seed-nets"])
    notebook_rows = time_notebooks() if args.notebooks else []
    load_end = os.getloadavg()
    clock_ghz = measure_clock_ghz(cores)

    # ---------------------------------------------------------------- derived figures
    peak_nominal, nominal_text = theoretical_peak(info, cores)
    peak_clock, clock_text = theoretical_peak(info, cores, clock_ghz) if clock_ghz else (None, "")
    # The headline peak: theoretical at the clock the cores really ran at (the hardware ceiling).
    peak_theory = peak_clock or peak_nominal
    peak_measured = r["train_colorgan"]["matmul_gflops"]
    seed_train = r["train_seed"]["images_per_s"]
    cg_train = r["train_colorgan"]["images_per_s"]
    cg_flops = r["train_colorgan"]["flops_per_image"]
    cg_gflops = cg_train * cg_flops / 1e9
    best_jit = r.get("train_colorgan_jit", {}).get("images_per_s")
    pipe_seed = r["pipeline_seed"]["from_files"]
    pipe_files = r["pipeline_colorgan"]["from_files"]
    pipe_cache = r["pipeline_colorgan"]["from_cache"]
    inf_seed = r["infer_seed"]["images_per_s"]
    inf_cg = r["infer_colorgan"]["images_per_s"]
    inf_batched = r["infer_batched"]["images_per_s"]

    def gflops(key):
        return r[key]["images_per_s"] * r[key]["flops_per_image"] / 1e9

    lines = []
    add = lines.append
    add("")
    add("=" * 108)
    add(f"colorgan vs seed reference -- {time.strftime('%Y-%m-%d %H:%M')}, {info['model']} "
        f"({cores} vCPU, {info['mhz']} MHz), TF threads: {args.threads or 'default'}")
    add(f"size {args.size} px, batch {args.batch}; load average (1/5/15 min) at start "
        f"{load_start[0]:.2f}/{load_start[1]:.2f}/{load_start[2]:.2f}, at end "
        f"{load_end[0]:.2f}/{load_end[1]:.2f}/{load_end[2]:.2f}; medians of {args.repeats} repeats")
    add("=" * 108)
    header = f"{'figure':<52}{'seed':>12}{'colorgan':>12}{'ratio':>9}  {'target':<9}{'':<5}"
    add(header)
    add("-" * 108)

    def row(name, seed_value, cg_value, target=None, ok=None, digits=1):
        ratio = cg_value / seed_value if seed_value and cg_value else None
        tgt = f">= {target:g}x" if target else ""
        shown = (fmt(ratio, 1) + "x") if ratio else "-"
        mark = verdict(ok) if ok is not None else ""
        values = f"{fmt(seed_value, digits):>12}{fmt(cg_value, digits):>12}"
        add(f"{name:<52}{values}{shown:>9}  {tgt:<9}{mark:<5}")
        return ratio

    add("TRAINING (images/s; end-to-end with each one's own input pipeline)")
    train_ratio = row("  (a) seed loop vs (b) colorgan fit, jit off", seed_train, cg_train,
                      TARGET_TRAIN_RATIO, cg_train / seed_train >= TARGET_TRAIN_RATIO, 2)
    if best_jit:
        row("  (a) seed loop vs (b) colorgan fit, jit_compile=True", seed_train, best_jit,
            TARGET_TRAIN_RATIO, best_jit / seed_train >= TARGET_TRAIN_RATIO, 2)
    if "train_seednets" in r:
        row("  (a) seed loop vs (c) seed nets in colorgan's step", seed_train,
            r["train_seednets"]["images_per_s"], digits=2)
    add(f"  colorgan's first fit call (trace{'' if not best_jit else ' or XLA compile'} + {args.warmup} "
        f"steps): {r['train_colorgan']['warmup_s']:.1f} s jit off"
        + (f", {r['train_colorgan_jit']['warmup_s']:.1f} s jit on" if best_jit else ""))
    add("")
    add("TRAINING FLOPs (2 x MACs of the live conv ops of the traced train step, per image)")
    add(f"  seed nets: {r['train_seed']['flops_per_image'] / 1e9:.2f} GFLOP/image; colorgan default "
        f"(32 filters, 4x4): {cg_flops / 1e9:.2f} GFLOP/image "
        "(every conv op in the graph, dead tape branches included: "
        f"{r['train_seed']['flops_all_per_image'] / 1e9:.2f} / "
        f"{r['train_colorgan']['flops_all_per_image'] / 1e9:.2f})")
    add(f"  fp32 peak, theoretical at nominal clock: {peak_nominal:.0f} GFLOP/s = {nominal_text}")
    if peak_clock:
        add(f"  fp32 peak, theoretical at running clock: {peak_clock:.0f} GFLOP/s = {clock_text} "
            "(clock: dependent-add loop on every core at once)")
    add(f"  fp32 peak, measured ({MATMUL_N}^3 matmul in TF, same process as (b)): "
        f"{peak_measured:.0f} GFLOP/s on {cores} threads; "
        f"{r['matmul_1thread']['matmul_gflops']:.0f} GFLOP/s on 1 thread")
    achieved = [("(a) seed loop, seed nets", gflops("train_seed")),
                ("(b) colorgan, jit off", cg_gflops)]
    if best_jit:
        achieved.append(("(b) colorgan, jit on", gflops("train_colorgan_jit")))
    if "train_seednets" in r:
        achieved.append(("(c) seed nets, colorgan step", gflops("train_seednets")))
    peaks = [("nominal", peak_nominal)] + ([("running", peak_clock)] if peak_clock else []) + [
        ("matmul", peak_measured)]
    add(f"  {'achieved (GFLOP/s, % of peak:)':<40}{'GFLOP/s':>9}" + "".join(f"{n:>10}" for n, _ in peaks))
    for name, value in achieved:
        add(f"  {name:<40}{value:>9.1f}" + "".join(f"{100 * value / p:>9.1f}%" for _, p in peaks))
    best_cg = max(cg_gflops, gflops("train_colorgan_jit") if best_jit else 0.0)
    add(f"  {'target: colorgan >= 60 % of fp32 peak':<49}"
        + "".join(f"{verdict(best_cg / p >= TARGET_PEAK_FRACTION):>10}" for _, p in peaks))
    add("")
    add("INPUT PIPELINE (images/s delivered to Python; OS page cache warm for both)")
    row("  from files (colorgan: first epoch, decodes all)", pipe_seed, pipe_files,
        TARGET_PIPELINE_RATIO, pipe_files / pipe_seed >= TARGET_PIPELINE_RATIO, 0)
    row("  from cache (colorgan: later epochs; seed has none)", pipe_seed, pipe_cache,
        TARGET_PIPELINE_RATIO, pipe_cache / pipe_seed >= TARGET_PIPELINE_RATIO, 0)
    add(f"  (colorgan's one-off find_images check of {r['pipeline_colorgan']['n_images']} files: "
        f"{r['pipeline_colorgan']['find_images_s']:.2f} s, not included above)")
    add("")
    add("INFERENCE (images/s, 128 px files -> coloured uint8 RGB at input size)")
    inf_ratio = row("  per image: seed vs colorize_rgb", inf_seed, inf_cg, TARGET_INFERENCE_RATIO,
                    inf_cg / inf_seed >= TARGET_INFERENCE_RATIO)
    row(f"  seed per image vs colorgan generator, batch {args.batch}", inf_seed, inf_batched,
        TARGET_INFERENCE_RATIO, inf_batched / inf_seed >= TARGET_INFERENCE_RATIO)
    row(f"  (seed nets batched {args.batch} vs colorgan batched)", r["infer_batched_seed"]["images_per_s"],
        inf_batched)
    add("")
    add("PEAK MEMORY (VmHWM of each variant's process, MB)")
    mem = [("train (a)/(b)", "train_seed", "train_colorgan"),
           ("pipeline", "pipeline_seed", "pipeline_colorgan"),
           ("inference per image", "infer_seed", "infer_colorgan"),
           ("inference batched (seed nets / colorgan)", "infer_batched_seed", "infer_batched")]
    for name, a, b in mem:
        row(f"  {name}", r[a]["peak_rss_mb"], r[b]["peak_rss_mb"], digits=0)
    if best_jit:
        add(f"  colorgan train, jit on: {r['train_colorgan_jit']['peak_rss_mb']:.0f} MB"
            + (f"; (c) seed nets in colorgan step: {r['train_seednets']['peak_rss_mb']:.0f} MB"
               if "train_seednets" in r else ""))
    if notebook_rows:
        add("")
        add("NOTEBOOKS (real mode, executed with nbconvert into a temp dir, COLORGAN_RUNS=temp)")
        for name, seconds, status in notebook_rows:
            add(f"  {name:<50}{seconds:>10.1f} {'s' if status else 'MB'} {status}")
    add("-" * 108)
    clock_name = "running" if peak_clock else "nominal"
    eff, eff_nominal, eff_matmul = best_cg / peak_theory, best_cg / peak_nominal, best_cg / peak_measured
    pipe_first, pipe_later = pipe_files / pipe_seed, pipe_cache / pipe_seed
    add(f"summary: training {train_ratio:.1f}x the seed (target 3x) "
        f"{verdict(train_ratio >= TARGET_TRAIN_RATIO)}")
    add(f"         fp32 efficiency {100 * eff:.0f} % of theoretical peak at {clock_name} clock "
        f"(target 60 %) {verdict(eff >= TARGET_PEAK_FRACTION)}; "
        f"{100 * eff_nominal:.0f} % at nominal clock, {100 * eff_matmul:.0f} % of matmul")
    add(f"         pipeline {pipe_first:.1f}x from files {verdict(pipe_first >= TARGET_PIPELINE_RATIO)}, "
        f"{pipe_later:.1f}x from cache {verdict(pipe_later >= TARGET_PIPELINE_RATIO)} (target 20x)")
    add(f"         inference {inf_ratio:.1f}x per image {verdict(inf_ratio >= TARGET_INFERENCE_RATIO)}, "
        f"{inf_batched / inf_seed:.1f}x batched (target 3x)")
    add(f"total benchmark time {time.time() - started:.0f} s")
    print("\n".join(lines))
    raw = Path(tempfile.gettempdir()) / "colorgan-bench-last.json"
    raw.write_text(json.dumps({"args": vars(args), "results": r, "load_start": load_start,
                               "load_end": load_end, "clock_ghz": clock_ghz, "peak_nominal": peak_nominal,
                               "peak_clock": peak_clock}, indent=1))
    print(f"(raw results: {raw})")


if __name__ == "__main__":
    main()
