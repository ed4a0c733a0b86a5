"""Tests of the panels' websocket commands."""
