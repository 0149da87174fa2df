"""demo: The synthetic demo organisation (careerconv demo, and the bulk generator for benchmarks): its
word lists are data files in words/, and sample/ is the small committed organisation the notebooks
open by default. May import records only.
"""
