"""Points spent at the same moment: each thread has its own database connection and the
work really overlaps (a barrier releases the threads together). On SQLite the IMMEDIATE
transactions queue the writers; on PostgreSQL the ledger locks the user's row and the
unique (user, seq) constraint catches what a lock would miss.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.test import override_settings
from django.utils import translation

from cunju.library.downloads import start_download
from cunju.library.models import Download
from cunju.library.samples import make_pdf
from cunju.points import ledger
from cunju.points.models import Entry, Kind
from tests.library.world import upload
from tests.points.world import give_points

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 4


def at_once(jobs: list[Callable[[], object]]) -> list[object]:
    """Run every job in its own thread, all released together; results or exceptions."""
    results: list[object] = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = jobs[index]()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each job met
            results[index] = exc
        finally:
            connections.close_all()  # this thread's own connections

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def download_and_close(user, document):
    # A new thread starts in the default language (Chinese); the messages compared are English.
    with translation.override("en"):
        download = start_download(user, document)
    download.handle.close()
    return download


@override_settings(CUNJU_LIBRARY_REDOWNLOAD_DAYS=0)
def test_two_downloads_at_the_same_moment_cannot_spend_the_same_points(world, tmp_path):
    # Two priced documents by different uploaders; the reader's points cover only one.
    other = upload(
        world.secretary_a,
        make_pdf(tmp_path / "社区议事规则.pdf", "社区议事规则", 2),
        title="社区议事规则",
        price=3,
        shared_with=world.committee_a,
    )
    reader = world.member_a
    for round_number in range(ROUNDS):
        give_points(world, reader, 3)
        results = at_once(
            [
                lambda: download_and_close(reader, world.doc_a),
                lambda: download_and_close(reader, other),
            ]
        )
        won = [r for r in results if isinstance(r, Download)]
        lost = [r for r in results if not isinstance(r, Download)]
        assert len(won) == 1, (round_number, results)
        assert len(lost) == 1 and isinstance(lost[0], ValidationError), results
        assert lost[0].messages == ["Not enough points: balance 0, needed 3."]
        assert ledger.balance(reader) == 0
        assert ledger.verify(reader)
    assert Download.objects.filter(user=reader).count() == ROUNDS
    earned = ledger.balance(world.clerk_a) + ledger.balance(world.secretary_a)
    assert earned == 3 * ROUNDS
    assert ledger.verify(world.clerk_a) and ledger.verify(world.secretary_a)
    assert not Entry.objects.filter(balance__lt=0).exists()


def test_the_same_reader_clicking_twice_pays_once(world):
    give_points(world, world.member_a, 10)
    results = at_once([lambda: download_and_close(world.member_a, world.doc_a)] * 2)
    assert sorted(r.price for r in results) == [0, 3], results
    assert ledger.balance(world.member_a) == 7


def test_postings_at_the_same_moment_get_consecutive_numbers(world):
    def earn():
        with transaction.atomic():
            return ledger.post(world.member_a, 1, Kind.STUDY)

    results = at_once([earn] * 8)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.seq for r in results) == list(range(1, 9))
    assert ledger.balance(world.member_a) == 8 and ledger.verify(world.member_a)


def test_spending_at_the_same_moment_never_overdraws(world):
    give_points(world, world.member_a, 5)

    def spend():
        with transaction.atomic():
            return ledger.post(world.member_a, -1, Kind.DOWNLOAD_CHARGE)

    results = at_once([spend] * 8)
    assert sum(isinstance(r, Entry) for r in results) == 5
    assert all(isinstance(r, Entry | ValidationError) for r in results), results
    assert ledger.balance(world.member_a) == 0 and ledger.verify(world.member_a)


def test_without_the_row_lock_the_sequence_constraint_still_keeps_the_ledger_right(
    world, monkeypatch
):
    # Each posting that loses the race for a number retries against the fresh balance; with
    # four writers a posting loses at most three times, within the ledger's retries.
    monkeypatch.setattr(ledger, "lock_accounts", lambda *users: None)
    give_points(world, world.member_a, 2)

    def spend():
        with transaction.atomic():
            return ledger.post(world.member_a, -1, Kind.DOWNLOAD_CHARGE)

    results = at_once([spend] * 4)
    assert sum(isinstance(r, Entry) for r in results) == 2, results
    assert all(isinstance(r, Entry | ValidationError) for r in results), results
    assert ledger.balance(world.member_a) == 0 and ledger.verify(world.member_a)
