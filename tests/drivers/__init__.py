"""Tests of the sans-IO hardware codecs."""
