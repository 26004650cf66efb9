from tests.test_every_url import ObjectPage

CHANGE = "organizations.change_organization"
OBJECT_PAGES = {
    "organizations:move": ObjectPage(lambda w: [w.branch_b1.pk], CHANGE, {"GET", "POST"}),
    "organizations:elect": ObjectPage(lambda w: [w.branch_b1.pk], CHANGE, {"GET", "POST"}),
    "organizations:dissolve": ObjectPage(lambda w: [w.branch_b1.pk], CHANGE, {"GET", "POST"}),
    "organizations:term": ObjectPage(lambda w: [w.term_b.pk], "organizations.view_organization"),
    "organizations:seat-add": ObjectPage(lambda w: [w.term_b.pk], CHANGE, {"GET", "POST"}),
    "organizations:term-end": ObjectPage(lambda w: [w.term_b.pk], CHANGE, {"GET", "POST"}),
    "organizations:seat-remove": ObjectPage(lambda w: [w.seat_b.pk], CHANGE, {"POST"}),
}
