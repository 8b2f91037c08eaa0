"""colorhelpers.tutorial: the notebooks' settings, fingerprint, run folders and printed paths."""

from __future__ import annotations

import dataclasses
import re
import shutil

from colorhelpers import tutorial
from colorhelpers.training import TrainConfig
from colorhelpers.tutorial import REPO_ROOT, RUNS_ENV, fingerprint, shown_path, tutorial_settings


def test_real_runs_train_on_all_of_data_anime_and_the_fixture_on_its_slice():
    real, fixture = tutorial_settings(fixture=False), tutorial_settings(fixture=True)
    assert real.train_dir == REPO_ROOT / "data" / "anime" / "train" and real.config == TrainConfig()
    assert fixture.train_dir == REPO_ROOT / "data" / "fixture" / "train"
    assert len(fixture.train_paths()) == 24  # every image, the same for notebooks 04, 06, 07, 08
    assert {p.name for p in fixture.train_paths()} <= {p.name for p in real.train_dir.iterdir()}


def test_fingerprint_names_counts_files_and_recipe():
    line = fingerprint(tutorial_settings(fixture=True))
    assert re.fullmatch(r"data fixture: 24 train, 8 held out, files [0-9a-f]{8}; recipe [0-9a-f]{8}", line)
    real = fingerprint(tutorial_settings(fixture=False))
    assert real.startswith("data anime: 970 train, 60 held out, files ")


def test_runs_are_found_by_data_and_recipe(tmp_path, monkeypatch):
    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "runs"))
    settings = tutorial_settings(fixture=True)
    assert settings.run_dir.parent == settings.variants_dir == settings.data_runs
    assert settings.run_dir == tutorial_settings(fixture=True).run_dir  # stable
    assert settings.run_for(settings.config.replace(epochs=3)) != settings.run_dir  # another recipe
    # The same recipe is the same run, whoever asks for it: notebooks share runs.
    assert settings.run_for(TrainConfig.from_json(settings.config.to_json())) == settings.run_dir
    # Other data (one file one byte longer) is another folder, and another fingerprint.
    data = shutil.copytree(REPO_ROOT / "data" / "fixture", tmp_path / "fixture")
    changed = dataclasses.replace(settings, train_dir=data / "train", heldout_dir=data / "heldout")
    assert changed.run_dir == settings.run_dir and fingerprint(changed) == fingerprint(settings)
    first = sorted((data / "heldout").iterdir())[0]
    first.write_bytes(first.read_bytes() + b"\0")
    assert changed.run_dir != settings.run_dir and fingerprint(changed) != fingerprint(settings)


def test_printed_paths_are_never_the_machines(tmp_path, monkeypatch):
    monkeypatch.delenv(RUNS_ENV, raising=False)
    assert shown_path(REPO_ROOT / "runs" / "anime-1" / "notebooks-2") == "runs/anime-1/notebooks-2"
    assert shown_path(tmp_path / "somewhere" / "run") == ".../run"
    monkeypatch.setenv(RUNS_ENV, str(tmp_path))
    assert shown_path(tmp_path / "fixture-1") == f"${RUNS_ENV}/fixture-1"


def test_setup_prints_the_fingerprint_and_relative_folders(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(RUNS_ENV, str(tmp_path))
    monkeypatch.setenv(tutorial.FIXTURE_ENV, "1")
    settings = tutorial.notebook_setup()
    printed = capsys.readouterr().out
    assert f"fingerprint: {fingerprint(settings)}\n" in printed
    assert "data in data/fixture" in printed and f"runs in ${RUNS_ENV}/fixture-" in printed
    assert str(tmp_path) not in printed and str(REPO_ROOT) not in printed
    assert re.fullmatch(r"this notebook ran for (\d+ min \d\d s|[0-9.]+ s) \(from its set-up cell\)"
                        r" on \d+ CPU cores and (no|\d+) GPUs?", tutorial.elapsed())


def test_the_studies_train_the_default_recipe_on_a_smaller_budget():
    real, fixture = tutorial_settings(fixture=False), tutorial_settings(fixture=True)
    study = real.study_config
    assert (study.epochs, study.image_size) == (tutorial.STUDY_EPOCHS, tutorial.STUDY_SIZE)
    assert study.warmup_epochs == study.epochs  # the default's share of L1-only epochs, all
    assert study.replace(epochs=real.config.epochs, image_size=real.config.image_size,
                         warmup_epochs=real.config.warmup_epochs,
                         decay_epochs=real.config.decay_epochs) == real.config  # nothing else changes
    assert real.run_for(study) != real.run_dir
    assert fixture.study_config == fixture.config  # the fixture's recipe is already small


def test_pretraining_runs_are_named_by_their_own_data(tmp_path, monkeypatch):
    monkeypatch.setenv(RUNS_ENV, str(tmp_path))
    real, fixture = tutorial_settings(fixture=False), tutorial_settings(fixture=True)
    paths = real.pretraining_paths()
    assert {p.parent.parent.name for p in paths} == {"characters", "cartoons"}
    assert all(p.parent.name == "train" for p in paths)
    assert fixture.pretraining_paths() == paths[::64]
    run = real.pretraining_run_for(real.study_config)
    assert run.parent.parent == tmp_path and run.parent.name.startswith("characters+cartoons-")
    assert run.parent != real.data_runs and run != fixture.pretraining_run_for(real.study_config)
