"""The portal's admin site: every admin page is served through it, so rules for every admin page
live here, once.

History pages never write. simple-history's "view this version" page saves the old version when
it is POSTed to (SIMPLE_HISTORY_REVERT_DISABLED only hides the button), which would bypass every
service, change request and approval. Here it answers only GET and HEAD (405 otherwise) for every
model admin, superusers included, whichever base class the admin uses."""

from django.contrib import admin
from django.views.decorators.http import require_safe
from simple_history.admin import SimpleHistoryAdmin


def _is_history_form_view(view) -> bool:
    return isinstance(getattr(view, "__self__", None), SimpleHistoryAdmin) and (
        view.__name__ == "history_form_view"
    )


class PortalAdminSite(admin.AdminSite):
    site_header = "LSESN Sarcoma Portal administration"
    site_title = "LSESN Sarcoma Portal admin"
    index_title = "MDT office administration"

    def admin_view(self, view, cacheable=False):
        if _is_history_form_view(view):
            view = require_safe(view)
        return super().admin_view(view, cacheable)
