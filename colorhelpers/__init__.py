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
``cli``                README                        ``python -m colorhelpers ...``
=====================  ============================  =====================================
"""

__version__ = "0.1.0"
