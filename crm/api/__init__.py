"""The JSON API (v1) and the page where users manage their access tokens."""

PREFIX = "/api/v1"  # the API blueprint's URLs; the app's error pages and language choice look at it too
# HTML under the prefix, for people in a browser: in the session's language, as every page is.
BROWSER_PAGES = frozenset({"api.reference"})


def is_api_path(path: str) -> bool:
    """A URL under the API, routed or not (an unknown one is still answered as the API answers)."""
    return path == PREFIX or path.startswith(PREFIX + "/")
