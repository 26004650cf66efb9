"""Developing new members (发展党员): applicant → activist → candidate → probationary → full."""
