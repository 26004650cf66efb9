# Checkpoints of the member numbers on past dates, taken for the history already recorded
# (``organizations.checkpoints``: one each time 100,000 period starts and ends have gone by).

import datetime as dt

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Max, Q
from django.db.models.functions import Substr
from django.utils import timezone

SPAN = 100_000
PREFIX_LENGTH = 20  # four levels of the tree


def take_checkpoints(apps, schema_editor):
    Period = apps.get_model("members", "MembershipPeriod")
    Member = apps.get_model("members", "Member")
    Version = apps.get_model("organizations", "OrganizationVersion")
    Checkpoint = apps.get_model("organizations", "TallyCheckpoint")
    Row = apps.get_model("organizations", "CheckpointTally")
    today = timezone.localdate()
    changes = {}
    periods = Period.objects.order_by()
    for field, rows in (
        ("valid_from", periods),
        ("valid_to", periods.filter(valid_to__isnull=False)),
    ):
        for day, n in rows.values_list(field).annotate(n=Count("*")):
            changes[day] = changes.get(day, 0) + n
    dates, gone_by = [], 0
    for day in sorted(changes):
        gone_by += changes[day]
        if gone_by >= SPAN:
            first = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
            if first > today:
                break
            if not dates or dates[-1] != first:
                dates.append(first)
            gone_by = 0
    seen = {
        "periods_seen": Period.objects.aggregate(n=Max("pk"))["n"] or 0,
        "members_seen": Member.objects.aggregate(n=Max("pk"))["n"] or 0,
        "versions_seen": Version.objects.aggregate(n=Max("pk"))["n"] or 0,
    }
    for on in dates:
        grouped = (
            periods.filter(valid_from__lte=on, status__in=["full", "probationary"])
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
            .annotate(prefix=Substr("org_path", 1, PREFIX_LENGTH))
            .values_list("prefix", "status", "is_mobile")
            .annotate(n=Count("*"))
        )
        sums = {}
        for prefix, status, is_mobile, n in grouped:
            row = sums.setdefault(prefix, [0, 0, 0])
            row[0 if status == "full" else 1] += n
            row[2] += n if is_mobile else 0
        checkpoint = Checkpoint.objects.create(as_of=on, **seen)
        Row.objects.bulk_create(
            (
                Row(checkpoint=checkpoint, org_path=path, full=f, probationary=p, mobile=m)
                for path, (f, p, m) in sorted(sums.items())
            ),
            batch_size=5000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_period_date_indexes"),
        ("organizations", "0003_tallies"),
    ]

    operations = [
        migrations.CreateModel(
            name="TallyCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("as_of", models.DateField(unique=True, verbose_name="as of")),
                ("periods_seen", models.BigIntegerField(default=0)),
                ("members_seen", models.BigIntegerField(default=0)),
                ("versions_seen", models.BigIntegerField(default=0)),
                ("taken_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "member tally checkpoint",
                "verbose_name_plural": "member tally checkpoints",
                "ordering": ["as_of"],
            },
        ),
        migrations.CreateModel(
            name="CheckpointTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("org_path", models.CharField(max_length=255)),
                ("full", models.IntegerField(default=0)),
                ("probationary", models.IntegerField(default=0)),
                ("mobile", models.IntegerField(default=0)),
                (
                    "checkpoint",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="organizations.tallycheckpoint",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["checkpoint", "org_path", "full", "probationary", "mobile"],
                        name="checkpoint_path_counts",
                    )
                ],
            },
        ),
        migrations.RunPython(take_checkpoints, migrations.RunPython.noop),
    ]
