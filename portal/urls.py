from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health, two_factor, views
from .forms import AdminLoginForm, LoginForm

admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    # For load balancers: up/down per component, no sign-in (portal/health.py).
    path("health/", health.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("admin/", admin.site.urls),
    path("directory/", include("directory.urls")),
    path("policies/", include("policies.urls")),
    path("second-opinions/", include("second_opinions.urls")),
    path("mdt/", include("mdt.urls")),
    path("diagnostic/", include("diagnostics.urls")),
    path("", include("waiting_times.urls")),
    path("", include("referrals.urls")),
]
