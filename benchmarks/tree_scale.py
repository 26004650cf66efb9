"""Subtree counts and member lists at province and county scale.

    python -m benchmarks.tree_scale --scale province  # PostgreSQL, 1,000,000 members, 60,000 orgs
    python -m benchmarks.tree_scale --scale county     # SQLite, 50,000 members

Generates the tree once (reused later; ``--regenerate`` to start over), checks the
organizations' member tallies against a fresh count of the register, then times, for a town,
a county and the province (county scale: a town and the county):
  * the subtree member counts (full, probationary, mobile) the tree page shows, through the
    product's own ``subtree_counts``: today (sums of the organizations' tallies) and as of a
    past date (membership periods); for reference, today's counts the way they were taken
    before the tallies (one grouped scan of the register);
  * the member list's first page, signed in as an administrator of that node: what the view
    reads (filters, total, 25 rows) for all current members (total from the tallies) and for
    women only (total counted up to 10,000; before: counted exactly), and the whole page as
    the server answers it (form, table and layout included);
  * the cost the tallies add to a write: a status change with and without them;
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
    from cunju.organizations import tallies
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
    # Generated in bulk, past the model's signals: count the tallies once, as an import does.
    tallies.rebuild()
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


def walk(node, runs: int) -> tuple[float, int]:
    """The naive walk's median milliseconds and its query count (counted as they run: the
    debug log of captured queries holds only the last 9,000)."""
    import statistics

    from django.db import connection

    issued = 0

    def count(execute, sql, params, many, context):
        nonlocal issued
        issued += 1
        return execute(sql, params, many, context)

    times = []
    for _ in range(runs):
        issued = 0
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            naive_counts(node)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), issued


def scanned_counts(node) -> dict:
    """Today's counts as taken before the tallies: one grouped scan of the register."""
    from django.db.models import Count

    from cunju.core.tree import subtree_q
    from cunju.members.models import Member

    rows = Member.objects.filter(
        subtree_q(node.path, "org_path"), status__in=["full", "probationary"]
    )
    return list(rows.values("status", "is_mobile").annotate(n=Count("id")).order_by())


def administrator_of(node, label: str):
    """A town administrator whose scope is ``node`` (made once in the bench data), and a
    browser signed in as them."""
    from django.test import Client
    from django.utils import timezone

    from cunju.accounts.models import User
    from cunju.accounts.roles import Role

    user, _created = User.objects.update_or_create(
        username=f"bench-{label}",
        defaults={
            "full_name": f"测试{label}",
            "role": Role.TOWN_ADMIN,
            "scope": node,
            "password_changed_at": timezone.now(),
        },
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return user, client


def list_data(user, *, exact: bool = False, **query) -> int:
    """What the member list reads for its first page, as the view reads it: the filters,
    the total (from the tallies, or counted up to 10,000) and the 25 rows. With ``exact``,
    the way it was before: a full count of the matching rows."""
    from django.test import RequestFactory

    from cunju.members.views import MemberListView, MemberPaginator

    request = RequestFactory().get("/", query)
    request.user = user
    view = MemberListView()
    view.setup(request)
    filterset = view.filterset_class(
        request.GET or None, queryset=view.get_queryset(), request=request
    )
    assert filterset.is_valid(), filterset.errors
    if exact:
        paginator = MemberPaginator(filterset.qs, view.per_page, known=filterset.qs.count())
    else:
        options = view.pagination(filterset, False)
        paginator = MemberPaginator(
            filterset.qs, view.per_page, known=options["known"], rows=options["rows"]
        )
    list(paginator.page(1).object_list)
    return paginator.count


def list_page(client, **query) -> None:
    from django.urls import reverse

    response = client.get(reverse("members:list"), query)
    assert response.status_code == 200, response.status_code


def write_cost(runs: int) -> list[list]:
    """A status change (full → suspended) rolled back, with and without keeping the tallies."""
    from django.db import transaction
    from django.db.models.signals import post_save, pre_save

    from cunju.core.system import SYSTEM
    from cunju.members.actions import change_status
    from cunju.members.models import Member
    from cunju.organizations import tallies

    person = Member.objects.filter(status="full").order_by("id").first()
    on = dt.date.today()

    class Undo(Exception):
        pass

    def change() -> None:
        try:
            with transaction.atomic():
                change_status(SYSTEM, Member.objects.get(pk=person.pk), status="suspended", on=on)
                raise Undo
        except Undo:
            pass

    with_tallies = measure(change, runs)
    uid = "organizations.tallies"
    pre_save.disconnect(sender=Member, dispatch_uid=uid)
    post_save.disconnect(sender=Member, dispatch_uid=uid)
    try:
        without = measure(change, runs)
    finally:
        tallies.connect()
    return [
        [
            "(any member)",
            "status change, keeping the tallies",
            f"{with_tallies['median_ms']:.1f}",
            f"{with_tallies['p95_ms']:.1f}",
            with_tallies["queries"],
            f"+{with_tallies['queries'] - without['queries']} q, "
            f"+{with_tallies['median_ms'] - without['median_ms']:.1f} ms",
        ],
        [
            "",
            "status change, tallies switched off",
            f"{without['median_ms']:.1f}",
            f"{without['p95_ms']:.1f}",
            without["queries"],
            "(reference)",
        ],
    ]


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

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from cunju.members.models import Member
    from cunju.organizations import tallies
    from cunju.organizations.counts import counts_under, subtree_counts
    from cunju.organizations.models import Organization, OrganizationTally

    # Pages are rendered in-process: no collected static manifest, a test host name.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if args.regenerate or not Member.objects.exists():
        if args.regenerate:
            call_command("flush", interactive=False, verbosity=0)
        print(f"generating the {args.scale} tree…")
        generate(args.scale)
    if not OrganizationTally.objects.exists():
        print("counting the tallies of a database made before them…")
        tallies.rebuild()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total_members = Member.objects.count()
    total_orgs = Organization.objects.count()
    print(f"\n{args.scale} scale on {database}: {total_members:,} members, {total_orgs:,} orgs")
    started = time.perf_counter()
    wrong = tallies.verify()
    print(
        f"tallies against a fresh count of the register: "
        f"{'exact' if not wrong else f'{len(wrong)} differ'} "
        f"(checked in {time.perf_counter() - started:.1f} s)\n"
    )

    root = Organization.objects.get(parent__isnull=True)
    county = Organization.objects.filter(depth=2).first()
    town = Organization.objects.filter(depth=3).first()
    nodes = [("town", town), ("county", county)] + (
        [("province", root)] if args.scale == "province" else []
    )
    past = dt.date.today() - dt.timedelta(days=3 * 365)

    rows = []
    reference_rows = set()

    def add(node_label, what, fig, extra="", reference=False):
        if reference:
            reference_rows.add(len(rows))
        rows.append(
            [
                node_label,
                what,
                f"{fig['median_ms']:.1f}",
                f"{fig['p95_ms']:.1f}",
                fig["queries"],
                extra,
            ]
        )

    for label, node in nodes:
        subtree = Organization.objects.filter(path__startswith=node.path).count()
        user, client = administrator_of(node, label)
        today_fig = measure(lambda node=node: subtree_counts([node]), args.runs)
        if label != "province" or args.naive_province:
            naive_ms, naive_queries = walk(node, 1 if label != "town" else 3)
            ratio = f"{naive_ms / today_fig['median_ms']:.0f}x ({naive_queries:,} q)"
        else:
            ratio = "—"
        add(f"{label} ({subtree:,} orgs)", "counts today (tallies)", today_fig, ratio)
        tree_page = measure(
            lambda node=node: subtree_counts([node, *Organization.objects.filter(parent=node)]),
            args.runs,
        )
        add("", "tree page (node + children)", tree_page)
        add(
            "",
            f"counts as of {past:%Y-%m-%d}",
            measure(lambda node=node: subtree_counts([node], on=past), args.runs),
        )
        scanned = measure(lambda node=node: scanned_counts(node), max(3, args.runs // 3))
        add("", "counts today, register scan (before)", scanned, "(reference)", reference=True)
        total = counts_under(node.path).total
        women = list_data(user, sex="female")
        women_label = f"{min(women, 10_000):,}{'+' if women > 10_000 else ''}"
        add(
            "",
            f"member list data, all ({total:,})",
            measure(lambda user=user: list_data(user), args.runs),
        )
        add(
            "",
            f"member list data, women ({women_label})",
            measure(lambda user=user: list_data(user, sex="female"), args.runs),
        )
        add(
            "",
            "member list data, women, exact count (before)",
            measure(
                lambda user=user: list_data(user, exact=True, sex="female"),
                max(3, args.runs // 3),
            ),
            "(reference)",
            reference=True,
        )
        # The whole page: filter form, table, layout. Its organization drop-down lists every
        # organization in scope, so a province page is measured once.
        page_runs = 1 if label == "province" else max(3, args.runs // 3)
        add(
            "",
            "member list whole page, women",
            measure(lambda client=client: list_page(client, sex="female"), page_runs),
            f"{page_runs} run{'s' if page_runs > 1 else ''}; page",
            reference=True,
        )
    for row in write_cost(max(5, args.runs // 2)):
        reference_rows.add(len(rows))
        rows.append(row)
    print(table(rows, ["node", "what", "median ms", "p95 ms", "queries", "vs naive walk / note"]))
    worst = max(float(r[3]) for i, r in enumerate(rows) if i not in reference_rows)
    print(
        f"\nworst p95 of counts and list data: {worst:.1f} ms (goal: under 100 ms) — "
        f"{'met' if worst < 100 else 'NOT met'}; whole pages, the write cost and the "
        "'before' rows are shown for reference"
    )


if __name__ == "__main__":
    main()
