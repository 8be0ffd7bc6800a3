import pytest

from .projects import create_store_template


@pytest.fixture(scope="session")
def store_template(tmp_path_factory):
    return create_store_template(tmp_path_factory.mktemp("store") / "mlflow.db")
