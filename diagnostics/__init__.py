"""The diagnostic pathway: referral returns, specialist pathology review and molecular tests,
mutual-aid capacity declarations, clinic surveys and the pathway's evaluation."""
