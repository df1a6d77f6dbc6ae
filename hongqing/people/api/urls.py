from rest_framework.routers import DefaultRouter

from . import development, views

router = DefaultRouter()
router.register("talent-tags", views.TalentTagViewSet)
router.register("persons", views.PersonViewSet)
router.register("memberships", views.MembershipViewSet)
router.register("transfers", views.TransferViewSet)
router.register("cadres", views.CadreViewSet)
router.register("rotations", views.RotationViewSet)
router.register("term-positions", views.TermPositionViewSet)
router.register("development-steps", development.DevelopmentStepViewSet)

app_name = "people-api"
urlpatterns = router.urls
