"""The member list with its organization filter as a drop-down of every organization
(before) and as the organization picker (after), for an administrator at the top of a tree.

    python -m benchmarks.org_picker                  # SQLite, about 5,000 organizations
    python -m benchmarks.org_picker --size 60k       # SQLite, about 60,000 (a province's tree)
    python -m benchmarks.org_picker --database postgres

Generates its own database once (``cunju_bench_picker_<size>``; a few members per branch,
not a province's million), then measures, signed in as an administrator of the root: the
page with no filter and with ``?organization=<a branch>`` (bytes, SQL queries, median and
p95 server time), and the picker's search endpoint. "Before" is the filter as it was —
``ModelChoiceFilter`` over ``Organization.objects.for_user`` — put back for the run only.
"""

from __future__ import annotations

import argparse

from benchmarks.harness import measure, setup_django, table

# size: (cities, counties per city, towns per county, branches per town, members)
SIZES = {
    "5k": (2, 4, 10, 61, 10_000),  # 4,971 organizations
    "60k": (13, 7, 12, 54, 60_000),  # 60,165 organizations
}


def old_filter():
    """The organization filter as it was: a <select> of every organization in scope."""
    import django_filters
    from django.utils.translation import gettext_lazy as _

    from cunju.members.models import Member
    from cunju.organizations.models import Organization

    def organizations_in_scope(request):
        if request is None:
            return Organization.objects.none()
        return Organization.objects.for_user(request.user)

    old = django_filters.ModelChoiceFilter(
        queryset=organizations_in_scope, method="in_subtree", label=_("Party organization")
    )
    old.field_name, old.model = "organization", Member
    return old


def fill_pinyin() -> None:
    """The generated tree is made in bulk, past the model's save: add the pinyin columns the
    search reads, as saving each organization would."""
    from cunju.core.pinyin import full_pinyin, initials
    from cunju.organizations.models import Organization

    rows = list(Organization.objects.only("id", "name"))
    for o in rows:
        o.name_pinyin, o.name_initials = full_pinyin(o.name)[:255], initials(o.name)[:64]
    Organization.objects.bulk_update(rows, ["name_pinyin", "name_initials"], batch_size=2000)


def page_figures(client, runs: int, **query) -> dict:
    from django.urls import reverse

    url = reverse("members:list")
    size = {}

    def get() -> None:
        response = client.get(url, query)
        assert response.status_code == 200, response.status_code
        size["bytes"] = len(response.content)

    figures = measure(get, runs)
    return {**figures, **size}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="5k")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup_django(args.database, f"cunju_bench_picker_{args.size}")

    from django.conf import settings
    from django.urls import reverse

    from benchmarks import tree_scale
    from cunju.members.filtersets import MemberFilterSet
    from cunju.members.models import Member
    from cunju.organizations.models import Organization

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if not Member.objects.exists():
        cities, counties, towns, branches, members = SIZES[args.size]
        scale = f"picker-{args.size}"
        tree_scale.SCALES[scale] = (args.database, cities, counties, towns, branches, members)
        print(f"generating the {args.size} tree…")
        tree_scale.generate(scale)
    if Organization.objects.filter(name_pinyin="").exists():
        fill_pinyin()
    root = Organization.objects.get(parent__isnull=True)
    a_branch = Organization.objects.filter(kind="branch").order_by("path")[1234]
    user, client = tree_scale.administrator_of(root, f"picker-{args.size}")
    print(
        f"\n{Organization.objects.count():,} organizations, {Member.objects.count():,} members;"
        f" signed in as the administrator of {root.name}\n"
    )

    rows = []
    new = MemberFilterSet.base_filters["organization"]
    for label, organization_filter in (("before (select)", old_filter()), ("after (picker)", new)):
        MemberFilterSet.base_filters["organization"] = organization_filter
        try:
            for what, query in (
                ("no filter", {}),
                (f"?organization={a_branch.pk}", {"organization": a_branch.pk}),
            ):
                fig = page_figures(client, args.runs, **query)
                rows.append(
                    [
                        label,
                        what,
                        f"{fig['bytes']:,}",
                        fig["queries"],
                        f"{fig['median_ms']:.1f}",
                        f"{fig['p95_ms']:.1f}",
                    ]
                )
        finally:
            MemberFilterSet.base_filters["organization"] = new

    search_url = reverse("organizations:picker")
    for query in ("第12支部", "di12zhibu", "zhibu", "no such name"):
        size = {}

        def search(query=query, size=size) -> None:
            response = client.get(search_url, {"q": query})
            assert response.status_code == 200
            size["bytes"] = len(response.content)
            size["results"] = len(response.json()["results"])

        fig = measure(search, args.runs)
        rows.append(
            [
                "picker search",
                f"q={query} ({size['results']} answers)",
                f"{size['bytes']:,}",
                fig["queries"],
                f"{fig['median_ms']:.1f}",
                f"{fig['p95_ms']:.1f}",
            ]
        )
    print(table(rows, ["", "member list page", "bytes", "queries", "median ms", "p95 ms"]))


if __name__ == "__main__":
    main()
