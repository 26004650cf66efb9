"""The notice inbox: a user's own notices, newest first; the top bar counts the unread."""

import pytest
from django.db import transaction
from django.urls import reverse

from cunju.core.actions import action
from cunju.core.models import AuditEvent
from cunju.notices.actions import mark_all_read, mark_read, notify
from cunju.notices.models import Notice
from cunju.points.actions import grant
from tests.world import client_for


@action("tests.say")
def say(actor, user, message, url="", fail=False):
    notice = notify(user, message, url)
    if fail:
        raise ValueError("the action failed after telling")
    return notice


def test_a_notice_is_sent_only_when_the_action_succeeds(world):
    say(world.admin, world.member_a, "会议通知", "/library/")
    with pytest.raises(ValueError):
        say(world.admin, world.member_a, "never sent", fail=True)
    assert [n.message for n in Notice.objects.filter(recipient=world.member_a)] == ["会议通知"]


@pytest.mark.django_db(transaction=True)
def test_notify_outside_a_transaction_is_a_mistake(world):
    with pytest.raises(RuntimeError):
        notify(world.member_a, "lost")
    # The system actor has no inbox: nothing to send, nothing to fail.
    with transaction.atomic():
        assert notify(None, "to nobody") is None


def test_the_inbox_lists_my_notices_newest_first_and_nobody_elses(world):
    for text in ("第一条", "第二条", "第三条"):
        say(world.admin, world.member_a, text)
    say(world.admin, world.secretary_a, "秘书的消息")
    page = client_for(world.member_a).get(reverse("notices:inbox"))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.index("第三条") < body.index("第二条") < body.index("第一条")
    assert "秘书的消息" not in body
    assert "3 unread" in body


def test_the_top_bar_shows_the_unread_count_and_my_points(world):
    client = client_for(world.member_a)
    bar = client.get(reverse("notices:inbox")).content.decode()
    assert "0 points" in bar and "(1)" not in bar
    grant(world.town_admin, world.member_a, 12, "优秀党员")
    bar = client.get(reverse("points:mine")).content.decode()
    assert "12 points" in bar
    assert 'id="my-notices"' in bar and "Notices <strong>(1)</strong>" in bar


def test_opening_a_notice_marks_it_read_and_goes_where_it_points(world):
    notice = say(world.admin, world.member_a, "积分到账", reverse("points:mine"))
    client = client_for(world.member_a)
    response = client.post(reverse("notices:read", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("points:mine")
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert AuditEvent.objects.filter(action="notices.read", object_id=str(notice.pk)).exists()


def test_a_notice_never_sends_the_reader_off_the_site(world):
    notice = say(world.admin, world.member_a, "钓鱼", "https://evil.example/login")
    response = client_for(world.member_a).post(reverse("notices:read", args=[notice.pk]))
    assert response["Location"] == reverse("notices:inbox")


def test_nobody_opens_or_marks_another_users_notice(world):
    notice = say(world.admin, world.member_a, "私信")
    response = client_for(world.secretary_a).post(reverse("notices:read", args=[notice.pk]))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None
    from django.http import Http404

    with pytest.raises(Http404):
        mark_read(world.secretary_a, notice)
    # Reading is by POST only: a link in a message cannot mark it for the reader.
    assert (
        client_for(world.member_a).get(reverse("notices:read", args=[notice.pk])).status_code == 405
    )


def test_mark_all_read(world):
    for text in ("一", "二"):
        say(world.admin, world.member_a, text)
    say(world.admin, world.secretary_a, "别人的")
    client = client_for(world.member_a)
    response = client.post(reverse("notices:inbox"))
    assert response.status_code == 302
    assert not Notice.objects.filter(recipient=world.member_a, read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=world.secretary_a, read_at__isnull=True).count() == 1
    assert "unread" not in client.get(reverse("notices:inbox")).content.decode()
    assert mark_all_read(world.member_a) == 0
