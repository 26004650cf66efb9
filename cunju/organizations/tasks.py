"""Background work of the organizations module: checking the member tallies."""

from __future__ import annotations

import logging

from django_tasks import task

from . import tallies

log = logging.getLogger(__name__)


@task()
def check_tallies(repair: bool = True) -> int:
    """Compare every organization's tally with a fresh count; returns how many differed.

    A difference means a write skipped the member model (fixtures, hand-made SQL): it is
    logged and, with ``repair``, the tallies are rebuilt.
    """
    wrong = tallies.verify()
    for mismatch in wrong[:20]:
        log.warning(
            "member tally of organization %s is %s, a fresh count gives %s",
            mismatch.organization_id,
            mismatch.tally,
            mismatch.counted,
        )
    if wrong and repair:
        tallies.rebuild()
    return len(wrong)
