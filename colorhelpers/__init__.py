"""colorhelpers: the code behind the colorgan notebooks, one part per part of the series.

The folder reads like the series' table of contents, in the order data flows (files, Lab
tensors, batches, models, training, a run directory on disk, evaluation and colorizing);
a module imports only from the parts above it:

- ``color``: sRGB <-> CIELAB, and where predicted color meets an input's lightness (01);
- ``data``: image files checked and decoded, ``tf.data`` batches of (L, ab) (02);
  ``data.cache`` streams sets bigger than memory from a decoded cache (README);
- ``models``: pix2pix's U-Net and PatchGAN (03), a noise channel (06), VGG-16 as the
  encoder (07), a U-Net that takes hints (09);
- ``scoring``: PSNR, CIEDE2000, AuC, colorfulness, sample grids and figures (05; training
  scores every epoch with them, so they come first);
- ``training``: the recipe, the GAN's step, ``fit`` with callbacks, checkpoints, the run
  directory, several GPUs and machines (04);
- ``evaluation``: open, score, browse and ship a trained run, failures explained (05),
  variants side by side (08);
- ``colorize``: the one road for colorizing: frames in (a still is one frame), the
  network's colors on one working grid, a guide, the join with the input's own lightness,
  one writer per output kind (05);
- ``hints``: hint points, edge-aware propagation, a reference image, as a guide on the
  road; measured and clicked (09);
- ``clips``: steady colors along the optical flow as a guide on the road, test clips with
  known motion (10);
- ``tutorial``: one call sets a notebook up; ``cli``: ``python -m colorhelpers ...``, also
  installed as the ``colorgan`` command (README).

The teaching core, what notebooks 01-05 import (``color``, ``data``, ``models``,
``scoring``, ``training``, ``evaluation``, ``colorize``, ``tutorial``), is 4,046 lines and
imports none of the tool-only parts (``hints``, ``clips``, ``cli``: 1,798 lines).
"""

__version__ = "0.3.0"


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with its native start-up log hidden when TF_CPP_MIN_LOG_LEVEL=3.

    TensorFlow's C++ libraries print a few lines (oneDNN, CUDA probing) while loading,
    before TF_CPP_MIN_LOG_LEVEL takes effect. In a notebook they land in the first cell's
    output on every run, so when the user asked for silence, file descriptor 2 points at
    /dev/null for the length of the import. Python errors are still raised as usual.
    Call it before anything imports TensorFlow (the notebooks' first cell does).
    """
    import os
    import sys

    if "tensorflow" in sys.modules or os.environ.get("TF_CPP_MIN_LOG_LEVEL") != "3":
        return
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)

