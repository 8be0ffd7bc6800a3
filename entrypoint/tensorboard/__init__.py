"""TensorBoard event files without TensorBoard: a reader of what a training logged (the result fingerprint reads
event files with it) and a small scalar writer (eventfile.py)."""

from .errors import CorruptEventFile, TruncatedEventFile
from .eventfile import ScalarWriter, SummaryValue, is_event_file, records

__all__ = ["CorruptEventFile", "ScalarWriter", "SummaryValue", "TruncatedEventFile", "is_event_file", "records"]
