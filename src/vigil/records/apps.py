from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "vigil.records"
    label = "records"
