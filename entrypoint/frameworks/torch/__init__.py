"""PyTorch: its contract entries and hooks, resume adapter and step agreement, DataLoader seeding, the torchrun
launcher, lint rules and table, what sysinfo reads from its files, the `.pt` reader, and the bundled examples."""

from ..interface import Component, Example, Framework


def _cpu_only(installed: dict[str, str]) -> list[str]:
    # PyTorch marks its CPU wheels with the local version `+cpu` (download.pytorch.org/whl/cpu).
    version = installed.get("torch")
    return [f"torch=={version}"] if version is not None and version.endswith("+cpu") else []


FRAMEWORK = Framework(
    name="torch",
    title="PyTorch",
    import_name="torch",
    modules=("torch", "torchvision", "torchaudio", "lightning", "pytorch_lightning", "accelerate"),
    components=(Component("torch", ("torch",)),),
    cpu_only=_cpu_only,
    parts=("contract", "hooks", "lint", "probe", "formats", "launch", "bench"),
    examples=(
        Example("pytorch_digits", "examples.pytorch_digits", {"epochs": ("int", 3), "workers": ("int", 2)},
                smoke={"epochs": 1}),
        Example("unet_segmentation", "examples.unet_segmentation", {"epochs": ("int", 6), "images": ("int", 192)},
                smoke={"epochs": 1, "images": 32}, opt_in=True),
    ),
)
