from django.apps import AppConfig


class LettersConfig(AppConfig):
    """Letters on the network's headed paper (MDT outcomes, returned referrals, second opinions),
    rendered to PDF, filed with their versions, sent by secure e-mail or printed for the post."""

    name = "letters"
    verbose_name = "Letters"
