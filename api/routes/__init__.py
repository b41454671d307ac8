"""The API's blueprints, one small module per group of routes."""
