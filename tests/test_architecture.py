"""The direction between the apps (issue 20 item 4): the import-linter contracts of pyproject.toml
hold on the code, and they would catch the imports they exist to forbid.

bin/test runs `lint-imports` itself; this runs the same contracts through import-linter's API so
a broken direction also shows in the suite, with the offending imports in the message."""

from copy import deepcopy
from pathlib import Path

import grimp
import pytest
from importlinter import api
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = {"layers": LayersContract, "acyclic_siblings": AcyclicSiblingsContract}
FEATURE_APPS = ["proposals", "liaison", "training", "posts", "groups", "livelihood"]
ABOVE_CORE = ["representatives", "notifications", *FEATURE_APPS, "dashboard", "portal", "demo"]


@pytest.fixture(scope="module")
def configuration():
    return api.read_configuration(str(ROOT / "pyproject.toml"))


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("apps", cache_dir=None)


def contract(configuration, contract_id):
    options = next(o for o in configuration["contracts_options"] if o.get("id") == contract_id)
    return CONTRACTS[options["type"]](
        name=options["name"], session_options=configuration["session_options"], contract_options=options
    )


def kept(configuration, graph, contract_id) -> bool:
    # A contract removes its ignored imports from the graph it checks: give it a copy.
    return contract(configuration, contract_id).check(deepcopy(graph), verbose=False).kept


@pytest.mark.parametrize("contract_id", ["layers", "siblings"])
def test_the_apps_keep_their_direction(configuration, graph, contract_id):
    assert kept(configuration, graph, contract_id), f"run `lint-imports --contract {contract_id}` to see the imports"


def test_core_imports_no_app_above_it_not_even_inside_a_function(graph):
    """The rule of the issue itself, with no ignored import: grimp sees function-level imports too."""
    upward = [
        (importer, imported)
        for importer in graph.find_descendants("apps.core") | {"apps.core"}
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.split(".")[1:2] and imported.split(".")[1] in ABOVE_CORE
    ]
    assert upward == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("apps.core.views", "apps.proposals.models"),  # core reading a feature app
        ("apps.notifications.services", "apps.representatives.models"),  # a layer skipped upwards
        ("apps.representatives.selectors", "apps.liaison.models"),  # the roster reading a feature app
        ("apps.proposals.selectors", "apps.dashboard.figures"),  # a feature app reading the dashboard
        ("apps.dashboard.selectors", "apps.portal.views"),  # anything reading the portal
        ("apps.portal.views", "apps.demo.core"),  # the runtime reading the demo loaders
    ],
)
def test_the_layers_contract_refuses_an_upward_import(configuration, graph, importer, imported):
    wrong = deepcopy(graph)
    wrong.add_import(importer=importer, imported=imported)
    assert not kept(configuration, wrong, "layers")


def test_the_siblings_contract_refuses_two_feature_apps_importing_each_other(configuration, graph):
    # liaison already imports proposals (a concern becomes a draft proposal): the way back is closed.
    assert graph.direct_import_exists(importer="apps.liaison", imported="apps.proposals", as_packages=True)
    wrong = deepcopy(graph)
    wrong.add_import(importer="apps.proposals.selectors", imported="apps.liaison.models")
    assert kept(configuration, wrong, "layers")  # one layer: only the siblings contract sees it
    assert not kept(configuration, wrong, "siblings")


def test_a_new_app_must_be_given_a_layer(configuration, graph):
    wrong = deepcopy(graph)
    wrong.add_module("apps.newapp")
    wrong.add_module("apps.newapp.views")
    assert not kept(configuration, wrong, "layers")
