"""Pure decisions over a lead's profile: scoring, qualification, re-deciding and who owns
it (`ownership`). Nothing here reads or writes the store.
"""
