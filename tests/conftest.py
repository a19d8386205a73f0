"""Shared test configuration: the Hypothesis profiles.

``ci`` (the default) keeps property tests deterministic in what they check and
bounded in time: no per-example deadline (the first example pays for building
the parser), a modest number of examples, and a reproduction blob printed with
every failure.  ``dev`` is quicker for the edit-test loop; ``thorough`` is for a
long hunt.  Choose one with ``HYPOTHESIS_PROFILE=dev python3 -m pytest``.

Random-expression strategies live in ``tests/strategies.py``.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=200,
    derandomize=False,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", parent=settings.get_profile("ci"), max_examples=50)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
