"""Tests of the panels: registration, websocket commands, who may use them."""
