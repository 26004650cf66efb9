"""Demo records of this module (filled in as the module grows)."""

from typing import Any


def load(world: dict[str, Any]) -> str:
    return "dues: nothing yet"
