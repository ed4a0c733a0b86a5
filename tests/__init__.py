"""Tests for Community Access."""
