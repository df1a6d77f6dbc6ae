"""Assessment (考核): indicators, values, schemes, dual scorecards, responsibility lists."""

from .indicators import Indicator
from .responsibility import ResponsibilityItem, ResponsibilityList
from .schemes import DualScorecard, Scheme, SchemeItem
from .values import IndicatorValue, MonthClose, Rollup, RollupState

__all__ = [
    "DualScorecard",
    "Indicator",
    "IndicatorValue",
    "MonthClose",
    "ResponsibilityItem",
    "ResponsibilityList",
    "Rollup",
    "RollupState",
    "Scheme",
    "SchemeItem",
]
