"""colorhelpers: the code behind the colorgan notebooks.

One module per notebook, in the order data flows through them:

=====================  ============================  =====================================
module                 taught in                     what it holds
=====================  ============================  =====================================
``lab``                notebooks/01_lab_color_space  sRGB <-> CIELAB in TensorFlow ops
``data``               notebooks/02_data_pipeline    image files -> (L, ab) batches
``models``             notebooks/03_models           U-Net generator, PatchGAN discriminator
``config``/``training``  notebooks/04_training       the recipe, ``fit``, the run directory
``metrics``/``plotting``/``evaluation``  notebooks/05_evaluation  scores, pictures, widgets
``noise``              notebooks/06_training_with_noise  a noise channel; does G use its noise?
``pretrained``         notebooks/07_pretrained_encoder   VGG-16 as the U-Net's encoder
``ablation``           notebooks/08_ablation         variants trained and compared
``cli``                README                        ``python -m colorhelpers ...``
=====================  ============================  =====================================
"""

__version__ = "0.1.0"


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

