"""The cancer waiting-time clocks (28-day Faster Diagnosis, 62-day and 31-day standards), counted as
NHS England counts them, with the tracking list and the national return built on them."""

from django.apps import AppConfig


class WaitingTimesConfig(AppConfig):
    name = "waiting_times"
    verbose_name = "Cancer waiting times"
