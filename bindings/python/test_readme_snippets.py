"""Every ```python block of README.md, run verbatim through the Python binding, then synthesized.

A block runs with `exec` in a namespace that holds only what a user's app already has: the Python
side of the TypeScript blocks' `declare const vpc: ec2.IVpc` lines (`self`, `vpc`, `tunnel`, ...),
built from FIXTURES for the names the block reads and never assigns or imports. The package's
classes and the aws_cdk modules are not there: a block that forgets an import fails with NameError,
as it would in a user's app. A block also may not pass a dict inside a list to a keyword argument:
jsii hands such a dict to JavaScript as it is, where only camelCase keys count, and snake_case keys
are dropped without a word (test_snake_case_keys_of_a_dict_in_a_list_are_dropped shows it); README,
Bindings, tells users to pass the struct classes instead.

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
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template

from cdk_saas_privatelink import (
    DnsTarget,
    ExposedPort,
    PrivateDnsOverride,
    PrivateLinkChecks,
    PrivateLinkEndpoint,
    PrivateLinkService,
    ServiceTarget,
)

README = Path(__file__).resolve().parent / "../../README.md"
ACCOUNT = "111111111111"
REGION = "eu-west-1"
VENDOR_PRINCIPAL = "arn:aws:iam::012922587834:root"


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


class Fixture:
    """The app a user already has: one stack with an explicit environment, and the FIXTURES it asks for."""

    def __init__(self) -> None:
        self.app = cdk.App()
        self.stack = cdk.Stack(self.app, "Stack", env=cdk.Environment(account=ACCOUNT, region=REGION))
        self.values: Dict[str, object] = {}

    def get(self, name: str) -> object:
        if name not in self.values:
            self.values[name] = FIXTURES[name](self)
        return self.values[name]


def _tokyo_vpc(f: Fixture) -> ec2.Vpc:
    tokyo = cdk.Stack(f.app, "Tokyo", env=cdk.Environment(account=ACCOUNT, region="ap-northeast-1"))
    return ec2.Vpc(tokyo, "FixtureVpc", ip_addresses=ec2.IpAddresses.cidr("10.1.0.0/16"), max_azs=2)


# The objects the README's blocks take as given, by the name they use; built only when a block
# reads that name. Keep this list small, and never name an entry after a module or a class.
FIXTURES: Dict[str, Callable[[Fixture], object]] = {
    "self": lambda f: f.stack,
    "app": lambda f: f.app,
    "vpc": lambda f: ec2.Vpc(f.stack, "FixtureVpc", ip_addresses=ec2.IpAddresses.cidr("10.0.0.0/16"), max_azs=2),
    "tokyo_vpc": _tokyo_vpc,
    "spoke_vpc": lambda f: ec2.Vpc(
        f.stack, "FixtureSpokeVpc", ip_addresses=ec2.IpAddresses.cidr("10.2.0.0/16"), max_azs=2
    ),
    "tunnel": lambda f: ec2.Instance(
        f.stack,
        "FixtureTunnel",
        vpc=f.get("vpc"),
        instance_type=ec2.InstanceType("t3.micro"),
        machine_image=ec2.MachineImage.latest_amazon_linux2023(),
    ),
    "cluster": lambda f: rds.DatabaseCluster(
        f.stack,
        "FixtureCluster",
        engine=rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_4),
        writer=rds.ClusterInstance.serverless_v2("Writer"),
        storage_encrypted=True,
        vpc=f.get("vpc"),
    ),
    "proxy": lambda f: rds.DatabaseProxy(
        f.stack,
        "FixtureProxy",
        proxy_target=rds.ProxyTarget.from_cluster(f.get("cluster")),
        secrets=[f.get("cluster").secret],
        vpc=f.get("vpc"),
    ),
    "api_token": lambda f: secretsmanager.Secret.from_secret_name_v2(f.stack, "FixtureApiToken", "dynatrace/api-token"),
    "client_secret": lambda f: secretsmanager.Secret.from_secret_complete_arn(
        f.stack, "FixtureClientSecret", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:edgeconnect-client-AbCdEf"
    ),
    "endpoint": lambda f: PrivateLinkEndpoint(
        f.stack,
        "FixtureEndpoint",
        vpc=f.get("vpc"),
        service_name=f"com.amazonaws.vpce.{REGION}.vpce-svc-0123456789abcdef0",
    ),
    "dns": lambda f: PrivateDnsOverride(
        f.stack,
        "FixtureDns",
        zone_name="tenant1.api.vendor.example",
        vpc=f.get("vpc"),
        target=DnsTarget.from_endpoint(f.get("endpoint")),
    ),
    "service": lambda f: PrivateLinkService(
        f.stack,
        "FixtureService",
        vpc=f.get("vpc"),
        allowed_principals=[VENDOR_PRINCIPAL],
        ports=[ExposedPort(port=5432, targets=[ServiceTarget.ip_address("10.0.0.50")])],
    ),
    # Raises PrivateLink-EndpointServiceAcceptance, so that acknowledging it has something to do.
    "endpoint_service": lambda f: ec2.CfnVPCEndpointService(
        f.stack,
        "FixtureEndpointService",
        network_load_balancer_arns=[
            f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/net/vendor/0123456789abcdef"
        ],
        acceptance_required=False,
    ),
}


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


def run_snippet(source: str, first_line: int = 1, name: str = "<snippet>") -> Run:
    """Run `source` verbatim with the fixtures it reads. Tracebacks show it as file `name`, its own
    lines numbered from 1; an exception gets a note with the line in the file, counted from `first_line`."""
    # Registered so that tracebacks quote the block, not the README up to it.
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    code = compile(source, name, "exec")
    fixture = Fixture()
    namespace = {"__builtins__": builtins, "__name__": "__main__"}
    for free in sorted(free_names(ast.parse(source))):
        if free in FIXTURES:
            namespace[free] = fixture.get(free)
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
                f"{where}: the block must import `{e.name}` itself (the only names given, as a user's "
                f"app has them: {', '.join(sorted(FIXTURES))})"
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


def test_a_missing_import_fails_with_name_error() -> None:
    snippet = (
        "from cdk_saas_privatelink import ExposedPort, ServiceTarget\n"
        "\n"
        'PrivateLinkService(self, "ToVendor", vpc=vpc, allowed_principals=["arn:aws:iam::012922587834:root"],\n'
        '    ports=[ExposedPort(port=5432, targets=[ServiceTarget.ip_address("10.20.0.50")])])\n'
    )
    with pytest.raises(NameError, match="'PrivateLinkService'"):
        run_snippet(snippet)
    # A module is not given either.
    with pytest.raises(NameError, match="'ec2'"):
        run_snippet('ec2.Vpc(self, "Vpc")\n')
    # With the import the same block runs, and `self` and `vpc` are the fixtures.
    run = run_snippet("from cdk_saas_privatelink import PrivateLinkService\n" + snippet)
    assert "AWS::EC2::VPCEndpointService" in run.new_resource_types()


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


def test_fixtures_shadow_no_module_or_class() -> None:
    for name in FIXTURES:
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
