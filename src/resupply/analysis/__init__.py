"""Engine layer: analyses computed from a `Problem` before any optimisation."""

from resupply.analysis.explain import FamilyOutlook, Outlook, explain

__all__ = ["FamilyOutlook", "Outlook", "explain"]
