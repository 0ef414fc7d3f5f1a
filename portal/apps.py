from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    """The composition root (settings, URLs, the beat schedule, home page, demo data) and the shared
    kernel every app uses: users and roles, the access log, the outbox, paging and widgets."""

    default = True
    name = "portal"
    verbose_name = "Portal accounts and roles"

    def ready(self) -> None:
        from .roles import sync_role_permissions

        # Permissions exist only after each app's post_migrate; re-syncing on every signal means
        # the last app's signal leaves every role with exactly its permissions (also after the
        # test runner's flush, which empties the groups table).
        post_migrate.connect(sync_role_permissions, dispatch_uid="portal.sync_role_permissions")


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site (portal/admin_site.py) as `admin.site`."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"
