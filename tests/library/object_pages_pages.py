"""The library's own pages about one document, pointed at community B's document."""

from tests.test_every_url import ObjectPage

OBJECT_PAGES = {
    "library:detail": ObjectPage(lambda w: [w.doc_b.pk], "library.view_document"),
    "library:edit": ObjectPage(lambda w: [w.doc_b.pk], "library.add_document", {"GET", "POST"}),
    "library:retry": ObjectPage(lambda w: [w.doc_b.pk], "library.add_document", {"POST"}),
    "library:preview": ObjectPage(lambda w: [w.doc_b.pk, 1, "large"], "library.view_document"),
    "library:read": ObjectPage(lambda w: [w.doc_b.pk], "library.view_document", {"POST"}),
}
