"""A small city for the admin tests: units, a survey, an admin, a designer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from survey.models import Survey, Unit, User


@dataclass
class World:
    city: Unit
    w1: Unit
    w2: Unit
    dept: Unit
    branch: Unit
    survey: Survey  # owned by the city, answered in W1 and W2
    admin: User
    designer: User  # scoped to the department S-NN-MT
    leader: User


@pytest.fixture(autouse=True)
def english(client) -> None:
    """The admin tests read the English texts; Vietnamese is tested elsewhere."""
    client.get("/login?lang=en")


@pytest.fixture
def world(make_unit, make_survey, make_user) -> World:
    city = make_unit("CITY", kind="city")
    w1, w2 = make_unit("W1", city), make_unit("W2", city)
    dept = make_unit("S-NN-MT", city, kind="department")
    branch = make_unit("B1", dept, kind="branch")
    survey = make_survey("city-survey", units=[w1, w2], owner=city)
    return World(
        city=city,
        w1=w1,
        w2=w2,
        dept=dept,
        branch=branch,
        survey=survey,
        admin=make_user("admin@city.gov.vn", "admin", city),
        designer=make_user("designer@city.gov.vn", "designer", dept),
        leader=make_user("leader@city.gov.vn", "leader", city),
    )


@pytest.fixture
def as_admin(world: World, login) -> World:
    login("admin@city.gov.vn")
    return world


@pytest.fixture
def as_designer(world: World, login) -> World:
    login("designer@city.gov.vn")
    return world
