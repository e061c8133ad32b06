"""Recipes: YAML files listing stages; the runner executes them into runs/<name>/<step>/."""
