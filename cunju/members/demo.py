"""Demo members (filled in as the module grows)."""

from typing import Any


def load(world: dict[str, Any]) -> str:
    return "members: nothing yet"
