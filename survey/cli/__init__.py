"""Command-line tools: ``flask --app wsgi <command>``, one module per area."""

from __future__ import annotations

from flask import Flask

from survey.cli.backup import backup_command
from survey.cli.demo import generate_responses_command, seed_demo_command
from survey.cli.exports import export_raw_command
from survey.cli.fieldwork import (
    close_wave_command,
    contact_data_command,
    create_wave_command,
    draw_wave_command,
    export_wave_contacts_command,
    import_cases_command,
)
from survey.cli.quality import simulate_integrity_command
from survey.cli.reforms import reform_group
from survey.cli.reviews import recompute_quality_command, review_unit_command
from survey.cli.surveys import import_survey_command
from survey.cli.tallies import tallies_group
from survey.cli.units import import_units_command
from survey.cli.users import create_api_client_command, create_user_command


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(import_cases_command)
    app.cli.add_command(create_api_client_command)
    app.cli.add_command(create_wave_command)
    app.cli.add_command(draw_wave_command)
    app.cli.add_command(export_wave_contacts_command)
    app.cli.add_command(close_wave_command)
    app.cli.add_command(contact_data_command)
    app.cli.add_command(recompute_quality_command)
    app.cli.add_command(review_unit_command)
    app.cli.add_command(import_units_command)
    app.cli.add_command(import_survey_command)
    app.cli.add_command(generate_responses_command)
    app.cli.add_command(export_raw_command)
    app.cli.add_command(tallies_group)
    app.cli.add_command(reform_group)
    app.cli.add_command(simulate_integrity_command)
