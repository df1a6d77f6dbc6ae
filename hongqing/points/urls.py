"""Points (积分), volunteering and honours."""

from .views import catalogue, honors, ledger, proposals, volunteering

app_name = "points"
urlpatterns = [
    *ledger.urlpatterns,
    *catalogue.urlpatterns,
    *proposals.urlpatterns,
    *volunteering.urlpatterns,
    *honors.urlpatterns,
]

# The app's ready() imports it too; here as well so the menu and panels exist wherever the URLs load.
from . import panels  # noqa: E402, F401
