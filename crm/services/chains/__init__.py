"""Industrial chains (产业链招商): seeds from the plan (seeds.py) and link coverage and gaps (gaps.py)."""
