"""Downloads paid in points: who pays, who earns, when it is free, and when nothing happens.

The world's doc_a (党员学习笔记, a 3-page PDF) costs 3 points and was uploaded by clerk A;
doc_a_txt is free; doc_b belongs to community B and is out of everyone's reach in A.
"""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cunju.core.models import AuditEvent
from cunju.core.rules import Rule
from cunju.library.downloads import (
    Free,
    content_disposition,
    download_filename,
    redownload_cutoff,
    start_download,
)
from cunju.library.downloads import (
    quote as price_quote,
)
from cunju.library.ingest import update_document
from cunju.library.models import Document, Download
from cunju.library.samples import make_pdf
from cunju.points import ledger
from cunju.points.models import Entry, Kind
from tests.library.world import upload
from tests.points.world import give_points
from tests.world import client_for


def fetch(user, document):
    """Download as ``user`` and read the whole file, as the page does."""
    download = start_download(user, document)
    with download.handle as handle:
        content = handle.read()
    return download, content


def original_bytes(document):
    return Path(document.stored_file.file.path).read_bytes()


def refresh(document):
    return Document.objects.get(pk=document.pk)


def paid_days_ago(download, days, **extra):
    """Move a download back in time, as if it was made ``days`` days ago."""
    when = timezone.now() - dt.timedelta(days=days, **extra)
    Download.objects.filter(pk=download.pk).update(created_at=when)


def own_document(world, tmp_path, title="村务公开制度汇编", price=5, **fields):
    """A document of community A with a file of its own, safe to damage in a test."""
    return upload(
        world.secretary_a,
        make_pdf(tmp_path / f"{title}.pdf", title, 2),
        title=title,
        price=price,
        shared_with=world.committee_a,
        **fields,
    )


# --- Who pays and who earns --------------------------------------------------------------


def test_a_paid_download_charges_the_reader_and_credits_the_uploader(world):
    give_points(world, world.member_a, 10)
    download, content = fetch(world.member_a, world.doc_a)
    assert content == original_bytes(world.doc_a)
    assert download.price == 3
    charge = download.charge
    assert (charge.user, charge.amount, charge.kind) == (world.member_a, -3, Kind.DOWNLOAD_CHARGE)
    income = Entry.objects.get(user=world.clerk_a)
    assert (income.amount, income.kind, income.balance) == (3, Kind.DOWNLOAD_INCOME, 3)
    assert charge.reference == income.reference == f"library.download:{download.pk}"
    assert "党员学习笔记" in charge.memo and "党员学习笔记" in income.memo
    assert ledger.balance(world.member_a) == 7
    assert ledger.verify(world.member_a) and ledger.verify(world.clerk_a)
    assert refresh(world.doc_a).download_count == 1
    event = AuditEvent.objects.filter(action="library.download").latest("pk")
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.object_id == str(world.doc_a.pk) and event.changes["price"] == 3


def test_a_free_document_costs_nothing_and_is_still_counted(world, tmp_path):
    document = own_document(world, tmp_path, price=0)
    download, content = fetch(world.member_a, document)
    assert content == original_bytes(document)
    assert (download.price, download.charge) == (0, None)
    assert price_quote(world.member_a, document).free == Free.PRICE
    assert not Entry.objects.exists()
    assert refresh(document).download_count == 1


def test_downloading_your_own_document_is_free(world):
    download, _content = fetch(world.clerk_a, world.doc_a)
    assert download.price == 0
    assert price_quote(world.clerk_a, world.doc_a).free == Free.OWN
    assert not Entry.objects.exists()


def test_not_enough_points_refuses_and_changes_nothing(world):
    give_points(world, world.member_a, 2)
    with pytest.raises(ValidationError) as refused:
        start_download(world.member_a, world.doc_a)
    assert refused.value.messages == ["Not enough points: balance 2, needed 3."]
    assert not Download.objects.exists()
    assert ledger.balance(world.member_a) == 2 and ledger.balance(world.clerk_a) == 0
    assert refresh(world.doc_a).download_count == 0
    event = AuditEvent.objects.filter(action="library.download").latest("pk")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert "Not enough points" in event.message


def test_exactly_enough_points_leaves_zero(world):
    give_points(world, world.member_a, 3)
    fetch(world.member_a, world.doc_a)
    assert ledger.balance(world.member_a) == 0


# --- The price the uploader sets ----------------------------------------------------------


def test_the_price_stays_within_the_admins_bounds(world, tmp_path):
    # The defaults: free (0) up to 20 points.
    assert own_document(world, tmp_path, "上限之内", price=20).price == 20
    for price in (21, -1):
        with pytest.raises(ValidationError) as refused:
            own_document(world, tmp_path, f"越界{price}", price=price)
        assert refused.value.message_dict["price"] == ["The price is from 0 to 20 points."]
    # An admin narrows the bounds for the county (rules as data).
    Rule.objects.create(key="library.price_max", region_code="320506", value=10)
    Rule.objects.create(key="library.price_min", region_code="320506", value=1)
    assert own_document(world, tmp_path, "新上限", price=10).price == 10
    for price in (11, 0):
        with pytest.raises(ValidationError) as refused:
            own_document(world, tmp_path, f"新越界{price}", price=price)
        assert refused.value.message_dict["price"] == ["The price is from 1 to 10 points."]


def test_a_new_price_applies_to_the_next_download(world):
    give_points(world, world.member_a, 10)
    update_document(world.clerk_a, world.doc_a, price=5)
    assert fetch(world.member_a, world.doc_a)[0].price == 5
    assert ledger.balance(world.clerk_a) == 5


# --- Downloading again within the window ---------------------------------------------------


def test_downloading_again_within_the_window_is_free(world):
    give_points(world, world.member_a, 10)
    first, _ = fetch(world.member_a, world.doc_a)
    again, _ = fetch(world.member_a, world.doc_a)
    assert (first.price, again.price) == (3, 0)
    assert ledger.balance(world.member_a) == 7
    assert refresh(world.doc_a).download_count == 2


@override_settings(CUNJU_LIBRARY_REDOWNLOAD_DAYS=7)
def test_day_seven_is_still_free_and_day_eight_costs_again(world):
    give_points(world, world.member_a, 10)
    first, _ = fetch(world.member_a, world.doc_a)

    paid_days_ago(first, 7)
    terms = price_quote(world.member_a, world.doc_a)
    assert (terms.price, terms.free) == (0, Free.REDOWNLOAD)
    assert terms.free_until == timezone.localdate()
    assert fetch(world.member_a, world.doc_a)[0].price == 0

    paid_days_ago(first, 8)
    assert price_quote(world.member_a, world.doc_a).price == 3
    assert fetch(world.member_a, world.doc_a)[0].price == 3
    assert ledger.balance(world.member_a) == 4


@override_settings(CUNJU_LIBRARY_REDOWNLOAD_DAYS=7)
def test_the_window_counts_calendar_days_from_midnight(world):
    give_points(world, world.member_a, 10)
    first, _ = fetch(world.member_a, world.doc_a)
    cutoff = redownload_cutoff()
    assert timezone.localtime(cutoff).time() == dt.time.min
    assert timezone.localdate(cutoff) == timezone.localdate() - dt.timedelta(days=7)
    Download.objects.filter(pk=first.pk).update(created_at=cutoff)
    assert price_quote(world.member_a, world.doc_a).price == 0
    Download.objects.filter(pk=first.pk).update(created_at=cutoff - dt.timedelta(seconds=1))
    assert price_quote(world.member_a, world.doc_a).price == 3


def test_free_downloads_do_not_stretch_the_window(world):
    give_points(world, world.member_a, 10)
    first, _ = fetch(world.member_a, world.doc_a)
    second, _ = fetch(world.member_a, world.doc_a)
    assert second.price == 0
    paid_days_ago(first, 8)
    paid_days_ago(second, 1)
    assert price_quote(world.member_a, world.doc_a).price == 3


@override_settings(CUNJU_LIBRARY_REDOWNLOAD_DAYS=0)
def test_a_window_of_zero_days_means_every_download_is_paid(world):
    give_points(world, world.member_a, 10)
    assert [fetch(world.member_a, world.doc_a)[0].price for _ in range(2)] == [3, 3]


def test_a_refunded_download_does_not_make_the_next_one_free(world):
    give_points(world, world.member_a, 10)
    first, _ = fetch(world.member_a, world.doc_a)
    Download.objects.filter(pk=first.pk).update(refunded_at=timezone.now())
    assert price_quote(world.member_a, world.doc_a).price == 3


def test_another_readers_payment_does_not_make_mine_free(world):
    give_points(world, world.member_a, 10)
    fetch(world.member_a, world.doc_a)
    assert price_quote(world.liaison_a, world.doc_a).price == 3


# --- What cannot be downloaded -------------------------------------------------------------


def test_documents_out_of_reach_answer_not_found_and_charge_nothing(world, tmp_path):
    give_points(world, world.member_a, 10)
    with pytest.raises(Http404):
        start_download(world.member_a, world.doc_b)
    # Even the moderators download only what is published.
    waiting = own_document(world, tmp_path)
    Document.objects.filter(pk=waiting.pk).update(moderation="pending_review")
    with pytest.raises(Http404):
        start_download(world.town_admin, waiting)
    assert not Download.objects.exists() and ledger.balance(world.member_a) == 10


def test_a_missing_file_fails_the_download_and_charges_nothing(world, tmp_path):
    document = own_document(world, tmp_path)
    give_points(world, world.member_a, 10)
    os.remove(document.stored_file.file.path)
    with pytest.raises(ValidationError) as refused:
        start_download(world.member_a, document)
    assert "cannot be opened, so nothing was charged" in refused.value.messages[0]
    assert ledger.balance(world.member_a) == 10 and ledger.balance(world.secretary_a) == 0
    assert not Download.objects.exists()
    assert refresh(document).download_count == 0
    event = AuditEvent.objects.filter(action="library.download").latest("pk")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.object_id == str(document.pk)


def test_a_file_cut_short_on_disk_fails_the_same_way(world, tmp_path):
    document = own_document(world, tmp_path)
    give_points(world, world.member_a, 10)
    path = Path(document.stored_file.file.path)
    path.write_bytes(path.read_bytes()[:10])
    with pytest.raises(ValidationError):
        start_download(world.member_a, document)
    assert ledger.balance(world.member_a) == 10


def test_a_file_removed_after_the_charge_is_still_delivered(world, tmp_path):
    document = own_document(world, tmp_path)
    expected = original_bytes(document)
    give_points(world, world.member_a, 10)
    download = start_download(world.member_a, document)
    os.remove(document.stored_file.file.path)
    with download.handle as handle:
        assert handle.read() == expected


# --- The download page ---------------------------------------------------------------------


def test_the_page_shows_title_size_price_and_my_balance(world):
    give_points(world, world.member_a, 10)
    page = client_for(world.member_a).get(reverse("library:download", args=[world.doc_a.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "党员学习笔记" in body
    size_kb = world.doc_a.stored_file.size_bytes / 1024
    assert f"{size_kb:.2f} KB" in body
    assert '<dd id="price">3 points</dd>' in body
    assert '<dd id="your-balance">10</dd>' in body
    assert "Pay 3 points and download" in body


def test_the_page_says_when_a_download_is_free_again(world):
    give_points(world, world.member_a, 10)
    first, _ = fetch(world.member_a, world.doc_a)
    paid_days_ago(first, 4)
    body = (
        client_for(world.member_a)
        .get(reverse("library:download", args=[world.doc_a.pk]))
        .content.decode()
    )
    paid_on = (timezone.localdate() - dt.timedelta(days=4)).isoformat()
    until = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert f"Free: downloaded on {paid_on} (free again until {until})" in body


def test_the_page_says_when_points_are_missing(world):
    give_points(world, world.member_a, 1)
    page = client_for(world.member_a).get(reverse("library:download", args=[world.doc_a.pk]))
    body = page.content.decode()
    assert "Not enough points: you have 1, the download costs 3." in body
    assert "Pay 3 points" not in body
    # Posting anyway is refused the same way, and nothing is charged.
    refused = client_for(world.member_a).post(reverse("library:download", args=[world.doc_a.pk]))
    assert refused.status_code == 200
    assert "Not enough points: balance 1, needed 3." in refused.content.decode()
    assert ledger.balance(world.member_a) == 1


def test_posting_streams_the_original_with_a_chinese_file_name(world):
    give_points(world, world.member_a, 10)
    response = client_for(world.member_a).post(reverse("library:download", args=[world.doc_a.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == original_bytes(world.doc_a)
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="document.pdf"; ')
    assert disposition.endswith("filename*=UTF-8''" + quote("党员学习笔记.pdf", safe=""))
    assert ledger.balance(world.member_a) == 7


def test_posting_with_the_file_gone_shows_the_error_and_charges_nothing(world, tmp_path):
    document = own_document(world, tmp_path)
    give_points(world, world.member_a, 10)
    os.remove(document.stored_file.file.path)
    response = client_for(world.member_a).post(reverse("library:download", args=[document.pk]))
    assert response.status_code == 200
    assert "nothing was charged" in response.content.decode()
    assert ledger.balance(world.member_a) == 10


def test_the_download_page_of_another_community_is_not_found(world):
    client = client_for(world.member_a)
    assert client.get(reverse("library:download", args=[world.doc_b.pk])).status_code == 404
    assert client.post(reverse("library:download", args=[world.doc_b.pk])).status_code == 404


# --- File names ----------------------------------------------------------------------------


class Named:
    def __init__(self, title, format):
        self.title = title
        self.stored_file = type("F", (), {"format": format})()


@pytest.mark.parametrize(
    ("title", "extension", "expected"),
    [
        ("积极探索农村社区党建工作新模式", "doc", "积极探索农村社区党建工作新模式.doc"),
        ("积极探索农村社区党建工作新模式.doc", "doc", "积极探索农村社区党建工作新模式.doc"),
        ('2026/11 会议\\纪要: "草稿"', "docx", "2026_11 会议_纪要_ _草稿.docx"),
        ("../../etc/passwd", "txt", "etc_passwd.txt"),
        ("...", "pdf", "document.pdf"),
        ("a\r\nContent-Type: text/html", "pdf", "a_Content-Type_ text_html.pdf"),
    ],
)
def test_the_file_name_is_the_title_with_the_real_extension_and_nothing_unsafe(
    title, extension, expected
):
    assert download_filename(Named(title, extension)) == expected


def test_the_disposition_header_has_an_ascii_fallback_and_the_utf8_name():
    header = content_disposition("支部 学习计划 2026.txt")
    assert header == (
        "attachment; filename=\"document.txt\"; filename*=UTF-8''"
        "%E6%94%AF%E9%83%A8%20%E5%AD%A6%E4%B9%A0%E8%AE%A1%E5%88%92%202026.txt"
    )
    assert content_disposition("notes.pdf").startswith('attachment; filename="notes.pdf"')
    assert "\n" not in content_disposition("a\nb.pdf") and "\r" not in header
