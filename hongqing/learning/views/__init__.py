"""The learning pages, by area: plans, sessions (and check-in), self-study and hours, quizzes."""
