"""Plan file names proposed from the topic, unique in the project."""

from __future__ import annotations

import pytest

from core.handoff.plan_naming import propose_plan_name
from core.handoff.project_files import is_plan_file


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Plan an authentication system for our app", "AUTH_PLAN.md"),
        ("plan authentication for our app", "AUTH_PLAN.md"),
        ("# Notifications Plan\n\nPlan an authentication system", "NOTIFICATIONS_PLAN.md"),
        ("Sure, here it is.\n\n# Notifications Plan\n\n## Goals", "NOTIFICATIONS_PLAN.md"),
        ("I want to add rate limiting to the API", "RATE_LIMITING_PLAN.md"),
        ("Design the database schema for orders", "DB_SCHEMA_PLAN.md"),
        ("# Plan: User Onboarding Flow", "USER_ONBOARDING_FLOW_PLAN.md"),
        ("Let's plan the caching layer.", "CACHING_PLAN.md"),
        ("Planifier la sécurité", "PLANIFIER_LA_SECURITE_PLAN.md"),
        ("", "NEW_PLAN.md"),
        ("Plan it for us", "NEW_PLAN.md"),
    ],
)
def test_name_from_topic(tmp_path, text, name):
    assert propose_plan_name(text, tmp_path) == name


def test_names_are_short_upper_snake_case(tmp_path):
    name = propose_plan_name("Plan a horizontally partitioned multi-region eventually-consistent ledger", tmp_path)
    assert name.endswith("_PLAN.md")
    stem = name.removesuffix("_PLAN.md")
    assert stem == stem.upper() and len(stem) <= 30 and all(c.isalnum() or c == "_" for c in stem)


def test_never_proposes_an_existing_file(tmp_path):
    (tmp_path / "AUTH_PLAN.md").write_text("existing")
    (tmp_path / "AUTH_2_PLAN.md").write_text("existing")
    name = propose_plan_name("Plan an authentication system", tmp_path)
    assert name == "AUTH_3_PLAN.md"
    # The numbered name is still a plan file under the default pattern.
    assert is_plan_file(tmp_path / name, tmp_path)
