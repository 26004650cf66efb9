"""Reports and moderation: readers complain, moderators dismiss or take down, money comes back.

The world's doc_a (党员学习笔记) costs 3 points, uploaded by clerk A and shared with
committee A; doc_a_txt (支部学习计划) is member A's, shared with the whole town; doc_b is
community B's.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import override_settings
from django.urls import reverse

from cunju.core.models import AuditEvent
from cunju.library.downloads import start_download
from cunju.library.models import Document, Download, Moderation, Report, ReportStatus
from cunju.library.moderation import (
    dismiss_report,
    moderated_by,
    report_document,
    review_upload,
    take_down,
)
from cunju.library.samples import make_pdf
from cunju.library.search import search
from cunju.notices.models import Notice
from cunju.points import ledger
from cunju.points.actions import grant
from cunju.points.models import Entry, Kind
from tests.library.world import upload
from tests.points.world import give_points
from tests.world import client_for


def notices_of(user):
    return [n.message for n in Notice.objects.filter(recipient=user).order_by("pk")]


def buy(user, document):
    download = start_download(user, document)
    download.handle.close()
    return download


def found(user, words):
    return [hit.document.pk for hit in search(user, words)]


# --- Reports -------------------------------------------------------------------------------


def test_a_reader_reports_a_document_once(world):
    report = report_document(world.member_a, world.doc_a, "copyright", "摘自某出版社图书")
    assert (report.status, report.reason, report.reporter) == (
        ReportStatus.OPEN,
        "copyright",
        world.member_a,
    )
    with pytest.raises(ValidationError) as twice:
        report_document(world.member_a, world.doc_a, "mismatch", "")
    assert twice.value.messages == [
        "You have already reported this document; the moderators will look at it."
    ]
    assert Report.objects.count() == 1
    # Another reader may report the same document.
    report_document(world.liaison_a, world.doc_a, "mismatch")
    assert Report.objects.count() == 2


def test_after_a_decision_the_reader_may_report_again(world):
    report = report_document(world.member_a, world.doc_a, "mismatch")
    dismiss_report(world.secretary_a, report)
    again = report_document(world.member_a, world.doc_a, "unlawful", "第3页")
    assert again.status == ReportStatus.OPEN


def test_the_database_keeps_one_open_report_per_reader_and_document(world):
    from django.db import IntegrityError, transaction

    Report.objects.create(document=world.doc_a, reporter=world.member_a, reason="other")
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(document=world.doc_a, reporter=world.member_a, reason="other")


@pytest.mark.parametrize(
    ("reason", "detail", "field"),
    [
        ("", "", "reason"),
        ("spam", "", "reason"),
        ("other", "  ", "detail"),
        ("other", "字" * 2001, "detail"),
    ],
)
def test_a_report_needs_a_known_reason_and_details_for_other(world, reason, detail, field):
    with pytest.raises(ValidationError) as refused:
        report_document(world.member_a, world.doc_a, reason, detail)
    assert field in refused.value.message_dict
    assert not Report.objects.exists()


def test_nobody_reports_their_own_document_or_one_they_cannot_read(world):
    with pytest.raises(ValidationError):
        report_document(world.clerk_a, world.doc_a, "other", "测试")
    with pytest.raises(Http404):
        report_document(world.member_a, world.doc_b, "copyright")
    assert not Report.objects.exists()


def test_the_report_page_thanks_the_reader_and_then_says_it_is_waiting(world):
    client = client_for(world.member_a)
    url = reverse("library:report", args=[world.doc_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "mismatch", "detail": "标题写的是笔记，内容是通知"})
    assert response.status_code == 302
    assert response["Location"] == world.doc_a.get_absolute_url()
    page = client.get(url).content.decode()
    assert "Thank you, the moderators will look at it." in page
    assert "You reported this document on" in page
    again = client.post(url, {"reason": "copyright"})
    assert "You have already reported this document" in again.content.decode()
    assert Report.objects.count() == 1


def test_the_report_page_asks_for_a_reason(world):
    response = client_for(world.member_a).post(reverse("library:report", args=[world.doc_a.pk]))
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors


# --- The moderation queue -------------------------------------------------------------------


def test_the_queue_shows_open_reports_under_the_moderators_node_only(world):
    report_document(world.member_a, world.doc_a, "copyright", "侵权A")
    report_document(world.town_admin, world.doc_b, "mismatch", "不符B")
    own = client_for(world.secretary_a).get(reverse("library:moderation")).content.decode()
    assert "侵权A" in own and "不符B" not in own and world.doc_b.title not in own
    town = client_for(world.town_admin).get(reverse("library:moderation")).content.decode()
    assert "侵权A" in town and "不符B" in town


def test_a_document_shared_from_above_is_moderated_above(world):
    # member A's plan is shared with the whole town: community B reads it, but its
    # moderators are community A's and the town's.
    assert world.doc_a_txt in moderated_by(world.secretary_a)
    assert world.doc_a_txt not in moderated_by(world.secretary_b)
    report = report_document(world.secretary_b, world.doc_a_txt, "mismatch")
    with pytest.raises(Http404):
        dismiss_report(world.secretary_b, report)
    with pytest.raises(Http404):
        take_down(world.secretary_b, world.doc_a_txt, "不符")
    url = reverse("library:review", args=[world.doc_a_txt.pk])
    assert client_for(world.secretary_b).get(url).status_code == 404


def test_only_moderators_moderate(world):
    report = report_document(world.member_a, world.doc_a, "copyright")
    with pytest.raises(PermissionDenied):
        dismiss_report(world.clerk_a, report)
    with pytest.raises(PermissionDenied):
        take_down(world.member_a, world.doc_a, "x")
    assert client_for(world.member_a).get(reverse("library:moderation")).status_code == 403


def test_dismissing_a_report_keeps_the_document_and_tells_the_reporter_and_uploader(world):
    report = report_document(world.member_a, world.doc_a, "mismatch")
    response = client_for(world.secretary_a).post(
        reverse("library:decide-report", args=[report.pk]), {"note": "内容与标题一致"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("library:review", args=[world.doc_a.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.DISMISSED
    assert (report.decided_by, report.decision_note) == (world.secretary_a, "内容与标题一致")
    assert Document.objects.get(pk=world.doc_a.pk).moderation == Moderation.PUBLISHED
    assert notices_of(world.member_a) == [
        "Your report about «党员学习笔记» was reviewed; the document stays.\nNote: 内容与标题一致"
    ]
    assert notices_of(world.clerk_a) == [
        "A report about your document «党员学习笔记» was reviewed; the document stays.\n"
        "Note: 内容与标题一致"
    ]
    with pytest.raises(ValidationError):
        dismiss_report(world.secretary_a, report)


# --- Uploads waiting for review --------------------------------------------------------------


@override_settings(CUNJU_LIBRARY_REVIEW_UPLOADS=True)
def test_uploads_wait_for_review_then_are_published_and_found(
    world, tmp_path, django_capture_on_commit_callbacks
):
    document = upload(
        world.member_a,
        make_pdf(tmp_path / "村规民约修订稿.pdf", "村规民约修订稿", 2),
        title="村规民约修订稿",
        shared_with=world.committee_a,
    )
    assert document.moderation == Moderation.PENDING_REVIEW
    assert document.pk not in found(world.clerk_a, "村规民约")
    queue = client_for(world.secretary_a).get(reverse("library:moderation")).content.decode()
    assert "村规民约修订稿" in queue
    hidden = client_for(world.secretary_b).get(reverse("library:moderation")).content.decode()
    assert "村规民约修订稿" not in hidden

    with django_capture_on_commit_callbacks() as indexing:
        response = client_for(world.secretary_a).post(
            reverse("library:review", args=[document.pk]), {"decision": "approve"}
        )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.moderation == Moderation.PUBLISHED and document.published_at
    # Indexed once the approval is committed, not while it holds its locks.
    assert document.pk not in found(world.clerk_a, "村规民约")
    for callback in indexing:
        callback()
    assert document.pk in found(world.clerk_a, "村规民约")
    assert notices_of(world.member_a) == [
        "Your document «村规民约修订稿» was approved and published."
    ]
    with pytest.raises(ValidationError):
        review_upload(world.secretary_a, document, True)


@override_settings(CUNJU_LIBRARY_REVIEW_UPLOADS=True)
def test_a_rejection_needs_a_reason_and_the_uploader_hears_it(world, tmp_path):
    document = upload(
        world.member_a,
        make_pdf(tmp_path / "草稿.pdf", "草稿", 1),
        title="草稿",
        shared_with=world.committee_a,
    )
    with pytest.raises(ValidationError) as refused:
        review_upload(world.secretary_a, document, False, "")
    assert "note" in refused.value.message_dict
    review_upload(world.secretary_a, document, False, "与党建无关")
    document.refresh_from_db()
    assert (document.moderation, document.moderation_note) == (Moderation.REJECTED, "与党建无关")
    assert notices_of(world.member_a) == ["Your document «草稿» was rejected. Reason: 与党建无关"]
    assert document.pk not in found(world.clerk_a, "草稿")


# --- Taking down ---------------------------------------------------------------------------


def test_taking_down_refunds_every_paid_download_and_tells_everyone(world):
    give_points(world, world.member_a, 10)
    give_points(world, world.liaison_a, 10)
    buy(world.member_a, world.doc_a)
    buy(world.liaison_a, world.doc_a)
    buy(world.member_a, world.doc_a)  # free again within the window: nothing to refund
    assert ledger.balance(world.clerk_a) == 6
    report_document(world.member_a, world.doc_a, "copyright", "整本抄袭")
    report_document(world.liaison_a, world.doc_a, "mismatch")

    take_down(world.secretary_a, world.doc_a, "侵犯版权")

    document = Document.objects.get(pk=world.doc_a.pk)
    assert (document.moderation, document.moderation_note) == (Moderation.TAKEN_DOWN, "侵犯版权")
    assert ledger.balance(world.member_a) == 10 and ledger.balance(world.liaison_a) == 10
    assert ledger.balance(world.clerk_a) == 0
    for user in (world.member_a, world.liaison_a, world.clerk_a):
        assert ledger.verify(user)
    refunds = Entry.objects.filter(kind=Kind.REFUND)
    assert sorted(e.amount for e in refunds) == [3, 3]
    reversals = Entry.objects.filter(kind=Kind.INCOME_REVERSAL)
    assert sorted(e.amount for e in reversals) == [-3, -3]
    assert {e.created_by for e in (*refunds, *reversals)} == {world.secretary_a}
    assert not Download.objects.filter(price__gt=0, refunded_at__isnull=True).exists()
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.UPHELD}

    assert notices_of(world.clerk_a)[-1] == (
        "Your document «党员学习笔记» was taken down. Reason: 侵犯版权\n"
        "2 paid downloads were refunded; 6 points were taken back from your balance."
    )
    assert notices_of(world.member_a)[-2:] == [
        "Thank you: the document «党员学习笔记» you reported was taken down.",
        "«党员学习笔记» was taken down; the 3 points you paid were refunded.",
    ]
    event = AuditEvent.objects.filter(action="library.take_down").latest("pk")
    assert event.changes["downloads_refunded"] == 2 and event.changes["shortfall"] == 0


def test_the_uploader_never_goes_below_zero_and_the_shortfall_is_written_down(world):
    give_points(world, world.member_a, 10)
    give_points(world, world.liaison_a, 10)
    buy(world.member_a, world.doc_a)
    buy(world.liaison_a, world.doc_a)
    # The uploader has spent all but one of the six points earned.
    grant(world.town_admin, world.clerk_a, -5, "兑换奖品")
    assert ledger.balance(world.clerk_a) == 1

    take_down(world.town_admin, world.doc_a, "内容违规")

    assert ledger.balance(world.member_a) == 10 and ledger.balance(world.liaison_a) == 10
    assert ledger.balance(world.clerk_a) == 0
    (reversal,) = Entry.objects.filter(kind=Kind.INCOME_REVERSAL)
    assert reversal.amount == -1
    assert reversal.memo == (
        "Reversal: «党员学习笔记» was taken down; 2 of 3 points could not be taken back"
    )
    event = AuditEvent.objects.filter(action="library.take_down").latest("pk")
    assert (event.changes["points_refunded"], event.changes["points_taken_back"]) == (6, 1)
    assert event.changes["shortfall"] == 5
    assert all(ledger.verify(u) for u in (world.member_a, world.liaison_a, world.clerk_a))


def test_a_taken_down_document_leaves_pages_search_and_downloads(world):
    assert world.doc_a.pk in found(world.member_a, "党员学习笔记")
    take_down(world.secretary_a, world.doc_a, "重复上传")
    assert world.doc_a.pk not in found(world.member_a, "党员学习笔记")
    reader = client_for(world.member_a)
    for name in ("library:detail", "library:download", "library:report"):
        assert reader.get(reverse(name, args=[world.doc_a.pk])).status_code == 404, name
    with pytest.raises(Http404):
        start_download(world.member_a, world.doc_a)
    # The uploader and the moderators still see it, with its state and the note.
    for user in (world.clerk_a, world.secretary_a):
        page = client_for(user).get(reverse("library:detail", args=[world.doc_a.pk]))
        assert page.status_code == 200, user
        assert "重复上传" in page.content.decode()
    review = client_for(world.secretary_a).get(reverse("library:review", args=[world.doc_a.pk]))
    assert "Taken down" in review.content.decode()


def test_taking_down_needs_a_reason_and_happens_once(world):
    with pytest.raises(ValidationError) as refused:
        take_down(world.secretary_a, world.doc_a, " ")
    assert "note" in refused.value.message_dict
    take_down(world.secretary_a, world.doc_a, "违规")
    with pytest.raises(ValidationError):
        take_down(world.secretary_a, world.doc_a, "违规")


def test_the_review_page_takes_down_with_a_note(world):
    give_points(world, world.member_a, 10)
    buy(world.member_a, world.doc_a)
    client = client_for(world.secretary_a)
    url = reverse("library:review", args=[world.doc_a.pk])
    page = client.get(url).content.decode()
    assert "1 paid download, 3 points, would be refunded on take-down" in page
    missing_note = client.post(url, {"decision": "take_down"})
    assert missing_note.status_code == 200
    assert "Say why the document is taken down." in missing_note.content.decode()
    done = client.post(url, {"decision": "take_down", "note": "违规"})
    assert done.status_code == 302
    assert ledger.balance(world.member_a) == 10
    # A decision the state does not allow is not offered.
    again = client.post(url, {"decision": "approve"})
    assert again.status_code == 200 and "decision" in again.context["form"].errors


def test_moderators_of_another_community_cannot_touch_it(world):
    with pytest.raises(Http404):
        take_down(world.liaison_a, world.doc_b, "越权")
    assert Document.objects.get(pk=world.doc_b.pk).moderation == Moderation.PUBLISHED


def test_the_market_pages_open_in_chinese(world):
    report = report_document(world.member_a, world.doc_a, "copyright", "侵权")
    give_points(world, world.member_a, 10)
    reader = client_for(world.member_a, language="zh-hans")
    moderator = client_for(world.secretary_a, language="zh-hans")
    for client, url in (
        (reader, reverse("library:download", args=[world.doc_a.pk])),
        (reader, reverse("library:report", args=[world.doc_a.pk])),
        (moderator, reverse("library:moderation")),
        (moderator, reverse("library:review", args=[world.doc_a.pk])),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert page["Content-Language"] == "zh-hans"
    assert "侵权" in moderator.get(reverse("library:moderation")).content.decode()
    assert report.pk
