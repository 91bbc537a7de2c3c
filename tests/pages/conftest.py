from tests.loopclients import _close_loop_clients  # noqa: F401 - autouse fixture
