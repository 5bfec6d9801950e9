"""Reliability under faults (issue 8): publication that is atomic and survives kill -9,
leftovers of killed runs swept, the run-failure sensor's e-mail, and an analyst reading
the published copy while a run replaces it. The kill test itself (ten runs killed at
seeded random instants, each then completed) is slow: tests/test_crash_safety.py; the
analyst reading during a run is part of tests/test_national_flow.py's re-run."""

from __future__ import annotations

import os

import pytest
from dagster import DagsterInstance, build_run_status_sensor_context, job, op

from orchestration.alerting.sensors import CLI_LAUNCH, LAUNCHED_BY_TAG, email_on_run_failure
from orchestration.publishing import publish_folder, sweep_leftovers, write_file


def test_a_folder_is_published_whole_and_the_previous_release_removed(tmp_path):
    target = tmp_path / "2022-07-31"
    publish_folder(target, lambda release: (release / "national.html").write_text("first"))
    first_release = target.resolve()

    def second(release):
        # while the new release is built, readers still see the previous one
        assert (target / "national.html").read_text() == "first"
        (release / "national.html").write_text("second")

    publish_folder(target, second)
    assert (target / "national.html").read_text() == "second"
    assert not first_release.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["2022-07-31"]
    assert len(list(tmp_path.iterdir())) == 2  # the link and its one release


def test_a_failed_build_leaves_the_published_folder_as_it_was(tmp_path):
    target = tmp_path / "worklists"
    publish_folder(target, lambda release: (release / "a.csv").write_text("kept"))

    def broken(release):
        (release / "a.csv").write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        publish_folder(target, broken)
    assert (target / "a.csv").read_text() == "kept"
    assert len(list(tmp_path.iterdir())) == 2


def test_a_folder_published_before_releases_existed_is_replaced(tmp_path):
    target = tmp_path / "2022-07-31"
    target.mkdir()
    (target / "national.html").write_text("old")
    publish_folder(target, lambda release: (release / "national.html").write_text("new"))
    assert target.is_symlink() and (target / "national.html").read_text() == "new"
    assert len(list(tmp_path.iterdir())) == 2


def test_what_a_killed_run_left_is_swept_and_what_is_published_is_not(tmp_path):
    target = tmp_path / "2022-07-31"
    publish_folder(target, lambda release: (release / "national.html").write_text("published"))
    write_file(tmp_path / "index.html", "index")
    # as a run killed mid-way leaves them: a release being built, a file being written,
    # a link made but not yet switched
    orphan = tmp_path / ".2022-07-31.release-0123456789ab"
    orphan.mkdir()
    (orphan / "national.html").write_text("half")
    (tmp_path / ".index.html.building-0123456789ab").write_text("half")
    os.symlink(orphan.name, tmp_path / ".2022-07-31.building-0123456789ab")

    removed = sweep_leftovers(tmp_path)
    assert len(removed) == 3
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["2022-07-31", "index.html"]
    assert (target / "national.html").read_text() == "published"
    assert (tmp_path / "index.html").read_text() == "index"


@op
def _fails():
    raise RuntimeError("the landing folder is not mounted")


@job
def _failing_job():
    _fails()


def _failed_run(tags=None):
    instance = DagsterInstance.ephemeral()
    result = _failing_job.execute_in_process(instance=instance, raise_on_error=False, tags=tags)
    assert not result.success
    return build_run_status_sensor_context(
        sensor_name=email_on_run_failure.name,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
    ).for_run_failure()


def test_the_run_failure_sensor_e_mails_the_failure(smtp_server, monkeypatch):
    mailbox, environment = smtp_server
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    email_on_run_failure(_failed_run())
    [message] = mailbox.messages
    assert message["Subject"] == "[backtoschool] run of _failing_job failed"
    assert message["From"] == "warehouse@example.org" and message["To"] == "data-team@example.org"
    assert "the landing folder is not mounted" in message.get_content()


def test_runs_of_backtoschool_run_are_not_e_mailed_twice(smtp_server, monkeypatch):
    mailbox, environment = smtp_server
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    email_on_run_failure(_failed_run(tags={LAUNCHED_BY_TAG: CLI_LAUNCH}))  # the CLI alerts itself
    assert mailbox.messages == []


def test_an_unreachable_mail_server_does_not_fail_anything(monkeypatch):
    from orchestration.alerting.notify import send_alert

    monkeypatch.setenv("BACKTOSCHOOL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BACKTOSCHOOL_SMTP_PORT", "9")  # discard: nothing listens
    monkeypatch.setenv("BACKTOSCHOOL_SMTP_TO", "data-team@example.org")
    assert send_alert("run of warehouse failed", "body") is False


def test_a_run_killed_while_turning_a_folder_into_a_release_loses_nothing(tmp_path):
    # the old real folder renamed to a release, the kill before the link was made
    release = tmp_path / ".2022-07-31.release-0123456789ab"
    release.mkdir()
    (release / "national.html").write_text("published")
    sweep_leftovers(tmp_path)
    assert (tmp_path / "2022-07-31" / "national.html").read_text() == "published"


def test_a_source_that_stays_stale_is_alerted_once_per_stale_delivery(smtp_server, monkeypatch, tmp_path):
    from orchestration.alerting.notify import send_alert_once

    mailbox, environment = smtp_server
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    ledger = tmp_path / "logs" / "alerts-sent.json"
    for latest in ("2022-01-17", "2022-01-17", "2022-03-03", "2022-03-03"):  # four weekly runs
        send_alert_once(ledger, "freshness/msdhs", latest, "no recent delivery from msdhs", f"latest {latest}")
    assert [m.get_content().strip() for m in mailbox.messages] == ["latest 2022-01-17", "latest 2022-03-03"]
