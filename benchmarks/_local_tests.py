"""Make ``import tests.…`` find this checkout's tests folder (see pipeline.demo.pin_tests_package)."""
from __future__ import annotations

from pipeline.demo import pin_tests_package

pin_tests_package()
