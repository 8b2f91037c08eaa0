"""The README guides and the docs pages' figures agree with their JSON (bench/pages.py).

Fast, and without TensorFlow: only text and JSON are read.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # bench/ is a folder of the repository, not an installed package

from bench import pages, series_times  # noqa: E402

README = REPO / "README.md"
TEXTS = [README, REPO / "bench" / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def test_readme_is_short_and_starts_with_the_two_commands():
    lines = README.read_text().rstrip("\n").split("\n")
    assert len(lines) <= pages.README_MAX_LINES, f"README.md has {len(lines)} lines"
    commands = [line.split("#")[0].strip() for line in lines[:8] if line.startswith("make ")]
    assert commands[:2] == ["make train", "make test"], lines[:8]


def test_readme_checks_pass():
    """Its pictures exist, and the `make train` time it quotes is docs/scale.json's."""
    assert pages.readme_problems() == []


def test_every_picture_the_readme_shows_exists():
    shown = pages.IMAGE.findall(README.read_text())
    assert shown, "the README shows no picture"
    missing = [target for target in shown if not (REPO / target).is_file()]
    assert not missing, missing


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_issue_numbers_and_no_paths_out_of_the_repository(path):
    assert pages.text_problems(path) == []


def test_every_docs_table_agrees_with_its_json():
    assert pages.check_pages() == []


def test_pages_name_json_sources_that_exist():
    sources = {m["source"] for page in (REPO / "docs").glob("*.md")
               for _, _, m in pages.page_tables(page.read_text()) if m}
    assert sources and all((REPO / "docs" / s).is_file() for s in sources), sources


def _copy_docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    shutil.copytree(REPO / "docs", docs, ignore=shutil.ignore_patterns("*.png"))
    return docs


def test_the_check_fails_on_a_changed_figure(tmp_path):
    docs = _copy_docs(tmp_path)
    scale = json.loads((docs / "scale.json").read_text())
    scale["tables"]["bench"]["rows"][0][2] = 33.21  # colorgan's training images/s, was 32.21
    (docs / "scale.json").write_text(json.dumps(scale))
    problems = pages.check_pages(docs)
    assert len(problems) == 1 and "scale.md" in problems[0] and "33.21" in problems[0], problems
    # A figure of the benchmark output changes the tables computed from it, on both pages.
    anime = json.loads((docs / "results-anime.json").read_text())
    anime["results"][1]["runs"]["anime"]["ciede2000"] = 10.0
    (docs / "results-anime.json").write_text(json.dumps(anime))
    changed = {p.split(":")[0] for p in pages.check_pages(docs)}
    assert changed == {"scale.md", "results.md", "results-anime.md"}
    # --write brings the pages back in line with their JSON.
    pages.check_pages(docs, write=True)
    assert pages.check_pages(docs) == []
    assert "10.00" in (docs / "results-anime.md").read_text()


def test_the_check_fails_on_a_changed_lineart_figure(tmp_path):
    """The line-art page's tables are computed from bench.lineart's raw figures (tables.LINEART_TABLES)."""
    docs = _copy_docs(tmp_path)
    lineart = json.loads((docs / "results-lineart.json").read_text())
    lineart["results"][1]["per_ratio"]["gmic-smart"]["0.10"]["ciede2000"] = 31.0  # anime faces, was 13.08
    lineart["speed"]["methods"]["gmic-smart"]["per_image_s"] = 2.0  # every "per image / G'MIC smart" moves
    (docs / "results-lineart.json").write_text(json.dumps(lineart))
    problems = pages.check_pages(docs)
    assert len(problems) == 2 and all(p.startswith("results-lineart.md:") for p in problems), problems
    assert any("testsets-anime-faces-ciede2000" in p and "| 31.00 |" in p for p in problems), problems
    ratio = lineart["speed"]["methods"]["colorgan-lineart"]["per_image_s"] / 2.0
    assert any("results-lineart.json speed" in p and f"| {ratio:.2f}x |" in p for p in problems), problems
    # The page bench.lineart writes from those figures passes.
    from bench import lineart as bench_lineart

    bench_lineart.write_page(lineart, docs / "results-lineart.md", docs / "lineart.png")
    assert pages.check_pages(docs) == []
    assert "| 31.00 |" in (docs / "results-lineart.md").read_text()


def test_the_lineart_page_is_what_bench_lineart_writes_from_its_json():
    """Its prose too (targets, protocol) comes from docs/results-lineart.json."""
    from bench import lineart as bench_lineart

    docs = REPO / "docs"
    payload = json.loads((docs / "results-lineart.json").read_text())
    page = docs / "results-lineart.md"
    written = bench_lineart.markdown_page(payload, payload["methods"], docs / "lineart.png", page)
    assert written == page.read_text()


def test_the_check_fails_on_an_edited_page_and_on_a_table_without_a_source(tmp_path):
    docs = _copy_docs(tmp_path)
    page = docs / "clips.md"
    page.write_text(page.read_text().replace("| 46.2 |", "| 64.2 |", 1))
    page.write_text(page.read_text() + "\n| a | b |\n| --- | --- |\n| 1 | 2 |\n")
    problems = pages.check_pages(docs)
    assert len(problems) == 2, problems
    assert any("64.2" in p for p in problems) and any("no '<!-- table" in p for p in problems)


def test_a_marker_with_no_table_is_reported_and_write_puts_its_table_under_it(tmp_path):
    docs = _copy_docs(tmp_path)
    page = docs / "clips.md"
    text = page.read_text()
    marker = "<!-- table: clips.json keyframes-expression -->"
    start = text.index(marker) + len(marker)
    page.write_text(text[:start] + text[text.index("\n\n", start):])  # the marker, its table gone
    problems = pages.check_pages(docs)
    assert len(problems) == 1 and "keyframes-expression: no table under it" in problems[0], problems
    pages.check_pages(docs, write=True)
    assert page.read_text() == text


def test_issue_numbers_are_found_and_colors_are_not(tmp_path):
    text = tmp_path / "t.md"
    text.write_text('as issue 17 asked\nsee #17\n`"color": "#697677"`, #1fb83a, and ## headings\n')
    problems = pages.text_problems(text)
    numbers = [p for p in problems if "an issue number" in p]  # line 1's "asked" is internal language too
    assert [p.split(": ", 1)[0].rsplit(":", 1)[1] for p in numbers] == ["1", "2"], problems


def test_the_check_imports_no_tensorflow():
    code = "import sys; from bench import pages; pages.all_problems(); print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_internal_language_is_found_and_ordinary_prose_is_not(tmp_path):
    text = tmp_path / "t.md"
    text.write_text("\n".join([
        "colorfulness 0.45 (target 0.5)",          # 1
        "| 6.6x | ≥ 3x **PASS** |",                # 2
        "inference 1.1x MISS",                      # 3
        "(45 % asked: not met)",                    # 4
        "as the issue measures it",                 # 5
        "nbconvert hung on this notebook",          # 6
        "as shared/checks/clip_eval.py computes",   # 7
        "a run of the kind asked for; tests pass; a missed frame; they met; see /shared/runs/faces",
    ]) + "\n")
    problems = pages.text_problems(text)
    lines = sorted({int(p.split(": ", 1)[0].rsplit(":", 1)[1]) for p in problems})
    assert lines == [1, 2, 3, 4, 5, 6, 7], problems


def test_paths_of_files_that_do_not_exist_are_found(tmp_path):
    text = tmp_path / "t.md"
    text.write_text("`colorhelpers/color/lab.py` and bench/pages.py\n`colorhelpers/lab.py`\n"
                    "colorhelpers/metrics.py, notebooks/99_none.ipynb\n")
    problems = pages.text_problems(text)
    assert [p.split(": ", 2)[-1] for p in problems] == [
        "colorhelpers/lab.py", "colorhelpers/metrics.py", "notebooks/99_none.ipynb"], problems
    assert [p.split(": ", 1)[0].rsplit(":", 1)[1] for p in problems] == ["2", "3", "3"]


def test_the_readme_check_fails_when_a_series_time_differs(tmp_path):
    docs = _copy_docs(tmp_path)
    readme = README.read_text()
    assert series_times.readme_problems(readme, docs) == []
    scale = json.loads((docs / "scale.json").read_text())
    rows = scale["tables"]["make-execute"]["rows"]
    rows[3][1] = round(rows[3][1] + 0.3, 1)  # notebook 04's minutes
    rows[-1][1] = round(rows[-1][1] + 5, 1)  # the total
    (docs / "scale.json").write_text(json.dumps(scale))
    problems = series_times.readme_problems(readme, docs)
    assert len(problems) == 2 and rows[3][0] in problems[0] and f"{rows[-1][1]} min" in problems[1], problems


def test_the_readme_check_fails_when_the_committed_notebooks_took_another_time(tmp_path):
    stamps = json.loads((REPO / "notebooks" / "inputs.json").read_text())
    readme = README.read_text()
    (tmp_path / "inputs.json").write_text(json.dumps(stamps))
    assert series_times.readme_problems(readme, stamps=tmp_path / "inputs.json") == []
    stamps["11_line_art"]["minutes"] += 7.0
    (tmp_path / "inputs.json").write_text(json.dumps(stamps))
    problems = series_times.readme_problems(readme, stamps=tmp_path / "inputs.json")
    assert len(problems) == 1 and "min in all" in problems[0], problems


def test_a_benchmark_table_is_written_beside_the_others_and_the_execute_log_recorded(tmp_path):
    docs = _copy_docs(tmp_path)
    before = json.loads((docs / "scale.json").read_text())["tables"]
    log = "01_lab_color_space: 0.1 min\n02_data_pipeline: 0.6 min\n2 notebooks executed in 0.7 min\n"
    table = series_times.record(log, "a test", docs)
    after = json.loads((docs / "scale.json").read_text())["tables"]
    assert table["rows"] == [["01_lab_color_space", 0.1], ["02_data_pipeline", 0.6],
                             [series_times.TOTAL, 0.7]]
    assert after["make-execute"] == table and set(after) == set(before)
    assert {k: v for k, v in after.items() if k != "make-execute"} == {
        k: v for k, v in before.items() if k != "make-execute"}
    with pytest.raises(ValueError, match="not the output"):
        series_times.record("nothing here", "a test", docs)
