from django.apps import AppConfig


class SecondOpinionsConfig(AppConfig):
    name = "second_opinions"
    verbose_name = "Second opinions"
