"""colorgan against a re-implementation of the blog post's approach, measured in one command.

    python -m bench.bench [--quick] [--max-load 0.7] [--size 128] [--batch 16] [--steps 6] [--repeats 3]

Each measurement runs in its own process (bench/workers.py), so its peak memory is its
own and no variant warms another's caches. Speeds are printed next to the blog post's,
measured in the same command, as colorgan / blog post ratios with PASS or MISS against
the targets. bench/README.md says what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TRAIN_DIR = REPO / "data" / "cartoons" / "train"

# Targets from the issue that asked for the benchmark (128 px, batch 16, the 2-core CPU).
TRAIN_TARGET = 3.0
PIPELINE_TARGET = 20.0
INFERENCE_TARGET = 3.0


# --------------------------------------------------------------------------- running the workers


def parse_args() -> argparse.Namespace:
    """The command line; --quick shrinks every count so that each path runs once, fast."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=128, help="image size in px (default 128)")
    parser.add_argument("--batch", type=int, default=16, help="batch size (default 16)")
    parser.add_argument("--steps", type=int, default=6,
                        help="training steps per timed repeat (default 6; the blog post's loop does half)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed training steps first (default 2)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats; medians are printed")
    parser.add_argument("--epochs", type=int, default=3, help="timed input-pipeline epochs (default 3)")
    parser.add_argument("--infer-images", type=int, default=48, help="images per inference repeat")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: every measurement with tiny counts (~3 min, figures are noise)")
    parser.add_argument("--max-load", type=float, default=None,
                        help="first wait (up to --max-wait s) until the 1-minute load average is below this")
    parser.add_argument("--max-wait", type=float, default=900)
    args = parser.parse_args()
    if args.quick:
        args.steps, args.warmup, args.repeats, args.epochs = 2, 1, 1, 1
        args.infer_images = min(args.infer_images, 8)
    return args


def wait_for_load(max_load: float, max_wait: float) -> None:
    """Sleep while the 1-minute load average is at or above `max_load`, at most `max_wait` s.

    Other jobs on a 2-core machine change every figure by 2x or more.
    """
    deadline = time.monotonic() + max_wait
    while os.getloadavg()[0] >= max_load and time.monotonic() < deadline:
        print(f"  load {os.getloadavg()[0]:.2f} >= {max_load}: waiting ...", file=sys.stderr, flush=True)
        time.sleep(20)


def warm_page_cache(folder: Path) -> int:
    """Read every file in `folder` once, so that both pipelines read from the OS page cache."""
    files = [path for path in folder.iterdir() if path.is_file()]
    for path in files:
        path.read_bytes()
    return len(files)


def spawn(worker: str, options: dict, env: dict[str, str] | None = None) -> dict:
    """Run `worker` of bench/workers.py in a fresh Python process and return its result."""
    print(f"  [{time.strftime('%H:%M:%S')}] {worker} {json.dumps(options)} (load {os.getloadavg()[0]:.2f})",
          file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "bench.workers", worker, json.dumps(options), str(result_file)]
        # Started as a module from the repository root: `bench` is importable, no sys.path edits.
        proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                              env={"TF_CPP_MIN_LOG_LEVEL": "3", **os.environ, **(env or {})})
        if proc.returncode or not result_file.exists():
            sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-4000:])
            raise SystemExit(f"worker {worker} failed (exit {proc.returncode})")
        return json.loads(result_file.read_text())


def measure(args: argparse.Namespace) -> dict[str, dict]:
    """Every measurement, each in its own process, in a fixed order."""
    common = {"size": args.size, "batch": args.batch, "steps": args.steps, "warmup": args.warmup,
              "repeats": args.repeats, "epochs": args.epochs, "infer_images": args.infer_images}
    # The blog post's step is several times slower: half the steps keep its run time close to colorgan's.
    blog = {**common, "steps": max(1, args.steps // 2), "warmup": min(args.warmup, 1)}
    return {
        "train_blog": spawn("train_blog", blog),
        "train_colorgan": spawn("train_colorgan", common),
        "train_blog_nets": spawn("train_colorgan", {**blog, "blog_nets": True}),
        "pipeline_blog": spawn("pipeline_blog", common),
        "pipeline_colorgan": spawn("pipeline_colorgan", common),
        "infer_blog": spawn("infer_blog", common),
        "infer_colorgan": spawn("infer_colorgan", common),
        "infer_batched": spawn("infer_batched", common),
        "infer_batched_blog_nets": spawn("infer_batched", {**common, "blog_nets": True}),
    }


# --------------------------------------------------------------------------- the table


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else 'unknown CPU'."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return "unknown CPU"
    names = [line.partition(":")[2].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else "unknown CPU"


class Table:
    """Rows of: figure, blog post, colorgan, colorgan / blog post, target, PASS or MISS."""

    WIDTH = 104

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.verdicts: list[str] = []
        self.topic = ""

    def text(self, line: str = "") -> None:
        self.lines.append(line)

    def section(self, topic: str, details: str) -> None:
        """A heading; `topic` also prefixes the section's lines in the PASS/MISS summary."""
        self.topic = topic
        self.lines.append(f"{topic.upper()} ({details})")

    def row(self, name: str, blog: float, colorgan: float, target: float | None = None,
            digits: int = 1) -> None:
        """One figure of both sides; with a target, a PASS/MISS verdict that the summary repeats."""
        ratio = colorgan / blog
        verdict = ""
        if target is not None:
            mark = "PASS" if ratio >= target else "MISS"
            verdict = f">= {target:g}x  {mark}"
            self.verdicts.append(f"{mark} {self.topic}, {name}: {ratio:.1f}x (target {target:g}x)")
        values = f"{blog:>11,.{digits}f}{colorgan:>11,.{digits}f}{ratio:>8.1f}x"
        self.lines.append(f"  {name:<54}{values}  {verdict}".rstrip())


def header(table: Table, args: argparse.Namespace, r: dict[str, dict], loads: list[tuple]) -> None:
    """What was measured, where, and how busy the machine was."""
    table.text("=" * Table.WIDTH)
    table.text(f"colorgan vs the blog post's approach -- {time.strftime('%Y-%m-%d %H:%M')}, {cpu_model()} "
               f"({os.cpu_count()} vCPU), TensorFlow {r['train_colorgan']['tensorflow']}")
    table.text(f"{args.size} px, batch {args.batch}, timed repeats: {args.repeats} (medians printed)"
               f"{'; --quick: a smoke test, the figures are noise' if args.quick else ''}")
    table.text(f"load average (1/5/15 min) at start {'/'.join(f'{x:.2f}' for x in loads[0])}, "
               f"at end {'/'.join(f'{x:.2f}' for x in loads[1])}")
    table.text("=" * Table.WIDTH)
    table.text(f"{'figure':<56}{'blog post':>11}{'colorgan':>11}{'ratio':>9}  target")
    table.text("-" * Table.WIDTH)


def speed_rows(table: Table, args: argparse.Namespace, r: dict[str, dict]) -> None:
    """Training, input pipeline and inference speeds, in images/s."""
    blog_train = r["train_blog"]["images_per_s"]
    table.section("training", "images/s; each side fed by its own input pipeline")
    table.row("(a) blog post's loop vs (b) colorgan's fit", blog_train, r["train_colorgan"]["images_per_s"],
              TRAIN_TARGET, digits=2)
    table.row("(a) vs (c) blog post's networks in colorgan's step", blog_train,
              r["train_blog_nets"]["images_per_s"], digits=2)
    table.text(f"  colorgan's first fit call (tracing + warm-up steps, not timed above): "
               f"{r['train_colorgan']['first_fit_s']:.1f} s")
    table.text()
    table.section("input pipeline", "images/s delivered to a Python loop; files in the OS page cache")
    blog_pipe = r["pipeline_blog"]["images_per_s"]
    table.row("from files (colorgan: decode all + first epoch)", blog_pipe,
              r["pipeline_colorgan"]["from_files"], PIPELINE_TARGET, digits=0)
    table.row("from cache (colorgan: later epochs; blog post: none)", blog_pipe,
              r["pipeline_colorgan"]["from_cache"], PIPELINE_TARGET, digits=0)
    table.text()
    table.section("inference", f"images/s, {args.size} px files -> colored uint8 RGB")
    blog_infer = r["infer_blog"]["images_per_s"]
    table.row("per image: blog post vs colorize_rgb", blog_infer, r["infer_colorgan"]["images_per_s"],
              INFERENCE_TARGET)
    table.row(f"blog post per image vs colorgan's generator, batch {args.batch}", blog_infer,
              r["infer_batched"]["images_per_s"], INFERENCE_TARGET)
    table.row(f"both generators batched {args.batch} (network cost alone)",
              r["infer_batched_blog_nets"]["images_per_s"], r["infer_batched"]["images_per_s"])


def memory_rows(table: Table, r: dict[str, dict]) -> None:
    """Peak resident memory of each variant's process (TensorFlow's ~500 MB included)."""
    table.text()
    table.section("peak memory", "MB, each variant's own process")
    for name, blog, colorgan in (("training (a) / (b)", "train_blog", "train_colorgan"),
                                 ("input pipeline", "pipeline_blog", "pipeline_colorgan"),
                                 ("inference per image", "infer_blog", "infer_colorgan"),
                                 ("inference batched", "infer_batched_blog_nets", "infer_batched")):
        table.row(name, r[blog]["peak_rss_mb"], r[colorgan]["peak_rss_mb"], digits=0)
    table.text(f"  training (c), the blog post's networks in colorgan's step: "
               f"{r['train_blog_nets']['peak_rss_mb']:,.0f} MB")


def main() -> None:
    """Measure everything, then print the table and a PASS/MISS summary."""
    args = parse_args()
    started = time.monotonic()
    if args.max_load is not None:
        wait_for_load(args.max_load, args.max_wait)
    load_start = os.getloadavg()
    files = warm_page_cache(TRAIN_DIR)
    print(f"colorgan benchmark on {files} training images, {args.size} px, batch {args.batch}",
          file=sys.stderr)
    results = measure(args)
    table = Table()
    header(table, args, results, [load_start, os.getloadavg()])
    speed_rows(table, args, results)
    memory_rows(table, results)
    table.text("-" * Table.WIDTH)
    table.lines += table.verdicts
    table.text(f"benchmark time {time.monotonic() - started:.0f} s")
    print("\n".join(table.lines))


if __name__ == "__main__":
    main()
