"""The JSON API's rules: personal access tokens and the per-call audit row."""
