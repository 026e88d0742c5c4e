"""Dependency intelligence: what a change does to dependencies, and whether each one is safe."""
