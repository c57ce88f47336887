"""Reports: the goals dashboard, cohort rates, innovation platforms and the reserve-pool reviews."""
