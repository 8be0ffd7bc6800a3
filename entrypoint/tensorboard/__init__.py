"""TensorBoard event files without TensorBoard: a reader of what a training logged (the result fingerprint reads
event files with it) and a small scalar writer (eventfile.py)."""

from .errors import CorruptEventFile, TruncatedEventFile
from .eventfile import (Restart, ScalarWriter, SummaryValue, entries, is_event_file, reading_order, records, replay,
                        shown)

__all__ = ["CorruptEventFile", "Restart", "ScalarWriter", "SummaryValue", "TruncatedEventFile", "entries",
           "is_event_file", "reading_order", "records", "replay", "shown"]
