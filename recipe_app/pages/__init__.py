"""One module (or package) per route."""
