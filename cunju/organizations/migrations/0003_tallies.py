# The tally of each organization's own members, filled from the members already registered.

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count


def count_members(apps, schema_editor):
    """Organizations that already hold members start with their numbers counted."""
    Member = apps.get_model("members", "Member")
    Tally = apps.get_model("organizations", "OrganizationTally")
    tallies = {}
    grouped = (
        Member.objects.filter(status__in=["full", "probationary"])
        .values("organization_id", "organization__path", "status", "is_mobile")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in grouped:
        tally = tallies.setdefault(
            row["organization_id"],
            Tally(organization_id=row["organization_id"], org_path=row["organization__path"]),
        )
        if row["status"] == "full":
            tally.full += row["n"]
        else:
            tally.probationary += row["n"]
        if row["is_mobile"]:
            tally.mobile += row["n"]
    Tally.objects.bulk_create(tallies.values(), batch_size=5000)


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0002_transferred_out'),
        ('organizations', '0002_committees_and_history'),
    ]

    operations = [
        migrations.CreateModel(
            name='OrganizationTally',
            fields=[
                ('organization', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='tally', serialize=False, to='organizations.organization')),
                ('org_path', models.CharField(editable=False, max_length=255)),
                ('full', models.IntegerField(default=0, verbose_name='full members')),
                ('probationary', models.IntegerField(default=0, verbose_name='probationary members')),
                ('mobile', models.IntegerField(default=0, verbose_name='mobile members')),
            ],
            options={
                'verbose_name': 'member tally',
                'verbose_name_plural': 'member tallies',
                'indexes': [models.Index(fields=['org_path', 'full', 'probationary', 'mobile'], name='tally_path_counts')],
            },
        ),
        migrations.RunPython(count_members, migrations.RunPython.noop),
    ]
