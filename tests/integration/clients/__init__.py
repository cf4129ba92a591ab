"""Helpers for the tests that drive our runtime through real clients (podman + conmon, containerd + ctr)."""
