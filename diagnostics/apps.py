from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    """The diagnostic pathway: returns, pathology review, mutual aid, clinic surveys, evaluation."""

    name = "diagnostics"
    verbose_name = "Diagnostic pathway"
