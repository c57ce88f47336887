"""领导包联: assigning a leader (assignment), the leader's own page (leaders), the weekly digest and its chart."""
