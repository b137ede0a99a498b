"""Meaning of a visitor's message from a trained classifier over a sentence encoder (issue 12).

`encoder` embeds text (all-MiniLM-L6-v2 in numpy), `ngrams` adds character n-gram features,
`corpus` loads the labelled examples, `classifier` trains and applies one logistic-regression
head per label, `report` measures the heads on the held-out split (`make nlu-report`).
Nothing heavy happens at import.
"""
