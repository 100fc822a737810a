# The plugin is all a suite needs: `pytest_cuplane` on the path (PYTHONPATH=contrib/pytest)
# and the bootstrap file named in pytest.ini.
pytest_plugins = ["pytest_cuplane"]
