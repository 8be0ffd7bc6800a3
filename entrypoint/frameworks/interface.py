"""What a framework's folder declares: one `FRAMEWORK` record in its `__init__.py`, and the parts it names.

The record is plain data, cheap to import (every `mlf run` reads the contract, which reads the registry). The parts
are modules of the folder, imported only by the machinery that needs them:

| part        | what it provides                                                                 | used by            |
| ---         | ---                                                                              | ---                |
| `contract`  | `ENTRIES` (slot → contract entries), `READS` (generic entries its libraries read) | contract.py        |
| `hooks`     | `HOOKS` (module → apply(module, opts)): seeds and switches after its import       | the child bootstrap |
| `lint`      | `installed_version()`, `TABLES`, and the lint facts (lint/frameworks.py lists them) | lint/              |
| `probe`     | `PROBES` (component → what it reports at run time, as JSON-able data)              | sysinfo/probe.py   |
| `formats`   | `READERS` (suffix → reader, since algorithm), `load_tensor(path, key)`           | train/formats.py   |
| `launch`    | `Launch`: several processes per node (`mlf run --nproc`)                         | the supervisor     |
| `bench`     | `RELAXED` (mode → contract entry relaxed in it)                                   | `mlf bench`        |

The folder also holds what users import or run, never reached by the machinery: the resume adapter (`resume.py`),
the step hook's callbacks (`steps.py`), helpers such as torch's DataLoader seeding (`data.py`), and the bundled
examples (`examples/`, which `mlf train` finds through `Framework.examples`).

`hooks.py` imports nothing from mlfcore (the bootstrap loads it by path in any interpreter); the other parts may
import the foundation (errors, variables, files, run_settings, installed), the contract's entry type, the step and checkpoint
API, and the interfaces they implement (lint.model, train.artifacts) — never the machinery that reads them.
"""

from __future__ import annotations

from collections.abc import Callable

from ..frozen import Frozen

PARTS = ("contract", "hooks", "lint", "probe", "formats", "launch", "bench")


class Example(Frozen):
    """A bundled example: what `MLF_IMAGE_EXAMPLE` names, the module `mlf train` runs, its CLI parameters."""

    name: str
    module: str  # relative to the framework's package, e.g. "examples.pytorch_digits"
    parameters: dict[str, tuple[str, object]]  # name → (type, default), as MLproject declares them
    # The smallest useful training, as parameter values: what the image tests and a quick look train.
    smoke: dict[str, object]
    # Never picked as an image's default example (MLF_IMAGE_EXAMPLE names it, or a project does).
    opt_in: bool = False


class Component(Frozen):
    """What sysinfo records of a framework: the first of `distributions` installed gives its version, which the
    environment key holds as `framework.<name>` from key version `key_since` on (sysinfo/key.py): a component added
    later enters the key in a new key version, so recorded runs keep their keys."""

    name: str
    distributions: tuple[str, ...]
    key_since: int = 1


class Framework(Frozen):
    name: str  # the registry's name and the folder's: torch
    title: str  # for people: PyTorch
    import_name: str  # the module whose presence means the framework is installed; its import triggers the hooks
    # Every top-level module of the framework and of the libraries built on it (lightning on torch): the lint rules
    # about it apply where one is imported, and generic code names none of them (tests/test_frameworks_owned.py).
    modules: tuple[str, ...]
    # What sysinfo records of it, in order (the environment key's framework.<component> fields, registry order).
    components: tuple[Component, ...]
    # The CPU-only builds among installed distributions (name → version), as `name==version`: the GPU notice.
    cpu_only: Callable[[dict[str, str]], list[str]]
    parts: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()

    def __post_init__(self) -> None:
        unknown = sorted(set(self.parts) - set(PARTS))
        if unknown:
            raise ValueError(f"framework {self.name}: unknown parts {unknown}; known: {', '.join(PARTS)}")
