"""Settings package: base (shared), local (a developer's machine), test, production."""
