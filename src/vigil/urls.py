from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from vigil.exchange import views as import_views
from vigil.web import offline, twofactor
from vigil.web.views import (
    allegations,
    cases,
    detentions,
    estimate,
    events,
    exports,
    figure_lists,
    home,
    intake,
    jobs,
    persons,
    review,
    tokens,
    unlock,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("public/", home.public_figures, name="public_figures"),
    path("unlock/", unlock.unlock, name="unlock"),
    path("lock/", unlock.lock_now, name="lock_now"),
    path("login/", twofactor.LoginView.as_view(), name="login"),
    path("login/verify/", twofactor.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/", twofactor.two_factor_setup, name="two_factor_setup"),
    path("account/tokens/", tokens.api_tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", tokens.api_token_revoke, name="api_token_revoke"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("intake/", intake.intake, name="intake"),
    path("intake/correct/<int:pk>/", intake.intake_correct, name="intake_correct"),
    path("sw.js", offline.service_worker, name="offline_service_worker"),
    path("detentions/", detentions.detention_list, name="detention_list"),
    path("detentions/export.<str:fmt>", exports.detention_export, name="detention_export"),
    path("figures/list/", figure_lists.figure_list, name="figure_list"),
    path("figures/list.<str:fmt>", figure_lists.figure_list_export, name="figure_list_export"),
    path("detentions/<int:pk>/", detentions.detention_detail, name="detention_detail"),
    path("detentions/<int:pk>/case/", detentions.detention_add_case, name="detention_add_case"),
    path(
        "detentions/<int:pk>/allegation/",
        allegations.detention_add_allegation,
        name="detention_add_allegation",
    ),
    path("detentions/<int:pk>/release/", detentions.detention_release, name="detention_release"),
    path("detentions/<int:pk>/whereabouts/", detentions.detention_whereabouts, name="detention_whereabouts"),
    path("detentions/<int:pk>/take/", detentions.detention_take, name="detention_take"),
    path("detentions/<int:pk>/assign/", detentions.detention_assign, name="detention_assign"),
    path("cases/", cases.lawyer_cases, name="lawyer_cases"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("persons/<int:pk>/", persons.person_detail, name="person_detail"),
    path("persons/<int:pk>/merge/", persons.person_merge, name="person_merge"),
    path("persons/<int:pk>/split/", persons.person_split, name="person_split"),
    path("link-operations/<int:pk>/undo/", persons.operation_undo, name="operation_undo"),
    path("events/", events.event_list, name="event_list"),
    path("events/<slug:slug>/", events.event_detail, name="event_detail"),
    path("events/<slug:slug>/figures.json", events.event_figures_json, name="event_figures_json"),
    path("events/<slug:slug>/figures.csv", events.event_figures_csv, name="event_figures_csv"),
    path("events/<slug:slug>/snapshot/", events.event_snapshot, name="event_snapshot"),
    path("events/<slug:slug>/estimate/", estimate.event_estimate, name="event_estimate"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/<int:pk>/", review.review_decide, name="review_decide"),
    path("review/<int:pk>/reopen/", review.review_reopen, name="review_reopen"),
    path("review/run/", review.review_run_linkage, name="review_run_linkage"),
    path("jobs/<uuid:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/package.zip", jobs.job_package, name="job_package"),
    path("snapshots/<int:pk>/", events.snapshot_detail, name="snapshot_detail"),
    path("audit/", home.audit_log, name="audit_log"),
    path("import/", import_views.import_file, name="import_file"),
    path("import/court-matches/", import_views.court_matches, name="court_matches"),
    path("packages/", import_views.package_request, name="package_request"),
    path("evidence/<int:pk>/", allegations.evidence_download, name="evidence_download"),
    path("api/", include("vigil.api.urls")),
    path("sync/", include("vigil.replication.urls")),
]

# JSON under /api/, the usual pages elsewhere.
handler400 = "vigil.api.errors.bad_request"
handler404 = "vigil.api.errors.not_found"
handler500 = "vigil.api.errors.server_error"
