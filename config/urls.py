"""URL map: pages per end, the API under /api/v1/, admin, language switching."""

from django.contrib import admin
from django.urls import include, path

from tuoyu.core.api import api, register_routers

register_routers()

urlpatterns = [
    path("", include("tuoyu.portal.urls")),
    path("accounts/", include("tuoyu.accounts.urls")),
    path("filings/", include("tuoyu.filings.urls")),
    path("workforce/statistics/", include("tuoyu.workforce.urls_statistics")),
    path("workforce/", include("tuoyu.workforce.urls")),
    path("training/", include("tuoyu.training.urls")),
    path("gov/planning/", include("tuoyu.planning.urls")),
    path("gov/registry/", include("tuoyu.institutions.urls")),
    path("children/", include("tuoyu.children.urls")),
    path("attendance/", include("tuoyu.attendance.urls")),
    path("growth/", include("tuoyu.growth.urls")),
    path("health/", include("tuoyu.health.urls")),
    path("care/", include("tuoyu.care.urls")),
    path("parents/", include("tuoyu.parents.urls")),
    path("supervision/", include("tuoyu.supervision.urls")),
    path("spotchecks/", include("tuoyu.spotchecks.urls")),
    path("complaints/", include("tuoyu.complaints.urls")),
    path("credit/", include("tuoyu.credit.urls")),
    path("quality/", include("tuoyu.quality.urls")),
    path("enforcement/", include("tuoyu.enforcement.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
