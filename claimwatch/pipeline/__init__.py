"""Running the stages: Airflow task bodies, a local Airflow, the Celery cluster, source status and alerts."""
