from tests.points.world import notice_for
from tests.test_every_url import ObjectPage

OBJECT_PAGES = {
    # A notice belongs to its recipient alone: the town admin's own notice is "not found"
    # for everyone else, staff of any scope included. Reading one needs no permission
    # beyond signing in; library.view_document is one every role holds.
    "notices:read": ObjectPage(
        lambda w: [notice_for(w, w.town_admin).pk], "library.view_document", {"POST"}
    ),
}
