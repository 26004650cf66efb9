"""村居合一 through time: merges, splits and renames on a date, and the tree as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cunju.core.models import AuditEvent
from cunju.core.system import SYSTEM
from cunju.places.actions import (
    create_place,
    merge_into_community,
    rename_place,
    split_community,
    update_place,
)
from cunju.places.history import as_of, places_under_as_of
from cunju.places.models import Place, PlaceEvent, PlaceVersion
from tests.world import client_for

K = Place.Kind
MERGED_ON = dt.date(2019, 6, 1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def hexi(world):
    """Three places under the town that become 湖西社区 on 2019-06-01."""
    village = create_place(SYSTEM, parent=world.town, kind=K.VILLAGE, name="南湾村")
    other = create_place(SYSTEM, parent=world.town, kind=K.VILLAGE, name="西港村")
    area = create_place(SYSTEM, parent=world.town, kind=K.RESIDENTIAL_AREA, name="湖西花苑")
    building = create_place(SYSTEM, parent=area, kind=K.BUILDING, name="1幢")
    community = merge_into_community(
        world.town_admin,
        places=[village, other, area],
        new_community_name="湖西社区",
        town=world.town,
        effective_on=MERGED_ON,
    )
    for place in (village, other, area, building):
        place.refresh_from_db()
    return community, village, other, area, building


def test_merged_places_hang_under_the_new_community(world, hexi):
    community, village, other, area, building = hexi
    assert community.kind == K.COMMUNITY
    assert community.parent == world.town
    assert {p.name for p in community.children.all()} == {"南湾村", "西港村", "湖西花苑"}
    assert building.is_within(community), "the subtree moves along"


def test_before_the_merge_the_villages_were_directly_under_the_town(world, hexi):
    community, village, _other, area, building = hexi
    before = as_of(village, MERGED_ON - DAY)
    assert (before.name, before.kind, before.parent_id) == ("南湾村", K.VILLAGE, world.town.pk)
    assert before.path.count(".") == 2
    # The building's own parent never changed, but its path did.
    assert as_of(building, MERGED_ON - DAY).path.startswith(as_of(area, MERGED_ON - DAY).path)
    assert as_of(community, MERGED_ON - DAY) is None, "the community did not exist yet"


def test_the_effective_date_itself_belongs_to_the_merged_state(world, hexi):
    community, village, *_ = hexi
    on_the_day = as_of(village, MERGED_ON)
    assert on_the_day.parent_id == community.pk
    assert on_the_day.path == village.path
    assert as_of(community, MERGED_ON).name == "湖西社区"
    assert as_of(village, MERGED_ON + DAY).parent_id == community.pk


def test_statistics_as_of_a_date_count_what_was_there_then(world, hexi):
    community, village, other, area, building = hexi
    assert places_under_as_of(community, MERGED_ON - DAY) == []
    assert set(places_under_as_of(community, MERGED_ON)) == {
        community.pk,
        village.pk,
        other.pk,
        area.pk,
        building.pk,
    }
    town_before = set(places_under_as_of(world.town, MERGED_ON - DAY))
    assert {village.pk, area.pk, building.pk} <= town_before
    assert community.pk not in town_before


def test_the_merge_is_told_on_the_communitys_page(world, hexi):
    community, *_ = hexi
    event = PlaceEvent.objects.get(place=community)
    assert event.kind == PlaceEvent.Kind.MERGE
    assert {p.name for p in event.places.all()} == {"南湾村", "西港村", "湖西花苑"}
    page = client_for(world.town_admin).get(reverse("places:detail", args=[community.pk]))
    assert "2019-06-01" in page.content.decode()
    assert "Formed by merging 南湾村, 西港村, 湖西花苑" in page.content.decode()
    zh = client_for(world.town_admin, language="zh-hans").get(community.get_absolute_url())
    assert "2019-06-01" in zh.content.decode()


def test_every_move_leaves_a_version_with_its_dates(world, hexi):
    _community, village, *_ = hexi
    versions = list(village.versions.all())
    assert [(v.valid_from, v.valid_to, v.parent.name) for v in versions] == [
        (None, MERGED_ON, "湖桥镇"),
        (MERGED_ON, None, "湖西社区"),
    ]
    assert versions[1].event.kind == PlaceEvent.Kind.MERGE


def test_places_join_an_existing_community_and_leave_their_old_one(world, hexi):
    community, *_ = hexi
    joined_on = dt.date(2021, 3, 1)
    merge_into_community(
        world.town_admin,
        places=[world.village_b],
        community=community,
        town=world.town,
        effective_on=joined_on,
    )
    world.village_b.refresh_from_db()
    assert world.village_b.parent == community
    assert as_of(world.village_b, joined_on - DAY).parent_id == world.community_b.pk
    event = PlaceEvent.objects.get(place=community, effective_on=joined_on)
    assert event.summary() == "石舍村 joined 湖西社区"


def test_the_tree_page_draws_the_villages_under_the_town_before_the_merge(world, hexi):
    client = client_for(world.town_admin)
    before = client.get(reverse("places:tree"), {"on": "2018-01-01"})
    after = client.get(reverse("places:tree"), {"on": "2019-06-01"})
    depth = {row.state.name: row.depth for row in before.context["rows"]}
    assert "湖西社区" not in depth
    assert depth["南湾村"] == depth["湖滨社区"] == depth["湖桥镇"] + 1
    after_depth = {row.state.name: row.depth for row in after.context["rows"]}
    assert after_depth["南湾村"] == after_depth["湖西社区"] + 1
    assert "湖西社区" in after.content.decode()


def test_a_date_the_tree_page_cannot_read_says_so_and_shows_today(world):
    page = client_for(world.town_admin).get(reverse("places:tree"), {"on": "2018-13-45"})
    assert page.status_code == 200
    assert page.context["on"] == timezone.localdate()
    assert "2018-13-45" in page.context["error"]


def test_a_split_sends_places_to_a_new_community_and_keeps_the_old_shape(world, hexi):
    community, village, other, *_ = hexi
    split_on = dt.date(2022, 1, 1)
    target = split_community(
        world.town_admin,
        community=community,
        places=[other],
        new_community_name="西港社区",
        effective_on=split_on,
    )
    other.refresh_from_db()
    assert other.parent == target
    assert target.parent == world.town
    assert as_of(other, split_on - DAY).parent_id == community.pk
    assert as_of(target, split_on - DAY) is None
    event = PlaceEvent.objects.get(kind=PlaceEvent.Kind.SPLIT)
    assert event.summary() == "西港村 left 湖西社区 to form 西港社区"


def test_a_split_without_a_new_community_puts_places_back_under_the_town(world, hexi):
    community, village, *_ = hexi
    target = split_community(
        world.town_admin, community=community, places=[village], effective_on=dt.date(2022, 1, 1)
    )
    village.refresh_from_db()
    assert target == world.town
    assert village.parent == world.town
    assert [v.parent.name for v in village.versions.order_by("id")] == [
        "湖桥镇",
        "湖西社区",
        "湖桥镇",
    ]


def test_only_the_places_of_the_community_can_split_off(world, hexi):
    community, *_ = hexi
    with pytest.raises(ValidationError) as refused:
        split_community(
            world.town_admin,
            community=community,
            places=[world.village_a],
            effective_on=dt.date(2022, 1, 1),
        )
    assert "新桥村 is not part of 湖西社区" in str(refused.value)


def test_a_rename_from_a_date_keeps_the_old_name_before_it(world):
    renamed_on = dt.date(2020, 5, 1)
    rename_place(world.town_admin, world.village_a, name="新桥新村", effective_on=renamed_on)
    assert as_of(world.village_a, renamed_on - DAY).name == "新桥村"
    assert as_of(world.village_a, renamed_on).name == "新桥新村"
    event = PlaceEvent.objects.get(place=world.village_a)
    assert event.summary() == "Renamed from 新桥村 to 新桥新村"
    page = client_for(world.secretary_a).get(world.village_a.get_absolute_url()).content.decode()
    assert "Renamed from 新桥村 to 新桥新村" in page


def test_a_correction_rewrites_the_current_version_without_a_new_one(world):
    update_place(world.town_admin, world.village_a, name="新橋村", code="")
    versions = list(world.village_a.versions.all())
    assert [(v.name, v.valid_from, v.valid_to) for v in versions] == [("新橋村", None, None)]


def test_changes_are_recorded_in_date_order(world, hexi):
    community, village, *_ = hexi
    with pytest.raises(ValidationError) as refused:
        rename_place(world.town_admin, village, name="南湾新村", effective_on=MERGED_ON - DAY)
    assert "南湾村 has been as it is since 2019-06-01" in str(refused.value)
    # The same day is allowed: the renamed state replaces the merged one of that day.
    rename_place(world.town_admin, village, name="南湾新村", effective_on=MERGED_ON)
    assert as_of(village, MERGED_ON).name == "南湾新村"
    assert as_of(village, MERGED_ON).parent_id == community.pk
    assert as_of(village, MERGED_ON - DAY).name == "南湾村"


def test_changes_cannot_take_effect_in_the_future(world):
    tomorrow = timezone.localdate() + DAY
    with pytest.raises(ValidationError) as refused:
        rename_place(world.town_admin, world.village_a, name="新桥新村", effective_on=tomorrow)
    assert "cannot be in the future" in str(refused.value)
    # Today is fine.
    rename_place(
        world.town_admin, world.village_a, name="新桥新村", effective_on=timezone.localdate()
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda w: {"places": [w.village_a], "new_community_name": "", "community": None},
            "Choose an existing community or give the name of a new one",
        ),
        (
            lambda w: {"places": [], "new_community_name": "湖东社区"},
            "Choose the villages and residential areas",
        ),
        (
            lambda w: {"places": [w.community_a], "new_community_name": "湖东社区"},
            "only villages and residential areas merge",
        ),
        (
            lambda w: {"places": [w.village_a], "community": w.community_a},
            "新桥村 is already part of 湖滨社区",
        ),
    ],
    ids=["no-community", "no-places", "not-a-village", "already-there"],
)
def test_a_merge_that_makes_no_sense_is_refused(world, change, message):
    with pytest.raises(ValidationError) as refused:
        merge_into_community(
            world.town_admin, town=world.town, effective_on=MERGED_ON, **change(world)
        )
    assert message in str(refused.value)
    assert not Place.objects.filter(name="湖东社区").exists()


def test_the_community_must_exist_on_the_merge_date(world, hexi):
    community, *_ = hexi
    with pytest.raises(ValidationError) as refused:
        merge_into_community(
            world.town_admin,
            places=[world.village_a],
            community=community,
            town=world.town,
            effective_on=MERGED_ON - DAY,
        )
    assert "湖西社区 has been as it is since 2019-06-01" in str(refused.value)
    world.village_a.refresh_from_db()
    assert world.village_a.parent == world.community_a


def test_the_merge_page_merges_and_shows_the_community(world):
    create_place(SYSTEM, parent=world.town, kind=K.VILLAGE, name="东岸村")
    east = Place.objects.get(name="东岸村")
    client = client_for(world.town_admin)
    form = client.get(reverse("places:merge"))
    assert "东岸村" in form.content.decode()
    response = client.post(
        reverse("places:merge"),
        {
            "town": world.town.pk,
            "places": [east.pk],
            "new_community_name": "东岸社区",
            "effective_on": "2020-01-01",
        },
    )
    community = Place.objects.get(name="东岸社区")
    assert response.status_code == 302
    assert response["Location"] == community.get_absolute_url()
    assert AuditEvent.objects.filter(
        action="places.merge_into_community", object_id=str(community.pk)
    ).exists()


def test_a_scope_of_several_towns_picks_the_town_before_listing_its_places(world):
    """A county holds thousands of villages: the merge page lists one town's at a time."""
    other_town = create_place(SYSTEM, parent=None, kind=K.TOWN, name="临湖镇", code="320506111")
    create_place(SYSTEM, parent=other_town, kind=K.VILLAGE, name="临湖村")
    east = create_place(SYSTEM, parent=world.town, kind=K.VILLAGE, name="东岸村")
    client = client_for(world.admin)
    first = client.get(reverse("places:merge"))
    form = first.context["form"]
    assert form.choosing_town and list(form.fields) == ["town"]
    body = first.content.decode()
    assert "东岸村" not in body and "临湖村" not in body and 'name="town_query"' in body
    # Typed without JavaScript, the town is resolved; its places only are listed then.
    second = client.post(reverse("places:merge"), {"town_query": "湖桥镇"})
    assert second.status_code == 200 and not second.context["form"].is_bound
    body = second.content.decode()
    assert "东岸村" in body and "临湖村" not in body
    assert second.context["form"].initial["town"] == world.town.pk
    done = client.post(
        reverse("places:merge"),
        {
            "town": world.town.pk,
            "places": [east.pk],
            "new_community_name": "东岸社区",
            "effective_on": "2020-01-01",
        },
    )
    assert done.status_code == 302
    east.refresh_from_db()
    assert east.parent.name == "东岸社区"
    # A place of another town is not among the choices of this one.
    elsewhere = Place.objects.get(name="临湖村")
    refused = client.post(
        reverse("places:merge"),
        {
            "town": world.town.pk,
            "places": [elsewhere.pk],
            "new_community_name": "跨镇社区",
            "effective_on": "2020-01-01",
        },
    )
    assert refused.status_code == 200 and "places" in refused.context["form"].errors


def test_the_split_and_rename_pages_change_the_place(world, hexi):
    community, village, *_ = hexi
    client = client_for(world.town_admin)
    response = client.post(
        reverse("places:split", args=[community.pk]),
        {"places": [village.pk], "new_community_name": "", "effective_on": "2022-01-01"},
    )
    assert response.status_code == 302
    village.refresh_from_db()
    assert village.parent == world.town
    response = client.post(
        reverse("places:rename", args=[village.pk]),
        {"name": "南湾新村", "effective_on": "2023-01-01"},
    )
    assert response.status_code == 302
    assert as_of(village, dt.date(2022, 12, 31)).name == "南湾村"
    refused = client.post(
        reverse("places:rename", args=[village.pk]),
        {"name": "南湾三村", "effective_on": "2022-06-01"},
    )
    assert refused.status_code == 200
    assert "has been as it is since 2023-01-01" in refused.content.decode()


def test_a_community_secretary_cannot_merge_places_of_another_community(world):
    client = client_for(world.secretary_a)
    # The merge form offers nothing of B, and posting B's places finds nothing.
    response = client.post(
        reverse("places:merge"),
        {
            "town": world.town.pk,
            "places": [world.village_b.pk],
            "community": world.community_a.pk,
            "effective_on": "2020-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    world.village_b.refresh_from_db()
    assert world.village_b.parent == world.community_b
    # The action itself answers "not found", like a missing place.
    from django.http import Http404

    with pytest.raises(Http404):
        merge_into_community(
            world.secretary_a,
            places=[world.village_b],
            community=world.community_a,
            town=world.town,
            effective_on=dt.date(2020, 1, 1),
        )
    with pytest.raises(Http404):
        split_community(
            world.secretary_a,
            community=world.community_b,
            places=[world.village_b],
            effective_on=dt.date(2020, 1, 1),
        )


def test_the_split_page_of_another_community_is_not_found(world):
    response = client_for(world.secretary_a).post(
        reverse("places:split", args=[world.community_b.pk]),
        {"places": [world.village_b.pk], "effective_on": "2020-01-01"},
    )
    assert response.status_code == 404
    world.village_b.refresh_from_db()
    assert world.village_b.parent == world.community_b


def test_the_tree_of_a_secretary_names_only_places_in_scope(world, hexi):
    rows = client_for(world.secretary_a).get(reverse("places:tree"), {"on": "2018-01-01"})
    names = {row.state.name for row in rows.context["rows"]}
    assert names == {"湖滨社区", "新桥村", "湖滨花苑"}


def test_a_place_made_before_history_was_kept_reads_as_today_on_every_date(world):
    PlaceVersion.objects.filter(place=world.village_a).delete()
    state = as_of(world.village_a, dt.date(1990, 1, 1))
    assert (state.name, state.parent_id) == ("新桥村", world.community_a.pk)
    # Its first dated change starts its history from its present row.
    rename_place(world.town_admin, world.village_a, name="新桥新村", effective_on=MERGED_ON)
    assert as_of(world.village_a, dt.date(1990, 1, 1)).name == "新桥村"


def test_units_hang_under_buildings_for_addresses(world):
    building = create_place(SYSTEM, parent=world.area_a, kind=K.BUILDING, name="3幢")
    unit = create_place(SYSTEM, parent=building, kind=K.UNIT, name="2单元")
    assert unit.is_within(world.community_a)
    with pytest.raises(ValidationError):
        create_place(SYSTEM, parent=world.area_a, kind=K.UNIT, name="1单元")
