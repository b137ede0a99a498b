"""Business rules as data: one schema module per file under `policies/` (POLICY_DIR), one
`loader` building the one `Policies` each process passes down, and the cross-check against
the domain (`check`).
"""
