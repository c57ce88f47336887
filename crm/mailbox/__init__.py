"""The mail outbox (邮件发件箱): administrators read the .eml files the app wrote."""
