"""WSGI entry point: `flask --app wsgi …`, gunicorn `wsgi:app`."""
from crm import create_app

app = create_app()
