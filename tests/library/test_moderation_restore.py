"""Restoring a taken-down document: published again, found again, the uploader told; what
the take-down settled (refunds, upheld reports) stays settled.

The world's doc_a (党员学习笔记) costs 3 points, uploaded by clerk A and shared with
committee A; doc_b is community B's.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from cunju.core.models import AuditEvent
from cunju.library.downloads import quote, start_download
from cunju.library.models import Document, Download, Moderation, Report, ReportStatus
from cunju.library.moderation import report_document, restore_document, take_down
from cunju.library.search import search
from cunju.notices.models import Notice
from cunju.points import ledger
from cunju.points.models import Entry
from tests.points.world import give_points
from tests.world import client_for


def last_notice(user):
    return Notice.objects.filter(recipient=user).latest("pk")


def buy(user, document):
    download = start_download(user, document)
    download.handle.close()
    return download


def found(user, words):
    return [hit.document.pk for hit in search(user, words)]


def test_a_restored_document_is_published_found_and_its_uploader_told(
    world, django_capture_on_commit_callbacks
):
    take_down(world.secretary_a, world.doc_a, "疑似侵权")
    assert world.doc_a.pk not in found(world.member_a, "党员学习笔记")

    with django_capture_on_commit_callbacks(execute=True):  # indexed once committed
        restored = restore_document(world.secretary_a, world.doc_a, "经核实不侵权")

    document = Document.objects.get(pk=world.doc_a.pk)
    assert (document.moderation, document.moderation_note) == (Moderation.PUBLISHED, "经核实不侵权")
    assert restored.pk == document.pk
    # It keeps its first publication date: restoring does not make it new.
    assert document.published_at == world.doc_a.published_at
    assert world.doc_a.pk in found(world.member_a, "党员学习笔记")
    reader = client_for(world.member_a)
    for name in ("library:detail", "library:download", "library:report"):
        assert reader.get(reverse(name, args=[world.doc_a.pk])).status_code == 200, name

    notice = last_notice(world.clerk_a)
    assert notice.message == (
        "Your document «党员学习笔记» was restored and is published again. Reason: 经核实不侵权"
    )
    assert notice.url == world.doc_a.get_absolute_url()
    event = AuditEvent.objects.filter(action="library.restore_document").latest("pk")
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.changes == {
        "moderation": [Moderation.TAKEN_DOWN, Moderation.PUBLISHED],
        "note": "经核实不侵权",
    }
    assert event.object_id == str(world.doc_a.pk)


def test_refunds_stay_refunded_and_the_next_download_is_charged(world):
    give_points(world, world.member_a, 10)
    paid = buy(world.member_a, world.doc_a)
    report_document(world.liaison_a, world.doc_a, "copyright", "整本抄袭")
    take_down(world.secretary_a, world.doc_a, "侵犯版权")
    assert (ledger.balance(world.member_a), ledger.balance(world.clerk_a)) == (10, 0)
    entries = Entry.objects.count()

    restore_document(world.town_admin, world.doc_a, "版权方已授权")

    # Nothing of the take-down is undone.
    assert Entry.objects.count() == entries
    assert (ledger.balance(world.member_a), ledger.balance(world.clerk_a)) == (10, 0)
    paid.refresh_from_db()
    assert paid.refunded_at is not None
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.UPHELD}
    # The refunded download no longer makes a new one free, even inside the window.
    terms = quote(world.member_a, world.doc_a)
    assert (terms.price, terms.free) == (3, "")
    again = buy(world.member_a, world.doc_a)
    assert again.price == 3
    assert (ledger.balance(world.member_a), ledger.balance(world.clerk_a)) == (7, 3)
    assert Download.objects.filter(document=world.doc_a, refunded_at__isnull=True).count() == 1
    assert all(ledger.verify(u) for u in (world.member_a, world.clerk_a))


def test_only_a_taken_down_document_is_restored_and_only_with_a_reason(world):
    with pytest.raises(ValidationError) as published:
        restore_document(world.secretary_a, world.doc_a, "恢复")
    assert published.value.messages == ["Only a taken-down document can be restored."]
    take_down(world.secretary_a, world.doc_a, "违规")
    with pytest.raises(ValidationError) as no_reason:
        restore_document(world.secretary_a, world.doc_a, "  ")
    assert no_reason.value.message_dict == {"note": ["Say why the document is restored."]}
    assert Document.objects.get(pk=world.doc_a.pk).moderation == Moderation.TAKEN_DOWN
    failed = AuditEvent.objects.filter(action="library.restore_document").latest("pk")
    assert failed.outcome != AuditEvent.Outcome.SUCCESS
    restore_document(world.secretary_a, world.doc_a, "误判")
    with pytest.raises(ValidationError):
        restore_document(world.secretary_a, world.doc_a, "误判")


def test_only_the_documents_moderators_restore_it(world):
    take_down(world.secretary_b, world.doc_b, "重复上传")
    with pytest.raises(PermissionDenied):
        restore_document(world.member_a, world.doc_b, "恢复")
    with pytest.raises(Http404):
        restore_document(world.secretary_a, world.doc_b, "越权")
    assert Document.objects.get(pk=world.doc_b.pk).moderation == Moderation.TAKEN_DOWN
    restore_document(world.town_admin, world.doc_b, "上级复核")
    assert Document.objects.get(pk=world.doc_b.pk).moderation == Moderation.PUBLISHED


def test_the_review_page_offers_restoring_a_taken_down_document(world):
    take_down(world.secretary_a, world.doc_a, "违规")
    client = client_for(world.secretary_a)
    url = reverse("library:review", args=[world.doc_a.pk])
    page = client.get(url)
    assert [value for value, _label in page.context["form"].fields["decision"].choices] == [
        "restore"
    ]
    assert "The downloads refunded at the take-down stay refunded" in page.content.decode()
    missing_note = client.post(url, {"decision": "restore"})
    assert missing_note.status_code == 200
    assert "Say why the document is restored." in missing_note.content.decode()
    # Taking it down again is not offered while it is down.
    assert (
        "decision"
        in client.post(url, {"decision": "take_down", "note": "x"}).context["form"].errors
    )
    done = client.post(url, {"decision": "restore", "note": "误判"})
    assert done.status_code == 302
    assert Document.objects.get(pk=world.doc_a.pk).moderation == Moderation.PUBLISHED
    after = client.get(url)
    assert [value for value, _label in after.context["form"].fields["decision"].choices] == [
        "take_down"
    ]
