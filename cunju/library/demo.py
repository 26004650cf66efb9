"""Demo study library: shelves, a dozen Chinese study documents, points, downloads, a report.

The documents are generated (``samples``: Word, Excel, PowerPoint, PDF and text, several
longer than five pages, the same bytes every time) and uploaded through ``add_document`` by
the demo accounts. PDFs and text files are converted here and now, so the shelf has
documents to read, download and report as soon as the demo is loaded; the office files
wait for the task worker like any upload (converted in the background once the demo is in).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cunju.core.system import SYSTEM

from . import samples
from .categories import add_category
from .models import Category, Document, Format, Moderation, Processing, ReportReason

CATEGORIES = ["党章党规", "理论学习", "党建工作", "村务公开", "合作社", "民生服务", "文化活动"]


@dataclass
class Sample:
    title: str
    kind: str  # docx, xlsx, pptx, pdf, txt
    pages: int
    uploader: str  # a demo account
    category: str
    tags: list[str] = field(default_factory=list)
    price: int = 0
    # Shared with the uploader's own organization only (default: the whole town).
    own_organization_only: bool = False
    description: str = ""


SAMPLES = [
    Sample(
        "积极探索农村社区党建工作新模式",
        "docx",
        8,
        "demo-community-a",
        "党建工作",
        ["村居合一", "农村社区", "党建"],
        price=5,
        description="苏南地区农村社区党建工作的做法与经验：三集中、村居合一、服务群众。",
    ),
    Sample("中国共产党章程学习要点", "pdf", 6, "demo-town", "党章党规", ["党章", "学习"]),
    Sample("三会一课制度汇编", "docx", 4, "demo-town", "党章党规", ["三会一课"], price=2),
    Sample("流动党员管理办法", "pdf", 6, "demo-town", "党章党规", ["流动党员"]),
    Sample("村务公开目录（2026年）", "xlsx", 2, "demo-community-a", "村务公开", ["公开"]),
    Sample(
        "社区股份经济合作社章程",
        "pdf",
        7,
        "demo-community-b",
        "合作社",
        ["股份合作", "章程"],
        price=3,
    ),
    Sample("土地股份合作社分红方案说明", "txt", 3, "demo-community-b", "合作社", ["分红"]),
    Sample("失地农民再就业服务指南", "pdf", 5, "demo-clerk-a", "民生服务", ["失地农民", "就业"]),
    Sample("低保申请办理流程", "txt", 2, "demo-clerk-a", "民生服务", ["低保"]),
    Sample(
        "主题党日活动方案",
        "pptx",
        6,
        "demo-branch-a",
        "党建工作",
        ["主题党日"],
        price=1,
        own_organization_only=True,
    ),
    Sample("社区文化活动安排", "pptx", 4, "demo-community-b", "文化活动", ["文化"]),
    Sample(
        "新时代农村基层党建党课讲稿",
        "pdf",
        9,
        "demo-member",
        "理论学习",
        ["党课", "学习"],
        price=4,
    ),
    Sample("党员积分制管理实施细则", "txt", 4, "demo-community-a", "理论学习", ["积分"]),
]

MAKERS = {
    "docx": samples.make_docx,
    "xlsx": samples.make_xlsx,
    "pptx": samples.make_pptx,
    "pdf": samples.make_pdf,
    "txt": samples.make_txt,
}
# Converted during the demo step: no office suite needed, a fraction of a second each.
CONVERT_NOW = {Format.PDF, Format.TXT}

# Points granted by the town admin, so members can pay for downloads.
GRANTS = [("demo-member", 30), ("demo-community-b", 20), ("demo-clerk-a", 10)]
# (reader, title) downloaded during the demo; priced ones are paid for from the grants.
DOWNLOADS = [
    ("demo-member", "社区股份经济合作社章程"),
    ("demo-member", "中国共产党章程学习要点"),
    ("demo-clerk-a", "新时代农村基层党建党课讲稿"),
    ("demo-community-b", "新时代农村基层党建党课讲稿"),
    ("demo-community-a", "失地农民再就业服务指南"),
]
# One complaint waits in the moderation queue of community B's secretary and the town.
REPORT = (
    "demo-member",
    "土地股份合作社分红方案说明",
    ReportReason.MISMATCH,
    "标题写的是分红方案，内容里没有具体的分红比例和金额。",
)


def _convert_now(document: Document, moderator: Any) -> None:
    """Run the pipeline for PDFs and text files now unless the task already did; where
    uploads are reviewed, the town admin approves them."""
    from .moderation import review_upload
    from .pipeline import process_stored_file

    stored = document.stored_file
    stored.refresh_from_db()
    if stored.format in CONVERT_NOW and stored.status != Processing.READY:
        process_stored_file(stored.pk)
    document.refresh_from_db()
    if document.moderation == Moderation.PENDING_REVIEW:
        review_upload(moderator, document, True, "演示数据")


def load(world: dict[str, Any]) -> str:
    from cunju.points.actions import grant

    from .downloads import start_download
    from .ingest import add_document
    from .moderation import report_document

    shelves = {c.name: c for c in Category.objects.all()}
    for name in CATEGORIES:
        if name not in shelves:
            shelves[name] = add_category(SYSTEM, name=name)
    documents: dict[str, Document] = {}
    with tempfile.TemporaryDirectory(prefix="cunju-demo-") as folder:
        for sample in SAMPLES:
            uploader = world[sample.uploader]
            path = MAKERS[sample.kind](
                Path(folder) / f"{sample.title}.{sample.kind}", sample.title, sample.pages
            )
            options: dict[str, Any] = {}
            if sample.own_organization_only:
                options["shared_with"] = uploader.scope
            document, _existed = add_document(
                uploader,
                upload=path,
                title=sample.title,
                description=sample.description,
                category=shelves[sample.category],
                tags=sample.tags,
                price=sample.price,
                original_name=path.name,
                **options,
            )
            _convert_now(document, world["demo-town"])
            documents[sample.title] = document

    town = world["demo-town"]
    for username, points in GRANTS:
        grant(town, world[username], points, "演示数据：学习积分奖励")
    downloads = 0
    for username, title in DOWNLOADS:
        download = start_download(world[username], documents[title])
        download.handle.close()
        downloads += 1
    reader, title, reason, detail = REPORT
    report_document(world[reader], documents[title], reason, detail)

    world["library_documents"] = documents
    published = Document.objects.published().count()
    return (
        f"library: {len(documents)} documents in {len(CATEGORIES)} categories "
        f"({published} published now, the office files convert in the background), "
        f"{downloads} downloads, 1 open report"
    )
