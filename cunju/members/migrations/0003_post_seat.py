"""Posts held know the committee seat they come from; seats held before get their post."""

import django.db.models.deletion
from django.db import migrations, models

# Post titles are register data, kept in the default language like names entered by hand.
ROLE_TITLES = {"secretary": "书记", "deputy": "副书记", "member": "委员"}


def posts_for_existing_seats(apps, schema_editor):
    CommitteeMember = apps.get_model("organizations", "CommitteeMember")
    Post = apps.get_model("members", "Post")
    seats = CommitteeMember.objects.filter(member__isnull=False).select_related("term")
    Post.objects.bulk_create(
        Post(
            member_id=seat.member_id,
            title=ROLE_TITLES.get(seat.role, seat.role),
            organization_id=seat.term.organization_id,
            started_on=seat.started_on,
            ended_on=seat.ended_on or seat.term.ended_on,
            seat=seat,
        )
        for seat in seats.iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_transferred_out"),
        ("organizations", "0002_committees_and_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="seat",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="post",
                to="organizations.committeemember",
                verbose_name="committee seat",
            ),
        ),
        migrations.RunPython(posts_for_existing_seats, migrations.RunPython.noop),
    ]
