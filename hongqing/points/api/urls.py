from rest_framework.routers import DefaultRouter

from . import activities, ledger

app_name = "points-api"
router = DefaultRouter()
router.register("entries", ledger.PointEntryViewSet)
router.register("mine", ledger.MineViewSet, basename="points-mine")
router.register("rules", ledger.PointRuleViewSet)
router.register("proposals", ledger.PointProposalViewSet)
router.register("totals", ledger.TotalsViewSet, basename="points-totals")
router.register("branch-totals", ledger.BranchTotalsViewSet, basename="points-branch-totals")
router.register("years", ledger.ClosedYearViewSet)
router.register("volunteering", activities.VolunteeringViewSet)
router.register("participations", activities.VolunteeringParticipantViewSet)
router.register("honors", activities.HonorViewSet)
router.register("honor-rounds", activities.HonorRoundViewSet)
router.register("nominations", activities.NominationViewSet)
urlpatterns = router.urls
