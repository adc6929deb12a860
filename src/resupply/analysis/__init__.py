"""Engine layer: analyses computed from a `Problem` before any optimisation."""

from resupply.analysis.explain import FamilyOutlook, Outlook, StandardOutlook, explain

__all__ = ["FamilyOutlook", "Outlook", "StandardOutlook", "explain"]
