"""Assessment (考核): indicators, values, schemes, dual scorecards, responsibility lists, the cockpit."""

from django.urls import path

from hongqing.core.urls_helpers import crud_urls

from .models import DualScorecard, Indicator, IndicatorValue, ResponsibilityItem, ResponsibilityList, Scheme
from .views import cockpit, compare, drill, responsibility, schemes, values

app_name = "assessment"
urlpatterns = [
    path("", cockpit.CockpitView.as_view(), name="cockpit"),
    path("screen/", cockpit.CockpitScreenView.as_view(), name="cockpit_screen"),
    path("drill/", drill.DrillView.as_view(), name="drill"),
    path("compare/", compare.CompareView.as_view(), name="compare"),
    path("indicators/load-defaults/", values.LoadDefaultsView.as_view(), name="indicator_load_defaults"),
    *crud_urls(
        "indicators",
        Indicator,
        list_view=values.IndicatorListView,
        detail_view=values.IndicatorDetailView,
        edit_view=values.IndicatorEditView,
        delete_view=values.IndicatorDeleteView,
        history_view=values.IndicatorHistoryView,
    ),
    *crud_urls(
        "values",
        IndicatorValue,
        list_view=values.IndicatorValueListView,
        detail_view=values.IndicatorValueDetailView,
        history_view=values.IndicatorValueHistoryView,
        import_view=values.IndicatorValueImportView,
    ),
    path("grid/", values.GridView.as_view(), name="grid"),
    path("months/", values.MonthsView.as_view(), name="months"),
    path("schemes/<int:pk>/score/", schemes.SchemeScoreView.as_view(), name="scheme_score"),
    *crud_urls(
        "schemes",
        Scheme,
        list_view=schemes.SchemeListView,
        detail_view=schemes.SchemeDetailView,
        edit_view=schemes.SchemeEditView,
        delete_view=schemes.SchemeDeleteView,
        history_view=schemes.SchemeHistoryView,
    ),
    *crud_urls(
        "scorecards",
        DualScorecard,
        list_view=schemes.DualScorecardListView,
        detail_view=schemes.DualScorecardDetailView,
    ),
    path("responsibility/mine/", responsibility.MyResponsibilityView.as_view(), name="responsibility_mine"),
    path(
        "responsibility/items/<int:pk>/done/",
        responsibility.ItemDoneView.as_view(),
        name="responsibilityitem_done",
    ),
    path(
        "responsibility/items/<int:pk>/undo/",
        responsibility.ItemDoneView.as_view(),
        {"undo": True},
        name="responsibilityitem_undo",
    ),
    *crud_urls(
        "responsibility/items",
        ResponsibilityItem,
        detail_view=responsibility.ResponsibilityItemDetailView,
        edit_view=responsibility.ResponsibilityItemEditView,
        delete_view=responsibility.ResponsibilityItemDeleteView,
        history_view=responsibility.ResponsibilityItemHistoryView,
    ),
    *crud_urls(
        "responsibility",
        ResponsibilityList,
        list_view=responsibility.ResponsibilityListListView,
        detail_view=responsibility.ResponsibilityListDetailView,
        edit_view=responsibility.ResponsibilityListEditView,
        delete_view=responsibility.ResponsibilityListDeleteView,
        history_view=responsibility.ResponsibilityListHistoryView,
    ),
]
