from django.apps import AppConfig


class SecondOpinionsConfig(AppConfig):
    """Second-opinion requests, decided by the network's second-opinion policy, and their figures."""

    name = "second_opinions"
    verbose_name = "Second opinions"
