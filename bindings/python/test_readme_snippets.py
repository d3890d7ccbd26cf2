"""Every ```python block of README.md, run verbatim through the Python binding, then synthesized.

A block starts with a `# given:` comment naming what a user's app already has and its type
(`# given: self (cdk.Stack), vpc (ec2.IVpc)`), the Python side of the TypeScript blocks'
`declare const vpc: ec2.IVpc` lines. It runs with `exec` in a namespace that holds exactly those
names, each built by readme_given.GIVEN for that name and type, and nothing else: the package's
classes and the aws_cdk modules are not there, so a block that forgets an import fails with
NameError, as it would in a user's app. Before it runs, the block must use every name it lists and
list every name it uses without binding or importing it. A block also may not pass a dict inside a
list to a keyword argument: jsii hands such a dict to JavaScript as it is, where only camelCase keys
count, and snake_case keys are dropped without a word (test_snake_case_keys_of_a_dict_in_a_list_are_dropped
shows it); README, Bindings, tells users to pass the struct classes instead. conftest.py prints how
many blocks ran.

Run by bindings/run.sh: `pytest bindings/python` inside .venv-bindings/.
"""
import ast
import builtins
import linecache
import re
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple, Tuple

import aws_cdk as cdk
import cdk_saas_privatelink
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template

from cdk_saas_privatelink import ExposedPort, PrivateLinkChecks, PrivateLinkService, ServiceTarget
from readme_given import (
    ACCOUNT,
    GIVEN,
    REGION,
    VENDOR_PRINCIPAL,
    Fixture,
    GivenError,
    check_given,
    conforms,
    parse_given,
    resolve_type,
)

README = Path(__file__).resolve().parent / "../../README.md"


class Block(NamedTuple):
    line: int  # of the opening fence
    source: str


def python_blocks(text: str) -> List[Block]:
    """The fenced blocks whose info string is `python`, each with the line of its opening fence."""
    blocks, start, body = [], None, []
    for number, line in enumerate(text.splitlines(), start=1):
        if start is None:
            if re.fullmatch(r"```python\s*", line):
                start, body = number, []
        elif line.strip() == "```":
            blocks.append(Block(start, "\n".join(body) + "\n"))
            start = None
        else:
            body.append(line)
    assert start is None, f"README.md:L{start}: a ```python block is never closed"
    return blocks


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))


def free_names(tree: ast.AST) -> set:
    """Names the code reads but never assigns, defines or imports, builtins aside."""
    loaded, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return loaded - bound - set(dir(builtins))


def dicts_in_lists(tree: ast.AST) -> List[Tuple[int, str]]:
    """(line, keyword) of every keyword argument whose value has a dict literal (or dict(...)) in a list
    or tuple; a list inside the value of a nested keyword argument counts for that keyword only."""

    def is_dict(node: ast.AST) -> bool:
        return isinstance(node, ast.Dict) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict"
        )

    def up_to_keywords(node: ast.AST):
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.keyword):
                yield from up_to_keywords(child)

    return [
        (node.lineno, keyword.arg)
        for keyword in ast.walk(tree)
        if isinstance(keyword, ast.keyword)
        for node in up_to_keywords(keyword.value)
        if isinstance(node, (ast.List, ast.Tuple)) and any(is_dict(e) for e in node.elts)
    ]


def called_names(tree: ast.AST) -> set:
    """The names of what the code calls: `Foo(...)` gives Foo, `x.add_foo(...)` gives add_foo."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def cfn_resources(app: cdk.App) -> Dict[str, str]:
    """Construct path -> CloudFormation type of every L1 resource in the app, all stacks."""
    return {
        c.node.path: c.cfn_resource_type for c in app.node.find_all() if cdk.CfnResource.is_cfn_resource(c)
    }


class Run(NamedTuple):
    fixture: Fixture
    namespace: dict
    apps: List[cdk.App]  # the fixture's, then any the code made itself
    resources_before: Dict[int, Dict[str, str]]  # id(app) -> cfn_resources(app) before the code ran

    def new_resource_types(self) -> List[str]:
        return [
            kind
            for app in self.apps
            for path, kind in cfn_resources(app).items()
            if path not in self.resources_before.get(id(app), {})
        ]


def run_snippet(source: str, first_line: int = 1, name: str = "<snippet>", check_names: bool = True) -> Run:
    """Run `source` verbatim with exactly the names its `# given:` line lists. Tracebacks show it as
    file `name`, its own lines numbered from 1; an exception gets a note with the line in the file,
    counted from `first_line`. check_names=False skips the comparison of the `# given:` line with the
    names the code uses, to show that the namespace itself holds nothing more."""
    given = parse_given(source)
    if check_names:
        check_given(given, free_names(ast.parse(source)))
    # Registered so that tracebacks quote the block, not the README up to it.
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    code = compile(source, name, "exec")
    fixture = Fixture()
    namespace = {"__builtins__": builtins, "__name__": "__main__"}
    for given_name, type_name in given.items():
        value = fixture.get(given_name)
        assert conforms(value, resolve_type(type_name)), f"{given_name} was built as a {type(value)}, not a {type_name}"
        namespace[given_name] = value
    before = {id(fixture.app): cfn_resources(fixture.app)}
    try:
        exec(code, namespace)
    except Exception as e:
        tb, line = e.__traceback__, None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == name:
                line = tb.tb_lineno
            tb = tb.tb_next
        where = f"{name}, line {line} of the block (line {first_line + line - 1} of the file)" if line else name
        if isinstance(e, NameError):
            e.add_note(
                f"{where}: the block must import `{e.name}` itself or list it in its `# given:` line "
                f"(it lists: {', '.join(given) or 'nothing'})"
            )
        else:
            e.add_note(f"raised at {where}")
        raise
    own_apps = [v for v in namespace.values() if isinstance(v, cdk.App) and v is not fixture.app]
    return Run(fixture, namespace, [fixture.app, *own_apps], before)


# What a block must leave behind, by what it calls: the package's construct (or method) -> a
# CloudFormation type that it always adds to the app.
CREATES = {
    "PrivateLinkService": "AWS::EC2::VPCEndpointService",
    "PrivateLinkEndpoint": "AWS::EC2::VPCEndpoint",
    "PrivateDnsOverride": "AWS::Route53::HostedZone",
    "SpokePeering": "AWS::EC2::VPCPeeringConnection",
    "add_spoke_vpc": "AWS::EC2::VPCPeeringConnection",
    "TransitGatewaySpoke": "AWS::EC2::TransitGatewayAttachment",
    "new_transit_gateway": "AWS::EC2::TransitGateway",
    "EdgeConnect": "AWS::ECS::Service",
    "DynatracePrivateLink": "Custom::DynatracePrivateLink",
    "HostnameTargetSync": "AWS::Lambda::Function",
    "RiveryPrivateLink": "AWS::EC2::VPCEndpointService",
    "MonteCarloPrivateLink": "AWS::EC2::VPCEndpoint",
    "DatadogPrivateLink": "AWS::EC2::VPCEndpoint",
    "MongoDbAtlasPrivateLink": "Custom::MongoDbAtlasEndpoint",
    "PrivateLinkProbe": "Custom::PrivateLinkProbe",
    "PrivateLinkDashboard": "AWS::CloudWatch::Dashboard",
    "add_recommended_alarms": "AWS::CloudWatch::Alarm",
}


def check_plugin_runs_at_synth(run: Run) -> None:
    """`Validations.of(app).add_plugins(PrivateLinkChecks(app))`: a finding in a stack of that app fails its synth."""
    for app in run.apps[1:] or run.apps:
        stack = cdk.Stack(app, "OpenToEveryone", env=cdk.Environment(account=ACCOUNT, region=REGION))
        ec2.CfnVPCEndpointServicePermissions(stack, "Permissions", service_id="vpce-svc-0123456789abcdef0",
                                             allowed_principals=["*"])
        with pytest.raises(Exception, match="PrivateLink-EndpointServicePrincipals"):
            app.synth(force=True)


def check_report_is_clean(run: Run) -> None:
    """`PrivateLinkChecks().validate_scope(app)`: the block kept a report, and it found nothing."""
    reports = [v for v in run.namespace.values() if isinstance(v, cdk.PolicyValidationPluginReport)]
    assert reports, "the block ran validate_scope but kept no report"
    for report in reports:
        assert report.success and report.violations == []


def check_acknowledged(run: Run) -> None:
    """`Validations.of(x).acknowledge(...)`: the pack no longer reports the fixture's finding."""
    assert "endpoint_service" in run.fixture.values, "the block acknowledged something other than the fixture"
    report = PrivateLinkChecks().validate_scope(run.fixture.app)
    assert [v.rule_name for v in report.violations] == [], "the acknowledgement did not reach the pack"


CALL_CHECKS: Dict[str, Callable[[Run], None]] = {
    "add_plugins": check_plugin_runs_at_synth,
    "validate_scope": check_report_is_clean,
    "acknowledge": check_acknowledged,
}


@pytest.mark.parametrize("block", BLOCKS, ids=[f"README.md:L{b.line}" for b in BLOCKS])
def test_readme_python_block_runs_verbatim(block: Block) -> None:
    tree = ast.parse(block.source)
    ast.increment_lineno(tree, block.line)
    assert dicts_in_lists(tree) == [], (
        "(README line, keyword): pass the struct class (ExposedPort(...)), not a dict, inside a list: "
        "jsii drops its snake_case keys"
    )
    calls = called_names(tree)
    expected_types = sorted({CREATES[name] for name in calls & CREATES.keys()})
    checks = [CALL_CHECKS[name] for name in sorted(calls & CALL_CHECKS.keys())]
    assert expected_types or checks, (
        f"nothing here knows what this block should produce (it calls {sorted(calls)}): add it to CREATES or CALL_CHECKS"
    )

    run = run_snippet(block.source, block.line + 1, f"README.md:L{block.line}")
    for app in run.apps:
        app.synth()  # construct validation runs here

    new_types = run.new_resource_types()
    for resource_type in expected_types:
        assert resource_type in new_types, f"the block made no {resource_type}; it made {sorted(set(new_types))}"
    for check in checks:
        check(run)


def test_readme_has_python_blocks() -> None:
    assert len(BLOCKS) == README.read_text(encoding="utf-8").count("\n```python\n")
    assert len(BLOCKS) >= 10


SERVICE_SNIPPET = (
    "from cdk_saas_privatelink import ExposedPort, ServiceTarget\n"
    "\n"
    'PrivateLinkService(self, "ToVendor", vpc=vpc, allowed_principals=["arn:aws:iam::012922587834:root"],\n'
    '    ports=[ExposedPort(port=5432, targets=[ServiceTarget.ip_address("10.20.0.50")])])\n'
)


def test_a_missing_import_fails_with_name_error() -> None:
    given = "# given: self (cdk.Stack), vpc (ec2.IVpc)\n"
    # Caught before the block runs...
    with pytest.raises(GivenError, match="uses PrivateLinkService without binding or importing it"):
        run_snippet(given + SERVICE_SNIPPET)
    # ...and the namespace has no such name either.
    with pytest.raises(NameError, match="'PrivateLinkService'"):
        run_snippet(given + SERVICE_SNIPPET, check_names=False)
    # A module is not given either.
    with pytest.raises(NameError, match="'ec2'"):
        run_snippet('# given: self (cdk.Stack)\nec2.Vpc(self, "Vpc")\n', check_names=False)
    # With the import the same block runs, and `self` and `vpc` are what its `# given:` line says.
    run = run_snippet(given + "from cdk_saas_privatelink import PrivateLinkService\n" + SERVICE_SNIPPET)
    assert "AWS::EC2::VPCEndpointService" in run.new_resource_types()
    assert isinstance(run.namespace["vpc"], ec2.Vpc) and run.namespace["self"] is run.fixture.stack


def test_a_name_the_given_line_does_not_list_is_not_provided() -> None:
    imports = "from cdk_saas_privatelink import PrivateLinkService\n"
    # vpc is one of the names the test can build, but this block does not list it: it is not there.
    with pytest.raises(GivenError, match="uses vpc without binding or importing it"):
        run_snippet("# given: self (cdk.Stack)\n" + imports + SERVICE_SNIPPET)
    with pytest.raises(NameError, match="'vpc'") as raised:
        run_snippet("# given: self (cdk.Stack)\n" + imports + SERVICE_SNIPPET, check_names=False)
    assert "it lists: self" in "\n".join(raised.value.__notes__)
    # Nothing more than the list: a listed name the block never uses is an error too.
    with pytest.raises(GivenError, match="lists tunnel, which the block never uses"):
        run_snippet("# given: self (cdk.Stack), vpc (ec2.IVpc), tunnel (ec2.IInstance)\n" + imports + SERVICE_SNIPPET)


def test_a_block_without_a_given_line_fails() -> None:
    with pytest.raises(GivenError, match="must start with `# given:"):
        run_snippet("from cdk_saas_privatelink import PrivateLinkService\n" + SERVICE_SNIPPET)
    # A `# given:` line further down does not count.
    with pytest.raises(GivenError, match="must start with `# given:"):
        run_snippet("import aws_cdk\n# given: nothing\n")
    assert run_snippet("# given: nothing\nfrom aws_cdk import App\napp = App()\n").namespace["app"] is not None


def test_the_given_line_is_parsed_and_checked() -> None:
    assert parse_given("# given: self (cdk.Stack), vpc (ec2.IVpc),\n#        tunnel (ec2.IInstance)\nx = 1\n") == {
        "self": "cdk.Stack", "vpc": "ec2.IVpc", "tunnel": "ec2.IInstance"}
    assert parse_given("# given: nothing\n# a comment of the block\n") == {}
    for bad, message in [
        ("# given: vpc\n", "is not `<name> \\(<type>\\)`"),
        ("# given: vpc: ec2.IVpc\n", "is not `<name> \\(<type>\\)`"),
        ("# given: vpc (ec2.IVpc), vpc (ec2.IVpc)\n", "names vpc twice"),
        ("#given: vpc (ec2.IVpc)\n", "must start with"),
    ]:
        with pytest.raises(GivenError, match=message):
            parse_given(bad)
    with pytest.raises(GivenError, match="says vpc is a ec2.Vpc; the test provides a ec2.IVpc"):
        check_given({"vpc": "ec2.Vpc"}, {"vpc"})
    with pytest.raises(GivenError, match="lists my_vpc, which the test cannot provide"):
        check_given({"my_vpc": "ec2.IVpc"}, {"my_vpc"})
    with pytest.raises(GivenError, match="type lambda_.IFunction is not in"):
        resolve_type("lambda_.IFunction")


def test_every_given_name_is_built_as_its_type() -> None:
    fixture = Fixture()
    for name, given in GIVEN.items():
        expected = resolve_type(given.type)
        assert conforms(fixture.get(name), expected), f"{name} is not a {given.type}"
    # conforms() is no rubber stamp: a VPC is no instance, a secret no VPC.
    assert not conforms(fixture.get("vpc"), ec2.IInstance)
    assert not conforms(fixture.get("client_secret"), ec2.IVpc)
    assert not conforms(fixture.get("self"), cdk.App)


def test_a_dict_in_a_list_is_rejected() -> None:
    as_dict = 'PrivateLinkService(self, "S", vpc=vpc, ports=[{"port": 5432, "target_port": 5433}])'
    assert dicts_in_lists(ast.parse(as_dict)) == [(1, "ports")]
    as_nested_dict = 'f(targets=[RiveryTarget.x(a, b=[dict(port=1)])])'
    assert dicts_in_lists(ast.parse(as_nested_dict)) == [(1, "b")]
    as_struct = 'PrivateLinkService(self, "S", vpc=vpc, ports=[ExposedPort(port=5432, target_port=5433)])'
    assert dicts_in_lists(ast.parse(as_struct)) == []
    # A dict that is not in a list is converted by the binding, snake_case keys included.
    assert dicts_in_lists(ast.parse('RiveryPrivateLink(self, "R", vpc=vpc, auto_accept={})')) == []


def _target_group_ports(ports: list) -> List[int]:
    fixture = Fixture()
    PrivateLinkService(fixture.stack, "Service", vpc=fixture.get("vpc"), allowed_principals=[VENDOR_PRINCIPAL],
                       ports=ports)
    template = Template.from_stack(fixture.stack).to_json()["Resources"]
    return [r["Properties"]["Port"] for r in template.values()
            if r["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup"]


def test_snake_case_keys_of_a_dict_in_a_list_are_dropped() -> None:
    """What README, Bindings, says: the reason for test_a_dict_in_a_list_is_rejected."""
    targets = [ServiceTarget.ip_address("10.0.0.50")]
    assert _target_group_ports([ExposedPort(port=5432, target_port=5433, targets=targets)]) == [5433]
    assert _target_group_ports([{"port": 5432, "targetPort": 5433, "targets": targets}]) == [5433]
    # No error, no warning: target_port is gone and the target group uses the listener's port.
    assert _target_group_ports([{"port": 5432, "target_port": 5433, "targets": targets}]) == [5432]
    # Here the construct notices, and asks for the key the dict spelled in snake_case.
    with pytest.raises(RuntimeError, match="has no `targets`; give targets, or set `ipTargetsSyncedExternally: true`"):
        _target_group_ports([{"port": 5432, "ip_targets_synced_externally": True}])
    assert _target_group_ports([ExposedPort(port=5432, ip_targets_synced_externally=True)]) == [5432]


def test_given_names_shadow_no_module_or_class() -> None:
    for name in GIVEN:
        assert name.isidentifier() and name == name.lower(), name
        for module in (cdk_saas_privatelink, cdk):
            assert not hasattr(module, name), f"fixture {name} shadows {module.__name__}.{name}"
        assert not hasattr(cdk, f"aws_{name}"), f"fixture {name} shadows the usual alias of aws_cdk.aws_{name}"
        assert name not in {"cdk", "constructs", "jsii"}, name


def test_the_fixture_endpoint_service_raises_the_finding_blocks_acknowledge() -> None:
    fixture = Fixture()
    fixture.get("endpoint_service")
    report = PrivateLinkChecks().validate_scope(fixture.app)
    assert [v.rule_name for v in report.violations] == ["PrivateLink-EndpointServiceAcceptance"]
