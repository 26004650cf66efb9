"""A notice is read in the language of whoever reads it, not of whoever acted: its words are
stored as their English source and values, and translated when shown."""

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

from cunju.core.actions import action
from cunju.library.moderation import report_document
from cunju.notices.actions import Message, notify
from cunju.notices.models import Notice
from cunju.points.actions import grant
from tests.world import client_for

TAKEN_DOWN_EN = "Your document «党员学习笔记» was taken down. Reason: 违规"
TAKEN_DOWN_ZH = "您上传的文档《党员学习笔记》已被下架。原因：违规"


@action("tests.tell")
def tell(actor, user, message, url=""):
    return notify(user, message, url)


def latest(user) -> Notice:
    return Notice.objects.filter(recipient=user).latest("pk")


def test_a_moderator_working_in_chinese_tells_each_reader_in_their_language(world):
    # The moderator's page is in Chinese; the take-down goes through it.
    moderator = client_for(world.secretary_a, language="zh-hans")
    response = moderator.post(
        reverse("library:review", args=[world.doc_a.pk]), {"decision": "take_down", "note": "违规"}
    )
    assert response.status_code == 302
    notice = latest(world.clerk_a)
    assert notice.message == TAKEN_DOWN_EN  # stored in English, whoever acted
    english = client_for(world.clerk_a).get(reverse("notices:inbox")).content.decode()
    chinese = client_for(world.clerk_a, language="zh-hans").get(reverse("notices:inbox"))
    assert TAKEN_DOWN_EN in english and TAKEN_DOWN_ZH not in english
    assert TAKEN_DOWN_ZH in chinese.content.decode()
    assert TAKEN_DOWN_EN not in chinese.content.decode()


def test_a_notice_sent_while_chinese_is_active_still_reads_in_english(world):
    with translation.override("zh-hans"):
        grant(world.town_admin, world.member_a, 5, "党课学习")
    notice = latest(world.member_a)
    assert notice.text() == "李秀英 granted you 5 points: 党课学习"
    with translation.override("zh-hans"):
        assert notice.text() == "李秀英为您发放了 5 积分：党课学习"


def test_values_that_are_words_are_translated_with_the_message(world):
    report_document(world.member_a, world.doc_a, "copyright")
    notice = latest(world.secretary_a)
    assert notice.text() == "«党员学习笔记» was reported: Copyright infringement."
    with translation.override("zh-hans"):
        shown = notice.text()
    # The reason is one of the report form's choices, translated where it is read.
    assert "侵犯版权" in shown and "Copyright infringement" not in shown


def test_lines_numbers_and_nested_messages(world):
    message = [
        Message(gettext_noop("Note: %(note)s"), note=Message(gettext_lazy("Other"))),
        Message(
            gettext_noop(
                "%(count)s paid downloads were refunded; %(taken)s points were taken "
                "back from your balance."
            ),
            count=2,
            taken=6,
        ),
    ]
    notice = tell(world.admin, world.member_a, message)
    assert notice.parts[1]["params"] == {"count": 2, "taken": 6}
    assert notice.message == (
        "Note: Other\n2 paid downloads were refunded; 6 points were taken back from your balance."
    )
    with translation.override("zh-hans"):
        lines = notice.text().splitlines()
    assert lines[0].startswith("说明：") and "Other" not in lines[0]
    assert "6" in lines[1] and "paid downloads" not in lines[1]


def test_a_lazy_translation_is_kept_as_its_source(world):
    notice = tell(world.admin, world.member_a, gettext_lazy("Copyright infringement"))
    assert notice.message == "Copyright infringement"
    with translation.override("zh-hans"):
        assert notice.text() == "侵犯版权"


def test_plain_text_is_shown_as_it_was_written(world):
    notice = tell(world.admin, world.member_a, "会议改到周五")
    assert (notice.parts, notice.message) == ([], "会议改到周五")
    with translation.override("zh-hans"):
        assert notice.text() == "会议改到周五"
    # Notices stored before messages were kept as parts read the same way.
    old = Notice.objects.create(recipient=world.member_a, message="旧的消息")
    assert old.text() == "旧的消息"


def test_a_translation_that_does_not_fit_its_values_falls_back_to_english(world):
    notice = Notice.objects.create(
        recipient=world.member_a,
        message="«党员学习笔记» was taken down.",
        parts=[{"text": "«%(title)s» was taken down.", "params": {"name": "党员学习笔记"}}],
    )
    assert notice.text() == "«党员学习笔记» was taken down."
