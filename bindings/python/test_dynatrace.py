"""The Dynatrace same-region example (examples/dynatrace-same-region/main.ts), written in Python
against the wheel that jsii-pacmak builds from this repository, synthesized and checked.

Run by bindings/run.sh: `pytest bindings/python` inside .venv-bindings/.
"""
import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template

from cdk_saas_privatelink import (
    DynatraceActiveGateToken,
    DynatraceEnvironment,
    DynatracePrivateLink,
)


def build_stack(outdir: "str | None" = None) -> cdk.Stack:
    """The app, also synthesized by bench/python-binding.py to time the binding."""
    app = cdk.App(outdir=outdir)
    # Environment-agnostic: no AWS account or credentials needed, no lookups.
    stack = cdk.Stack(app, "DynatraceSameRegion")
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        ip_addresses=ec2.IpAddresses.cidr("10.60.0.0/16"),
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24)
        ],
        flow_logs={
            "all": ec2.FlowLogOptions(
                destination=ec2.FlowLogDestination.to_cloud_watch_logs(
                    logs.LogGroup(
                        stack,
                        "FlowLogs",
                        retention=logs.RetentionDays.ONE_YEAR,
                        removal_policy=cdk.RemovalPolicy.RETAIN,
                    )
                )
            )
        },
    )
    api_token = secretsmanager.Secret.from_secret_name_v2(stack, "ApiToken", "dynatrace/api-token")
    environment = DynatraceEnvironment.saas("abc12345")

    DynatracePrivateLink(
        stack, "Dynatrace", environment=environment, api_token=api_token, api_token_field="apiToken", vpc=vpc
    )
    DynatraceActiveGateToken(
        stack,
        "ActiveGateToken",
        environment=environment,
        api_token=api_token,
        api_token_field="apiToken",
        token_name="vpc-activegate",
    )
    return stack


EXPECTED_COUNTS = {
    "AWS::EC2::VPCEndpoint": 1,
    "AWS::Route53::HostedZone": 1,
    "AWS::Route53::RecordSet": 1,
    "Custom::DynatracePrivateLink": 2,
    "Custom::PrivateLinkAzFilter": 1,
    "Custom::DynatraceActiveGateToken": 1,
    "AWS::SecretsManager::Secret": 1,
    "Custom::PrivateLinkProbe": 1,
    # The Dynatrace API handler, the AZ filter, the token handler, its rotation function, and the probe's runner and in-VPC function.
    "AWS::Lambda::Function": 6,
}


def test_dynatrace_same_region_synthesizes_through_the_python_binding():
    stack = build_stack()
    template = Template.from_stack(stack)

    for resource_type, count in EXPECTED_COUNTS.items():
        template.resource_count_is(resource_type, count)

    resources = template.to_json()["Resources"]

    # The environment's hostname is what the private zone overrides, and the API URL the custom resources call.
    zone = next(r for r in resources.values() if r["Type"] == "AWS::Route53::HostedZone")
    assert zone["Properties"]["Name"] == "abc12345.live.dynatrace.com."

    # The endpoint's service name is read from Dynatrace by the Allowlist custom resource at deploy time.
    endpoint = next(r for r in resources.values() if r["Type"] == "AWS::EC2::VPCEndpoint")
    service_name = endpoint["Properties"]["ServiceName"]
    assert set(service_name) == {"Fn::GetAtt"}
    allowlist_id, attribute = service_name["Fn::GetAtt"]
    assert attribute == "ServiceName"
    allowlist = resources[allowlist_id]
    assert allowlist["Type"] == "Custom::DynatracePrivateLink"
    assert allowlist["Properties"]["Operation"] == "Allowlist"
    assert allowlist["Properties"]["ApiUrl"] == "https://abc12345.live.dynatrace.com"
    assert allowlist["Properties"]["TokenSecretField"] == "apiToken"
    operations = sorted(
        r["Properties"]["Operation"] for r in resources.values() if r["Type"] == "Custom::DynatracePrivateLink"
    )
    assert operations == ["Allowlist", "Enable"]

    token = next(r for r in resources.values() if r["Type"] == "Custom::DynatraceActiveGateToken")
    assert token["Properties"]["Name"] == "vpc-activegate"
    assert token["Properties"]["ActiveGateType"] == "ENVIRONMENT"
