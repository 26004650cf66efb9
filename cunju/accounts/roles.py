"""Roles and what each may do: rules as data, read by ``RoleBackend``.

Permissions are Django permission names. Every role is further limited to its scope node
by ``for_user``; a permission never widens what a user can see.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    TOWN_ADMIN = "town_admin", _("Town administrator")
    COMMUNITY_SECRETARY = "community_secretary", _("Community Party secretary")
    BRANCH_SECRETARY = "branch_secretary", _("Branch secretary")
    CLERK = "clerk", _("Clerk")
    MEMBER = "member", _("Party member")


VIEW_TREE = {"places.view_place", "organizations.view_organization"}
EDIT_TREE = {
    "places.add_place",
    "places.change_place",
    "places.import_place",
    "organizations.add_organization",
    "organizations.change_organization",
}
VIEW_MEMBERS = {
    "members.view_member",
    "development.view_applicant",
    "mobility.view_mobility",
    "dues.view_dues",
    "evaluation.view_evaluation",
}
EDIT_MEMBERS = {
    "members.add_member",
    "members.change_member",
    "members.import_member",
    "organizations.import_organization",
    "development.change_applicant",
    "mobility.change_mobility",
    "dues.change_dues",
    "evaluation.change_evaluation",
}
# Approvals that belong to a Party committee (town or community level), not a branch.
APPROVE = {"development.approve_admission", "dues.approve_exemption", "mobility.accept_transfer"}
MANAGE_USERS = {"accounts.view_user", "accounts.add_user", "accounts.change_user"}
REVEAL = {"core.reveal_personal_data"}
# The study library is for everyone who signs in; moderation belongs to Party committees.
READ_LIBRARY = {"library.view_document", "library.add_document"}
MODERATE_LIBRARY = {"library.moderate_document"}
MANAGE_LIBRARY = {"library.manage_library", "points.view_entry", "points.add_entry"}
AUDIT = {"core.view_audit_log"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: VIEW_TREE
    | EDIT_TREE
    | VIEW_MEMBERS
    | EDIT_MEMBERS
    | APPROVE
    | MANAGE_USERS
    | REVEAL
    | AUDIT
    | READ_LIBRARY
    | MODERATE_LIBRARY
    | MANAGE_LIBRARY,
    Role.TOWN_ADMIN: VIEW_TREE
    | EDIT_TREE
    | VIEW_MEMBERS
    | EDIT_MEMBERS
    | APPROVE
    | MANAGE_USERS
    | REVEAL
    | AUDIT
    | READ_LIBRARY
    | MODERATE_LIBRARY
    | MANAGE_LIBRARY,
    Role.COMMUNITY_SECRETARY: VIEW_TREE
    | EDIT_TREE
    | VIEW_MEMBERS
    | EDIT_MEMBERS
    | APPROVE
    | {"accounts.view_user"}
    | REVEAL
    | READ_LIBRARY
    | MODERATE_LIBRARY
    | {"points.view_entry"},
    Role.BRANCH_SECRETARY: VIEW_TREE
    | VIEW_MEMBERS
    | EDIT_MEMBERS
    | {"accounts.view_user"}
    | READ_LIBRARY,
    Role.CLERK: VIEW_TREE
    | VIEW_MEMBERS
    | EDIT_MEMBERS
    | {"places.add_place", "places.change_place", "places.import_place"}
    | READ_LIBRARY,
    Role.MEMBER: READ_LIBRARY,
}

# Roles that see the whole installation regardless of scope.
UNSCOPED_ROLES = {Role.SYSTEM_ADMIN}

# Which roles a user of a role may hand out (never above their own).
ASSIGNABLE_ROLES: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: set(Role.values),
    Role.TOWN_ADMIN: set(Role.values) - {Role.SYSTEM_ADMIN},
}
