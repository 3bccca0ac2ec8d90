"""``create-user`` and ``create-api-client``: who may sign in, what may post cases."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from survey.extensions import db
from survey.models import Unit
from survey.models.users import ROLES
from survey.services import users as user_service
from survey.services.fieldwork.cases import ApiClientError, register_api_client


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role", required=True, type=click.Choice(ROLES), help="The user's role."
)
@click.option(
    "--unit", "unit_code", required=True, help="Code of the unit the user is scoped to."
)
@click.option("--name", default="", help="Display name.")
def create_user_command(email: str, role: str, unit_code: str, name: str) -> None:
    """Create a user; the password is read from standard input or a prompt."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("not an e-mail address", param_hint="EMAIL")
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise click.BadParameter(
            f"no unit with code {unit_code!r}", param_hint="--unit"
        )
    if user_service.email_taken(email):
        raise click.ClickException(f"a user with e-mail {email} exists already")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    from survey.auth.passwords import password_problem

    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    try:  # the same write, and the same audit line, as the admin's form
        user_service.create_user(None, email, name, role, unit, password)
    except user_service.UserError as error:
        raise click.ClickException(f"cannot create the user: {error}") from None
    db.session.commit()
    click.echo(f"Created {role} {email} scoped to {unit.code}.")


@click.command("create-api-client")
@click.argument("name")
def create_api_client_command(name: str) -> None:
    """Create a system allowed to POST /api/cases; prints its token once."""
    try:  # the same checks, write and audit line as the admin's page
        client, token = register_api_client(None, name)
    except ApiClientError as error:
        if error.code == "name_length":
            raise click.BadParameter("1 to 100 characters", param_hint="NAME") from None
        raise click.ClickException(
            f"an API client named {name.strip()!r} exists already"
        ) from None
    db.session.commit()
    click.echo(f"Created API client {client.name!r}. Its token (shown only this once):")
    click.echo(token)
