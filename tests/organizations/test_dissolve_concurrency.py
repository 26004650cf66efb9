"""A merge and an action putting a member in the organization at the same moment: each in its
own thread and connection, released together. Whichever goes first, no member is left in
an organization that is gone (on PostgreSQL the organization's row is locked by both; on
SQLite the IMMEDIATE transactions queue)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cunju.core.system import SYSTEM
from cunju.members.actions import move_member
from cunju.members.models import Member
from cunju.organizations.actions import STAYING_STATUSES, dissolve_organization
from tests.library.test_downloads_concurrency import at_once
from tests.organizations.people import branch, member

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 6
TODAY = dt.date.today()


def english(job):
    # A new thread starts in the default language (Chinese); the messages compared are English.
    def run():
        with translation.override("en"):
            return job()

    return run


def test_no_member_is_left_in_an_organization_merged_at_the_same_moment(world):
    newcomer = member(world.branch_b1, admitted_on=dt.date(2015, 7, 1))
    for n in range(ROUNDS):
        org = branch(world.committee_a, f"南湾村第{n}党支部")
        member(org)
        entered, moved, merged = at_once(
            [
                english(job)
                for job in (
                    lambda org=org: member(org),
                    lambda org=org: move_member(SYSTEM, newcomer, organization=org, on=TODAY),
                    lambda org=org: dissolve_organization(
                        SYSTEM, org, on=TODAY, into=world.branch_a2
                    ),
                )
            ]
        )
        assert not isinstance(merged, Exception), merged
        for result in (entered, moved):
            # Before the merge (and moved along by it), or refused after it.
            assert isinstance(result, Member) or (
                isinstance(result, ValidationError) and "was dissolved" in str(result)
            ), result
        assert not Member.objects.filter(organization=org, status__in=STAYING_STATUSES).exists()
        newcomer.refresh_from_db()
        if newcomer.organization_id != world.branch_b1.pk:
            # Back where it came from for the next round (a move on the same day).
            move_member(SYSTEM, newcomer, organization=world.branch_b1, on=TODAY)
