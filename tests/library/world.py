"""Library records in both communities, uploaded through the real actions and converted by
the real pipeline (small text and PDF files only: no office suite, the world is built for
every test).

    理论学习 (category)
    ├── doc_a      党员学习笔记    PDF, 3 pages, 3 points  by clerk A, shared with committee A
    └── doc_a_txt  支部学习计划    TXT, 2 pages, free      by member A, shared with the town
    党建工作 (category)
    └── doc_b      石舍社区党课讲稿 PDF, 2 pages, free      by secretary B, shared with committee B

Every library page therefore has a document it may show to community A and one it must
not: doc_b is nowhere readable from A, and its title names community B.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from types import SimpleNamespace

from django.core.files.storage import default_storage
from django.test import TestCase

from cunju.core.system import SYSTEM
from cunju.library.categories import add_category
from cunju.library.models import Page, Processing, StoredFile
from cunju.library.samples import make_pdf, make_txt

# The world is built for most tests of the suite, and each build's transaction is rolled
# back. Converting the same three files every time would cost about a second per test, so a
# file converted once in this run is restored from its rows (its derived files stay on disk)
# and the upload takes the real "same content again" path of ``add_document``. The pipeline
# itself is tested on fresh content in test_conversion.py and test_ingest.py.
_CONVERTED: dict[str, dict] = {}


def _restore_conversion(path: Path) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    saved = _CONVERTED.get(digest)
    if saved is None or StoredFile.objects.filter(sha256=digest).exists():
        return
    intact = all(default_storage.exists(name) for name in saved["files"])
    if not intact or default_storage.size(saved["fields"]["file"]) != path.stat().st_size:
        del _CONVERTED[digest]  # a test removed or cut a file: store and convert again
        return
    stored = StoredFile.objects.create(**saved["fields"])
    Page.objects.bulk_create(Page(stored_file=stored, **page) for page in saved["pages"])


def _remember_conversion(stored: StoredFile) -> None:
    if stored.status != Processing.READY or stored.sha256 in _CONVERTED:
        return
    skip = {"id", "created_at"}
    fields = {
        f.attname: f.value_from_object(stored)
        for f in StoredFile._meta.concrete_fields
        if f.attname not in skip
    }
    for name in ("file", "pdf"):
        fields[name] = fields[name].name or ""
    pages = list(
        stored.pages.values("number", "text", "preview", "preview_small", "width", "height")
    )
    files = [fields["file"]] + [fields["pdf"]] * bool(fields["pdf"])
    files += [page[key] for page in pages for key in ("preview", "preview_small") if page[key]]
    _CONVERTED[stored.sha256] = {"fields": fields, "pages": pages, "files": files}


def upload(user, path: Path, **fields):
    """Upload as ``user`` and run the conversion that follows the commit."""
    from cunju.library.ingest import add_document

    _restore_conversion(path)
    # Tests run inside a transaction that never commits: run what waits for the commit now.
    with TestCase.captureOnCommitCallbacks(execute=True):
        document, _existed = add_document(user, upload=path, original_name=path.name, **fields)
    document.refresh_from_db()
    _remember_conversion(document.stored_file)
    return document


def extend(w: SimpleNamespace) -> None:
    w.category_study = add_category(SYSTEM, name="理论学习")
    w.category_party = add_category(SYSTEM, name="党建工作")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        w.doc_a = upload(
            w.clerk_a,
            make_pdf(folder / "党员学习笔记.pdf", "党员学习笔记", 3),
            title="党员学习笔记",
            category=w.category_study,
            tags=["学习", "党建"],
            price=3,
            shared_with=w.committee_a,
        )
        w.doc_a_txt = upload(
            w.member_a,
            make_txt(folder / "支部学习计划.txt", "支部学习计划", 2),
            title="支部学习计划",
            category=w.category_study,
            tags=["学习"],
            shared_with=w.town_committee,
        )
        w.doc_b = upload(
            w.secretary_b,
            make_pdf(folder / "石舍社区党课讲稿.pdf", "石舍社区党课讲稿", 2),
            title="石舍社区党课讲稿",
            category=w.category_party,
            tags=["党课"],
            shared_with=w.committee_b,
        )
    w.b_names.append(w.doc_b.title)
