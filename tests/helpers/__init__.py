"""Builders shared by every test package (one way to make each thing a test needs)."""
