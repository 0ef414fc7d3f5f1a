from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """The SAG-approved network directory: organisations, services and capabilities, practitioners,
    key contacts and diagnostic clinics, changed only through approved change requests."""

    name = "directory"
    verbose_name = "Network directory"
