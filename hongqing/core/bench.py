"""The benchmark baseline (bench/list_latency.py): mounted only when settings.HONGQING_BENCH is on.

``/bench/minimal/`` goes through the whole middleware stack (session, authentication, idle timeout,
audit, axes) and the login check like every page, then returns a constant: the cost of "a Django
request by a logged-in user" that a real page is compared with.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path


@login_required
def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal, name="bench_minimal")]
