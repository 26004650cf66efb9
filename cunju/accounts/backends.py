"""Authentication by user name and password; permissions granted by role."""

from django.contrib.auth.backends import ModelBackend

from .roles import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    """Grants each user the permissions of their role (``roles.ROLE_PERMISSIONS``)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(ROLE_PERMISSIONS.get(user_obj.role, set()))

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def user_can_authenticate(self, user):
        # Locked accounts are refused by the login action before reaching here.
        return super().user_can_authenticate(user)
