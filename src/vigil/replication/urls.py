from django.urls import path

from vigil.replication import views

app_name = "sync"
urlpatterns = [
    path("exchange", views.exchange, name="exchange"),
    path("conflicts/", views.conflicts, name="conflicts"),
]
