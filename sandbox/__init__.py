"""A standalone simulator of SFS's SieSmart B2B API (see /work/shared/siesmart/CONTRACT.md).

It shares no code with the portal on purpose: the sandbox and the portal's client are written
separately so that each checks the other. Only the standard library is used.
"""
