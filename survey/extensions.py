"""Flask extensions, created unbound so that any module can import them."""

from typing import TYPE_CHECKING, ClassVar

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

from survey.replica import RoutingSession

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    if TYPE_CHECKING:
        # Every model maps a table (none a select): its insert() and update().
        __table__: ClassVar[Table]


# The session reads a results page from the replica when one is in use.
db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})

# The base of every model. At run time it is ``db.Model``, a class that
# Flask-SQLAlchemy builds from ``Base``; the type checker cannot use an
# attribute of ``db`` as a base class, so for it the models derive from
# ``Base`` (same metadata, same columns, same typed ``Mapped`` attributes).
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
