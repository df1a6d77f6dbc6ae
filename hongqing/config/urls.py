from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from hongqing.accounts.views import TokenLoginView

urlpatterns = [
    path("", include("hongqing.core.urls")),
    path("accounts/", include("hongqing.accounts.urls")),
    path("organization/", include("hongqing.organization.urls")),
    path("people/", include("hongqing.people.urls")),
    path("party/", include("hongqing.party.urls")),
    path("learning/", include("hongqing.learning.urls")),
    path("points/", include("hongqing.points.urls")),
    path("assessment/", include("hongqing.assessment.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/auth/token/", TokenLoginView.as_view(), name="api_token"),
    path("api/organization/", include("hongqing.organization.api.urls")),
    path("api/people/", include("hongqing.people.api.urls")),
    path("api/party/", include("hongqing.party.api.urls")),
    path("api/learning/", include("hongqing.learning.api.urls")),
    path("api/points/", include("hongqing.points.api.urls")),
    path("api/assessment/", include("hongqing.assessment.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
]
if settings.HONGQING_BENCH:  # benchmarks only: the baseline view of bench/list_latency.py
    urlpatterns.append(path("", include("hongqing.core.bench")))
