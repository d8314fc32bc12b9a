"""The variants of labs 07 and 08, at the import path the labs use (``from lstmcourse import variants``).

They live in :mod:`lstmcourse.grading.variants`; this module holds every name of it, private
ones included. The hidden tests use the fresh copy inside ``lstmcourse._grading.fresh("lab07")``.
"""
from lstmcourse.grading import variants as _variants

globals().update({k: v for k, v in vars(_variants).items() if not k.startswith("__")})
