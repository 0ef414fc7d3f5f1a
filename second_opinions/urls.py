"""Second-opinion requests, mounted at /second-opinions/. URLs carry ids only."""

from django.urls import path

from . import views

app_name = "second_opinions"

urlpatterns = [
    path("", views.index, name="index"),
    path("how-to-ask/", views.how_to_ask, name="how_to_ask"),
    path("new/", views.request_create, name="create"),
    path("queue/", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/opinion/", views.send_opinion, name="send_opinion"),
]
