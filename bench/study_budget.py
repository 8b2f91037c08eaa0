"""Do the variant studies' small budget and a full run rank the variants alike?

Notebooks 06 and 08 train their variants at the studies' budget (`TutorialSettings.study_config`:
10 epochs at 64 px) so that the series re-executes in minutes. Before that budget they trained
every variant for 30 epochs at 128 px, on the same data and recipes, and their committed
outputs at that revision hold those tables. This script reads both tables from the notebooks'
outputs (the full budget's from git, at `--full-from`; the small budget's from the notebooks as
they are now), ranks the variants by held-out CIEDE2000 under each budget, and writes the
comparison to docs/study-budget.json, the source of docs/study-budget.md's tables
(`python -m bench.pages --write`).

    python -m bench.study_budget [--full-from REV] [--json docs/study-budget.json]

Two rankings agree when the variants come in the same order. Variants whose full-budget scores
differ by less than one run's own epoch-to-epoch spread can swap places by chance under any
budget, so the pairs that count are those the full budget separates by more than that spread
(the full default run's held-out CIEDE2000 range over its last 10 epochs, from notebook 04).
"""

from __future__ import annotations

import argparse
import json
import subprocess
from itertools import combinations
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from colorhelpers.series import epoch_ciede2000, output_text, variant_rows

REPO = Path(__file__).resolve().parent.parent
#: The last revision whose notebooks 04, 06 and 08 trained every variant for 30 epochs at 128 px.
FULL_BUDGET_REVISION = "ad9632c"
STUDIES = ("06_training_with_noise", "08_ablation")
#: One variant, two names: notebook 06 calls the default by what its noise is.
SAME_VARIANT = {"dropout (default)": "colorgan default"}
def notebook_text(name: str, revision: str | None = None) -> str:
    """The output text of notebooks/<name>.ipynb, now or at a git revision."""
    path = f"notebooks/{name}.ipynb"
    if revision is None:
        return output_text(json.loads((REPO / path).read_text()))
    shown = subprocess.run(["git", "show", f"{revision}:{path}"], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout
    return output_text(json.loads(shown))


def study_table(revision: str | None = None) -> dict[str, dict[str, float]]:
    """{variant: {score: value}} from the tables of notebooks 06 and 08 (gray answer included)."""
    table = {}
    for name in STUDIES:
        for variant, scores in variant_rows(notebook_text(name, revision)).items():
            table.setdefault(SAME_VARIANT.get(variant, variant), {k: float(v) for k, v in scores.items()})
    return table


def epoch_spread(revision: str | None = None, last: int = 10) -> float:
    """The range of the full default run's held-out CIEDE2000 over its `last` epochs (notebook 04)."""
    rows = [(int(e), float(c)) for e, c in epoch_ciede2000(notebook_text("04_training", revision))]
    return float(np.ptp([c for _, c in rows[-last:]]))


def compare(full: dict, small: dict, spread: float) -> dict:
    """The variants of both tables ranked under each budget, and how far the rankings agree."""
    names = sorted(set(full) & set(small), key=lambda n: full[n]["ciede2000"])
    full_de = np.array([full[n]["ciede2000"] for n in names])
    small_de = np.array([small[n]["ciede2000"] for n in names])
    rank = {n: r + 1 for r, n in enumerate(names)}
    small_rank = {n: r + 1 for r, n in enumerate(sorted(names, key=lambda n: small[n]["ciede2000"]))}
    apart = [(a, b) for a, b in combinations(names, 2)
             if abs(full[a]["ciede2000"] - full[b]["ciede2000"]) > spread]
    same_order = [(a, b) for a, b in apart
                  if np.sign(full[a]["ciede2000"] - full[b]["ciede2000"])
                  == np.sign(small[a]["ciede2000"] - small[b]["ciede2000"])]
    return {
        "variants": [[n, full[n]["ciede2000"], rank[n], small[n]["ciede2000"], small_rank[n],
                      full[n]["colorfulness"], small[n]["colorfulness"],
                      full[n]["minutes"], small[n]["minutes"]]
                     for n in names],
        "spearman": float(spearmanr(full_de, small_de).statistic),
        "spread": spread, "apart": len(apart), "same_order": len(same_order),
        "swapped": [f"{a} / {b}" for a, b in apart if (a, b) not in same_order],
    }


def figure_file(result: dict, revision: str) -> dict:
    """docs/study-budget.json in bench.pages' figure-file layout."""
    source = (f"python -m bench.study_budget: full budget from notebooks 04, 06 and 08 at revision {revision}"
              " (30 epochs at 128 px), small budget from the same notebooks now (10 epochs at 64 px)")
    swapped = ", ".join(result["swapped"]) or "none"
    return {"tables": {
        "variants": {
            "source": source,
            "columns": ["variant", "CIEDE2000, 30 epochs at 128 px", "rank", "CIEDE2000, 10 epochs at 64 px",
                        "rank", "colorfulness ratio, full / small", "minutes, full / small"],
            "align": "lrrrrrr", "digits": [None, 2, None, 2, None, 2, 1],
            "rows": [[n, fd, fr, sd, sr, [fc, sc], [fm, sm]]
                     for n, fd, fr, sd, sr, fc, sc, fm, sm in result["variants"]],
        },
        "agreement": {
            "source": source,
            "columns": ["measure", "value"], "align": "lr", "digits": [None, None],
            "rows": [["Spearman rank correlation of the CIEDE2000 rankings", round(result["spearman"], 2)],
                     ["the full default run's CIEDE2000 range over its last 10 epochs",
                      round(result["spread"], 2)],
                     ["pairs of variants the full budget separates by more than that", result["apart"]],
                     ["of those, pairs the small budget puts in the same order", result["same_order"]],
                     ["pairs it puts the other way round", swapped]],
        },
    }}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full-from", default=FULL_BUDGET_REVISION,
                        help="git revision of the full-budget outputs")
    parser.add_argument("--json", type=Path, default=REPO / "docs" / "study-budget.json")
    args = parser.parse_args()
    result = compare(study_table(args.full_from), study_table(), epoch_spread(args.full_from))
    for row in result["variants"]:
        print(f"{row[0]:34} full {row[1]:6.2f} (#{row[2]})   small {row[3]:6.2f} (#{row[4]})")
    print(f"Spearman {result['spearman']:.2f}; {result['same_order']} of {result['apart']} pairs apart by"
      " more than"
          f" {result['spread']:.2f} in the same order; swapped: {', '.join(result['swapped']) or 'none'}")
    args.json.write_text(json.dumps(figure_file(result, args.full_from), indent=1) + "\n")


if __name__ == "__main__":
    main()
