from tests.test_every_url import ObjectPage

OBJECT_PAGES = {
    "points:user": ObjectPage(lambda w: [w.secretary_b.pk], "points.view_entry"),
    "points:grant": ObjectPage(lambda w: [w.secretary_b.pk], "points.add_entry", {"GET", "POST"}),
}
