from django.urls import path

from hongqing.core.urls_helpers import crud_urls

from . import views as v
from . import views_development as dv
from .models import Cadre, Membership, Person, Rotation, TalentTag, TermPosition, Transfer

app_name = "people"
urlpatterns = [
    path("persons/<int:pk>/id-number/", v.PersonIdNumberView.as_view(), name="person_id_number"),
    path("memberships/<int:pk>/transfer/", v.MembershipTransferView.as_view(), name="membership_transfer"),
    # Member development (发展党员)
    path("memberships/<int:pk>/development/", dv.TimelineView.as_view(), name="development_timeline"),
    path("memberships/<int:pk>/development/advance/", dv.AdvanceView.as_view(), name="development_advance"),
    path("memberships/<int:pk>/development/record/", dv.RecordStepView.as_view(), name="development_record"),
    path("development-steps/<int:pk>/remove/", dv.RemoveStepView.as_view(), name="development_remove"),
    path("development/", dv.PipelineView.as_view(), name="development_pipeline"),
    path(
        "development/organizations/<int:pk>/",
        dv.PipelineView.as_view(),
        name="development_organization",
    ),
    *crud_urls(
        "persons",
        Person,
        list_view=v.PersonListView,
        detail_view=v.PersonDetailView,
        edit_view=v.PersonEditView,
        delete_view=v.PersonDeleteView,
        history_view=v.PersonHistoryView,
        import_view=v.PersonImportView,
    ),
    *crud_urls(
        "memberships",
        Membership,
        list_view=v.MembershipListView,
        detail_view=v.MembershipDetailView,
        edit_view=v.MembershipEditView,
        delete_view=v.MembershipDeleteView,
        history_view=v.MembershipHistoryView,
        import_view=v.MembershipImportView,
    ),
    *crud_urls(
        "transfers",
        Transfer,
        list_view=v.TransferListView,
        detail_view=v.TransferDetailView,
        history_view=v.TransferHistoryView,
    ),
    *crud_urls(
        "cadres",
        Cadre,
        list_view=v.CadreListView,
        detail_view=v.CadreDetailView,
        edit_view=v.CadreEditView,
        delete_view=v.CadreDeleteView,
        history_view=v.CadreHistoryView,
    ),
    *crud_urls(
        "rotations",
        Rotation,
        detail_view=v.RotationDetailView,
        edit_view=v.RotationEditView,
        delete_view=v.RotationDeleteView,
        history_view=v.RotationHistoryView,
    ),
    *crud_urls(
        "talent-tags",
        TalentTag,
        list_view=v.TalentTagListView,
        detail_view=v.TalentTagDetailView,
        edit_view=v.TalentTagEditView,
        delete_view=v.TalentTagDeleteView,
        history_view=v.TalentTagHistoryView,
    ),
    *crud_urls(
        "term-positions",
        TermPosition,
        detail_view=v.TermPositionDetailView,
        edit_view=v.TermPositionEditView,
        delete_view=v.TermPositionDeleteView,
        history_view=v.TermPositionHistoryView,
    ),
]
