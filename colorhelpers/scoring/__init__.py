"""Scores and pictures of a colorization (notebooks/05_evaluation): PSNR, CIEDE2000, AuC,
colorfulness (`metrics`), sample grids and figures (`plotting`), and a fresh critic's verdict
on whether colors can be told from hand-made ones (`judge`). Training scores every epoch with
them, so they come before it."""

from colorhelpers.scoring.metrics import (
    ab_auc,
    auc_counts,
    ciede2000,
    colorfulness,
    evaluate_generator,
    predict_ab,
    psnr,
    rebalanced_auc,
)
from colorhelpers.scoring.plotting import (
    gray_output_truth,
    plot_losses,
    plot_metrics,
    plot_tradeoff,
    sample_grid,
    show_grid,
    show_image_table,
    show_images,
    tile,
    to_uint8,
)
from colorhelpers.scoring.twosample import JudgeResult, judge, split_images

__all__ = ["JudgeResult", "ab_auc", "auc_counts", "ciede2000", "colorfulness", "evaluate_generator",
           "gray_output_truth", "judge", "plot_losses", "plot_metrics", "plot_tradeoff", "predict_ab", "psnr",
           "rebalanced_auc", "sample_grid", "show_grid", "show_image_table", "show_images", "split_images",
           "tile", "to_uint8"]
