# Pattern from milesial/Pytorch-UNet@21d7850f2af30a9695bbeea75f3136aa538cfc4a utils/data_loading.py:27 (the one mask
# file of an id, found with Path.glob) and :46 (the dataset's ids from os.listdir, unsorted).
from os import listdir
from pathlib import Path

import torch  # noqa: F401  (an ML module: the listing rule applies)


def mask_of(mask_dir: Path, idx: str) -> Path:
    return list(mask_dir.glob(idx + "_mask.*"))[0]


def ids_of(images_dir: str) -> list[str]:
    return [name.split(".")[0] for name in listdir(images_dir) if not name.startswith(".")]
