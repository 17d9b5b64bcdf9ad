from django.apps import AppConfig


class ReplicationConfig(AppConfig):
    name = "vigil.replication"
    label = "replication"
    verbose_name = "Sync between instances"
