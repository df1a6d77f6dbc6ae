from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("hospitals", views.HospitalViewSet)
router.register("campuses", views.CampusViewSet)
router.register("departments", views.DepartmentViewSet)
router.register("discipline-groups", views.DisciplineGroupViewSet)
router.register("party-organizations", views.PartyOrganizationViewSet)
router.register("branch-departments", views.BranchDepartmentViewSet)
router.register("committee-terms", views.CommitteeTermViewSet)

app_name = "organization-api"
urlpatterns = router.urls
