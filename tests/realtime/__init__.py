"""Tests of the realtime package."""
