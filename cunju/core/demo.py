"""Demo data: deterministic, realistic, built through the same actions users call.

Each module contributes a step (``DEMO_STEPS``); a step receives the ``world`` dict the steps
before it filled (places, organizations, accounts by key) and adds its own records.
"""

from __future__ import annotations

import random
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import connection, transaction

DEMO_PASSWORD = "Demo@2026cunju"
DEMO_SEED = 20261129

DEMO_ACCOUNTS = [
    ("demo-admin", "系统管理员 / system admin"),
    ("demo-town", "镇党委组织委员 / town admin (湖桥镇)"),
    ("demo-community-a", "湖滨社区党委书记 / community A secretary"),
    ("demo-community-b", "石舍社区党委书记 / community B secretary"),
    ("demo-member", "党员 / Party member (新桥村党支部)"),
]

# Later modules append their loaders here, in dependency order.
DEMO_STEPS = [
    "cunju.organizations.demo.load",
    "cunju.accounts.demo.load",
    "cunju.members.demo.load",
    "cunju.development.demo.load",
    "cunju.mobility.demo.load",
    "cunju.dues.demo.load",
    "cunju.evaluation.demo.load",
    "cunju.library.demo.load",
]


def database_is_empty() -> bool:
    from cunju.places.models import Place

    return not Place.objects.exists()


def load_demo(*, skip: tuple[str, ...] = ()) -> list[str]:
    """Run every module's demo step (but those in ``skip``); one summary line per step."""
    world: dict[str, Any] = {"random": random.Random(DEMO_SEED)}
    summary = []
    for dotted in DEMO_STEPS:
        if dotted in skip:
            continue
        module_name, func_name = dotted.rsplit(".", 1)
        summary.append(getattr(import_module(module_name), func_name)(world))
    return summary


def reset_demo() -> None:
    """Delete all cunju data (not the schema); used by ``cunju demo --reset``."""
    ours = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_config.name.startswith("cunju.")
    ]
    with transaction.atomic():
        cursor = connection.cursor()
        if connection.vendor == "postgresql":
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in ours)
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        else:
            cursor.execute("PRAGMA defer_foreign_keys = ON")
            for model in ours:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
