"""Moderators hear of new work: one notice per new report, and one per upload that waits
for review (counted into the last one while it is unread), to every moderator whose scope
holds the document, and to nobody else.

In the world, community A's documents are moderated by its secretary (赵志刚), the liaison
holding a town administrator's role at committee A (刘洋), the town administrator (李秀英)
and the system administrator (王建国); community B's by its secretary (陈静), the town
administrator and the system administrator.
"""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from cunju.core.models import AuditEvent
from cunju.library.models import Document, Moderation
from cunju.library.moderation import moderated_by, moderators_of, report_document, take_down
from cunju.library.samples import make_pdf
from cunju.notices.models import Notice
from tests.library.world import upload


def inbox(user):
    return [(n.message, n.url) for n in Notice.objects.filter(recipient=user).order_by("pk")]


def everyone(world):
    return [
        world.admin,
        world.town_admin,
        world.secretary_a,
        world.secretary_b,
        world.clerk_a,
        world.member_a,
        world.liaison_a,
    ]


def test_the_moderators_of_a_document_are_those_who_moderate_it(world):
    assert moderators_of(world.doc_a) == [
        world.admin,
        world.town_admin,
        world.secretary_a,
        world.liaison_a,
    ]
    assert moderators_of(world.doc_b) == [world.admin, world.town_admin, world.secretary_b]
    # Seen from either side, the same people: moderated_by is the rule.
    for document in (world.doc_a, world.doc_a_txt, world.doc_b):
        for user in everyone(world):
            moderates = user.has_perm("library.moderate_document") and (
                moderated_by(user).filter(pk=document.pk).exists()
            )
            assert (user in moderators_of(document)) == moderates, (user, document)


def test_an_inactive_moderator_is_not_told(world):
    world.liaison_a.is_active = False
    world.liaison_a.save(update_fields=["is_active"])
    assert world.liaison_a not in moderators_of(world.doc_a)
    report_document(world.member_a, world.doc_a, "mismatch")
    assert inbox(world.liaison_a) == []


def test_each_new_report_tells_each_moderator_once(world):
    review = reverse("library:review", args=[world.doc_a.pk])
    report_document(world.member_a, world.doc_a, "copyright", "摘自某出版社图书")
    expected = [("«党员学习笔记» was reported: Copyright infringement.", review)]
    for moderator in (world.admin, world.town_admin, world.secretary_a, world.liaison_a):
        assert inbox(moderator) == expected, moderator
    for bystander in (world.secretary_b, world.clerk_a, world.member_a):
        assert inbox(bystander) == [], bystander
    event = AuditEvent.objects.filter(action="library.report_document").latest("pk")
    assert event.changes["moderators_told"] == 4

    # A second report is a second notice; a refused one is none.
    report_document(world.secretary_b, world.doc_a_txt, "unlawful")
    with pytest.raises(ValidationError):
        report_document(world.member_a, world.doc_a, "copyright")
    assert [m for m, _url in inbox(world.secretary_a)] == [
        "«党员学习笔记» was reported: Copyright infringement.",
        "«支部学习计划» was reported: Unlawful or harmful content.",
    ]
    assert inbox(world.secretary_b) == []


def test_a_moderator_reporting_is_not_told_of_their_own_report(world):
    report_document(world.liaison_a, world.doc_a_txt, "mismatch")
    assert inbox(world.liaison_a) == []
    assert len(inbox(world.secretary_a)) == 1


@override_settings(CUNJU_LIBRARY_REVIEW_UPLOADS=True)
def test_an_upload_waiting_for_review_tells_its_moderators(world, tmp_path):
    document = upload(
        world.member_a,
        make_pdf(tmp_path / "村规民约修订稿.pdf", "村规民约修订稿", 2),
        title="村规民约修订稿",
        shared_with=world.committee_a,
    )
    assert document.moderation == Moderation.PENDING_REVIEW
    expected = [
        (
            "«村规民约修订稿», uploaded by 张三, is waiting for your review.",
            reverse("library:review", args=[document.pk]),
        )
    ]
    for moderator in moderators_of(document):
        assert inbox(moderator) == expected, moderator
    assert inbox(world.secretary_b) == [] and inbox(world.member_a) == []


@override_settings(CUNJU_LIBRARY_REVIEW_UPLOADS=True)
def test_uploads_coming_while_the_notice_is_unread_are_counted_in_it(world, tmp_path):
    def send(name):
        return upload(
            world.member_a,
            make_pdf(tmp_path / f"{name}.pdf", name, 1),
            title=name,
            shared_with=world.committee_a,
        )

    first = send("村规民约修订稿")
    send("财务公开表")
    send("党员名册说明")
    queue = reverse("library:moderation")
    for moderator in moderators_of(first):
        assert inbox(moderator) == [
            (
                "3 uploads are waiting for your review; the latest is «党员名册说明», "
                "uploaded by 张三.",
                queue,
            )
        ], moderator
    # In the moderator's language, counted and named.
    notice = Notice.objects.get(recipient=world.secretary_a)
    with translation.override("zh-hans"):
        assert notice.text() == "有 3 份上传文档等待您审核，最新一份是张三上传的《党员名册说明》。"

    # Once read, the next upload is news again, on a notice of its own.
    notice.read_at = timezone.now()
    notice.save()
    fourth = send("学习计划")
    assert inbox(world.secretary_a)[-1] == (
        "«学习计划», uploaded by 张三, is waiting for your review.",
        reverse("library:review", args=[fourth.pk]),
    )
    assert len(inbox(world.secretary_a)) == 2
    assert inbox(world.member_a) == []


def test_content_taken_down_before_goes_to_review_and_the_moderators_hear_of_it(world, tmp_path):
    take_down(world.secretary_a, world.doc_a, "侵犯版权")
    before = {user.pk: len(inbox(user)) for user in everyone(world)}
    again = upload(
        world.member_a,
        make_pdf(tmp_path / "again.pdf", "党员学习笔记", 3),  # the same bytes as doc_a
        title="党员学习笔记（重传）",
        shared_with=world.committee_a,
    )
    assert again.stored_file_id == world.doc_a.stored_file_id
    assert again.moderation == Moderation.PENDING_REVIEW
    told = {user.pk for user in everyone(world) if len(inbox(user)) > before[user.pk]}
    assert told == {u.pk for u in moderators_of(again)}
    assert inbox(world.secretary_a)[-1][0] == (
        "«党员学习笔记（重传）», uploaded by 张三, is waiting for your review."
    )


def test_a_published_upload_tells_no_moderator(world, tmp_path):
    document = upload(
        world.member_a,
        make_pdf(tmp_path / "学习心得.pdf", "学习心得", 1),
        shared_with=world.committee_a,
    )
    assert Document.objects.get(pk=document.pk).moderation == Moderation.PUBLISHED
    assert all(inbox(user) == [] for user in moderators_of(document))
