"""The follow-up calendar (跟进日历) and its .ics feed."""
