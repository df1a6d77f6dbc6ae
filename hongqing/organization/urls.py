from django.urls import path

from hongqing.core.urls_helpers import crud_urls

from . import views as v
from .models import (
    BranchDepartment,
    Campus,
    CommitteeTerm,
    Department,
    DisciplineGroup,
    Hospital,
    PartyOrganization,
)

app_name = "organization"
urlpatterns = [
    path("tree/", v.TreeView.as_view(), name="tree"),
    path(
        "party-organizations/<int:pk>/link-group/",
        v.PartyOrganizationLinkGroupView.as_view(),
        name="partyorganization_link_group",
    ),
    *crud_urls(
        "hospitals",
        Hospital,
        list_view=v.HospitalListView,
        detail_view=v.HospitalDetailView,
        edit_view=v.HospitalEditView,
        delete_view=v.HospitalDeleteView,
        history_view=v.HospitalHistoryView,
    ),
    *crud_urls(
        "campuses",
        Campus,
        list_view=v.CampusListView,
        detail_view=v.CampusDetailView,
        edit_view=v.CampusEditView,
        delete_view=v.CampusDeleteView,
        history_view=v.CampusHistoryView,
    ),
    *crud_urls(
        "departments",
        Department,
        list_view=v.DepartmentListView,
        detail_view=v.DepartmentDetailView,
        edit_view=v.DepartmentEditView,
        delete_view=v.DepartmentDeleteView,
        history_view=v.DepartmentHistoryView,
        import_view=v.DepartmentImportView,
    ),
    *crud_urls(
        "discipline-groups",
        DisciplineGroup,
        detail_view=v.DisciplineGroupDetailView,
        edit_view=v.DisciplineGroupEditView,
        list_view=v.DisciplineGroupListView,
        delete_view=v.DisciplineGroupDeleteView,
        history_view=v.DisciplineGroupHistoryView,
    ),
    *crud_urls(
        "party-organizations",
        PartyOrganization,
        list_view=v.PartyOrganizationListView,
        detail_view=v.PartyOrganizationDetailView,
        edit_view=v.PartyOrganizationEditView,
        delete_view=v.PartyOrganizationDeleteView,
        history_view=v.PartyOrganizationHistoryView,
    ),
    *crud_urls(
        "branch-departments",
        BranchDepartment,
        detail_view=v.BranchDepartmentDetailView,
        edit_view=v.BranchDepartmentEditView,
        delete_view=v.BranchDepartmentDeleteView,
        history_view=v.BranchDepartmentHistoryView,
    ),
    *crud_urls(
        "terms",
        CommitteeTerm,
        list_view=v.CommitteeTermListView,
        detail_view=v.CommitteeTermDetailView,
        edit_view=v.CommitteeTermEditView,
        delete_view=v.CommitteeTermDeleteView,
        history_view=v.CommitteeTermHistoryView,
    ),
]
