"""ID and phone numbers: encrypted in the database, masked on every page, revealed on request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from cunju.accounts.actions import create_user, update_user
from cunju.accounts.models import User
from cunju.accounts.roles import Role
from cunju.core.idnumbers import compose_resident_id
from cunju.core.models import AuditEvent
from cunju.core.personal_data import ID_NUMBER, PHONE, blind_index
from cunju.core.system import SYSTEM
from tests.world import PASSWORD, client_for, read_xlsx

ID_NUMBER_VALUE = compose_resident_id("110105", dt.date(1990, 1, 1), 23, "male")
PHONE_VALUE = "13812341234"


@pytest.fixture
def resident(world) -> User:
    """A member of branch A1 whose numbers the tests look for."""
    return create_user(
        SYSTEM,
        username="wang-fang",
        full_name="王芳",
        role=Role.MEMBER,
        scope=world.branch_a1,
        password=PASSWORD,
        id_number=ID_NUMBER_VALUE,
        phone=PHONE_VALUE,
    )


def raw_columns(user: User) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number, phone FROM {User._meta.db_table} WHERE id = %s", [user.pk]
        )
        return cursor.fetchone()


def test_the_numbers_are_stored_encrypted(resident):
    id_column, phone_column = raw_columns(resident)
    for column, value in ((id_column, ID_NUMBER_VALUE), (phone_column, PHONE_VALUE)):
        assert column.startswith("sm4gcm:")
        assert value not in column
    # Encrypting the same number twice gives different tokens (a fresh nonce each time).
    twin = User.objects.get(pk=resident.pk)
    twin.save()
    assert raw_columns(twin)[0] != id_column
    assert User.objects.get(pk=resident.pk).id_number == ID_NUMBER_VALUE


def test_the_blind_index_finds_the_person_by_full_number(resident):
    found = User.objects.filter(id_number_index=blind_index(ID_NUMBER, ID_NUMBER_VALUE))
    assert list(found) == [resident]
    # Written as people type it: spaces and a different separator style.
    assert User.objects.get(phone_index=blind_index(PHONE, f" {PHONE_VALUE} ")) == resident
    assert not User.objects.filter(phone_index=blind_index(PHONE, "13900000000")).exists()


def test_the_encrypted_columns_cannot_be_searched_directly(resident):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError, match="blind index"):
        User.objects.filter(id_number=ID_NUMBER_VALUE).exists()


def test_the_detail_page_shows_masked_numbers_only(world, resident):
    body = (
        client_for(world.town_admin)
        .get(reverse("accounts:detail", args=[resident.pk]))
        .content.decode()
    )
    assert "110105********" + ID_NUMBER_VALUE[-4:] in body
    assert "138****1234" in body
    assert ID_NUMBER_VALUE not in body
    assert PHONE_VALUE not in body


def test_the_list_shows_masked_phones_only(world, resident):
    body = client_for(world.town_admin).get(reverse("accounts:list")).content.decode()
    assert "138****1234" in body
    assert PHONE_VALUE not in body


def test_the_excel_export_of_users_has_masked_phones_only(world, resident):
    export = client_for(world.town_admin).get(reverse("accounts:list"), {"export": "xlsx"})
    rows = read_xlsx(export.content)
    phone_column = rows[0].index("Mobile phone")
    phones = {row[phone_column] for row in rows[1:]}
    assert "138****1234" in phones
    assert all("****" in phone for phone in phones), phones
    assert PHONE_VALUE not in str(rows)
    assert ID_NUMBER_VALUE not in str(rows)


def reveal_url(user: User, field: str) -> str:
    return reverse("core:reveal", args=["accounts.user", user.pk, field])


def test_the_town_admin_reveals_the_full_number_and_it_is_audited(world, resident):
    client = client_for(world.town_admin, REMOTE_ADDR="198.51.100.9")
    response = client.post(reveal_url(resident, "id_number"))
    assert response.status_code == 200
    assert ID_NUMBER_VALUE in response.content.decode()

    event = AuditEvent.objects.get(action="core.reveal_personal_data")
    assert event.outcome == "success"
    assert event.user == world.town_admin
    assert event.ip == "198.51.100.9"
    assert (event.object_type, event.object_id) == ("accounts.user", str(resident.pk))
    assert event.changes == {"field": "id_number"}
    # The audit log itself never holds the number.
    assert ID_NUMBER_VALUE not in str(event.changes) + event.message + event.object_repr


def test_revealing_a_phone_names_the_phone(world, resident):
    response = client_for(world.town_admin).post(reveal_url(resident, "phone"))
    assert PHONE_VALUE in response.content.decode()
    assert AuditEvent.objects.get(action="core.reveal_personal_data").changes == {"field": "phone"}


def test_a_member_without_the_permission_gets_403_and_the_attempt_is_audited(world, resident):
    # The member may see their own row, so this is about the permission, not the scope.
    response = client_for(world.member_a).post(reveal_url(world.member_a, "phone"))
    assert response.status_code == 403
    assert world.member_a.phone.reveal() not in response.content.decode()
    event = AuditEvent.objects.get(action="core.reveal_personal_data")
    assert (event.outcome, event.user) == ("failure", world.member_a)
    assert "phone" in event.message


def test_secretary_a_revealing_community_b_gets_404(world):
    response = client_for(world.secretary_a).post(reveal_url(world.secretary_b, "id_number"))
    assert response.status_code == 404
    assert world.secretary_b.id_number.reveal() not in response.content.decode()


def test_secretary_a_reveals_within_community_a(world, resident):
    response = client_for(world.secretary_a).post(reveal_url(resident, "phone"))
    assert response.status_code == 200
    assert PHONE_VALUE in response.content.decode()


@pytest.mark.parametrize(
    ("model", "field"),
    [("accounts.user", "password"), ("accounts.user", "username"), ("places.place", "name")],
)
def test_only_personal_fields_can_be_revealed(world, resident, model, field):
    url = reverse("core:reveal", args=[model, resident.pk, field])
    assert client_for(world.admin).post(url).status_code == 404


def test_revealing_needs_a_post(world, resident):
    assert client_for(world.town_admin).get(reveal_url(resident, "phone")).status_code == 405


@pytest.mark.parametrize(
    ("id_number", "part"),
    [
        ("11010519900101231", "18 characters"),
        ("01010519900101002X", "area code"),
        ("11010519901301002X", "birth date"),
        (ID_NUMBER_VALUE[:-1] + ("0" if ID_NUMBER_VALUE[-1] != "0" else "1"), "check character"),
    ],
)
def test_invalid_id_numbers_are_refused_saying_which_part_is_wrong(world, id_number, part):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        create_user(
            world.town_admin,
            username="someone",
            full_name="某人",
            role=Role.MEMBER,
            scope=world.branch_a1,
            password=PASSWORD,
            id_number=id_number,
        )
    messages = refused.value.message_dict["id_number"]
    assert any(part in message for message in messages), messages
    assert not User.objects.filter(username="someone").exists()
    event = AuditEvent.objects.filter(action="accounts.create_user").latest("id")
    assert event.outcome == "failure"
    assert id_number not in event.message


def test_changing_a_phone_records_only_that_it_changed(world, resident):
    update_user(world.town_admin, resident, phone="13900001111")
    event = AuditEvent.objects.filter(action="accounts.update_user").get()
    assert event.changes == {"phone": "***"}
    assert User.objects.get(pk=resident.pk).phone == "13900001111"
    assert User.objects.get(phone_index=blind_index(PHONE, "13900001111")) == resident
