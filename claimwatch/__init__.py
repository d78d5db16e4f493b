"""claimwatch: scrape militia attack claims and news reports into a PostgreSQL warehouse."""

import warnings

__version__ = "0.1.0"

# platformdirs (used by pgserver and Airflow) warns on every start in containers and CI, where XDG_RUNTIME_DIR is
# unset; it falls back to a private /tmp folder, which is what we want. Not news to a user.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
