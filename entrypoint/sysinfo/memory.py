"""Memory: the machine's total, what is available now (volatile: never in the key) and the cgroup limit."""

from __future__ import annotations

from . import cgroup


def collect() -> dict:
    """The memory section of the record."""
    limit = cgroup.limits()["memory"]
    try:
        import psutil

        virtual = psutil.virtual_memory()
    except (ImportError, OSError) as err:
        return {"total_bytes": None, "available_bytes": None, "cgroup": limit, "effective_limit_bytes":
                limit.get("limit_bytes"), "reason": f"psutil failed: {type(err).__name__}: {err}"}
    limits = [value for value in (virtual.total, limit.get("limit_bytes")) if value]
    return {
        "total_bytes": virtual.total,
        "available_bytes": virtual.available,
        "cgroup": limit,
        # What a training process can actually use: the machine's memory or the container's limit, the smaller.
        "effective_limit_bytes": min(limits) if limits else None,
    }
