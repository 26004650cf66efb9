"""Subtree counts and member lists at province and county scale.

    python -m benchmarks.tree_scale --scale province  # PostgreSQL, 1,000,000 members, 60,000 orgs
    python -m benchmarks.tree_scale --scale county     # SQLite, 50,000 members
    (--as-of-only: only the counts, today and as of the earlier dates)

Generates the tree once (reused later; ``--regenerate`` to start over) with sixty years of
history: admissions spread over the years, full membership a year later, and over the past
years deaths and leaving, moves between branches, members away and back, branches and towns
moved to other parents. Checks the organizations' member tallies against a fresh count of the
register, and the checkpoints of past dates against the periods, then times, for a town, a
county and the province (county scale: a town and the county):
  * the subtree member counts (full, probationary, mobile) the tree page shows, through the
    product's own ``subtree_counts``: today (sums of the organizations' tallies), and as of a
    month, a year and five years ago for the node and for the tree page (the node and its
    children as they were then), each beside the direct count of the periods covering the
    date (the way it was counted before) and checked equal to it; for reference, today's
    counts the way they were taken before the tallies (one grouped scan of the register);
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
    from cunju.organizations import checkpoints, tallies
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
    print(
        f"  {Organization.objects.count():,} organizations in {time.perf_counter() - started:.1f} s"
    )
    today = dt.date.today()
    moves = _move_some(rng, today)
    path_on = _paths_on(moves)

    names = []
    for _ in range(5000):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
        names.append((name, full_pinyin(name, person=True), initials(name, person=True)))
    branches = list(Organization.objects.filter(kind="branch").values_list("id", "parent_id"))
    by_town: dict[int, list[int]] = {}
    for org_id, town_id in branches:
        by_town.setdefault(town_id, []).append(org_id)
    batch, histories = [], []
    made = 0
    for n in range(members):
        org_id, town_id = branches[n % len(branches)]
        name, pinyin, inits = names[rng.randrange(len(names))]
        fields, periods = _member_history(rng, today, org_id, by_town[town_id], path_on, moves)
        batch.append(
            Member(
                organization_id=org_id,
                name=name,
                name_pinyin=pinyin,
                name_initials=inits,
                sex="female" if rng.random() < 0.3 else "male",
                education=rng.choice(
                    ["bachelor", "college", "high_school", "junior_high", "primary"]
                ),
                occupation=rng.choice(["farmer", "worker", "retired", "professional", "other"]),
                **fields,
            )
        )
        histories.append(periods)
        if len(batch) == 10_000 or n == members - 1:
            with transaction.atomic():
                created = Member.objects.bulk_create(batch)
                MembershipPeriod.objects.bulk_create(
                    MembershipPeriod(member_id=m.pk, **period)
                    for m, periods in zip(created, histories, strict=True)
                    for period in periods
                )
            made += len(batch)
            batch, histories = [], []
            if made % 100_000 == 0:
                print(f"  {made:,} members ({time.perf_counter() - started:.0f} s)")
    # Generated in bulk, past the model's signals: count the tallies once, as an import does,
    # and take the checkpoints the nightly task would.
    tallies.rebuild()
    checkpoints.rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the planner needs fresh statistics
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  generated in {time.perf_counter() - started:.0f} s")


# Admissions spread evenly over sixty years (about 1.7 % of the members a year); the changes
# below are back-dated over the past years the way the actions record them.
HISTORY_DAYS = 60 * 365


def _move_some(rng: random.Random, today: dt.date) -> dict[int, list]:
    """Move a few towns to another county and one branch in a hundred to another town of
    its county, on dates over the past three years, and write every organization's
    versions as ``move_organization`` leaves them. Returns the moved organizations' paths
    over time, ``{id: [(from, path), …]}`` (the first from the beginning)."""
    from cunju.core.tree import encode_step
    from cunju.organizations.models import Organization, OrganizationVersion

    orgs = {o.pk: o for o in Organization.objects.only("id", "parent_id", "path", "name", "depth")}
    children: dict[int | None, list] = {}
    for org in orgs.values():
        children.setdefault(org.parent_id, []).append(org)
    spare: dict[int, int] = {}

    def free_path(parent) -> str:
        # Steps past every generated child: a path nobody else holds.
        spare[parent.pk] = spare.get(parent.pk, 100) + 1
        return parent.path + encode_step(spare[parent.pk]) + "."

    before: dict[int, tuple[dt.date, str, int]] = {}  # id: (moved on, old path, old parent)
    counties = [o for o in orgs.values() if o.depth == 2]
    if len(counties) > 1:
        towns = [o for o in orgs.values() if o.depth == 3]
        for town, days in zip(rng.sample(towns, 2), (100, 700), strict=True):
            on = today - dt.timedelta(days=days)
            county = rng.choice([c for c in counties if c.pk != town.parent_id])
            old = free_path(county)
            before[town.pk] = (on, old, county.pk)
            for branch in children.get(town.pk, []):
                before[branch.pk] = (on, old + branch.path[len(town.path) :], town.pk)
    candidates = [o for o in orgs.values() if o.depth == 4 and o.pk not in before]
    for branch in rng.sample(candidates, max(2, len(candidates) // 100)):
        town = orgs[branch.parent_id]
        others = [t for t in children[town.parent_id] if t.pk != town.pk]
        if others:
            old_town = rng.choice(others)
            on = today - dt.timedelta(days=rng.randint(10, 3 * 365))
            before[branch.pk] = (on, free_path(old_town), old_town.pk)
    versions = []
    for org in orgs.values():
        moved = before.get(org.pk)
        if moved is not None:
            on, old_path, old_parent = moved
            versions.append(
                OrganizationVersion(
                    organization=org,
                    valid_to=on,
                    name=org.name,
                    parent_id=old_parent,
                    path=old_path,
                )
            )
        versions.append(
            OrganizationVersion(
                organization=org,
                valid_from=moved[0] if moved else None,
                name=org.name,
                parent_id=org.parent_id,
                path=org.path,
            )
        )
    OrganizationVersion.objects.bulk_create(versions, batch_size=5000)
    print(f"  {len(before):,} organizations moved over the past three years")
    return {pk: [(None, old), (on, orgs[pk].path)] for pk, (on, old, _parent) in before.items()}


def _paths_on(moved: dict[int, list]):
    """``path_on(organization id, day)``: the organization's path on that day."""
    from cunju.organizations.models import Organization

    current = dict(Organization.objects.values_list("id", "path"))

    def path_on(org_id: int, day: dt.date) -> str:
        timeline = moved.get(org_id)
        if timeline is None:
            return current[org_id]
        path = timeline[0][1]
        for since, later in timeline[1:]:
            if day >= since:
                path = later
        return path

    return path_on


def _member_history(rng, today, org_id, town_branches, path_on, moved) -> tuple[dict, list[dict]]:
    """One member's register fields and membership periods, as the actions leave them.

    Admitted at any time over sixty years and full a year later; perhaps moved from another
    branch of the town (8 years back at most), away as a mobile member for a while (6), dead,
    gone or suspended (10). Periods split wherever the state or the organization's path
    changed, each carrying the path of its day.
    """

    def between(lo: dt.date, hi: dt.date) -> dt.date:
        return lo + dt.timedelta(days=rng.randint(0, max(0, (hi - lo).days)))

    def years_ago(n: float) -> dt.date:
        return today - dt.timedelta(days=round(365.25 * n))

    day = dt.timedelta(days=1)
    admitted = today - dt.timedelta(days=rng.randint(0, HISTORY_DAYS))
    born = admitted - dt.timedelta(days=rng.randint(18 * 366, 35 * 365))
    full_on = admitted + dt.timedelta(days=365)
    full_on = full_on if full_on <= today else None
    end = end_status = None
    if rng.random() < 0.07 and admitted + day <= today:
        end = between(max(admitted + day, years_ago(10)), today)
        if full_on is not None and end >= full_on:
            end_status = rng.choices(
                ["deceased", "transferred_out", "left", "suspended"], [6, 2, 1, 1]
            )[0]
        else:
            full_on = None
            end_status = rng.choice(["deceased", "transferred_out", "left"])
    last = end or today
    moved_on = from_org = None
    if rng.random() < 0.10 and len(town_branches) > 1:
        lo = max(admitted + day, years_ago(8))
        if lo < last:
            moved_on = between(lo, last - day)
            from_org = rng.choice([b for b in town_branches if b != org_id])
    spells: list[tuple[dt.date, dt.date | None]] = []
    lo = max(admitted, years_ago(6))
    if end is None and rng.random() < 0.06:
        spells.append((between(lo, today), None))
    elif rng.random() < 0.05 and lo < last:
        away = between(lo, last)
        back = between(away, last)
        if away < back:
            spells.append((away, back))

    def state(on: dt.date) -> tuple:
        org = from_org if moved_on is not None and on < moved_on else org_id
        if end is not None and on >= end:
            status = end_status
        elif full_on is not None and on >= full_on:
            status = "full"
        else:
            status = "probationary"
        mobile = any(a <= on and (b is None or on < b) for a, b in spells)
        return (org, path_on(org, on), status, mobile)

    points = {admitted, full_on, end, moved_on, *(d for spell in spells for d in spell)}
    for org in (org_id, from_org):
        points.update(since for since, _path in moved.get(org, [])[1:])
    points = sorted(p for p in points if p is not None and admitted <= p <= today)
    periods: list[dict] = []
    previous = None
    for on in points:
        now = state(on)
        if now == previous:
            continue
        if periods:
            periods[-1]["valid_to"] = on
        org, path, status, mobile = now
        periods.append(
            {
                "organization_id": org,
                "org_path": path,
                "status": status,
                "is_mobile": mobile,
                "valid_from": on,
                "valid_to": None,
            }
        )
        previous = now
    _org, path, status, mobile = previous
    fields = {
        "org_path": path,
        "birth_date": born,
        "status": status,
        "admitted_on": admitted,
        "full_on": full_on,
        "status_changed_on": end,
        "is_mobile": mobile,
    }
    return fields, periods


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


# The earlier dates the as-of counts are timed for.
AS_OF = [("a month", 30), ("a year", 365), ("5 years", 5 * 365)]


def as_of_rows(node, what: str, on: dt.date, runs: int) -> tuple[list, bool]:
    """The counts as of ``on`` for the node alone and for the tree page (the node and its
    children as they were then), and the direct count of the periods for reference; and
    whether the two agree."""
    from cunju.organizations.counts import subtree_counts, subtree_counts_direct
    from cunju.organizations.history import as_of, nodes_as_of, versions_on

    then = as_of(node, on)
    children = nodes_as_of(on, versions_on(on).filter(parent=node))
    rows = []
    exact = True
    for shown, label in (([then], "node"), ([then, *children], "tree page")):
        fast = measure(lambda shown=shown: subtree_counts(shown, on=on), runs)
        direct = measure(lambda shown=shown: subtree_counts_direct(shown, on=on), max(3, runs // 3))
        exact = exact and subtree_counts(shown, on=on) == subtree_counts_direct(shown, on=on)
        rows.append(((f"as of {what} ago, {label}", fast), False))
        rows.append(((f"as of {what} ago, {label}, direct (before)", direct, "(reference)"), True))
    return rows, exact


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="county")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--as-of-only", action="store_true", help="only today's and the as-of-a-date counts"
    )
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
    from cunju.organizations import checkpoints, tallies
    from cunju.organizations.counts import counts_under, subtree_counts
    from cunju.organizations.models import Organization, OrganizationTally, TallyCheckpoint

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
        f"(checked in {time.perf_counter() - started:.1f} s)"
    )
    started = time.perf_counter()
    if not TallyCheckpoint.objects.exists():
        print("taking the checkpoints of a database made before them…")
        checkpoints.rebuild()
    differ = checkpoints.verify()
    print(
        f"{TallyCheckpoint.objects.count()} checkpoints and today's tallies against the "
        f"periods: {'exact' if not differ else f'{len(differ)} differ'} "
        f"(checked in {time.perf_counter() - started:.1f} s)\n"
    )

    root = Organization.objects.get(parent__isnull=True)
    county = Organization.objects.filter(depth=2).first()
    town = Organization.objects.filter(depth=3).first()
    nodes = [("town", town), ("county", county)] + (
        [("province", root)] if args.scale == "province" else []
    )
    today = dt.date.today()
    pasts = [(what, today - dt.timedelta(days=days)) for what, days in AS_OF]

    rows = []
    reference_rows = set()
    inexact: list[str] = []

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
        if (label != "province" or args.naive_province) and not args.as_of_only:
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
        for what, past in pasts:
            rows_of_date, exact = as_of_rows(node, what, past, args.runs)
            if not exact:
                inexact.append(f"{label} {past}")
            for row, reference in rows_of_date:
                add("", *row, reference=reference)
        if args.as_of_only:
            continue
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
    if not args.as_of_only:
        for row in write_cost(max(5, args.runs // 2)):
            reference_rows.add(len(rows))
            rows.append(row)
    print(table(rows, ["node", "what", "median ms", "p95 ms", "queries", "vs naive walk / note"]))
    print(
        "\nas-of counts against a direct count of the periods: "
        + ("exact" if not inexact else f"DIFFER for {', '.join(inexact)}")
    )
    worst = max(float(r[3]) for i, r in enumerate(rows) if i not in reference_rows)
    print(
        f"\nworst p95 of counts and list data: {worst:.1f} ms (goal: under 100 ms) — "
        f"{'met' if worst < 100 else 'NOT met'}; whole pages, the write cost and the "
        "'before' rows are shown for reference"
    )


if __name__ == "__main__":
    main()
