from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "vigil.figures"
    label = "figures"
