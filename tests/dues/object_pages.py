from tests.test_every_url import ObjectPage

OBJECT_PAGES = {
    "dues:member": ObjectPage(lambda w: [w.payer_b.pk], "dues.view_dues"),
    "dues:basis": ObjectPage(lambda w: [w.payer_b.pk], "dues.change_dues", {"GET", "POST"}),
    "dues:pay": ObjectPage(lambda w: [w.payer_b.pk], "dues.change_dues", {"GET", "POST"}),
    "dues:exempt": ObjectPage(lambda w: [w.payer_b.pk], "dues.approve_exemption", {"GET", "POST"}),
}
