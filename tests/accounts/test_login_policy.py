"""Signing in under the MLPS 2.0 policy: lockout, password rules, idle sessions, audit."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cunju.accounts.actions import change_password
from cunju.accounts.models import User
from cunju.accounts.passwords import CharacterClassValidator
from cunju.core.models import AuditEvent
from tests.world import PASSWORD, client_for

IP = "203.0.113.7"
LOGIN = reverse("accounts:login")


def sign_in(client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def refusal(response) -> str:
    """The message the login page shows above the form."""
    assert response.status_code == 200, "the login page is shown again"
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    return errors[0]


def login_events(username: str):
    return AuditEvent.objects.filter(action="accounts.login", username=username).order_by("id")


@pytest.fixture
def visitor():
    return client_for(None, REMOTE_ADDR=IP)


def test_a_right_password_signs_in_and_lands_on_the_home_page(world, visitor):
    response = sign_in(visitor, "member-a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    assert visitor.get(reverse("dashboard:home")).status_code == 200


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(world, visitor):
    places = reverse("places:list")
    response = visitor.post(
        f"{LOGIN}?next={places}", {"username": "member-a", "password": PASSWORD}
    )
    assert response["Location"] == places
    response = client_for(None).post(
        LOGIN,
        {"username": "member-a", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("dashboard:home")


def test_four_failures_then_success_signs_in_and_resets_the_count(world, visitor):
    for attempt in range(4):
        message = refusal(sign_in(visitor, "member-a", "Wrong@2026pass"))
        assert message.startswith("Wrong user name or password."), attempt
    assert User.objects.get(username="member-a").failed_logins == 4

    assert sign_in(visitor, "member-a", PASSWORD).status_code == 302
    member = User.objects.get(username="member-a")
    assert (member.failed_logins, member.locked_until) == (0, None)

    # The count starts again: four more failures still do not lock.
    other = client_for(None)
    for _attempt in range(4):
        refusal(sign_in(other, "member-a", "Wrong@2026pass"))
    assert not User.objects.get(username="member-a").is_locked()


def test_five_failures_lock_the_account_for_ten_minutes(world, visitor):
    for _attempt in range(4):
        refusal(sign_in(visitor, "member-a", "Wrong@2026pass"))
    before = timezone.now()
    message = refusal(sign_in(visitor, "member-a", "Wrong@2026pass"))

    member = User.objects.get(username="member-a")
    assert member.locked_until is not None
    lock = member.locked_until - before
    assert timedelta(minutes=9, seconds=59) < lock <= timedelta(minutes=10, seconds=5)
    until = timezone.localtime(member.locked_until).strftime("%H:%M")
    assert "locked" in message
    assert until in message, "the message says until when"

    # During the lock even the right password is refused, with the same message.
    assert refusal(sign_in(visitor, "member-a", PASSWORD)) == message
    assert "_auth_user_id" not in visitor.session


def test_the_account_opens_again_when_the_lock_runs_out(world, visitor):
    for _attempt in range(5):
        sign_in(visitor, "member-a", "Wrong@2026pass")
    assert User.objects.get(username="member-a").is_locked()

    # Ten minutes later (the row is moved, not the clock).
    User.objects.filter(username="member-a").update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert sign_in(visitor, "member-a", PASSWORD).status_code == 302
    member = User.objects.get(username="member-a")
    assert (member.failed_logins, member.locked_until) == (0, None)


def test_a_town_admin_can_unlock_an_account_early(world):
    for _attempt in range(5):
        sign_in(client_for(None), "member-a", "Wrong@2026pass")
    member = User.objects.get(username="member-a")
    response = client_for(world.town_admin).post(reverse("accounts:unlock", args=[member.pk]))
    assert response.status_code == 302
    assert not User.objects.get(pk=member.pk).is_locked()
    assert sign_in(client_for(None), "member-a", PASSWORD).status_code == 302


def test_unknown_user_names_get_the_same_answer_as_wrong_passwords(world, visitor):
    # Otherwise the login page tells a stranger which user names exist.
    wrong_password = refusal(sign_in(visitor, "member-a", "Wrong@2026pass"))
    unknown_user = refusal(sign_in(visitor, "nobody-here", "Wrong@2026pass"))
    assert unknown_user == wrong_password

    event = login_events("nobody-here").get()
    assert (event.outcome, event.user, event.ip) == ("failure", None, IP)
    assert event.message == "unknown user"


def test_every_failure_and_success_is_in_the_audit_log_with_the_address(world, visitor):
    sign_in(visitor, "member-a", "Wrong@2026pass")
    sign_in(visitor, "member-a", "Wrong@2026pass")
    sign_in(visitor, "member-a", PASSWORD)

    events = list(login_events("member-a"))
    assert [(e.outcome, e.message) for e in events] == [
        ("failure", "wrong password"),
        ("failure", "wrong password"),
        ("success", ""),
    ]
    assert {e.ip for e in events} == {IP}
    assert {e.user_id for e in events} == {world.member_a.pk}
    assert {e.scope_path for e in events} == {world.branch_a1.path}


def test_the_failure_that_locks_and_refusals_during_the_lock_are_audited(world, visitor):
    for _attempt in range(5):
        sign_in(visitor, "member-a", "Wrong@2026pass")
    sign_in(visitor, "member-a", PASSWORD)
    messages = [e.message for e in login_events("member-a")]
    assert messages == ["wrong password"] * 4 + ["account locked", "account locked"]


def test_signing_out_is_audited(world, visitor):
    sign_in(visitor, "member-a", PASSWORD)
    assert visitor.post(reverse("accounts:logout")).status_code == 302
    event = AuditEvent.objects.filter(action="accounts.logout").get()
    assert (event.username, event.ip) == ("member-a", IP)


# --- Password rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new_password", "reason"),
    [
        ("Ab1!", "too short"),
        ("abcdefgh", "must mix"),  # one class
        ("abcd1234", "must mix"),  # two classes
        ("hqztwkmv", "must mix"),  # one class and not a common password either
        ("hqzt2026", "must mix"),
    ],
)
def test_weak_passwords_are_refused(world, new_password, reason):
    with pytest.raises(ValidationError) as refused:
        change_password(world.member_a, old_password=PASSWORD, new_password=new_password)
    assert any(reason in message for message in refused.value.messages), refused.value.messages
    world.member_a.refresh_from_db()
    assert world.member_a.check_password(PASSWORD), "the old password still works"


def test_three_classes_and_eight_characters_are_enough(world):
    change_password(world.member_a, old_password=PASSWORD, new_password="Hqzt2026")
    world.member_a.refresh_from_db()
    assert world.member_a.check_password("Hqzt2026")
    assert AuditEvent.objects.filter(
        action="accounts.change_password", outcome="success", user=world.member_a
    ).exists()


def test_abcd1234_with_a_capital_passes_the_class_rule_but_is_too_common(world):
    # "Abcd1234" has three classes, but Django's list of common passwords refuses it.
    CharacterClassValidator(3).validate("Abcd1234")
    with pytest.raises(ValidationError) as refused:
        validate_password("Abcd1234", world.member_a)
    assert [e.code for e in refused.value.error_list] == ["password_too_common"]


def test_the_current_password_must_be_right(world):
    with pytest.raises(ValidationError) as refused:
        change_password(world.member_a, old_password="Wrong@2026pass", new_password="Hqzt2026")
    assert refused.value.code == "wrong_password"
    event = AuditEvent.objects.get(action="accounts.change_password")
    assert event.outcome == "failure"


def test_changing_the_password_on_the_page_keeps_the_user_signed_in(world):
    client = client_for(world.member_a)
    response = client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password": "abcd1234", "new_password_again": "abcd1234"},
    )
    assert response.status_code == 200
    assert "must mix" in response.content.decode()

    response = client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password": "Hqzt2026", "new_password_again": "Hqzt2026"},
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard:home")).status_code == 200


# --- Idle sessions ---------------------------------------------------------------------------


def test_sessions_end_after_thirty_idle_minutes_and_are_renewed_on_every_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def set_last_seen(client, minutes_ago: float) -> None:
    session = client.session
    session["last_seen"] = time.time() - minutes_ago * 60
    session.save()


def test_an_idle_session_is_signed_out_with_a_message(world):
    client = client_for(world.member_a)
    assert client.get(reverse("dashboard:home")).status_code == 200
    set_last_seen(client, 31)

    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
    page = client.get(response["Location"])
    assert "signed out after 30 minutes without activity" in page.content.decode()
    # Signed out for good: the next request is sent to sign in again.
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_activity_within_thirty_minutes_keeps_the_session(world):
    client = client_for(world.member_a)
    client.get(reverse("dashboard:home"))
    set_last_seen(client, 29)
    assert client.get(reverse("dashboard:home")).status_code == 200
    # The request counted as activity.
    assert time.time() - client.session["last_seen"] < 60


def test_an_idle_live_search_asks_htmx_to_load_the_sign_in_page(world):
    # Not a redirect: htmx would follow it and swap the login page into the table.
    client = client_for(world.secretary_a)
    client.get(reverse("places:list"))
    set_last_seen(client, 31)
    response = client.get(reverse("places:list"), {"q": "新桥"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response["HX-Redirect"] == LOGIN
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert "signed out after 30 minutes without activity" in page.content.decode()
