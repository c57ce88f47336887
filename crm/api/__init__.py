"""The JSON API (v1) and the page where users manage their access tokens."""
