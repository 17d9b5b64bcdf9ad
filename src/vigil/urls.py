from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from vigil.exchange import views as import_views
from vigil.web import offline, twofactor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("public/", views.public_figures, name="public_figures"),
    path("unlock/", views.unlock, name="unlock"),
    path("lock/", views.lock_now, name="lock_now"),
    path("login/", twofactor.LoginView.as_view(), name="login"),
    path("login/verify/", twofactor.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/", twofactor.two_factor_setup, name="two_factor_setup"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("intake/", views.intake, name="intake"),
    path("sw.js", offline.service_worker, name="offline_service_worker"),
    path("detentions/", views.detention_list, name="detention_list"),
    path("detentions/export.<str:fmt>", views.detention_export, name="detention_export"),
    path("detentions/<int:pk>/", views.detention_detail, name="detention_detail"),
    path("detentions/<int:pk>/case/", views.detention_add_case, name="detention_add_case"),
    path("detentions/<int:pk>/allegation/", views.detention_add_allegation, name="detention_add_allegation"),
    path("detentions/<int:pk>/release/", views.detention_release, name="detention_release"),
    path("detentions/<int:pk>/whereabouts/", views.detention_whereabouts, name="detention_whereabouts"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/merge/", views.person_merge, name="person_merge"),
    path("persons/<int:pk>/split/", views.person_split, name="person_split"),
    path("link-operations/<int:pk>/undo/", views.operation_undo, name="operation_undo"),
    path("events/", views.event_list, name="event_list"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("events/<slug:slug>/figures.json", views.event_figures_json, name="event_figures_json"),
    path("events/<slug:slug>/figures.csv", views.event_figures_csv, name="event_figures_csv"),
    path("events/<slug:slug>/snapshot/", views.event_snapshot, name="event_snapshot"),
    path("events/<slug:slug>/estimate/", views.event_estimate, name="event_estimate"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review_decide, name="review_decide"),
    path("review/run/", views.review_run_linkage, name="review_run_linkage"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot_detail"),
    path("audit/", views.audit_log, name="audit_log"),
    path("import/", import_views.import_file, name="import_file"),
    path("import/court-matches/", import_views.court_matches, name="court_matches"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("api/", include("vigil.api.urls")),
    path("sync/", include("vigil.replication.urls")),
]
