"""Running leadbot: the launcher, process supervision, the doctor, log redaction and
retention.
"""
