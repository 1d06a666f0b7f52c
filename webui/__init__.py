"""The Flask web UI and JSON API over the search core."""
