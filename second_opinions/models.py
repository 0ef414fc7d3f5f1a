"""Second-opinion requests (see the second-opinion policy issue)."""
