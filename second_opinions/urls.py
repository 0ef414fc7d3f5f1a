from django.urls import path  # noqa: F401

app_name = "second_opinions"

urlpatterns: list = []
