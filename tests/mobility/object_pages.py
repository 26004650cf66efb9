from tests.test_every_url import ObjectPage

BOTH = {"GET", "POST"}

OBJECT_PAGES = {
    "mobility:detail": ObjectPage(lambda w: [w.outflow_b.pk], "mobility.view_mobility"),
    "mobility:report": ObjectPage(lambda w: [w.outflow_b.pk], "mobility.change_mobility", BOTH),
    "mobility:card": ObjectPage(lambda w: [w.outflow_b.pk], "mobility.change_mobility", BOTH),
    "mobility:end": ObjectPage(lambda w: [w.inflow_b.pk], "mobility.change_mobility", BOTH),
    "mobility:transfer-issue": ObjectPage(
        lambda w: [w.away_b.pk], "mobility.change_mobility", BOTH
    ),
    "mobility:transfer-detail": ObjectPage(lambda w: [w.transfer_b.pk], "mobility.view_mobility"),
    "mobility:transfer-accept": ObjectPage(
        lambda w: [w.transfer_b.pk], "mobility.accept_transfer", BOTH
    ),
    "mobility:transfer-reject": ObjectPage(
        lambda w: [w.transfer_b.pk], "mobility.accept_transfer", BOTH
    ),
    "mobility:transfer-receipt": ObjectPage(
        lambda w: [w.transfer_b_out.pk], "mobility.change_mobility", BOTH
    ),
    "mobility:transfer-reissue": ObjectPage(
        lambda w: [w.transfer_b_out.pk], "mobility.change_mobility", BOTH
    ),
}
