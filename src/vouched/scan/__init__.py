"""Scanning a change: scanners, secrets, the team's pattern library, review prompts and test evidence."""
