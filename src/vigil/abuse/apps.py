from django.apps import AppConfig


class AbuseConfig(AppConfig):
    name = "vigil.abuse"
    label = "abuse"
