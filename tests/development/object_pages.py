from tests.test_every_url import ObjectPage

OBJECT_PAGES = {
    "development:detail": ObjectPage(lambda w: [w.applicant_b.pk], "development.view_applicant"),
    "development:step": ObjectPage(
        lambda w: [w.applicant_b.pk, "talk"], "development.change_applicant", {"GET", "POST"}
    ),
    "development:approve": ObjectPage(
        lambda w: [w.applicant_b.pk], "development.approve_admission", {"GET", "POST"}
    ),
    "development:refuse": ObjectPage(
        lambda w: [w.applicant_b.pk], "development.approve_admission", {"GET", "POST"}
    ),
}
