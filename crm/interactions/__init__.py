"""对接记录: the quick "记录对接" form, its enterprise lookup, and closing follow-ups."""
