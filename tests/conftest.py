"""Shared test configuration: the Hypothesis profiles.

``ci`` (the default) makes property tests reproducible and bounded in time: the
same examples on every run (derandomized, so a landing is never decided by luck),
no per-example deadline (the first example pays for building the parser), a
modest number of examples, and a reproduction blob printed with every failure.
``dev`` draws fresh random examples each run and is quicker for the edit-test
loop; ``thorough`` draws many fresh examples for a long hunt.  Choose one with ``HYPOTHESIS_PROFILE=dev python3 -m pytest``.

Random-expression strategies live in ``tests/strategies.py``.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=200,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", parent=settings.get_profile("ci"), max_examples=50,
                          derandomize=False)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=5000,
                          derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
