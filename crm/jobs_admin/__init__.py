"""Operations pages for administrators: background jobs and the reminder rules."""
