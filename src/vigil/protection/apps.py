from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "vigil.protection"
    label = "protection"
    verbose_name = "Protection"
