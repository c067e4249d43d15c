"""Account pages: passwords (passwords.py), people and invitations (people.py), two-factor
authentication (two_factor.py)."""
