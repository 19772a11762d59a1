"""Hooks used only by the conference plan flow (data/flows/plan_conference.yaml)."""

# The flow is declared entirely as data and template: no hooks of its own are needed so far.
