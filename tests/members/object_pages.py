"""The member pages about one object, pointed at community B for the scope test."""

from tests.test_every_url import ObjectPage

BOTH = {"GET", "POST"}

OBJECT_PAGES = {
    "members:detail": ObjectPage(lambda w: [w.member_in_b.pk], "members.view_member"),
    "members:edit": ObjectPage(lambda w: [w.member_in_b.pk], "members.change_member", BOTH),
    "members:status": ObjectPage(lambda w: [w.member_in_b.pk], "members.change_member", BOTH),
    "members:move": ObjectPage(lambda w: [w.member_in_b.pk], "members.change_member", BOTH),
    "members:add_post": ObjectPage(lambda w: [w.member_in_b.pk], "members.change_member", BOTH),
    "members:add_commendation": ObjectPage(
        lambda w: [w.member_in_b.pk], "members.change_member", BOTH
    ),
    "members:add_difficulty": ObjectPage(
        lambda w: [w.member_in_b.pk], "members.change_member", BOTH
    ),
    "members:add_family_member": ObjectPage(
        lambda w: [w.member_in_b.pk], "members.change_member", BOTH
    ),
    "members:end_post": ObjectPage(lambda w: [w.post_in_b.pk], "members.change_member", BOTH),
    "members:end_difficulty": ObjectPage(
        lambda w: [w.difficulty_in_b.pk], "members.change_member", BOTH
    ),
    "members:remove_family_member": ObjectPage(
        lambda w: [w.family_in_b.pk], "members.change_member", {"POST"}
    ),
}
