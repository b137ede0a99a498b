"""Business rules as data: one schema module per file under `policies/`, one `loader`,
and the cross-check against the domain and the lexicons (`check`)."""
