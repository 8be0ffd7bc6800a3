"""Golden base project."""

__version__ = "0.1.0"
