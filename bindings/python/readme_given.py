"""What a README Python block takes as given: its `# given:` line, and the objects that stand in for them.

Each ```python block of README.md starts with a comment naming what a user's app already has when the
block runs, and the Python type of each, as the TypeScript twin's `declare const` lines do:

    # given: self (cdk.Stack), vpc (ec2.IVpc), cluster (rds.IDatabaseCluster),
    #        tunnel (ec2.IInstance)

A long list goes on over comment lines indented past the `#`; `# given: nothing` is a block that
needs nothing. test_readme_snippets.py runs the block with exactly those names bound, each built by
GIVEN below for that name and that type, and nothing else.
"""
import re
from typing import Callable, Dict, NamedTuple

import aws_cdk as cdk
import cdk_saas_privatelink
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager

from cdk_saas_privatelink import (
    DnsTarget,
    ExposedPort,
    PrivateDnsOverride,
    PrivateLinkEndpoint,
    PrivateLinkService,
    ServiceTarget,
)

ACCOUNT = "111111111111"
REGION = "eu-west-1"
VENDOR_PRINCIPAL = "arn:aws:iam::012922587834:root"

# The module aliases a `# given:` type may use, as Python CDK code imports them; a bare name is one
# of this package's classes.
TYPE_MODULES = {"cdk": cdk, "ec2": ec2, "rds": rds, "secretsmanager": secretsmanager}


class GivenError(AssertionError):
    """A block's `# given:` line is missing, malformed, or does not match what the block uses."""


def parse_given(source: str) -> Dict[str, str]:
    """name -> type from the `# given:` comment that opens the block (continued on comment lines
    indented past the `#`)."""
    lines = source.splitlines()
    first = re.fullmatch(r"# given: (.+)", lines[0].rstrip()) if lines else None
    if first is None:
        raise GivenError(
            "the block must start with `# given: <name> (<type>), ...` (or `# given: nothing`), "
            f"naming what it expects a user's app to have; it starts with {lines[0] if lines else ''!r}"
        )
    text = first.group(1)
    for line in lines[1:]:
        more = re.fullmatch(r"#\s{2,}(\S.*)", line.rstrip())
        if more is None:
            break
        text += " " + more.group(1)
    if text.strip() == "nothing":
        return {}
    given: Dict[str, str] = {}
    for entry in text.split(","):
        match = re.fullmatch(r"\s*([A-Za-z_]\w*) \(([A-Za-z_][\w.]*)\)\s*", entry)
        if match is None:
            raise GivenError(f"`# given:` entry {entry.strip()!r} is not `<name> (<type>)`")
        name, type_name = match.groups()
        if name in given:
            raise GivenError(f"`# given:` names {name} twice")
        given[name] = type_name
    return given


def resolve_type(type_name: str) -> type:
    """`ec2.IVpc` -> aws_cdk.aws_ec2.IVpc; `PrivateLinkEndpoint` -> cdk_saas_privatelink.PrivateLinkEndpoint."""
    module_alias, _, attribute = type_name.rpartition(".")
    module = TYPE_MODULES.get(module_alias) if module_alias else cdk_saas_privatelink
    if module is None or not hasattr(module, attribute):
        raise GivenError(f"type {type_name} is not in {sorted(TYPE_MODULES)} nor a class of cdk_saas_privatelink")
    return getattr(module, attribute)


def conforms(value: object, expected: type) -> bool:
    """isinstance for jsii types: a jsii interface is a non-runtime Protocol, so look for it among the
    interfaces that the value's classes implement. An imported resource (`Secret.from_secret_complete_arn`)
    is a proxy whose delegates are instances of the interface's proxy class (`_ISecretProxy`)."""
    proxy_class = getattr(expected, "__jsii_proxy_class__", lambda: None)()
    delegates = getattr(value, "_delegates", None) if type(value).__name__ == "InterfaceDynamicProxy" else None
    for cls in [type(d) for d in delegates] if delegates else [type(value)]:
        if isinstance(proxy_class, type) and issubclass(cls, proxy_class):
            return True
        for klass in cls.__mro__:
            if klass is expected:
                return True
            for interface in getattr(klass, "__jsii_ifaces__", ()):
                if expected in getattr(interface, "__mro__", ()):
                    return True
    return False


class Fixture:
    """The app a user already has: one stack with an explicit environment, and the given objects it asks for."""

    def __init__(self) -> None:
        self.app = cdk.App()
        self.stack = cdk.Stack(self.app, "Stack", env=cdk.Environment(account=ACCOUNT, region=REGION))
        self.values: Dict[str, object] = {}

    def get(self, name: str) -> object:
        if name not in self.values:
            self.values[name] = GIVEN[name].build(self)
        return self.values[name]


class Given(NamedTuple):
    type: str  # as a `# given:` line spells it
    build: Callable[[Fixture], object]


def _vpc(construct_id: str, cidr: str, region: str = "") -> Callable[[Fixture], object]:
    def build(f: Fixture) -> ec2.Vpc:
        scope = f.stack
        if region:
            scope = cdk.Stack(f.app, construct_id + "Stack", env=cdk.Environment(account=ACCOUNT, region=region))
        return ec2.Vpc(scope, construct_id, ip_addresses=ec2.IpAddresses.cidr(cidr), max_azs=2)

    return build


# The names the README's blocks may take as given, each with its type and how it is built; built
# only when a block's `# given:` line lists it. Keep this small, and never name an entry after a
# module or a class.
GIVEN: Dict[str, Given] = {
    "self": Given("cdk.Stack", lambda f: f.stack),
    "app": Given("cdk.App", lambda f: f.app),
    "vpc": Given("ec2.IVpc", _vpc("FixtureVpc", "10.0.0.0/16")),
    "tokyo_vpc": Given("ec2.IVpc", _vpc("FixtureTokyoVpc", "10.1.0.0/16", region="ap-northeast-1")),
    "spoke_vpc": Given("ec2.IVpc", _vpc("FixtureSpokeVpc", "10.2.0.0/16")),
    "tunnel": Given("ec2.IInstance", lambda f: ec2.Instance(
        f.stack,
        "FixtureTunnel",
        vpc=f.get("vpc"),
        instance_type=ec2.InstanceType("t3.micro"),
        machine_image=ec2.MachineImage.latest_amazon_linux2023(),
    )),
    "cluster": Given("rds.IDatabaseCluster", lambda f: rds.DatabaseCluster(
        f.stack,
        "FixtureCluster",
        engine=rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_4),
        writer=rds.ClusterInstance.serverless_v2("Writer"),
        storage_encrypted=True,
        vpc=f.get("vpc"),
    )),
    "proxy": Given("rds.IDatabaseProxy", lambda f: rds.DatabaseProxy(
        f.stack,
        "FixtureProxy",
        proxy_target=rds.ProxyTarget.from_cluster(f.get("cluster")),
        secrets=[f.get("cluster").secret],
        vpc=f.get("vpc"),
    )),
    "api_token": Given("secretsmanager.ISecret", lambda f: secretsmanager.Secret.from_secret_name_v2(
        f.stack, "FixtureApiToken", "dynatrace/api-token"
    )),
    "client_secret": Given("secretsmanager.ISecret", lambda f: secretsmanager.Secret.from_secret_complete_arn(
        f.stack, "FixtureClientSecret", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:edgeconnect-client-AbCdEf"
    )),
    "credentials": Given("secretsmanager.ISecret", lambda f: secretsmanager.Secret.from_secret_name_v2(
        f.stack, "FixtureAtlasCredentials", "mongodb-atlas/service-account"
    )),
    "app_security_group": Given("ec2.ISecurityGroup", lambda f: ec2.SecurityGroup(
        f.stack, "FixtureAppSecurityGroup", vpc=f.get("vpc"), allow_all_outbound=False
    )),
    "endpoint": Given("PrivateLinkEndpoint", lambda f: PrivateLinkEndpoint(
        f.stack,
        "FixtureEndpoint",
        vpc=f.get("vpc"),
        service_name=f"com.amazonaws.vpce.{REGION}.vpce-svc-0123456789abcdef0",
    )),
    "dns": Given("PrivateDnsOverride", lambda f: PrivateDnsOverride(
        f.stack,
        "FixtureDns",
        zone_name="tenant1.api.vendor.example",
        vpc=f.get("vpc"),
        target=DnsTarget.from_endpoint(f.get("endpoint")),
    )),
    "service": Given("PrivateLinkService", lambda f: PrivateLinkService(
        f.stack,
        "FixtureService",
        vpc=f.get("vpc"),
        allowed_principals=[VENDOR_PRINCIPAL],
        ports=[ExposedPort(port=5432, targets=[ServiceTarget.ip_address("10.0.0.50")])],
    )),
    # Raises PrivateLink-EndpointServiceAcceptance, so that acknowledging it has something to do.
    "endpoint_service": Given("ec2.CfnVPCEndpointService", lambda f: ec2.CfnVPCEndpointService(
        f.stack,
        "FixtureEndpointService",
        network_load_balancer_arns=[
            f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/net/vendor/0123456789abcdef"
        ],
        acceptance_required=False,
    )),
}


def check_given(given: Dict[str, str], used: set) -> None:
    """The block's `# given:` line against GIVEN and against the names the block reads but never binds."""
    for name, type_name in given.items():
        if name not in GIVEN:
            raise GivenError(f"`# given:` lists {name}, which the test cannot provide (it has {', '.join(GIVEN)})")
        if GIVEN[name].type != type_name:
            raise GivenError(f"`# given:` says {name} is a {type_name}; the test provides a {GIVEN[name].type}")
        resolve_type(type_name)
    unlisted = sorted(used - given.keys())
    if unlisted:
        raise GivenError(
            f"the block uses {', '.join(unlisted)} without binding or importing it, and its `# given:` line "
            "does not list it: import it, or add it to `# given:` with its type"
        )
    unused = sorted(given.keys() - used)
    if unused:
        raise GivenError(f"`# given:` lists {', '.join(unused)}, which the block never uses")
