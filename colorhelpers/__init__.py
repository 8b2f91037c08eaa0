"""colorhelpers: the code behind the colorgan notebooks.

One module per idea, in the order data flows through them (files, Lab tensors, batches,
models, training, a run directory on disk, evaluation and colorizing):

- ``tutorial``: one call sets a notebook up (every notebook);
- ``lab``: sRGB <-> CIELAB in TensorFlow ops (notebooks/01_lab_color_space);
- ``data``: image files -> (L, ab) batches (02_data_pipeline);
- ``models``: U-Net generator, PatchGAN discriminator (03_models);
- ``config``, ``recipe``, ``training``, ``callbacks``, ``checkpoints``, ``runs``: the
  recipe, what it builds, ``fit`` and its callbacks, the files a run writes (04_training);
  ``cache`` and ``distribute``: a decoded cache streamed from disk for sets bigger than
  memory, several GPUs and machines (README, "Training on your own images");
- ``metrics``, ``plotting``, ``evaluation``, ``diagnostics``: scores, pictures, widgets,
  colorizing files of any shape, the saturation trade-off, failures explained, the shipped
  model (05_evaluation);
- ``noise``: a noise channel; does the generator use its noise? (06_training_with_noise);
- ``pretrained``: VGG-16 as the U-Net's encoder (07_pretrained_encoder);
- ``ablation``: variants trained and compared (08_ablation);
- ``hints``, ``propagation``, ``reference``, ``hint_network``, ``hint_sweep``, ``hint_widget``:
  user hints (points, scribbles, a reference image), measured and clicked (09_hints);
- ``motion``, ``temporal``, ``clips``: test clips with known motion, steady colors along
  optical flow, GIF and video files a frame at a time (10_animation);
- ``cli``: ``python -m colorhelpers ...``, also installed as the ``colorgan`` command (README).
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

