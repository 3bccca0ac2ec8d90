"""The funnel plot's limits around the city rate."""

from __future__ import annotations

from dataclasses import dataclass

from survey.domain import statistics as st


@dataclass(frozen=True)
class FunnelLine:
    n: float
    low95: float
    high95: float
    low998: float
    high998: float


def funnel_lines(
    p0: float, max_n: float, phi: float, steps: int = 60
) -> list[FunnelLine]:
    """Funnel limits around p0 from n = 1 to ``max_n`` (for the chart)."""
    top = max(max_n * 1.1, 30.0)
    points = sorted(
        {max(1.0, round(top * (i / steps) ** 2, 1)) for i in range(steps + 1)}
    )
    lines = []
    for n in points:
        low95, high95 = st.funnel_limits(p0, n, st.Z95, phi)
        low998, high998 = st.funnel_limits(p0, n, st.Z998, phi)
        lines.append(FunnelLine(n, low95, high95, low998, high998))
    return lines
