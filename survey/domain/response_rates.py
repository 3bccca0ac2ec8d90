"""AAPOR response rates of an invited wave (Standard Definitions, 2023).

Every drawn case is sorted into one of four:

- I: complete interviews (answered, not ended by the screening question);
- R: eligible non-respondents known to be reached (opened the link, the
  message reported delivered, or opted out) but not answered;
- NE: known ineligible (answered the screening question "did not use the
  service": the case is out of the population);
- U: eligibility unknown (never reached: no delivery, no visit, no answer).

RR1 = I / (I + R + U + NE)  (every drawn case; as the funnel states it)
RR3 = I / (I + R + e x U),  e = (I + R) / (I + R + NE)

e is the share eligible among the cases whose eligibility is known, so RR3
counts the unreached cases at the eligibility rate of the reached ones.
"""

from __future__ import annotations


def eligibility_rate(complete: int, eligible: int, ineligible: int) -> float:
    """e from the known-eligibility cases; 1 when none is known (as RR1)."""
    known = complete + eligible + ineligible
    return (complete + eligible) / known if known else 1.0


def rr3(complete: int, eligible: int, ineligible: int, unknown: int) -> float | None:
    """AAPOR RR3; None when the denominator is empty."""
    e = eligibility_rate(complete, eligible, ineligible)
    denominator = complete + eligible + e * unknown
    return complete / denominator if denominator > 0 else None
