from django.apps import AppConfig


class MdtConfig(AppConfig):
    """MDTs and their meetings: case lists, attendance, outcomes, reminders and calendar feeds."""

    name = "mdt"
    verbose_name = "MDT meetings"
