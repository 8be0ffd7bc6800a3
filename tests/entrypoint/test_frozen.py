"""entrypoint/frozen.py: the value classes `mlf run` imports instead of frozen dataclasses behave like them."""

import pytest

from mlfcore.entrypoint.frozen import Frozen


class Point(Frozen):
    x: int
    y: int = 0
    tags: list
    FACTORIES = {"tags": list}

    def __post_init__(self):
        if self.x < 0:
            raise ValueError("x must not be negative")


def test_positional_keyword_defaults_and_factories():
    one, two = Point(1), Point(x=1, y=0)
    assert one == two and hash(Point(1, 2, ())) == hash(Point(x=1, y=2, tags=()))
    assert one.tags == [] and one.tags is not two.tags  # a fresh list per instance, like default_factory
    assert repr(Point(1, 2)) == "Point(x=1, y=2, tags=[])"
    assert Point(1) != Point(2) and Point(1) != (1, 0, [])


def test_immutable_and_checked():
    point = Point(1)
    with pytest.raises(AttributeError, match="immutable"):
        point.x = 2
    with pytest.raises(ValueError, match="negative"):
        Point(-1)
    with pytest.raises(TypeError, match="missing required argument 'x'"):
        Point()
    with pytest.raises(TypeError, match="unexpected or repeated argument 'z'"):
        Point(1, z=3)
    with pytest.raises(TypeError, match="repeated"):
        Point(1, x=1)
    with pytest.raises(TypeError, match="takes 3 arguments"):
        Point(1, 2, [], 4)


def test_the_run_path_imports_no_dataclasses():
    """The point of the module: `mlf run`'s own modules leave dataclasses (and inspect) unimported."""
    import subprocess
    import sys

    code = ("import sys; from mlfcore.entrypoint.cli import fastpath; from mlfcore.entrypoint.supervise import command; from mlfcore.entrypoint.lint import gate, "
            "scope; print(sorted(m for m in ('dataclasses', 'inspect', 'typing', 'subprocess', 'tempfile') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
