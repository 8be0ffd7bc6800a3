"""The golden entries the suite does not train (the examples' defaults, the resumed and non-portable PyTorch runs,
the default U-Net, the scaffold's templates in the venv and all but PyTorch's in their images), each trained as
`make golden` trains it and compared with its value: what `make test-all` proves beyond `make test`."""

import pytest

from mlfcore.entrypoint import contract
from mlfcore.entrypoint.sysinfo import cpu
from mlfcore.scaffold.golden import check, measure, table

HOST_LEVEL = cpu.collect(contract.Settings())["dispatch"]["host_level"]
# A no-portable value holds for one ISA level: only this machine's level's entries apply here.
ENTRIES = [pytest.param(e, id=e.id, marks=[pytest.mark.images] if e.runtime == "image" else [])
           for e in table.load().entries if not e.suite and e.level in ("", HOST_LEVEL)]


@pytest.mark.heavy  # 16 trainings, about 15 minutes on 2 busy cores (make golden, measured): too long for every CI run
@pytest.mark.golden
@pytest.mark.parametrize("entry", ENTRIES)
def test_the_entries_beyond_the_suite_give_their_golden_values(entry, request):
    engine = request.getfixturevalue("engine") if entry.runtime == "image" else None
    if entry.runtime == "image":  # our image, built with the cache as the image tests build it
        request.getfixturevalue("build_image")("base")
        if entry.image != "base":
            request.getfixturevalue("build_image")(entry.image, entry.variant)
    measured = measure.measure(entry, engine)
    outcome = check.compare(table.load(), check.wanted(entry.example, entry.runtime, measured.record,
                                                       params=entry.params, image=entry.image,
                                                       variant=entry.variant, mode=entry.mode),
                            measured.fingerprint, measured.record)
    assert outcome.matched, outcome.failure
