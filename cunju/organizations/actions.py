"""Organization actions: found, rename and move Party organizations inside the actor's
scope, and record their committees' elections (换届) and seats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Max, Q, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, diff, require, snapshot
from cunju.core.rules import rule
from cunju.core.scoping import ensure_in_scope
from cunju.core.tree import subtree_q
from cunju.members.actions import close_post, open_post
from cunju.members.models import ACTIVE_STATUSES, MemberStatus, Post
from cunju.places.models import Place

from . import rules, tallies
from .history import as_of, open_version
from .models import CommitteeMember, Organization, OrganizationVersion, Term
from .signals import organization_merged, subtree_moved


@action("organizations.create_organization", gettext_lazy("Set up a Party organization"))
def create_organization(
    actor: Any,
    *,
    parent: Organization | None,
    kind: str,
    category: str,
    name: str,
    place: Place,
    short_name: str = "",
    founded_on: dt.date | None = None,
) -> Organization:
    """Found an organization under ``parent`` for a place inside the actor's scope."""
    require(actor, "organizations.add_organization")
    if parent is None:
        if not actor.sees_everything:
            raise ValidationError({"parent": _("Choose the higher organization.")})
    else:
        ensure_in_scope(actor, parent)
        parent.check_current("parent")
    ensure_in_scope(actor, place)
    allowed = Organization.ALLOWED_CHILDREN.get(parent.kind if parent else None, set())
    if kind not in allowed:
        raise ValidationError(
            {
                "kind": _("A %(kind)s cannot be set up under %(parent)s.")
                % {
                    "kind": Organization.Kind(kind).label,
                    "parent": parent.name if parent else _("the top level"),
                }
            }
        )
    name = (name or "").strip()
    if Organization.objects.current().filter(parent=parent, name=name).exists():
        raise ValidationError({"name": _("An organization with this name already exists there.")})
    if parent is not None and founded_on is not None:
        # Founded back then under the parent's path of today: it must have had it since.
        _check_new_parent(parent, founded_on)
    org = Organization(
        parent=parent,
        kind=kind,
        category=category,
        name=name,
        place=place,
        short_name=short_name,
        founded_on=founded_on,
    )
    org.full_clean(exclude=["parent", "path", "depth"])
    org.save()
    _open_first_version(org)
    describe(
        org,
        {
            "parent": str(parent or ""),
            "kind": kind,
            "category": category,
            "name": name,
            "place": str(place),
        },
    )
    return org


@action("organizations.update_organization", gettext_lazy("Edit a Party organization"))
def update_organization(
    actor: Any, org: Organization, *, on: dt.date | None = None, **changes: Any
) -> Organization:
    """Rename an organization or change its short name, category or founding date.

    A new name holds from ``on`` (today): the history keeps the old name before it.
    """
    require(actor, "organizations.change_organization")
    ensure_in_scope(actor, org)
    describe(org)  # a refused change is still audited against the organization
    org.check_current("name")
    fields = ["name", "short_name", "category", "founded_on"]
    before = snapshot(org, fields)
    for name, value in changes.items():
        if name not in fields:
            raise ValueError(f"cannot change {name}")
        setattr(org, name, value)
    org.full_clean(exclude=["parent", "path", "depth"])
    changed = diff(before, org)
    if "name" in changed:
        on = on or dt.date.today()
        check_change_date(org, on, subtree=False)
    org.save()
    if "name" in changed:
        open_version(org, on)
    describe(org, changed)
    return org


def _open_first_version(org: Organization) -> None:
    # Without a founding date the organization is taken to have always read this way,
    # unless its path once belonged to another organization (moved away): then from today.
    since = org.founded_on
    if since is None and (
        OrganizationVersion.objects.filter(path=org.path).exclude(organization=org).exists()
    ):
        since = dt.date.today()
    open_version(org, since)


def last_change(org: Organization) -> dt.date | None:
    """The date of the last dated change of ``org`` or anything under it, including an
    organization that has left it since (None: none dated)."""
    opened = (
        OrganizationVersion.objects.filter(subtree_q(org.path, "organization__path"))
        .filter(valid_to__isnull=True, valid_from__isnull=False)
        .aggregate(last=Max("valid_from"))["last"]
    )
    # A closed version under this path ended with a change there: a rename, or a move away
    # of an organization that may have left the subtree since.
    closed = OrganizationVersion.objects.filter(
        subtree_q(org.path, "path"), valid_to__isnull=False
    ).aggregate(last=Max("valid_to"))["last"]
    return max((day for day in (opened, closed) if day is not None), default=None)


def check_change_date(org: Organization, on: dt.date, *, subtree: bool = True) -> None:
    """A dated change may not be in the future nor before the last change of the organization
    or, for a move (``subtree``), of anything under it (``last_change``): a move dated before
    that would rewrite the history of the subtree as it is now, not as it was. A rename
    changes the organization's own versions only."""
    if on > dt.date.today():
        raise ValidationError({"on": _("The date is in the future.")})
    if subtree:
        last = last_change(org)
    else:
        last = org.versions.filter(valid_to__isnull=True, valid_from__isnull=False).aggregate(
            last=Max("valid_from")
        )["last"]
    if last is not None and on < last:
        left = _left_since(org, on) if subtree else None
        if left is not None:
            # Its months here would need rewriting too, and it is no longer in the subtree.
            raise ValidationError(
                {
                    "on": _(
                        "%(org)s left this organization on %(date)s: a move of it can be "
                        "dated that day or later."
                    )
                    % {"org": left.organization.name, "date": left.valid_to.isoformat()}
                }
            )
        raise ValidationError(
            {
                "on": _("The organization last changed on %(date)s; give that date or later.")
                % {"date": last.isoformat()}
            }
        )


def _left_since(org: Organization, on: dt.date) -> OrganizationVersion | None:
    """The last version under ``org``'s path, ended after ``on``, of an organization that is
    no longer under it (None: none)."""
    return (
        OrganizationVersion.objects.filter(subtree_q(org.path, "path"), valid_to__gt=on)
        .exclude(subtree_q(org.path, "organization__path"))
        .select_related("organization")
        .order_by("-valid_to")
        .first()
    )


def _check_new_parent(parent: Organization, on: dt.date) -> None:
    # The subtree takes the parent's path of today from ``on``: the parent must have been
    # there, under that path, since then.
    then = as_of(parent, on)
    first = parent.versions.order_by("valid_from").first()
    if then is None and first is not None:
        raise ValidationError(
            {
                "on": _("%(org)s was set up on %(date)s, after this date.")
                % {"org": parent.name, "date": first.valid_from.isoformat()}
            }
        )
    elsewhere = (
        parent.versions.exclude(path=parent.path).filter(valid_to__gt=on).order_by("-valid_to")
    ).first()
    if elsewhere is not None:
        raise ValidationError(
            {
                "on": _("%(org)s moved in the tree on %(date)s, after this date.")
                % {"org": parent.name, "date": elsewhere.valid_to.isoformat()}
            }
        )


@action("organizations.move_organization", gettext_lazy("Move a Party organization"))
def move_organization(
    actor: Any, org: Organization, *, parent: Organization | None, on: dt.date, reason: str = ""
) -> Organization:
    """Hang ``org`` and everything under it below ``parent`` from the date ``on``.

    Paths change for the whole subtree, in the tree and in the member register; the
    organization history and each member's periods keep the old paths before ``on``, so
    numbers as of an earlier date still count where members were.
    """
    from cunju.members.models import Member, MembershipPeriod

    require(actor, "organizations.change_organization")
    ensure_in_scope(actor, org)
    describe(org)
    org.check_current("parent")
    if parent is None:
        if not actor.sees_everything:
            raise ValidationError({"parent": _("Choose the higher organization.")})
    else:
        ensure_in_scope(actor, parent)
        parent.check_current("parent")
    if parent is not None and parent.is_within(org):
        raise ValidationError(
            {"parent": _("An organization cannot move under itself or its own sub-organizations.")}
        )
    if (parent.pk if parent else None) == org.parent_id:
        raise ValidationError({"parent": _("The organization is already there.")})
    allowed = Organization.ALLOWED_CHILDREN.get(parent.kind if parent else None, set())
    if org.kind not in allowed:
        raise ValidationError(
            {
                "parent": _("A %(kind)s cannot be under %(parent)s.")
                % {
                    "kind": Organization.Kind(org.kind).label,
                    "parent": parent.name if parent else _("the top level"),
                }
            }
        )
    if Organization.objects.current().filter(parent=parent, name=org.name).exists():
        raise ValidationError(
            {
                "parent": _("%(name)s: an organization with this name already exists there.")
                % {"name": org.name}
            }
        )
    check_change_date(org, on)
    if parent is not None:
        _check_new_parent(parent, on)
    old_parent, old_path = org.parent, org.path
    org.move_under(parent)
    new_path = org.path
    old_range = subtree_q(old_path, "org_path")

    def rewritten(field: str = "org_path") -> Concat:
        return Concat(Value(new_path), Substr(F(field), len(old_path) + 1))

    # The members whose register row or history this rewrites are locked first, in one
    # order, as a member's own change locks the member before reading its periods
    # (``members.actions.start_period``): either waits for the other, neither deadlocks.
    history = MembershipPeriod.objects.filter(old_range).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )
    locked = Member.objects.select_for_update().filter(
        Q(old_range) | Q(pk__in=history.values("member_id"))
    )
    list(locked.order_by("pk").values_list("pk", flat=True))
    # The register follows at once; member history splits on the move date.
    Member.objects.filter(old_range).update(org_path=rewritten())
    tallies.moved(old_path, new_path)
    MembershipPeriod.objects.filter(old_range, valid_from__gte=on).update(org_path=rewritten())
    spanning = list(
        MembershipPeriod.objects.filter(old_range, valid_from__lt=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on)
        )
    )
    MembershipPeriod.objects.filter(pk__in=[p.pk for p in spanning]).update(valid_to=on)
    MembershipPeriod.objects.bulk_create(
        MembershipPeriod(
            member_id=p.member_id,
            organization_id=p.organization_id,
            org_path=new_path + p.org_path[len(old_path) :],
            status=p.status,
            is_mobile=p.is_mobile,
            valid_from=on,
            valid_to=p.valid_to,
        )
        for p in spanning
    )
    # Apps holding copies of the paths (library documents) follow in the same transaction.
    subtree_moved.send(Organization, old_path=old_path, new_path=new_path)
    # Every organization in the subtree has a new path from ``on`` (those dissolved keep
    # their history as it ended).
    moved = list(Organization.objects.subtree(org).current())
    versions = OrganizationVersion.objects.filter(organization__in=moved, valid_to__isnull=True)
    versions.filter(valid_from=on).delete()
    versions.update(valid_to=on)
    OrganizationVersion.objects.bulk_create(
        OrganizationVersion(
            organization=o, valid_from=on, name=o.name, parent_id=o.parent_id, path=o.path
        )
        for o in moved
    )
    describe(
        org,
        {
            "parent": [str(old_parent or ""), str(parent or "")],
            "on": on.isoformat(),
            "members": Member.objects.filter(subtree_q(new_path, "org_path")).count(),
        },
        reason,
    )
    return org


# --- Dissolving and merging (撤销、合并) ---------------------------------------------------

# Register statuses of members who still belong to an organization: they go where it is
# merged, and an organization cannot be dissolved while it has any.
STAYING_STATUSES = (*ACTIVE_STATUSES, MemberStatus.SUSPENDED)


def _work_in_progress(org: Organization) -> tuple[QuerySet, QuerySet, list[str]]:
    """Work in progress that names ``org``: the people in development at it and the mobile
    members from elsewhere taking part in its life, which go with it where it is merged; and
    what keeps it from being dissolved even in a merge (to be finished first)."""
    from cunju.development.models import OPEN_STAGES, Applicant
    from cunju.evaluation.models import EvaluationRound
    from cunju.mobility.models import MobileRecord, Transfer

    applicants = Applicant.objects.filter(branch=org, stage__in=OPEN_STAGES)
    inflow = MobileRecord.objects.inflow().open().filter(organization=org)
    blockers = []
    transfers = Transfer.objects.pending().filter(Q(from_organization=org) | Q(to_organization=org))
    if transfers.exists():
        blockers.append(
            _("%(n)d transfer letters from or to it are waiting.") % {"n": transfers.count()}
        )
    if EvaluationRound.objects.filter(branch=org, closed_on__isnull=True).exists():
        blockers.append(_("Its democratic evaluation round is still open."))
    return applicants, inflow, blockers


def _check_dissolution_date(org: Organization, on: dt.date) -> None:
    """Nothing at ``org`` may have happened after ``on``: a member's record there (a move in or
    out, a death), its committee's election or a seat or post taken up there. Otherwise
    its history would run on past its end."""
    from cunju.members.models import MembershipPeriod, Post

    later: dict[str, dt.date] = {}
    periods = MembershipPeriod.objects.filter(organization=org).filter(
        Q(valid_from__gt=on) | Q(valid_to__gt=on)
    )
    for period in periods.select_related("member"):
        day = max(d for d in (period.valid_from, period.valid_to) if d is not None)
        later[period.member.name] = max(day, later.get(period.member.name, day))
    posts = Post.objects.filter(organization=org, ended_on__isnull=True, started_on__gt=on)
    for post in posts.select_related("member"):
        later[post.member.name] = max(post.started_on, later.get(post.member.name, post.started_on))
    if later:
        last = max(later.values())
        names = sorted(later, key=lambda name: later[name], reverse=True)[:5]
        raise ValidationError(
            {
                "on": _(
                    "The records of %(names)s at this organization change after this date, "
                    "the last on %(date)s: give that date or later."
                )
                % {"names": "、".join(names), "date": last.isoformat()}
            }
        )
    term = org.terms.filter(ended_on__isnull=True).first()
    if term is not None:
        started = max(
            [
                term.elected_on,
                *term.seats.filter(ended_on__isnull=True).values_list("started_on", flat=True),
            ]
        )
        if started > on:
            raise ValidationError(
                {
                    "on": _("Its committee changed on %(date)s: give that date or later.")
                    % {"date": started.isoformat()}
                }
            )


@action(
    "organizations.dissolve_organization", gettext_lazy("Dissolve or merge a Party organization")
)
def dissolve_organization(
    actor: Any,
    org: Organization,
    *,
    on: dt.date,
    into: Organization | None = None,
    reason: str = "",
) -> Organization:
    """Dissolve ``org`` from the date ``on`` (撤销) or, with ``into``, merge it into another
    organization (合并): its members and the organizations under it move there on that date
    (a Party group where one of the same name is, merged into it), then it is dissolved.

    A dissolved organization keeps its row and its history: its last version ends on ``on``,
    so the tree and the numbers as of an earlier date still show it, and later ones do not.
    Its committee's term ends on ``on``. It can no longer be chosen, moved to, or changed.
    """
    from cunju.accounts.models import User
    from cunju.members.actions import move_member
    from cunju.members.models import Member

    require(actor, "organizations.change_organization")
    ensure_in_scope(actor, org)
    describe(org)
    # Locked and read again: a second dissolution or merge of it waits, then finds it gone.
    given, org = org, Organization.objects.select_for_update(no_key=True).get(pk=org.pk)
    org.check_current("into")
    if org.parent_id is None:
        raise ValidationError({"into": _("The top organization of a tree cannot be dissolved.")})
    if into is not None:
        ensure_in_scope(actor, into)
        into.check_current("into")
        if into.kind == Organization.Kind.GROUP and org.kind != Organization.Kind.GROUP:
            raise ValidationError(
                {"into": _("Organizations merge into a branch, general branch or committee.")}
            )
        if into.is_within(org):
            raise ValidationError(
                {"into": _("An organization cannot be merged into itself or what is under it.")}
            )
    check_change_date(org, on)
    _check_dissolution_date(org, on)
    if into is not None:
        _check_new_parent(into, on)
    applicants, inflow, blockers = _work_in_progress(org)
    if blockers:
        raise ValidationError(
            {"into": [_("%(org)s cannot be dissolved yet:") % {"org": org.name}, *blockers]}
        )
    # Inactive ones too: reactivated, they would work in an organization that is gone.
    users = list(
        User.objects.filter(scope=org).order_by("username").values_list("username", flat=True)
    )
    if users:
        raise ValidationError(
            {
                "into": _("Give these accounts another scope first: %(users)s.")
                % {"users": "、".join(users)}
            }
        )
    members = list(
        Member.objects.filter(organization=org, status__in=STAYING_STATUSES).order_by("pk")
    )
    children = list(Organization.objects.current().filter(parent=org).order_by("path"))
    others = applicants.count() + inflow.count()
    if into is None and (members or children or others):
        raise ValidationError(
            {
                "into": _(
                    "%(org)s still has %(members)d members, %(children)d organizations under "
                    "it and %(others)d people in development or from elsewhere: choose the "
                    "organization to merge it into, or move them first."
                )
                % {
                    "org": org.name,
                    "members": len(members),
                    "children": len(children),
                    "others": others,
                }
            }
        )
    why = reason
    if into is not None and not reason:
        # Stored in the members' records: in the site's language, as seat posts are.
        with translation.override(settings.LANGUAGE_CODE):
            why = _("Merged into %(org)s") % {"org": into.name}
    namesakes = (
        {}
        if into is None
        else {(c.name, c.kind): c for c in Organization.objects.current().filter(parent=into)}
    )
    for child in children:
        twin = namesakes.get((child.name, child.kind))
        if twin is not None and child.kind == Organization.Kind.GROUP:
            # Two branches' 第一党小组 become one.
            dissolve_organization(actor, child, on=on, into=twin, reason=why)
        else:
            move_organization(actor, child, parent=into, on=on, reason=why)
    for member in members:
        move_member(actor, member, organization=into, on=on, reason=why)
    # Their development goes on in the organization merged into, as their life there does.
    carried = {"applicants": applicants.update(branch=into) if into else 0}
    carried["inflow"] = inflow.update(organization=into) if into else 0
    term = org.terms.filter(ended_on__isnull=True).first()
    if term is not None:
        _close_term(term, on)
    # Posts held at it (a group leader, say) end with it.
    for post in Post.objects.filter(organization=org, ended_on__isnull=True).select_related(
        "organization"
    ):
        close_post(post, on)
    current = org.versions.filter(valid_to__isnull=True)
    # A version opened that very day covers no day once closed.
    current.filter(valid_from=on).delete()
    current.update(valid_to=on)
    org.dissolved_on, org.merged_into = on, into
    org.save(update_fields=["dissolved_on", "merged_into", "updated_at"])
    given.dissolved_on, given.merged_into = on, into  # the caller's copy says so too
    if into is not None:
        # Apps holding copies of it (library documents) hand them to where it went.
        organization_merged.send(Organization, old=org, new=into)
    describe(
        org,
        {
            "dissolved_on": on.isoformat(),
            "merged_into": str(into or ""),
            "members": len(members),
            "organizations": [c.name for c in children],
            **carried,
        },
        reason,
    )
    return org


# --- Committees and terms (换届) ---------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (28 February for a 29 February start)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 2, 28)


def term_years_for(org: Organization, on: dt.date) -> int:
    """How many years a committee of ``org`` elected on ``on`` serves, by the rules."""
    kind = Organization.Kind
    if org.kind == kind.COMMITTEE:
        key = rules.TERM_YEARS_COMMITTEE
    elif org.kind == kind.GENERAL_BRANCH and org.category in COMMUNITY_CATEGORIES:
        key = rules.TERM_YEARS_COMMUNITY_GENERAL_BRANCH
    elif org.kind == kind.GENERAL_BRANCH:
        key = rules.TERM_YEARS_GENERAL_BRANCH
    elif org.category in COMMUNITY_CATEGORIES:
        key = rules.TERM_YEARS_COMMUNITY_BRANCH
    else:
        key = rules.TERM_YEARS_BRANCH
    return int(rule(key, on=on, region=org.place.code or None))


# Branches and general branches of villages and communities serve the village/community term.
COMMUNITY_CATEGORIES = {
    Organization.Category.VILLAGE,
    Organization.Category.COMMUNITY,
    Organization.Category.RESIDENTIAL,
}
ELECTING_KINDS = {
    Organization.Kind.COMMITTEE,
    Organization.Kind.GENERAL_BRANCH,
    Organization.Kind.BRANCH,
}


def _seat(
    term: Term, *, role: str, member: Any = None, name: str = "", on: dt.date
) -> CommitteeMember:
    from cunju.members.models import MemberStatus

    org = term.organization
    if role not in CommitteeMember.Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if member is not None:
        if not member.org_path.startswith(org.path):
            raise ValidationError(
                {
                    "member": _("%(name)s is not a member under %(org)s.")
                    % {"name": member.name, "org": org.name}
                }
            )
        if member.status != MemberStatus.FULL:
            raise ValidationError(
                {
                    "member": _("Only full members may be elected (%(name)s is “%(status)s”).")
                    % {"name": member.name, "status": MemberStatus(member.status).label}
                }
            )
        name = member.name
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Choose a member from the register or give a name.")})
    if on < term.elected_on:
        raise ValidationError({"on": _("The term began on %(date)s.") % {"date": term.elected_on}})
    if on > dt.date.today():
        raise ValidationError({"on": _("The date is in the future.")})
    current = term.seats.filter(ended_on__isnull=True)
    if role == CommitteeMember.Role.SECRETARY and current.filter(role=role).exists():
        raise ValidationError(
            {"role": _("The committee already has a secretary; remove them first.")}
        )
    if member is not None and current.filter(member=member).exists():
        raise ValidationError(
            {"member": _("%(name)s already sits on this committee.") % {"name": name}}
        )
    seat = CommitteeMember.objects.create(
        term=term, member=member, name=name, role=role, started_on=on
    )
    if member is not None:
        # The seat is a post the member holds: their file lists it until the seat ends.
        with translation.override(settings.LANGUAGE_CODE):
            title = str(CommitteeMember.Role(role).label)
        open_post(
            member,
            title=title,
            organization=org,
            started_on=on,
            seat=seat,
            summary=_("%(role)s of %(org)s") % {"role": seat.get_role_display(), "org": org.name},
        )
    return seat


def _end_seats(seats: Iterable[CommitteeMember], on: dt.date) -> None:
    """End open seats on ``on``, and with them the posts their members hold."""
    seats = [s for s in seats if s.ended_on is None]
    CommitteeMember.objects.filter(pk__in=[s.pk for s in seats]).update(ended_on=on)
    for post in Post.objects.filter(seat__in=seats, ended_on__isnull=True).select_related(
        "organization"
    ):
        close_post(post, max(on, post.started_on))


@action("organizations.elect_committee", gettext_lazy("Record a committee election"))
def elect_committee(
    actor: Any,
    organization: Organization,
    *,
    elected_on: dt.date,
    seats: Iterable[dict[str, Any]] = (),
    note: str = "",
) -> Term:
    """Start a new term (换届): the current term ends on the election date.

    ``seats`` are ``{"role": ..., "member": Member | None, "name": str}``; the term's length
    comes from the rules for the organization's kind in force on the election date.
    """
    require(actor, "organizations.change_organization")
    ensure_in_scope(actor, organization)
    describe(organization)
    organization.check_current("elected_on")
    if organization.kind not in ELECTING_KINDS:
        raise ValidationError(
            {"organization": _("A Party group has a leader, not an elected committee.")}
        )
    if elected_on > dt.date.today():
        raise ValidationError({"elected_on": _("The election date is in the future.")})
    previous = organization.terms.filter(ended_on__isnull=True).first()
    if previous is not None:
        if elected_on <= previous.elected_on:
            raise ValidationError(
                {
                    "elected_on": _(
                        "The current term was elected on %(date)s; the new election must be later."
                    )
                    % {"date": previous.elected_on.isoformat()}
                }
            )
        _close_term(previous, elected_on)
    years = term_years_for(organization, elected_on)
    term = Term.objects.create(
        organization=organization,
        elected_on=elected_on,
        term_years=years,
        due_on=add_years(elected_on, years),
        note=note,
    )
    for seat in seats:
        _seat(term, on=elected_on, **seat)
    describe(
        term,
        {
            "organization": organization.name,
            "elected_on": elected_on.isoformat(),
            "term_years": years,
            "seats": [f"{s.get_role_display()} {s.name}" for s in term.seats.all()],
        },
    )
    return term


def _close_term(term: Term, on: dt.date) -> None:
    _end_seats(term.seats.filter(ended_on__isnull=True), on)
    term.ended_on = on
    term.save(update_fields=["ended_on", "updated_at"])


@action("organizations.add_committee_member", gettext_lazy("Add a committee member"))
def add_committee_member(
    actor: Any,
    term: Term,
    *,
    role: str,
    member: Any = None,
    name: str = "",
    on: dt.date | None = None,
) -> CommitteeMember:
    """Give someone a seat on a current committee (a by-election, 补选)."""
    require(actor, "organizations.change_organization")
    ensure_in_scope(actor, term)
    describe(term)
    if member is not None:
        ensure_in_scope(actor, member)
    if term.ended_on is not None:
        raise ValidationError({"on": _("This term has ended.")})
    seat = _seat(term, role=role, member=member, name=name, on=on or dt.date.today())
    describe(seat, {"role": role, "name": seat.name, "on": seat.started_on.isoformat()})
    return seat


@action("organizations.remove_committee_member", gettext_lazy("Remove a committee member"))
def remove_committee_member(
    actor: Any, seat: CommitteeMember, *, on: dt.date | None = None, reason: str = ""
) -> CommitteeMember:
    """End someone's seat on a committee from a date (resigned, moved away, dismissed)."""
    require(actor, "organizations.change_organization")
    ensure_in_scope(actor, seat)
    describe(seat)
    on = on or dt.date.today()
    if seat.ended_on is not None:
        raise ValidationError({"on": _("This seat already ended.")})
    if on < seat.started_on:
        raise ValidationError({"on": _("The seat began on %(date)s.") % {"date": seat.started_on}})
    if on > dt.date.today():
        raise ValidationError({"on": _("The date is in the future.")})
    _end_seats([seat], on)
    seat.ended_on = on
    describe(seat, {"ended_on": on.isoformat()}, reason)
    return seat


@action("organizations.end_term", gettext_lazy("End a committee term"))
def end_term(actor: Any, term: Term, *, on: dt.date, reason: str = "") -> Term:
    """Close a term without electing a new one (the organization was merged or dissolved)."""
    require(actor, "organizations.change_organization")
    ensure_in_scope(actor, term)
    describe(term)
    if term.ended_on is not None:
        raise ValidationError({"on": _("This term has already ended.")})
    if on < term.elected_on:
        raise ValidationError({"on": _("The term began on %(date)s.") % {"date": term.elected_on}})
    if on > dt.date.today():
        raise ValidationError({"on": _("The date is in the future.")})
    _close_term(term, on)
    describe(term, {"ended_on": on.isoformat()}, reason)
    return term
