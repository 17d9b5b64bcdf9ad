from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Data in and out: imports of detention and court lists, exports and investigation packages.

    The label stays "imports", the app's name until December 2026, so that existing databases keep their
    tables (imports_*) and their migration history.
    """

    name = "vigil.exchange"
    label = "imports"
    verbose_name = "Exchange"
