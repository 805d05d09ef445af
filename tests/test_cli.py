"""The check command: exit status and messages."""

from __future__ import annotations


def test_check_passes_on_fixture_corpus(runner):
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "OK: 3 entries" in result.output and "demo-2024 2" in result.output


def test_check_fails_and_names_file_line_and_field(runner, content_dir):
    path = content_dir / "demo-2024" / "demo-2024-1-1.md"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: challenge", "kind: wish"),
                    encoding="utf-8")
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "demo-2024-1-1.md:5: kind: unknown kind 'wish'" in result.output


def test_check_reports_broken_yaml_with_line(runner, content_dir):
    path = content_dir / "annan-2022" / "annan-2022-3.md"
    path.write_text(path.read_text(encoding="utf-8").replace('section: "3"', 'section: "3'),
                    encoding="utf-8")
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "annan-2022-3.md:" in result.output and ": yaml: YAML does not parse" in result.output


def test_healthz_reports_entry_count(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["entries"] == 3
