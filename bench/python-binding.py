"""One synth of the Dynatrace same-region app (examples/dynatrace-same-region/main.ts) through
the Python binding (the wheel jsii-pacmak builds, installed in .venv-bindings/), timed from inside
a fresh Python process. bench/python-binding.sh runs it and bench/python-binding.ts several times
each and prints the ratio. Prints one JSON line: {"load_ms", "synth_ms", "total_ms"}.
"""
import json
import os
import tempfile
import time

start = time.perf_counter()
# Loading counts: `import aws_cdk` starts the jsii runtime (a node process that loads aws-cdk-lib).
import aws_cdk as cdk  # noqa: E402
from aws_cdk import aws_ec2 as ec2  # noqa: E402
from aws_cdk import aws_logs as logs  # noqa: E402
from aws_cdk import aws_secretsmanager as secretsmanager  # noqa: E402

from cdk_saas_privatelink import (  # noqa: E402
    DynatraceActiveGateToken,
    DynatraceEnvironment,
    DynatracePrivateLink,
)

loaded = time.perf_counter()

app = cdk.App(outdir=os.path.join(tempfile.gettempdir(), f"bench-python-binding-py-{os.getpid()}"))
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
DynatracePrivateLink(stack, "Dynatrace", environment=environment, api_token=api_token, api_token_field="apiToken", vpc=vpc)
DynatraceActiveGateToken(
    stack, "ActiveGateToken", environment=environment, api_token=api_token, api_token_field="apiToken",
    token_name="vpc-activegate",
)
assembly = app.synth()
end = time.perf_counter()

resources = len(assembly.get_stack_by_name("DynatraceSameRegion").template["Resources"])
print(json.dumps({
    "load_ms": (loaded - start) * 1000,
    "synth_ms": (end - loaded) * 1000,
    "total_ms": (end - start) * 1000,
    "resources": resources,
}))
