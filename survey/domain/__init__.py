"""Pure domain logic: statistics, question banks, quality rules.

Nothing here imports Flask, SQLAlchemy, WTForms, Plotly or ``survey.models``;
a test enforces it.
"""
