"""The WSGI entry point for gunicorn (deploy/gunicorn.conf.py: `wsgi_app = "portal.wsgi:app"`).

The app is built from the environment alone, so PORTAL_ENV must be set (config.require_environment_name).
"""

from portal import create_app

app = create_app()
