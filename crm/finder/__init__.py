"""Search from anywhere: the top bar's box, its suggestions (JSON) and the full results page."""
