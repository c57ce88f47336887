"""The preview and confirmation pages of an Excel import (services/sheets/imports)."""
