"""What the list pages share beyond paging: their sort keys, saved filter sets, the columns a
user chose to see, and actions on many selected rows at once."""
