"""Place pages about one object, pointed at community B for the scope test."""

from tests.test_every_url import ObjectPage

OBJECT_PAGES = {
    "places:rename": ObjectPage(lambda w: [w.village_b.pk], "places.change_place", {"GET", "POST"}),
    "places:split": ObjectPage(
        lambda w: [w.community_b.pk], "places.change_place", {"GET", "POST"}
    ),
}
