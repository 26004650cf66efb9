"""Every change is an action: one transaction, one audit event, also when it fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cunju.core.actions import action, describe
from cunju.core.models import AuditEvent
from cunju.core.tasks import prune_audit_log
from cunju.places.actions import create_place, update_place
from cunju.places.models import Place
from tests.world import client_for

IP = "198.51.100.23"


def events_by(user):
    return AuditEvent.objects.filter(user=user).exclude(action__in=["accounts.login"])


# --- One event per action, with who, where from, what and how -------------------------------


def test_adding_a_place_on_the_page_writes_one_complete_audit_event(world):
    client = client_for(world.secretary_a, REMOTE_ADDR=IP)
    response = client.post(
        reverse("places:add"),
        {"parent": world.community_a.pk, "kind": "village", "name": "东湖村", "code": ""},
    )
    assert response.status_code == 302
    place = Place.objects.get(name="东湖村")
    assert response["Location"] == place.get_absolute_url()

    event = events_by(world.secretary_a).get()
    assert event.action == "places.create_place"
    assert event.outcome == "success"
    assert (event.username, event.ip) == ("secretary-a", IP)
    assert (event.object_type, event.object_id, event.object_repr) == (
        "places.place",
        str(place.pk),
        "东湖村",
    )
    assert event.changes == {"parent": "湖滨社区", "kind": "village", "name": "东湖村", "code": ""}
    # Filed under the actor's scope, so the town admin reviews it and community B does not.
    assert event.scope_path == world.committee_a.path


def test_an_edit_records_old_and_new_values(world):
    client = client_for(world.secretary_a, REMOTE_ADDR=IP)
    response = client.post(
        reverse("places:edit", args=[world.village_a.pk]),
        {"name": "新桥村", "code": "320506110201"},
    )
    assert response.status_code == 302
    event = events_by(world.secretary_a).get()
    assert event.action == "places.update_place"
    assert event.changes == {"code": ["", "320506110201"]}


def test_a_refused_edit_changes_nothing_and_is_audited_as_a_failure(world):
    client = client_for(world.secretary_a, REMOTE_ADDR=IP)
    # Renaming 新桥村 to the name of its sibling 湖滨花苑.
    response = client.post(
        reverse("places:edit", args=[world.village_a.pk]),
        {"name": "湖滨花苑", "code": "320506110201"},
    )
    assert response.status_code == 200
    assert "Another place under the same parent has this name." in response.content.decode()
    village = Place.objects.get(pk=world.village_a.pk)
    assert (village.name, village.code) == ("新桥村", "")

    event = events_by(world.secretary_a).get()
    assert (event.action, event.outcome, event.ip) == ("places.update_place", "failure", IP)
    assert "same parent" in event.message
    assert event.object_repr == "新桥村"


def test_a_parent_outside_the_scope_is_not_found_and_nothing_is_created(world):
    with pytest.raises(Http404):
        create_place(world.secretary_a, parent=world.community_b, kind="village", name="南湖村")
    assert not Place.objects.filter(name="南湖村").exists()
    event = events_by(world.secretary_a).get()
    assert (event.action, event.outcome) == ("places.create_place", "failure")
    assert event.message == "not found or out of scope"


def test_a_role_without_the_permission_is_refused_and_audited(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_place(world.member_a, parent=world.village_a, kind="building", name="1号楼")
    assert not Place.objects.filter(name="1号楼").exists()
    refused = events_by(world.member_a).filter(action="places.create_place")
    assert refused.get().outcome == "failure"


# A two-step action for the test: the first step succeeds, the second is refused.
@action("tests.two_steps")
def add_two_places(actor, parent, first, second):
    create_place(actor, parent=parent, kind="building", name=first)
    create_place(actor, parent=parent, kind="town", name=second)  # a town under a village
    describe(message="both added")


def test_a_failing_action_leaves_no_partial_change_and_one_failure_event(world):
    with pytest.raises(ValidationError):
        add_two_places(world.secretary_a, world.village_a, "1号楼", "2号楼")
    assert not Place.objects.filter(name__in=["1号楼", "2号楼"]).exists()
    # The inner actions joined the outer one: one event, the outer action's, a failure.
    events = events_by(world.secretary_a)
    assert [(e.action, e.outcome) for e in events] == [("tests.two_steps", "failure")]


def test_follow_up_work_runs_only_after_the_change_is_committed(
    world, django_capture_on_commit_callbacks
):
    from cunju.core.actions import after_commit

    ran = []

    @action("tests.with_follow_up")
    def rename(actor, place, name):
        after_commit(ran.append, name)
        return update_place(actor, place, name=name, code=place.code)

    with django_capture_on_commit_callbacks(execute=True):
        rename(world.secretary_a, world.village_a, "新桥新村")
    assert ran == ["新桥新村"]

    ran.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        rename(world.secretary_a, world.village_a, "湖滨花苑")  # taken by a sibling
    assert ran == [], "a rolled-back change schedules nothing"


# --- The log is append-only ----------------------------------------------------------------


@pytest.fixture
def event(world) -> AuditEvent:
    update_place(world.secretary_a, world.village_a, name="新桥村", code="320506110201")
    return events_by(world.secretary_a).get()


def test_an_audit_event_cannot_be_changed(event):
    event.message = "nothing happened"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(message="nothing happened")
    # bulk_update joins the surrounding transaction; a savepoint keeps the test's usable.
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["message"])
    assert AuditEvent.objects.get(pk=event.pk).message == ""


def test_an_audit_event_cannot_be_deleted(event):
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- Retention: at least 184 days ----------------------------------------------------------


def event_aged(world, days: int) -> int:
    """An event dated ``days`` ago (written with SQL: the model refuses to change one)."""
    update_place(world.town_admin, world.village_a, name="新桥村", code=f"{days:012d}")
    pk = (
        AuditEvent.objects.filter(user=world.town_admin)
        .order_by("-id")
        .values_list("id", flat=True)[0]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET at = %s WHERE id = %s",
            [timezone.now() - timedelta(days=days), pk],
        )
    return pk


@pytest.fixture
def aged(world) -> dict[int, int]:
    """Events 10, 183, 185, 200, 364 and 400 days old, by age."""
    return {days: event_aged(world, days) for days in (10, 183, 185, 200, 364, 400)}


def surviving(aged: dict[int, int]) -> list[int]:
    kept = set(AuditEvent.objects.filter(pk__in=aged.values()).values_list("pk", flat=True))
    return sorted(days for days, pk in aged.items() if pk in kept)


def test_pruning_keeps_a_year_by_default(aged):
    call_command("prune_audit")
    assert surviving(aged) == [10, 183, 185, 200, 364]


def test_pruning_to_a_shorter_period_still_keeps_184_days(aged):
    call_command("prune_audit", days=184)
    assert surviving(aged) == [10, 183]


def test_the_command_refuses_to_keep_less_than_184_days(aged):
    with pytest.raises(CommandError, match="184"):
        call_command("prune_audit", days=30)
    assert surviving(aged) == [10, 183, 185, 200, 364, 400]


def test_the_task_never_deletes_events_younger_than_184_days(aged):
    deleted = prune_audit_log.call(30)
    assert deleted == 4
    assert surviving(aged) == [10, 183]
    # Through the task queue, as the scheduler runs it.
    result = prune_audit_log.enqueue(1)
    assert result.return_value == 0
    assert surviving(aged) == [10, 183]


# --- Who reads the log ---------------------------------------------------------------------


def test_the_town_admin_reads_what_people_under_the_town_did(world):
    update_place(world.secretary_a, world.village_a, name="新桥村", code="320506110201")
    update_place(world.secretary_b, world.village_b, name="石舍村", code="320506111201")
    response = client_for(world.town_admin).get(
        reverse("core:audit-list"), {"action": "places.update_place"}
    )
    assert response.status_code == 200
    table = response.context["table"]
    assert {row.record.username for row in table.rows} == {"secretary-a", "secretary-b"}
    # The log names the action in the reader's language, not by its code.
    assert "Edit a place" in response.content.decode()


def test_a_filter_that_cannot_be_understood_shows_nothing_and_says_why(world):
    update_place(world.secretary_a, world.village_a, name="新桥村", code="320506110201")
    client = client_for(world.town_admin)
    response = client.get(reverse("core:audit-list"), {"action": "no-such-action"})
    assert response.status_code == 200
    assert len(response.context["table"].rows) == 0
    assert response.context["filter_errors"]
    # Nor does the export fall back to everything in scope.
    export = client.get(reverse("core:audit-list"), {"action": "no-such-action", "export": "xlsx"})
    assert export["Content-Type"].startswith("text/html")


def test_the_system_admin_reads_everything_including_the_system(world):
    response = client_for(world.admin).get(reverse("core:audit-list"), {"q": "system"})
    assert response.status_code == 200
    assert len(response.context["table"].rows) > 0


@pytest.mark.parametrize("role", ["secretary_a", "clerk_a", "member_a"])
def test_people_in_a_community_have_no_access_to_the_audit_log(world, role):
    client = client_for(getattr(world, role))
    assert client.get(reverse("core:audit-list")).status_code == 403
    assert client.get(reverse("core:audit-list"), {"export": "xlsx"}).status_code == 403
