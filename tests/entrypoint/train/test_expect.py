"""The one written form of an expected fingerprint: `v<algorithm>:<64 hex>`, parsed by train/expect.py alone."""

import pytest

from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.train import expect, fingerprint

DIGEST = "10a9b8eb597aaed37e08caea816c874bab9af4ca273ebb1e65a1372e460bf256"


def test_the_written_form_round_trips_and_is_case_insensitive():
    value = expect.current(f"  v{fingerprint.ALGORITHM}:{DIGEST.upper()}\n", "--expect")
    assert value == expect.Expected(fingerprint.ALGORITHM, DIGEST)
    assert str(value) == expect.written(DIGEST) == f"v{fingerprint.ALGORITHM}:{DIGEST}"


@pytest.mark.parametrize(("text", "words"), [
    (DIGEST, "names no fingerprint algorithm version"),
    (f"v2:{DIGEST[:12]}", "the digest has 12 hex digits"),
    (f"v2:{DIGEST}0", "the digest has 65 hex digits"),
    (f"v2:{DIGEST[:-1]}g", "is not a fingerprint"),
    (f"sha256:{DIGEST}", "is not a fingerprint"),
    ("", "is not a fingerprint"),
    (2, "must be a string"),
])
def test_malformed_values_name_the_problem(text, words):
    with pytest.raises(UsageError, match=words) as caught:
        expect.parse(text, "[tool.mlf] expect")
    assert "[tool.mlf] expect" in caught.value.message


def test_only_this_mlfs_algorithm_version_can_be_expected():
    earlier = min(fingerprint.ALGORITHMS)
    assert earlier != fingerprint.ALGORITHM  # an earlier version exists to be refused
    assert expect.parse(f"v{earlier}:{DIGEST}", "x").algorithm == earlier  # the form is fine
    with pytest.raises(UsageError, match=f"recorded with fingerprint algorithm {earlier}"):
        expect.current(f"v{earlier}:{DIGEST}", "x")
    unknown = max(fingerprint.ALGORITHMS) + 1
    with pytest.raises(UsageError, match=f"names fingerprint algorithm {unknown}, which this mlf does not know"):
        expect.current(f"v{unknown}:{DIGEST}", "x")
