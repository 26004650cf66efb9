"""Subtree counts and member lists at province and county scale.

    python -m benchmarks.tree_scale --scale province  # PostgreSQL, 1,000,000 members, 60,000 orgs
    python -m benchmarks.tree_scale --scale county     # SQLite, 50,000 members

Generates the tree once (reused later; ``--regenerate`` to start over), then times,
for a town, a county and the province (county scale: a town and the county):
  * the subtree member counts (full, probationary, mobile) the tree page shows, today and as
    of a past date — through the product's own ``subtree_counts``;
  * the first page of a filtered member list (women, current members, by pinyin) with its count;
and the same counts by a naive recursive walk of the tree (one query per node), for the ratio.
Figures: median and p95 server time over several runs, and the number of SQL queries.
Goal (issue): p95 under 100 ms for any node, query count independent of subtree size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from benchmarks.harness import measure, setup_django, table

SCALES = {
    # name: (database, cities, counties per city, towns per county, branches per town, members)
    "province": ("postgres", 13, 7, 12, 54, 1_000_000),
    "county": ("sqlite", 1, 1, 12, 40, 50_000),
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志文红梅玉兰海燕"


def generate(scale: str, seed: int = 2026, members: int | None = None) -> None:
    from django.db import connection, transaction

    from cunju.core.pinyin import full_pinyin, initials
    from cunju.core.tree import encode_step
    from cunju.members.models import Member, MembershipPeriod
    from cunju.organizations.models import Organization
    from cunju.places.models import Place

    _db, cities, counties, towns, branches, default_members = SCALES[scale]
    members = default_members if members is None else members
    rng = random.Random(seed)
    started = time.perf_counter()

    def node(model, parent, step, **fields):
        path = (parent.path if parent else "") + encode_step(step) + "."
        return model(parent=parent, path=path, depth=path.count(".") - 1, **fields)

    with transaction.atomic():
        province_place = node(Place, None, 1, kind="province", name="江苏省", code="320000")
        province_place.save()
        province = node(
            Organization,
            None,
            1,
            kind="committee",
            category="town",
            name="省委",
            place=province_place,
        )
        Organization.objects.bulk_create([province])
        province = Organization.objects.get(path=province.path)
        level = [(province, province_place)]
        for kind_name, fanout, category in [
            ("city", cities, "town"),
            ("county", counties, "town"),
            ("town", towns, "town"),
        ]:
            places, orgs = [], []
            for _parent_org, parent_place in level:
                for i in range(1, fanout + 1):
                    name = f"{parent_place.name}-{kind_name}{i}"
                    places.append(node(Place, parent_place, i, kind=kind_name, name=name))
            Place.objects.bulk_create(places, batch_size=2000)
            by_path = {p.path: p for p in Place.objects.filter(kind=kind_name)}
            for parent_org, parent_place in level:
                for i in range(1, fanout + 1):
                    place = by_path[parent_place.path + encode_step(i) + "."]
                    orgs.append(
                        node(
                            Organization,
                            parent_org,
                            i,
                            kind="committee",
                            category=category,
                            name=f"{place.name}党委",
                            place=place,
                        )
                    )
            Organization.objects.bulk_create(orgs, batch_size=2000)
            placed = {p.path: p for p in by_path.values()}
            level = [
                (org, placed[org.place.path]) if False else (org, org.place)
                for org in Organization.objects.filter(
                    path__in=[o.path for o in orgs]
                ).select_related("place")
            ]
        branch_rows = []
        for town_org, town_place in level:
            for i in range(1, branches + 1):
                branch_rows.append(
                    node(
                        Organization,
                        town_org,
                        i,
                        kind="branch",
                        category="village",
                        name=f"{town_place.name}第{i}支部",
                        place=town_place,
                    )
                )
        Organization.objects.bulk_create(branch_rows, batch_size=5000)
    branch_list = list(Organization.objects.filter(kind="branch").values_list("id", "path"))
    print(
        f"  {Organization.objects.count():,} organizations in {time.perf_counter() - started:.1f} s"
    )

    names = []
    for _ in range(5000):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
        names.append((name, full_pinyin(name, person=True), initials(name, person=True)))
    today = dt.date.today()
    batch, periods = [], []
    made = 0
    for n in range(members):
        org_id, org_path = branch_list[n % len(branch_list)]
        name, pinyin, inits = names[rng.randrange(len(names))]
        born = dt.date(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28))
        admitted = born + dt.timedelta(days=rng.randint(18 * 366, 40 * 366))
        if admitted > today:
            admitted = today - dt.timedelta(days=rng.randint(30, 300))
        probationary = (today - admitted).days < 365
        roll = rng.random()
        status = (
            "probationary"
            if probationary
            else ("full" if roll < 0.95 else rng.choice(["left", "deceased", "suspended"]))
        )
        batch.append(
            Member(
                organization_id=org_id,
                org_path=org_path,
                name=name,
                name_pinyin=pinyin,
                name_initials=inits,
                sex="female" if rng.random() < 0.3 else "male",
                birth_date=born,
                education=rng.choice(
                    ["bachelor", "college", "high_school", "junior_high", "primary"]
                ),
                occupation=rng.choice(["farmer", "worker", "retired", "professional", "other"]),
                status=status,
                admitted_on=admitted,
                full_on=None if probationary else admitted + dt.timedelta(days=365),
                is_mobile=rng.random() < 0.06,
            )
        )
        if len(batch) == 10_000 or n == members - 1:
            with transaction.atomic():
                created = Member.objects.bulk_create(batch)
                for m in created:
                    periods.append(
                        MembershipPeriod(
                            member_id=m.pk,
                            organization_id=m.organization_id,
                            org_path=m.org_path,
                            status=m.status,
                            is_mobile=m.is_mobile,
                            valid_from=m.admitted_on,
                        )
                    )
                MembershipPeriod.objects.bulk_create(periods)
            made += len(batch)
            batch, periods = [], []
            if made % 100_000 == 0:
                print(f"  {made:,} members ({time.perf_counter() - started:.0f} s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the planner needs fresh statistics
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  generated in {time.perf_counter() - started:.0f} s")


def naive_counts(org) -> dict:
    """The baseline: walk the tree recursively, one query per node, counting members per org."""
    from cunju.members.models import Member
    from cunju.organizations.models import Organization

    totals = {"full": 0, "probationary": 0, "mobile": 0}
    stack = [org]
    while stack:
        node = stack.pop()
        for status, mobile in Member.objects.filter(
            organization=node, status__in=["full", "probationary"]
        ).values_list("status", "is_mobile"):
            totals[status] += 1
            totals["mobile"] += int(mobile)
        stack.extend(Organization.objects.filter(parent=node))
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="county")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--naive-province", action="store_true", help="also walk the whole province naively (slow)"
    )
    args = parser.parse_args()
    database = SCALES[args.scale][0]
    setup_django(database, f"cunju_bench_{args.scale}")

    from django.core.management import call_command

    from cunju.members.models import Member
    from cunju.organizations.counts import subtree_counts
    from cunju.organizations.models import Organization

    if args.regenerate or not Member.objects.exists():
        if args.regenerate:
            call_command("flush", interactive=False, verbosity=0)
        print(f"generating the {args.scale} tree…")
        generate(args.scale)
    total_members = Member.objects.count()
    total_orgs = Organization.objects.count()
    print(f"\n{args.scale} scale on {database}: {total_members:,} members, {total_orgs:,} orgs\n")

    root = Organization.objects.get(parent__isnull=True)
    county = Organization.objects.filter(depth=2).first()
    town = Organization.objects.filter(depth=3).first()
    nodes = [("town", town), ("county", county)] + (
        [("province", root)] if args.scale == "province" else []
    )
    past = dt.date.today() - dt.timedelta(days=3 * 365)

    def member_page(node):
        from cunju.core.tree import subtree_q

        qs = Member.objects.filter(
            subtree_q(node.path, "org_path"), status__in=["full", "probationary"], sex="female"
        ).order_by("name_pinyin", "id")
        return qs.count(), list(qs[:25])

    rows = []
    for label, node in nodes:
        subtree = Organization.objects.filter(path__startswith=node.path).count()
        today_fig = measure(lambda node=node: subtree_counts([node]), args.runs)
        tree_page = measure(
            lambda node=node: subtree_counts([node, *Organization.objects.filter(parent=node)]),
            args.runs,
        )
        past_fig = measure(lambda node=node: subtree_counts([node], on=past), args.runs)
        page_fig = measure(lambda node=node: member_page(node), args.runs)
        if label != "province" or args.naive_province:
            naive = measure(lambda node=node: naive_counts(node), 1 if label != "town" else 3)
            ratio = f"{naive['median_ms'] / today_fig['median_ms']:.0f}x ({naive['queries']:,} q)"
        else:
            ratio = "—"
        rows.append(
            [
                f"{label} ({subtree:,} orgs)",
                "counts today",
                f"{today_fig['median_ms']:.1f}",
                f"{today_fig['p95_ms']:.1f}",
                today_fig["queries"],
                ratio,
            ]
        )
        rows.append(
            [
                "",
                "tree page (node + children)",
                f"{tree_page['median_ms']:.1f}",
                f"{tree_page['p95_ms']:.1f}",
                tree_page["queries"],
                "",
            ]
        )
        rows.append(
            [
                "",
                f"counts as of {past:%Y-%m-%d}",
                f"{past_fig['median_ms']:.1f}",
                f"{past_fig['p95_ms']:.1f}",
                past_fig["queries"],
                "",
            ]
        )
        rows.append(
            [
                "",
                "member list page 1 + count",
                f"{page_fig['median_ms']:.1f}",
                f"{page_fig['p95_ms']:.1f}",
                page_fig["queries"],
                "",
            ]
        )
    print(table(rows, ["node", "what", "median ms", "p95 ms", "queries", "vs naive walk"]))
    worst = max(float(r[3]) for r in rows)
    print(
        f"\nworst p95: {worst:.1f} ms (goal: under 100 ms) — {'met' if worst < 100 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
