"""Reading online is free and recorded: who read what, for how long, how far."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from cunju.core.models import AuditEvent
from cunju.library.models import Document, Reading
from tests.world import client_for


def open_page(client, document) -> Reading:
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    reading = response.context["reading"]
    body = response.content.decode()
    assert f'data-reading="{reading.pk}"' in body
    assert f'data-read-url="{reverse("library:read", args=[document.pk])}"' in body
    assert "/static/library/reading.js" in body
    return reading


def report(client, document, reading_id, seconds, page=1):
    return client.post(
        reverse("library:read", args=[document.pk]),
        {"reading": reading_id, "seconds": seconds, "page": page},
    )


def backdate(reading: Reading, minutes: int) -> None:
    Reading.objects.filter(pk=reading.pk).update(
        started_at=reading.started_at - dt.timedelta(minutes=minutes)
    )


def test_each_opening_is_one_reading_one_read_and_one_audit_event(world):
    doc = world.doc_a
    client = client_for(world.member_a)
    first = open_page(client, doc)
    second = open_page(client, doc)
    assert first.pk != second.pk
    assert Reading.objects.filter(document=doc, user=world.member_a).count() == 2
    doc.refresh_from_db()
    assert doc.read_count == 2
    events = AuditEvent.objects.filter(action="library.read", object_id=str(doc.pk))
    assert events.count() == 2
    assert {e.username for e in events} == {world.member_a.username}


def test_the_beacon_moves_the_readers_own_reading_forward_within_the_clock(world):
    doc = world.doc_a
    client = client_for(world.member_a)
    reading = open_page(client, doc)
    before = AuditEvent.objects.count()

    # Just opened: an hour of reading cannot have happened yet.
    assert report(client, doc, reading.pk, 3600, page=2).json() == {"recorded": True}
    reading.refresh_from_db()
    assert reading.seconds <= 10
    assert reading.last_page == 2

    backdate(reading, 10)
    report(client, doc, reading.pk, 300, page=3)
    reading.refresh_from_db()
    assert (reading.seconds, reading.last_page) == (300, 3)

    # A late or repeated report never takes time or progress away.
    report(client, doc, reading.pk, 120, page=1)
    reading.refresh_from_db()
    assert (reading.seconds, reading.last_page) == (300, 3)

    # Pages past the end count as the last page.
    report(client, doc, reading.pk, 330, page=99)
    reading.refresh_from_db()
    assert reading.last_page == doc.stored_file.page_count

    # Heartbeats are not audit events: the opening was.
    assert AuditEvent.objects.count() == before


def test_nobody_moves_someone_elses_reading(world):
    doc = world.doc_a_txt
    reading = open_page(client_for(world.member_a), doc)
    backdate(reading, 10)
    other = client_for(world.secretary_a)
    assert report(other, doc, reading.pk, 500).json() == {"recorded": False}
    # Nor a reading of one document through another's address.
    assert report(client_for(world.member_a), world.doc_a, reading.pk, 500).json() == {
        "recorded": False
    }
    reading.refresh_from_db()
    assert reading.seconds == 0


def test_bad_reports_record_nothing(world):
    doc = world.doc_a
    client = client_for(world.member_a)
    reading = open_page(client, doc)
    for data in ({}, {"reading": reading.pk, "seconds": -5}, {"reading": "x", "seconds": 1}):
        response = client.post(reverse("library:read", args=[doc.pk]), data)
        assert response.status_code == 200
        assert response.json() == {"recorded": False}
    assert client.get(reverse("library:read", args=[doc.pk])).status_code == 405


def test_the_beacon_needs_the_pages_csrf_token(world):
    doc = world.doc_a
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member_a)
    response = client.get(doc.get_absolute_url())
    reading = response.context["reading"]
    token = response.context["csrf_token"]
    backdate(reading, 5)
    url = reverse("library:read", args=[doc.pk])
    forged = client.post(url, {"reading": reading.pk, "seconds": 60})
    assert forged.status_code == 403
    sent = client.post(url, {"reading": reading.pk, "seconds": 60, "csrfmiddlewaretoken": token})
    assert sent.json() == {"recorded": True}
    reading.refresh_from_db()
    assert reading.seconds == 60


def test_reading_is_free_and_the_reader_needs_no_points(world):
    # Secretary A has no points at all and reads a priced document online.
    assert world.doc_a.price > 0
    open_page(client_for(world.secretary_a), world.doc_a)
    assert Document.objects.get(pk=world.doc_a.pk).download_count == 0


def test_out_of_scope_readings_are_not_found(world):
    reading = open_page(client_for(world.town_admin), world.doc_b)
    response = report(client_for(world.secretary_a), world.doc_b, reading.pk, 10)
    assert response.status_code == 404
