"""`python -m colorhelpers`: run as a real program, in subprocesses.

The command line has no flag for the filter count, so these are the slowest tests; they
train at 32 px for 1-6 epochs of three steps. Independent commands run concurrently.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorhelpers.training import TrainConfig

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "data" / "fixture"
SMALL = ["--size", "32", "--batch", "8"]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}

#: TensorFlow's C++ start-up logging, which TF_CPP_MIN_LOG_LEVEL does not silence since
#: TensorFlow logs through absl before absl::InitializeLog() (for instance the oneDNN and
#: "cuda drivers" notices). It is TensorFlow's, not the program's, so it is left out when
#: counting the program's own lines on stderr.
TF_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [\w.\-]+:\d+\] .*"
    r"|To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler flags\.)$"
)


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def own_stderr_lines(self) -> list[str]:
        """Non-empty stderr lines written by the program rather than TensorFlow's C++ core."""
        return [line for line in self.stderr.splitlines() if line.strip() and not TF_NOISE.match(line)]

    def __str__(self) -> str:
        return (f"$ colorhelpers {' '.join(self.args)}\nexit {self.returncode}\n"
                f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}")


def start(*args: str | Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "colorhelpers", *map(str, args)], cwd=REPO, env=ENV,
        stdout=kwargs.pop("stdout", subprocess.PIPE), stderr=kwargs.pop("stderr", subprocess.PIPE),
        text=True, **kwargs,
    )


def finish(process: subprocess.Popen, timeout: float = 300) -> Result:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail(f"timed out after {timeout} s: {process.args}\n{stderr[-2000:]}")
    return Result([str(a) for a in process.args[3:]], process.returncode, stdout, stderr)


def run_all(*commands: list, timeout: float = 300) -> list[Result]:
    """Run several commands concurrently; their results in order."""
    processes = [start(*command) for command in commands]
    return [finish(p, timeout) for p in processes]


def metric_rows(run_dir: Path) -> list[dict[str, str]]:
    path = run_dir / "metrics.csv"
    if not path.exists():
        return []
    with open(path, newline="") as f:  # written atomically: never half a file
        return list(csv.DictReader(f))


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr, str(result)


# --- help --------------------------------------------------------------------------------

HELP_FLAGS = {
    "train": ["--data", "--out", "--epochs", "--warmup", "--size", "--batch", "--seed"],
    "colorize": ["--run", "--epoch", "--input", "--output"],
    "evaluate": ["--run", "--data", "--epoch"],
}


@pytest.mark.parametrize("command", list(HELP_FLAGS))
def test_help_of_every_subcommand(command, capsys):
    """In-process (the parser is all --help runs); the real program is run below."""
    from colorhelpers.cli import main

    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert f"colorhelpers {command}" in out
    for flag in HELP_FLAGS[command]:
        assert flag in out, f"{command} --help does not mention {flag}"


def test_help_as_a_program(fatal_results):
    result, _ = fatal_results["help"]
    assert result.returncode == 0, str(result)
    assert_no_traceback(result)
    for flag in HELP_FLAGS["train"]:
        assert flag in result.stdout
    assert result.own_stderr_lines == []


# --- fatal cases: one line on stderr, non-zero exit --------------------------------------


@pytest.fixture(scope="module")
def fatal_results(tmp_path_factory) -> dict[str, tuple[Result, list[str]]]:
    """Run every fatal case (and one --help) at once; per case its result and the words its
    error must name."""
    base = tmp_path_factory.mktemp("fatal")
    empty_data = base / "empty_data"
    empty_data.mkdir()
    missing = base / "missing_data"
    unfinished_run = base / "unfinished_run"  # config.json written, no epoch finished yet
    unfinished_run.mkdir()
    (unfinished_run / "config.json").write_text(TrainConfig(image_size=32, batch_size=8).to_json())
    empty_run = base / "empty_run"
    empty_run.mkdir()
    run_32 = base / "run_32"
    run_32.mkdir()
    (run_32 / "config.json").write_text(TrainConfig(image_size=32, batch_size=8, epochs=1).to_json())
    image = sorted((FIXTURE / "heldout").glob("*.png"))[0]
    a_file = base / "a_file"
    a_file.write_text("not a folder")
    video = base / "clip.mp4"
    video.write_bytes(bytes(range(256)) * 40)
    cases = {
        "train-empty-folder": (["train", "--data", empty_data, "--out", base / "o1", *SMALL],
                               [str(empty_data), "no usable"]),
        "train-missing-folder": (["train", "--data", missing, "--out", base / "o2", *SMALL],
                                 [str(missing), "no such folder"]),
        "colorize-no-checkpoint": (["colorize", "--run", unfinished_run, "--input", image,
                                    "--output", base / "o3"], [str(unfinished_run), "no trained run"]),
        "evaluate-empty-run": (["evaluate", "--run", empty_run, "--data", FIXTURE],
                               [str(empty_run), "no trained run"]),
        "train-other-size": (["train", "--data", FIXTURE, "--out", run_32, "--size", "64",
                              "--batch", "8"], ["image_size", "32", "64"]),
        "colorize-output-is-a-file": (["colorize", "--run", FIXTURE, "--input", image, "--output", a_file],
                                      [str(a_file), "not a folder"]),
        "colorize-a-video": (["colorize", "--run", run_32, "--input", video, "--output", base / "o4"],
                             [str(video), "not an image"]),
        "colorize-output-under-a-file": (["colorize", "--run", run_32, "--input", image,
                                          "--output", a_file / "sub"], [str(a_file), "Not a directory"]),
        "help": (["train", "--help"], []),
    }
    results = run_all(*[command for command, _ in cases.values()], timeout=240)
    outcome = {name: (result, words) for (name, (_, words)), result in zip(cases.items(), results)}
    return outcome


@pytest.fixture(scope="module")
def fatal_base(fatal_results) -> Path:
    result, _ = fatal_results["train-empty-folder"]
    return Path(result.args[result.args.index("--out") + 1]).parent


@pytest.mark.parametrize("case", [
    "train-empty-folder", "train-missing-folder", "colorize-no-checkpoint",
    "evaluate-empty-run", "train-other-size", "colorize-output-is-a-file", "colorize-a-video",
    "colorize-output-under-a-file",
])
def test_fatal_case_exits_with_one_error_line(fatal_results, case):
    result, words = fatal_results[case]
    assert result.returncode != 0, str(result)
    assert_no_traceback(result)
    lines = result.own_stderr_lines
    assert len(lines) == 1, str(result)
    command = result.args[0]
    assert lines[0].startswith(f"colorgan {command}: error:"), lines[0]
    for word in words:
        assert word in lines[0], f"{word!r} not named in: {lines[0]}"


def test_fatal_cases_write_nothing(fatal_base):
    for name in ("o1", "o2", "o3"):
        folder = fatal_base / name
        assert not folder.exists() or not any(folder.iterdir()), folder
    assert not (fatal_base / "o3").exists(), "colorize removes the output folder it made for nothing"
    # The refused 32 px run keeps its config and gained nothing.
    run_32 = fatal_base / "run_32"
    assert TrainConfig.from_json((run_32 / "config.json").read_text()).image_size == 32
    assert [p.name for p in run_32.iterdir()] == ["config.json"]


# --- train, kill -9, resume; then colorize and evaluate that run --------------------------


@pytest.fixture(scope="module")
def killed_and_resumed(tmp_path_factory):
    """`train --epochs 6 --warmup 3`, killed with SIGKILL once metrics.csv has a row, then
    run again (so the resumed run crosses from warm-up to adversarial training).

    Returns the run folder, metrics.csv's rows just after the kill, and the second result.
    """
    base = tmp_path_factory.mktemp("kill")
    run_dir = base / "run"
    command = ["train", "--data", FIXTURE, "--out", run_dir, "--epochs", "6", "--warmup", "3", *SMALL]
    with open(base / "stdout", "w") as out, open(base / "stderr", "w") as err:
        process = start(*command, stdout=out, stderr=err)
        deadline = time.monotonic() + 120
        try:
            while not metric_rows(run_dir):
                assert process.poll() is None, (base / "stderr").read_text()[-3000:]
                assert time.monotonic() < deadline, "no epoch finished within 120 s"
                time.sleep(0.05)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    before = metric_rows(run_dir)
    return run_dir, before, finish(start(*command))


def test_kill_and_resume(killed_and_resumed):
    run_dir, before, result = killed_and_resumed
    assert 1 <= len(before) < 6
    assert result.returncode == 0, str(result)
    assert_no_traceback(result)
    assert "24 images, 8 held out" in result.stdout
    assert "epochs 1-3: L1 warm-up (generator only); epochs 4-6: adversarial" in result.stdout
    after = metric_rows(run_dir)
    assert [int(r["epoch"]) for r in after] == [1, 2, 3, 4, 5, 6]
    assert [float(r["adversarial"]) > 0 for r in after] == [False] * 3 + [True] * 3
    # Epochs finished before the kill are kept (or retrained to the same numbers).
    for old, new in zip(before, after):
        for key in ("generator_loss", "psnr"):
            assert float(new[key]) == pytest.approx(float(old[key]), rel=1e-4), (key, old, new)
    config = TrainConfig.from_json((run_dir / "config.json").read_text())
    assert (config.image_size, config.batch_size, config.epochs, config.warmup_epochs) == (32, 8, 6, 3)

    from colorhelpers.evaluation import load_generator, open_run

    run = open_run(run_dir)
    assert run.saved_epochs() == [5, 6]  # --keep-every 10: only the two newest of six
    assert run.previewed_epochs() == [1, 2, 3, 4, 5, 6]  # every epoch stays browsable
    assert run.checkpointed_epochs() == [6]
    generator, epoch = load_generator(run, 6)
    assert epoch == 6
    # built for any image shape (colorize keeps proportions), with the run's two channels
    assert generator.output_shape == (None, None, None, 2)
    assert generator.predict(np.zeros((1, 32, 64, 1), np.float32), verbose=0).shape == (1, 32, 64, 2)


@pytest.fixture(scope="module")
def colorize_inputs(tmp_path_factory) -> Path:
    """A folder with a non-square color PNG, a gray JPEG and a text file named bad.jpg."""
    folder = tmp_path_factory.mktemp("to_colorize")
    sources = sorted((FIXTURE / "heldout").glob("*.png"))
    with Image.open(sources[0]) as image:
        image.convert("RGB").resize((70, 45)).save(folder / "wide_color.png")
    with Image.open(sources[1]) as image:
        image.convert("L").resize((40, 60)).save(folder / "tall_gray.jpg", quality=95)
    (folder / "bad.jpg").write_text("not a picture\n")
    return folder


@pytest.fixture(scope="module")
def colorize_and_evaluate(killed_and_resumed, colorize_inputs, tmp_path_factory):
    run_dir, _, _ = killed_and_resumed
    output = tmp_path_factory.mktemp("colorized")
    colorized, evaluated = run_all(
        ["colorize", "--run", run_dir, "--input", colorize_inputs, "--output", output],
        ["evaluate", "--run", run_dir, "--data", FIXTURE],
    )
    return output, colorized, evaluated


def test_colorize_folder_with_a_bad_file(colorize_inputs, colorize_and_evaluate):
    output, result, _ = colorize_and_evaluate
    assert result.returncode == 0, str(result)
    assert_no_traceback(result)
    assert "epoch 6" in result.stdout
    assert sorted(p.name for p in output.iterdir()) == ["tall_gray.png", "wide_color.png"]
    for name, size in {"wide_color.png": (70, 45), "tall_gray.jpg": (40, 60)}.items():
        with Image.open(output / f"{Path(name).stem}.png") as out, Image.open(colorize_inputs / name) as src:
            assert out.mode == "RGB" and out.size == size
            # The output's gray is the input's gray.
            difference = np.abs(np.asarray(out.convert("L"), int) - np.asarray(src.convert("L"), int))
            assert difference.max() <= 2, name
    warnings = [line for line in result.own_stderr_lines if "bad.jpg" in line]
    assert len(warnings) == 1, str(result)
    assert warnings[0].startswith("warning:")
    assert result.own_stderr_lines == warnings, str(result)


def test_evaluate_prints_one_json_object(killed_and_resumed, colorize_and_evaluate):
    run_dir, _, _ = killed_and_resumed
    _, _, result = colorize_and_evaluate
    assert result.returncode == 0, str(result)
    assert_no_traceback(result)
    scores = json.loads(result.stdout)
    assert isinstance(scores, dict)
    for key in ("psnr", "ciede2000", "auc", "colorfulness_ratio"):
        assert math.isfinite(scores[key])
    assert scores["epoch"] == 6 and scores["images"] == 8
    row = metric_rows(run_dir)[-1]
    for key in ("psnr", "ciede2000", "auc", "colorfulness_ratio"):
        # metrics.csv scored the float32 generator; the weights file holds it in float16.
        assert scores[key] == pytest.approx(float(row[key]), rel=1e-3), key
