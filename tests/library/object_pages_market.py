from cunju.library.models import ReportReason
from cunju.library.moderation import report_document
from tests.test_every_url import ObjectPage

MODERATE = "library.moderate_document"


def report_b(w):
    """An open report of community B's document (made once per world)."""
    if not hasattr(w, "report_b"):
        w.report_b = report_document(w.town_admin, w.doc_b, ReportReason.MISMATCH, "内容与标题不符")
    return w.report_b


OBJECT_PAGES = {
    "library:download": ObjectPage(
        lambda w: [w.doc_b.pk], "library.view_document", {"GET", "POST"}
    ),
    "library:report": ObjectPage(lambda w: [w.doc_b.pk], "library.view_document", {"GET", "POST"}),
    "library:review": ObjectPage(lambda w: [w.doc_b.pk], MODERATE, {"GET", "POST"}),
    "library:decide-report": ObjectPage(lambda w: [report_b(w).pk], MODERATE, {"POST"}),
}
