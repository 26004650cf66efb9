"""The actor for work nobody clicked: the command line, demo data, scheduled tasks."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """Acts with every permission over the whole tree; audited as "system"."""

    username: str = "system"
    pk: None = None
    is_active: bool = True
    is_authenticated: bool = True
    is_superuser: bool = True
    sees_everything: bool = True
    role: str = "system_admin"
    scope: None = None

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return True

    def __str__(self) -> str:
        return self.username


SYSTEM = SystemActor()
