"""``docker/compose.yaml`` validated by ``docker-compose config`` (Debian's docker-compose; there is no Docker
engine here, so the stack is checked as compose resolves it, not started). Skips without the binary, except in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from claimwatch.config import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker" / "compose.yaml"
SECRETS = {
    "POSTGRES_PASSWORD": "owner-pw-1",
    "CLAIMWATCH_LOADER_PASSWORD": "loader-pw-2",
    "AIRFLOW_DB_PASSWORD": "airflow-db-pw-3",
    "AIRFLOW__API_AUTH__JWT_SECRET": "jwt-secret-4",
    "AIRFLOW__CORE__FERNET_KEY": "fernet-key-5",
    "AIRFLOW_ADMIN_PASSWORD": "admin-pw-6",
}
AIRFLOW_SERVICES = {"api-server", "scheduler", "dag-processor", "triggerer", "worker"}


def _compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is not installed (apt-get install docker-compose)")
        pytest.skip("docker-compose is not installed")
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS and not k.startswith("AIRFLOW")}
    return subprocess.run(
        [binary, "-f", str(COMPOSE), "config"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, **env},
        cwd=COMPOSE.parent,
    )


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    result = _compose_config(SECRETS)
    assert result.returncode == 0, result.stderr
    return dict(yaml.safe_load(result.stdout))


def test_every_airflow_service_waits_for_init_and_runs_the_celery_executor(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    assert AIRFLOW_SERVICES | {"airflow-init", "warehouse", "airflow-db", "redis"} <= set(services)
    for name in AIRFLOW_SERVICES:
        service = services[name]
        assert service["depends_on"]["airflow-init"] == {"condition": "service_completed_successfully"}, name
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
        # one JWT secret and one Fernet key for all, from the environment
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == SECRETS["AIRFLOW__API_AUTH__JWT_SECRET"]
        assert env["AIRFLOW__CORE__FERNET_KEY"] == SECRETS["AIRFLOW__CORE__FERNET_KEY"]
        assert any(str(v).startswith("airflow-logs:/opt/airflow/logs") for v in service["volumes"]), name
        # the pipeline reaches the warehouse as the loader login, never the owner
        warehouse = env["AIRFLOW_CONN_CLAIMWATCH_WAREHOUSE"]
        assert warehouse.startswith("postgresql://claimwatch_etl:") and SECRETS["POSTGRES_PASSWORD"] not in warehouse
        assert "CLAIMWATCH_WAREHOUSE_DSN" not in env
    assert services["worker"]["command"] == ["airflow", "celery", "worker"]
    assert "airflow-logs" in resolved["volumes"]


def test_init_creates_the_admin_and_the_loader_login(resolved: dict[str, Any]) -> None:
    init = resolved["services"]["airflow-init"]
    script = " ".join(init["command"])
    assert "airflow db migrate" in script and "claimwatch migrate" in script
    assert "claimwatch warehouse add-loader claimwatch_etl" in script
    assert "/opt/airflow/auth/passwords.json" in script  # the admin's password, for the simple auth manager
    for secret in SECRETS.values():
        assert secret not in script  # passwords reach init through its environment only
    assert init["environment"]["AIRFLOW_ADMIN_PASSWORD"] == SECRETS["AIRFLOW_ADMIN_PASSWORD"]
    assert init["depends_on"]["warehouse"] == {"condition": "service_healthy"}


def test_host_ports_bind_loopback_only(resolved: dict[str, Any]) -> None:
    for name, service in resolved["services"].items():
        for port in service.get("ports", []):
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1", (name, port)


@pytest.mark.parametrize("missing", ["AIRFLOW__API_AUTH__JWT_SECRET", "CLAIMWATCH_LOADER_PASSWORD"])
def test_a_missing_secret_stops_compose_with_its_name(missing: str) -> None:
    result = _compose_config({k: v for k, v in SECRETS.items() if k != missing})
    assert result.returncode != 0
    assert f"set {missing}" in result.stderr
