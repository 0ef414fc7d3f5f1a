from functools import cached_property

from django.contrib.auth.models import AbstractUser

from .roles import Role


class User(AbstractUser):
    """A portal account. Roles are Django groups (portal/roles.py); a clinician's account may be
    linked to their directory entry (directory.Practitioner.user)."""

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return self.is_active and role.value in self.role_names

    @property
    def is_mdt_office(self) -> bool:
        return self.has_role(Role.MDT_OFFICE)

    @property
    def is_clinician(self) -> bool:
        return self.has_role(Role.CLINICIAN)

    @property
    def is_sag_member(self) -> bool:
        return self.has_role(Role.SAG_MEMBER)
