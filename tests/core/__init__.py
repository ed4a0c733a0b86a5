"""Tests of the pure-Python core of Community Access (no Home Assistant needed)."""
