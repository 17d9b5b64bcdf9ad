from django.apps import AppConfig


class DemoConfig(AppConfig):
    """``vigil demo``: loads the synthetic world of :mod:`vigil.lib.synthetic` through the operations."""

    name = "vigil.demo"
    label = "demo"
    verbose_name = "Synthetic demo"
