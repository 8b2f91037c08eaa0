"""Part 5, trained runs judged (notebooks/05_evaluation, 08_ablation): open a run and score it
(`trained`), browse its epochs (`browser`), the saturation trade-off and the failures
(`diagnostics`), variants side by side (`ablation`)."""

from colorhelpers.evaluation.ablation import Variant, ablation_variants, format_table, run_of, run_variants
from colorhelpers.evaluation.browser import EpochBrowser, previewed_paths
from colorhelpers.evaluation.diagnostics import failure_pictures, saturation_sweep, worst_images
from colorhelpers.evaluation.trained import (
    SHIPPED_LINEART_RUN,
    SHIPPED_RUN,
    evaluate_run,
    evaluation_images,
    load_generator,
    open_run,
    ship_run,
    shipped_run,
)

__all__ = ["SHIPPED_LINEART_RUN", "SHIPPED_RUN", "EpochBrowser", "Variant", "ablation_variants",
           "evaluate_run", "evaluation_images", "failure_pictures", "previewed_paths", "format_table",
           "load_generator", "open_run", "run_of", "run_variants", "saturation_sweep",
           "ship_run", "shipped_run", "worst_images"]
