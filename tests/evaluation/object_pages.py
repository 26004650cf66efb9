from tests.test_every_url import ObjectPage

CHANGE = "evaluation.change_evaluation"

OBJECT_PAGES = {
    "evaluation:detail": ObjectPage(
        lambda w: [w.evaluation_round_b.pk], "evaluation.view_evaluation"
    ),
    "evaluation:advance": ObjectPage(lambda w: [w.evaluation_round_b.pk], CHANGE, {"POST"}),
    "evaluation:refresh": ObjectPage(lambda w: [w.evaluation_round_b.pk], CHANGE, {"POST"}),
    "evaluation:close": ObjectPage(lambda w: [w.evaluation_round_b.pk], CHANGE, {"GET", "POST"}),
    "evaluation:self-review": ObjectPage(
        lambda w: [w.evaluation_participant_b.pk], CHANGE, {"GET", "POST"}
    ),
    "evaluation:peer-review": ObjectPage(
        lambda w: [w.evaluation_participant_b.pk], CHANGE, {"GET", "POST"}
    ),
    "evaluation:tally": ObjectPage(
        lambda w: [w.evaluation_participant_b.pk], CHANGE, {"GET", "POST"}
    ),
    "evaluation:grade": ObjectPage(
        lambda w: [w.evaluation_participant_b.pk], CHANGE, {"GET", "POST"}
    ),
}
