from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

urlpatterns = [
    path("", include("hongqing.core.urls")),
    path("accounts/", include("hongqing.accounts.urls")),
    path("organization/", include("hongqing.organization.urls")),
    path("people/", include("hongqing.people.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/auth/token/", obtain_auth_token, name="api_token"),
    path("api/organization/", include("hongqing.organization.api.urls")),
    path("api/people/", include("hongqing.people.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
]
if settings.HONGQING_BENCH:  # benchmarks only: the baseline view of bench/list_latency.py
    urlpatterns.append(path("", include("hongqing.core.bench")))
