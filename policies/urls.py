from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("new/", views.policy_create, name="create"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/file/", views.policy_file, name="file"),
    path("<int:pk>/new-version/", views.policy_new_version, name="new_version"),
    path("<int:pk>/submit/", views.policy_submit, name="submit"),
    path("<int:pk>/approve/", views.policy_approve, name="approve"),
    path("<int:pk>/withdraw/", views.policy_withdraw, name="withdraw"),
    path("<int:pk>/outstanding-items/", views.outstanding_item_add, name="item_add"),
    path("outstanding-items/<int:pk>/close/", views.outstanding_item_close, name="item_close"),
]
