from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("detentions/", views.DetentionListView.as_view(), name="api_detentions"),
    path("detentions/<int:pk>/", views.DetentionDetailView.as_view(), name="api_detention"),
    path("detentions/<int:pk>/release/", views.ReleaseView.as_view(), name="api_release"),
    path("detentions/<int:pk>/whereabouts/", views.WhereaboutsView.as_view(), name="api_whereabouts"),
    path("cases/", views.CaseCreateView.as_view(), name="api_cases"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="api_case"),
    path("cases/<int:pk>/hearings/", views.HearingView.as_view(), name="api_hearings"),
    path("cases/<int:pk>/decisions/", views.DecisionView.as_view(), name="api_decisions"),
    path("events/", views.EventListView.as_view(), name="api_events"),
    path("figures/", views.FiguresView.as_view(), name="api_figures"),
    path("events/<slug:slug>/figures/", views.FiguresView.as_view(), name="api_event_figures"),
]
