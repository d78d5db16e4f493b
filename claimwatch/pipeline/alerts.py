"""Alerts: an Airflow notifier that posts to a webhook named by an Airflow connection.

The webhook is the connection ``claimwatch_alerts`` (any secrets backend, or
``AIRFLOW_CONN_CLAIMWATCH_ALERTS='https://hooks.example.org/services/T0/B0/XXXX'``): its URL is rebuilt from the
connection (scheme from the connection type, host, port, path). The body is JSON with a ``text`` line (what
Slack, Mattermost and most chat webhooks show) and the fields a receiver may route on. Without the connection
the notifier logs a warning and sends nothing, so a laptop without a webhook still runs every DAG.

The ingest DAGs alert on a task's final failure (``on_failure_callback``); the ``source_health`` DAG fails, and
so alerts, when a source is stale, has never succeeded or failed last (:mod:`claimwatch.pipeline.status`).
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

from airflow.sdk import BaseNotifier

log = logging.getLogger(__name__)

ALERTS_CONN_ID = "claimwatch_alerts"


def webhook_url(conn: Any) -> str:
    """The webhook URL of an Airflow connection (``http``/``https`` type; the path is the connection's schema)."""
    scheme = conn.conn_type if conn.conn_type in ("http", "https") else "https"
    host = str(conn.host or "")
    if host.startswith(("http://", "https://")):  # a full URL given as the host
        return host
    port = f":{conn.port}" if conn.port else ""
    path = str(conn.schema or "").lstrip("/")
    return f"{scheme}://{host}{port}/{path}"


def alert_payload(context: Any, headline: str | None = None) -> dict[str, Any]:
    """What an alert says, from the Airflow context of the failed task."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", None)
    task_id = getattr(ti, "task_id", None)
    run_id = context.get("run_id") or getattr(ti, "run_id", None)
    exception = context.get("exception")
    reason = str(exception).strip().splitlines()[0] if exception else None
    text = headline or f"claimwatch: {dag_id}.{task_id} failed"
    if reason:
        text += f": {reason}"
    return {
        "text": text,
        "dag_id": dag_id,
        "task_id": task_id,
        "run_id": run_id,
        "try_number": getattr(ti, "try_number", None),
        "reason": reason,
    }


class WebhookNotifier(BaseNotifier):
    """Post a JSON alert to the webhook of the Airflow connection ``conn_id`` (default ``claimwatch_alerts``)."""

    template_fields = ("headline",)

    def __init__(self, headline: str | None = None, conn_id: str = ALERTS_CONN_ID, timeout: float = 10.0) -> None:
        super().__init__()
        self.headline = headline
        self.conn_id = conn_id
        self.timeout = timeout

    def notify(self, context: Any) -> None:
        """Send the alert; a missing connection is a warning (no webhook configured), a failed post an error."""
        from airflow.sdk import Connection

        try:
            conn = Connection.get(self.conn_id)
        except Exception:  # AirflowNotFoundException and friends: no webhook configured here
            conn = None
        if conn is None or not conn.host:  # compose passes an empty AIRFLOW_CONN_CLAIMWATCH_ALERTS when none is set
            log.warning("no webhook in Airflow connection %r: alert not sent", self.conn_id)
            return
        payload = alert_payload(context, self.headline)
        request = urllib.request.Request(
            webhook_url(conn),
            data=json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json", "User-Agent": "claimwatch-alerts"},
            method="POST",
        )
        # the URL may carry the webhook's token: log where it went by connection id, never the URL
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            log.info("alert sent through %s (HTTP %s): %s", self.conn_id, response.status, payload["text"])
