# Pattern from zhixuhao/unet@b45af4d458437d8281cc218a07fd4380818ece4a model.py:33 (UpSampling2D with its default
# interpolation in a Keras U-Net) and data.py:96 (training images listed with an unsorted glob).
import glob
import os

from keras.layers import Conv2D, UpSampling2D


def up_block(x, filters: int):
    return Conv2D(filters, 2, activation="relu", padding="same")(UpSampling2D(size=(2, 2))(x))


def image_names(image_path: str, prefix: str):
    return glob.glob(os.path.join(image_path, f"{prefix}*.png"))
