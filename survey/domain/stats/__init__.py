"""The method's statistics by subject (``survey.domain.statistics`` re-exports them)."""
