"""Entry point for gunicorn (``gunicorn wsgi:app``) and ``flask --app wsgi``."""

import sys

from survey import ConfigError, check_database, create_app

try:
    app = create_app()
    check_database(app)
except ConfigError as error:
    print(f"Configuration error: {error}", file=sys.stderr)
    sys.exit(2)
