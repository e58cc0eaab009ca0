"""/_floor/ (the load benchmark's bare page) exists only when BENCHMARK_FLOOR is on."""

import importlib

import pytest
from django.urls import Resolver404, clear_url_caches, resolve

import klimaalliancen.urls


@pytest.fixture
def reload_urls():
    yield
    clear_url_caches()
    importlib.reload(klimaalliancen.urls)


@pytest.mark.parametrize("on", [False, True])
def test_floor_routed_only_with_the_benchmark_setting(settings, reload_urls, on):
    settings.BENCHMARK_FLOOR = on
    clear_url_caches()
    importlib.reload(klimaalliancen.urls)
    if on:
        assert resolve("/_floor/").url_name == "bench-floor"
    else:
        with pytest.raises(Resolver404):
            resolve("/_floor/")
